"""Benchmark (not a test): push N support requests through gateway → matching → notifications
on real processes and print throughput and latency, next to the raw aiokafka rate measured on
the same broker in the same run.

    python -m kindred.devtools.bench [--requests N] [--supporters S] [--concurrency C]
                                     [--raw-messages M] [--timeout SECONDS]

Needs KAFKA_BOOTSTRAP_SERVERS and MONGODB_URL (`scripts/bench` provides a private stack when
they are not set). Uses a fresh namespace `bench<hex>`; topics and databases of that namespace
are left on the broker and the database server. Service logs go to a temporary directory that
is removed at the end unless something went wrong or the logs hold errors.

Latency is measured per request from the moment the gateway's 202 reached this process
(`time.time()`) to the `created_at` of the seeker's inbox entry (written by the notifications
process, millisecond precision, same machine and clock).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import secrets
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.structs import TopicPartition
from pymongo import AsyncMongoClient

from kindred.devtools.processes import Platform
from kindred.gateway.auth import issue_token
from kindred.gateway.settings import GatewaySettings

Document = dict[str, Any]

SUPPORTER_CAPACITY = 50  # the maximum a profile allows
MATCHING_CANDIDATE_LIMIT = 200  # MatchingSettings.candidate_limit default
SEEKER_PREFIX = "bench-seeker-"
SUPPORTER_PREFIX = "bench-supporter-"
RTT_SAMPLE = 500
PRODUCE_BATCH = 1000
STALL_SECONDS = 120.0  # give up waiting when no new inbox entry arrives for this long
RAW_RESERVE_SECONDS = 60.0  # of the overall limit, kept for the raw Kafka measurement
# Counting the inbox costs the database a scan (FerretDB); poll gently so as not to slow the
# pipeline under test. The figures come from the entries' timestamps, not from the polling.
INBOX_POLL_SECONDS = 1.0

SUPPORTER_PROFILE: dict[str, Any] = {
    "roles": ["supporter"],
    "topics": ["grief"],
    "languages": ["en"],
    "time_zone": "Europe/London",
    "age_band": "35-44",
    "capacity": SUPPORTER_CAPACITY,
}
SUPPORT_REQUEST: dict[str, Any] = {
    "topics": ["grief"],
    "language": "en",
    "whats_going_on": "Lost my dad last month.",
}


def say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- arguments and helpers


@dataclass(frozen=True)
class Args:
    requests: int
    supporters: int
    concurrency: int
    raw_messages: int
    timeout: float
    kafka: str
    mongodb_url: str


def parse_args(argv: Sequence[str] | None = None) -> Args:
    parser = argparse.ArgumentParser(
        prog="python -m kindred.devtools.bench",
        description="Push support requests through gateway → matching → notifications on real "
        "processes; compare with the raw aiokafka rate on the same broker.",
    )
    parser.add_argument("--requests", type=int, default=500, help="support requests (500)")
    parser.add_argument(
        "--supporters",
        type=int,
        default=None,
        help=f"supporter profiles (default: ceil(N/{SUPPORTER_CAPACITY})+1)",
    )
    parser.add_argument("--concurrency", type=int, default=32, help="HTTP requests in flight (32)")
    parser.add_argument(
        "--raw-messages", type=int, default=20000, help="messages for the raw Kafka rate (20000)"
    )
    parser.add_argument(
        "--timeout", type=float, default=900.0, help="overall limit in seconds (900)"
    )
    ns = parser.parse_args(argv)
    requests: int = ns.requests
    concurrency: int = ns.concurrency
    raw_messages: int = ns.raw_messages
    timeout: float = ns.timeout
    supporters: int = (
        ns.supporters if ns.supporters is not None else math.ceil(requests / SUPPORTER_CAPACITY) + 1
    )
    if requests < 1 or concurrency < 1 or raw_messages < 1 or timeout <= 0:
        parser.error("--requests, --concurrency, --raw-messages and --timeout must be positive")
    if supporters * SUPPORTER_CAPACITY < requests:
        parser.error(
            f"{supporters} supporters x {SUPPORTER_CAPACITY} slots cannot take {requests} requests"
        )
    kafka = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "")
    mongodb_url = os.environ.get("MONGODB_URL", "")
    if not kafka or not mongodb_url:
        parser.error("set KAFKA_BOOTSTRAP_SERVERS and MONGODB_URL (or use scripts/bench)")
    return Args(requests, supporters, concurrency, raw_messages, timeout, kafka, mongodb_url)


class Deadline:
    """The overall time limit; every wait takes the smaller of its own limit and what is left."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def left(self, cap: float | None = None) -> float:
        left = max(0.0, self.at - time.monotonic())
        return left if cap is None else min(cap, left)

    def check(self, what: str) -> None:
        if self.left() <= 0:
            raise TimeoutError(f"overall timeout of {self.seconds:.0f}s reached during {what}")


