from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from kindred.devtools.processes import Platform
from tests.support.infra import Infra
from tests.support.receivers import Receiver, webhook_receiver


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture
def platform(infra: Infra, namespace: str, tmp_path: Path) -> Iterator[Platform]:
    with Platform(
        infra.kafka,
        infra.mongodb_url,
        namespace,
        tmp_path / "logs",
        extra_env={
            "RETRY_BACKOFF_BASE_SECONDS": "0.05",
            "MATCH_BATCH_SECONDS": "0.3",
            "REMATCH_INTERVAL_SECONDS": "1",
        },
    ) as running:
        yield running


# Two on-call levels paged by webhook, for the tests that follow a page up the chain.
WEBHOOK_SECRET = "e2e-webhook-signing-secret-0123456789-abcdef"


@pytest.fixture
def first() -> Iterator[tuple[Receiver, int]]:
    """The first level's webhook receiver (on-call-1)."""
    with webhook_receiver(WEBHOOK_SECRET) as served:
        yield served


@pytest.fixture
def second() -> Iterator[tuple[Receiver, int]]:
    """The second level's (on-call-2, and the fallback's) webhook receiver."""
    with webhook_receiver(WEBHOOK_SECRET) as served:
        yield served


def paging_env(
    first: tuple[Receiver, int], second: tuple[Receiver, int], deadline: int, gateway_port: int
) -> dict[str, str]:
    """The settings of a platform whose chain pages `first`, then `second`, each given
    `deadline` seconds, with page links to the gateway on `gateway_port`."""
    chain = {
        "levels": [
            {"id": "on-call-1", "contacts": {"webhook": "first"}},
            {"id": "on-call-2", "contacts": {"webhook": "second"}},
        ],
        "fallback": {"id": "lead", "contacts": {"webhook": "second"}},
    }
    hooks = {
        name: {"url": f"http://127.0.0.1:{port}/page", "secret": WEBHOOK_SECRET}
        for name, (_, port) in (("first", first), ("second", second))
    }
    return {
        "RETRY_BACKOFF_BASE_SECONDS": "0.05",
        "ESCALATION_CHAIN": json.dumps(chain),
        "WEBHOOK_ENDPOINTS": json.dumps(hooks),
        "ESCALATION_ACK_SECONDS": str(deadline),
        "ESCALATION_URGENT_ACK_SECONDS": str(deadline),
        "ESCALATION_TICK_SECONDS": "0.2",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{gateway_port}",
    }
