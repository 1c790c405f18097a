"""Valid events and request bodies with sensible defaults, overridable per test."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from kindred.events.checkins import CheckinSubmitted, CheckinSubmittedData
from kindred.events.envelope import deterministic_id, new_id
from kindred.events.matching import (
    MatchProposed,
    MatchProposedData,
    SupporterRoleSet,
    SupporterRoleSetData,
    SupportRequested,
    SupportRequestedData,
)
from kindred.events.members import ProfileSubmitted, ProfileSubmittedData
from kindred.events.safety import SafetyAlertRaised, SafetyAlertRaisedData, TriggerFired
from kindred.events.vocabulary import Topic
from kindred.safety.rules import Rule, Severity


def profile_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "roles": ["supporter"],
        "topics": ["grief"],
        "languages": ["en"],
        "time_zone": "Europe/London",
        "age_band": "35-44",
        "capacity": 3,
    }
    body.update(overrides)
    return body


def profile_submitted(member_id: str, **overrides: Any) -> ProfileSubmitted:
    return ProfileSubmitted.new(
        subject=member_id,
        source="tests",
        data=ProfileSubmittedData(member_id=member_id, **profile_body(**overrides)),
    )


def role_set(member_id: str, granted: bool = True, minors: bool = False) -> SupporterRoleSet:
    """Staff grant (or withdraw) the supporter role."""
    return SupporterRoleSet.new(
        subject=member_id,
        source="tests",
        data=SupporterRoleSetData(
            member_id=member_id, staff_id="trainer", granted=granted, minors_cleared=minors
        ),
    )


def support_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "topics": ["grief"],
        "language": "en",
        "whats_going_on": "Lost my dad last month.",
    }
    body.update(overrides)
    return body


def support_requested(
    seeker_id: str, request_id: str | None = None, **overrides: Any
) -> SupportRequested:
    return SupportRequested.new(
        subject=seeker_id,
        source="tests",
        data=SupportRequestedData(
            request_id=request_id or new_id(), seeker_id=seeker_id, **support_body(**overrides)
        ),
    )


def checkin_submitted(
    member_id: str, mood: int | None = 6, note: str = "ok", **answers: Any
) -> CheckinSubmitted:
    """A check-in as the gateway publishes it; `answers` adds instruments (who5=[...], ...)."""
    return CheckinSubmitted.new(
        subject=member_id,
        source="tests",
        data=CheckinSubmittedData(
            checkin_id=new_id(), member_id=member_id, mood=mood, note=note, **answers
        ),
    )


def match_proposed(seeker_id: str, supporter_id: str) -> MatchProposed:
    request_id = new_id()
    match_id = deterministic_id("match", request_id)
    return MatchProposed.new(
        subject=match_id,
        source="tests",
        data=MatchProposedData(
            match_id=match_id,
            request_id=request_id,
            seeker_id=seeker_id,
            supporter_id=supporter_id,
            shared_topics=[Topic.GRIEF],
            language="en",
        ),
    )


def safety_alert_raised(member_id: str = "m1") -> SafetyAlertRaised:
    """An urgent alert (PHQ-9 item 9) with the ids the check-ins service derives."""
    checkin_id = new_id()
    alert_id = deterministic_id("safety.alert", checkin_id)
    now = datetime.now(UTC)
    return SafetyAlertRaised.new(
        id=alert_id,
        subject=member_id,
        source="tests",
        data=SafetyAlertRaisedData(
            alert_id=alert_id,
            member_id=member_id,
            checkin_id=checkin_id,
            severity=Severity.URGENT,
            triggers=[TriggerFired(rule=Rule.PHQ9_ITEM9, severity=Severity.URGENT)],
            accepted_at=now,
            raised_at=now,
            episode_id=new_id(),
        ),
    )
