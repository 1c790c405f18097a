"""SIGKILL a service in the middle of 500 requests, restart it: nothing accepted is lost,
nothing is doubled. Every accepted request is proposed once, to one supporter within capacity,
and ends in exactly one inbox entry per side."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient

from kindred.devtools.processes import Platform, metric_sum
from kindred.matching.domain.pool import match_id_for
from kindred.partitions.store import newest
from tests.support.client import MemberClient, StaffClient
from tests.support.factories import profile_body, support_body
from tests.support.infra import Infra
from tests.support.waiting import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

REQUESTS = 500
SUPPORTERS = 12
CAPACITY = 50  # 600 slots: room for every request


@pytest.mark.parametrize("victim", ["matching", "notifications"])
async def test_sigkill_mid_stream_loses_and_doubles_nothing(
    infra: Infra,
    namespace: str,
    tmp_path: Path,
    victim: str,
    mongo: AsyncMongoClient[dict[str, Any]],
) -> None:
    env = {
        "RETRY_BACKOFF_BASE_SECONDS": "0.05",
        "MATCH_BATCH_SECONDS": "0.3",
        "OUTBOX_RELAY_INTERVAL_SECONDS": "2",
    }
    inbox = mongo[f"{namespace}_notifications"]["inbox"]
    matches = mongo[f"{namespace}_matching"]["matches"]
    with Platform(
        infra.kafka, infra.mongodb_url, namespace, tmp_path / "logs", extra_env=env
    ) as platform:
        async with httpx.AsyncClient(
            timeout=30, limits=httpx.Limits(max_connections=20, keepalive_expiry=1.0)
        ) as http:
            staff = StaffClient(platform.gateway_url, http)
            for i in range(SUPPORTERS):
                supporter = MemberClient(platform.gateway_url, f"supporter-{i}", http)
                response = await supporter.put_profile(profile_body(capacity=CAPACITY))
                assert response.status_code == 202
                await staff.grant(supporter.member_id)

            async def supporters_known() -> float:
                response = await http.get(f"{platform.services['matching'].url}/metrics")
                return metric_sum(response.text, "kindred_matching_supporters") or 0.0

            await eventually(
                supporters_known,
                lambda n: n == SUPPORTERS,
                what="every supporter granted and known to the pool",
            )

            accepted: dict[str, str] = {}  # request id -> seeker id
            killed = asyncio.Event()

            async def send(i: int) -> None:
                seeker = MemberClient(platform.gateway_url, f"seeker-{i}", http)
                response = await seeker.put_profile(profile_body(roles=["seeker"], capacity=0))
                assert response.status_code == 202, response.text
                response = await seeker.request_support(support_body())
                if response.status_code == 202:
                    accepted[response.json()["resource_id"]] = seeker.member_id
                if len(accepted) >= REQUESTS // 3 and not killed.is_set():
                    killed.set()
                    platform.services[victim].kill()

            sem = asyncio.Semaphore(20)

            async def bounded(i: int) -> None:
                async with sem:
                    await send(i)

            await asyncio.gather(*(bounded(i) for i in range(REQUESTS)))
            assert killed.is_set()
            assert len(accepted) == REQUESTS  # the gateway stayed up: all were accepted

            platform.services[victim].start()
            await asyncio.to_thread(platform.services[victim].wait_ready)

            async def seeker_entries() -> list[dict[str, Any]]:
                return [d async for d in inbox.find({"member_id": {"$regex": "^seeker-"}})]

            entries = await eventually(
                seeker_entries,
                lambda e: len(e) >= REQUESTS,
                timeout=180,
                what="an inbox entry for every request",
            )
            per_request = Counter(e["data"]["request_id"] for e in entries)
            assert set(per_request) == set(accepted)
            assert set(per_request.values()) == {1}
            for entry in entries:
                assert accepted[entry["data"]["request_id"]] == entry["member_id"]
                # Proposed once: the first attempt, nobody declined.
                assert entry["data"]["match_id"] == match_id_for(entry["data"]["request_id"], 1)

            supporter_entries = [
                d async for d in inbox.find({"member_id": {"$regex": "^supporter-"}})
            ]
            assert Counter(e["data"]["request_id"] for e in supporter_entries) == Counter(
                {request_id: 1 for request_id in accepted}
            )

            # One live match per request, each holding one slot of its supporter: no leak, no
            # double booking. Each match is stored as versions: the newest counts.
            async def live() -> dict[str, dict[str, Any]]:
                last = newest([doc async for doc in matches.find({})])
                return {k: d for k, d in last.items() if d["state"] == "proposed"}

            stored = await eventually(
                live, lambda m: len(m) >= len(accepted), what="every match stored"
            )
            assert sorted(m["request_id"] for m in stored.values()) == sorted(accepted)
            by_supporter = Counter(m["supporter_id"] for m in stored.values())
            assert max(by_supporter.values()) <= CAPACITY
            by_entry = {e["data"]["match_id"]: e["member_id"] for e in supporter_entries}
            assert {k: m["supporter_id"] for k, m in stored.items()} == by_entry

            # A sample read through the gateway, as the member would.
            seeker = MemberClient(platform.gateway_url, accepted[next(iter(accepted))], http)
            assert len(await seeker.inbox()) == 1
