"""Subscribers: decode → domain → persist. The entry id makes a redelivery a no-op."""

from __future__ import annotations

from faststream.kafka import KafkaBroker

from kindred.events.envelope import utcnow
from kindred.events.matching import MatchProposed
from kindred.messaging.broker import record_handled, subscribe
from kindred.notifications.domain import entries_for_match_proposed
from kindred.notifications.repository import NotificationsRepository
from kindred.notifications.settings import NotificationsSettings
from kindred.observability.metrics import inbox_entries


def register(
    broker: KafkaBroker, settings: NotificationsSettings, repo: NotificationsRepository
) -> None:
    @subscribe(broker, settings, MatchProposed)
    async def on_match_proposed(event: MatchProposed) -> None:
        added = await repo.add_entries(entries_for_match_proposed(event, utcnow()))
        inbox_entries.labels(kind="match.proposed").inc(added)
        record_handled(settings, event, "applied" if added else "duplicate")