async def wait_for(
    probe: Callable[[], Awaitable[int]],
    target: int,
    deadline: Deadline,
    *,
    what: str,
    timeout: float,  # noqa: ASYNC109
    interval: float = 0.2,
    stall: float | None = None,
    progress_every: float = 10.0,
) -> int:
    """Poll `probe` until it reaches `target`; bounded by time (and by `stall` without progress)."""
    limit = time.monotonic() + deadline.left(timeout)
    last_value, last_change, last_report = -1, time.monotonic(), time.monotonic()
    while True:
        value = await probe()
        now = time.monotonic()
        if value >= target:
            return value
        if value != last_value:
            last_value, last_change = value, now
        if now >= limit:
            raise TimeoutError(f"timed out waiting for {what}: {value}/{target}")
        if stall is not None and now - last_change > stall:
            raise TimeoutError(f"no progress for {stall:.0f}s waiting for {what}: {value}/{target}")
        if now - last_report >= progress_every:
            say(f"waiting for {what}: {value}/{target}")
            last_report = now
        await asyncio.sleep(interval)


def percentile(sorted_values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile of an ascending sequence."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else math.nan


# ---------------------------------------------------------------- pipeline


@dataclass
class PipelineResult:
    requests: int
    accepted: int
    failed: Counter[str]
    supporters: int
    concurrency: int
    setup_seconds: float
    http_seconds: float  # first request sent → last 202 received
    e2e_seconds: float  # first 202 received → last inbox entry created
    wall_seconds: float  # first request sent → last inbox entry created
    latencies_ms: list[float]  # 202 received → inbox entry, ascending, negatives clamped to 0
    from_send_ms: list[float]  # request sent → inbox entry, ascending
    negatives: int
    most_negative_ms: float
    missing: int
    duplicates: int

    @property
    def accept_rate(self) -> float:
        return rate(self.accepted, self.http_seconds)

    @property
    def e2e_rate(self) -> float:
        return rate(self.accepted - self.missing, self.e2e_seconds)


@dataclass
class Accepted:
    seeker_id: str
    sent: float  # time.time() just before the POST
    accepted: float  # time.time() when the 202 arrived


@dataclass
class Sender:
    """Sends the support requests from `concurrency` workers; one distinct seeker each."""

    http: httpx.AsyncClient
    gateway_url: str
    headers: list[dict[str, str]]
    accepted: dict[str, Accepted] = field(default_factory=dict)
    failed: Counter[str] = field(default_factory=Counter)
    next_index: int = 0

    async def worker(self) -> None:
        while self.next_index < len(self.headers):
            i = self.next_index
            self.next_index += 1
            seeker_id = f"{SEEKER_PREFIX}{i:06d}"
            url = f"{self.gateway_url}/v1/members/{seeker_id}/support-requests"
            sent = time.time()
            try:
                response = await self.http.post(url, json=SUPPORT_REQUEST, headers=self.headers[i])
            except httpx.HTTPError as exc:
                self.failed[type(exc).__name__] += 1
                continue
            arrived = time.time()
            if response.status_code == 202:
                request_id = str(response.json()["resource_id"])
                self.accepted[request_id] = Accepted(seeker_id, sent, arrived)
            else:
                self.failed[f"HTTP {response.status_code}"] += 1


def auth_headers(settings: GatewaySettings, member_id: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(settings, member_id)}"}


async def run_pipeline(platform: Platform, args: Args, deadline: Deadline) -> PipelineResult:
    settings = GatewaySettings()
    mongo: AsyncMongoClient[Document] = AsyncMongoClient(
        args.mongodb_url, tz_aware=True, serverSelectionTimeoutMS=5000, appname="kindred-bench"
    )
    profiles = mongo[f"{platform.namespace}_matching"]["profiles"]
    inbox = mongo[f"{platform.namespace}_notifications"]["inbox"]
    limits = httpx.Limits(
        max_connections=args.concurrency, max_keepalive_connections=args.concurrency
    )
    try:
        async with httpx.AsyncClient(timeout=30.0, limits=limits, trust_env=False) as http:
            setup_started = time.monotonic()
            say(f"creating {args.supporters} supporter profiles")
            for i in range(args.supporters):
                deadline.check("supporter profiles")
                member_id = f"{SUPPORTER_PREFIX}{i:04d}"
                response = await http.put(
                    f"{platform.gateway_url}/v1/members/{member_id}/profile",
                    json=SUPPORTER_PROFILE,
                    headers=auth_headers(settings, member_id),
                )
                if response.status_code != 202:
                    raise RuntimeError(
                        f"profile of {member_id}: HTTP {response.status_code} {response.text}"
                    )
            await wait_for(
                lambda: profiles.count_documents({}),
                args.supporters,
                deadline,
                what="supporter profiles stored by matching",
                timeout=120.0,
            )
            setup_seconds = time.monotonic() - setup_started

            headers = [
                auth_headers(settings, f"{SEEKER_PREFIX}{i:06d}") for i in range(args.requests)
            ]
            sender = Sender(http, platform.gateway_url, headers)
            say(f"sending {args.requests} support requests, {args.concurrency} in flight")
            first_sent = time.time()
            async with asyncio.timeout(deadline.left()):
                await asyncio.gather(*(sender.worker() for _ in range(args.concurrency)))
            if not sender.accepted:
                raise RuntimeError(f"no request was accepted: {dict(sender.failed)}")
            if sender.failed:
                say(f"requests not accepted: {dict(sender.failed)}")
            first_202 = min(a.accepted for a in sender.accepted.values())
            last_202 = max(a.accepted for a in sender.accepted.values())

            say(f"waiting for {len(sender.accepted)} seeker inbox entries")
            seekers = {"member_id": {"$regex": f"^{SEEKER_PREFIX}"}}
            try:
                await wait_for(
                    lambda: inbox.count_documents(seekers),
                    len(sender.accepted),
                    deadline,
                    what="seeker inbox entries",
                    timeout=max(10.0, deadline.left() - RAW_RESERVE_SECONDS),
                    interval=INBOX_POLL_SECONDS,
                    stall=STALL_SECONDS,
                )
            except TimeoutError as exc:
                say(f"{exc}; reporting what arrived")
            entries = [
                doc
                async for doc in inbox.find(
                    seekers, projection={"member_id": 1, "data.request_id": 1, "created_at": 1}
                )
            ]
    finally:
        await mongo.close()

    latencies: list[float] = []
    from_send: list[float] = []
    negatives, most_negative = 0, 0.0
    seen: Counter[str] = Counter()
    last_entry = first_202
    for entry in entries:
        request_id = str(entry["data"]["request_id"])
        seen[request_id] += 1
        origin = sender.accepted.get(request_id)
        if origin is None or seen[request_id] > 1:
            continue
        created = float(entry["created_at"].timestamp())
        last_entry = max(last_entry, created)
        latency = (created - origin.accepted) * 1000
        if latency < 0:
            negatives += 1
            most_negative = min(most_negative, latency)
        latencies.append(max(0.0, latency))
        from_send.append((created - origin.sent) * 1000)
    latencies.sort()
    from_send.sort()
    return PipelineResult(
        requests=args.requests,
        accepted=len(sender.accepted),
        failed=sender.failed,
        supporters=args.supporters,
        concurrency=args.concurrency,
        setup_seconds=setup_seconds,
        http_seconds=last_202 - first_sent,
        e2e_seconds=last_entry - first_202,
        wall_seconds=last_entry - first_sent,
        latencies_ms=latencies,
        from_send_ms=from_send,
        negatives=negatives,
        most_negative_ms=most_negative,
        missing=len(set(sender.accepted) - set(seen)),
        duplicates=sum(n - 1 for n in seen.values() if n > 1),
    )


# ---------------------------------------------------------------- raw aiokafka


@dataclass
class RawResult:
    messages: int
    message_bytes: int
    produce_seconds: float
    consume_seconds: float
    join_seconds: float
    consumed: int
    rtt_ms: list[float]  # send → consumed, ascending
    ack_ms: list[float]  # send_and_wait duration, ascending

    @property
    def produce_rate(self) -> float:
        return rate(self.messages, self.produce_seconds)

    @property
    def consume_rate(self) -> float:
        return rate(self.consumed, self.consume_seconds)

    @property
    def combined_rate(self) -> float:
        return rate(self.consumed, self.produce_seconds + self.consume_seconds)


def raw_message(i: int) -> tuple[bytes, bytes]:
    """A key and ~600 bytes of JSON shaped like a support.requested event."""
    seeker = f"{SEEKER_PREFIX}{i:06d}"
    body = {
        "specversion": "1.0",
        "id": f"{i:08d}-0000-4000-8000-{secrets.token_hex(6)}",
        "type": "kindred.support.requested.v1",
        "source": "kindred/bench",
        "time": time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime()),
        "subject": seeker,
        "correlationid": f"{i:08d}-0000-4000-8000-000000000000",
        "causationid": None,
        "datacontenttype": "application/json",
        "data": {
            "topics": ["grief"],
            "whats_going_on": "Lost my dad last month. " * 3,
            "language": "en",
            "urgency": "normal",
            "request_id": f"{i:08d}-1111-4000-8000-000000000000",
            "seeker_id": seeker,
        },
    }
    return seeker.encode(), json.dumps(body).encode()


