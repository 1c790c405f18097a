from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kindred.devtools.processes import Platform
from tests.support.infra import Infra


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
