"""The load the benchmark drives: supporters (a profile that offers support, and the role granted
by staff), seeker profiles, then support requests through the gateway replicas (closed loop: C
in flight; open loop: on a schedule), completion from the notifications replicas' inbox counter,
latency from the inbox entries read once per phase."""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import re
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from pymongo import AsyncMongoClient

from kindred.devtools.bench import Deadline, percentile, rate, say
from kindred.devtools.processes import Platform, ServiceProcess, metric_sum
from kindred.gateway.auth import SUPPORTER_ADMIN, issue_token
from kindred.gateway.settings import GatewaySettings
from kindred.partitions.store import newest

Document = dict[str, Any]
CAPACITY = 50  # the most a supporter profile allows
INBOX_METRIC = "kindred_inbox_entries_total"  # notifications: 2 per request (seeker, supporter)
# matching: the supporters of the pools a replica owns (the one pool is on one replica: summed)
SUPPORTERS_METRIC = "kindred_matching_supporters"
# matching: batches solved (the count of the batch-time histogram)
BATCHES_METRIC = "kindred_matching_batch_seconds_count"
WRITES_METRIC = "kindred_storage_documents_written_total"  # matching, checkins, notifications
STORING_SERVICES = ("matching", "checkins", "notifications")
STALL_SECONDS = 60.0  # a wait gives up after this long without progress
POLL_SECONDS = 0.5
SETUP_CONCURRENCY = 32  # profiles and grants before a phase (not measured)
STAFF_ID = "bench-staff"  # grants the supporter role (token role `supporter-admin`)


def profile(roles: list[str], capacity: int) -> bytes:
    return json.dumps(
        {
            "roles": roles,
            "topics": ["grief"],
            "languages": ["en"],
            "time_zone": "Europe/London",
            "age_band": "35-44",
            "capacity": capacity,
        }
    ).encode()


SUPPORTER_PROFILE = profile(["supporter"], CAPACITY)
# A seeker is matched only once matching has their profile (the age rules need it).
SEEKER_PROFILE = profile(["seeker"], 0)
GRANT = json.dumps({"granted": True, "note": "bench"}).encode()
REQUEST = json.dumps(
    {"topics": ["grief"], "language": "en", "whats_going_on": "Lost my dad last month."}
).encode()


def session(connections: int = 1024) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=connections),
        timeout=aiohttp.ClientTimeout(total=60),
    )


@dataclass
class Accepted:
    seeker: str
    sent: float  # time.time() before the POST
    at: float  # time.time() when the 202 arrived


@dataclass
class Load:
    """What one phase sent and how the gateway answered."""

    accepted: dict[str, Accepted] = field(default_factory=dict)  # by request id
    failed: Counter[str] = field(default_factory=Counter)
    response_ms: list[float] = field(default_factory=list)

    @property
    def first_sent(self) -> float:
        return min((a.sent for a in self.accepted.values()), default=math.nan)

    @property
    def first_202(self) -> float:
        return min((a.at for a in self.accepted.values()), default=math.nan)

    @property
    def http_seconds(self) -> float:  # first request sent → last 202
        return max((a.at for a in self.accepted.values()), default=math.nan) - self.first_sent

    @property
    def accept_rate(self) -> float:
        return rate(len(self.accepted), self.http_seconds)

    @property
    def send_rate(self) -> float:  # what an open loop achieved of its schedule
        last = max((a.sent for a in self.accepted.values()), default=math.nan)
        return rate(len(self.accepted) - 1, last - self.first_sent)


class Gateway:
    """Calls the gateway replicas round robin, as the members of the run."""

    def __init__(self, http: aiohttp.ClientSession, urls: list[str]) -> None:
        self.http, self.urls, self.settings = http, itertools.cycle(urls), GatewaySettings()

    def headers(self, member_id: str, roles: tuple[str, ...] = ()) -> dict[str, str]:
        token = issue_token(self.settings, member_id, roles)  # the dev key the services use
        return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    async def _put(self, what: str, path: str, body: bytes, headers: dict[str, str]) -> None:
        async with self.http.put(f"{next(self.urls)}{path}", data=body, headers=headers) as r:
            if r.status != 202:
                raise RuntimeError(f"{what}: HTTP {r.status} {await r.text()}")

    async def put_profile(self, member_id: str, body: bytes) -> None:
        path = f"/v1/members/{member_id}/profile"
        await self._put(f"profile of {member_id}", path, body, self.headers(member_id))

    async def grant(self, member_id: str) -> None:
        """Staff grant the supporter role: a profile alone makes nobody a supporter."""
        headers = self.headers(STAFF_ID, (SUPPORTER_ADMIN,))
        path = f"/v1/staff/supporters/{member_id}"
        await self._put(f"supporter role of {member_id}", path, GRANT, headers)

    async def request_support(
        self, seeker: str, headers: dict[str, str], load: Load, body: bytes = REQUEST
    ) -> None:
        url = f"{next(self.urls)}/v1/members/{seeker}/support-requests"
        sent = time.time()
        try:
            async with self.http.post(url, data=body, headers=headers) as response:
                body, status = await response.read(), response.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            load.failed[type(exc).__name__] += 1
            return
        at = time.time()
        if status != 202:
            load.failed[f"HTTP {status}"] += 1
            return
        load.accepted[str(json.loads(body)["resource_id"])] = Accepted(seeker, sent, at)
        load.response_ms.append((at - sent) * 1000)