async def create_topics(kafka: str, names: list[str], partitions: int) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka, client_id="kindred-bench")
    await admin.start()
    try:
        await admin.create_topics([NewTopic(n, partitions, 1) for n in names])
    finally:
        await admin.close()


async def run_raw(kafka: str, namespace: str, messages: int, deadline: Deadline) -> RawResult:
    topic, rtt_topic = f"{namespace}.bench.raw", f"{namespace}.bench.rtt"
    await create_topics(kafka, [topic, rtt_topic], partitions=3)
    payloads = [raw_message(i) for i in range(messages)]
    message_bytes = round(sum(len(v) for _, v in payloads) / messages)

    producer = AIOKafkaProducer(
        bootstrap_servers=kafka, acks="all", enable_idempotence=True, client_id="kindred-bench"
    )
    await producer.start()
    try:
        await producer.partitions_for(topic)  # metadata in hand before the clock starts
        await producer.partitions_for(rtt_topic)
        say(f"raw: producing {messages} messages of ~{message_bytes} bytes to {topic}")
        started = time.perf_counter()
        async with asyncio.timeout(deadline.left()):
            for offset in range(0, messages, PRODUCE_BATCH):
                futures = [
                    await producer.send(topic, value, key=key)
                    for key, value in payloads[offset : offset + PRODUCE_BATCH]
                ]
                await asyncio.gather(*futures)
        produce_seconds = time.perf_counter() - started

        say(f"raw: consuming them in group {namespace}.bench")
        consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=kafka,
            group_id=f"{namespace}.bench",
            client_id="kindred-bench",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
        )
        joining = time.perf_counter()
        await consumer.start()
        try:
            for _ in range(int(deadline.left(120.0) / 0.005)):  # poll for the assignment
                if consumer.assignment():
                    break
                await asyncio.sleep(0.005)
            else:
                raise TimeoutError("the bench consumer got no partitions")
            started = time.perf_counter()
            join_seconds = started - joining
            consumed = 0
            async with asyncio.timeout(deadline.left()):
                while consumed < messages:
                    batches = await consumer.getmany(timeout_ms=1000, max_records=5000)
                    consumed += sum(len(records) for records in batches.values())
            consume_seconds = time.perf_counter() - started
            await consumer.commit()
        finally:
            await consumer.stop()

        say(f"raw: round trip of {RTT_SAMPLE} messages sent one at a time")
        rtt_ms, ack_ms = await round_trips(kafka, producer, rtt_topic, deadline)
    finally:
        await producer.stop()
    return RawResult(
        messages=messages,
        message_bytes=message_bytes,
        produce_seconds=produce_seconds,
        consume_seconds=consume_seconds,
        join_seconds=join_seconds,
        consumed=consumed,
        rtt_ms=rtt_ms,
        ack_ms=ack_ms,
    )


