"""The staff workspace when casework is down: the safety loop does not depend on it. A crisis
check-in is still answered with crisis resources and its alert still pages the on-call person;
the staff queue answers 503 with Retry-After (never an empty queue that looks like calm) and
the console says to try again; once casework is back (killed, so from its partition log and
offsets), the alert is in the queue with the page it sent, and nothing was lost."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kindred.devtools.processes import Platform
from kindred.events.envelope import deterministic_id
from kindred.gateway.auth import issue_token
from kindred.gateway.settings import GatewaySettings
from tests.support.infra import Infra
from tests.support.kafka import TopicReader
from tests.support.waiting import eventually

pytestmark = [pytest.mark.fault, pytest.mark.slow]
CRISIS = {"note": "i have the pills ready and im going to take them all tonight"}


@pytest.fixture
def platform(infra: Infra, namespace: str, tmp_path: Path) -> Iterator[Platform]:
    with Platform(
        infra.kafka,
        infra.mongodb_url,
        namespace,
        tmp_path / "logs",
        replicas={"matching": 0},
        extra_env={"RETRY_BACKOFF_BASE_SECONDS": "0.05", "ESCALATION_TICK_SECONDS": "0.2"},
    ) as running:
        yield running


def auth(member: str, *roles: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(GatewaySettings(), member, roles)}"}


async def test_a_crisis_pages_while_casework_is_down_and_reaches_the_queue_when_it_is_back(
    infra: Infra, namespace: str, platform: Platform
) -> None:
    staff = auth("sam", "safety-staff")
    casework = platform.services["casework"]
    async with (
        httpx.AsyncClient(base_url=platform.gateway_url, timeout=10) as http,
        TopicReader(infra.kafka, f"{namespace}.safety.alert-escalated") as paged,
    ):
        casework.kill()
        answered = await http.post("/v1/members/mia/checkins", json=CRISIS, headers=auth("mia"))
        assert answered.status_code == 202, answered.text
        assert answered.json()["safety"]["resources"]["services"]
        alert_id = deterministic_id("safety.alert", answered.json()["resource_id"])

        async def pages() -> list[dict[str, Any]]:
            await paged.poll()
            return [
                json.loads(r.value or b"")["data"]
                for r in paged.records
                if alert_id in (r.value or b"").decode()
            ]

        [page] = await eventually(pages, bool, timeout=30, what="the alert paged")
        assert page["level"] == 0

        queue = await http.get("/v1/staff/queue", headers=staff)
        assert queue.status_code == 503, queue.text
        assert int(queue.headers["Retry-After"]) > 0

        casework.start()
        casework.wait_ready(90)

        async def in_queue() -> list[dict[str, Any]]:
            read = await http.get("/v1/staff/queue", headers=staff)
            if read.status_code != 200:
                return []
            return [e for e in read.json()["entries"] if e["id"] == alert_id]

        [entry] = await eventually(in_queue, bool, timeout=60, what="the alert in the queue")
        assert (entry["member_id"], entry["priority"]) == ("mia", "urgent")
        assert entry["deadline"] is not None and not entry["acknowledged"]

        detail = await http.get(f"/v1/staff/alerts/{alert_id}", headers=staff)
        assert detail.status_code == 200, detail.text
        body = detail.json()
        assert [p["page_id"] for p in body["alert"]["pages"]] == [page["page_id"]]
        assert body["checkin"]["answers"]["note"] == CRISIS["note"]
