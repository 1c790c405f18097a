"""The internal HTTP API: the gateway reads a member's inbox here, never from the database.

Every route needs the INTERNAL_API_TOKEN bearer token (401 without it); /health and /metrics,
mounted by the shared runtime, stay open.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from kindred.internal_api import Inbox, InboxItem, require_token
from kindred.notifications.repository import InboxQueries


def inbox_router(repo: InboxQueries, token: str) -> APIRouter:
    router = APIRouter(
        prefix="/internal", tags=["internal"], dependencies=[Depends(require_token(token))]
    )

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
