"""The internal HTTP API: the gateway reads a member's inbox here, never from the database."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from kindred.notifications.repository import NotificationsRepository


class InboxItem(BaseModel):
    id: str
    kind: str
    title: str
    body: str
    data: dict[str, Any]
    created_at: datetime
    read: bool


class Inbox(BaseModel):
    member_id: str
    items: list[InboxItem]


def inbox_router(repo: NotificationsRepository) -> APIRouter:
    router = APIRouter(prefix="/internal", tags=["internal"])

    @router.get("/members/{member_id}/inbox")
    async def inbox(member_id: str, limit: int = Query(default=50, ge=1, le=500)) -> Inbox:
        docs = await repo.inbox_of(member_id, limit)
        return Inbox(
            member_id=member_id,
            items=[
                InboxItem(id=d["_id"], **{k: d[k] for k in InboxItem.model_fields if k != "id"})
                for d in docs
            ],
        )

    return router
