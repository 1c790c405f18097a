"""What notifications does with each event of the partitions it owns: event → domain →
inbox entries. An entry's id follows from the event and the recipient, so a replay inserts
nothing new."""

from __future__ import annotations

from typing import Any

from kindred.events.envelope import Envelope
from kindred.events.matching import MatchProposed
from kindred.notifications.domain import entries_for_match_proposed
from kindred.notifications.repository import INBOX, inbox_doc
from kindred.observability.metrics import inbox_entries
from kindred.partitions.processor import Changes, Stateless


class Notifications(Stateless):
    events = (MatchProposed,)

    def handle(self, partition: int, event: Envelope[Any], changes: Changes) -> None:
        if isinstance(event, MatchProposed):
            entries = entries_for_match_proposed(event, changes.now)
            for entry in entries:
                changes.insert(INBOX, inbox_doc(entry))
            changes.then(lambda: inbox_entries.labels(kind="match.proposed").inc(len(entries)))
