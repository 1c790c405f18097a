"""What a check-in means for a member's safety and trends: scores, triggers, the alert and
the episode it opens. Pure: the handler reads the member's state from its table, passes it in,
and stores and announces what `check_in` and `close_episode` return.

Fail safe: if scoring or a rule fails, the check-in escalates anyway (`evaluation_failed`,
urgent); nothing here can make a check-in that might carry a trigger go unescalated.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from kindred.events.checkins import CheckinSubmittedData, CheckinTrendWorsenedData
from kindred.events.envelope import deterministic_id
from kindred.instruments import CheckinAnswers, Scores, score
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


@dataclass(frozen=True)
class Episode:
    episode_id: str
    opened_at: datetime
    alerts: int = 1


@dataclass(frozen=True)
class MemberState:
    """One member's recent scores (oldest first) and open safety episode."""

    member_id: str
    moods: tuple[int, ...] = ()
    who5: tuple[int, ...] = ()
    episode: Episode | None = None


@dataclass(frozen=True)
class CheckinRecord:
    """A check-in as this service keeps it: the answers and the note stay here."""

    checkin_id: str
    member_id: str
    answers: dict[str, Any]
    scores: Scores | None
    rules: tuple[Rule, ...]
    accepted_at: datetime
    recorded_at: datetime
    event_id: str


@dataclass(frozen=True)
class Alert:
    """The alert a triggering check-in raises (its id follows from the check-in's)."""

    alert_id: str
    severity: Severity
    triggers: tuple[Trigger, ...]
    episode: Episode
    opened_episode: bool  # the check-in opened the episode


@dataclass(frozen=True)
class CheckedIn:
    """What a check-in did: the member's state after it, the scores and triggers, the worsened
    trends and the alert (if any)."""

    member: MemberState
    assessment: Assessment
    alert: Alert | None


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


def assess(data: CheckinSubmittedData, state: MemberState) -> Assessment:
    """Scores, triggers (stateless and against the member's history) and trends."""
    triggers: list[Trigger] = []
    scores: Scores | None = None
    trends: list[CheckinTrendWorsenedData] = []
    try:
        answers = data.answers()
    except Exception as error:  # validated at the gateway; a bug here must still escalate
        return Assessment(None, [_failed("validation", error)], [])
    triggers += evaluate(answers)
    triggers += evaluate_history(
        answers, previous_moods=list(state.moods), previous_who5_raw=list(state.who5)
    )
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
    history: tuple[int, ...],
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


def remember(state: MemberState, scores: Scores | None) -> MemberState:
    """The member's history with a check-in's scores added."""
    if scores is None:
        return state
    moods, who5 = state.moods, state.who5
    if scores.mood is not None:
        moods = (*moods, scores.mood)[-HISTORY:]
    if scores.who5_raw is not None:
        who5 = (*who5, scores.who5_raw)[-HISTORY:]
    return replace(state, moods=moods, who5=who5)


def check_in(data: CheckinSubmittedData, state: MemberState, now: datetime) -> CheckedIn:
    """A check-in against the member's state: assessed, remembered, and if a rule fired an
    alert, in the open episode or one it opens. Ids follow from the check-in, so a replay
    raises the same alert, not a second one."""
    assessment = assess(data, state)
    alert = None
    severity = max_severity(assessment.triggers)
    if severity is not None:
        alert_id = deterministic_id("safety.alert", data.checkin_id)
        opened = state.episode is None
        episode = (
            Episode(deterministic_id("safety.episode", alert_id), now)
            if state.episode is None
            else replace(state.episode, alerts=state.episode.alerts + 1)
        )
        alert = Alert(alert_id, severity, tuple(assessment.triggers), episode, opened)
        state = replace(state, episode=episode)
    return CheckedIn(remember(state, assessment.scores), assessment, alert)


def record(
    data: CheckinSubmittedData,
    checked: CheckedIn,
    accepted_at: datetime,
    recorded_at: datetime,
    event_id: str,
) -> CheckinRecord:
    """The check-in as stored, with its scores and the rules it fired."""
    return CheckinRecord(
        checkin_id=data.checkin_id,
        member_id=data.member_id,
        answers=data.model_dump(mode="json", include=set(CheckinAnswers.model_fields)),
        scores=checked.assessment.scores,
        rules=tuple(checked.assessment.rules),
        accepted_at=accepted_at,
        recorded_at=recorded_at,
        event_id=event_id,
    )


def close_episode(state: MemberState) -> tuple[MemberState, Episode] | None:
    """The member without their open episode, and the episode closed (None if none is open:
    a repeated request does nothing)."""
    if state.episode is None:
        return None
    return replace(state, episode=None), state.episode
