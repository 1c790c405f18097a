"""The gateway's clients of the other services' internal APIs (behind INTERNAL_API_TOKEN).

Notifications: a member's inbox, an alert (who it belongs to, whether it is acknowledged) and
the page a short code belongs to. Check-ins: a member's profile country and check-ins (staff).
Casework: the staff's queue, alerts, review items, roster and audit trail. Each read answers a
value, `None` for "no such thing" (404), or raises `Unreachable`; what a route does with a
failure (503, or a fallback) is the route's decision.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ConfigDict, ValidationError

from kindred.internal_api import Inbox
from kindred.staff_views import (
    AlertCase,
    AlertList,
    AuditTrail,
    CheckinView,
    ItemList,
    MemberCases,
    MemberCheckins,
    Queue,
    QueueView,
    ReviewItem,
    Roster,
    RosterEntry,
)

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)
_READ = ConfigDict(frozen=True, extra="ignore")


class Unreachable(Exception):
    """The other service could not answer (down, slow, refused the token, answered nonsense)."""


class AlertView(BaseModel):
    """`GET /internal/alerts/{alert_id}` on notifications."""

    model_config = _READ

    alert_id: str
    member_id: str
    severity: str
    raised_at: datetime
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    level: int | None = None


class PageView(BaseModel):
    """`GET /internal/pages/by-code/{code}` on notifications: the page a short code names."""

    model_config = _READ

    alert_id: str
    member_id: str
    staff_id: str
    page_id: str


class MemberSafety(BaseModel):
    """`GET /internal/members/{member_id}/safety` on check-ins (the episode is not read here)."""

    model_config = _READ

    member_id: str
    country: str | None = None


def _segment(value: str) -> str:
    """A value as one path segment: `..` stays a member id, never a step up the path."""
    return quote(value, safe="").replace(".", "%2E")


async def _get(
    http: httpx.AsyncClient,
    what: str,
    path: str,
    model: type[M],
    params: httpx.QueryParams | dict[str, str | int] | None = None,
    read_seconds: float | None = None,
) -> M | None:
    try:
        if read_seconds is None:
            response = await http.get(path, params=params)
        else:
            response = await http.get(path, params=params, timeout=read_seconds)
        if response.status_code == 404:
            return None
        response.raise_for_status()
        return model.model_validate_json(response.content)
    except (httpx.HTTPError, ValidationError) as exc:
        if isinstance(exc, httpx.HTTPStatusError) and exc.response.status_code == 401:
            log.error(
                "%s: the internal API refused the token: INTERNAL_API_TOKEN must be the same "
                "in every service",
                what,
            )
        else:
            # The exception's type only: its text holds URLs and bodies.
            log.warning("%s failed: %s", what, type(exc).__name__)
        raise Unreachable(what) from exc


class Notifications:
    """Notifications' internal API."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def inbox(self, member_id: str, limit: int, include_pages: bool) -> Inbox:
        path = f"/internal/members/{_segment(member_id)}/inbox"
        params: dict[str, str | int] = {
            "limit": limit,
            "include_pages": "true" if include_pages else "false",
        }
        inbox = await _get(self.http, "inbox read", path, Inbox, params)
        if inbox is None:  # notifications answers an empty inbox for an unknown member
            raise Unreachable("inbox read")
        return inbox

    async def alert(self, alert_id: str) -> AlertView | None:
        path = f"/internal/alerts/{_segment(alert_id)}"
        return await _get(self.http, "alert lookup", path, AlertView)

    async def page_by_code(self, code: str) -> PageView | None:
        path = f"/internal/pages/by-code/{_segment(code)}"
        return await _get(self.http, "page lookup", path, PageView)


