"""Every error is JSON: `{"error": code, "detail": text, "fields": [{"field", "problem"}]}`."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException


def _field(loc: tuple[Any, ...]) -> str:
    # ("body", "topics", 0) -> "topics[0]"; the first element only says where the value came from.
    parts = (
        [str(p) for p in loc[1:]]
        if loc and loc[0] in {"body", "path", "query"}
        else list(map(str, loc))
    )
    name = ""
    for part in parts:
        name += f"[{part}]" if part.isdigit() else (f".{part}" if name else part)
    return name or str(loc[0] if loc else "body")


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        fields = [
            {"field": _field(tuple(e.get("loc", ()))), "problem": e.get("msg", "invalid")}
            for e in exc.errors()
        ]
        summary = "; ".join(f"{f['field']}: {f['problem']}" for f in fields)
        return JSONResponse(
            status_code=422,
            content={"error": "invalid_request", "detail": summary, "fields": fields},
        )

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        body = (
            exc.detail
            if isinstance(exc.detail, dict)
            else {"error": "http_error", "detail": str(exc.detail)}
        )
        return JSONResponse(
            status_code=exc.status_code, content=body, headers=getattr(exc, "headers", None)
        )
