"""`scripts/bench --scale`: the pipeline with 1, 2 and 3 matching replicas on six pools (a
benchmark, not a test).

Matching splits members by language (`MATCHING_POOL_KEY=language`) into six pools: es, pt, en,
fr, ar and pl. A pool's id is the key of its inputs, so with 3 partitions the pools fall two to
a partition of `matching.pool-input` (es and pt on 0, en and fr on 1, ar and pl on 2) and each
partition's owner solves its two. For each count in `--scale-replicas` (1,2,3), a round of its
own in a fresh namespace (fresh topics, consumer groups and stores): the services as processes
(one of each other service unless `--replicas` says otherwise); `--supporters` supporters in
each pool (a profile offering support in its language, two or three topics of ten, their own
words, eight hours a day, a capacity of 1 to 4; the role granted by staff); `--requests` seekers
spread evenly over the six languages, their profiles first (and placed: a request sent before
its seeker's profile lands in the default pool); then their support requests, `--concurrency`
in flight (closed loop), until every seeker has an inbox entry. Then matching alone: as many
seekers again, their profiles and requests produced straight to Kafka as the gateway would, with
notifications stopped, from the first request produced to the last proposal's `proposed_at`.

Per round: the end-to-end rate (first 202 → last seeker inbox entry), p50/p99 from the 202 to
the inbox entry, quality from the stored matches (the share of the requests proposed, their
mean score), which pools each matching replica owns (the `matching.pool-input` partitions of
its consumer-lag gauge), matching's own busy share (`kindred_matching_batch_seconds` summed
over the load ÷ its wall time, per replica), matching alone's rate, and the CPU each group of
processes used meanwhile.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import re
import secrets
import shutil
import signal
import tempfile
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

import aiohttp
from prometheus_client.parser import text_string_to_metric_families
from pymongo import AsyncMongoClient

from kindred.devtools.bench import Deadline, rate, say
from kindred.devtools.bench.cli import add_common, servers
from kindred.devtools.bench.load import (
    INBOX_METRIC,
    POLL_SECONDS,
    STALL_SECONDS,
    WRITES_METRIC,
    Document,
    Load,
    Pipeline,
    closed_loop,
    session,
    summarize,
    total,
    wait_for,
)
from kindred.devtools.bench.safety import produce
from kindred.devtools.processes import SERVICES, Platform, ServiceProcess
from kindred.events.matching import SupportRequested, SupportRequestedData
from kindred.events.members import ProfileSubmitted, ProfileSubmittedData
from kindred.events.topics import POOL_INPUT, PROFILE_SUBMITTED, topic_name
from kindred.events.vocabulary import Topic
from kindred.notifications.sender import partition_for
from kindred.partitions.store import newest

LANGUAGES = ("es", "pt", "en", "fr", "ar", "pl")  # the pools
PARTITIONS = 3  # of every topic: two pools on each partition of matching.pool-input
TIME_ZONES = {
    "es": "Europe/Madrid",
    "pt": "America/Sao_Paulo",
    "en": "Europe/London",
    "fr": "Europe/Paris",
    "ar": "Africa/Cairo",
    "pl": "Europe/Warsaw",
}
TOPICS = tuple(Topic)
# A few words of lived experience per topic: what the text part of the score compares.
WORDS = {
    Topic.GRIEF: "lost my father last spring and the evenings are the hardest",
    Topic.NEW_PARENTHOOD: "first baby, no sleep, and I feel like I am failing at it",
    Topic.ADDICTION_RECOVERY: "two years sober after drinking through my twenties",
    Topic.CHRONIC_ILLNESS: "living with pain every day since the diagnosis",
    Topic.LONELINESS: "moved to a new city and I do not know anyone here",
    Topic.ANXIETY: "panic before every meeting, my heart races and I cannot breathe",
    Topic.DEPRESSION: "some weeks I cannot get out of bed or answer my phone",
    Topic.CAREGIVING: "caring for my mother with dementia while working full time",
    Topic.DIVORCE: "separated after twelve years and sharing the children now",
    Topic.JOB_LOSS: "laid off after fifteen years and the savings are running out",
}
# Matching's metrics read per replica.
SUPPORTERS = "kindred_matching_supporters"
BATCH_SECONDS = "kindred_matching_batch_seconds_sum"
PROPOSED = "kindred_matches_proposed_total"
HANDLED = "kindred_events_handled_total"
OWNED = "kindred_partitions_owned"
LAG = "kindred_consumer_lag"
# The services as deployed but quiet (per-request INFO lines cost CPU), pooled by language.
SERVICE_ENV = {
    "LOG_LEVEL": "WARNING",
    "MATCHING_POOL_KEY": "language",
    "KAFKA_TOPIC_PARTITIONS": str(PARTITIONS),
}


@dataclass(frozen=True)
class Args:
    requests: int
    supporters: int
    concurrency: int
    scale_replicas: tuple[int, ...]
    replicas: dict[str, int]
    namespace: str | None
    timeout: float
    kafka: str
    mongodb_url: str


def counts(text: str) -> tuple[int, ...]:
    """`1,2,3` → (1, 2, 3): replica counts, each at least 1, none twice."""
    try:
        values = tuple(int(item) for item in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError("expected counts such as 1,2,3") from None
    if not values or min(values) < 1 or len(set(values)) != len(values):
        raise argparse.ArgumentTypeError("expected distinct counts of at least 1, e.g. 1,2,3")
    return values


def parse_args(argv: Sequence[str] | None = None) -> Args:
    parser = argparse.ArgumentParser(
        prog="python -m kindred.devtools.bench --scale",
        description="The pipeline with 1, 2 and 3 matching replicas on six language pools: "
        "throughput, latency, quality and the pools each replica owns, a round per count.",
    )
    add = parser.add_argument
    add("--requests", type=int, default=3000, help="support requests per round (3000)")
    add("--supporters", type=int, default=600, help="supporters per pool (600)")
    add("--concurrency", type=int, default=64, help="requests in flight, closed loop (64)")
    add("--scale-replicas", type=counts, default=(1, 2, 3), help="matching replicas (1,2,3)")
    add_common(parser, example="notifications=2,gateway=2", timeout=1800.0)
    ns = parser.parse_args(argv)
    if min(ns.requests, ns.supporters, ns.concurrency) < 1 or ns.timeout <= 0:
        parser.error("--requests, --supporters, --concurrency and --timeout must be positive")
    if "matching" in ns.replicas:
        parser.error("matching's replicas are --scale-replicas")
    kafka, mongodb_url = servers(parser)
    return Args(**vars(ns), kafka=kafka, mongodb_url=mongodb_url)


# ---------------------------------------------------------------- the population


def spread(i: int) -> tuple[str, int]:
    """Seeker i's language and their index among its speakers: round robin over the pools."""
    return LANGUAGES[i % len(LANGUAGES)], i // len(LANGUAGES)


