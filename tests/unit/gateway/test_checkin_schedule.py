"""`PUT /v1/members/{id}/checkin-schedule` on FastStream's in-memory broker: an accepted
schedule is published as `checkin.schedule-set`, keyed by the member; a bad body is 422
naming the field; a member sets only their own."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from faststream.kafka import TestKafkaBroker
from faststream.kafka.annotations import KafkaMessage

from kindred.gateway.app import create_app
from kindred.gateway.auth import issue_token
from kindred.gateway.settings import GatewaySettings

SETTINGS = GatewaySettings(kindred_namespace="unit", kindred_dev_mode=True)
TOPIC = "unit.checkin.schedule-set"
PATH = "/v1/members/m1/checkin-schedule"
BODY = {"time_zone": "Europe/Paris", "local_time": "09:30"}


class Gateway:
    def __init__(self, client: httpx.AsyncClient, published: list[tuple[bytes, Any]]) -> None:
        self.client = client
        self.published = published

    async def put(self, body: Any, member_id: str = "m1", path: str = PATH) -> httpx.Response:
        token = issue_token(SETTINGS, member_id)
        return await self.client.put(path, json=body, headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
async def gateway() -> AsyncIterator[Gateway]:
    app = create_app(SETTINGS, notifications_transport=httpx.MockTransport(httpx.Response))
    broker = app.state.service.broker
    published: list[tuple[bytes, Any]] = []

    @broker.subscriber(TOPIC)
    async def record(body: bytes, message: KafkaMessage) -> None:
        published.append((message.raw_message.key, json.loads(body)))

    async with TestKafkaBroker(broker):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
            yield Gateway(client, published)


async def test_a_schedule_is_published_keyed_by_the_member_with_the_defaults(
    gateway: Gateway,
) -> None:
    response = await gateway.put(BODY)
    assert response.status_code == 202, response.text
    accepted = response.json()
    assert accepted["resource_id"] == "m1"
    [(key, event)] = gateway.published
    assert key == b"m1"
    assert event["id"] == accepted["event_id"]
    assert event["type"] == "kindred.checkin.schedule-set.v1"
    assert event["subject"] == "m1"
    assert event["data"] == {
        "member_id": "m1",
        "time_zone": "Europe/Paris",
        "local_time": "09:30",
        "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
        "enabled": True,
    }


async def test_days_and_disabling_are_carried_as_sent(gateway: Gateway) -> None:
    response = await gateway.put({**BODY, "days": ["fri", "mon"], "enabled": False})
    assert response.status_code == 202, response.text
    [(_, event)] = gateway.published
    assert event["data"]["days"] == ["fri", "mon"]
    assert event["data"]["enabled"] is False


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**BODY, "local_time": "9:30"}, "local_time"),
        ({**BODY, "local_time": "24:00"}, "local_time"),
        ({**BODY, "local_time": "09:30:00"}, "local_time"),
        ({**BODY, "local_time": 930}, "local_time"),
        ({**BODY, "days": []}, "days"),
        ({**BODY, "days": ["mon", "mon"]}, "days"),
        ({**BODY, "days": ["monday"]}, "days[0]"),
        ({**BODY, "enabled": "false"}, "enabled"),
        ({**BODY, "enabled": 0}, "enabled"),
        ({**BODY, "time_zone": "Mars/Olympus"}, "time_zone"),
        ({"local_time": "09:30"}, "time_zone"),
        ({**BODY, "every": "hour"}, "every"),
    ],
)
async def test_a_bad_schedule_is_422_naming_the_field(
    gateway: Gateway, body: dict[str, Any], field: str
) -> None:
    response = await gateway.put(body)
    assert response.status_code == 422, response.text
    assert [f["field"] for f in response.json()["fields"]] == [field]
    assert "Mars" not in response.text
    assert gateway.published == []


async def test_a_member_sets_only_their_own_schedule(gateway: Gateway) -> None:
    response = await gateway.put(BODY, member_id="m2")
    assert response.status_code == 403
    unauthenticated = await gateway.client.put(PATH, json=BODY)
    assert unauthenticated.status_code == 401
    assert gateway.published == []
