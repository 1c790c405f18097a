"""What a check-in means for a member's safety and trends: scores, triggers, the alert and
the episode it opens. Pure: the handler reads the member's state from its table, passes it in,
and stores and announces what `check_in` and `close_episode` return.

Fail safe: if scoring or a rule fails, the check-in escalates anyway (`evaluation_failed`,
urgent); nothing here can make a check-in that might carry a trigger go unescalated.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from kindred.events.checkins import CheckinSubmittedData, CheckinTrendWorsenedData
from kindred.events.envelope import deterministic_id
from kindred.events.safety import CloseRefusal
from kindred.instruments import CheckinAnswers, Scores, score
from kindred.safety import rules
from kindred.safety.rules import (
    Concern,
    Priority,
    ReviewReason,
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
# Alert ids an episode keeps (the newest; `alerts` counts them all), and episodes closed lately
# a member keeps (a close request repeated after it was done is not refused).
EPISODE_ALERT_IDS = 100
CLOSED_EPISODES = 8

_PRIORITY_RANK = {Priority.NORMAL: 0, Priority.HIGH: 1}
# What the review rules failing on a check-in that fired no rule becomes: a failure escalates.
REVIEW_FAILED = Concern(
    ReviewReason.UNCLEAR,
    Priority.HIGH,
    "The review rules could not be evaluated: a human must read this check-in",
)


@dataclass(frozen=True)
class Episode:
    """An open safety episode: when it opened, how many alerts it raised and the ids of the
    newest of them (oldest first; empty for an episode stored before ids were kept)."""

    episode_id: str
    opened_at: datetime
    alerts: int = 1
    alert_ids: tuple[str, ...] = ()

    @property
    def last_alert_id(self) -> str | None:
        return self.alert_ids[-1] if self.alert_ids else None

    def with_alert(self, alert_id: str) -> Episode:
        ids = (*self.alert_ids, alert_id)[-EPISODE_ALERT_IDS:]
        return replace(self, alerts=self.alerts + 1, alert_ids=ids)


@dataclass(frozen=True)
class MemberState:
    """One member's recent scores (oldest first), open safety episode, the episodes closed
    lately (oldest first) and the country of their profile (as of `profile_at`)."""

    member_id: str
    moods: tuple[int, ...] = ()
    who5: tuple[int, ...] = ()
    episode: Episode | None = None
    country: str | None = None
    profile_at: datetime | None = None
    closed: tuple[str, ...] = ()


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
    # Why staff were asked to review it (no rule fired), empty if they were not.
    review: tuple[ReviewReason, ...] = ()


@dataclass(frozen=True)
class Alert:
    """The alert a triggering check-in raises (its id follows from the check-in's)."""

    alert_id: str
    severity: Severity
    triggers: tuple[Trigger, ...]
    episode: Episode
    opened_episode: bool  # the check-in opened the episode
    # Where the member's crisis resources come from: the check-in's, else the profile's.
    country: str | None = None


@dataclass(frozen=True)
class Review:
    """The staff review a check-in that fired no rule asks for (its id follows from the
    check-in's): never an episode, never a page."""

    review_id: str
    priority: Priority
    concerns: tuple[Concern, ...]


@dataclass(frozen=True)
class CheckedIn:
    """What a check-in did: the member's state after it, the scores and triggers, the worsened
    trends, and the alert or the review (at most one of them)."""

    member: MemberState
    assessment: Assessment
    alert: Alert | None
    review: Review | None = None


@dataclass(frozen=True)
class Assessment:
    scores: Scores | None
    triggers: list[Trigger]
    trends: list[CheckinTrendWorsenedData]
    # Why a human should read it although no rule fired (empty when one did).
    concerns: list[Concern] = field(default_factory=list)

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
    """Scores, triggers (stateless and against the member's history), trends, and when no
    rule fired, the concerns of the review rules."""
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
    concerns = [] if triggers else _review(answers)
    return Assessment(scores, _unique(triggers), trends, concerns)


def _review(answers: CheckinAnswers) -> list[Concern]:
    """The review rules' concerns, one per reason (the higher priority); if they raise, a
    high `unclear` concern: a failure asks for a human, it never hides the check-in."""
    try:
        found = list(rules.review(answers))
    except Exception as error:
        # Only the type: an exception's text could carry part of the member's answers.
        log.error("check-in review failed (%s); asking for a review", type(error).__name__)
        return [REVIEW_FAILED]
    best: dict[ReviewReason, Concern] = {}
    for concern in found:
        known = best.get(concern.reason)
        if known is None or _PRIORITY_RANK[concern.priority] > _PRIORITY_RANK[known.priority]:
            best[concern.reason] = concern
    return list(best.values())


def max_priority(concerns: list[Concern]) -> Priority | None:
    """The highest priority among the concerns; None when there are none."""
    return max((c.priority for c in concerns), key=_PRIORITY_RANK.__getitem__, default=None)


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
    alert, in the open episode or one it opens; if none fired but the review rules have a
    concern, a staff review (the member's episode and matching untouched). Ids follow from
    the check-in, so a replay raises the same alert or review, not a second one."""
    assessment = assess(data, state)
    alert = review = None
    severity = max_severity(assessment.triggers)
    priority = max_priority(assessment.concerns)
    if severity is not None:
        state, alert = _raise(
            state, data.checkin_id, severity, assessment.triggers, data.country, now
        )
    elif priority is not None:
        review_id = deterministic_id("safety.review", data.checkin_id)
        review = Review(review_id, priority, tuple(assessment.concerns))
    return CheckedIn(remember(state, assessment.scores), assessment, alert, review)


def _raise(
    state: MemberState,
    checkin_id: str,
    severity: Severity,
    triggers: list[Trigger],
    country: str | None,
    now: datetime,
) -> tuple[MemberState, Alert]:
    """The alert for a check-in, in the member's open episode or one it opens."""
    alert_id = deterministic_id("safety.alert", checkin_id)
    opened = state.episode is None
    episode = (
        Episode(deterministic_id("safety.episode", alert_id), now, 1, (alert_id,))
        if state.episode is None
        else state.episode.with_alert(alert_id)
    )
    alert = Alert(alert_id, severity, tuple(triggers), episode, opened, country or state.country)
    return replace(state, episode=episode), alert


def unreadable(state: MemberState, checkin_id: str, now: datetime) -> tuple[MemberState, Alert]:
    """A check-in of this member that could not be read or handled at all (a newer gateway's
    format, a bug): nobody knows what it said, so a human must look, as for any rule that
    failed. An urgent `evaluation_failed` alert, in the open episode or one it opens."""
    trigger = Trigger(
        Rule.EVALUATION_FAILED,
        Severity.URGENT,
        "The check-in could not be read or handled: a human must review it",
    )
    return _raise(state, checkin_id, Severity.URGENT, [trigger], None, now)


def profile(state: MemberState, country: str | None, at: datetime) -> MemberState | None:
    """The member with the country of a profile submitted at `at`; None when a profile as
    new or newer is known already (this one again, or an older one)."""
    if state.profile_at is not None and state.profile_at >= at:
        return None
    return replace(state, country=country, profile_at=at)


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
        review=tuple(c.reason for c in checked.review.concerns) if checked.review else (),
    )


@dataclass(frozen=True)
class Closed:
    """The member without their episode, and the episode closed."""

    member: MemberState
    episode: Episode


@dataclass(frozen=True)
class Refused:
    """A close of episode `requested` refused: why, and the member's open episode (if any) to
    review first."""

    reason: CloseRefusal
    requested: str
    episode: Episode | None


def close_episode(
    state: MemberState, episode_id: str | None = None, last_alert_id: str | None = None
) -> Closed | Refused | None:
    """Close the member's open episode if it is `episode_id` and its newest alert is
    `last_alert_id` (the last one the staff member reviewed), so that an alert raised since is
    never closed away unreviewed; otherwise refuse, saying why. An episode stored before alert
    ids were kept has no newest alert to compare: the episode id must match.

    None: nothing to do: the episode named was closed already (a repeated request), or a
    request without `episode_id` (a gateway older than it) finds no open episode. Such a
    request closes whatever episode is open, as it always did."""
    episode = state.episode
    if episode_id is None:
        return None if episode is None else _closed(state, episode)
    if episode is None:
        return (
            None
            if episode_id in state.closed
            else Refused(CloseRefusal.NO_OPEN_EPISODE, episode_id, None)
        )
    if episode.episode_id != episode_id:
        return Refused(CloseRefusal.ANOTHER_EPISODE, episode_id, episode)
    if episode.last_alert_id is not None and episode.last_alert_id != last_alert_id:
        return Refused(CloseRefusal.NEWER_ALERT, episode_id, episode)
    return _closed(state, episode)


def _closed(state: MemberState, episode: Episode) -> Closed:
    closed = (*state.closed, episode.episode_id)[-CLOSED_EPISODES:]
    return Closed(replace(state, episode=None, closed=closed), episode)