def supporter_topics(j: int) -> list[Topic]:
    """Two or three topics for the pool's supporter j; every topic is some supporters' first."""
    return sorted({TOPICS[j % 10], TOPICS[(j * 3 + 1) % 10], TOPICS[(j * 7 + 4) % 10]})


def capacity(j: int) -> int:
    return 1 + j % 4


def slots(supporters: int) -> int:
    """The free slots of a pool with this many supporters."""
    return sum(capacity(j) for j in range(supporters))


def seeker_topics(k: int) -> list[Topic]:
    """One topic for even k, mostly two for odd k (k: the seeker's index in their pool)."""
    return sorted({TOPICS[k % 10], TOPICS[(k * 3 + 2) % 10] if k % 2 else TOPICS[k % 10]})


def _profile(roles: list[str], language: str, topics: list[Topic], n: int, room: int) -> bytes:
    start = (n * 5) % 24
    return json.dumps(
        {
            "roles": roles,
            "topics": [t.value for t in topics],
            "topics_free_text": ". ".join(WORDS[t] for t in topics),
            "languages": [language],
            "time_zone": TIME_ZONES[language],
            "age_band": "35-44",
            "capacity": room,
            "availability": [{"start_hour": start, "end_hour": (start + 8) % 24}],
        }
    ).encode()


