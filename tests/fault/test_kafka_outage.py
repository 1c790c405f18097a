"""While Kafka does not answer, the gateway answers 503 with Retry-After within its publish
timeout instead of holding the request open, and takes requests again once Kafka is back."""

from __future__ import annotations

import os
import signal
import time

import httpx
import pytest

from kindred.gateway.app import create_app
from kindred.gateway.auth import issue_token
from kindred.gateway.settings import GatewaySettings
from tests.support.infra import Infra
from tests.support.services import running, settings_for
from tests.support.waiting import eventually

pytestmark = pytest.mark.slow

TIMEOUT = 1.0


async def test_the_gateway_answers_503_within_its_timeout_while_kafka_is_away(
    infra: Infra, namespace: str
) -> None:
    pid = infra.kafka_pid()
    if pid is None:
        pytest.skip("pausing Kafka needs the local stack's own process")
    settings = settings_for(GatewaySettings, infra, namespace, publish_timeout_seconds=TIMEOUT)
    headers = {"Authorization": f"Bearer {issue_token(settings, 'm1')}"}
    async with running(create_app(settings)) as gateway:

        async def check_in() -> httpx.Response:
            return await gateway.post("/v1/members/m1/checkins", json={"mood": 6}, headers=headers)

        assert (await check_in()).status_code == 202
        os.kill(pid, signal.SIGSTOP)  # the broker stops answering, its connections stay open
        try:
            started = time.monotonic()
            response = await check_in()
            elapsed = time.monotonic() - started
        finally:
            os.kill(pid, signal.SIGCONT)
        assert response.status_code == 503, response.text
        assert elapsed < TIMEOUT + 1.0, elapsed
        assert response.headers["Retry-After"] == "5"
        body = response.json()
        assert body["error"] == "unavailable"
        assert "may not have been recorded, or may be recorded late" in body["detail"]
        back = await eventually(
            check_in, lambda r: r.status_code == 202, timeout=60, what="a 202 once Kafka is back"
        )
        assert back.json()["event_id"]