Send = Callable[[Gateway, list[str]], Awaitable[Load]]


def closed_loop(concurrency: int, body: Callable[[str], bytes] = lambda seeker: REQUEST) -> Send:
    """Each of `concurrency` workers sends its next request when its last one was answered
    (`body(seeker)`: what a seeker asks)."""

    async def send(gateway: Gateway, seekers: list[str]) -> Load:
        load = Load()
        # Tokens signed and bodies built before the clock.
        jobs = iter([(s, gateway.headers(s), body(s)) for s in seekers])

        async def worker() -> None:
            for seeker, headers, request in jobs:
                await gateway.request_support(seeker, headers, load, request)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return load

    return send


def open_loop(per_second: float) -> Send:
    """Request i goes out at i / per_second, whether earlier ones were answered or not."""

    async def send(gateway: Gateway, seekers: list[str]) -> Load:
        load = Load()
        jobs = [(s, gateway.headers(s)) for s in seekers]
        started, tasks = time.monotonic(), []
        for i, (seeker, headers) in enumerate(jobs):
            await asyncio.sleep(max(0.0, started + i / per_second - time.monotonic()))
            tasks.append(asyncio.create_task(gateway.request_support(seeker, headers, load)))
        await asyncio.gather(*tasks)
        return load

    return send


async def wait_for(
    probe: Callable[[], Awaitable[float]], target: float, deadline: Deadline, what: str
) -> float:
    """Poll until `probe()` reaches `target`; give up (returning the last value) after
    STALL_SECONDS without progress or at the overall deadline."""
    last, changed = math.nan, time.monotonic()
    reported = changed
    while True:
        value = await probe()
        now = time.monotonic()
        if value >= target:
            return value
        if value != last:
            last, changed = value, now
        if now - changed > STALL_SECONDS or deadline.left() <= 0:
            why = f"no progress for {STALL_SECONDS:.0f} s" if deadline.left() else "timeout"
            say(f"gave up waiting for {what} at {value:.0f}/{target:.0f} ({why})")
            return value
        if now - reported >= 10:
            say(f"waiting for {what}: {value:.0f}/{target:.0f}")
            reported = now
        await asyncio.sleep(POLL_SECONDS)


def total(values: list[float | None]) -> float | None:
    """Sum over replicas; None when no replica exports the metric."""
    present = [v for v in values if v is not None]
    return sum(present) if present else None


@dataclass
class Phase:
    name: str
    load: Load
    delivered: int  # requests with a seeker inbox entry
    e2e_seconds: float  # first 202 → last seeker inbox entry
    latencies_ms: list[float] = field(default_factory=list)  # 202 → inbox entry, ascending
    duplicates: int = 0
    early: int = 0  # entries stamped before this process saw the 202 (counted as 0 ms)
    writes: float | None = None  # storage documents written during the phase, all services
    batches: float | None = None  # matching batches solved during the phase, all replicas

    @property
    def missing(self) -> int:
        return len(self.load.accepted) - self.delivered

    @property
    def e2e_rate(self) -> float:
        return rate(self.delivered, self.e2e_seconds)

    @property
    def per_batch(self) -> float | None:
        """Requests per matching batch: how much the window gathered at once."""
        return self.delivered / self.batches if self.batches else None

    @property
    def writes_per_request(self) -> float | None:
        return self.writes / self.delivered if self.writes is not None and self.delivered else None

    def p(self, q: float) -> float:
        return percentile(self.latencies_ms, q)


