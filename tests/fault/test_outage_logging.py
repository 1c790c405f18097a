"""A Kafka outage is logged when it starts and when it ends, not once per failed request,
retry or client-library attempt (the log once carried thousands of lines a minute)."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import signal
from collections.abc import Iterator

import httpx
import pytest

from kindred.gateway.app import create_app as create_gateway
from kindred.gateway.auth import issue_token
from kindred.gateway.settings import GatewaySettings
from kindred.matching.app import create_app as create_matching
from kindred.matching.settings import MatchingSettings
from kindred.observability.logging import configure_logging
from tests.support.infra import Infra
from tests.support.services import running, settings_for
from tests.support.waiting import eventually

pytestmark = pytest.mark.slow

OUTAGE_SECONDS = 12
CLIENTS = 8


@pytest.fixture
def service_log() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved = root.handlers[:], root.level, logging.getLogger("aiokafka").level
    stream = io.StringIO()
    configure_logging("outage-test", "INFO", stream=stream)
    yield stream
    root.handlers[:], level, aiokafka_level = saved
    root.setLevel(level)
    logging.getLogger("aiokafka").setLevel(aiokafka_level)


async def test_a_kafka_outage_is_logged_when_it_starts_and_ends_not_per_attempt(
    infra: Infra, namespace: str, service_log: io.StringIO
) -> None:
    pid = infra.kafka_pid()
    if pid is None:
        pytest.skip("pausing Kafka needs the local stack's own process")
    gateway_settings = settings_for(GatewaySettings, infra, namespace, publish_timeout_seconds=0.5)
    matching_settings = settings_for(MatchingSettings, infra, namespace)
    headers = {"Authorization": f"Bearer {issue_token(gateway_settings, 'm1')}"}
    attempts = 0
    async with (
        running(create_matching(matching_settings)) as matching,
        running(create_gateway(gateway_settings)) as gateway,
    ):

        async def check_in() -> httpx.Response:
            nonlocal attempts
            attempts += 1
            return await gateway.post("/v1/members/m1/checkins", json={"mood": 6}, headers=headers)

        assert (await check_in()).status_code == 202
        before = len(service_log.getvalue().splitlines())
        os.kill(pid, signal.SIGSTOP)
        try:
            stop = asyncio.Event()

            async def client() -> None:
                while not stop.is_set():
                    await check_in()

            clients = [asyncio.create_task(client()) for _ in range(CLIENTS)]
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(stop.wait(), OUTAGE_SECONDS)
            stop.set()
            await asyncio.gather(*clients)
        finally:
            os.kill(pid, signal.SIGCONT)
        await eventually(check_in, lambda r: r.status_code == 202, timeout=60, what="202 again")
        for service in (gateway, matching):
            await eventually(
                lambda s=service: s.get("/health/ready"),  # type: ignore[misc]
                lambda r: r.status_code == 200,
                timeout=60,
                what="ready again",
            )

    lines = [json.loads(line) for line in service_log.getvalue().splitlines()[before:]]
    loud = [f"{r['level']} {r['logger']}: {r['message'][:120]}" for r in lines]
    loud = [line for line in loud if not line.startswith(("INFO", "DEBUG"))]
    assert attempts > 100, attempts  # the outage was felt by many requests
    starts = [line for line in loud if "kafka unavailable" in line]
    ends = [line for line in loud if "kafka available again" in line]
    assert 1 <= len(starts) <= 3, loud
    assert len(ends) == len(starts), loud
    assert len(loud) <= 25, "\n".join(loud)
