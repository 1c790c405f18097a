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
from kindred.notifications.repository import InboxQueries
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

    async def inbox_of(
        self, member_id: str, limit: int, include_pages: bool = False
    ) -> list[dict[str, Any]]:
        self.reads.append((member_id, limit))
        return [ENTRY]


@pytest.fixture
async def client() -> AsyncIterator[tuple[httpx.AsyncClient, Repository]]:
    repo = Repository()
    app = FastAPI()
    app.include_router(inbox_router(cast(InboxQueries, repo), TOKEN))
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
