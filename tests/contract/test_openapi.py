"""The committed OpenAPI document is what the gateway serves, and it tells the truth: the real
error body and statuses of each route, the models' rules, /metrics as text."""

from __future__ import annotations

import json
from typing import Any

import jsonschema_rs
import pytest

from kindred.devtools.openapi import DOCUMENT, render
from kindred.events.vocabulary import ZONES
from tests.support.factories import profile_body

pytestmark = pytest.mark.contract

CHECKIN_ERROR_REF = "#/components/schemas/CheckinError"
ERROR_REF = "#/components/schemas/ErrorBody"
# Staff routes that name an alert, an item, a page's code or a supporter that may not exist.
NAMES_A_THING = {
    "/v1/safety/acks",
    "/v1/staff/alerts/{alert_id}",
    "/v1/staff/items/{item_id}",
    "/v1/staff/supporters/{member_id}/pause",
}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DOCUMENT.read_text())
    return loaded


def test_the_committed_document_is_current() -> None:
    assert DOCUMENT.read_text() == render(), (
        "docs/openapi/gateway.json is stale: run python -m kindred.devtools.openapi"
    )


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


def bearer_route(path: str) -> bool:
    """A route a bearer token authenticates (a page link's token is its own credential)."""
    return path.startswith("/v1/") and not path.startswith("/v1/pages/")


def test_every_member_route_declares_its_real_errors(document: dict[str, Any]) -> None:
    members = [(m, p, o) for m, p, o in operations(document) if bearer_route(p)]
    assert len(members) == 29
    for method, path, operation in members:
        expected = {"401", "403", "422", "503"} | (
            {"400", "413", "415"} if "requestBody" in operation else set()
        )
        if path.endswith(("/blocks", "/reports")):
            expected.add("409")  # a member naming themselves
        if path.endswith("/actions"):
            expected |= {"404", "409"}  # an unknown case; a resolved or claimed one
        if path.endswith("/ack") or path in NAMES_A_THING:
            expected.add("404")  # an alert not the member's, a code no page has, no such thing
        errors = {status for status in operation["responses"] if status >= "400"}
        assert errors == expected, (method, path)
        for status in errors:
            content = operation["responses"][status]["content"]
            # A check-in's 422 and 503 carry the crisis resources too (`safety`).
            checkin = path.endswith("/checkins") and status in {"422", "503"}
            ref = CHECKIN_ERROR_REF if checkin else ERROR_REF
            assert content == {"application/json": {"schema": {"$ref": ref}}}, (path, status)
        assert operation["security"] == [{"HTTPBearer": []}], path
    checkin_error = document["components"]["schemas"]["CheckinError"]
    assert checkin_error["required"] == ["error", "detail", "fields", "safety"]
    assert "safety" in checkin_error["properties"]
    assert "HTTPValidationError" not in json.dumps(document)
    error = document["components"]["schemas"]["ErrorBody"]
    assert error["required"] == ["error", "detail", "fields"]
    problem = document["components"]["schemas"]["FieldProblem"]
    assert set(problem["required"]) == {"field", "problem"}


def test_operations_are_documented_as_what_they_serve(document: dict[str, Any]) -> None:
    metrics = document["paths"]["/metrics"]["get"]["responses"]["200"]["content"]
    assert list(metrics) == ["text/plain"]
    ready = document["paths"]["/health/ready"]["get"]["responses"]
    assert set(ready) == {"200", "503"}
    assert ready["503"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Readiness"
    }
    for _, path, operation in operations(document):
        assert ("security" in operation) == bearer_route(path), path


def test_a_page_link_is_documented_as_html(document: dict[str, Any]) -> None:
    page = document["paths"]["/v1/pages/{token}"]
    assert set(page) == {"get", "post"}
    shown = page["get"]["responses"]
    assert set(shown) == {"200", "403", "404", "410", "422", "503"}
    assert all(list(r["content"]) == ["text/html"] for s, r in shown.items() if s != "422")
    assert shown["422"]["content"]["application/json"]["schema"] == {"$ref": ERROR_REF}
    posted = page["post"]["responses"]
    assert set(posted) == {"200", "202", "403", "404", "410", "422", "503"}
    assert posted["202"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/PageAcknowledged"
    }
    for status in ("403", "404", "410", "503"):
        assert set(posted[status]["content"]) == {"text/html", "application/json"}
        assert posted[status]["content"]["application/json"]["schema"] == {"$ref": ERROR_REF}


def resolved(document: dict[str, Any], name: str) -> dict[str, Any]:
    """A component schema with the document's components, for a JSON Schema validator."""
    return {**document["components"]["schemas"][name], "components": document["components"]}


def test_the_profile_schema_holds_the_models_rules(document: dict[str, Any]) -> None:
    schema = resolved(document, "Profile")
    validator = jsonschema_rs.Draft202012Validator(schema)
    assert schema["properties"]["time_zone"]["enum"] == list(ZONES)
    assert "Europe/Paris" in ZONES and "localtime" not in ZONES
    assert validator.is_valid(profile_body())
    assert validator.is_valid(profile_body(roles=["seeker"], capacity=0))
    # What the model's validators refuse, the schema refuses too.
    assert not validator.is_valid(profile_body(roles=["supporter"], capacity=0))
    assert not validator.is_valid({k: v for k, v in profile_body().items() if k != "capacity"})
    assert not validator.is_valid(profile_body(time_zone="Mars/Olympus"))
    assert not validator.is_valid(profile_body(capacity=True))


def test_the_checkin_schedule_schema_holds_the_models_rules(document: dict[str, Any]) -> None:
    schema = resolved(document, "CheckinSchedule")
    validator = jsonschema_rs.Draft202012Validator(schema)
    good = {"time_zone": "Europe/Paris", "local_time": "09:30"}
    assert validator.is_valid(good)
    assert validator.is_valid({**good, "days": ["mon", "fri"], "enabled": False})
    for bad in (
        {**good, "local_time": "9:30"},
        {**good, "local_time": "24:00"},
        {**good, "local_time": "12:60"},
        {**good, "days": []},
        {**good, "days": ["mon", "mon"]},
        {**good, "days": ["monday"]},
        {**good, "enabled": "false"},
        {**good, "time_zone": "Mars/Olympus"},
        {**good, "every": "hour"},
        {"local_time": "09:30"},
    ):
        assert not validator.is_valid(bad), bad
