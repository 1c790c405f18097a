"""The gateway's HTTP contract, on FastStream's in-memory broker (the real one: tests/e2e).

Each accepted write is checked on the broker (topic, key, CloudEvent body), each error by its
whole body.
"""

from __future__ import annotations

import json
import types
import typing
import warnings
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest

from kindred.events.checkins import CheckinSubmitted
from kindred.events.matching import SupportRequested
from kindred.events.members import ProfileSubmitted
from kindred.events.notifications import InboxEntryRead
from kindred.gateway.app import create_app
from kindred.gateway.auth import EXPIRED, FORBIDDEN, INVALID, MISSING
from kindred.gateway.limits import UNSUPPORTED
from kindred.gateway.routes import INBOX_UNAVAILABLE, UNCONFIRMED
from kindred.gateway.settings import DEV_JWT_SECRET, GatewaySettings
from kindred.settings import DEV_INTERNAL_API_TOKEN
from tests.support.factories import profile_body, support_body
from tests.unit.gateway.support import SETTINGS, TOPICS, Gateway, auth, error, start

# --- accepted writes are on the broker ---------------------------------------------------------


async def test_a_support_request_is_published_keyed_by_the_seeker(gateway: Gateway) -> None:
    body = support_body()
    response = await gateway.client.post(
        "/v1/members/m1/support-requests", json=body, headers=auth("m1")
    )
    assert response.status_code == 202, response.text
    accepted = response.json()
    [message] = gateway.published
    assert (message.topic, message.key) == (TOPICS[SupportRequested], b"m1")
    event = message.event
    assert event["id"] == accepted["event_id"]
    assert event["correlationid"] == accepted["correlation_id"]
    assert event["type"] == "kindred.support.requested.v1"
    assert event["subject"] == "m1"
    assert event["data"] == {
        **body,
        "urgency": "normal",
        "request_id": accepted["resource_id"],
        "seeker_id": "m1",
    }


async def test_a_profile_is_published_keyed_by_the_member(gateway: Gateway) -> None:
    body = profile_body()
    response = await gateway.client.put("/v1/members/m1/profile", json=body, headers=auth("m1"))
    assert response.status_code == 202, response.text
    assert response.json()["resource_id"] == "m1"
    [message] = gateway.published
    assert (message.topic, message.key) == (TOPICS[ProfileSubmitted], b"m1")
    assert message.event["id"] == response.json()["event_id"]
    assert message.event["type"] == "kindred.member.profile_submitted.v1"
    assert message.event["data"] == {
        **body,
        "topics_free_text": "",
        "opted_out_topics": [],
        "availability": [],
        "country": None,
        "member_id": "m1",
    }


async def test_a_checkin_is_published_keyed_by_the_member(gateway: Gateway) -> None:
    response = await gateway.client.post(
        "/v1/members/m1/checkins", json={"mood": 6, "note": "ok"}, headers=auth("m1")
    )
    assert response.status_code == 202, response.text
    accepted = response.json()
    [message] = gateway.published
    assert (message.topic, message.key) == (TOPICS[CheckinSubmitted], b"m1")
    assert message.event["id"] == accepted["event_id"]
    assert message.event["data"] == {
        "mood": 6,
        "note": "ok",
        "checkin_id": accepted["resource_id"],
        "member_id": "m1",
        **dict.fromkeys(("who5", "phq2", "phq9", "asq", "country")),
    }
    assert accepted["safety"] is None


# --- invalid input: 422 naming the field, nothing published -----------------------------------


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        (
            support_body(topics=["not-a-topic"]),
            [
                {
                    "field": "topics[0]",
                    "problem": "Input should be 'grief', 'new-parenthood', 'addiction-recovery', "
                    "'chronic-illness', 'loneliness', 'anxiety', 'depression', 'caregiving', "
                    "'divorce' or 'job-loss'",
                }
            ],
        ),
        (
            support_body(language="english"),
            [{"field": "language", "problem": "String should match pattern '^[a-z]{2}$'"}],
        ),
        ({"topics": ["grief"]}, [{"field": "language", "problem": "Field required"}]),
        (
            support_body(urgency="whenever"),
            [{"field": "urgency", "problem": "Input should be 'low', 'normal' or 'high'"}],
        ),
        (
            support_body(extra="x"),
            [{"field": "extra", "problem": "Extra inputs are not permitted"}],
        ),
    ],
)
async def test_bad_input_is_422_naming_the_field(
    gateway: Gateway, body: dict[str, object], fields: list[dict[str, str]]
) -> None:
    response = await gateway.client.post(
        "/v1/members/m1/support-requests", json=body, headers=auth("m1")
    )
    assert response.status_code == 422
    summary = "; ".join(f"{f['field']}: {f['problem']}" for f in fields)
    assert response.json() == error("invalid_request", summary, fields)
    assert gateway.published == []


