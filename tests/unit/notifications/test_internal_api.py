"""The internal inbox API answers only a caller with INTERNAL_API_TOKEN; /health and /metrics
stay open."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any, cast

import httpx
import pytest
from fastapi import FastAPI

from kindred.internal_api import token_matches
from kindred.notifications.app import create_app
from kindred.notifications.repository import AlertQueries, InboxQueries
from kindred.notifications.routes import inbox_router
from kindred.notifications.settings import NotificationsSettings

TOKEN = "a-shared-internal-token-of-enough-length-0123"
WRONG = "another-internal-token-of-enough-length-0123"
ENTRY = {
    "_id": "e1:m1",
    "member_id": "m1",
    "kind": "match.proposed",
    "title": "t",
    "body": "b",
    "data": {},
    "created_at": datetime(2025, 1, 1, tzinfo=UTC),
    "read": False,
}


class Repository:
    def __init__(self) -> None:
        self.reads: list[tuple[str, int]] = []
        self.pages: list[bool] = []

    async def inbox_of(
        self, member_id: str, limit: int, include_pages: bool = False
    ) -> list[dict[str, Any]]:
        self.reads.append((member_id, limit))
        self.pages.append(include_pages)
        return [ENTRY]


ALERT = {
    "alert_id": "a1",
    "member_id": "m1",
    "severity": "urgent",
    "raised_at": datetime(2025, 1, 1, tzinfo=UTC),
    "acknowledged_at": None,
    "acknowledged_by": None,
    "level": 1,
}
PAGE = {"alert_id": "a1", "member_id": "m1", "staff_id": "on-call-1", "page_id": "p1"}


class Alerts:
    def __init__(self) -> None:
        self.codes: list[str] = []

    async def alert(self, alert_id: str) -> dict[str, Any] | None:
        return ALERT if alert_id == "a1" else None

    async def page_by_code(self, code: str) -> dict[str, Any] | None:
        self.codes.append(code)
        return PAGE if code == "3RQE28F8" else None


ALERTS = Alerts()


@pytest.fixture
async def client() -> AsyncIterator[tuple[httpx.AsyncClient, Repository]]:
    repo = Repository()
    app = FastAPI()
    app.include_router(inbox_router(cast(InboxQueries, repo), TOKEN, cast(AlertQueries, ALERTS)))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://notifications") as c:
        yield c, repo


@pytest.mark.parametrize(
    "authorization",
    [None, f"Bearer {WRONG}", f"Basic {TOKEN}", TOKEN, f"Bearer {TOKEN[:-1]}", "Bearer "],
)
async def test_the_inbox_needs_the_internal_token(
    client: tuple[httpx.AsyncClient, Repository], authorization: str | None
) -> None:
    http, repo = client
    headers = {"Authorization": authorization} if authorization is not None else {}
    response = await http.get("/internal/members/m1/inbox", headers=headers)
    assert response.status_code == 401
    assert response.json() == {
        "detail": "the internal API needs the INTERNAL_API_TOKEN bearer token"
    }
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert repo.reads == []


async def test_with_the_token_the_inbox_is_read(
    client: tuple[httpx.AsyncClient, Repository],
) -> None:
    http, repo = client
    response = await http.get(
        "/internal/members/m1/inbox?limit=3", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["items"][0]["id"] == "e1:m1"
    assert repo.reads == [("m1", 3)]
    assert repo.pages == [False]  # staff pages only when asked for (a staff role's read)
    await http.get(
        "/internal/members/s1/inbox?include_pages=true",
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert repo.pages == [False, True]


@pytest.mark.parametrize("path", ["/internal/alerts/a1", "/internal/pages/by-code/3RQE28F8"])
async def test_the_alert_reads_need_the_internal_token(
    client: tuple[httpx.AsyncClient, Repository], path: str
) -> None:
    http, _ = client
    assert (await http.get(path)).status_code == 401


async def test_an_alert_is_read_and_an_unknown_one_is_404(
    client: tuple[httpx.AsyncClient, Repository],
) -> None:
    http, _ = client
    auth = {"Authorization": f"Bearer {TOKEN}"}
    response = await http.get("/internal/alerts/a1", headers=auth)
    assert response.status_code == 200
    assert response.json() == {**ALERT, "raised_at": "2025-01-01T00:00:00Z"}
    assert (await http.get("/internal/alerts/a2", headers=auth)).status_code == 404


async def test_a_typed_code_is_normalised_before_its_page_is_found(
    client: tuple[httpx.AsyncClient, Repository],
) -> None:
    http, _ = client
    auth = {"Authorization": f"Bearer {TOKEN}"}
    response = await http.get("/internal/pages/by-code/3rqe-28f8", headers=auth)
    assert response.status_code == 200 and response.json() == PAGE
    assert (await http.get("/internal/pages/by-code/ABCD2345", headers=auth)).status_code == 404


async def test_the_service_guards_the_inbox_and_leaves_operations_open() -> None:
    settings = NotificationsSettings(kindred_dev_mode=True, internal_api_token=TOKEN)
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://notifications") as http:
        assert (await http.get("/internal/members/m1/inbox")).status_code == 401
        assert (await http.get("/health/live")).status_code == 200
        assert (await http.get("/metrics")).status_code == 200


def test_token_matches_in_constant_time_only_a_bearer_token() -> None:
    assert token_matches(f"Bearer {TOKEN}", TOKEN)
    assert token_matches(f"bearer {TOKEN}", TOKEN)
    assert not token_matches(f"Bearer {TOKEN} ", TOKEN + "x")
    assert not token_matches(None, TOKEN)
    assert not token_matches("Bearer ünïcode", TOKEN)
