"""Subscribers: decode → domain → persist (state and events in one write) → publish."""

from __future__ import annotations

from faststream.kafka import KafkaBroker

from kindred.checkins.domain import recorded_event
from kindred.checkins.repository import CheckinsRepository
from kindred.checkins.settings import CheckinsSettings
from kindred.events.checkins import CheckinSubmitted
from kindred.events.envelope import utcnow
from kindred.messaging.broker import record_handled, subscribe
from kindred.messaging.outbox import Outbox, outbox_fields
from kindred.observability.metrics import checkins_recorded


def register(
    broker: KafkaBroker, settings: CheckinsSettings, repo: CheckinsRepository, outbox: Outbox
) -> None:
    @subscribe(broker, settings, CheckinSubmitted)
    async def on_checkin_submitted(event: CheckinSubmitted) -> None:
        now = utcnow()
        recorded = recorded_event(event, now, source=f"kindred/{settings.service_name}")
        doc, stored = await repo.record(event, now, outbox_fields(recorded))
        await outbox.flush_document(repo.checkins, doc)  # a no-op once published
        if stored:
            checkins_recorded.inc()
        record_handled(settings, event, "applied" if stored else "duplicate")
