"""The check-ins service's collection: `checkins`. Nothing else touches it."""

from __future__ import annotations

from datetime import datetime

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from kindred.events.checkins import CheckinSubmitted
from kindred.storage.mongo import Document, DuplicateKeyError, Index

INDEXES = [
    Index("checkins", [("member_id", 1), ("recorded_at", -1)]),
    Index("checkins", [("outbox_pending", 1), ("outbox_at", 1)]),
]


class CheckinsRepository:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.checkins: AsyncCollection[Document] = db["checkins"]

    async def record(
        self, event: CheckinSubmitted, recorded_at: datetime, outbox: Document
    ) -> tuple[Document, bool]:
        """Store the check-in with its outbox; (stored document, True if this call stored it)."""
        data = event.data
        doc: Document = {
            "_id": data.checkin_id,
            "member_id": data.member_id,
            "mood": data.mood,
            "note": data.note,
            "recorded_at": recorded_at,
            "event_id": event.id,
            **outbox,
        }
        try:
            await self.checkins.insert_one(doc)
        except DuplicateKeyError:
            existing = await self.checkins.find_one({"_id": data.checkin_id})
            assert existing is not None
            return existing, False
        return doc, True