def supporter_profile(language: str, j: int) -> bytes:
    return _profile(["supporter"], language, supporter_topics(j), j, capacity(j))


def seeker_profile(i: int) -> bytes:
    language, k = spread(i)
    return _profile(["seeker"], language, seeker_topics(k), k, 0)


def support_request(i: int) -> bytes:
    language, k = spread(i)
    topics = seeker_topics(k)
    text = f"{WORDS[topics[-1]]}; {WORDS[topics[0]]}" if len(topics) > 1 else WORDS[topics[0]]
    return json.dumps(
        {"topics": [t.value for t in topics], "language": language, "whats_going_on": text}
    ).encode()


# ---------------------------------------------------------------- metrics, CPU


def sample_sum(text: str, name: str, **labels: str) -> float:
    """Sum of the samples called `name` whose labels include `labels`."""
    return sum(
        s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == name and all(s.labels.get(k) == v for k, v in labels.items())
    )


def pools_owned(text: str, pool_input: str) -> tuple[str, ...]:
    """The pools a replica holds: those whose key falls in a partition of the pool-input
    topic its consumer-lag gauge reports (it reports the partitions it owns)."""
    owned = {
        int(s.labels["partition"])
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == LAG and s.labels.get("topic") == pool_input
    }
    return tuple(p for p in LANGUAGES if partition_for(p, PARTITIONS) in owned)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (/proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_seconds() -> float:
    """CPU time every core spent busy so far (/proc/stat: all but idle and iowait)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


GROUPS = {"checkins": "checkins+casework", "casework": "checkins+casework"}
STACK = ("Kafka", "FerretDB", "PostgreSQL")
OTHER = "other"  # the machine's busy time no process of the run accounts for
Snapshot = tuple[float, dict[int, float]]  # the machine's busy seconds, each process's


def stack_processes(stack_dir: str) -> dict[int, str]:
    """The private stack's processes (their command line names its directory): Kafka, FerretDB
    and PostgreSQL with its backends (the postmaster's children)."""
    found: dict[int, str] = {}
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            parents[int(entry.name)] = int(
                (entry / "stat").read_text().rpartition(")")[2].split()[1]
            )
        except (OSError, ValueError, IndexError):
            continue
        if stack_dir in command:
            for group, marker in zip(STACK, ("kafka.Kafka", "ferretdb", "postgres"), strict=True):
                if marker in command:
                    found[int(entry.name)] = group
                    break
    for pid, parent in parents.items():
        if found.get(parent) == "PostgreSQL":
            found[pid] = "PostgreSQL"
    return found


def processes(platform: Platform) -> dict[int, str]:
    """The run's processes by group: each service (each matching replica on its own), the
    private stack's servers when scripts/bench started them, and this bench."""
    out = {os.getpid(): "bench"}
    if stack_dir := os.environ.get("KINDRED_STACK_DIR"):
        out |= stack_processes(os.path.realpath(stack_dir))
    for name in SERVICES:
        for i, service in enumerate(platform.instances(name)):
            if service.process is not None:
                group = f"matching-{i}" if name == "matching" else GROUPS.get(name, name)
                out[service.process.pid] = group
    return out


def cpu_snapshot(pids: Collection[int]) -> Snapshot:
    seconds = {}
    for pid in pids:
        try:
            seconds[pid] = cpu_seconds(pid)
        except (OSError, ValueError, IndexError):  # gone meanwhile
            continue
    return machine_seconds(), seconds


def cores_used(
    groups: dict[int, str], before: Snapshot, after: Snapshot, seconds: float
) -> dict[str, float]:
    """Cores each group kept busy between two snapshots (`machine`: all of them; `OTHER`: what
    no process of the run accounts for, such as other jobs on the machine)."""
    used = {"machine": (after[0] - before[0]) / seconds}
    for pid, group in groups.items():
        if pid in before[1] and pid in after[1]:
            used[group] = used.get(group, 0.0) + (after[1][pid] - before[1][pid]) / seconds
    accounted = sum(v for k, v in used.items() if k != "machine")
    used[OTHER] = max(0.0, used["machine"] - accounted)
    return used


# ---------------------------------------------------------------- a round


@dataclass
class Row:
    """What one round measured."""

    replicas: int
    accepted: int
    delivered: int
    throughput: float  # requests/s, first 202 → last seeker inbox entry
    p50: float  # ms, 202 → seeker inbox entry
    p99: float
    proposed: float  # share of the accepted requests with a stored proposal
    score: float  # mean score of those proposals
    pools: tuple[tuple[str, ...], ...]  # per matching replica
    busy: tuple[float, ...]  # per matching replica: batch seconds ÷ wall seconds
    cores: dict[str, float] = field(default_factory=dict)  # by group, during the load
    alone: Alone | None = None  # the second load: straight to Kafka, notifications stopped


@dataclass(frozen=True)
class Alone:
    """Matching alone: requests produced straight to its topic (no gateway), notifications
    stopped; from the first produce to the last proposal stored."""

    requests: int
    proposed: int
    seconds: float
    cores: dict[str, float]

    @property
    def rate(self) -> float:
        return rate(self.proposed, self.seconds)


async def scrape(http: aiohttp.ClientSession, instance: ServiceProcess) -> str:
    async with http.get(f"{instance.url}/metrics") as response:
        return await response.text()


class Round:
    """One round's steps on a running platform: its members' ids start with `run`."""

    def __init__(
        self,
        platform: Platform,
        pipeline: Pipeline,
        http: aiohttp.ClientSession,
        mongo: AsyncMongoClient[Document],
        args: Args,
    ) -> None:
        self.platform, self.pipeline, self.http, self.mongo = platform, pipeline, http, mongo
        self.args, self.deadline, self.gateway = args, pipeline.deadline, pipeline.gateway
        self.replicas = len(platform.instances("matching"))
        self.prefix = f"{pipeline.run}-s-"
        self.seekers = [f"{self.prefix}{i:06d}" for i in range(args.requests)]
        self.number = {s: i for i, s in enumerate(self.seekers)}

    def topic(self, base: str) -> str:
        return topic_name(self.platform.namespace, base)

    async def metrics(self) -> list[str]:
        """Every matching replica's metrics."""
        instances = self.platform.instances("matching")
        return list(await asyncio.gather(*(scrape(self.http, m) for m in instances)))

    async def until(self, what: str, target: float, name: str, **labels: str) -> None:
        """Wait until matching's `name` (summed over replicas) reaches `target`."""

        async def probe() -> float:
            return sum(sample_sum(t, name, **labels) for t in await self.metrics())

        if await wait_for(probe, target, self.deadline, what) < target:
            raise RuntimeError(f"{what}: not reached")

    async def owned(self) -> None:
        """Every replica holds partitions (while the group settles, some hold none)."""
        await self.until("matching's partitions assigned", PARTITIONS, OWNED)
        for _ in range(int(STALL_SECONDS / POLL_SECONDS)):
            held = [sample_sum(t, OWNED) for t in await self.metrics()]
            if min(held) >= 1 or self.replicas > PARTITIONS:
                return
            await asyncio.sleep(POLL_SECONDS)
        raise RuntimeError(f"a matching replica holds no partition: {held}")

    async def members(self) -> None:
        """The supporters (usable: the role granted), then the seekers' profiles (placed)."""
        args, gateway = self.args, self.gateway
        say(f"{args.supporters} supporters in each of the {len(LANGUAGES)} pools")
        run = self.pipeline.run
        ids = [f"{run}-p-{lang}-{j:04d}" for lang in LANGUAGES for j in range(args.supporters)]

        async def supporter(member_id: str) -> None:
            language, j = member_id.split("-")[-2:]
            await gateway.put_profile(member_id, supporter_profile(language, int(j)))
            await gateway.grant(member_id)

        await self.pipeline.setup(ids, supporter)
        await self.until("supporters usable", len(ids), SUPPORTERS)
        say(f"{args.requests} seeker profiles, spread over {', '.join(LANGUAGES)}")
        number = self.number
        await self.pipeline.setup(
            self.seekers, lambda s: gateway.put_profile(s, seeker_profile(number[s]))
        )
        topic = self.topic(PROFILE_SUBMITTED)
        await self.until("profiles placed", len(ids) + len(self.seekers), HANDLED, topic=topic)

    async def load(self) -> Row:
        """The support requests, closed loop, until every seeker has an inbox entry; then the
        round's figures."""
        args, pipeline = self.args, self.pipeline
        inbox_before = total(await pipeline.metric("notifications", INBOX_METRIC))
        if inbox_before is None:
            raise RuntimeError(f"notifications does not export {INBOX_METRIC}")
        batch_before = [sample_sum(t, BATCH_SECONDS) for t in await self.metrics()]
        groups = processes(self.platform)
        cpu_before, started = cpu_snapshot(groups), time.monotonic()
        say(f"sending {args.requests} support requests, {args.concurrency} in flight")
        number = self.number
        send = closed_loop(args.concurrency, lambda s: support_request(number[s]))
        load = await send(self.gateway, self.seekers)
        if load.failed:
            say(f"not accepted: {dict(load.failed)}")

        async def delivered() -> float:  # 2 entries a request: the seeker's, the supporter's
            now = total(await pipeline.metric("notifications", INBOX_METRIC)) or 0.0
            return (now - inbox_before) / 2

        await wait_for(delivered, len(load.accepted), self.deadline, "inbox entries")
        wall = time.monotonic() - started
        cpu_after = cpu_snapshot(groups)
        metrics = await self.metrics()
        busy = tuple(
            rate(sample_sum(t, BATCH_SECONDS) - b, wall)
            for t, b in zip(metrics, batch_before, strict=True)
        )
        pool_input = self.topic(POOL_INPUT)
        selector = {"member_id": {"$regex": f"^{re.escape(self.prefix)}"}}
        projection = {"member_id": 1, "data.request_id": 1, "created_at": 1}
        entries = [doc async for doc in pipeline.inbox.find(selector, projection=projection)]
        phase = summarize(f"m{self.replicas}", load, entries, None)
        await self.stored()
        proposed, score = await self.quality(load)
        return Row(
            replicas=self.replicas,
            accepted=len(load.accepted),
            delivered=phase.delivered,
            throughput=phase.e2e_rate,
            p50=phase.p(50),
            p99=phase.p(99),
            proposed=proposed,
            score=score,
            pools=tuple(pools_owned(t, pool_input) for t in metrics),
            busy=busy,
            cores=cores_used(groups, cpu_before, cpu_after, wall),
        )

    async def matches(self, prefix: str) -> list[Document]:
        """The stored matches of the seekers whose ids start with `prefix` (the newest version
        of each)."""
        matches = self.mongo[f"{self.platform.namespace}_matching"]["matches"]
        selector = {"seeker_id": {"$regex": f"^{re.escape(prefix)}"}}
        fields = {"key": 1, "ver": 1, "request_id": 1, "score": 1, "attempt": 1, "proposed_at": 1}
        return list(newest(await matches.find(selector, fields).to_list(None)).values())

    async def stored(self) -> None:
        """Wait until matching's writes stop moving (they go behind its events), 10 s at most."""
        last = -1.0
        for _ in range(int(10 / POLL_SECONDS)):
            now = sum(sample_sum(t, WRITES_METRIC) for t in await self.metrics())
            if now == last:
                return
            last = now
            await asyncio.sleep(POLL_SECONDS)

    async def quality(self, load: Load) -> tuple[float, float]:
        """(The share of the accepted requests proposed, the mean score of their first
        proposals), from the stored matches."""
        return proposal_quality(await self.matches(self.prefix), load.accepted.keys())

    async def alone(self) -> Alone:
        """Matching's own rate: as many requests again from seekers of their own, profiles and
        requests produced straight to Kafka as the gateway would, with notifications stopped
        (what is left: matching, Kafka, FerretDB); from the first request produced to the
        last proposal's `proposed_at` (the same clock)."""
        count, run, source = self.args.requests, self.pipeline.run, "kindred/bench"
        seekers = [f"{run}-q-{i:06d}" for i in range(count)]
        profiles = [
            ProfileSubmitted.new(
                data=ProfileSubmittedData.model_validate(
                    json.loads(seeker_profile(i)) | {"member_id": s}
                ),
                subject=s,
                source=source,
            )
            for i, s in enumerate(seekers)
        ]
        requests = [
            SupportRequested.new(
                data=SupportRequestedData.model_validate(
                    json.loads(support_request(i)) | {"request_id": f"{s}-r", "seeker_id": s}
                ),
                subject=s,
                source=source,
            )
            for i, s in enumerate(seekers)
        ]
        placed = sum(
            sample_sum(t, HANDLED, topic=self.topic(PROFILE_SUBMITTED))
            for t in await self.metrics()
        )
        say(f"matching alone: {count} more seekers' profiles, straight to Kafka")
        await produce(self.args.kafka, self.platform.namespace, list(profiles))
        topic = self.topic(PROFILE_SUBMITTED)
        await self.until("profiles placed", placed + count, HANDLED, topic=topic)
        for service in self.platform.instances("notifications"):
            service.stop()
        proposed_before = sum(sample_sum(t, PROPOSED) for t in await self.metrics())
        groups = processes(self.platform)
        cpu_before, started = cpu_snapshot(groups), time.time()
        say(f"matching alone: {count} support requests, straight to Kafka")
        await produce(self.args.kafka, self.platform.namespace, list(requests))

        async def proposals() -> float:
            return sum(sample_sum(t, PROPOSED) for t in await self.metrics()) - proposed_before

        await wait_for(proposals, count, self.deadline, "proposals")
        cpu_after, wall = cpu_snapshot(groups), time.time() - started
        await self.stored()  # the proposals' matches
        found = [m for m in await self.matches(f"{run}-q-") if int(m["attempt"]) == 1]
        last = max((m["proposed_at"].timestamp() for m in found), default=math.nan)
        return Alone(
            requests=count,
            proposed=len(found),
            seconds=last - started,
            cores=cores_used(groups, cpu_before, cpu_after, wall),
        )


def proposal_quality(matches: list[Document], accepted: Collection[str]) -> tuple[float, float]:
    """(Share of `accepted` with a proposal among `matches`, the mean score of each one's
    first proposal)."""
    first: dict[str, float] = {}
    for doc in sorted(matches, key=lambda d: int(d["attempt"])):
        if doc["request_id"] in accepted:
            first.setdefault(str(doc["request_id"]), float(doc["score"]))
    share = len(first) / len(accepted) if accepted else math.nan
    return share, (sum(first.values()) / len(first) if first else math.nan)


async def one_round(platform: Platform, args: Args, deadline: Deadline) -> Row:
    mongo: AsyncMongoClient[Document] = AsyncMongoClient(
        args.mongodb_url, tz_aware=True, serverSelectionTimeoutMS=5000, appname="kindred-bench"
    )
    try:
        async with session() as http:
            pipeline = Pipeline(platform, http, mongo, deadline, f"c{secrets.token_hex(3)}")
            steps = Round(platform, pipeline, http, mongo, args)
            await steps.owned()
            await steps.members()
            row = await steps.load()
            row.alone = await steps.alone()
            return row
    finally:
        await mongo.close()


# ---------------------------------------------------------------- the report

HEADER = (
    "matching replicas",
    "throughput req/s",
    "ratio to 1 replica",
    "p50 ms",
    "p99 ms",
    "proposed %",
    "mean score",
    "pools per replica",
    "matching busy (batch s ÷ wall)",
    "matching alone req/s",
    "its ratio to 1 replica",
)


def pools_cell(pools: tuple[tuple[str, ...], ...]) -> str:
    """`2+4 (es,pt / en,fr,ar,pl)`: how many pools each replica owns, and which."""
    numbers = "+".join(str(len(p)) for p in pools)
    return f"{numbers} ({' / '.join(','.join(p) or '-' for p in pools)})"


def markdown(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    return [
        f"| {' | '.join(header)} |",
        f"|{'|'.join(' --- ' for _ in header)}|",
        *(f"| {' | '.join(row)} |" for row in rows),
    ]


def table(rows: Sequence[Row]) -> list[str]:
    """The scaling table (Markdown): throughput beside the 1-replica round's (else the first's)."""
    first = next((r for r in rows if r.replicas == 1), rows[0] if rows else None)
    base = first.throughput if first else math.nan
    alone = first.alone.rate if first and first.alone else math.nan
    cells = [
        (
            str(r.replicas),
            f"{r.throughput:.0f}",
            ratio(r.throughput, base),
            f"{r.p50:.0f}",
            f"{r.p99:.0f}",
            f"{100 * r.proposed:.1f}",
            f"{r.score:.3f}",
            pools_cell(r.pools),
            " / ".join(f"{100 * b:.0f}%" for b in r.busy),
            f"{r.alone.rate:.0f}" if r.alone else "-",
            ratio(r.alone.rate, alone) if r.alone else "-",
        )
        for r in rows
    ]
    return markdown(HEADER, cells)


def ratio(value: float, base: float) -> str:
    return f"{value / base:.2f}" if base > 0 and not math.isnan(value) else "-"


ALONE_GROUPS = (*STACK, "bench", OTHER)


def alone_table(rows: Sequence[Row], cores: int) -> list[str]:
    """Matching alone: its rate, what it proposed, and the cores each group kept busy."""
    header = (
        "matching replicas",
        "requests",
        "proposed",
        "seconds",
        "req/s",
        "matching (each)",
        *ALONE_GROUPS,
        f"machine (of {cores})",
    )
    cells = []
    for r in rows:
        if (a := r.alone) is None:
            continue
        each = [v for k, v in sorted(a.cores.items()) if k.startswith("matching-")]
        cells.append(
            (
                str(r.replicas),
                str(a.requests),
                str(a.proposed),
                f"{a.seconds:.1f}",
                f"{a.rate:.0f}",
                f"{sum(each):.2f} ({' / '.join(f'{v:.2f}' for v in each)})",
                *(f"{a.cores[g]:.2f}" if g in a.cores else "-" for g in ALONE_GROUPS),
                f"{a.cores.get('machine', 0.0):.2f}",
            )
        )
    return markdown(header, cells)


CPU_GROUPS = ("gateway", "notifications", "checkins+casework", *STACK, "bench", OTHER)


def cpu_table(rows: Sequence[Row], cores: int) -> list[str]:
    """Cores each group of processes kept busy during each round's load, and the rate at
    which the busiest matching replica would fill one core (the throughput ÷ its cores: a
    linear estimate of matching's own ceiling, one core a replica)."""
    header = (
        "matching replicas",
        "matching (each)",
        *CPU_GROUPS,
        f"machine (of {cores})",
        "matching ceiling req/s",
    )
    cells = []
    for r in rows:
        each = [v for k, v in sorted(r.cores.items()) if k.startswith("matching-")]
        cells.append(
            (
                str(r.replicas),
                f"{sum(each):.2f} ({' / '.join(f'{v:.2f}' for v in each)})",
                *(f"{r.cores[g]:.2f}" if g in r.cores else "-" for g in CPU_GROUPS),
                f"{r.cores.get('machine', 0.0):.2f}",
                f"{r.throughput / max(each):.0f}" if each and max(each) > 0 else "-",
            )
        )
    return markdown(header, cells)


def bound(row: Row, cores: int) -> str:
    """What bounded a round's throughput, as far as the CPU figures tell."""
    machine = row.cores.get("machine", 0.0)
    each = [v for k, v in row.cores.items() if k.startswith("matching-")]
    busiest, other = max(each, default=0.0), row.cores.get(OTHER, 0.0)
    solves = " / ".join(f"{100 * b:.0f}%" for b in row.busy)
    if machine >= 0.85 * cores:
        rest = machine - sum(each) - other
        return (
            f"the {cores} cores were saturated ({machine:.2f} busy): the CPU the pipeline shares "
            f"bounds the throughput, not matching, which used {sum(each):.2f} cores (solving "
            f"{solves} of the time, per replica) against {rest:.2f} for the rest of the run "
            f"(the other services, Kafka, FerretDB, PostgreSQL, the bench)"
            + (f", and {other:.2f} for other jobs on the machine" if other >= 0.1 else "")
        )
    if busiest >= 0.85:
        return f"a matching replica was CPU-bound ({busiest:.2f} cores): matching bounds it"
    return (
        f"neither the cores ({machine:.2f} of {cores} busy) nor a matching replica "
        f"({busiest:.2f}) was saturated: the requests in flight and the pipeline's latency "
        "bound it"
    )


def print_report(args: Args, rows: Sequence[Row]) -> None:
    cores = os.cpu_count() or 1
    per_pool = math.ceil(args.requests / len(LANGUAGES))
    print(
        f"\nscaling: {args.requests} support requests ({per_pool} per pool, {args.concurrency} "
        f"in flight, closed loop); {len(LANGUAGES)} pools ({', '.join(LANGUAGES)}) by language, "
        f"{PARTITIONS} partitions; {args.supporters} supporters per pool "
        f"({slots(args.supporters)} slots each); {cores} cores"
    )
    if not rows:
        print("  no round finished")
        return
    print("\n".join(table(rows)))
    print("\ncores busy during the load (CPU seconds ÷ wall seconds):")
    print("\n".join(cpu_table(rows, cores)))
    if any(r.alone for r in rows):
        print("\nmatching alone (requests straight to Kafka, notifications stopped):")
        print("\n".join(alone_table(rows, cores)))
    for r in rows:
        lost = (
            f"; {r.accepted - r.delivered} of {r.accepted} not in the inbox"
            if r.delivered < r.accepted
            else ""
        )
        print(f"  {r.replicas} replica(s): {bound(r, cores)}{lost}")


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)  # stop the services on `kill`, as on Ctrl-C
    base = args.namespace or f"bench{secrets.token_hex(4)}"
    tmp = Path(tempfile.mkdtemp(prefix="kindred-bench-scale-"))
    deadline = Deadline(args.timeout)
    if slots(args.supporters) < 2 * math.ceil(args.requests / len(LANGUAGES)):
        say("fewer slots in a pool than its requests (both loads): some will not be proposed")
    say(f"namespaces {base}m<replicas>, logs {tmp}")
    rows: list[Row] = []
    error: BaseException | None = None
    for replicas in args.scale_replicas:
        platform = Platform(
            args.kafka, args.mongodb_url, f"{base}m{replicas}", tmp / f"matching{replicas}",
            extra_env=SERVICE_ENV, replicas={**args.replicas, "matching": replicas},
        )  # fmt: skip
        try:
            say(f"round with {replicas} matching replica(s): starting the services")
            platform.start(timeout=min(120.0, deadline.left()))
            work = one_round(platform, args, deadline)
            rows.append(asyncio.run(asyncio.wait_for(work, timeout=max(1.0, deadline.left()))))
        except (Exception, KeyboardInterrupt) as exc:
            error = exc
            say(f"stopped: {exc!r}")
            for service in platform.all():
                if tail := service.tail(10):
                    say(f"--- last lines of {service.log_path}:\n{tail}")
            break
        finally:
            platform.stop()
    print_report(args, rows)
    complete = len(rows) == len(args.scale_replicas)
    if (
        error is None
        and complete
        and all(r.delivered == r.accepted and r.proposed == 1 for r in rows)
        and all(r.alone is not None and r.alone.proposed == r.alone.requests for r in rows)
    ):
        shutil.rmtree(tmp, ignore_errors=True)
        return 0
    say(f"a round failed or left requests without a proposal; logs kept in {tmp}")
    return 130 if isinstance(error, KeyboardInterrupt) else 1
