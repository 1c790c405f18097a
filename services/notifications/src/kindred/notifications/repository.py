"""The notifications service's collection: `inbox`, insert-only. Nothing else touches it."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from kindred.notifications.domain import InboxEntry
from kindred.storage.mongo import Document, Index

INBOX = "inbox"
INBOX_READS = "inbox_reads"
INDEXES = [Index(INBOX, [("member_id", 1), ("created_at", -1)])]


def inbox_doc(entry: InboxEntry) -> Document:
    return {
        "_id": entry.entry_id,
        "member_id": entry.member_id,
        "kind": entry.kind,
        "title": entry.title,
        "body": entry.body,
        "data": entry.data,
        "source_event_id": entry.source_event_id,
        "created_at": entry.created_at,
        "read": False,
    }


class NotificationsRepository:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.inbox = db[INBOX]
        self.reads = db[INBOX_READS]

    async def inbox_of(self, member_id: str, limit: int) -> list[dict[str, Any]]:
        """The newest entries, each `read` once the member marked it (`inbox_reads`: one
        insert per entry, by the member's partition; entries themselves are never updated)."""
        cursor = self.inbox.find({"member_id": member_id}, sort=[("created_at", -1)], limit=limit)
        entries = [doc async for doc in cursor]
        ids = [doc["_id"] for doc in entries]
        read = {d["_id"] async for d in self.reads.find({"_id": {"$in": ids}})} if ids else set()
        return [{**doc, "read": doc.get("read", False) or doc["_id"] in read} for doc in entries]