class Pipeline:
    """Drives one run's phases on a running platform; member ids start with `run`."""

    def __init__(
        self,
        platform: Platform,
        http: aiohttp.ClientSession,
        mongo: AsyncMongoClient[Document],
        deadline: Deadline,
        run: str,
    ) -> None:
        self.platform, self.http, self.deadline, self.run = platform, http, deadline, run
        self.gateway = Gateway(http, [g.url for g in platform.instances("gateway")])
        self.members = mongo[f"{platform.namespace}_matching"]["members"]
        self.inbox = mongo[f"{platform.namespace}_notifications"]["inbox"]

    async def metric(self, service: str, name: str) -> list[float | None]:
        async def scrape(instance: ServiceProcess) -> float | None:
            async with self.http.get(f"{instance.url}/metrics") as response:
                return metric_sum(await response.text(), name)

        return list(await asyncio.gather(*map(scrape, self.platform.instances(service))))

    async def writes(self) -> float | None:
        return total([v for s in STORING_SERVICES for v in await self.metric(s, WRITES_METRIC)])

    async def supporters(self) -> float:
        """Supporters the pool can match: the gauge, summed over the matching replicas (only
        the pool's owner counts them); without the gauge, the stored members whose newest
        version has the role granted and offers support (a scan on FerretDB)."""
        counts = await self.metric("matching", SUPPORTERS_METRIC)
        if None not in counts:
            return float(sum(v for v in counts if v is not None))
        fields = {"key": 1, "ver": 1, "granted": 1, "offers_support": 1}
        current = newest(await self.members.find({}, fields).to_list(None))
        return float(sum(1 for d in current.values() if d["granted"] and d["offers_support"]))

    async def setup(self, member_ids: list[str], step: Callable[[str], Awaitable[None]]) -> None:
        jobs = iter(member_ids)

        async def worker() -> None:
            for member_id in jobs:
                await step(member_id)

        await asyncio.gather(*(worker() for _ in range(SETUP_CONCURRENCY)))

    async def add_supporters(self, tag: str, count: int) -> None:
        """Supporter profiles, the role granted by staff; wait until the pool can match them."""
        target = await self.supporters() + count
        ids = [f"{self.run}-p-{tag}-{i:04d}" for i in range(count)]

        async def supporter(member_id: str) -> None:
            await self.gateway.put_profile(member_id, SUPPORTER_PROFILE)
            await self.gateway.grant(member_id)

        await self.setup(ids, supporter)
        what = f"{count} supporters in {SUPPORTERS_METRIC}"
        if await wait_for(self.supporters, target, self.deadline, what) < target:
            raise RuntimeError(f"the supporters of {tag} did not become usable")

    async def settled_writes(self) -> float | None:
        """The storage writes counter once it stops moving (what was sent before is stored),
        or after 10 s."""
        last = await self.writes()
        for _ in range(int(10 / POLL_SECONDS)):
            await asyncio.sleep(POLL_SECONDS)
            now = await self.writes()
            if now == last:
                break
            last = now
        return last

    async def phase(self, tag: str, requests: int, send: Send, measure: bool = True) -> Phase:
        """Send `requests` support requests (enough supporters first), wait until they are in
        the inbox, then read the seekers' entries once (unless not `measure`)."""
        await self.add_supporters(tag, math.ceil(requests / CAPACITY) + 1)
        prefix = f"{self.run}-s-{tag}-"
        selector = {"member_id": {"$regex": f"^{re.escape(prefix)}"}}
        seekers = [f"{prefix}{i:06d}" for i in range(requests)]
        say(f"{tag}: {requests} seeker profiles")
        await self.setup(seekers, lambda s: self.gateway.put_profile(s, SEEKER_PROFILE))
        inbox_before = total(await self.metric("notifications", INBOX_METRIC))
        writes_before = await self.settled_writes()
        batches_before = total(await self.metric("matching", BATCHES_METRIC))
        say(f"{tag}: sending {requests} support requests")
        load = await send(self.gateway, seekers)
        if load.failed:
            say(f"{tag}: not accepted: {dict(load.failed)}")
        say(f"{tag}: {len(load.accepted)} accepted at {load.accept_rate:.0f}/s; waiting for inbox")

        async def delivered() -> float:
            if inbox_before is None:  # no counter: count (a scan on FerretDB, so gently)
                await asyncio.sleep(2)
                return await self.inbox.count_documents(selector)
            return (
                (total(await self.metric("notifications", INBOX_METRIC)) or 0) - inbox_before
            ) / 2

        count = await wait_for(delivered, len(load.accepted), self.deadline, f"{tag} inbox entries")
        done = time.time()
        writes_after = await self.writes()
        writes = None if writes_after is None else writes_after - (writes_before or 0)
        batches_after = total(await self.metric("matching", BATCHES_METRIC))
        batches = None if batches_after is None else batches_after - (batches_before or 0)
        if not measure:
            phase = Phase(tag, load, int(count), done - load.first_202, writes=writes)
        else:
            projection = {"member_id": 1, "data.request_id": 1, "created_at": 1}
            entries = [doc async for doc in self.inbox.find(selector, projection=projection)]
            phase = summarize(tag, load, entries, writes)
        phase.batches = batches
        return phase


def summarize(tag: str, load: Load, entries: list[Document], writes: float | None) -> Phase:
    latencies: list[float] = []
    seen: Counter[str] = Counter()
    early, last = 0, load.first_202
    for entry in entries:
        request_id = str(entry["data"]["request_id"])
        seen[request_id] += 1
        origin = load.accepted.get(request_id)
        if origin is None or seen[request_id] > 1:
            continue
        created = float(entry["created_at"].timestamp())
        last = max(last, created)
        latency = (created - origin.at) * 1000
        early += latency < 0
        latencies.append(max(0.0, latency))
    return Phase(
        tag,
        load,
        delivered=len(latencies),
        e2e_seconds=last - load.first_202,
        latencies_ms=sorted(latencies),
        duplicates=sum(n - 1 for n in seen.values()),
        early=early,
        writes=writes,
    )
