"""The outbox embedded in a state document: a state change and its events in one write.

A handler stores the new state and the events it causes in the same document, in one atomic
single-document write (`outbox`, `outbox_pending: true`). It then publishes them and clears the
flag. A crash in between leaves the flag set: the redelivered message, or the relay sweep,
publishes the stored events again with their original ids, and consumers dedupe by event id.
No multi-document transaction and no change stream is needed.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection

from kindred.background import BackgroundLoop, periodic
from kindred.events.envelope import Envelope, new_id
from kindred.messaging.broker import EventPublisher
from kindred.observability.metrics import outbox_relayed

log = logging.getLogger(__name__)

Document = dict[str, Any]


def outbox_fields(*events: Envelope[Any]) -> Document:
    """The fields to `$set` (or insert) together with the state change that caused `events`."""
    return {
        "outbox": [
            {"topic": e.TOPIC, "key": e.subject, "event": e.model_dump(mode="json")} for e in events
        ],
        "outbox_pending": bool(events),
        "outbox_token": new_id(),
        "outbox_at": datetime.now(UTC),
    }


class Outbox:
    def __init__(
        self,
        publisher: EventPublisher,
        collections: list[AsyncCollection[Document]],
        relay_after_seconds: float,
    ) -> None:
        self._publisher = publisher
        self._collections = collections
        self._relay_after = relay_after_seconds

    def relay(self) -> BackgroundLoop:
        """The loop that sweeps what crashes left behind; a service runs it in the background."""
        return periodic("outbox relay", self._relay_after, self.sweep)

    async def flush_document(self, collection: AsyncCollection[Document], doc: Document) -> int:
        """Publish the document's pending events, if any, then clear them; returns how many."""
        if not doc.get("outbox_pending"):
            return 0
        entries = doc.get("outbox", [])
        for entry in entries:
            await self._publisher.publish_raw(entry["topic"], entry["key"], entry["event"])
        # The token guards against clearing a newer outbox written meanwhile.
        await collection.update_one(
            {"_id": doc["_id"], "outbox_token": doc.get("outbox_token")},
            {"$set": {"outbox_pending": False, "outbox": []}},
        )
        return len(entries)

    async def sweep(self) -> int:
        """Publish outboxes left pending longer than the relay delay (a crash interrupted them)."""
        cutoff = datetime.now(UTC) - timedelta(seconds=self._relay_after)
        total = 0
        for collection in self._collections:
            async for doc in collection.find(
                {"outbox_pending": True, "outbox_at": {"$lt": cutoff}}
            ):
                sent = await self.flush_document(collection, doc)
                outbox_relayed.labels(collection=collection.name).inc(sent)
                total += sent
        return total
