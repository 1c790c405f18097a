"""What a check-in means for a member's safety and trends: scores, triggers, alerts, episodes.

No I/O: the check-ins processor keeps each member's `MemberState` in memory for the partitions
it owns and commits what these functions return. Fail safe: if scoring or a rule fails, the
check-in escalates anyway (`evaluation_failed`, urgent); nothing here can make a check-in that
might carry a trigger go unescalated.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kindred.events.checkins import (
    CheckinSubmitted,
    CheckinTrendWorsened,
    CheckinTrendWorsenedData,
)
from kindred.events.envelope import Envelope, deterministic_id
from kindred.events.safety import (
    SafetyAlertRaised,
    SafetyAlertRaisedData,
    SafetyEpisodeClosed,
    SafetyEpisodeClosedData,
    SafetyEpisodeCloseRequested,
    SafetyEpisodeOpened,
    SafetyEpisodeOpenedData,
    TriggerFired,
)
from kindred.instruments import Scores, score
from kindred.safety.rules import (
    Rule,
    Severity,
    Trigger,
    evaluate,
    evaluate_history,
    max_severity,
)

log = logging.getLogger(__name__)

# History kept per member: enough for the rolling means of the trend and decline rules.
HISTORY = 7
# A worsening trend (an event for matching and notifications, not a safety alert): the new
# value this far below the mean of the member's recent ones, with at least TREND_MIN_HISTORY.
MOOD_TREND_DROP = 2.0
WHO5_TREND_DROP = 4.0
TREND_MIN_HISTORY = 3


@dataclass
class Episode:
    episode_id: str
    opened_at: datetime
    alerts: int = 1


@dataclass
class MemberState:
    """One member's recent scores (oldest first) and open safety episode."""

    member_id: str
    partition: int
    moods: list[int] = field(default_factory=list)
    who5: list[int] = field(default_factory=list)
    episode: Episode | None = None

    def to_doc(self) -> dict[str, Any]:
        episode = self.episode
        return {
            "_id": self.member_id,
            "partition": self.partition,
            "moods": self.moods,
            "who5": self.who5,
            "episode": None
            if episode is None
            else {
                "id": episode.episode_id,
                "opened_at": episode.opened_at,
                "alerts": episode.alerts,
            },
        }

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> MemberState:
        episode = doc.get("episode")
        return cls(
            member_id=doc["_id"],
            partition=doc["partition"],
            moods=list(doc.get("moods", [])),
            who5=list(doc.get("who5", [])),
            episode=None
            if episode is None
            else Episode(episode["id"], episode["opened_at"], episode["alerts"]),
        )


@dataclass(frozen=True)
class Assessment:
    scores: Scores | None
    triggers: list[Trigger]
    trends: list[CheckinTrendWorsenedData]

    @property
    def rules(self) -> list[Rule]:
        return [t.rule for t in self.triggers]


def _failed(step: str, error: BaseException) -> Trigger:
    # Only the type: an exception's text could carry part of the member's answers.
    log.error("check-in %s failed (%s); escalating", step, type(error).__name__)
    return Trigger(
        Rule.EVALUATION_FAILED,
        Severity.URGENT,
        f"The check-in's {step} failed: a human must review it",
    )


def assess(event: CheckinSubmitted, state: MemberState) -> Assessment:
    """Scores, triggers (stateless and against the member's history) and trends."""
    data = event.data
    triggers: list[Trigger] = []
    scores: Scores | None = None
    trends: list[CheckinTrendWorsenedData] = []
    try:
        answers = data.answers()
    except Exception as error:  # validated at the gateway; a bug here must still escalate
        return Assessment(None, [_failed("validation", error)], [])
    triggers += evaluate(answers)
    triggers += evaluate_history(answers, previous_moods=state.moods, previous_who5_raw=state.who5)
    try:
        scores = score(answers)
    except Exception as error:
        triggers.append(_failed("scoring", error))
    if scores is not None:
        try:
            trends = _trends(data.member_id, data.checkin_id, scores, state)
        except Exception as error:
            triggers.append(_failed("trend computation", error))
    return Assessment(scores, _unique(triggers), trends)


def _unique(triggers: list[Trigger]) -> list[Trigger]:
    """One trigger per rule (the most severe): an alert names each rule once."""
    best: dict[Rule, Trigger] = {}
    for trigger in triggers:
        known = best.get(trigger.rule)
        if known is None or (trigger.severity, known.severity) == (Severity.URGENT, Severity.HIGH):
            best[trigger.rule] = trigger
    return list(best.values())


