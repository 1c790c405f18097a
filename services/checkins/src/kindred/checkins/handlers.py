"""What check-ins does with each event of the partitions it owns, and with their timers.

Each event goes to the pure `domain` with the member's state read from its table; what the
domain returns is stored (the member's state, the check-in, the schedule) and announced here,
in one `Changes`: one partition-log entry, so a crash never splits a state change from its
events. Events are built here, with ids that follow from their input, so a replay publishes
the same ids.

- `checkin.submitted`: scored and assessed (`domain.safety`); a trigger raises an alert (and
  opens an episode) as urgent events, published ahead of the log write if the database does
  not answer in time; a check-in that fires no trigger but that the review rules cannot clear
  asks staff for a review (`safety.review-requested`: no episode, no page); the check-in
  answers the member's open scheduled occurrence.
- `member.profile-submitted`: the member's country (their crisis resources when a check-in
  does not say).
- `checkin.schedule-set`: the member's schedule (`domain.schedules`).
- `safety.episode-close-requested`: a human closes the member's episode, if it is the one
  they name and no alert newer than the last one they reviewed exists; otherwise
  `safety.episode-close-refused` says why.
- `tick`: the schedules due emit their reminders and missed check-ins, each with the schedule
  document moved past it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from kindred.checkins import metrics
from kindred.checkins.domain import safety
from kindred.checkins.domain.schedules import (
    MemberSchedule,
    Missed,
    Outcome,
    Reminder,
    due,
    schedule_from,
    set_schedule,
)
from kindred.checkins.domain.schedules import check_in as answer
from kindred.checkins.repository import CHECKINS, MEMBERS, SCHEDULES, STORES
from kindred.checkins.settings import CheckinsSettings
from kindred.events.checkins import (
    CheckinRecorded,
    CheckinRecordedData,
    CheckinSubmitted,
    CheckinTrendWorsened,
)
from kindred.events.envelope import Envelope, deterministic_id
from kindred.events.members import ProfileSubmitted
from kindred.events.safety import (
    ReviewConcern,
    SafetyAlertRaised,
    SafetyAlertRaisedData,
    SafetyEpisodeClosed,
    SafetyEpisodeClosedData,
    SafetyEpisodeCloseRefused,
    SafetyEpisodeCloseRefusedData,
    SafetyEpisodeCloseRequested,
    SafetyEpisodeOpened,
    SafetyEpisodeOpenedData,
    SafetyReviewRequested,
    SafetyReviewRequestedData,
    TriggerFired,
)
from kindred.events.schedules import (
    CheckinMissed,
    CheckinMissedData,
    CheckinReminderDue,
    CheckinReminderDueData,
    CheckinScheduleSet,
)
from kindred.events.topics import topic_name
from kindred.partitions.processor import Changes, Failed
from kindred.partitions.store import Table, Tables

log = logging.getLogger(__name__)


class Checkins:
    events = (CheckinSubmitted, CheckinScheduleSet, SafetyEpisodeCloseRequested, ProfileSubmitted)
    stores = STORES

    def __init__(
        self, settings: CheckinsSettings, clock: Callable[[], datetime] | None = None
    ) -> None:
        self.source = f"kindred/{settings.service_name}"
        self.window = timedelta(seconds=settings.schedule_missed_window_seconds)
        self.grace = timedelta(seconds=settings.schedule_missed_grace_seconds)
        self.tick_max = settings.schedule_tick_batch_max
        self.clock = clock or (lambda: datetime.now(UTC))
        # Per owned partition: no missed check-in is reported before this, so that the
        # check-ins still on their way after a take-over are handled first.
        self.settled_at: dict[int, datetime] = {}

    # ---------------------------------------------------------------- ownership

    def load(self, partition: int, tables: Tables) -> None:
        now = self.clock()
        self.settled_at[partition] = now + self.grace
        schedules = tables[SCHEDULES]
        for schedule in schedules:
            self._plan(partition, schedules, schedule, now)
        metrics.checkin_schedules_active.set(partition, sum(s.schedule.enabled for s in schedules))
        metrics.safety_episodes_open.set(
            partition, sum(m.episode is not None for m in tables[MEMBERS])
        )

    def drop(self, partition: int) -> None:
        self.settled_at.pop(partition, None)
        metrics.checkin_schedules_active.forget(partition)
        metrics.safety_episodes_open.forget(partition)

    # ---------------------------------------------------------------- events

    def handle(self, partition: int, event: Envelope[Any], changes: Changes) -> None:
        if isinstance(event, CheckinSubmitted):
            self._checked_in(partition, event, changes)
        elif isinstance(event, CheckinScheduleSet):
            self._schedule_set(partition, event, changes)
        elif isinstance(event, SafetyEpisodeCloseRequested):
            self._close_requested(partition, event, changes)
        elif isinstance(event, ProfileSubmitted):
            self._profile(event, changes)

    def _checked_in(self, partition: int, event: CheckinSubmitted, changes: Changes) -> None:
        data = event.data
        before = changes.get(MEMBERS, data.member_id) or safety.MemberState(data.member_id)
        checked = safety.check_in(data, before, changes.now)
        alert = checked.alert
        if alert is not None:
            for urgent in self._alert_events(
                data.member_id, data.checkin_id, event.time, event, alert, changes.now
            ):
                changes.emit(urgent, urgent=True)
        if checked.review is not None:
            changes.emit(self._review_event(event, checked.review, changes.now))
        changes.put(MEMBERS, checked.member)
        record = safety.record(data, checked, event.time, changes.now, event.id)
        changes.insert(CHECKINS, record)
        changes.emit(
            CheckinRecorded.new(
                id=deterministic_id("checkin.recorded", data.checkin_id),
                subject=data.member_id,
                source=self.source,
                caused_by=event,
                data=CheckinRecordedData(
                    checkin_id=data.checkin_id,
                    member_id=data.member_id,
                    recorded_at=changes.now,
                    scores=record.scores,
                    safety_rules=list(record.rules),
                ),
            )
        )
        for trend in checked.assessment.trends:
            changes.emit(
                CheckinTrendWorsened.new(
                    id=deterministic_id("checkin.trend-worsened", trend.checkin_id, trend.measure),
                    subject=trend.member_id,
                    source=self.source,
                    caused_by=event,
                    data=trend,
                )
            )
        self._answered(partition, data.member_id, event.time, changes)
        opened = before.episode is None and checked.member.episode is not None
        changes.then(lambda: self._count(partition, checked, opened, event.time))

    def failed(self, partition: int, failure: Failed, changes: Changes) -> None:
        """A check-in that goes to its dead-letter topic unread or unhandled still reaches a
        human: an urgent `evaluation_failed` alert for the member the record names (its key),
        from what can be read of it."""
        record = failure.record
        if record.topic != topic_name(changes.namespace, CheckinSubmitted.TOPIC):
            return
        member_id, checkin_id, accepted_at = _identify(failure)
        before = changes.get(MEMBERS, member_id) or safety.MemberState(member_id)
        state, alert = safety.unreadable(before, checkin_id, changes.now)
        for urgent in self._alert_events(
            member_id, checkin_id, accepted_at, failure.event, alert, changes.now
        ):
            changes.emit(urgent, urgent=True)
        changes.put(MEMBERS, state)
        changes.then(metrics.checkins_unreadable.inc)
        log.error(
            "a check-in went to its dead-letter topic (%s); alerted the on-call staff",
            type(failure.error).__name__,
            extra={"member_id": member_id, "alert_id": alert.alert_id},
        )

    def _alert_events(
        self,
        member_id: str,
        checkin_id: str,
        accepted_at: datetime,
        caused_by: Envelope[Any] | None,
        alert: safety.Alert,
        now: datetime,
    ) -> list[Envelope[Any]]:
        """The alert for the humans on call, and the episode it opened (if it did)."""
        raised: list[Envelope[Any]] = [
            SafetyAlertRaised.new(
                id=alert.alert_id,
                subject=member_id,
                source=self.source,
                caused_by=caused_by,
                data=SafetyAlertRaisedData(
                    alert_id=alert.alert_id,
                    member_id=member_id,
                    checkin_id=checkin_id,
                    severity=alert.severity,
                    triggers=[
                        TriggerFired(rule=t.rule, severity=t.severity) for t in alert.triggers
                    ],
                    accepted_at=accepted_at,
                    raised_at=now,
                    episode_id=alert.episode.episode_id,
                    country=alert.country,
                ),
            )
        ]
        if alert.opened_episode:
            raised.append(
                SafetyEpisodeOpened.new(
                    id=deterministic_id("safety.episode-opened", alert.alert_id),
                    subject=member_id,
                    source=self.source,
                    caused_by=caused_by,
                    data=SafetyEpisodeOpenedData(
                        episode_id=alert.episode.episode_id,
                        member_id=member_id,
                        alert_id=alert.alert_id,
                        opened_at=now,
                    ),
                )
            )
        return raised

    def _review_event(
        self, event: CheckinSubmitted, review: safety.Review, now: datetime
    ) -> SafetyReviewRequested:
        """The review item for staff: in the partition log with the check-in, so never lost;
        not urgent (no page waits on it)."""
        return SafetyReviewRequested.new(
            id=review.review_id,
            subject=event.data.member_id,
            source=self.source,
            caused_by=event,
            data=SafetyReviewRequestedData(
                review_id=review.review_id,
                member_id=event.data.member_id,
                checkin_id=event.data.checkin_id,
                priority=review.priority,
                concerns=[
                    ReviewConcern(reason=c.reason, priority=c.priority) for c in review.concerns
                ],
                accepted_at=event.time,
                requested_at=now,
            ),
        )

    def _count(
        self, partition: int, checked: safety.CheckedIn, opened: bool, accepted_at: datetime
    ) -> None:
        metrics.checkins_recorded.inc()
        scores = checked.assessment.scores
        for instrument in scores.instruments if scores is not None else ():
            metrics.checkins_by_instrument.labels(instrument=str(instrument)).inc()
        if scores is not None and scores.has_note:
            metrics.checkins_by_instrument.labels(instrument="note").inc()
        for trigger in checked.assessment.triggers:
            metrics.safety_triggers.labels(
                rule=str(trigger.rule), severity=str(trigger.severity)
            ).inc()
        if checked.alert is not None:
            metrics.safety_alerts.labels(severity=str(checked.alert.severity)).inc()
            # Published by now (acks=all): the time the member waited for a human's alert.
            waited = (datetime.now(UTC) - accepted_at).total_seconds()
            metrics.safety_alert_seconds.observe(max(0.0, waited))
        if checked.review is not None:
            metrics.safety_reviews.labels(priority=str(checked.review.priority)).inc()
        if opened:
            metrics.safety_episodes_open.add(partition, 1)

    def _profile(self, event: ProfileSubmitted, changes: Changes) -> None:
        data = event.data
        before = changes.get(MEMBERS, data.member_id) or safety.MemberState(data.member_id)
        after = safety.profile(before, data.country, event.time)
        if after is not None:
            changes.put(MEMBERS, after)

    def _close_requested(
        self, partition: int, event: SafetyEpisodeCloseRequested, changes: Changes
    ) -> None:
        data = event.data
        state = changes.get(MEMBERS, data.member_id) or safety.MemberState(data.member_id)
        outcome = safety.close_episode(state, data.episode_id, data.last_alert_id)
        if isinstance(outcome, safety.Refused):
            self._close_refused(event, outcome, changes)
            return
        if outcome is None:
            return
        episode = outcome.episode
        changes.put(MEMBERS, outcome.member)
        changes.emit(
            SafetyEpisodeClosed.new(
                id=deterministic_id("safety.episode-closed", episode.episode_id),
                subject=data.member_id,
                source=self.source,
                caused_by=event,
                data=SafetyEpisodeClosedData(
                    episode_id=episode.episode_id,
                    member_id=data.member_id,
                    closed_by=data.staff_id,
                    reason=data.reason,
                    opened_at=episode.opened_at,
                    closed_at=changes.now,
                    alerts=episode.alerts,
                ),
            )
        )
        changes.then(lambda: metrics.safety_episodes_open.add(partition, -1))

    def _close_refused(
        self, event: SafetyEpisodeCloseRequested, refused: safety.Refused, changes: Changes
    ) -> None:
        data = event.data
        episode = refused.episode
        changes.emit(
            SafetyEpisodeCloseRefused.new(
                id=deterministic_id("safety.episode-close-refused", event.id),
                subject=data.member_id,
                source=self.source,
                caused_by=event,
                data=SafetyEpisodeCloseRefusedData(
                    member_id=data.member_id,
                    episode_id=refused.requested,
                    requested_by=data.staff_id,
                    reason=refused.reason,
                    open_episode_id=episode.episode_id if episode else None,
                    newest_alert_id=episode.last_alert_id if episode else None,
                    refused_at=changes.now,
                ),
            )
        )
        reason = str(refused.reason)
        changes.then(lambda: metrics.safety_episode_closes_refused.labels(reason=reason).inc())

    # ---------------------------------------------------------------- schedules

    def _schedule_set(self, partition: int, event: CheckinScheduleSet, changes: Changes) -> None:
        data = event.data
        current = changes.get(SCHEDULES, data.member_id)
        state = set_schedule(
            current,
            data.member_id,
            schedule_from(data),
            set_at=event.time,
            event_id=event.id,
            correlation_id=event.correlationid,
        )
        if state is None:
            return  # this very event again, or one older than the schedule in force
        changes.put(SCHEDULES, state)
        self._plan(partition, changes.items(SCHEDULES), state, changes.now)
        enabled = int(state.schedule.enabled) - int(
            current is not None and current.schedule.enabled
        )
        if enabled:
            changes.then(lambda: metrics.checkin_schedules_active.add(partition, enabled))

    def _answered(self, partition: int, member_id: str, at: datetime, changes: Changes) -> None:
        """A check-in answers the member's open occurrence: it will not be reported missed."""
        state = changes.get(SCHEDULES, member_id)
        if state is None:
            return
        before = list(state.open)
        if not answer(state, at):
            return
        changes.put(SCHEDULES, state)
        self._plan(partition, changes.items(SCHEDULES), state, changes.now)
        still_open = {id(o) for o in state.open}
        # Each answered occurrence leaves `open`, so a reminder is answered at most once; one
        # never reminded (its window ended during an outage) is not counted.
        answered = sum(o.reminded for o in before if id(o) not in still_open)
        if answered:
            changes.then(lambda: metrics.checkins_answering_reminder.inc(answered))

    def tick(self, partition: int, changes: Changes) -> None:
        """Emit what the schedules due owe at `changes.now`, each with its document moved past
        it (at most SCHEDULE_TICK_BATCH_MAX schedules; the rest on the next ticks)."""
        now = changes.now
        settled = now >= self.settled_at[partition]
        schedules = changes.items(SCHEDULES)
        for state in changes.due(SCHEDULES, limit=self.tick_max):
            before = (state.next, state.last_date, list(state.open))
            outcomes = due(state, now, window=self.window, grace=self.grace, settled=settled)
            if outcomes or before != (state.next, state.last_date, state.open):
                changes.put(SCHEDULES, state)
                for outcome in outcomes:
                    changes.emit(self._occurrence_event(state, outcome))
                    changes.then(_counter(outcome))
            self._plan(partition, schedules, state, now)

    def _plan(
        self, partition: int, schedules: Table[MemberSchedule], state: MemberSchedule, now: datetime
    ) -> None:
        """When the schedule next has something to do; a missed check-in waits for the
        partition to settle after a take-over, a reminder does not."""
        when = state.wake_at(self.grace)
        reminder_due = state.next is not None and state.next.due_at <= now
        settled_at = self.settled_at.get(partition, now)
        if when is not None and when <= now and not reminder_due and now < settled_at:
            when = settled_at
        schedules.wake(state.member_id, when)

    def _occurrence_event(
        self, state: MemberSchedule, outcome: Outcome
    ) -> CheckinReminderDue | CheckinMissed:
        o = outcome.occurrence
        if isinstance(outcome, Reminder):
            return CheckinReminderDue.new(
                id=deterministic_id("checkin.reminder-due", o.occurrence_id),
                subject=state.member_id,
                source=self.source,
                correlationid=state.set_correlation_id,
                causationid=state.set_event_id,
                data=CheckinReminderDueData(
                    member_id=state.member_id,
                    occurrence_id=o.occurrence_id,
                    local_date=o.local_date,
                    local_time=outcome.schedule.hhmm,
                    time_zone=outcome.schedule.time_zone,
                    due_at=o.due_at,
                    window_ends_at=o.window_ends_at,
                ),
            )
        return CheckinMissed.new(
            id=deterministic_id("checkin.missed", o.occurrence_id),
            subject=state.member_id,
            source=self.source,
            correlationid=state.set_correlation_id,
            causationid=state.set_event_id,
            data=CheckinMissedData(
                member_id=state.member_id,
                occurrence_id=o.occurrence_id,
                local_date=o.local_date,
                due_at=o.due_at,
                window_ends_at=o.window_ends_at,
                window_seconds=int((o.window_ends_at - o.due_at).total_seconds()),
                reminded=o.reminded,
            ),
        )


