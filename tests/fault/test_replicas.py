"""Three replicas each of matching and notifications, members in three matching pools (by
language: each pool's key falls in another replica's partitions), 2,000 support requests
through the gateway, fewer supporter slots than requests; while it runs supporters accept some
proposals and decline others (a decline frees the slot and the request goes to another
supporter), and the matching replica that owns the most pools is SIGKILLed mid-stream and
restarted, together with a notifications replica.

Checked: no supporter is ever over capacity (sampled from the stored matches as often as the
database answers, not only at the end); every request accepted by the gateway ends either with
exactly one live match (its proposals numbered 1..n, all but the last declined) or stored open
with the reason it waits; every slot is accounted for (the live matches stored are exactly the
proposals on `match.proposed` less the declines, expiries and ends on their topics, supporter
by supporter); the inbox has one entry per side per proposal. The figures are printed (-s).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient

from kindred.devtools.processes import Platform, ServiceProcess, metric_sum
from kindred.matching.domain.pool import LIVE, match_id_for
from kindred.partitions.store import newest
from tests.support.client import MemberClient, StaffClient
from tests.support.factories import profile_body, support_body
from tests.support.infra import Infra
from tests.support.kafka import TopicReader
from tests.support.waiting import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(900)]

REQUESTS = 2000
SUPPORTERS = 45
CAPACITY = 40  # 1,800 slots for 2,000 requests: some requests end waiting for capacity
IN_FLIGHT = 40
# One pool per language (MATCHING_POOL_KEY=language). Of 6 partitions, "es" falls in 0, "pt" in
# 3 and "ar" in 5: with three replicas (range assignor: 0-1, 2-3, 4-5) each owns one pool.
LANGUAGES = ("es", "pt", "ar")
SUPPORTERS_METRIC = "kindred_matching_supporters"
Doc = dict[str, Any]


def choice(match_id: str, attempt: int) -> str | None:
    """What the supporter does with a proposal: the same answer for the same match, about one
    in ten declined and three in ten accepted; the rest stay proposed."""
    roll = hashlib.sha256(match_id.encode()).digest()[0] % 10
    if roll == 0:
        return "decline"
    if roll <= (3 if attempt == 1 else 4):
        return "accept"
    return None


@dataclass
class Samples:
    """What the sampler saw of the stored matches while the run went on."""

    taken: int = 0
    most: Counter[str] = field(default_factory=Counter)  # most live matches seen per supporter
    over: list[tuple[int, str, int]] = field(default_factory=list)  # (sample, supporter, live)
    doubled: list[tuple[int, str]] = field(default_factory=list)  # (sample, request id)

    def look(self, matches: dict[str, Doc]) -> None:
        self.taken += 1
        live = [m for m in matches.values() if m["state"] in LIVE]
        load = Counter(m["supporter_id"] for m in live)
        for supporter, n in load.items():
            self.most[supporter] = max(self.most[supporter], n)
            if n > CAPACITY:
                self.over.append((self.taken, supporter, n))
        per_request = Counter(m["request_id"] for m in live)
        self.doubled += [(self.taken, r) for r, n in per_request.items() if n > 1]


class Proposals:
    """Reads `match.proposed` as it grows; the distinct proposals by match id."""

    def __init__(self, reader: TopicReader) -> None:
        self.reader = reader
        self.by_id: dict[str, Doc] = {}
        self.copies = 0  # the same proposal published again (at least once publishing)
        self.read = 0

    async def new(self) -> list[Doc]:
        await self.reader.poll()
        fresh = []
        for record in self.reader.records[self.read :]:
            data = json.loads(record.value)["data"]
            known = self.by_id.get(data["match_id"])
            if known is not None:
                assert known == data, f"one match id, two proposals: {known} / {data}"
                self.copies += 1
                continue
            self.by_id[data["match_id"]] = data
            fresh.append(data)
        self.read = len(self.reader.records)
        return fresh


async def steps_of(reader: TopicReader) -> dict[str, Doc]:
    await reader.poll()
    return {v["data"]["match_id"]: v["data"] for v in reader.values()}


async def test_sigkill_of_the_pool_owner_mid_stream_overbooks_loses_and_doubles_nothing(
    infra: Infra, namespace: str, tmp_path: Path, mongo: AsyncMongoClient[Doc]
) -> None:
    env = {
        "KAFKA_TOPIC_PARTITIONS": "6",
        "MATCHING_POOL_KEY": "language",
        "MATCH_BATCH_SECONDS": "0.3",
        "REMATCH_INTERVAL_SECONDS": "5",
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
    samples = Samples()
    sampling = True

    async def stored(collection: str, *fields: str) -> dict[str, Doc]:
        """The newest version of each, by its id (a request's stored key carries its pool)."""
        projection = dict.fromkeys(("key", "ver", "request_id", *fields), 1)
        docs = [d async for d in matching_db[collection].find({}, projection=projection)]
        if collection != "requests":
            return newest(docs)
        return {d["request_id"]: d for d in newest(docs).values()}

    async def sample() -> None:
        """Live matches per supporter, as often as the database answers, until told to stop."""
        while sampling:
            samples.look(await stored("matches", "state", "supporter_id", "request_id"))
            await asyncio.sleep(0.05)

    def topic(name: str) -> TopicReader:
        return TopicReader(infra.kafka, f"{namespace}.{name}")

    with platform:
        matching = platform.instances("matching")
        # Idle connections dropped before the server's own keep-alive timeout (5 s) can close one
        # just as a request goes out on it.
        limits = httpx.Limits(max_connections=IN_FLIGHT + 10, keepalive_expiry=1.0)
        async with (
            httpx.AsyncClient(timeout=30, limits=limits) as http,
            topic("match.proposed") as proposed_reader,
            topic("match.declined") as declined,
            topic("match.accepted") as accepted_steps,
            topic("match.expired") as expired,
            topic("match.ended") as ended,
        ):
            staff = StaffClient(platform.gateway_url, http)
            for i in range(SUPPORTERS):
                supporter = MemberClient(platform.gateway_url, f"supporter-{i:02d}", http)
                language = LANGUAGES[i % len(LANGUAGES)]
                body = profile_body(capacity=CAPACITY, languages=[language])
                response = await supporter.put_profile(body)
                assert response.status_code == 202, response.text
                await staff.grant(supporter.member_id)

            async def known(instance: ServiceProcess) -> float:
                response = await http.get(f"{instance.url}/metrics")
                return metric_sum(response.text, SUPPORTERS_METRIC) or 0.0

            async def supporters_known() -> list[float]:
                return list(await asyncio.gather(*map(known, matching)))

            per_pool = SUPPORTERS // len(LANGUAGES)
            loads = await eventually(  # each replica's gauge: its pools' supporters
                supporters_known,
                lambda n: sum(n) == SUPPORTERS and all(x % per_pool == 0 for x in n),
                timeout=60,
                what="every supporter granted and known to the pool",
            )
            # The replica that knows the most supporters owns the most pools: the one to kill.
            owner = matching[loads.index(max(loads))]
            owners = [int(n) // per_pool for n in loads]
            victims = [owner, platform.instances("notifications")[1]]
            sampler = asyncio.create_task(sample())

            # Supporters answer some proposals through the gateway while the stream runs.
            proposals = Proposals(proposed_reader)
            sent_steps: dict[str, str] = {}  # match id -> "accept" | "decline"
            acting = True

            async def act() -> None:
                while acting:
                    jobs = []
                    for data in await proposals.new():
                        step = choice(data["match_id"], data["attempt"])
                        if step is not None:
                            sent_steps[data["match_id"]] = step
                            who = MemberClient(platform.gateway_url, data["supporter_id"], http)
                            jobs.append(who.match_step(data["match_id"], step))
                    for response in await asyncio.gather(*jobs):
                        assert response.status_code == 202, response.text

            actor = asyncio.create_task(act())
            requested: dict[str, str] = {}  # request id -> seeker id
            sem = asyncio.Semaphore(IN_FLIGHT)

            async def send(i: int) -> None:
                async with sem:
                    seeker = MemberClient(platform.gateway_url, f"seeker-{i:04d}", http)
                    language = LANGUAGES[i % len(LANGUAGES)]
                    body = profile_body(roles=["seeker"], capacity=0, languages=[language])
                    response = await seeker.put_profile(body)
                    assert response.status_code == 202, response.text
                    response = await seeker.request_support(support_body(language=language))
                    assert response.status_code == 202, response.text
                    requested[response.json()["resource_id"]] = seeker.member_id

            started = time.monotonic()
            third = REQUESTS // 3
            await asyncio.gather(*(send(i) for i in range(third)))

            async def answered() -> int:
                await asyncio.sleep(0)
                return len(sent_steps)

            await eventually(  # mid-stream: proposals flow and supporters answer them
                answered,
                lambda n: n >= 20,
                timeout=60,
                what="supporters answering proposals",
            )
            for victim in victims:
                victim.kill()
            killed_at = time.monotonic() - started
            await asyncio.gather(*(send(i) for i in range(third, 2 * third)))
            for victim in victims:
                victim.start()
            await asyncio.gather(*(send(i) for i in range(2 * third, REQUESTS)))
            for victim in victims:
                await asyncio.to_thread(victim.wait_ready)
            sent_at = time.monotonic()
            assert len(requested) == REQUESTS
            acting = False
            await actor

            async def drained() -> list[str]:
                """What is still moving (empty once the pool has settled)."""
                await proposals.new()
                live = set(proposals.by_id)
                for reader in (declined, expired, ended):
                    live -= set(await steps_of(reader))
                requests = await stored("requests", "status", "reason")
                matches = await stored("matches", "state")
                left = []
                if missing := set(requested) - set(requests):
                    left.append(f"{len(missing)} requests not stored")
                fresh = [
                    k for k, r in requests.items() if r["status"] == "open" and not r["reason"]
                ]
                if fresh:
                    left.append(f"{len(fresh)} open requests not batched yet")
                stored_live = {k for k, m in matches.items() if m["state"] in LIVE}
                if stored_live != live:
                    left.append(f"live: {len(stored_live)} stored, {len(live)} on the topics")
                done = set(await steps_of(declined)) | set(await steps_of(accepted_steps))
                if pending := set(sent_steps) - done:
                    left.append(f"{len(pending)} steps not applied")
                return left

            await eventually(
                drained, lambda left: not left, timeout=300, interval=1.0, what="the pool settled"
            )
            drain_seconds = time.monotonic() - sent_at
            sampling = False
            await sampler

            # Every topic read to its end, as of now.
            for reader in (proposed_reader, declined, accepted_steps, expired, ended):
                await reader.read_to_end()
            await proposals.new()
            declines = await steps_of(declined)
            accepts = await steps_of(accepted_steps)
            freed = {**declines, **await steps_of(expired), **await steps_of(ended)}
            requests = await stored(
                "requests", "status", "reason", "match_id", "attempts", "seeker_id"
            )
            matches = await stored("matches", "state", "supporter_id", "request_id", "attempt")
            samples.look(matches)

            async def entries() -> list[Doc]:
                projection = {"member_id": 1, "kind": 1, "data": 1}
                return [d async for d in inbox.find({"kind": "match.proposed"}, projection)]

            found = await eventually(
                entries,
                lambda e: len(e) >= 2 * len(proposals.by_id),
                timeout=120,
                interval=1.0,
                what="an inbox entry per side for every proposal",
            )
            restarted = [v.process is not None and v.process.poll() is None for v in victims]

    by_id = proposals.by_id
    rematches = sum(1 for d in by_id.values() if d["attempt"] > 1)
    live = {k: m for k, m in matches.items() if m["state"] in LIVE}
    reasons = Counter(r["reason"] for r in requests.values() if r["status"] == "open")
    print(
        f"\nreplicas fault test: {REQUESTS} requests, {SUPPORTERS} supporters x {CAPACITY} slots"
        f" = {SUPPORTERS * CAPACITY}; pools per replica {owners};"
        f" owner {owner.log_path.stem} and"
        f" {victims[1].log_path.stem} SIGKILLed at {killed_at:.1f} s, restarted"
        f"\n  proposals {len(by_id)} (re-matches {rematches}, copies published again"
        f" {proposals.copies}); supporters accepted {len(accepts)}, declined {len(declines)}"
        f"\n  at the end: live matches {len(live)} ({sum(1 for m in live if m in accepts)}"
        f" active), waiting {dict(reasons)}"
        f"\n  sent in {sent_at - started:.1f} s; drained {drain_seconds:.1f} s after the last"
        f" request; {samples.taken} samples, max load seen {max(samples.most.values())}"
        f" / {CAPACITY}; inbox entries {len(found)}"
    )

    # No supporter over capacity, at any sample nor at the end.
    assert not samples.over, f"over capacity (sample, supporter, live): {samples.over[:5]}"
    assert not samples.doubled, f"a request with two live matches: {samples.doubled[:5]}"

    # The steps sent were applied as sent; nothing expired or ended (no deadline, no end).
    assert set(freed) == set(declines), "expired or ended without a cause"
    assert {k for k, s in sent_steps.items() if s == "decline"} == set(declines)
    assert {k for k, s in sent_steps.items() if s == "accept"} == set(accepts)
    for match_id, data in {**declines, **accepts}.items():
        assert data["by"] == by_id[match_id]["supporter_id"]

    # Every slot accounted for: the live matches stored are the proposals less what freed them,
    # supporter by supporter.
    implied = {k: d for k, d in by_id.items() if k not in freed}
    assert set(live) == set(implied)
    assert set(matches) == set(by_id), "a match stored that was never proposed, or not stored"
    load = Counter(m["supporter_id"] for m in live.values())
    assert load == Counter(d["supporter_id"] for d in implied.values())
    assert max(load.values()) <= CAPACITY
    for match_id in accepts:
        assert matches[match_id]["state"] == "active"
    for match_id in declines:
        assert matches[match_id]["state"] == "declined"

    # Every request: one live match (its proposals numbered 1..n, each a new supporter, all
    # but the last declined) or stored open with the reason it waits.
    assert set(requests) == set(requested)
    per_request: dict[str, list[Doc]] = defaultdict(list)
    for data in by_id.values():
        per_request[data["request_id"]].append(data)
    waiting: Counter[str] = Counter()
    for request_id, seeker_id in requested.items():
        request = requests[request_id]
        assert request["seeker_id"] == seeker_id
        tried = sorted(per_request.get(request_id, []), key=lambda d: d["attempt"])
        assert [d["attempt"] for d in tried] == list(range(1, len(tried) + 1)), tried
        assert all(d["match_id"] == match_id_for(request_id, d["attempt"]) for d in tried)
        assert len({d["supporter_id"] for d in tried}) == len(tried), "the same supporter twice"
        assert all(d["match_id"] in declines for d in tried[:-1])
        assert request["attempts"] == len(tried)
        holding = [d["match_id"] for d in tried if d["match_id"] in live]
        if holding:
            assert holding == [tried[-1]["match_id"]]
            assert request["match_id"] == holding[0]
            expected = "matched" if holding[0] in accepts else "proposed"
            assert request["status"] == expected, (request_id, request)
        else:
            assert request["status"] == "open" and request["reason"], (request_id, request)
            waiting[request["reason"]] += 1
    assert len(live) + sum(waiting.values()) == REQUESTS
    # Fewer slots than requests: the rest wait for capacity, and say so.
    assert set(waiting) == {"no-capacity"}, waiting
    assert sum(waiting.values()) >= REQUESTS - SUPPORTERS * CAPACITY, waiting

    # One inbox entry per side per proposal, however often a proposal was published.
    sides = Counter((e["data"]["match_id"], e["member_id"]) for e in found)
    expected_sides = Counter(
        side
        for d in by_id.values()
        for side in ((d["match_id"], d["seeker_id"]), (d["match_id"], d["supporter_id"]))
    )
    assert sides == expected_sides
    assert all(restarted), "a restarted replica did not stay up"
