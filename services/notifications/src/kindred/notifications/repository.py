"""The notifications service's collection: `inbox`. Nothing else touches it."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from kindred.notifications.domain import InboxEntry
from kindred.storage.mongo import Document, Index, only_duplicate_keys

INDEXES = [Index("inbox", [("member_id", 1), ("created_at", -1)])]


class NotificationsRepository:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.inbox: AsyncCollection[Document] = db["inbox"]

    async def add_entries(self, entries: list[InboxEntry]) -> int:
        """Insert entries; ones already there (a redelivery) stay as they are. Returns new ones."""
        if not entries:
            return 0
        docs = [
            {
                "_id": e.entry_id,
                "member_id": e.member_id,
                "kind": e.kind,
                "title": e.title,
                "body": e.body,
                "data": e.data,
                "source_event_id": e.source_event_id,
                "created_at": e.created_at,
                "read": False,
            }
            for e in entries
        ]
        try:
            result = await self.inbox.insert_many(docs, ordered=False)
        except BulkWriteError as exc:
            if not only_duplicate_keys(exc):
                raise
            return int(exc.details.get("nInserted", 0))
        return len(result.inserted_ids)

    async def inbox_of(self, member_id: str, limit: int) -> list[dict[str, Any]]:
        cursor = self.inbox.find({"member_id": member_id}, sort=[("created_at", -1)], limit=limit)
        return [doc async for doc in cursor]
