"""The notifications service's collection: `inbox`, insert-only. Nothing else touches it."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from kindred.notifications.domain import InboxEntry
from kindred.storage.mongo import Document, Index

INBOX = "inbox"
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

    async def inbox_of(self, member_id: str, limit: int) -> list[dict[str, Any]]:
        cursor = self.inbox.find({"member_id": member_id}, sort=[("created_at", -1)], limit=limit)
        return [doc async for doc in cursor]
