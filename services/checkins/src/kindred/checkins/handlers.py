"""What check-ins does with each event of the partitions it owns: event → domain → the
stored check-in, the member's updated history and the events announcing it, committed together
as one partition-log entry.

Safety first: a check-in that fires a rule raises its alert (and opens an episode) as urgent
events, published ahead of the log write if the database does not answer in time; the
member's episode closes only when a human asks (`safety.episode-close-requested`).

Check-in schedules (reminders, missed check-ins) are a component of their own,
`kindred.checkins.schedules`: the working set, `load`/`drop`/`tick` and the schedule events go
to it, and every check-in tells it the member answered."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from kindred.checkins.domain import recorded_event
from kindred.checkins.domain.safety import (
    assess,
    close_episode,
    remember,
    safety_events,
    trend_events,
)
from kindred.checkins.members import Members
from kindred.checkins.repository import CHECKINS, checkin_doc
from kindred.checkins.schedules import Schedules
from kindred.checkins.settings import CheckinsSettings
from kindred.events.checkins import CheckinSubmitted
from kindred.events.envelope import Envelope
from kindred.events.safety import SafetyAlertRaised, SafetyEpisodeCloseRequested
from kindred.events.schedules import CheckinScheduleSet
from kindred.observability.metrics import (
    checkins_by_instrument,
    checkins_recorded,
    safety_alert_seconds,
    safety_alerts,
    safety_triggers,
)
from kindred.partitions.processor import Changes


class Checkins:
    events = (CheckinSubmitted, CheckinScheduleSet, SafetyEpisodeCloseRequested)

    def __init__(self, settings: CheckinsSettings, schedules: Schedules, members: Members) -> None:
        self.source = f"kindred/{settings.service_name}"
        self.schedules = schedules
        self.members = members

    def handle(self, partition: int, event: Envelope[Any], changes: Changes) -> None:
        if isinstance(event, CheckinSubmitted):
            self.checked_in(partition, event, changes)
            self.schedules.checked_in(partition, event, changes)
        elif isinstance(event, CheckinScheduleSet):
            self.schedules.schedule_set(partition, event, changes)
        elif isinstance(event, SafetyEpisodeCloseRequested):
            member = self.members.get(partition, event.data.member_id)
            closed = close_episode(event, member, changes.now, self.source)
            if closed is not None:
                self.members.save(member, changes)
                changes.emit(closed)

    def checked_in(self, partition: int, event: CheckinSubmitted, changes: Changes) -> None:
        member = self.members.get(partition, event.data.member_id)
        assessment = assess(event, member)
        alerts = safety_events(event, assessment, member, changes.now, self.source)
        for alert in alerts:
            changes.emit(alert, urgent=True)
        remember(member, assessment.scores)
        self.members.save(member, changes)
        changes.insert(
            CHECKINS,
            checkin_doc(event, partition, changes.now, assessment.scores, assessment.rules),
        )
        changes.emit(
            recorded_event(event, changes.now, self.source, assessment.scores, assessment.rules)
        )
        for trend in trend_events(event, assessment, self.source):
            changes.emit(trend)

        def count() -> None:
            checkins_recorded.inc()
            scores = assessment.scores
            for instrument in scores.instruments if scores is not None else ():
                checkins_by_instrument.labels(instrument=str(instrument)).inc()
            if scores is not None and scores.has_note:
                checkins_by_instrument.labels(instrument="note").inc()
            for trigger in assessment.triggers:
                safety_triggers.labels(rule=str(trigger.rule), severity=str(trigger.severity)).inc()
            for alert in alerts:
                if isinstance(alert, SafetyAlertRaised):
                    safety_alerts.labels(severity=str(alert.data.severity)).inc()
                    # Published by now (acks=all): the time the member waited for a human's alert.
                    waited = datetime.now(UTC) - alert.data.accepted_at
                    safety_alert_seconds.observe(max(0.0, waited.total_seconds()))

        changes.then(count)

    # ---------------------------------------------------------------- schedules

    async def load(self, partition: int) -> None:
        await self.members.load(partition)
        await self.schedules.load(partition)

    def drop(self, partition: int) -> None:
        self.members.drop(partition)
        self.schedules.drop(partition)

    def tick(self, partition: int, changes: Changes) -> None:
        self.schedules.tick(partition, changes)
