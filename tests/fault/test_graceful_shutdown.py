"""SIGTERM mid-stream: the service drains what it holds, exits cleanly, and after a restart
every event has exactly one inbox entry per recipient."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from kindred.devtools.processes import ServiceProcess, free_port
from tests.support.factories import match_proposed
from tests.support.infra import Infra
from tests.support.kafka import produce_event
from tests.support.waiting import eventually

pytestmark = pytest.mark.e2e

EVENTS = 300


async def test_sigterm_mid_stream_drains_and_loses_nothing(
    infra: Infra, namespace: str, tmp_path: Path
) -> None:
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": infra.kafka,
        "MONGODB_URL": infra.mongodb_url,
        "KINDRED_NAMESPACE": namespace,
    }
    service = ServiceProcess("notifications", free_port(), env, tmp_path / "notifications.log")
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infra.mongodb_url)
    inbox = mongo[f"{namespace}_notifications"]["inbox"]
    events = [match_proposed(f"seeker-{i}", f"supporter-{i % 7}") for i in range(EVENTS)]
    service.start()
    try:
        service.wait_ready()
        for event in events:
            await produce_event(infra.kafka, namespace, event)
        await eventually(
            lambda: inbox.count_documents({}), lambda n: n > 0, what="the stream being consumed"
        )
        service.stop(timeout=30)  # SIGTERM
        # uvicorn re-raises SIGTERM once shutdown is complete, hence -15 rather than 0.
        assert service.process is not None and service.process.returncode in (0, -15)
        log = service.log_path.read_text()
        assert '"service stopping: finishing the batches in hand"' in log
        assert '"service stopped"' in log

        service.start()
        service.wait_ready()

        async def entries() -> list[dict[str, Any]]:
            return [d async for d in inbox.find({"member_id": {"$regex": "^seeker-"}})]

        found = await eventually(
            entries, lambda e: len(e) >= EVENTS, timeout=120, what="an entry for every event"
        )
        assert Counter(e["source_event_id"] for e in found) == Counter(e.id for e in events)
    finally:
        service.stop()
        await mongo.close()
