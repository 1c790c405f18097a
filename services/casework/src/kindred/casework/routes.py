"""The internal HTTP API: what staff tools (through the gateway, which checks roles and records
the audit) read of the cases, the queue, the roster and the audit trail.

Every route needs the INTERNAL_API_TOKEN bearer token (401 without it); /health and /metrics,
mounted by the shared runtime, stay open. Reads only: cases change through events.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated, Generic, Literal, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Path, Query

from kindred.casework.domain import views
from kindred.casework.domain.views import Queued
from kindred.casework.repository import CaseQueries
from kindred.casework.settings import CaseworkSettings
from kindred.events.casework import AuditAction
from kindred.internal_api import require_token
from kindred.staff_views import (
    AlertCase,
    AlertList,
    AuditTrail,
    ItemList,
    MemberCases,
    Queue,
    QueueView,
    ReviewItem,
    Roster,
    RosterEntry,
)

_ID = r"^[A-Za-z0-9_.:\-]{1,100}$"
_MEMBER = r"^[A-Za-z0-9_.\-]{1,64}$"
Limit = Annotated[int, Query(ge=1, le=500)]
T = TypeVar("T")
K = TypeVar("K")


class RecentRead(Generic[K, T]):
    """A read shared for `seconds`: reads of one key within that time, and reads while one is
    under way, get its answer; a failed read is not kept."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.clock = clock
        self.held: dict[K, tuple[float, asyncio.Future[T]]] = {}

    async def get(self, key: K, read: Callable[[], Awaitable[T]]) -> T:
        now = self.clock()
        held = self.held.get(key)
        if (
            held is None
            or now - held[0] >= self.seconds
            or (held[1].done() and held[1].exception())
        ):
            held = (now, asyncio.ensure_future(read()))
            self.held[key] = held
        return await asyncio.shield(held[1])


def _found(case: T | None, what: str) -> T:
    if case is None:
        raise HTTPException(404, f"no such {what}")
    return case


def casework_router(
    repo: CaseQueries,
    settings: CaseworkSettings,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> APIRouter:
    router = APIRouter(
        prefix="/internal",
        tags=["internal"],
        dependencies=[Depends(require_token(settings.internal_api_token))],
    )
    hours = settings.queue_acked_alert_hours
    lines: RecentRead[tuple[Queue, ...], list[Queued]] = RecentRead(settings.queue_read_seconds)

    @router.get("/queue")
    async def live_queue(
        queue: Annotated[list[Queue] | None, Query()] = None, limit: Limit = 200
    ) -> QueueView:
        """The alerts still to work and the open items, urgent first, then the oldest."""
        queues = queue or list(Queue)
        now = clock()
        key = tuple(sorted(set(queues)))
        found = await lines.get(key, lambda: repo.queue_lines(key))
        return views.queue(found, queues, now, hours, limit)

    @router.get("/alerts")
    async def alert_list(
        state: Literal["open", "recent"] = "open", limit: Limit = 100
    ) -> AlertList:
        found = await repo.alerts_list(state, limit)
        return AlertList(alerts=[views.alert_case(a) for a in found])

    @router.get("/alerts/{alert_id}")
    async def alert(alert_id: str = Path(pattern=_ID)) -> AlertCase:
        found = await repo.alert(alert_id)
        return views.alert_case(_found(found, "alert"))

    @router.get("/items")
    async def item_list(
        queue: Queue | None = None,
        status: Literal["open", "resolved"] = "open",
        limit: Limit = 100,
    ) -> ItemList:
        found = await repo.items_list(queue, status, limit)
        return ItemList(items=[views.review_item(i) for i in found])

    @router.get("/items/{item_id}")
    async def item(item_id: str = Path(pattern=_ID)) -> ReviewItem:
        found = await repo.item(item_id)
        return views.review_item(_found(found, "item"))

    @router.get("/members/{member_id}/cases")
    async def member_cases(
        member_id: str = Path(pattern=_MEMBER), limit: Limit = 50
    ) -> MemberCases:
        alerts, items = await repo.member_cases(member_id, limit)
        return MemberCases(
            alerts=[views.alert_case(a) for a in alerts],
            items=[views.review_item(i) for i in items],
        )

    @router.get("/supporters")
    async def supporters(limit: Limit = 200) -> Roster:
        found = await repo.supporters_list(limit)
        return Roster(supporters=[views.roster_entry(s) for s in found])

    @router.get("/supporters/{member_id}")
    async def supporter(member_id: str = Path(pattern=_MEMBER)) -> RosterEntry:
        found = await repo.supporter(member_id)
        return views.roster_entry(_found(found, "supporter"))

    @router.get("/audit")
    async def audit(
        member_id: Annotated[str | None, Query(pattern=_MEMBER)] = None,
        staff_id: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_.:\-]{1,64}$")] = None,
        action: AuditAction | None = None,
        limit: Limit = 100,
    ) -> AuditTrail:
        """Newest first."""
        entries = await repo.audit_trail(
            member_id, staff_id, None if action is None else str(action), limit
        )
        return AuditTrail(entries=entries)

    return router
