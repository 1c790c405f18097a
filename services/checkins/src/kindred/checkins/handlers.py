"""What check-ins does with each event of the partitions it owns: event → domain → the
stored check-in and the event announcing it, committed together."""

from __future__ import annotations

from typing import Any

from kindred.checkins.domain import recorded_event
from kindred.checkins.repository import CHECKINS, checkin_doc
from kindred.checkins.settings import CheckinsSettings
from kindred.events.checkins import CheckinSubmitted
from kindred.events.envelope import Envelope
from kindred.observability.metrics import checkins_recorded
from kindred.partitions.processor import Changes, Stateless


class Checkins(Stateless):
    events = (CheckinSubmitted,)

    def __init__(self, settings: CheckinsSettings) -> None:
        self.source = f"kindred/{settings.service_name}"

    def handle(self, partition: int, event: Envelope[Any], changes: Changes) -> None:
        if isinstance(event, CheckinSubmitted):
            changes.insert(CHECKINS, checkin_doc(event, partition, changes.now))
            changes.emit(recorded_event(event, changes.now, source=self.source))
            changes.then(checkins_recorded.inc)
