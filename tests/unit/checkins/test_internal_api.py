"""The check-ins service's internal safety API answers only a caller with INTERNAL_API_TOKEN:
a member's country and open episode (with its alert ids), nulls for a member it has not seen."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any, cast

import httpx
import pytest
from fastapi import FastAPI

from kindred.checkins.app import create_app
from kindred.checkins.domain.safety import Episode, MemberState
from kindred.checkins.repository import SafetyQueries, member_doc
from kindred.checkins.routes import safety_router
from kindred.checkins.settings import CheckinsSettings
from kindred.internal_api import bearer
from kindred.settings import SettingsError

pytestmark = pytest.mark.unit

TOKEN = "a-shared-internal-token-of-enough-length-0123"
WRONG = "another-internal-token-of-enough-length-0123"
OPENED = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
IN_EPISODE = MemberState(
    "m1", moods=(4,), episode=Episode("e1", OPENED, 2, ("a1", "a2")), country="GB"
)


class Collection:
    """The `members` collection as the query class uses it (find_one by _id)."""

    def __init__(self, *states: MemberState) -> None:
        self.docs = {s.member_id: {**member_doc(s), "partition": 0} for s in states}
        self.asked: list[dict[str, Any]] = []

    async def find_one(self, query: dict[str, Any]) -> dict[str, Any] | None:
        self.asked.append(query)
        return self.docs.get(query["_id"])


@pytest.fixture
async def client() -> AsyncIterator[tuple[httpx.AsyncClient, Collection]]:
    members = Collection(IN_EPISODE, MemberState("m2", moods=(6,), country="NZ"))
    repo = SafetyQueries(cast(Any, {"members": members}))
    app = FastAPI()
    app.include_router(safety_router(repo, TOKEN))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://checkins") as c:
        yield c, members


@pytest.mark.parametrize(
    "authorization", [None, f"Bearer {WRONG}", f"Basic {TOKEN}", TOKEN, "Bearer "]
)
async def test_the_safety_read_needs_the_internal_token(
    client: tuple[httpx.AsyncClient, Collection], authorization: str | None
) -> None:
    http, members = client
    headers = {"Authorization": authorization} if authorization is not None else {}
    response = await http.get("/internal/members/m1/safety", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert members.asked == []


async def test_a_member_in_an_episode(client: tuple[httpx.AsyncClient, Collection]) -> None:
    http, members = client
    response = await http.get("/internal/members/m1/safety", headers=bearer(TOKEN))
    assert response.status_code == 200, response.text
    assert response.json() == {
        "member_id": "m1",
        "country": "GB",
        "episode": {
            "episode_id": "e1",
            "opened_at": "2026-12-03T12:00:00Z",
            "alert_ids": ["a1", "a2"],
        },
    }
    assert members.asked == [{"_id": "m1"}]


async def test_a_member_without_an_episode_and_one_never_seen(
    client: tuple[httpx.AsyncClient, Collection],
) -> None:
    http, _ = client
    seen = await http.get("/internal/members/m2/safety", headers=bearer(TOKEN))
    assert seen.json() == {"member_id": "m2", "country": "NZ", "episode": None}
    unknown = await http.get("/internal/members/nobody/safety", headers=bearer(TOKEN))
    assert unknown.status_code == 200
    assert unknown.json() == {"member_id": "nobody", "country": None, "episode": None}


async def test_a_member_id_that_cannot_be_one_is_refused_naming_it(
    client: tuple[httpx.AsyncClient, Collection],
) -> None:
    http, members = client
    response = await http.get("/internal/members/a%20b/safety", headers=bearer(TOKEN))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "member_id"]
    assert members.asked == []


async def test_the_service_guards_the_safety_read_and_leaves_operations_open() -> None:
    app = create_app(CheckinsSettings(kindred_dev_mode=True, internal_api_token=TOKEN))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://checkins") as http:
        assert (await http.get("/internal/members/m1/safety")).status_code == 401
        assert (await http.get("/health/live")).status_code == 200


def test_outside_dev_mode_the_service_needs_its_own_internal_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("INTERNAL_API_TOKEN", raising=False)
    monkeypatch.delenv("KINDRED_DEV_MODE", raising=False)
    with pytest.raises(SettingsError, match="INTERNAL_API_TOKEN"):
        CheckinsSettings.load()
