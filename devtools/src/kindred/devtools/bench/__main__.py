"""python -m kindred.devtools.bench: the command line and the order of the run."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import secrets
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from pymongo import AsyncMongoClient

from kindred.devtools.bench import Deadline, safety, say, scale, staff
from kindred.devtools.bench.cli import add_common, servers
from kindred.devtools.bench.load import Document, Pipeline, closed_loop, open_loop, session
from kindred.devtools.bench.raw import http_accept, kafka_rates, storage_rates
from kindred.devtools.bench.report import TARGET_E2E, Results, Round, print_report
from kindred.devtools.processes import SERVICES, Platform, ServiceProcess
from kindred.settings import redact_url

# The services as deployed, but quiet: per-request INFO lines would cost the pipeline CPU.
SERVICE_ENV = {"LOG_LEVEL": "WARNING"}


@dataclass(frozen=True)
class Args:
    requests: int
    concurrency: int
    half_seconds: float
    half_rate: float | None
    store: int
    http_requests: int
    raw_docs: int
    replicas: dict[str, int]
    namespace: str | None
    timeout: float
    kafka: str
    mongodb_url: str


def parse_args(argv: Sequence[str] | None = None) -> Args:
    parser = argparse.ArgumentParser(
        prog="python -m kindred.devtools.bench",
        description="Support requests through gateway → matching → notifications on real "
        "processes, two rounds (empty store, then filled), beside the raw rates of the servers. "
        "With --safety: triggering check-in → safety alert latency under background load "
        "instead (--safety --help lists its knobs). With --staff: the staff workspace with "
        "many open cases (--staff --help). With --scale: 1, 2 and 3 matching replicas on six "
        "pools (--scale --help).",
    )
    add = parser.add_argument
    add("--requests", type=int, default=6000, help="requests of a full-load phase (6000)")
    add("--concurrency", type=int, default=64, help="requests in flight, closed loop (64)")
    add("--half-seconds", type=float, default=20.0, help="length of a half-load phase (20)")
    add(
        "--half-rate",
        type=float,
        help=f"half-load requests/s (default {TARGET_E2E / 2:.0f}, half the {TARGET_E2E:.0f}/s "
        "target; 0: half of round 1's full-load rate)",
    )
    add("--store", type=int, default=50_000, help="requests stored before round 2 (50000)")
    add("--http-requests", type=int, default=5000, help="requests to the gateway alone (5000)")
    add("--raw-docs", type=int, default=20_000, help="raw insert_many docs, Kafka msgs (20000)")
    add_common(parser, example="matching=3,notifications=3,gateway=2", timeout=3600.0)
    ns = parser.parse_args(argv)
    numbers = (ns.requests, ns.concurrency, ns.half_seconds, ns.http_requests, ns.raw_docs)
    if min(numbers) < 1 or ns.timeout <= 0 or ns.store < 0 or (ns.half_rate or 0) < 0:
        parser.error("sizes, rates and the timeout must be positive")
    kafka, mongodb_url = servers(parser)
    return Args(**{k: v for k, v in vars(ns).items()}, kafka=kafka, mongodb_url=mongodb_url)


async def rounds(platform: Platform, args: Args, deadline: Deadline, results: Results) -> None:
    """Round 1, the store filled up to --store requests, round 2; memory after each round."""
    mongo: AsyncMongoClient[Document] = AsyncMongoClient(
        args.mongodb_url, tz_aware=True, serverSelectionTimeoutMS=5000, appname="kindred-bench"
    )
    try:
        async with session() as http, asyncio.timeout(deadline.left()):
            stored = 0
            if args.namespace:  # continuing on a namespace: what it holds already counts
                requests = mongo[f"{args.namespace}_matching"]["requests"]
                stored = await requests.estimated_document_count()
            pipeline = Pipeline(platform, http, mongo, deadline, f"b{secrets.token_hex(3)}")
            closed, half_rate = closed_loop(args.concurrency), args.half_rate
            for number in (1, 2):
                if number == 2 and (fill := args.store - stored) > 0:
                    say(f"filling the store: {fill} more support requests")
                    results.fill = await pipeline.phase("fill", fill, closed, measure=False)
                    stored += results.fill.delivered
                results.stored = stored if number == 2 else None
                results.rounds.append(current := Round())
                current.full = await pipeline.phase(f"r{number}-full", args.requests, closed)
                # Both rounds' half load at the same rate, so that their latencies compare.
                half_rate = half_rate if half_rate is not None else TARGET_E2E / 2
                half_rate = half_rate or current.full.e2e_rate / 2
                if not half_rate > 0:
                    raise RuntimeError("nothing came through at full load")
                count = max(1, round(half_rate * args.half_seconds))
                say(f"r{number}-half: {half_rate:.1f} requests/s for {args.half_seconds:.0f} s")
                current.half = await pipeline.phase(f"r{number}-half", count, open_loop(half_rate))
                current.memory = {s.log_path.stem: s.memory() for s in platform.all()}
                stored += current.full.delivered + current.half.delivered
    finally:
        await mongo.close()


# Retriable broker errors that aiokafka logs at ERROR while a fresh topic's leaders settle.
TRANSIENT = ("NotLeaderForPartitionError", "LeaderNotAvailableError", "CoordinatorNotAvailable")


def log_problems(services: list[ServiceProcess]) -> tuple[Counter[str], Counter[str]]:
    """ERROR/CRITICAL records and tracebacks in the service logs, by process and message:
    (problems, transient aiokafka errors)."""
    problems: Counter[str] = Counter()
    transient: Counter[str] = Counter()
    for service in services:
        try:
            lines = service.log_path.read_text(errors="replace").splitlines()
        except OSError:
            continue
        for line in lines:
            try:
                record = json.loads(line)
            except ValueError:
                record = None
            name = service.log_path.stem
            if isinstance(record, dict) and record.get("level") in ("ERROR", "CRITICAL"):
                message = str(record.get("message"))
                benign = str(record.get("logger")).startswith("aiokafka") and any(
                    t in message for t in TRANSIENT
                )
                (transient if benign else problems)[f"{name}: {message[:160]}"] += 1
            elif record is None and line.startswith("Traceback"):
                problems[f"{name}: traceback (not JSON)"] += 1
    return problems, transient


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def own_run(argv: list[str]) -> int | None:
    """Runs of their own: check-in → safety alert latency under load (`--safety`), the staff
    workspace with many open cases (`--staff`), 1, 2 and 3 matching replicas on six pools
    (`--scale`); None for the pipeline's run."""
    runs = (("--safety", safety.main), ("--staff", staff.main), ("--scale", scale.main))
    for flag, other in runs:
        if flag in argv:
            return other([a for a in argv if a != flag])
    return None


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if (status := own_run(argv)) is not None:
        return status
    args = parse_args(argv)
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)  # a fresh group's retries
    deadline = Deadline(args.timeout)
    signal.signal(signal.SIGTERM, _terminate)  # stop the services on `kill`, as on Ctrl-C
    namespace = args.namespace or f"bench{secrets.token_hex(4)}"
    tmp = Path(tempfile.mkdtemp(prefix="kindred-bench-"))
    mongodb = redact_url(args.mongodb_url)
    say(f"namespace {namespace}, kafka {args.kafka}, mongodb {mongodb}, logs {tmp}")
    results = Results(namespace, args.concurrency)
    # The gateway alone (no consumer behind it), in a namespace of its own.
    alone = {name: 0 for name in SERVICES} | {"gateway": args.replicas.get("gateway", 1)}
    platforms = [
        Platform(args.kafka, args.mongodb_url, f"{namespace}http", tmp / "gateway-alone",
                 extra_env=SERVICE_ENV, replicas=alone),
        Platform(args.kafka, args.mongodb_url, namespace, tmp / "logs", extra_env=SERVICE_ENV,
                 replicas=args.replicas),
    ]  # fmt: skip
    started = time.monotonic()
    error: BaseException | None = None
    try:
        say(f"raw: MongoDB inserts ({args.raw_docs} docs), then Kafka ({args.raw_docs} messages)")
        results.storage = asyncio.run(storage_rates(args.mongodb_url, namespace, args.raw_docs))
        results.kafka = asyncio.run(kafka_rates(args.kafka, namespace, args.raw_docs, deadline))
        say(f"raw: HTTP accept of the gateway alone, {args.http_requests} requests")
        platforms[0].start(timeout=min(120.0, deadline.left()))
        urls = [g.url for g in platforms[0].instances("gateway")]
        results.http = asyncio.run(http_accept(urls, args.http_requests, args.concurrency))
        platforms[0].stop()
        say(f"starting the services: {', '.join(s.log_path.stem for s in platforms[1].all())}")
        platforms[1].start(timeout=min(120.0, deadline.left()))
        asyncio.run(rounds(platforms[1], args, deadline, results))
    except (Exception, KeyboardInterrupt) as exc:
        error = exc
        say(f"stopped: {exc!r}")
        for service in platforms[1].all():
            if tail := service.tail(10):
                say(f"--- last lines of {service.log_path}:\n{tail}")
    finally:
        for platform in platforms:
            platform.stop()
    print_report(results)
    problems, transient = log_problems([s for p in platforms for s in p.all()])
    for title, counts in (("service log errors", problems), ("transient, not counted", transient)):
        if counts:
            print(f"\n{title} ({sum(counts.values())} lines):")
            for message, count in counts.most_common(6):
                print(f"  {count:>4} x {message}")
    lost = results.lost() + sum(results.http.failed.values() if results.http else [])
    print(f"\ntotal run time {time.monotonic() - started:.0f} s, namespace {namespace}")
    if error is None and not lost and not problems:
        shutil.rmtree(tmp, ignore_errors=True)
        return 0
    say(f"{lost} requests lost or refused; logs kept in {tmp}")
    return 130 if isinstance(error, KeyboardInterrupt) else 1


if __name__ == "__main__":
    sys.exit(main())