async def test_a_bad_checkin_names_mood(gateway: Gateway) -> None:
    response = await gateway.client.post(
        "/v1/members/m1/checkins", json={"mood": 11}, headers=auth("m1")
    )
    problem = "Input should be less than or equal to 10"
    assert response.status_code == 422
    assert response.json() == {
        **error("invalid_request", f"mood: {problem}", [{"field": "mood", "problem": problem}]),
        "safety": None,
    }


async def test_a_supporter_without_capacity_is_422(gateway: Gateway) -> None:
    response = await gateway.client.put(
        "/v1/members/m1/profile", json=profile_body(capacity=0), headers=auth("m1")
    )
    assert response.status_code == 422
    problem = "a supporter needs a capacity of at least 1"
    assert response.json()["fields"] == [{"field": "capacity", "problem": problem}]
    assert gateway.published == []


async def test_an_unknown_time_zone_is_422_without_echoing_it(gateway: Gateway) -> None:
    response = await gateway.client.put(
        "/v1/members/m1/profile", json=profile_body(time_zone="Mars/Olympus"), headers=auth("m1")
    )
    assert response.status_code == 422
    problem = "Value error, not an IANA time zone name (e.g. 'Europe/Paris')"
    assert response.json()["fields"] == [{"field": "time_zone", "problem": problem}]
    assert "Mars" not in response.text


# Every integer field of every request body, found from the routes themselves: a field added
# later is covered without editing this test.
VALID_BODIES: dict[str, dict[str, Any]] = {
    "/v1/members/m1/profile": profile_body(),
    "/v1/members/m1/support-requests": support_body(),
    "/v1/members/m1/checkins": {"mood": 5, "note": "a long day"},
    "/v1/members/m1/notification-preferences": {"locale": "fr"},
    "/v1/members/m1/checkin-schedule": {"time_zone": "Europe/Paris", "local_time": "09:00"},
    "/v1/safety/members/m1/episode/close": {
        "reason": "spoke with them; safe for now",
        "episode_id": "ep-1",
        "last_alert_id": "a-1",
    },
    "/v1/safety/acks": {"code": "7K3M9QXA"},
    "/v1/members/m1/matches/x1/end": {"reason": "finished", "rating": 5},
    "/v1/members/m1/blocks": {"blocked_id": "m2"},
    "/v1/members/m1/groups": {"topic": "grief", "language": "en"},
    "/v1/staff/supporters/m1": {"granted": True},
    "/v1/members/m1/reports": {
        "reported_id": "m2",
        "context": "match",
        "context_id": "x1",
        "reason": "harassment",
    },
    "/v1/staff/cases/{case_kind}/{case_id}/actions": {"action": "claim"},
    "/v1/staff/members/m1/moderation": {"action": "warn"},
    "/v1/staff/supporters/m1/pause": {"paused": True},
}


def _is_integer(annotation: Any) -> bool:
    """int, an Annotated int, or either of them | None."""
    if annotation is int:
        return True
    if typing.get_origin(annotation) is typing.Annotated:
        return _is_integer(typing.get_args(annotation)[0])
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and type(None) in args:
        return any(_is_integer(a) for a in args if a is not type(None))
    return False