async def round_trips(
    kafka: str, producer: AIOKafkaProducer, topic: str, deadline: Deadline
) -> tuple[list[float], list[float]]:
    """send_and_wait one message at a time while a consumer (assigned, no group) reads them."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=kafka,
        client_id="kindred-bench-rtt",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        partitions = await producer.partitions_for(topic)
        consumer.assign([TopicPartition(topic, p) for p in sorted(partitions or [])])
        sent: dict[int, float] = {}
        received: dict[int, float] = {}
        _, template = raw_message(0)

        async def read(until: int) -> None:
            while len(received) < until:
                batches = await consumer.getmany(timeout_ms=200)
                now = time.perf_counter()
                for records in batches.values():
                    for record in records:
                        received[int(record.key.decode())] = now

        ack_ms: list[float] = []
        async with asyncio.timeout(deadline.left(300.0)):
            # Warm up: the consumer is fetching before the first timed message goes out.
            reader = asyncio.create_task(read(1))
            await producer.send_and_wait(topic, template, key=b"-1")
            await reader
            received.clear()
            reader = asyncio.create_task(read(RTT_SAMPLE))
            for i in range(RTT_SAMPLE):
                sent[i] = time.perf_counter()
                await producer.send_and_wait(topic, template, key=str(i).encode())
                ack_ms.append((time.perf_counter() - sent[i]) * 1000)
            await reader
    finally:
        await consumer.stop()
    rtt = sorted((received[i] - sent[i]) * 1000 for i in sent if i in received)
    return rtt, sorted(ack_ms)


# ---------------------------------------------------------------- report


def print_pipeline(p: PipelineResult) -> None:
    lat, snd = p.latencies_ms, p.from_send_ms
    print()
    print("== pipeline: gateway → matching → notifications (real processes) ==")
    print(f"supporters             {p.supporters} x {SUPPORTER_CAPACITY} slots")
    print(f"setup (profiles)       {p.setup_seconds:.2f} s")
    print(f"requests               {p.requests} sent, {p.accepted} accepted (202)", end="")
    print(f", not accepted: {dict(p.failed)}" if p.failed else "")
    print(f"inbox entries          {len(lat)} (missing {p.missing}, duplicates {p.duplicates})")
    print(f"wall time              {p.wall_seconds:.2f} s (first request sent → last inbox entry)")
    print(f"HTTP accept            {p.accept_rate:.1f} req/s ({p.http_seconds:.2f} s to last 202)")
    print(
        f"end-to-end             {p.e2e_rate:.1f} events/s "
        f"({p.e2e_seconds:.2f} s, first 202 → last inbox entry)"
    )
    print(
        f"latency 202 → inbox    p50 {percentile(lat, 50):.0f} ms, p95 {percentile(lat, 95):.0f}"
        f" ms, p99 {percentile(lat, 99):.0f} ms, max {lat[-1] if lat else math.nan:.0f} ms"
    )
    print(
        f"latency POST → inbox   p50 {percentile(snd, 50):.0f} ms, p95 {percentile(snd, 95):.0f}"
        f" ms, p99 {percentile(snd, 99):.0f} ms, max {snd[-1] if snd else math.nan:.0f} ms"
    )
    if p.negatives:
        print(
            f"note                   {p.negatives} inbox entries were stamped before this "
            f"process saw their 202 (down to {p.most_negative_ms:.1f} ms); counted as 0 ms"
        )


def print_raw(r: RawResult) -> None:
    print()
    print("== raw aiokafka on the same broker ==")
    print(f"messages               {r.messages} x ~{r.message_bytes} bytes, 3 partitions")
    print(
        f"produce                {r.produce_rate:.0f} msgs/s ({r.produce_seconds:.2f} s; "
        f"acks=all, idempotent, send() in batches of {PRODUCE_BATCH})"
    )
    print(
        f"consume                {r.consume_rate:.0f} msgs/s ({r.consume_seconds:.2f} s; "
        f"after a {r.join_seconds:.2f} s group join)"
    )
    print(f"produce + consume      {r.combined_rate:.0f} msgs/s")
    print(
        f"round trip ({len(r.rtt_ms)})       p50 {percentile(r.rtt_ms, 50):.1f} ms, "
        f"p99 {percentile(r.rtt_ms, 99):.1f} ms (send_and_wait → consumed; "
        f"ack alone p50 {percentile(r.ack_ms, 50):.1f} ms)"
    )


def print_summary(p: PipelineResult | None, r: RawResult | None) -> None:
    rows: list[tuple[str, str]] = []
    if p is not None:
        lat = p.latencies_ms
        rows += [
            ("pipeline requests accepted", f"{p.accepted}/{p.requests}"),
            ("pipeline HTTP accept", f"{p.accept_rate:.1f} req/s"),
            ("pipeline end-to-end", f"{p.e2e_rate:.1f} events/s"),
            ("pipeline latency p50", f"{percentile(lat, 50):.0f} ms"),
            ("pipeline latency p95", f"{percentile(lat, 95):.0f} ms"),
            ("pipeline latency p99", f"{percentile(lat, 99):.0f} ms"),
            ("pipeline latency max", f"{lat[-1] if lat else math.nan:.0f} ms"),
        ]
    if r is not None:
        rows += [
            ("raw produce", f"{r.produce_rate:.0f} msgs/s"),
            ("raw consume", f"{r.consume_rate:.0f} msgs/s"),
            ("raw produce + consume", f"{r.combined_rate:.0f} msgs/s"),
            ("raw round trip p50", f"{percentile(r.rtt_ms, 50):.1f} ms"),
            ("raw round trip p99", f"{percentile(r.rtt_ms, 99):.1f} ms"),
        ]
    if p is not None and r is not None:
        rows.append(
            (
                "pipeline ÷ raw produce+consume",
                f"{p.e2e_rate / r.combined_rate:.2e} (1 : {r.combined_rate / p.e2e_rate:,.0f})",
            )
        )
    width = max(len(k) for k, _ in rows)
    vwidth = max(len(v) for _, v in rows)
    print()
    print("== summary ==")
    print(f"{'metric':<{width}}  {'value':>{vwidth}}")
    print(f"{'-' * width}  {'-' * vwidth}")
    for key, value in rows:
        print(f"{key:<{width}}  {value:>{vwidth}}")


def log_problems(platform: Platform) -> Counter[str]:
    """ERROR/CRITICAL records and tracebacks in the service logs, by service and message."""
    problems: Counter[str] = Counter()
    for name, service in platform.services.items():
        try:
            lines = service.log_path.read_text(errors="replace").splitlines()
        except OSError:
            continue
        for line in lines:
            try:
                record = json.loads(line)
            except ValueError:
                record = None
            if isinstance(record, dict):
                if record.get("level") in ("ERROR", "CRITICAL"):
                    problems[f"{name}: {str(record.get('message'))[:200]}"] += 1
            elif line.startswith("Traceback"):
                problems[f"{name}: traceback (not JSON)"] += 1
    return problems


def print_problems(problems: Counter[str], log_dir: Path) -> None:
    print()
    print(f"service log errors ({sum(problems.values())} lines, logs kept in {log_dir}):")
    for message, count in problems.most_common(8):
        print(f"  {count:>4} x {message}")
    if len(problems) > 8:
        print(f"  ... and {len(problems) - 8} more distinct messages")


# ---------------------------------------------------------------- main


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    deadline = Deadline(args.timeout)
    signal.signal(signal.SIGTERM, _terminate)  # stop the services on `kill`, as on Ctrl-C
    namespace = f"bench{secrets.token_hex(4)}"
    tmp = Path(tempfile.mkdtemp(prefix="kindred-bench-"))
    extra_env = {"LOG_LEVEL": "WARNING"}
    if args.supporters > MATCHING_CANDIDATE_LIMIT:  # else full supporters could hide free ones
        extra_env["CANDIDATE_LIMIT"] = str(min(10_000, args.supporters))
    platform = Platform(args.kafka, args.mongodb_url, namespace, tmp / "logs", extra_env=extra_env)
    say(f"namespace {namespace}, kafka {args.kafka}, mongodb {args.mongodb_url}, logs {tmp}")
    pipeline: PipelineResult | None = None
    raw: RawResult | None = None
    ok = False
    started = time.monotonic()
    try:
        say("starting notifications, matching, checkins, gateway")
        platform.start(timeout=deadline.left(120.0))
        say(f"services ready in {time.monotonic() - started:.1f} s")
        pipeline = asyncio.run(run_pipeline(platform, args, deadline))
        print_pipeline(pipeline)
        platform.stop()  # the raw measurement runs on a quiet broker
        problems = log_problems(platform)
        raw = asyncio.run(run_raw(args.kafka, namespace, args.raw_messages, deadline))
        print_raw(raw)
        print_summary(pipeline, raw)
        print(f"\ntotal run time {time.monotonic() - started:.1f} s, namespace {namespace}")
        ok = pipeline.missing == 0 and not pipeline.failed and not problems
        if problems:
            print_problems(problems, tmp / "logs")
    except (Exception, KeyboardInterrupt, asyncio.CancelledError) as exc:
        say(f"stopped: {exc!r}")
        if pipeline is not None and raw is None:
            print_summary(pipeline, None)
        for name, service in platform.services.items():
            tail = service.tail(10)
            if tail:
                say(f"--- last lines of {name} log:\n{tail}")
        return 130 if isinstance(exc, KeyboardInterrupt) else 1
    finally:
        platform.stop()
        if ok:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            say(f"logs kept in {tmp}")
    return 0 if pipeline.missing == 0 and not pipeline.failed else 1


if __name__ == "__main__":
    sys.exit(main())
