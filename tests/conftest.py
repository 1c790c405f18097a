"""Fixtures shared by every test layer. Infrastructure starts once per session, on demand."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from kindred.background import loops
from tests.support.infra import Infra, provide_infra


@pytest.fixture(autouse=True)
def fresh_loop_health() -> Iterator[None]:
    """Readiness reads the loops of this process (`kindred.background.loops`). A replica is a
    process of its own in production, but tests run many replicas, some in threads, in one
    process: a loop one test left failing or stopped must not make a later test's replica
    unready."""
    yield
    for loop in [*loops.failing, *loops.stopped]:
        loops.forget(loop)


@pytest.fixture(scope="session")
def infra() -> Iterator[Infra]:
    with provide_infra() as provided:
        yield provided


@pytest.fixture
def namespace() -> str:
    """A fresh topic/group/database prefix: tests sharing one broker never see each other."""
    return f"t{uuid.uuid4().hex[:12]}"


@pytest.fixture
async def mongo(infra: Infra) -> AsyncIterator[AsyncMongoClient[dict[str, Any]]]:
    """A client of the test servers' MongoDB, closed however the test ends."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infra.mongodb_url, tz_aware=True)
    try:
        yield client
    finally:
        await client.close()