def integer_fields() -> list[tuple[str, str, str]]:
    app = create_app(SETTINGS)
    routes = list(app.routes)
    found = []
    for route in routes:
        routes += getattr(getattr(route, "original_router", None), "routes", [])
        body_field = getattr(route, "body_field", None)
        # The JSON API's bodies (the console's forms are the console's tests' own).
        if body_field is None or not getattr(route, "path", "").startswith("/v1/"):
            continue
        model = body_field.field_info.annotation
        path = route.path.replace("{member_id}", "m1").replace(  # type: ignore[attr-defined]
            "{match_id}", "x1"
        )
        assert path in VALID_BODIES, f"a valid body for {path} is missing here"
        method = sorted(route.methods)[0]  # type: ignore[attr-defined]
        for name, info in model.model_fields.items():
            if _is_integer(info.annotation):
                found.append((method, path, name))
    return found


INTEGER_FIELDS = integer_fields()
# A check-in answers any instruments it likes: mood may be null when others are answered.
# A match ends with or without a rating.
OPTIONAL_INTEGERS = {"mood", "rating"}


def test_the_request_models_have_integer_fields_to_check() -> None:
    assert {(path, name) for _, path, name in INTEGER_FIELDS} == {
        ("/v1/members/m1/profile", "capacity"),
        ("/v1/members/m1/checkins", "mood"),
        ("/v1/members/m1/notification-preferences", "rate_limit_per_hour"),
        ("/v1/members/m1/matches/x1/end", "rating"),
    }


@pytest.mark.parametrize(("method", "path", "name"), INTEGER_FIELDS)
@pytest.mark.parametrize("value", [True, False, "5", 5.0, 5.5, None, [5]])
async def test_an_integer_field_is_an_integer_and_nothing_else(
    gateway: Gateway, method: str, path: str, name: str, value: object
) -> None:
    body = {**VALID_BODIES[path], name: value}
    response = await gateway.client.request(method, path, json=body, headers=auth("m1"))
    if value is None and name in OPTIONAL_INTEGERS:
        assert response.status_code == 202, response.text  # null: not answered
        return
    assert response.status_code == 422, response.text
    assert [f["field"] for f in response.json()["fields"]] == [name]
    assert gateway.published == []


