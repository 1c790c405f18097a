"""The check-ins service's internal check-ins read answers only a caller with
INTERNAL_API_TOKEN: a member's newest check-ins first (answers and note included), the scores
the trend rules read and the open episode; empty lists for a member it has not seen."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import httpx
import pytest
from fastapi import FastAPI

from kindred.checkins.app import create_app
from kindred.checkins.domain.safety import CheckinRecord, Episode, MemberState
from kindred.checkins.repository import CheckinQueries, checkin_doc, member_doc
from kindred.checkins.routes import checkins_router
from kindred.checkins.settings import CheckinsSettings
from kindred.internal_api import bearer
from kindred.staff_views import MemberCheckins

pytestmark = pytest.mark.unit

TOKEN = "a-shared-internal-token-of-enough-length-0123"
AT = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
IN_EPISODE = MemberState(
    "m1", moods=(6, 3), who5=(60, 40), episode=Episode("e1", AT, 1, ("a1",)), country="GB"
)


def record(n: int, member_id: str = "m1", **answers: Any) -> CheckinRecord:
    return CheckinRecord(
        checkin_id=f"c{n}",
        member_id=member_id,
        answers={"mood": 5, "note": f"note {n}", **answers},
        scores=None,
        rules=(),
        accepted_at=AT + timedelta(minutes=n),
        recorded_at=AT + timedelta(minutes=n, seconds=1),
        event_id=f"ev{n}",
    )


class Cursor:
    def __init__(self, docs: list[dict[str, Any]]) -> None:
        self.docs = docs

    def sort(self, keys: list[tuple[str, int]]) -> Cursor:
        for field, direction in reversed(keys):
            self.docs.sort(key=lambda d, f=field: d[f], reverse=direction < 0)
        return self

    def limit(self, n: int) -> Cursor:
        self.docs = self.docs[:n]
        return self

    async def to_list(self, length: int | None = None) -> list[dict[str, Any]]:
        return self.docs[:length]


class Collection:
    """A collection as the query class uses it: find (sorted, limited) and find_one."""

    def __init__(self, docs: list[dict[str, Any]]) -> None:
        self.docs = docs
        self.asked: list[dict[str, Any]] = []

    def find(self, query: dict[str, Any]) -> Cursor:
        self.asked.append(query)
        return Cursor([d for d in self.docs if all(d.get(k) == v for k, v in query.items())])

    async def find_one(self, query: dict[str, Any]) -> dict[str, Any] | None:
        self.asked.append(query)
        return next((d for d in self.docs if all(d.get(k) == v for k, v in query.items())), None)


@pytest.fixture
async def client() -> AsyncIterator[tuple[httpx.AsyncClient, Collection]]:
    checkins = Collection(
        [
            {**checkin_doc(r), "partition": 0}
            for r in (record(1), record(3), record(2), record(9, member_id="m2"))
        ]
    )
    members = Collection([{**member_doc(IN_EPISODE), "partition": 0}])
    repo = CheckinQueries(cast(Any, {"members": members, "checkins": checkins}))
    app = FastAPI()
    app.include_router(checkins_router(repo, TOKEN))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://checkins") as c:
        yield c, checkins


@pytest.mark.parametrize("authorization", [None, "Bearer another-token-of-enough-length-01234"])
async def test_the_checkins_read_needs_the_internal_token(
    client: tuple[httpx.AsyncClient, Collection], authorization: str | None
) -> None:
    http, checkins = client
    headers = {"Authorization": authorization} if authorization is not None else {}
    response = await http.get("/internal/members/m1/checkins", headers=headers)
    assert response.status_code == 401
    assert checkins.asked == []


async def test_newest_first_with_answers_note_scores_and_the_episode(
    client: tuple[httpx.AsyncClient, Collection],
) -> None:
    http, checkins = client
    response = await http.get("/internal/members/m1/checkins", headers=bearer(TOKEN))
    assert response.status_code == 200, response.text
    body = MemberCheckins.model_validate(response.json())
    assert [c.checkin_id for c in body.checkins] == ["c3", "c2", "c1"]
    assert body.checkins[0].answers == {"mood": 5, "note": "note 3"}
    assert body.checkins[0].recorded_at == AT + timedelta(minutes=3, seconds=1)
    assert body.checkins[0].accepted_at == AT + timedelta(minutes=3)
    assert (body.moods, body.who5) == ([6, 3], [60, 40])
    assert body.episode is not None
    assert (body.episode.episode_id, body.episode.alert_ids) == ("e1", ["a1"])
    assert checkins.asked == [{"member_id": "m1"}]


async def test_one_checkin_is_read_however_many_came_after_it_and_only_as_the_members(
    client: tuple[httpx.AsyncClient, Collection],
) -> None:
    http, _ = client
    response = await http.get("/internal/members/m1/checkins/c1", headers=bearer(TOKEN))
    assert response.status_code == 200, response.text
    assert response.json()["answers"] == {"mood": 5, "note": "note 1"}
    another = await http.get("/internal/members/m1/checkins/c9", headers=bearer(TOKEN))
    assert another.status_code == 404  # m2's check-in is not read as m1's
    unknown = await http.get("/internal/members/m1/checkins/c77", headers=bearer(TOKEN))
    assert unknown.status_code == 404
    refused = await http.get("/internal/members/m1/checkins/c1")
    assert refused.status_code == 401


async def test_the_limit_keeps_the_newest(client: tuple[httpx.AsyncClient, Collection]) -> None:
    http, _ = client
    response = await http.get("/internal/members/m1/checkins?limit=2", headers=bearer(TOKEN))
    assert [c["checkin_id"] for c in response.json()["checkins"]] == ["c3", "c2"]


@pytest.mark.parametrize("limit", [0, 101, -1])
async def test_a_limit_out_of_range_is_refused(
    client: tuple[httpx.AsyncClient, Collection], limit: int
) -> None:
    http, checkins = client
    response = await http.get(f"/internal/members/m1/checkins?limit={limit}", headers=bearer(TOKEN))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "limit"]
    assert checkins.asked == []


async def test_a_member_never_seen_has_empty_lists(
    client: tuple[httpx.AsyncClient, Collection],
) -> None:
    http, _ = client
    response = await http.get("/internal/members/nobody/checkins", headers=bearer(TOKEN))
    assert response.status_code == 200
    assert response.json() == {
        "member_id": "nobody",
        "checkins": [],
        "moods": [],
        "who5": [],
        "episode": None,
    }


async def test_a_member_with_check_ins_and_no_member_state(
    client: tuple[httpx.AsyncClient, Collection],
) -> None:
    http, _ = client
    body = (await http.get("/internal/members/m2/checkins", headers=bearer(TOKEN))).json()
    assert [c["checkin_id"] for c in body["checkins"]] == ["c9"]
    assert (body["moods"], body["episode"]) == ([], None)


async def test_the_service_mounts_the_checkins_read_behind_the_token() -> None:
    app = create_app(CheckinsSettings(kindred_dev_mode=True, internal_api_token=TOKEN))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://checkins") as http:
        assert (await http.get("/internal/members/m1/checkins")).status_code == 401
