"""SIGTERM mid-stream: the service drains what it holds, exits cleanly, and after a restart
every event has exactly one inbox entry per recipient. Draining is shown, not assumed: what the
first run committed (its partition log says how far it got in each partition) is exactly what
the second run does not handle again: it handles the rest, none of it redelivered or twice."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pymongo import AsyncMongoClient

from kindred.devtools.processes import ServiceProcess, free_port
from tests.support.factories import match_proposed
from tests.support.infra import Infra
from tests.support.kafka import produce_events
from tests.support.waiting import eventually

pytestmark = pytest.mark.e2e


async def committed_records(
    mongo: AsyncMongoClient[dict[str, Any]], namespace: str, topic: str
) -> int:
    """Records of `topic` the service committed, from its partition log: the offset it would
    resume from in each partition (the topic is new: it starts at 0)."""
    entries = mongo[f"{namespace}_notifications"]["partition_log"].find({})
    latest: dict[int, dict[str, Any]] = {}
    async for entry in entries:
        known = latest.get(entry["partition"])
        if known is None or known["seq"] < entry["seq"]:
            latest[entry["partition"]] = entry
    return sum(
        o["next"] for entry in latest.values() for o in entry["offsets"] if o["topic"] == topic
    )


def handled_by_outcome(metrics: str, topic: str) -> dict[str, float]:
    """Records of `topic` the service finished, per outcome, from its /metrics (zero counts
    left out). The service also consumes what it emits itself (notification.requested): only
    the stream under test counts."""
    totals: Counter[str] = Counter()
    for family in text_string_to_metric_families(metrics):
        for sample in family.samples:
            if (
                sample.name == "kindred_events_handled_total"
                and sample.labels["topic"] == topic
                and sample.value
            ):
                totals[sample.labels["outcome"]] += sample.value
    return dict(totals)


EVENTS = 1500


async def test_sigterm_mid_stream_drains_and_loses_nothing(
    infra: Infra, namespace: str, tmp_path: Path
) -> None:
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": infra.kafka,
        "MONGODB_URL": infra.mongodb_url,
        "KINDRED_NAMESPACE": namespace,
        "KINDRED_DEV_MODE": "1",
        # Small batches: many commits, so SIGTERM lands in the middle of the stream.
        "CONSUMER_BATCH_MAX": "5",
    }
    service = ServiceProcess("notifications", free_port(), env, tmp_path / "notifications.log")
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infra.mongodb_url)
    inbox = mongo[f"{namespace}_notifications"]["inbox"]
    events = [match_proposed(f"seeker-{i}", f"supporter-{i % 7}") for i in range(EVENTS)]
    await produce_events(infra.kafka, namespace, events)
    service.start()
    try:
        service.wait_ready()
        await eventually(
            lambda: inbox.count_documents({}), lambda n: n > 0, what="the stream being consumed"
        )
        service.stop(timeout=30)  # SIGTERM
        # uvicorn re-raises SIGTERM once shutdown is complete, hence -15 rather than 0.
        assert service.process is not None and service.process.returncode in (0, -15)
        log = service.log_path.read_text()
        assert '"service stopping: finishing the batches in hand"' in log
        assert '"service stopped"' in log
        committed = await committed_records(mongo, namespace, f"{namespace}.match.proposed")
        assert 0 < committed < EVENTS, "stop mid-stream (send more events?)"
        # What the first run committed it also stored before it exited: one inbox entry for
        # each `notification.requested` it consumed.
        requested = await committed_records(mongo, namespace, f"{namespace}.notification.requested")
        assert await inbox.count_documents({}) == requested > 0

        service.log_path = tmp_path / "notifications-2.log"
        service.start()
        service.wait_ready()

        async def entries() -> list[dict[str, Any]]:
            return [d async for d in inbox.find({"member_id": {"$regex": "^seeker-"}})]

        found = await eventually(
            entries, lambda e: len(e) >= EVENTS, timeout=120, what="an entry for every event"
        )
        assert Counter(e["source_event_id"] for e in found) == Counter(e.id for e in events)

        # The second run handled exactly what the first had not committed. (Had the first
        # exited with a batch handled but not committed, the second would count fewer, and a
        # redelivery would show as a duplicate or already-committed outcome.)
        async def outcomes() -> dict[str, float]:
            async with httpx.AsyncClient() as http:
                metrics = (await http.get(f"{service.url}/metrics")).text
                return handled_by_outcome(metrics, f"{namespace}.match.proposed")

        rest = EVENTS - committed
        counted = await eventually(
            outcomes, lambda o: sum(o.values()) >= rest, what="the second run's records counted"
        )
        assert counted == {"applied": rest}, counted
    finally:
        service.stop()
        await mongo.close()