async def test_malformed_json_is_422(gateway: Gateway) -> None:
    response = await gateway.client.post(
        "/v1/members/m1/checkins",
        content=b"{not json",
        headers={**auth("m1"), "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json() == {
        **error(
            "invalid_request",
            "[1]: JSON decode error",
            [{"field": "[1]", "problem": "JSON decode error"}],
        ),
        "safety": None,
    }


# --- input limits ------------------------------------------------------------------------------

TOO_LARGE = error("payload_too_large", "the request body is larger than 65536 bytes")


async def test_a_body_over_the_limit_is_413_before_parsing(gateway: Gateway) -> None:
    body = json.dumps({"mood": 5, "note": "x" * 70_000}).encode()
    response = await gateway.client.post(
        "/v1/members/m1/checkins",
        content=body,
        headers={**auth("m1"), "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json() == TOO_LARGE
    assert gateway.published == []


async def test_a_streamed_body_without_length_is_cut_at_the_limit(gateway: Gateway) -> None:
    sent = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal sent
        for _ in range(100):  # 100 KiB in all, never read past the limit
            sent += 1
            yield b" " * 1024

    response = await gateway.client.post(
        "/v1/members/m1/checkins",
        content=chunks(),
        headers={**auth("m1"), "Content-Type": "application/json"},
    )
    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert response.json() == TOO_LARGE
    assert sent == 65, "read one chunk past 64 KiB, then stopped"


async def test_a_body_at_the_limit_is_read(gateway: Gateway) -> None:
    head = b'{"mood": 5, "note": ""}'
    body = head + b" " * (SETTINGS.max_body_bytes - len(head))
    response = await gateway.client.post(
        "/v1/members/m1/checkins",
        content=body,
        headers={**auth("m1"), "Content-Type": "application/json"},
    )
    assert response.status_code == 202, response.text


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
async def test_a_body_that_is_not_json_is_415(gateway: Gateway, content_type: str | None) -> None:
    headers = auth("m1") | ({"Content-Type": content_type} if content_type else {})
    response = await gateway.client.post(
        "/v1/members/m1/checkins", content=b'{"mood": 5}', headers=headers
    )
    assert response.status_code == 415
    assert response.json() == error("unsupported_media_type", UNSUPPORTED)
    assert gateway.published == []


async def test_json_with_a_charset_is_json(gateway: Gateway) -> None:
    response = await gateway.client.post(
        "/v1/members/m1/checkins",
        content=b'{"mood": 5}',
        headers={**auth("m1"), "Content-Type": "application/json; charset=utf-8"},
    )
    assert response.status_code == 202, response.text


async def test_an_error_never_echoes_a_huge_input() -> None:
    settings = GatewaySettings(
        kindred_namespace="unit", kindred_dev_mode=True, max_body_bytes=4 * 1024 * 1024
    )
    huge = "Z" * 1_000_000
    async for gateway in start(settings):
        body = {
            **profile_body(),
            "time_zone": huge,
            "topics": [huge[:1000]] * 10,
            huge: 1,
        }
        response = await gateway.client.put("/v1/members/m1/profile", json=body, headers=auth("m1"))
        assert response.status_code == 422
        # The value is never repeated; a key (a field's name) at most its first 100 characters.
        assert len(response.content) < 8_000, len(response.content)
        assert "Z" * 101 not in response.text
        payload = response.json()
        fields = {f["field"]: f["problem"] for f in payload["fields"]}
        assert (
            fields["time_zone"] == "Value error, not an IANA time zone name (e.g. 'Europe/Paris')"
        )
        assert "Z" * 99 + "…" in fields
        assert len(fields) == 12  # ten topics, the time zone, the unknown key
        assert all(len(name) <= 100 and len(problem) <= 300 for name, problem in fields.items())
        assert payload["detail"].endswith("; and 7 more")


# --- authentication and authorisation ----------------------------------------------------------


def token(claims: dict[str, Any], key: str = DEV_JWT_SECRET, algorithm: str = "HS256") -> str:
    now = datetime.now(UTC)
    base = {
        "sub": "m1",
        "aud": SETTINGS.jwt_audience,
        "iss": SETTINGS.jwt_issuer,
        "iat": now,
        "exp": now + timedelta(hours=1),
    }
    merged = {k: v for k, v in (base | claims).items() if v is not None}
    with warnings.catch_warnings():  # HS512 with the HS256 key's length: refused anyway
        warnings.simplefilter("ignore")
        return jwt.encode(merged, key, algorithm=algorithm)


def unsigned(claims: dict[str, Any]) -> str:
    """A token with `alg: none` and no signature."""
    return token(claims, key="", algorithm="none")


@pytest.mark.parametrize(
    ("name", "credentials", "detail"),
    [
        ("no token", None, MISSING),
        ("not a bearer token", "Basic bTE6cGFzc3dvcmQ=", MISSING),
        ("garbage", "Bearer not-a-jwt", INVALID),
        ("alg none", f"Bearer {unsigned({})}", INVALID),
        ("wrong audience", f"Bearer {token({'aud': 'another-api'})}", INVALID),
        ("wrong issuer", f"Bearer {token({'iss': 'someone-else'})}", INVALID),
        ("no audience", f"Bearer {token({'aud': None})}", INVALID),
        ("no expiry", f"Bearer {token({'exp': None})}", INVALID),
        ("missing sub", f"Bearer {token({'sub': None})}", INVALID),
        ("empty sub", f"Bearer {token({'sub': ''})}", INVALID),
        ("roles not a list", f"Bearer {token({'roles': 'admin'})}", INVALID),
        (
            "another key",
            f"Bearer {token({}, key='another-key-that-is-long-enough-to-pass!!')}",
            INVALID,
        ),
        ("HS512", f"Bearer {token({}, algorithm='HS512')}", INVALID),
        ("expired", f"Bearer {token({'exp': datetime.now(UTC) - timedelta(seconds=10)})}", EXPIRED),
    ],
)
async def test_a_bad_token_is_401_with_a_fixed_body(
    gateway: Gateway, name: str, credentials: str | None, detail: str
) -> None:
    headers = {"Authorization": credentials} if credentials else {}
    for method, path, body in [
        ("POST", "/v1/members/m1/checkins", {"mood": 5}),
        ("GET", "/v1/members/m1/inbox", None),
    ]:
        response = await gateway.client.request(method, path, json=body, headers=headers)
        assert response.status_code == 401, (name, response.text)
        assert response.json() == error("unauthorized", detail), name
        assert response.headers["WWW-Authenticate"] == "Bearer"
    assert gateway.published == []
    assert gateway.notifications_requests == []


async def test_a_member_cannot_act_for_another(gateway: Gateway) -> None:
    for method, path, body in [
        ("POST", "/v1/members/m2/checkins", {"mood": 5}),
        ("POST", "/v1/members/m2/support-requests", support_body()),
        ("PUT", "/v1/members/m2/profile", profile_body()),
        ("GET", "/v1/members/m2/inbox", None),
    ]:
        response = await gateway.client.request(method, path, json=body, headers=auth("m1"))
        assert response.status_code == 403, (path, response.text)
        assert response.json() == error("forbidden", FORBIDDEN)
    assert gateway.published == []
    assert gateway.notifications_requests == []


# --- the inbox, read from the notifications service ---------------------------------------------


async def test_the_inbox_is_read_with_the_internal_token(gateway: Gateway) -> None:
    item = {
        "id": "e1:m1",
        "kind": "match.proposed",
        "title": "t",
        "body": "b",
        "data": {"match_id": "x"},
        "created_at": "2025-01-01T00:00:00Z",
        "read": False,
    }
    gateway.inbox = lambda request: httpx.Response(200, json={"member_id": "m1", "items": [item]})
    response = await gateway.client.get("/v1/members/m1/inbox?limit=7", headers=auth("m1"))
    assert response.status_code == 200, response.text
    assert response.json() == {"member_id": "m1", "items": [item]}
    [request] = gateway.notifications_requests
    assert request.url.path == "/internal/members/m1/inbox"
    assert request.url.params["limit"] == "7"
    assert request.url.params["include_pages"] == "false"  # members never see staff pages
    assert request.headers["Authorization"] == f"Bearer {DEV_INTERNAL_API_TOKEN}"


def refuse(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError(
        "connection refused to http://user:secret@notifications", request=request
    )


@pytest.mark.parametrize(
    "answer",
    [
        refuse,
        lambda request: httpx.Response(500, text="Traceback: KeyError('secret')"),
        lambda request: httpx.Response(401, json={"detail": "token"}),
        lambda request: httpx.Response(200, json={"unexpected": True}),
        lambda request: httpx.Response(200, text="not json"),
    ],
    ids=["unreachable", "500", "401", "wrong shape", "not json"],
)
async def test_an_inbox_that_cannot_be_read_is_503_without_internals(
    gateway: Gateway, answer: Callable[[httpx.Request], httpx.Response]
) -> None:
    gateway.inbox = answer
    response = await gateway.client.get("/v1/members/m1/inbox", headers=auth("m1"))
    assert response.status_code == 503
    assert response.json() == error("unavailable", INBOX_UNAVAILABLE)


# --- operations, Kafka away ---------------------------------------------------------------------


async def test_health_and_metrics_need_no_token(gateway: Gateway) -> None:
    assert (await gateway.client.get("/health/live")).json() == {"status": "alive"}
    metrics = await gateway.client.get("/metrics")
    assert metrics.status_code == 200
    assert metrics.headers["content-type"].startswith("text/plain")


async def test_kafka_unavailable_is_503_and_nothing_is_claimed(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    broker = gateway.app.state.service.broker

    async def refuse(*args: object, **kwargs: object) -> None:
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(broker, "publish", refuse)
    response = await gateway.client.post(
        "/v1/members/m1/checkins", json={"mood": 5}, headers=auth("m1")
    )
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.json() == {**error("unavailable", UNCONFIRMED), "safety": None}
    assert gateway.published == []


async def test_an_unknown_path_and_method_answer_the_error_body(gateway: Gateway) -> None:
    missing = await gateway.client.get("/v1/nothing-here")
    assert (missing.status_code, missing.json()) == (404, error("not_found", "Not Found"))
    wrong = await gateway.client.delete("/v1/members/m1/checkins", headers=auth("m1"))
    assert wrong.status_code == 405
    assert wrong.json() == error("method_not_allowed", "Method Not Allowed")
    assert wrong.headers["Allow"] == "POST"


# --- safety: crisis resources in the response, whatever happens next ---------------------------

URGENT_PHQ9 = [1, 1, 1, 1, 1, 1, 1, 1, 2]


async def test_a_triggering_checkin_answers_with_crisis_resources_for_the_country(
    gateway: Gateway,
) -> None:
    body = {"phq9": URGENT_PHQ9, "country": "GB"}
    response = await gateway.client.post("/v1/members/m1/checkins", json=body, headers=auth("m1"))
    assert response.status_code == 202, response.text
    safety = response.json()["safety"]
    assert safety["severity"] == "urgent"
    assert safety["resources"]["country"] == "GB"
    assert "116 123" in {s["phone"] for s in safety["resources"]["services"]}
    assert "peer support, not a crisis" in safety["message"]
    [message] = gateway.published  # the check-in goes on to the check-ins service, which alerts
    assert message.event["data"]["phq9"] == URGENT_PHQ9


async def test_plan_language_in_the_note_answers_with_the_international_fallback(
    gateway: Gateway,
) -> None:
    body = {"note": "I have the pills ready and I am going to take them tonight"}
    response = await gateway.client.post("/v1/members/m1/checkins", json=body, headers=auth("m1"))
    assert response.status_code == 202, response.text
    safety = response.json()["safety"]
    assert (safety["severity"], safety["resources"]["country"]) == ("urgent", None)
    assert safety["resources"]["services"]


@pytest.mark.parametrize(
    "body",
    [
        {"mood": 7, "note": "I am not going to hurt myself, just a rough day"},
        {"phq9": [0, 0, 0, 0, 0, 0, 0, 0, 0]},
        {"asq": {"q1": False, "q2": False, "q3": False, "q4": False}},
    ],
)
async def test_a_calm_checkin_carries_no_safety_notice(
    gateway: Gateway, body: dict[str, Any]
) -> None:
    response = await gateway.client.post("/v1/members/m1/checkins", json=body, headers=auth("m1"))
    assert response.status_code == 202, response.text
    assert response.json()["safety"] is None


async def test_kafka_unavailable_still_gives_the_member_crisis_resources(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def refuse(*args: object, **kwargs: object) -> None:
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(gateway.app.state.service.broker, "publish", refuse)
    body = {"asq": {"q1": True, "q2": True, "q3": False, "q4": False, "q5": True}, "country": "US"}
    response = await gateway.client.post("/v1/members/m1/checkins", json=body, headers=auth("m1"))
    assert response.status_code == 503
    payload = response.json()
    assert (payload["error"], payload["detail"]) == ("unavailable", UNCONFIRMED)
    assert payload["safety"]["severity"] == "urgent"
    assert "988" in {s["phone"] for s in payload["safety"]["resources"]["services"]}


async def test_a_refused_checkin_still_shows_crisis_resources_when_its_note_fires_a_rule(
    gateway: Gateway,
) -> None:
    body = {"mood": True, "note": "tonight I am going to kill myself", "country": "CA"}
    response = await gateway.client.post("/v1/members/m1/checkins", json=body, headers=auth("m1"))
    assert response.status_code == 422
    payload = response.json()
    assert [f["field"] for f in payload["fields"]] == ["mood"]
    assert payload["safety"]["severity"] == "urgent"
    assert payload["safety"]["resources"]["country"] == "CA"
    assert gateway.published == []  # nothing of a refused check-in is recorded


async def test_a_refused_checkin_without_a_trigger_has_no_safety_block(gateway: Gateway) -> None:
    body = {"mood": 11, "note": "fine"}
    response = await gateway.client.post("/v1/members/m1/checkins", json=body, headers=auth("m1"))
    assert response.status_code == 422
    assert response.json()["safety"] is None


async def test_a_member_marks_their_own_inbox_entry_read(gateway: Gateway) -> None:
    path = "/v1/members/m1/inbox/e-1:m1/read"
    other = await gateway.client.post(path, headers=auth("m2"))
    assert other.status_code == 403
    response = await gateway.client.post(path, headers=auth("m1"))
    assert response.status_code == 202, response.text
    [message] = gateway.published
    assert (message.topic, message.key) == (TOPICS[InboxEntryRead], b"m1")
    assert (message.event["data"]["member_id"], message.event["data"]["entry_id"]) == (
        "m1",
        "e-1:m1",
    )


# ---------------------------------------------------------------- matches, blocks, groups, roles


async def test_only_supporter_admins_grant_the_supporter_role(gateway: Gateway) -> None:
    path = "/v1/staff/supporters/m1"
    body = {"granted": True, "minors_cleared": False, "note": "finished the training"}
    for headers in (auth("m1"), auth("s1", roles=("safety-staff",))):
        refused = await gateway.client.put(path, json=body, headers=headers)
        assert refused.status_code == 403
        assert refused.json() == error("forbidden", "this action needs the supporter-admin role")
    assert gateway.published == []
    staff = await gateway.client.put(
        path, json=body, headers=auth("t1", roles=("supporter-admin",))
    )
    assert staff.status_code == 202, staff.text
    [message] = gateway.published
    assert (message.topic, message.key) == ("unit.supporter.role-set", b"m1")
    assert message.event["data"] == {**body, "member_id": "m1", "staff_id": "t1"}


@pytest.mark.parametrize("step", ["accept", "decline"])
async def test_a_member_accepts_or_declines_their_own_match(gateway: Gateway, step: str) -> None:
    path = f"/v1/members/m1/matches/abc-123/{step}"
    assert (await gateway.client.post(path, headers=auth("m2"))).status_code == 403
    response = await gateway.client.post(path, headers=auth("m1"))
    assert response.status_code == 202, response.text
    assert response.json()["resource_id"] == "abc-123"
    [message] = gateway.published
    assert (message.topic, message.key) == ("unit.match.action-requested", b"m1")
    assert message.event["data"] == {
        "match_id": "abc-123",
        "member_id": "m1",
        "action": step,
        "end": None,
    }


async def test_ending_a_match_carries_the_reason_rating_and_report(gateway: Gateway) -> None:
    path = "/v1/members/m1/matches/abc-123/end"
    body = {"reason": "felt unsafe", "rating": 1, "feedback": "", "report": True}
    response = await gateway.client.post(path, json=body, headers=auth("m1"))
    assert response.status_code == 202, response.text
    [message] = gateway.published
    assert message.event["data"]["end"] == body
    bad = await gateway.client.post(path, json={"rating": 9}, headers=auth("m1"))
    assert bad.status_code == 422
    assert [f["field"] for f in bad.json()["fields"]] == ["rating"]


async def test_a_member_blocks_another_but_not_themselves(gateway: Gateway) -> None:
    path = "/v1/members/m1/blocks"
    response = await gateway.client.post(
        path, json={"blocked_id": "m2", "until": "2027-01-01T00:00:00Z"}, headers=auth("m1")
    )
    assert response.status_code == 202, response.text
    [message] = gateway.published
    assert (message.topic, message.key) == ("unit.member.blocked", b"m1")
    assert message.event["data"]["blocked_id"] == "m2"
    own = await gateway.client.post(path, json={"blocked_id": "m1"}, headers=auth("m1"))
    assert own.status_code == 409
    assert own.json() == error("conflict", "blocked_id: a member cannot block themselves")
    naive = await gateway.client.post(
        path, json={"blocked_id": "m2", "until": "2027-01-01T00:00:00"}, headers=auth("m1")
    )
    assert naive.status_code == 422
    assert [f["field"] for f in naive.json()["fields"]] == ["until"]
    assert len(gateway.published) == 1


async def test_a_member_joins_and_leaves_a_peer_group(gateway: Gateway) -> None:
    joined = await gateway.client.post(
        "/v1/members/m1/groups", json={"topic": "grief", "language": "en"}, headers=auth("m1")
    )
    assert joined.status_code == 202, joined.text
    left = await gateway.client.post("/v1/members/m1/groups/g-1/leave", headers=auth("m1"))
    assert left.status_code == 202, left.text
    assert [m.event["data"]["action"] for m in gateway.published] == ["join", "leave"]
    bad = await gateway.client.post(
        "/v1/members/m1/groups", json={"topic": "sadness", "language": "en"}, headers=auth("m1")
    )
    assert bad.status_code == 422
    assert [f["field"] for f in bad.json()["fields"]] == ["topic"]
