"""The gateway's HTTP contract, on FastStream's in-memory broker (the real one: tests/e2e)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from faststream.kafka import TestKafkaBroker

from kindred.gateway.app import create_app
from kindred.gateway.auth import issue_token
from kindred.gateway.settings import GatewaySettings
from tests.support.factories import profile_body, support_body

SETTINGS = GatewaySettings(kindred_namespace="unit")


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(SETTINGS)
    broker = app.state.service.broker
    async with TestKafkaBroker(broker):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as c:
            c.app = app  # type: ignore[attr-defined]
            yield c


def auth(member_id: str, **kw: object) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(SETTINGS, member_id, **kw)}"}  # type: ignore[arg-type]


async def test_a_valid_support_request_is_published_and_answered_202(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/v1/members/m1/support-requests", json=support_body(), headers=auth("m1")
    )
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["event_id"] and body["resource_id"]


async def test_a_profile_is_accepted(client: httpx.AsyncClient) -> None:
    response = await client.put("/v1/members/m1/profile", json=profile_body(), headers=auth("m1"))
    assert response.status_code == 202, response.text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (support_body(topics=["not-a-topic"]), "topics[0]"),
        (support_body(language="english"), "language"),
        ({"topics": ["grief"]}, "language"),
        (support_body(urgency="whenever"), "urgency"),
    ],
)
async def test_bad_input_is_422_json_naming_the_field(
    client: httpx.AsyncClient, body: dict[str, object], field: str
) -> None:
    response = await client.post("/v1/members/m1/support-requests", json=body, headers=auth("m1"))
    assert response.status_code == 422
    payload = response.json()
    assert payload["error"] == "invalid_request"
    assert field in [f["field"] for f in payload["fields"]], payload


async def test_a_bad_checkin_names_mood(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/members/m1/checkins", json={"mood": 11}, headers=auth("m1"))
    assert response.status_code == 422
    assert response.json()["fields"][0]["field"] == "mood"


@pytest.mark.parametrize("mood", [True, False, "5", 5.0, 5.5, None])
async def test_a_score_is_an_integer_and_nothing_else(
    client: httpx.AsyncClient, mood: object
) -> None:
    response = await client.post("/v1/members/m1/checkins", json={"mood": mood}, headers=auth("m1"))
    assert response.status_code == 422, response.text
    assert [f["field"] for f in response.json()["fields"]] == ["mood"]


@pytest.mark.parametrize("capacity", [True, "3", 3.0])
async def test_a_capacity_is_an_integer_and_nothing_else(
    client: httpx.AsyncClient, capacity: object
) -> None:
    body = profile_body(capacity=capacity)
    response = await client.put("/v1/members/m1/profile", json=body, headers=auth("m1"))
    assert response.status_code == 422, response.text
    assert "capacity" in [f["field"] for f in response.json()["fields"]]


async def test_malformed_json_is_422(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/members/m1/checkins",
        content=b"{not json",
        headers={**auth("m1"), "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request"


async def test_no_token_is_401(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/members/m1/checkins", json={"mood": 5})
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"


async def test_an_expired_or_forged_token_is_401(client: httpx.AsyncClient) -> None:
    expired = auth("m1", ttl=timedelta(seconds=-10))
    forged_settings = GatewaySettings(jwt_secret="another-key-that-is-long-enough-to-pass!!")
    forged = {"Authorization": f"Bearer {issue_token(forged_settings, 'm1')}"}
    for headers in (expired, forged):
        response = await client.post("/v1/members/m1/checkins", json={"mood": 5}, headers=headers)
        assert response.status_code == 401, response.text


async def test_a_member_cannot_act_for_another(client: httpx.AsyncClient) -> None:
    for method, path, body in [
        ("POST", "/v1/members/m2/checkins", {"mood": 5}),
        ("POST", "/v1/members/m2/support-requests", support_body()),
        ("PUT", "/v1/members/m2/profile", profile_body()),
        ("GET", "/v1/members/m2/inbox", None),
    ]:
        response = await client.request(method, path, json=body, headers=auth("m1"))
        assert response.status_code == 403, (path, response.text)
        assert response.json()["error"] == "forbidden"


async def test_health_needs_no_token(client: httpx.AsyncClient) -> None:
    assert (await client.get("/health/live")).status_code == 200
    assert (await client.get("/metrics")).status_code == 200


async def test_kafka_unavailable_is_503_and_nothing_is_claimed(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    broker = client.app.state.service.broker  # type: ignore[attr-defined]

    async def refuse(*args: object, **kwargs: object) -> None:
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(broker, "publish", refuse)
    response = await client.post("/v1/members/m1/checkins", json={"mood": 5}, headers=auth("m1"))
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    body = response.json()
    assert body["error"] == "unavailable"
    assert "may not have been recorded" in body["detail"]
    assert "broker unreachable" not in body["detail"]  # no internal exception text
    assert "event_id" not in body
