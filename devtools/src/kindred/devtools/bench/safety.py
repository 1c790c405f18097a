"""`scripts/bench --safety`: how long a triggering check-in takes to become a safety alert while
the pipeline carries other load (a benchmark, not a test).

The four services run as processes (`Platform`). Background load goes through the gateway in
an open loop at `--rate` requests/s, support requests and calm check-ins in turn; meanwhile
triggering check-ins (PHQ-9 item 9 = 2, each from a member of its own) go at `--alert-rate`/s
for `--seconds`. A consumer of `safety.alert-raised` notes when each alert arrives and matches
it by `checkin_id` (the 202's `resource_id`). Per alert: request sent → alert received, and the
gateway's 202 → alert received (same process, same clock); beside them the service's own
`kindred_safety_alert_seconds` histogram (gateway accept → alert published), scraped from the
check-ins service.

The notifications service pages along a chain whose first level is a webhook to a receiver the
bench runs on 127.0.0.1 (it verifies each request's signature and counts the delivery ids); a
second consumer reads `notification.delivery-attempted` and keeps, per page, the first attempt:
its `at` (when the sender began the attempt, same host, same clock) and when the report arrived.
An alert's first page is `page_id(alert_id, 0, 0)`. Per alert: the 202 (and the request sent) →
the first on-call delivery attempt; beside them `kindred_notification_first_attempt_seconds`
(gateway accept → first attempt) scraped from the notifications service.

Then, a phase of its own: a burst of `--burst` member notifications (2,000) to a slow SMS
provider the bench runs on 127.0.0.1 (`--provider-seconds`, 2 s over each send): each
member's preferences (SMS, no quiet hours) and a `notification.requested` for each, produced
straight to Kafka as the matching service would. Once the provider holds a full member lane,
triggering check-ins go through the gateway every `--burst-alert-every` (0.3 s) for
`--burst-seconds` (10 s), from members on a partition the burst's members are not on (an alert
behind a partition still deciding the burst's 4,000 events waits for them: the consumer's
throughput, not the sender's lanes, which this measures). The notifications service runs with
`SENDER_IN_FLIGHT_SECONDS` `--in-flight` (10 s: the owner hands every unreported message over
again while most of the burst waits for a slot) and `SENDER_CONCURRENCY` `--member-lane` (100:
the burst drains within the run). It prints, per alert, the 202 → its first page received by
the webhook receiver (median, p99, max), and, once the burst is through and one more in-flight
time has passed, how many member messages the provider received twice (it must be none).

Exit status 1 if a triggering check-in was refused, or its alert or its first page attempt is
missing, or a member message reached the provider twice.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import math
import secrets
import shutil
import signal
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from typing import Any

import aiohttp
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from prometheus_client.parser import text_string_to_metric_families
from pymongo import AsyncMongoClient

from kindred.devtools.bench import Deadline, percentile, rate, say
from kindred.devtools.bench.cli import add_common, servers
from kindred.devtools.bench.load import CAPACITY, Document, Gateway, Pipeline, session
from kindred.devtools.bench.report import f, table
from kindred.devtools.processes import Platform, free_port
from kindred.events.envelope import Envelope, deterministic_id
from kindred.events.notifications import (
    Channel,
    MemberCategory,
    MemberNotificationPreferencesSet,
    MemberNotificationPreferencesSetData,
    NotificationRequested,
    NotificationRequestedData,
)
from kindred.messaging.broker import event_message
from kindred.notifications.channels.signing import (
    DELIVERY_ID_HEADER,
    SignatureError,
    verify_signature,
)
from kindred.notifications.domain.deliveries import delivery_id
from kindred.notifications.domain.escalations import page_id
from kindred.notifications.sender import partition_for
from kindred.settings import redact_url

SERVICE_ENV = {"LOG_LEVEL": "WARNING", "KAFKA_TOPIC_PARTITIONS": "3"}
ALERT_METRIC = "kindred_safety_alert_seconds"
FIRST_ATTEMPT_METRIC = "kindred_notification_first_attempt_seconds"
WEBHOOK_SECRET = secrets.token_hex(24)  # this run's signing key, for the bench's receiver
PROVIDER_SECRET = secrets.token_hex(24)  # and the slow SMS provider's
ON_CALL = "bench-on-call"
TRIGGERING = json.dumps({"phq9": [1, 1, 1, 1, 1, 1, 1, 1, 2]}).encode()
CALM = json.dumps({"mood": 6, "note": "a walk helped"}).encode()
SUPPORT = json.dumps(
    {"topics": ["grief"], "language": "en", "whats_going_on": "Lost my dad last month."}
).encode()
CALM_MEMBERS = 500  # background check-ins cycle over these members (same mood: no trigger)


@dataclass(frozen=True)
class Args:
    rate: float
    alert_rate: float
    seconds: float
    drain: float
    burst: int
    provider_seconds: float
    in_flight: float
    member_lane: int
    burst_alert_every: float
    burst_seconds: float
    replicas: dict[str, int]
    namespace: str | None
    timeout: float
    kafka: str
    mongodb_url: str


def parse_args(argv: Sequence[str] | None = None) -> Args:
    parser = argparse.ArgumentParser(
        prog="python -m kindred.devtools.bench --safety",
        description="Triggering check-in → safety alert latency while the gateway carries "
        "background load (support requests and calm check-ins).",
    )
    add = parser.add_argument
    add("--rate", type=float, default=100.0, help="background requests/s, open loop (100)")
    add("--alert-rate", type=float, default=2.0, help="triggering check-ins/s (2)")
    add("--seconds", type=float, default=30.0, help="how long both loads run (30)")
    add("--drain", type=float, default=60.0, help="seconds to wait for the last alerts (60)")
    add("--burst", type=int, default=2000, help="member notifications to a slow provider (2000)")
    add("--provider-seconds", type=float, default=2.0, help="the provider's time per send (2)")
    add("--in-flight", type=float, default=10.0, help="SENDER_IN_FLIGHT_SECONDS (10)")
    add("--member-lane", type=int, default=100, help="SENDER_CONCURRENCY (100)")
    add(
        "--burst-alert-every",
        type=float,
        default=0.3,
        help="seconds between triggering check-ins during the burst (0.3)",
    )
    add("--burst-seconds", type=float, default=10.0, help="how long they go on (10)")
    add_common(parser, example="checkins=2,matching=2", timeout=900.0)
    ns = parser.parse_args(argv)
    durations = (ns.in_flight, ns.burst_alert_every, ns.burst_seconds)
    if min(ns.rate, ns.alert_rate, ns.seconds, ns.drain, ns.timeout, *durations) <= 0:
        parser.error("rates and durations must be positive")
    if ns.burst < 0 or ns.provider_seconds < 0 or ns.member_lane < 1:
        parser.error("--burst and --provider-seconds are at least 0, --member-lane at least 1")
    kafka, mongodb_url = servers(parser)
    return Args(**vars(ns), kafka=kafka, mongodb_url=mongodb_url)


# ---------------------------------------------------------------- what the run sends


@dataclass
class Trigger:
    member: str
    sent: float  # time.time() before the POST
    accepted: float = math.nan  # time.time() when the 202 arrived
    checkin_id: str | None = None
    safety_block: bool = False  # the 202 carried the crisis resources


@dataclass
class Background:
    sent: int = 0
    accepted: Counter[str] = field(default_factory=Counter)  # by kind
    failed: Counter[str] = field(default_factory=Counter)
    first: float = math.nan
    last: float = math.nan


async def post(
    http: aiohttp.ClientSession, url: str, body: bytes, headers: dict[str, str]
) -> tuple[int, bytes]:
    async with http.post(url, data=body, headers=headers) as response:
        return response.status, await response.read()


async def background(
    gateway: Gateway, urls: list[str], per_second: float, seconds: float, run: str
) -> Background:
    """Support requests and calm check-ins in turn, request i at i / per_second."""
    out = Background()
    count = max(1, round(per_second * seconds))
    jobs = []
    for i in range(count):
        if i % 2:
            member = f"{run}-calm-{i // 2 % CALM_MEMBERS:04d}"
            path, body, kind = "checkins", CALM, "calm check-in"
        else:
            member = f"{run}-seeker-{i // 2:06d}"
            path, body, kind = "support-requests", SUPPORT, "support request"
        url = f"{urls[i % len(urls)]}/v1/members/{member}/{path}"
        jobs.append((url, body, gateway.headers(member), kind))

    async def one(url: str, body: bytes, headers: dict[str, str], kind: str) -> None:
        try:
            status, _ = await post(gateway.http, url, body, headers)
        except (aiohttp.ClientError, TimeoutError) as exc:
            out.failed[type(exc).__name__] += 1
            return
        if status == 202:
            out.accepted[kind] += 1
        else:
            out.failed[f"{kind}: HTTP {status}"] += 1

    started, tasks = time.monotonic(), []
    out.first = time.time()
    for i, job in enumerate(jobs):
        await asyncio.sleep(max(0.0, started + i / per_second - time.monotonic()))
        tasks.append(asyncio.create_task(one(*job)))
        out.sent += 1
    out.last = time.time()
    await asyncio.gather(*tasks)
    return out


async def triggering(
    gateway: Gateway,
    urls: list[str],
    per_second: float,
    seconds: float,
    run: str,
    members: list[str] | None = None,
) -> tuple[list[Trigger], Counter[str]]:
    """Triggering check-ins, each from a member of its own (`members`, or new ones), check-in
    i at i / per_second."""
    count = max(1, round(per_second * seconds))
    members = members or [f"{run}-crisis-{i:05d}" for i in range(count)]
    headers = {m: gateway.headers(m) for m in members}
    sent: list[Trigger] = []
    failed: Counter[str] = Counter()

    async def one(i: int, member: str) -> None:
        url = f"{urls[i % len(urls)]}/v1/members/{member}/checkins"
        trigger = Trigger(member, time.time())
        try:
            status, body = await post(gateway.http, url, TRIGGERING, headers[member])
        except (aiohttp.ClientError, TimeoutError) as exc:
            failed[type(exc).__name__] += 1
            return
        trigger.accepted = time.time()
        if status != 202:
            failed[f"HTTP {status}"] += 1
            return
        answer = json.loads(body)
        trigger.checkin_id = str(answer["resource_id"])
        trigger.safety_block = bool(answer.get("safety"))
        sent.append(trigger)

    started, tasks = time.monotonic(), []
    for i, member in enumerate(members):
        await asyncio.sleep(max(0.0, started + i / per_second - time.monotonic()))
        tasks.append(asyncio.create_task(one(i, member)))
    await asyncio.gather(*tasks)
    return sent, failed


class TopicWatcher:
    """Reads a topic from the start (no consumer group) in a task of its own, handing each
    event's `data` and its arrival time (`time.time()` as the fetch returned it) to `seen`."""

    name = "topic"

    def __init__(self, kafka: str, topic: str) -> None:
        self.consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=kafka,
            group_id=None,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            fetch_max_wait_ms=50,
        )
        self.task: asyncio.Task[None] | None = None

    def seen(self, data: dict[str, Any], arrived: float) -> None:
        raise NotImplementedError

    async def start(self, deadline: Deadline) -> None:
        await self.consumer.start()
        async with asyncio.timeout(min(60.0, deadline.left())):
            while not self.consumer.assignment():
                await self._poll()
        self.task = asyncio.create_task(self._run())

    async def _poll(self) -> None:
        batches = await self.consumer.getmany(timeout_ms=100)
        now = time.time()
        for records in batches.values():
            for record in records:
                if record.value is not None:
                    self.seen(json.loads(record.value)["data"], now)

    async def _run(self) -> None:
        while True:
            await self._poll()

    def check(self) -> None:
        """Raise what stopped the reading task, if it stopped."""
        if self.task is not None and self.task.done():
            self.task.result()
            raise RuntimeError(f"the {self.name} consumer stopped")

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        await self.consumer.stop()


