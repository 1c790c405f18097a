"""`scripts/bench --staff`: the staff workspace with many open cases (a benchmark, not a test).

Casework, check-ins and the gateway run as processes (`Platform`; matching and notifications
are not needed). `--cases` open cases (a third each: alerts with their first page, safety
review items, reports) are produced straight to Kafka as check-ins, notifications and the
gateway would, each for a member of its own; the bench waits until casework has stored them all
(its ingest rate). Then, one request at a time, `--reads` of each: casework's query of the
queue store (what it runs at most once per QUEUE_READ_SECONDS, 1 s, per set of queues), and
what a staff member's console does: the live queue through the JSON API (a view: an audit
record published with acks=all, then the queue as casework holds it), the digest the console
polls every 2 s (no audit), and an alert's page (audit, the alert from casework, the member's
check-ins from check-ins). It prints the median, p99 and max of each, in milliseconds.

On FerretDB every query scans its collection: the figures grow with the number of cases stored.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import secrets
import shutil
import signal
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Any

import httpx
from pymongo import AsyncMongoClient

from kindred.casework.repository import CaseQueries
from kindred.devtools.bench import Deadline, percentile, rate, say
from kindred.devtools.bench.cli import add_common, servers
from kindred.devtools.bench.safety import produce
from kindred.devtools.processes import Platform
from kindred.events.casework import ReportContext, ReportFiled, ReportFiledData, ReportReason
from kindred.events.envelope import Envelope, new_id
from kindred.events.notifications import Channel, SafetyAlertEscalated, SafetyAlertEscalatedData
from kindred.events.safety import (
    ReviewConcern,
    SafetyAlertRaised,
    SafetyAlertRaisedData,
    SafetyReviewRequested,
    SafetyReviewRequestedData,
    TriggerFired,
)
from kindred.gateway.auth import issue_token
from kindred.gateway.settings import GatewaySettings
from kindred.safety.rules import Priority, ReviewReason, Rule, Severity
from kindred.staff_views import Queue

SOURCE = "kindred/bench"
SERVICE_ENV = {"LOG_LEVEL": "WARNING"}


@dataclass(frozen=True)
class Args:
    cases: int
    reads: int
    replicas: dict[str, int]
    namespace: str | None
    timeout: float
    kafka: str
    mongodb_url: str


def parse_args(argv: Sequence[str] | None = None) -> Args:
    parser = argparse.ArgumentParser(
        prog="python -m kindred.devtools.bench --staff",
        description="The staff workspace with many open cases: casework's ingest rate, then "
        "the latency of the queue, the console's digest and an alert's page.",
    )
    parser.add_argument("--cases", type=int, default=3000, help="open cases (3000)")
    parser.add_argument("--reads", type=int, default=200, help="reads of each kind (200)")
    add_common(parser, example="casework=2", timeout=900.0)
    ns = parser.parse_args(argv)
    if ns.cases < 3 or ns.reads < 1 or ns.timeout <= 0:
        parser.error("--cases at least 3, --reads and --timeout positive")
    kafka, mongodb_url = servers(parser)
    return Args(**vars(ns), kafka=kafka, mongodb_url=mongodb_url)


def open_cases(run: str, count: int) -> tuple[list[Envelope[Any]], list[str]]:
    """`count` open cases, a third of each kind, and the alerts' ids."""
    now = datetime.now(UTC)
    events: list[Envelope[Any]] = []
    alerts = []
    for i in range(count):
        member, at = f"{run}-m{i:06d}", now + timedelta(microseconds=i)
        if i % 3 == 0:
            alert_id = f"{run}-a{i}"
            alerts.append(alert_id)
            raised = SafetyAlertRaisedData(
                alert_id=alert_id,
                member_id=member,
                checkin_id=f"{run}-c{i}",
                severity=Severity.URGENT,
                triggers=[TriggerFired(rule=Rule.PHQ9_ITEM9, severity=Severity.URGENT)],
                accepted_at=at,
                raised_at=at,
                episode_id=f"{run}-e{i}",
            )
            paged = SafetyAlertEscalatedData(
                alert_id=alert_id,
                member_id=member,
                severity=Severity.URGENT,
                level=0,
                fallback=False,
                repeat=0,
                page_id=f"{run}-p{i}",
                paged="on-call-1",
                channels=[Channel.INBOX],
                due_at=at,
                ack_deadline=at + timedelta(minutes=2),
            )
            events.append(SafetyAlertRaised.new(data=raised, subject=member, source=SOURCE))
            events.append(SafetyAlertEscalated.new(data=paged, subject=member, source=SOURCE))
        elif i % 3 == 1:
            concern = ReviewConcern(reason=ReviewReason.THIRD_PARTY, priority=Priority.HIGH)
            review = SafetyReviewRequestedData(
                review_id=f"{run}-r{i}",
                member_id=member,
                checkin_id=f"{run}-c{i}",
                priority=Priority.HIGH,
                concerns=[concern],
                accepted_at=at,
                requested_at=at,
            )
            events.append(SafetyReviewRequested.new(data=review, subject=member, source=SOURCE))
        else:
            report = ReportFiledData(
                reported_id=member,
                context=ReportContext.MATCH,
                context_id=f"{run}-x{i}",
                reason=ReportReason.HARASSMENT,
                text="keeps messaging after I asked them to stop",
                report_id=new_id(),
                reporter_id=f"{run}-reporter",
                filed_at=at,
            )
            events.append(ReportFiled.new(data=report, subject=member, source=SOURCE))
    return events, alerts


