"""The safety loop end to end, as a member and a paged person live it, through the gateway: a
crisis check-in is answered 202 with crisis resources; its alert pages the first on-call
person's webhook with a one-time link and a short code; opening the link only shows a
confirmation; posting it acknowledges the alert, and the chain stops there (the next level is
never paged), while an alert nobody acknowledged moves up the chain on time."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kindred.devtools.processes import Platform, free_port
from kindred.events.envelope import deterministic_id
from kindred.gateway.auth import issue_token
from kindred.gateway.settings import GatewaySettings
from tests.e2e.conftest import paging_env
from tests.support.infra import Infra
from tests.support.kafka import TopicReader
from tests.support.receivers import Receiver
from tests.support.waiting import eventually

DEADLINE = 5  # seconds each level has to acknowledge (the settings' least)


@pytest.fixture
def platform(
    infra: Infra,
    namespace: str,
    tmp_path: Path,
    first: tuple[Receiver, int],
    second: tuple[Receiver, int],
) -> Iterator[Platform]:
    gateway_port = free_port()
    with Platform(
        infra.kafka,
        infra.mongodb_url,
        namespace,
        tmp_path / "logs",
        ports={"gateway": gateway_port},
        replicas={"matching": 0},
        extra_env=paging_env(first, second, DEADLINE, gateway_port),
    ) as running:
        yield running


def pages(receiver: Receiver, alert_id: str) -> list[dict[str, Any]]:
    return [body for body in receiver.bodies() if alert_id in json.dumps(body)]


async def test_a_crisis_check_in_pages_and_the_page_link_acknowledges_and_stops_the_chain(
    infra: Infra,
    namespace: str,
    platform: Platform,
    first: tuple[Receiver, int],
    second: tuple[Receiver, int],
) -> None:
    on_call, next_level = first[0], second[0]
    gateway = platform.gateway_url
    crisis = {"note": "i have the pills ready and im going to take them all tonight"}
    alert_ids: dict[str, str] = {}
    async with (
        httpx.AsyncClient(base_url=gateway, timeout=10) as http,
        TopicReader(infra.kafka, f"{namespace}.safety.alert-acknowledged") as acknowledged,
    ):
        for member in ("ana", "ben"):  # ben's alert is acknowledged by nobody
            token = issue_token(GatewaySettings(), member)
            response = await http.post(
                f"/v1/members/{member}/checkins",
                json=crisis,
                headers={"Authorization": f"Bearer {token}"},
            )
            assert response.status_code == 202, response.text
            safety = response.json()["safety"]
            assert safety["severity"] == "urgent"
            assert safety["resources"]["services"], safety  # crisis services, at once
            alert_ids[member] = deterministic_id("safety.alert", response.json()["resource_id"])

        async def paged(alert_id: str) -> list[dict[str, Any]]:
            return pages(on_call, alert_id)

        [page] = await eventually(
            lambda: paged(alert_ids["ana"]), bool, timeout=60, what="ana's alert paged"
        )
        await eventually(lambda: paged(alert_ids["ben"]), bool, timeout=60, what="ben's page")
        assert page["ack_url"].startswith(f"{gateway}/v1/pages/")
        assert len(page["ack_code"]) == 8
        assert "staff console" not in page["text"]

        # Opening the link (a mail scanner, a preview) acknowledges nothing.
        shown = await http.get(page["ack_url"])
        assert shown.status_code == 200
        assert "<form" in shown.text and 'method="post"' in shown.text.lower()
        assert shown.headers["cache-control"] == "no-store"
        assert await acknowledged.poll() == []

        confirmed = await http.post(page["ack_url"])
        assert confirmed.status_code == 202, confirmed.text
        await eventually(acknowledged.poll, bool, timeout=30, what="ana's alert acknowledged")
        [ack] = [json.loads(r.value or b"")["data"] for r in acknowledged.records]
        assert (ack["alert_id"], ack["member_id"], ack["staff_id"]) == (
            alert_ids["ana"],
            "ana",
            "on-call-1",
        )

        # Ben's deadline passes unacknowledged: his page reaches the next level. Ana's, which
        # came at the same time, does not: her chain stopped at the acknowledgement.
        async def escalated() -> list[dict[str, Any]]:
            return pages(next_level, alert_ids["ben"])

        await eventually(escalated, bool, timeout=DEADLINE * 6, what="ben's alert escalated")
        assert pages(next_level, alert_ids["ana"]) == []

        # The link is one-time: a second post changes nothing and says so.
        again = await http.post(page["ack_url"])
        assert again.status_code == 200, again.text
        assert "already acknowledged" in again.text.lower()
        await acknowledged.read_to_end()
        assert len(acknowledged.records) == 1