class AlertWatcher(TopicWatcher):
    """`safety.alert-raised`: when each alert arrived, by check-in id."""

    name = "alert"

    def __init__(self, kafka: str, topic: str) -> None:
        super().__init__(kafka, topic)
        self.arrived: dict[str, float] = {}
        self.copies: Counter[str] = Counter()

    def seen(self, data: dict[str, Any], arrived: float) -> None:
        checkin_id = str(data["checkin_id"])
        if checkin_id in self.arrived:
            self.copies[checkin_id] += 1
        else:
            self.arrived[checkin_id] = arrived


class AttemptWatcher(TopicWatcher):
    """`notification.delivery-attempted`: per page (`source_event_id`), its first attempt:
    the record's `at` and when it arrived."""

    name = "delivery-attempt"

    def __init__(self, kafka: str, topic: str) -> None:
        super().__init__(kafka, topic)
        self.first: dict[str, tuple[float, float]] = {}  # page id -> (at, arrived)
        self.outcomes: Counter[str] = Counter()

    def seen(self, data: dict[str, Any], arrived: float) -> None:
        self.outcomes[f"attempt {data['attempt']}: {data['outcome']}"] += 1
        at = datetime.fromisoformat(data["at"].replace("Z", "+00:00")).timestamp()
        page = str(data["source_event_id"])
        known = self.first.get(page)
        if known is None or at < known[0]:
            self.first[page] = (at, arrived if known is None else known[1])


