"""The gateway's OpenAPI document: what `GET /openapi.json` serves and docs/openapi/gateway.json
holds (python -m kindred.devtools.openapi rewrites it; a contract test compares them)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

VERSION = "1.0.0"
DESCRIPTION = """\
The API client apps use. Every request but the operational ones (`/health/*`, `/metrics`)
carries `Authorization: Bearer <JWT>`, whose `sub` is the member id; a member acts only on
their own data. Writes are published to Kafka (acks=all) and answered 202 once Kafka confirmed.

Staff routes (tags `staff`, `safety staff`) need a staff role in the token's `roles`:
`safety-staff`, `moderator`, `supporter-admin` or `operator`, each explicit. Nobody views or acts
on their own case, and every staff view and action is recorded in the audit trail (Kafka,
acks=all) before anything is shown or done: 503 when it cannot be.

Every error, whatever its status, has the body `ErrorBody`:
`{"error": code, "detail": text, "fields": [{"field", "problem"}]}`. Bodies are JSON
(`Content-Type: application/json`, else 415) of at most MAX_BODY_BYTES (64 KiB by default,
else 413).
"""


def describe_api(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = get_openapi(
                title=app.title,
                version=VERSION,
                openapi_version=app.openapi_version,
                description=DESCRIPTION,
                routes=app.routes,
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