async def stored(mongo: AsyncMongoClient[Any], namespace: str) -> int:
    db = mongo[f"{namespace}_casework"]
    return await db["alerts"].count_documents({}) + await db["items"].count_documents({})


async def timed(count: int, read: Callable[[], Awaitable[Any]]) -> list[float]:
    """`count` reads one at a time (an HTTP answer must be 200): their latencies in ms,
    ascending."""
    out = []
    for _ in range(count):
        started = time.perf_counter()
        answer = await read()
        out.append((time.perf_counter() - started) * 1000)
        if isinstance(answer, httpx.Response) and answer.status_code != 200:
            raise RuntimeError(f"{answer.request.url.path}: {answer.status_code}")
    return sorted(out)


async def run(platform: Platform, args: Args, namespace: str, deadline: Deadline) -> None:
    run_id = f"s{secrets.token_hex(3)}"
    events, alerts = open_cases(run_id, args.cases)
    mongo: AsyncMongoClient[Any] = AsyncMongoClient(args.mongodb_url, tz_aware=True)
    try:
        say(f"producing {args.cases} open cases ({len(events)} events)")
        started = time.monotonic()
        await produce(args.kafka, namespace, events)
        while await stored(mongo, namespace) < args.cases:
            if deadline.left() <= 0:
                raise TimeoutError("casework did not store every case in time")
            await asyncio.sleep(0.2)
        ingest = time.monotonic() - started
        queries = CaseQueries(mongo[f"{namespace}_casework"])
        every = list(Queue)
        store = await timed(args.reads, lambda: queries.queue_lines(every))
    finally:
        await mongo.close()
    staff = issue_token(GatewaySettings(), "bench-staff", ("safety-staff", "moderator"))
    headers = {"Authorization": f"Bearer {staff}"}
    async with httpx.AsyncClient(base_url=platform.gateway_url, timeout=30) as http:
        signed = await http.post("/console/sign-in", data={"token": staff})
        if signed.status_code not in (200, 303):
            raise RuntimeError(f"console sign-in: {signed.status_code}")
        queue = await timed(args.reads, lambda: http.get("/v1/staff/queue", headers=headers))
        digest = await timed(args.reads, lambda: http.get("/console/queue.digest"))
        alert = await timed(
            args.reads,
            lambda: http.get(f"/v1/staff/alerts/{random.choice(alerts)}", headers=headers),
        )
    print(f"\nstaff workspace, {args.cases} open cases ({len(alerts)} alerts), FerretDB/MongoDB")
    print(f"  casework stored them in {ingest:.1f} s: {rate(len(events), ingest):.0f} events/s")
    print(f"  {'read (one at a time)':<40}{'median':>9}{'p99':>9}{'max':>9}  (ms)")
    for name, values in (
        ("queue store, casework's query", store),
        ("queue, JSON API (audited view)", queue),
        ("queue digest, console poll (no audit)", digest),
        ("an alert's page, JSON API (audited)", alert),
    ):
        cells = "".join(f"{percentile(values, p):>9.1f}" for p in (50, 99, 100))
        print(f"  {name:<40}{cells}")


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    namespace = args.namespace or f"bench{secrets.token_hex(4)}"
    tmp = Path(tempfile.mkdtemp(prefix="kindred-bench-staff-"))
    replicas = {"matching": 0, "notifications": 0, **args.replicas}
    platform = Platform(
        args.kafka, args.mongodb_url, namespace, tmp / "logs", extra_env=SERVICE_ENV,
        replicas=replicas,
    )  # fmt: skip
    deadline = Deadline(args.timeout)
    try:
        say(f"namespace {namespace}; starting casework, check-ins and the gateway")
        platform.start(timeout=min(120.0, deadline.left()))
        asyncio.run(run(platform, args, namespace, deadline))
    except (Exception, KeyboardInterrupt) as exc:
        say(f"stopped: {exc!r}; logs kept in {tmp}")
        return 130 if isinstance(exc, KeyboardInterrupt) else 1
    finally:
        platform.stop()
    shutil.rmtree(tmp, ignore_errors=True)
    return 0