def first_page(checkin_id: str) -> str:
    """The id of the first page of the alert a check-in raised (level 0, repeat 0)."""
    return page_id(deterministic_id("safety.alert", checkin_id), 0, 0)


@dataclass
class WebhookReceiver:
    """The on-call webhook: 127.0.0.1, verifies every signature, answers 200, counts ids."""

    server: ThreadingHTTPServer
    ids: Counter[str] = field(default_factory=Counter)
    arrived: dict[str, float] = field(default_factory=dict)  # id -> time.time(), the first
    forged: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def start(cls) -> WebhookReceiver:
        receiver: WebhookReceiver

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    verify_signature(WEBHOOK_SECRET, dict(self.headers), body)
                except SignatureError:
                    with receiver.lock:
                        receiver.forged += 1
                    self.send_response(401)
                    self.end_headers()
                    return
                key = self.headers.get(DELIVERY_ID_HEADER) or ""
                with receiver.lock:
                    receiver.ids[key] += 1
                    receiver.arrived.setdefault(key, time.time())
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        receiver = cls(ThreadingHTTPServer(("127.0.0.1", free_port()), Handler))
        threading.Thread(target=receiver.server.serve_forever, daemon=True).start()
        return receiver

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/page"

    def env(self) -> dict[str, str]:
        """The notifications service's settings: a chain paging this webhook first."""
        chain = {
            "levels": [{"id": ON_CALL, "contacts": {"webhook": "bench-pager"}}],
            "fallback": {"id": "bench-lead", "contacts": {"inbox": "bench-lead"}},
        }
        endpoints = {"bench-pager": {"url": self.url, "secret": WEBHOOK_SECRET}}
        return {
            "ESCALATION_CHAIN": json.dumps(chain),
            "WEBHOOK_ENDPOINTS": json.dumps(endpoints),
        }

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Server(ThreadingHTTPServer):
    request_queue_size = 512  # a burst of connections at once is not refused


