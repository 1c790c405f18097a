"""The internal HTTP API: the gateway reads a member's inbox, an alert, and the page a short
code belongs to here, never from the database.

Every route needs the INTERNAL_API_TOKEN bearer token (401 without it); /health and /metrics,
mounted by the shared runtime, stay open.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, status
from pydantic import BaseModel

from kindred.internal_api import Inbox, InboxItem, require_token
from kindred.notifications.repository import AlertQueries, InboxQueries
from kindred.safety.pagelinks import normalize_code


class AlertState(BaseModel):
    alert_id: str
    member_id: str
    severity: str
    raised_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    level: int


class PageOfCode(BaseModel):
    alert_id: str
    member_id: str
    staff_id: str
    page_id: str


def inbox_router(repo: InboxQueries, token: str, alerts: AlertQueries | None = None) -> APIRouter:
    router = APIRouter(
        prefix="/internal", tags=["internal"], dependencies=[Depends(require_token(token))]
    )

    @router.get("/members/{member_id}/inbox")
    async def inbox(
        member_id: str,
        limit: int = Query(default=50, ge=1, le=500),
        # Staff pages and reviews too: the gateway asks only for a staff role.
        include_pages: bool = False,
    ) -> Inbox:
        docs = await repo.inbox_of(member_id, limit, include_pages)
        return Inbox(
            member_id=member_id,
            items=[
                InboxItem(id=d["_id"], **{k: d[k] for k in InboxItem.model_fields if k != "id"})
                for d in docs
            ],
        )

    if alerts is not None:
        _alert_routes(router, alerts)
    return router


def _alert_routes(router: APIRouter, alerts: AlertQueries) -> None:
    def found(doc: dict[str, Any] | None, what: str) -> dict[str, Any]:
        if doc is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"unknown {what}")
        return doc

    @router.get("/alerts/{alert_id}")
    async def alert(alert_id: str) -> AlertState:
        return AlertState(**found(await alerts.alert(alert_id), "alert"))

    @router.get("/pages/by-code/{code}")
    async def page_by_code(code: str) -> PageOfCode:
        normal = normalize_code(code)
        if not normal or len(normal) > 16:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail="unknown code")
        return PageOfCode(**found(await alerts.page_by_code(normal), "code"))