def _trend(
    member_id: str,
    checkin_id: str,
    measure: str,
    value: int,
    history: list[int],
    drop: float,
) -> CheckinTrendWorsenedData | None:
    recent = history[-HISTORY:]
    if len(recent) < TREND_MIN_HISTORY:
        return None
    mean = sum(recent) / len(recent)
    if value > mean - drop:
        return None
    return CheckinTrendWorsenedData(
        member_id=member_id,
        checkin_id=checkin_id,
        measure=measure,
        value=value,
        recent_mean=round(mean, 2),
        recent_count=len(recent),
    )


def _trends(
    member_id: str, checkin_id: str, scores: Scores, state: MemberState
) -> list[CheckinTrendWorsenedData]:
    found = []
    if scores.mood is not None:
        found.append(
            _trend(member_id, checkin_id, "mood", scores.mood, state.moods, MOOD_TREND_DROP)
        )
    if scores.who5_raw is not None:
        found.append(
            _trend(member_id, checkin_id, "who5", scores.who5_raw, state.who5, WHO5_TREND_DROP)
        )
    return [t for t in found if t is not None]


def remember(state: MemberState, scores: Scores | None) -> None:
    """Add a check-in's scores to the member's history."""
    if scores is None:
        return
    if scores.mood is not None:
        state.moods = [*state.moods, scores.mood][-HISTORY:]
    if scores.who5_raw is not None:
        state.who5 = [*state.who5, scores.who5_raw][-HISTORY:]


def safety_events(
    event: CheckinSubmitted,
    assessment: Assessment,
    state: MemberState,
    now: datetime,
    source: str,
) -> list[Envelope[Any]]:
    """The alert a triggering check-in raises, and the episode it opens if none is open.

    Ids follow from the check-in, so a replay raises the same alert, not a second one."""
    severity = max_severity(assessment.triggers)
    if severity is None:
        return []
    data = event.data
    events: list[Envelope[Any]] = []
    alert_id = deterministic_id("safety.alert", data.checkin_id)
    if state.episode is None:
        state.episode = Episode(deterministic_id("safety.episode", alert_id), now, alerts=1)
        events.append(
            SafetyEpisodeOpened.new(
                id=deterministic_id("safety.episode-opened", alert_id),
                subject=data.member_id,
                source=source,
                caused_by=event,
                data=SafetyEpisodeOpenedData(
                    episode_id=state.episode.episode_id,
                    member_id=data.member_id,
                    alert_id=alert_id,
                    opened_at=now,
                ),
            )
        )
    else:
        state.episode.alerts += 1
    alert = SafetyAlertRaised.new(
        id=alert_id,
        subject=data.member_id,
        source=source,
        caused_by=event,
        data=SafetyAlertRaisedData(
            alert_id=alert_id,
            member_id=data.member_id,
            checkin_id=data.checkin_id,
            severity=severity,
            triggers=[TriggerFired(rule=t.rule, severity=t.severity) for t in assessment.triggers],
            accepted_at=event.time,
            raised_at=now,
            episode_id=state.episode.episode_id,
        ),
    )
    return [alert, *events]


def trend_events(
    event: CheckinSubmitted, assessment: Assessment, source: str
) -> list[CheckinTrendWorsened]:
    return [
        CheckinTrendWorsened.new(
            id=deterministic_id("checkin.trend-worsened", trend.checkin_id, trend.measure),
            subject=trend.member_id,
            source=source,
            caused_by=event,
            data=trend,
        )
        for trend in assessment.trends
    ]


def close_episode(
    request: SafetyEpisodeCloseRequested, state: MemberState, now: datetime, source: str
) -> SafetyEpisodeClosed | None:
    """Close the member's open episode (None if none is open: a repeated request does nothing)."""
    episode = state.episode
    if episode is None:
        return None
    state.episode = None
    data = request.data
    return SafetyEpisodeClosed.new(
        id=deterministic_id("safety.episode-closed", episode.episode_id),
        subject=data.member_id,
        source=source,
        caused_by=request,
        data=SafetyEpisodeClosedData(
            episode_id=episode.episode_id,
            member_id=data.member_id,
            closed_by=data.staff_id,
            reason=data.reason,
            opened_at=episode.opened_at,
            closed_at=now,
            alerts=episode.alerts,
        ),
    )
