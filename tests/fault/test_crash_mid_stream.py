"""SIGKILL a service in the middle of 500 requests, restart it: nothing accepted is lost,
nothing is doubled. Every accepted request ends in exactly one inbox entry per side."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient

from kindred.devtools.processes import Platform
from tests.support.client import MemberClient
from tests.support.factories import profile_body, support_body
from tests.support.infra import Infra
from tests.support.waiting import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

REQUESTS = 500
SUPPORTERS = 12  # 50 slots each: room for every request


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
        "REMATCH_INTERVAL_SECONDS": "1",
        "OUTBOX_RELAY_INTERVAL_SECONDS": "2",
    }
    inbox = mongo[f"{namespace}_notifications"]["inbox"]
    profiles = mongo[f"{namespace}_matching"]["profiles"]
    holds = mongo[f"{namespace}_matching"]["holds"]
    with Platform(
        infra.kafka, infra.mongodb_url, namespace, tmp_path / "logs", extra_env=env
    ) as platform:
        async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=20)) as http:
            for i in range(SUPPORTERS):
                supporter = MemberClient(platform.gateway_url, f"supporter-{i}", http)
                response = await supporter.put_profile(profile_body(capacity=50))
                assert response.status_code == 202
            await eventually(
                lambda: profiles.count_documents({}),
                lambda n: n == SUPPORTERS,
                what="supporter profiles stored",
            )

            accepted: dict[str, str] = {}  # request id -> seeker id
            killed = asyncio.Event()

            async def send(i: int) -> None:
                seeker = MemberClient(platform.gateway_url, f"seeker-{i}", http)
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
            platform.services[victim].wait_ready()

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

            supporter_entries = [
                d async for d in inbox.find({"member_id": {"$regex": "^supporter-"}})
            ]
            assert Counter(e["data"]["request_id"] for e in supporter_entries) == Counter(
                {request_id: 1 for request_id in accepted}
            )

            # Every supporter slot is held by exactly one request: no leak, no double booking.
            async def held() -> list[str]:
                return [h["_id"] async for h in holds.find({})]

            stored = await eventually(held, lambda h: len(h) >= len(accepted), what="holds")
            assert sorted(stored) == sorted(accepted)

            # A sample read through the gateway, as the member would.
            seeker = MemberClient(platform.gateway_url, accepted[next(iter(accepted))], http)
            assert len(await seeker.inbox()) == 1