@dataclass
class SlowProvider:
    """The members' SMS provider: 127.0.0.1, `seconds` over each request, verifies every
    signature, answers 200 and counts each delivery id (`Kindred-Delivery-Id`)."""

    server: ThreadingHTTPServer
    seconds: float
    ids: Counter[str] = field(default_factory=Counter)
    forged: int = 0
    busy: int = 0  # requests being answered now
    lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def start(cls, seconds: float) -> SlowProvider:
        provider: SlowProvider

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                with provider.lock:
                    provider.busy += 1
                try:
                    time.sleep(provider.seconds)
                finally:
                    with provider.lock:
                        provider.busy -= 1
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    verify_signature(PROVIDER_SECRET, dict(self.headers), body)
                except SignatureError:
                    with provider.lock:
                        provider.forged += 1
                    self.send_response(401)
                    self.end_headers()
                    return
                with provider.lock:
                    provider.ids[self.headers.get(DELIVERY_ID_HEADER) or ""] += 1
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        provider = cls(Server(("127.0.0.1", free_port()), Handler), seconds)
        threading.Thread(target=provider.server.serve_forever, daemon=True).start()
        return provider

    def received(self) -> tuple[int, int]:
        """(delivery ids received, of them received more than once)."""
        with self.lock:
            return len(self.ids), sum(1 for n in self.ids.values() if n > 1)

    def env(self, args: Args) -> dict[str, str]:
        """The notifications service's settings: SMS through this provider, and the sender's."""
        port = self.server.server_address[1]
        return {
            "SMS_PROVIDER_URL": f"http://127.0.0.1:{port}/sms",
            "SMS_PROVIDER_TOKEN": "bench-only-token",
            "SMS_SIGNING_SECRET": PROVIDER_SECRET,
            "SMS_TIMEOUT_SECONDS": str(max(10.0, 3 * args.provider_seconds)),
            "SENDER_IN_FLIGHT_SECONDS": f"{args.in_flight:g}",
            "SENDER_CONCURRENCY": str(args.member_lane),
        }

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


CRISIS_PARTITION = 0  # the partition of the burst phase's members in crisis


def on_partitions(prefix: str, count: int, partitions: int, wanted: set[int]) -> list[str]:
    """`count` member ids whose records go to one of the `wanted` partitions."""
    found: list[str] = []
    i = 0
    while len(found) < count:
        member = f"{prefix}-{i:05d}"
        if partition_for(member, partitions) in wanted:
            found.append(member)
        i += 1
    return found


def burst(run: str, count: int, partitions: int = 3) -> list[Envelope[Any]]:
    """Each member's preferences (SMS, no quiet hours), then a notification for each; the
    members are on every partition but `CRISIS_PARTITION` (with one partition, on it)."""
    now = datetime.now(UTC)
    others = set(range(partitions)) - {CRISIS_PARTITION} or {CRISIS_PARTITION}
    members = on_partitions(f"{run}-burst", count, partitions, others)
    events: list[Envelope[Any]] = [
        MemberNotificationPreferencesSet.new(
            subject=member,
            source="bench",
            data=MemberNotificationPreferencesSetData(
                member_id=member,
                channels={MemberCategory.MATCHING: [Channel.SMS]},
                consents={Channel.SMS: True},
                contacts={Channel.SMS: f"+1555{i:07d}"},
                quiet_hours=None,
            ),
        )
        for i, member in enumerate(members)
    ]
    events += [
        NotificationRequested.new(
            subject=member,
            source="bench",
            data=NotificationRequestedData(
                source_event_id=f"{run}-burst-match-{i:05d}",
                source_time=now,
                recipient=member,
                audience="seeker",
                category=MemberCategory.MATCHING,
                event_type="match.proposed",
                context={"match_id": f"{run}-match-{i:05d}", "request_id": run},
            ),
        )
        for i, member in enumerate(members)
    ]
    return events


