"""Every error is JSON: `{"error": code, "detail": text, "fields": [{"field", "problem"}]}`.

An error never echoes the input back: problems are pydantic's messages (which do not quote the
value) or the models' own, field names and texts are capped, and no exception text reaches a
client.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException

# Caps on what an error body repeats of a request: a field's name (a client chooses the keys
# of an object), a problem's text, and how many problems are listed.
MAX_FIELD_CHARS = 100
MAX_PROBLEM_CHARS = 300
MAX_FIELDS = 20


class FieldProblem(BaseModel):
    field: str = Field(description="Where in the request: `topics[0]`, `mood`, `limit`")
    problem: str = Field(description="What is wrong with it, for a person to read")


class ErrorBody(BaseModel):
    """The body of every error response."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    error: str = Field(
        description="A stable code: bad_request, invalid_request, unauthorized, forbidden, "
        "not_found, method_not_allowed, conflict, gone, payload_too_large, unsupported_media_type, "
        "unavailable"
    )
    detail: str = Field(description="What went wrong and what to do, for a person to read")
    fields: list[FieldProblem] = Field(
        default_factory=list, description="One entry per invalid field (only on 422)"
    )


CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    410: "gone",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    503: "unavailable",
}


def error_body(
    status: int, detail: str, fields: list[FieldProblem] | None = None
) -> dict[str, Any]:
    return ErrorBody(
        error=CODES.get(status, "http_error"), detail=detail, fields=fields or []
    ).model_dump()


def _cap(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
    return _cap(name or str(loc[0] if loc else "body"), MAX_FIELD_CHARS)


# A model's own rule across fields names the field it faults first ("note: ... needs a note").
_NAMED = re.compile(r"^Value error, ([a-z_][a-z0-9_]*): ")


def _problem(error: dict[str, Any]) -> FieldProblem:
    loc, message = tuple(error.get("loc", ())), str(error.get("msg", "invalid"))
    named = _NAMED.match(message) if loc == ("body",) else None
    if named:  # the field leads the summary already: the problem is the rule's own words
        message = message[named.end() :]
    return FieldProblem(
        field=named.group(1) if named else _field(loc),
        problem=_cap(message, MAX_PROBLEM_CHARS),
    )


def validation_problems(exc: RequestValidationError) -> list[FieldProblem]:
    return [_problem(e) for e in exc.errors()]


# What a route adds to the 422 body of a request it refused: (request, the raw body) -> fields.
Rejected = Callable[[Request, Any], dict[str, Any]]


def install_error_handlers(app: FastAPI, on_rejected: Rejected | None = None) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = validation_problems(exc)
        listed = problems[:MAX_FIELDS]
        summary = "; ".join(f"{p.field}: {p.problem}" for p in listed[:5])
        if len(problems) > 5:
            summary += f"; and {len(problems) - 5} more"
        body = error_body(422, summary, listed)
        if on_rejected is not None:
            body |= on_rejected(request, exc.body)
        return JSONResponse(status_code=422, content=body)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        if isinstance(exc.detail, dict):
            body = {**exc.detail}
            body.setdefault("fields", [])
        else:
            body = error_body(exc.status_code, str(exc.detail))
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:
            headers = {**(headers or {}), "Allow": allowed_methods(app, request)}
        return JSONResponse(status_code=exc.status_code, content=body, headers=headers)


def allowed_methods(app: FastAPI, request: Request) -> str:
    """Every method some route serves at the request's path (Starlette names only those of
    the first route matching it, where several routes share a path with different methods)."""
    methods: set[str] = set()
    routes = list(app.routes)
    for route in routes:
        # An included router's routes (FastAPI keeps them under `original_router`).
        routes += getattr(getattr(route, "original_router", None), "routes", [])
        regex = getattr(route, "path_regex", None)
        if regex is not None and regex.match(request.url.path):
            methods |= getattr(route, "methods", None) or set()
    return ", ".join(sorted(methods))
