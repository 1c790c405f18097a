"""What check-ins does with each event of the partitions it owns: event → domain → the
stored check-in and the event announcing it, committed together.

Check-in schedules (reminders, missed check-ins) are a component of their own,
`kindred.checkins.schedules`: the working set, `load`/`drop`/`tick` and the schedule events go
to it, and every check-in tells it the member answered."""

from __future__ import annotations

from typing import Any

from kindred.checkins.domain import recorded_event
from kindred.checkins.repository import CHECKINS, checkin_doc
from kindred.checkins.schedules import Schedules
from kindred.checkins.settings import CheckinsSettings
from kindred.events.checkins import CheckinSubmitted
from kindred.events.envelope import Envelope
from kindred.events.schedules import CheckinScheduleSet
from kindred.observability.metrics import checkins_recorded
from kindred.partitions.processor import Changes


class Checkins:
    events = (CheckinSubmitted, CheckinScheduleSet)

    def __init__(self, settings: CheckinsSettings, schedules: Schedules) -> None:
        self.source = f"kindred/{settings.service_name}"
        self.schedules = schedules

    def handle(self, partition: int, event: Envelope[Any], changes: Changes) -> None:
        if isinstance(event, CheckinSubmitted):
            changes.insert(CHECKINS, checkin_doc(event, partition, changes.now))
            changes.emit(recorded_event(event, changes.now, source=self.source))
            changes.then(checkins_recorded.inc)
            self.schedules.checked_in(partition, event, changes)
        elif isinstance(event, CheckinScheduleSet):
            self.schedules.schedule_set(partition, event, changes)

    # ---------------------------------------------------------------- schedules

    async def load(self, partition: int) -> None:
        await self.schedules.load(partition)

    def drop(self, partition: int) -> None:
        self.schedules.drop(partition)

    def tick(self, partition: int, changes: Changes) -> None:
        self.schedules.tick(partition, changes)