def _identify(failure: Failed) -> tuple[str, str, datetime]:
    """Member, check-in id and acceptance time of a check-in record that failed: from the
    event if it was decoded, else from whatever of it can be read (the key is the member)."""
    if isinstance(failure.event, CheckinSubmitted):
        data = failure.event.data
        return data.member_id, data.checkin_id, failure.event.time
    record = failure.record
    raw: Any = None
    with contextlib.suppress(ValueError, UnicodeDecodeError):
        raw = json.loads(record.value or b"")
    body = raw.get("data") if isinstance(raw, dict) else None
    body = body if isinstance(body, dict) else {}
    key = (record.key or b"").decode(errors="replace")
    member_id = next(
        (m for m in (key, body.get("member_id")) if isinstance(m, str) and _MEMBER.match(m)),
        "unidentified",
    )
    given = body.get("checkin_id")
    checkin_id = (
        given
        if isinstance(given, str) and 0 < len(given) <= 100
        else deterministic_id(
            "checkin.unreadable", record.topic, str(record.partition), str(record.offset)
        )
    )
    return member_id, checkin_id, datetime.fromtimestamp(record.timestamp / 1000, tz=UTC)


_MEMBER = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")


def _counter(outcome: Outcome) -> Callable[[], None]:
    if isinstance(outcome, Missed):
        reminded = "true" if outcome.occurrence.reminded else "false"
        return metrics.checkins_missed.labels(reminded=reminded).inc
    return metrics.checkin_reminders.inc
