"""Run one service's app in this process against the real broker and database."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import TypeVar

import httpx
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from kindred.settings import ServiceSettings
from tests.support.infra import Infra

S = TypeVar("S", bound=ServiceSettings)


def settings_for(cls: type[S], infra: Infra, namespace: str, **overrides: object) -> S:
    values: dict[str, object] = {
        "kafka_bootstrap_servers": infra.kafka,
        "mongodb_url": infra.mongodb_url,
        "kindred_namespace": namespace,
        # Tests run with the dev-only default secrets.
        "kindred_dev_mode": True,
        "retry_backoff_base_seconds": 0.05,
        "retry_backoff_max_seconds": 0.2,
        **overrides,
    }
    return cls(**values)  # type: ignore[arg-type]


@contextlib.asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=60) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            yield client
