"""Liveness, readiness and /metrics, the same three routes on every service."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Literal

from fastapi import APIRouter, FastAPI, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, Field

from kindred.observability.metrics import registry

ReadinessCheck = Callable[[], Awaitable[bool]]
# What else keeps the replica from doing its work (a background loop failing), as sentences.
Problems = Callable[[], list[str]]
# What stopped for good in this process (a partition or a loop a bug ended): only a restart
# mends it, so liveness fails and the orchestrator restarts the replica (its partitions move).
Stopped = Callable[[], list[str]]


class Liveness(BaseModel):
    """The body of /health/live: 200 alive, 503 when part of the replica stopped for good."""

    status: Literal["alive", "stopped"]
    stopped: list[str] = Field(default=[], description="What stopped (restart the replica)")


class Readiness(BaseModel):
    """The body of /health/ready, 200 when ready and 503 when not."""

    status: Literal["ready", "not ready"]
    checks: dict[str, Literal["up", "down"]] = Field(description="Each dependency: up or down")
    problems: list[str] = Field(default=[], description="What else keeps it from working")


def health_router(
    checks: dict[str, ReadinessCheck],
    problems: Problems | None = None,
    timeout: float = 3.0,
    stopped: Stopped | None = None,
) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get(
        "/health/live",
        response_model=Liveness,
        responses={503: {"model": Liveness, "description": "Stopped: restart the replica"}},
    )
    async def live() -> JSONResponse:
        gone = stopped() if stopped is not None else []
        if gone:
            return JSONResponse({"status": "stopped", "stopped": gone}, status_code=503)
        return JSONResponse({"status": "alive"})

    @router.get(
        "/health/ready",
        response_model=Readiness,
        responses={503: {"model": Readiness, "description": "Not ready: see `checks`"}},
    )
    async def ready() -> JSONResponse:
        async def run(check: ReadinessCheck) -> bool:
            try:
                return await asyncio.wait_for(check(), timeout)
            except Exception:
                return False

        names = list(checks)
        results = await asyncio.gather(*(run(checks[n]) for n in names))
        status = {name: "up" if ok else "down" for name, ok in zip(names, results, strict=True)}
        failing = problems() if problems is not None else []
        ok = all(results) and not failing
        body: dict[str, object] = {"status": "ready" if ok else "not ready", "checks": status}
        if failing:
            body["problems"] = failing
        return JSONResponse(body, status_code=200 if ok else 503)

    # Documented as what it is: the Prometheus text exposition, not JSON.
    @router.get(
        "/metrics",
        response_class=PlainTextResponse,
        responses={200: {"description": "Prometheus text exposition format"}},
    )
    async def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return router


def mount_health(
    app: FastAPI,
    checks: dict[str, ReadinessCheck],
    problems: Problems | None = None,
    stopped: Stopped | None = None,
) -> None:
    app.include_router(health_router(checks, problems, stopped=stopped))