class Checkins:
    """Check-ins' internal API, read within a short deadline."""

    def __init__(
        self, http: httpx.AsyncClient, deadline_seconds: float, read_seconds: float = 3.0
    ) -> None:
        self.http = http
        self.deadline = deadline_seconds
        # A staff read waits longer than a crisis answer's country lookup may.
        self.read_seconds = read_seconds

    async def member_checkins(self, member_id: str, limit: int = 20) -> MemberCheckins:
        """The member's recent check-ins, answers and notes included (staff only)."""
        path = f"/internal/members/{_segment(member_id)}/checkins"
        found = await _get(
            self.http, "check-ins read", path, MemberCheckins, {"limit": limit}, self.read_seconds
        )
        # An unknown member is answered as one with no check-ins.
        return found or MemberCheckins(member_id=member_id, checkins=[])

    async def member_checkin(self, member_id: str, checkin_id: str) -> CheckinView | None:
        """One check-in of the member (answers and note included); None: not theirs, or not
        stored yet."""
        path = f"/internal/members/{_segment(member_id)}/checkins/{_segment(checkin_id)}"
        return await _get(self.http, "check-in read", path, CheckinView, None, self.read_seconds)

    async def member_country(self, member_id: str) -> str | None:
        """The country in the member's profile; None when unknown, unset, or not answered
        within the deadline (whatever fails, the caller falls back to international
        resources)."""
        path = f"/internal/members/{_segment(member_id)}/safety"
        try:
            async with asyncio.timeout(self.deadline):
                found = await _get(self.http, "member country lookup", path, MemberSafety)
        except (Unreachable, TimeoutError):
            return None
        return None if found is None else found.country


def _required(found: M | None, what: str) -> M:
    """A list or view casework always has: a 404 for it is a wrong URL, not "nothing"."""
    if found is None:
        raise Unreachable(what)
    return found


class Casework:
    """Casework's internal API: what staff work on. Reads may trail the last events by a batch."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def queue(self, queues: frozenset[Queue], limit: int = 200) -> QueueView:
        params = httpx.QueryParams(
            [("queue", q.value) for q in sorted(queues)] + [("limit", limit)]
        )
        return _required(
            await _get(self.http, "queue read", "/internal/queue", QueueView, params), "queue read"
        )

    async def alerts(self, state: str, limit: int = 200) -> AlertList:
        params: dict[str, str | int] = {"state": state, "limit": limit}
        found = await _get(self.http, "alerts read", "/internal/alerts", AlertList, params)
        return _required(found, "alerts read")

    async def alert(self, alert_id: str) -> AlertCase | None:
        path = f"/internal/alerts/{_segment(alert_id)}"
        return await _get(self.http, "alert read", path, AlertCase)

    async def items(self, queue: Queue, status: str, limit: int = 200) -> ItemList:
        params: dict[str, str | int] = {"queue": queue.value, "status": status, "limit": limit}
        found = await _get(self.http, "items read", "/internal/items", ItemList, params)
        return _required(found, "items read")

    async def item(self, item_id: str) -> ReviewItem | None:
        path = f"/internal/items/{_segment(item_id)}"
        return await _get(self.http, "item read", path, ReviewItem)

    async def member_cases(self, member_id: str) -> MemberCases:
        path = f"/internal/members/{_segment(member_id)}/cases"
        found = await _get(self.http, "member cases read", path, MemberCases)
        # A member casework never heard of has no cases.
        return found or MemberCases(alerts=[], items=[])

    async def roster(self, limit: int = 500) -> Roster:
        found = await _get(
            self.http, "roster read", "/internal/supporters", Roster, {"limit": limit}
        )
        return _required(found, "roster read")

    async def supporter(self, member_id: str) -> RosterEntry | None:
        path = f"/internal/supporters/{_segment(member_id)}"
        return await _get(self.http, "supporter read", path, RosterEntry)

    async def audit(self, member_id: str | None, staff_id: str | None, limit: int) -> AuditTrail:
        params: dict[str, str | int] = {"limit": limit}
        if member_id is not None:
            params["member_id"] = member_id
        if staff_id is not None:
            params["staff_id"] = staff_id
        found = await _get(self.http, "audit read", "/internal/audit", AuditTrail, params)
        return _required(found, "audit read")
