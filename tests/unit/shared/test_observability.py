"""Outages are logged once when they start, periodically, and once when they end; client
libraries' repeats are summed up; a background loop that keeps failing makes a replica
not ready."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI

from kindred.background import LoopHealth, loops, periodic
from kindred.observability.health import mount_health
from kindred.observability.logging import LibraryNoise, configure_logging
from kindred.observability.outages import Outage
from tests.support.waiting import eventually

pytestmark = pytest.mark.unit


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def lines() -> Iterator[io.StringIO]:
    """The process's log as JSON lines, configured as a service configures it."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    stream = io.StringIO()
    configure_logging("test", "INFO", stream=stream)
    yield stream
    root.handlers[:], level = saved
    root.setLevel(level)


def parsed(stream: io.StringIO) -> list[dict[str, str]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_an_outage_is_logged_when_it_starts_every_minute_and_when_it_ends(
    lines: io.StringIO,
) -> None:
    clock = Clock()
    kafka = Outage("kafka", remind_every=60.0, clock=clock)
    for _ in range(500):  # 500 failed attempts within 20 s: one line
        kafka.failed(ConnectionRefusedError("connection refused"), "partition 1")
        clock.now += 0.04
    assert kafka.down
    clock.now += 45.0
    kafka.failed(ConnectionRefusedError("connection refused"))  # 65 s in: a reminder
    kafka.failed(ConnectionRefusedError("connection refused"))
    clock.now += 5.0
    kafka.succeeded()
    kafka.succeeded()  # no outage: nothing to say

    logged = parsed(lines)
    assert [(r["level"], r["message"].split(":")[0]) for r in logged] == [
        ("ERROR", "kafka unavailable (partition 1)"),
        ("ERROR", "kafka still unavailable after 65 s (501 failed attempts); last"),
        ("WARNING", "kafka available again after 70.0 s (502 failed attempts meanwhile)"),
    ]
    assert "ConnectionRefusedError: connection refused" in logged[0]["message"]
    assert not kafka.down


def test_library_repeats_are_counted_and_summed_up_on_the_next_line_of_their_kind(
    lines: io.StringIO,
) -> None:
    clock = Clock()
    noise = LibraryNoise(window=60.0, clock=clock)
    logging.getLogger().handlers[0].filters[-1] = noise
    fetcher = logging.getLogger("aiokafka.consumer.fetcher")
    client = logging.getLogger("aiokafka.client")
    for node in range(300):
        fetcher.error("Failed fetch messages from %s: %s", node, "RequestTimedOutError")
        client.error("Unable connect to node with id %s: %s", 1, "refused")
        clock.now += 0.1
    clock.now += 31.0  # the window of each kind has passed
    fetcher.error("Failed fetch messages from %s: %s", 1, "RequestTimedOutError")
    logging.getLogger("kindred.partitions").error("the service's own lines are never dropped")
    logging.getLogger("kindred.partitions").error("the service's own lines are never dropped")

    messages = [r["message"] for r in parsed(lines)]
    assert messages == [
        "Failed fetch messages from 0: RequestTimedOutError",
        "Unable connect to node with id 1: refused",
        "Failed fetch messages from 1: RequestTimedOutError (and 299 more like it in the "
        "last 61 s)",
        "the service's own lines are never dropped",
        "the service's own lines are never dropped",
    ]


def test_routine_kafka_states_at_start_are_info_not_errors(lines: io.StringIO) -> None:
    coordinator = logging.getLogger("aiokafka.consumer.group_coordinator")
    coordinator.error(
        "Group Coordinator Request failed: %s", "[Error 15] CoordinatorNotAvailableError"
    )
    logging.getLogger("aiokafka.cluster").error("Topic %s not found in cluster metadata", "t")
    logging.getLogger("aiokafka.client").error("Unable to update metadata from %s", [1])

    levels = [(r["level"], r["message"][:30]) for r in parsed(lines)]
    assert levels == [
        ("INFO", "Group Coordinator Request fail"),
        ("INFO", "Topic t not found in cluster m"),
        ("ERROR", "Unable to update metadata from"),
    ]


def test_loop_health_reports_a_loop_after_the_threshold_and_clears_on_success() -> None:
    health = LoopHealth()
    health.failed("refresh")
    health.failed("refresh")
    assert health.problems(threshold=3) == []
    health.failed("refresh")
    assert health.problems(threshold=3) == ["refresh: 3 rounds failed in a row"]
    health.succeeded("refresh")
    assert health.problems(threshold=1) == []
    health.stop("partition 2")
    assert health.problems(threshold=3) == ["partition 2: stopped"]
    health.forget("partition 2")
    assert health.problems(threshold=1) == []


async def test_a_failing_background_loop_makes_the_replica_not_ready_then_ready_again() -> None:
    failing = True
    rounds = 0

    async def refresh() -> None:
        nonlocal rounds
        rounds += 1
        if failing:
            raise RuntimeError("the cache cannot be refreshed")

    app = FastAPI()

    async def up() -> bool:
        return True

    mount_health(app, {"kafka": up}, lambda: loops.problems(threshold=3))
    stop = asyncio.Event()
    task = asyncio.create_task(periodic("cache refresh", 0.01, refresh)(stop))
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://s") as client:

            async def ready() -> httpx.Response:
                return await client.get("/health/ready")

            async def until(status: int) -> httpx.Response:
                return await eventually(
                    ready, lambda r: r.status_code == status, timeout=10, interval=0.01
                )

            response = await until(503)
            assert rounds >= 3
            assert response.json() == {
                "status": "not ready",
                "checks": {"kafka": "up"},
                "problems": [response.json()["problems"][0]],
            }
            assert response.json()["problems"][0].startswith("cache refresh: ")
            assert "rounds failed in a row" in response.json()["problems"][0]
            failing = False
            assert (await until(200)).json() == {"status": "ready", "checks": {"kafka": "up"}}
    finally:
        stop.set()
        await task
        loops.forget("cache refresh")


async def test_a_partition_a_bug_stopped_fails_liveness_until_it_is_forgotten() -> None:
    """A stopped partition stays assigned to this replica (Kafka sees it heartbeating), so
    only a restart moves it: liveness fails for the orchestrator to do that."""
    health = LoopHealth()
    app = FastAPI()

    async def up() -> bool:
        return True

    mount_health(app, {"kafka": up}, stopped=lambda: sorted(health.stopped))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://s") as client:
        assert (await client.get("/health/live")).json() == {"status": "alive"}
        health.stop("checkins partition 2")
        response = await client.get("/health/live")
        assert response.status_code == 503
        assert response.json() == {"status": "stopped", "stopped": ["checkins partition 2"]}
        health.forget("checkins partition 2")  # revoked: another replica carries on
        assert (await client.get("/health/live")).status_code == 200
