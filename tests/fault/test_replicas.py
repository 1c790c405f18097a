"""Three replicas each of matching and notifications; one of each is SIGKILLed mid-stream and
restarted. No supporter is ever over capacity (sampled while it runs), every accepted request
ends in exactly one inbox entry per side, and no piece of work was done twice: each request was
granted by one supporter, each question to a supporter had one answer."""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient

from kindred.devtools.processes import Platform
from tests.support.client import MemberClient
from tests.support.factories import profile_body, support_body
from tests.support.infra import Infra
from tests.support.kafka import TopicReader
from tests.support.waiting import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

REQUESTS = 2000
SUPPORTERS = 45
CAPACITY = 50  # 2,250 slots for 2,000 requests: the last requests compete for the last slots


async def test_sigkill_of_one_replica_each_loses_doubles_and_overbooks_nothing(
    infra: Infra, namespace: str, tmp_path: Path, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    env = {
        "KAFKA_TOPIC_PARTITIONS": "6",
        "REMATCH_INTERVAL_SECONDS": "0.5",
        "DIRECTORY_REFRESH_SECONDS": "0.5",
        "RETRY_BACKOFF_BASE_SECONDS": "0.05",
        "LOG_LEVEL": "WARNING",
    }
    matching_db = mongo[f"{namespace}_matching"]
    inbox = mongo[f"{namespace}_notifications"]["inbox"]
    platform = Platform(
        infra.kafka,
        infra.mongodb_url,
        namespace,
        tmp_path / "logs",
        extra_env=env,
        replicas={"matching": 3, "notifications": 3},
    )
    most_held: Counter[str] = Counter()
    sampling = True

    async def sample_holds() -> None:
        """Slots held per supporter, as often as the database answers, until told to stop."""
        while sampling:
            pipeline = [{"$group": {"_id": "$supporter_id", "n": {"$sum": 1}}}]
            async for row in await matching_db["holds"].aggregate(pipeline):
                most_held[row["_id"]] = max(most_held[row["_id"]], row["n"])
            await asyncio.sleep(0.2)

    with platform:
        victims = [platform.instances("matching")[1], platform.instances("notifications")[1]]
        limits = httpx.Limits(max_connections=40)
        async with (
            httpx.AsyncClient(timeout=30, limits=limits) as http,
            TopicReader(infra.kafka, f"{namespace}.match.slot-answered") as answers,
        ):
            for i in range(SUPPORTERS):
                supporter = MemberClient(platform.gateway_url, f"supporter-{i}", http)
                response = await supporter.put_profile(profile_body(capacity=CAPACITY))
                assert response.status_code == 202
            await eventually(
                lambda: matching_db["profiles"].count_documents({}),
                lambda n: n == SUPPORTERS,
                what="supporter profiles stored",
            )
            sampler = asyncio.create_task(sample_holds())

            accepted: dict[str, str] = {}  # request id -> seeker id
            sem = asyncio.Semaphore(40)

            async def send(i: int) -> None:
                async with sem:
                    seeker = MemberClient(platform.gateway_url, f"seeker-{i}", http)
                    response = await seeker.request_support(support_body())
                    assert response.status_code == 202, response.text
                    accepted[response.json()["resource_id"]] = seeker.member_id

            third = REQUESTS // 3
            await asyncio.gather(*(send(i) for i in range(third)))
            for victim in victims:
                victim.kill()
            await asyncio.gather(*(send(i) for i in range(third, 2 * third)))
            for victim in victims:
                victim.start()
            await asyncio.gather(*(send(i) for i in range(2 * third, REQUESTS)))
            for victim in victims:
                victim.wait_ready()
            assert len(accepted) == REQUESTS

            async def entries() -> list[dict[str, Any]]:
                projection = {"member_id": 1, "data.request_id": 1}
                return [d async for d in inbox.find({}, projection=projection)]

            found = await eventually(
                entries,
                lambda e: len(e) >= 2 * REQUESTS,
                timeout=240,
                interval=1.0,
                what="an inbox entry per side for every request",
            )
            sampling = False
            await sampler

            def grants(records: list[Any]) -> int:
                return sum(1 for v in answers.values() if v["data"]["granted"])

            await eventually(
                answers.poll,
                lambda r: grants(r) >= REQUESTS,
                what="every answer read back",
            )

        seekers: Counter[str] = Counter()
        supporters: Counter[str] = Counter()
        for entry in found:
            side = seekers if entry["member_id"].startswith("seeker-") else supporters
            side[entry["data"]["request_id"]] += 1
        assert seekers == Counter(dict.fromkeys(accepted, 1))
        assert supporters == Counter(dict.fromkeys(accepted, 1))
        seeker_of = {
            e["data"]["request_id"]: e["member_id"]
            for e in found
            if e["member_id"].startswith("seeker-")
        }
        assert seeker_of == accepted

        # Never over capacity, while it ran and at the end; one hold per request.
        async def all_holds() -> list[dict[str, Any]]:
            return [h async for h in matching_db["holds"].find({})]

        holds = await eventually(  # matching's writes follow within WRITE_BEHIND_SECONDS
            all_holds, lambda h: len(h) >= len(accepted), what="every hold stored"
        )
        assert sorted(h["_id"] for h in holds) == sorted(accepted)
        at_end = Counter(h["supporter_id"] for h in holds)
        assert max(most_held.values()) <= CAPACITY, most_held.most_common(3)
        assert max(at_end.values()) <= CAPACITY

        # Each question to a supporter got one answer, however often it was published.
        answered: dict[tuple[str, int], set[tuple[str, bool]]] = defaultdict(set)
        for value in answers.values():
            data = value["data"]
            answered[(data["request_id"], data["attempt"])].add(
                (data["supporter_id"], data["granted"])
            )
        assert all(len(a) == 1 for a in answered.values())
        granted = Counter(rid for (rid, _), a in answered.items() if next(iter(a))[1])
        assert granted == Counter(dict.fromkeys(accepted, 1))
        assert all(v.process is not None and v.process.poll() is None for v in victims)
