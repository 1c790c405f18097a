"""The safety loop under faults, on real processes, a real Kafka and a real FerretDB: crisis
check-ins go in through the gateway (202), the check-ins service raises the alert, the
notifications service pages a webhook receiver.

- The database stopped (SIGSTOP: it answers nothing) for OUTAGE seconds while crisis check-ins
  arrive every few seconds on one partition: every one is alerted and paged during the outage;
  once the database answers, every check-in is stored and nothing is alerted twice.
- The check-ins service dies right after a triggering 202 (SIGKILL at the point where the
  alert's log entry is written, before it is published) and is restarted at once, as an
  orchestrator would: one alert, paged within RECOVERY_TARGET seconds of the 202.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import statistics
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kindred.devtools.processes import ServiceProcess, free_port
from kindred.gateway.auth import issue_token
from kindred.gateway.settings import GatewaySettings
from tests.support.infra import Infra
from tests.support.kafka import TopicReader
from tests.support.receivers import Receiver, webhook_receiver
from tests.support.waiting import eventually

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SECRET = "safety-loop-fault-test-webhook-signing-secret-01"
CHAIN = {
    "levels": [{"id": "on-call-1", "contacts": {"webhook": "pager"}}],
    "fallback": {"id": "lead", "contacts": {"webhook": "pager"}},
}
# How long the database stays stopped (the issue's two minutes; shorter for a quick local run).
OUTAGE = float(os.environ.get("KINDRED_FAULT_OUTAGE_SECONDS", "120"))
CHECKIN_EVERY = 4.0
RECOVERY_TARGET = 5.0
CRISIS = {"note": "", "phq9": [1, 1, 1, 1, 1, 1, 1, 1, 3]}


@pytest.fixture
def webhook() -> Iterator[tuple[Receiver, int]]:
    with webhook_receiver(SECRET) as served:
        yield served


@pytest.fixture
async def stack(
    infra: Infra, namespace: str, tmp_path: Path, webhook: tuple[Receiver, int]
) -> AsyncIterator[dict[str, ServiceProcess]]:
    """Gateway, check-ins and notifications as processes, one partition per topic (every
    member on the one partition), started and ready; killed however the test ends."""
    common = {
        "KAFKA_BOOTSTRAP_SERVERS": infra.kafka,
        "MONGODB_URL": infra.mongodb_url,
        "KINDRED_NAMESPACE": namespace,
        "KAFKA_TOPIC_PARTITIONS": "1",
        "KAFKA_SESSION_TIMEOUT_SECONDS": "6",
        "RETRY_BACKOFF_BASE_SECONDS": "0.05",
        "RETRY_BACKOFF_MAX_SECONDS": "1",
        "URGENT_PUBLISH_AFTER_SECONDS": "1",
        "LOG_LEVEL": "WARNING",
    }
    services = {
        "checkins": ServiceProcess(
            "checkins",
            free_port(),
            {**common, "KAFKA_GROUP_INSTANCE_ID": "checkins-0"},
            tmp_path / "checkins.log",
        ),
        "notifications": ServiceProcess(
            "notifications",
            free_port(),
            {
                **common,
                "KAFKA_GROUP_INSTANCE_ID": "notifications-0",
                "ESCALATION_CHAIN": json.dumps(CHAIN),
                "ESCALATION_TICK_SECONDS": "0.2",
                "WEBHOOK_ENDPOINTS": json.dumps(
                    {"pager": {"url": f"http://127.0.0.1:{webhook[1]}/page", "secret": SECRET}}
                ),
            },
            tmp_path / "notifications.log",
        ),
    }
    services["gateway"] = ServiceProcess(
        "gateway",
        free_port(),
        {**common, "NOTIFICATIONS_URL": services["notifications"].url},
        tmp_path / "gateway.log",
    )
    try:
        for service in services.values():
            service.start()
        for service in services.values():
            await asyncio.to_thread(service.wait_ready, 90)
        yield services
    finally:
        for service in services.values():
            service.kill()


async def paged(receiver: Receiver, alert_id: str) -> float | None:
    """When the receiver first got a page about the alert (monotonic), if it did."""
    with receiver.lock:
        times = [at for at, _, body in receiver.received if alert_id in json.dumps(body)]
    return min(times, default=None)


async def page_time(receiver: Receiver, alert_id: str, timeout: float) -> float:  # noqa: ASYNC109
    at = await eventually(
        lambda: paged(receiver, alert_id),
        lambda t: t is not None,
        timeout=timeout,
        interval=0.05,
        what=f"a page about alert {alert_id}",
    )
    assert at is not None
    return at


async def check_in(http: httpx.AsyncClient, gateway: str, member_id: str) -> dict[str, Any]:
    token = issue_token(GatewaySettings(), member_id)
    response = await http.post(
        f"{gateway}/v1/members/{member_id}/checkins",
        json=CRISIS,
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 202, response.text
    body: dict[str, Any] = response.json()
    assert body["safety"] is not None  # the member sees crisis resources at once
    return body


async def alert_for(alerts: TopicReader, checkin_id: str, timeout: float) -> str:  # noqa: ASYNC109
    await eventually(
        alerts.poll,
        lambda _: any(v["data"]["checkin_id"] == checkin_id for v in alerts.values()),
        timeout=timeout,
        interval=0.05,
        what=f"the alert for check-in {checkin_id}",
    )
    [alert_id] = {
        v["data"]["alert_id"] for v in alerts.values() if v["data"]["checkin_id"] == checkin_id
    }
    return str(alert_id)


async def test_every_crisis_check_in_is_alerted_and_paged_while_the_database_is_stopped(
    infra: Infra,
    namespace: str,
    stack: dict[str, ServiceProcess],
    webhook: tuple[Receiver, int],
) -> None:
    pid = infra.server_pid("ferretdb")
    if pid is None:
        pytest.skip("stopping the database needs the local stack's own process")
    receiver, _ = webhook
    gateway = stack["gateway"].url
    latencies: list[float] = []
    async with (
        httpx.AsyncClient(timeout=10) as http,
        TopicReader(infra.kafka, f"{namespace}.safety.alert-raised") as alerts,
        TopicReader(infra.kafka, f"{namespace}.checkin.recorded") as recorded,
    ):
        # Both partitions taken over and warm (their logs fenced) before the outage.
        warm = await check_in(http, gateway, "warm-up")
        warm_alert = await alert_for(alerts, warm["resource_id"], timeout=60)
        await page_time(receiver, warm_alert, timeout=30)
        accepted: list[tuple[str, float]] = []
        os.kill(pid, signal.SIGSTOP)
        stopped_at = time.monotonic()
        try:
            n = 0
            while time.monotonic() - stopped_at < OUTAGE:
                body = await check_in(http, gateway, f"member-{n}")
                accepted.append((body["resource_id"], time.monotonic()))
                n += 1
                await asyncio.sleep(CHECKIN_EVERY)
            # Every one alerted and paged while the database is still stopped.
            for checkin_id, at in accepted:
                alert_id = await alert_for(alerts, checkin_id, timeout=20)
                page_at = await page_time(receiver, alert_id, timeout=20)
                latencies.append(page_at - at)
            still_stopped = True
        finally:
            os.kill(pid, signal.SIGCONT)
        assert still_stopped
        # Back: every check-in stored and recorded, one alert each.
        ids = {c for c, _ in accepted} | {warm["resource_id"]}
        await eventually(
            recorded.poll,
            lambda _: ids <= {v["data"]["checkin_id"] for v in recorded.values()},
            timeout=120,
            what="every check-in recorded once the database answers",
        )
        await alerts.read_to_end()
    by_checkin: dict[str, set[str]] = {}
    for value in alerts.values():
        by_checkin.setdefault(value["data"]["checkin_id"], set()).add(value["id"])
    assert all(len(by_checkin[c]) == 1 for c in ids)
    latencies.sort()
    print(
        f"\noutage {OUTAGE:.0f} s: {len(accepted)} crisis check-ins, all paged during it; "
        f"202 -> page median {statistics.median(latencies):.2f} s, max {latencies[-1]:.2f} s"
    )
    assert len(accepted) >= OUTAGE // CHECKIN_EVERY - 1


async def test_a_check_ins_crash_right_after_a_triggering_202_pages_within_five_seconds(
    infra: Infra,
    namespace: str,
    stack: dict[str, ServiceProcess],
    webhook: tuple[Receiver, int],
) -> None:
    receiver, _ = webhook
    checkins = stack["checkins"]
    gateway = stack["gateway"].url
    async with (
        httpx.AsyncClient(timeout=10) as http,
        TopicReader(infra.kafka, f"{namespace}.safety.alert-raised") as alerts,
    ):
        warm = await check_in(http, gateway, "warm-up")  # partitions taken over, warm
        await alert_for(alerts, warm["resource_id"], timeout=60)
        # Dies where the alert's log entry is written, before anything is published.
        checkins.kill()
        checkins.env["KINDRED_FAILPOINTS"] = "after-log-append-urgent"
        checkins.start()
        await asyncio.to_thread(checkins.wait_ready, 90)
        body = await check_in(http, gateway, "member-1")
        accepted_at = time.monotonic()
        assert checkins.process is not None
        await asyncio.to_thread(checkins.process.wait, 30)
        del checkins.env["KINDRED_FAILPOINTS"]
        checkins.start()  # at once, as an orchestrator restarts a crashed container
        alert_id = await alert_for(alerts, body["resource_id"], timeout=30)
        page_at = await page_time(receiver, alert_id, timeout=30)
        await alerts.read_to_end()
    latency = page_at - accepted_at
    print(f"\ncrash right after a triggering 202: paged {latency:.2f} s after the 202")
    ids = {v["id"] for v in alerts.values() if v["data"]["checkin_id"] == body["resource_id"]}
    assert ids == {alert_id}
    assert latency < RECOVERY_TARGET