async def produce(kafka: str, namespace: str, events: list[Envelope[Any]]) -> None:
    """Publish as the services do (CloudEvents, keyed by subject), every ack awaited."""
    producer = AIOKafkaProducer(bootstrap_servers=kafka, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        acks = []
        for event in events:
            value, headers = event_message(event)
            acks.append(
                await producer.send(
                    f"{namespace}.{event.TOPIC}",
                    value,
                    key=event.key,
                    headers=[(k, v.encode()) for k, v in headers.items()],
                )
            )
        await asyncio.gather(*acks)
    finally:
        await producer.stop()


def first_page_delivery(checkin_id: str) -> str:
    """The delivery id of an alert's first page on the bench's webhook."""
    return delivery_id(first_page(checkin_id), ON_CALL, Channel.WEBHOOK)


# ---------------------------------------------------------------- the service's histogram


def histogram(
    text: str, name: str, only: dict[str, str] | None = None
) -> tuple[list[tuple[float, float]], float, float]:
    """(cumulative buckets (le, count) summed over labels, count, sum) of a histogram; with
    `only`, of the series with those label values."""
    buckets: dict[float, float] = {}
    count = total = 0.0
    for family in text_string_to_metric_families(text):
        if family.name != name:
            continue
        for sample in family.samples:
            if only and any(sample.labels.get(k) != v for k, v in only.items()):
                continue
            if sample.name == f"{name}_bucket":
                le = float(sample.labels["le"])
                buckets[le] = buckets.get(le, 0.0) + sample.value
            elif sample.name == f"{name}_count":
                count += sample.value
            elif sample.name == f"{name}_sum":
                total += sample.value
    return sorted(buckets.items()), count, total


def bucket_quantile(q: float, buckets: list[tuple[float, float]]) -> float:
    """Prometheus' histogram_quantile: linear within the bucket that holds the rank."""
    if not buckets or buckets[-1][1] == 0:
        return math.nan
    rank = q * buckets[-1][1]
    lower, below = 0.0, 0.0
    for upper, cumulative in buckets:
        if cumulative >= rank:
            if math.isinf(upper):
                return lower  # beyond the last finite bound
            inside = cumulative - below
            return lower + (upper - lower) * ((rank - below) / inside if inside else 1.0)
        lower, below = upper, cumulative
    return math.nan


# ---------------------------------------------------------------- the run


@dataclass
class Results:
    namespace: str
    args: Args
    triggers: list[Trigger] = field(default_factory=list)
    refused: Counter[str] = field(default_factory=Counter)
    background: Background | None = None
    arrived: dict[str, float] = field(default_factory=dict)
    copies: Counter[str] = field(default_factory=Counter)
    service: tuple[list[tuple[float, float]], float, float] | None = None
    alerts_total: float | None = None
    attempts: dict[str, tuple[float, float]] = field(default_factory=dict)  # page -> (at, got)
    attempt_outcomes: Counter[str] = field(default_factory=Counter)
    first_attempt: tuple[list[tuple[float, float]], float, float] | None = None
    webhook_ids: int = 0
    forged: int = 0
    pages_received: dict[str, float] = field(default_factory=dict)  # delivery id -> time.time()
    burst_sent: int = 0
    burst_triggers: list[Trigger] = field(default_factory=list)
    burst_busy: list[int] = field(default_factory=list)  # member sends under way: first, last
    receiver: WebhookReceiver | None = None
    burst_received: int = 0
    burst_twice: int = 0
    burst_forged: int = 0

    def matched(self) -> list[tuple[Trigger, float]]:
        return [
            (t, self.arrived[t.checkin_id])
            for t in self.triggers
            if t.checkin_id is not None and t.checkin_id in self.arrived
        ]

    @property
    def missing(self) -> int:
        return len(self.triggers) - len(self.matched())

    def paged(self) -> list[tuple[Trigger, float, float]]:
        """(trigger, first attempt's `at`, its report's arrival) per paged triggering check-in."""
        out = []
        for t in self.triggers:
            if t.checkin_id is not None and (seen := self.attempts.get(first_page(t.checkin_id))):
                out.append((t, *seen))
        return out

    @property
    def unpaged(self) -> int:
        return len(self.triggers) - len(self.paged())

    def page_latency(self) -> list[float]:
        """Seconds from each burst-phase triggering check-in's 202 to its first page at the
        receiver."""
        out = []
        for t in self.burst_triggers:
            if t.checkin_id is not None:
                got = self.pages_received.get(first_page_delivery(t.checkin_id))
                if got is not None:
                    out.append(got - t.accepted)
        return sorted(out)


async def scrape(http: aiohttp.ClientSession, url: str) -> str:
    async with http.get(f"{url}/metrics") as response:
        return await response.text()


async def burst_phase(
    platform: Platform,
    args: Args,
    deadline: Deadline,
    results: Results,
    provider: SlowProvider,
    gateway: Gateway,
    tag: str,
) -> None:
    """The member burst on the slow provider, triggering check-ins while its lane is full."""
    partitions = int(platform.extra_env.get("KAFKA_TOPIC_PARTITIONS", "3"))
    say(
        f"burst: {args.burst} member notifications to an SMS provider taking "
        f"{args.provider_seconds:g} s per send"
    )
    await produce(args.kafka, platform.namespace, burst(tag, args.burst, partitions))
    results.burst_sent = args.burst
    full = 0.9 * args.member_lane
    if not await wait_for(lambda: provider.busy >= full, min(120.0, deadline.left())):
        raise TimeoutError(f"the member lane never filled ({provider.busy} sends under way)")
    results.burst_busy = [provider.busy]
    count = max(1, round(args.burst_seconds / args.burst_alert_every))
    crisis = on_partitions(f"{tag}-lane", count, partitions, {CRISIS_PARTITION})
    say(
        f"burst: member lane full ({provider.busy} sends under way); triggering check-ins "
        f"every {args.burst_alert_every:g} s for {args.burst_seconds:g} s"
    )
    urls = [g.url for g in platform.instances("gateway")]
    results.burst_triggers, refused = await triggering(
        gateway, urls, 1 / args.burst_alert_every, args.burst_seconds, tag, crisis
    )
    results.refused.update(refused)
    results.burst_busy.append(provider.busy)
    wanted = {first_page_delivery(t.checkin_id) for t in results.burst_triggers if t.checkin_id}
    await wait_for(
        lambda: wanted <= provider_pages(results) and provider.received()[0] >= args.burst,
        min(args.drain, deadline.left()),
    )
    # One more in-flight time: the owner's hand-overs after the last report send nothing.
    say(f"burst: {provider.received()[0]} received; {args.in_flight:g} s more")
    await asyncio.sleep(min(args.in_flight + 1, deadline.left()))


async def wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    """Whether `condition()` came to hold within `seconds` (polled every 0.1 s)."""
    until = time.monotonic() + seconds
    while not condition():
        if time.monotonic() >= until:
            return False
        await asyncio.sleep(0.1)
    return True


def provider_pages(results: Results) -> set[str]:
    """The page delivery ids the webhook receiver has (set by `main` on the receiver)."""
    receiver = results.receiver
    if receiver is None:
        return set()
    with receiver.lock:
        return set(receiver.arrived)


async def run(
    platform: Platform,
    args: Args,
    deadline: Deadline,
    results: Results,
    provider: SlowProvider,
) -> None:
    tag = f"s{secrets.token_hex(3)}"
    urls = [g.url for g in platform.instances("gateway")]
    mongo: AsyncMongoClient[Document] = AsyncMongoClient(
        args.mongodb_url, tz_aware=True, serverSelectionTimeoutMS=5000, appname="kindred-bench"
    )
    watcher = AlertWatcher(args.kafka, f"{platform.namespace}.safety.alert-raised")
    attempts = AttemptWatcher(args.kafka, f"{platform.namespace}.notification.delivery-attempted")
    try:
        async with session() as http, asyncio.timeout(deadline.left()):
            pipeline = Pipeline(platform, http, mongo, deadline, tag)
            requests = math.ceil(args.rate * args.seconds / 2)
            say(f"supporters for {requests} background support requests")
            await pipeline.add_supporters("bg", math.ceil(requests / CAPACITY) + 1)
            await watcher.start(deadline)
            await attempts.start(deadline)
            gateway = Gateway(http, urls)
            say(
                f"{args.seconds:.0f} s: background {args.rate:.0f} requests/s (support requests "
                f"and calm check-ins), triggering check-ins {args.alert_rate:g}/s"
            )
            load, (results.triggers, results.refused) = await asyncio.gather(
                background(gateway, urls, args.rate, args.seconds, tag),
                triggering(gateway, urls, args.alert_rate, args.seconds, tag),
            )
            results.background = load
            say(f"sent; waiting up to {args.drain:.0f} s for the last alerts")
            wanted = {t.checkin_id for t in results.triggers if t.checkin_id is not None}
            drain_until = time.monotonic() + min(args.drain, deadline.left())
            pages = {first_page(c) for c in wanted if c is not None}
            while time.monotonic() < drain_until and not (
                wanted <= watcher.arrived.keys() and pages <= attempts.first.keys()
            ):
                watcher.check()
                attempts.check()
                await asyncio.sleep(0.2)
            if args.burst:
                await burst_phase(platform, args, deadline, results, provider, gateway, tag)
            results.arrived, results.copies = dict(watcher.arrived), Counter(watcher.copies)
            results.attempts = dict(attempts.first)
            results.attempt_outcomes = Counter(attempts.outcomes)
            results.first_attempt = histogram(
                await scrape(http, platform.services["notifications"].url),
                FIRST_ATTEMPT_METRIC,
                {"category": "safety"},  # pages, not the member burst
            )
            texts = await asyncio.gather(
                *(scrape(http, s.url) for s in platform.instances("checkins"))
            )
            parts = [histogram(text, ALERT_METRIC) for text in texts]
            merged: dict[float, float] = {}
            for buckets, _, _ in parts:
                for le, value in buckets:
                    merged[le] = merged.get(le, 0.0) + value
            results.service = (
                sorted(merged.items()),
                sum(p[1] for p in parts),
                sum(p[2] for p in parts),
            )
    finally:
        await watcher.stop()
        await attempts.stop()
        await mongo.close()


def print_report(r: Results) -> None:
    a = r.args
    print(f"\n== safety alerts under load (namespace {r.namespace}) ==")
    if bg := r.background:
        achieved = rate(bg.sent - 1, bg.last - bg.first)
        accepted = ", ".join(f"{n} {k}s" for k, n in sorted(bg.accepted.items()))
        print(
            f"background: {bg.sent} sent at {f(achieved, ',.1f')}/s (target {a.rate:g}/s); "
            f"accepted {accepted or 'none'}; refused {sum(bg.failed.values())}"
            + (f" {dict(bg.failed)}" if bg.failed else "")
        )
    matched = r.matched()
    sent = len(r.triggers) + sum(r.refused.values())
    print(
        f"triggering check-ins: {sent} sent at {a.alert_rate:g}/s for {a.seconds:g} s; "
        f"{len(r.triggers)} accepted ({sum(t.safety_block for t in r.triggers)} with the crisis "
        f"resources in the 202), {sum(r.refused.values())} refused"
        + (f" {dict(r.refused)}" if r.refused else "")
    )
    print(
        f"alerts received: {len(matched)}; missing: {r.missing}; "
        f"copies (same alert again): {sum(r.copies.values())}"
    )
    send_ms = sorted((arrived - t.sent) * 1000 for t, arrived in matched)
    accept_ms = sorted((arrived - t.accepted) * 1000 for t, arrived in matched)
    http_ms = sorted((t.accepted - t.sent) * 1000 for t in r.triggers)
    rows = []
    for label, values in (
        ("request sent → alert received", send_ms),
        ("202 → alert received", accept_ms),
        ("request sent → 202 (triggering)", http_ms),
    ):
        qs = [percentile(values, q) for q in (50, 95, 99)]
        rows.append([label, *(f(v, ",.0f") for v in qs), f(max(values, default=math.nan), ",.0f")])
    if r.service is not None:
        buckets, count, total = r.service
        qs = [bucket_quantile(q, buckets) * 1000 for q in (0.5, 0.95, 0.99)]
        mean = total / count * 1000 if count else math.nan
        rows.append(
            [
                f"service: accept → published ({count:.0f}; mean {f(mean, ',.0f')})",
                *(f(v, ",.0f") for v in qs),
                "",
            ]
        )
    print()
    table(["ms", "p50", "p95", "p99", "max"], rows)
    print(
        "(service quantiles are interpolated within the histogram's buckets "
        "10/25/50/100/250/500 ms, 1/2.5/5/10/30/60 s, as Prometheus does)"
    )

    paged = r.paged()
    print(
        f"\n== first on-call page: a webhook to the bench's receiver (127.0.0.1, signatures "
        f"verified) ==\nfirst delivery attempts: {len(paged)} of {len(r.triggers)} triggering "
        f"check-ins; missing: {r.unpaged}; attempts reported: "
        f"{dict(sorted(r.attempt_outcomes.items())) or 'none'}; webhook requests received: "
        f"{r.webhook_ids} delivery ids, {r.forged} with a bad signature"
    )
    rows = []
    for label, values in (
        ("202 → first attempt (its `at`)", [(at - t.accepted) * 1000 for t, at, _ in paged]),
        ("request sent → first attempt (`at`)", [(at - t.sent) * 1000 for t, at, _ in paged]),
        ("202 → attempt report received", [(got - t.accepted) * 1000 for t, _, got in paged]),
    ):
        values.sort()
        qs = [percentile(values, q) for q in (50, 95, 99)]
        rows.append(
            [
                f"{label} ({len(values)})",
                *(f(v, ",.0f") for v in qs),
                f(max(values, default=math.nan), ",.0f"),
            ]
        )
    if r.first_attempt is not None:
        buckets, count, total = r.first_attempt
        qs = [bucket_quantile(q, buckets) * 1000 for q in (0.5, 0.95, 0.99)]
        mean = total / count * 1000 if count else math.nan
        rows.append(
            [
                f"service: accept → first attempt ({count:.0f}; mean {f(mean, ',.0f')})",
                *(f(v, ",.0f") for v in qs),
                "",
            ]
        )
    table(["ms", "p50", "p95", "p99", "max"], rows)
    print(f"(service: {FIRST_ATTEMPT_METRIC}, buckets interpolated as above)")

    if r.burst_sent:
        latency = [x * 1000 for x in r.page_latency()]
        print(
            f"\n== pages through a member burst on a slow provider ==\nmember notifications: "
            f"{r.burst_sent} to an SMS provider taking {a.provider_seconds:g} s per send "
            f"(SENDER_CONCURRENCY {a.member_lane}, SENDER_IN_FLIGHT_SECONDS {a.in_flight:g}); "
            f"received {r.burst_received}; received twice: {r.burst_twice} (must be 0); "
            f"bad signatures {r.burst_forged}\ntriggering check-ins meanwhile: "
            f"{len(r.burst_triggers)} every {a.burst_alert_every:g} s, member sends under way "
            f"at the first and the last: {r.burst_busy}"
        )
        table(
            ["ms", "p50", "p99", "max"],
            [
                [
                    f"202 → first page received ({len(latency)} of {len(r.burst_triggers)})",
                    f(percentile(latency, 50), ",.0f"),
                    f(percentile(latency, 99), ",.0f"),
                    f(max(latency, default=math.nan), ",.0f"),
                ]
            ],
        )


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    deadline = Deadline(args.timeout)
    signal.signal(signal.SIGTERM, _terminate)
    namespace = args.namespace or f"bench{secrets.token_hex(4)}"
    tmp = Path(tempfile.mkdtemp(prefix="kindred-bench-safety-"))
    mongodb = redact_url(args.mongodb_url)
    say(f"namespace {namespace}, kafka {args.kafka}, mongodb {mongodb}, logs {tmp}")
    platform = Platform(
        args.kafka, args.mongodb_url, namespace, tmp / "logs", extra_env=SERVICE_ENV,
        replicas=args.replicas,
    )  # fmt: skip
    receiver = WebhookReceiver.start()
    provider = SlowProvider.start(args.provider_seconds)
    for notifications in platform.instances("notifications"):
        notifications.env.update(receiver.env())
        notifications.env.update(provider.env(args))
    results = Results(namespace, args)
    results.receiver = receiver
    started = time.monotonic()
    error: BaseException | None = None
    try:
        say(f"starting the services: {', '.join(s.log_path.stem for s in platform.all())}")
        platform.start(timeout=min(120.0, deadline.left()))
        asyncio.run(run(platform, args, deadline, results, provider))
    except (Exception, KeyboardInterrupt) as exc:
        error = exc
        say(f"stopped: {exc!r}")
        for service in platform.all():
            if tail := service.tail(10):
                say(f"--- last lines of {service.log_path}:\n{tail}")
    finally:
        platform.stop()
        receiver.stop()
        provider.stop()
        results.webhook_ids, results.forged = len(receiver.ids), receiver.forged
        results.pages_received = dict(receiver.arrived)
        results.burst_received, results.burst_twice = provider.received()
        results.burst_forged = provider.forged
    print_report(results)
    print(f"\ntotal run time {time.monotonic() - started:.0f} s, namespace {namespace}")
    failed = (
        results.missing
        + results.unpaged
        + sum(results.refused.values())
        + results.burst_twice
        + results.burst_forged
    )
    if error is None and not failed and results.triggers:
        shutil.rmtree(tmp, ignore_errors=True)
        return 0
    if results.missing:
        missing = [
            str(t.checkin_id) for t in results.triggers if t.checkin_id not in results.arrived
        ]
        say(f"FAILED: {results.missing} alerts missing (check-ins {', '.join(missing[:5])} ...)")
    if results.unpaged:
        say(f"FAILED: {results.unpaged} alerts without a first on-call delivery attempt")
    if results.refused:
        say(f"FAILED: {sum(results.refused.values())} triggering check-ins refused")
    if results.burst_twice or results.burst_forged:
        say(
            f"FAILED: {results.burst_twice} member messages received twice, "
            f"{results.burst_forged} with a bad signature"
        )
    say(f"logs kept in {tmp}")
    return 130 if isinstance(error, KeyboardInterrupt) else 1
