"""What safety staff do through the gateway: acknowledge an alert (by the API, a page's link or
its code), close an episode, read staff pages; and the member's crisis resources from their
profile country. The internal APIs read are fakes (tests/unit/gateway/support.py)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from kindred.events.notifications import SafetyAlertAckRequested
from kindred.events.safety import SafetyEpisodeCloseRequested
from kindred.gateway.pages import HEADERS
from kindred.gateway.routes import (
    CODE_NOT_FOUND,
    CODE_PROBLEM,
    LOOKUP_UNAVAILABLE,
    OWN_SAFETY_DATA,
)
from kindred.safety.pagelinks import PageClaim, code, sign
from kindred.settings import DEV_INTERNAL_API_TOKEN, DEV_PAGE_LINK_SECRET
from tests.support.factories import profile_body
from tests.unit.gateway.support import TOPICS, Gateway, auth, error, staff

ALERT = {
    "alert_id": "a-1",
    "member_id": "m1",
    "severity": "urgent",
    "raised_at": "2026-12-03T10:15:00Z",
    "acknowledged_at": None,
    "acknowledged_by": None,
    "level": 0,
}
ACK = "/v1/safety/members/m1/alerts/a-1/ack"
CLOSE = "/v1/safety/members/m1/episode/close"
CLOSING = {"reason": "spoke with them; safe for now", "episode_id": "ep-1", "last_alert_id": "a-1"}


def down(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


def acks(gateway: Gateway) -> list[dict[str, Any]]:
    return [
        m.event["data"] for m in gateway.published if m.topic == TOPICS[SafetyAlertAckRequested]
    ]


# --- POST /v1/safety/members/{id}/alerts/{alert_id}/ack ----------------------------------------


async def test_staff_acknowledge_an_alert_of_the_member(gateway: Gateway) -> None:
    gateway.alerts["a-1"] = ALERT
    response = await gateway.client.post(ACK, headers=staff("s1"))
    assert response.status_code == 202, response.text
    assert response.json()["resource_id"] == "a-1"
    [message] = gateway.published
    assert (message.topic, message.key) == (TOPICS[SafetyAlertAckRequested], b"m1")
    assert message.event["data"] == {
        "alert_id": "a-1",
        "member_id": "m1",
        "staff_id": "s1",
        "via": "api",
        "token_id": None,
    }
    [lookup] = gateway.notifications_requests
    assert lookup.url.path == "/internal/alerts/a-1"
    assert lookup.headers["Authorization"] == f"Bearer {DEV_INTERNAL_API_TOKEN}"


async def test_only_safety_staff_acknowledge_an_alert(gateway: Gateway) -> None:
    gateway.alerts["a-1"] = ALERT
    for headers in (auth("m2"), auth("s9", roles=("supporter-admin",))):
        refused = await gateway.client.post(ACK, headers=headers)
        assert refused.status_code == 403
        assert refused.json() == error("forbidden", "this action needs the safety-staff role")
    assert gateway.published == []
    assert gateway.notifications_requests == []


@pytest.mark.parametrize(
    "alerts",
    [{}, {"a-1": {**ALERT, "member_id": "m2"}}],
    ids=["unknown alert", "another member's alert"],
)
async def test_an_alert_that_is_not_the_members_is_404_naming_it(
    gateway: Gateway, alerts: dict[str, dict[str, Any]]
) -> None:
    gateway.alerts = alerts
    response = await gateway.client.post(ACK, headers=staff("s1"))
    assert response.status_code == 404
    assert response.json() == error("not_found", "no alert a-1 for member m1")
    assert gateway.published == []


async def test_staff_cannot_acknowledge_their_own_alert(gateway: Gateway) -> None:
    gateway.alerts["a-1"] = ALERT
    response = await gateway.client.post(ACK, headers=staff("m1"))
    assert response.status_code == 403
    assert response.json() == error("forbidden", OWN_SAFETY_DATA)
    assert gateway.published == []


@pytest.mark.parametrize(
    "answer",
    [
        down,
        lambda request: httpx.Response(500, text="boom"),
        lambda request: httpx.Response(401, json={"detail": "token"}),
        lambda request: httpx.Response(200, json={"unexpected": True}),
    ],
    ids=["unreachable", "500", "401", "wrong shape"],
)
async def test_an_alert_that_cannot_be_looked_up_is_503_never_a_silent_202(
    gateway: Gateway, answer: Any
) -> None:
    gateway.notifications = answer
    response = await gateway.client.post(ACK, headers=staff("s1"))
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.json() == error("unavailable", LOOKUP_UNAVAILABLE)
    assert gateway.published == []


# --- POST /v1/safety/members/{id}/episode/close ------------------------------------------------


async def test_a_close_names_the_episode_and_the_last_alert_reviewed(gateway: Gateway) -> None:
    response = await gateway.client.post(CLOSE, json=CLOSING, headers=staff("s1"))
    assert response.status_code == 202, response.text
    [message] = gateway.published
    assert (message.topic, message.key) == (TOPICS[SafetyEpisodeCloseRequested], b"m1")
    assert message.event["data"] == {"member_id": "m1", "staff_id": "s1", **CLOSING}


async def test_only_safety_staff_close_an_episode(gateway: Gateway) -> None:
    for headers in (auth("m1"), auth("s9", roles=("supporter",))):
        refused = await gateway.client.post(CLOSE, json=CLOSING, headers=headers)
        assert refused.status_code == 403
        assert refused.json() == error("forbidden", "this action needs the safety-staff role")
    assert gateway.published == []


async def test_staff_cannot_close_their_own_episode(gateway: Gateway) -> None:
    response = await gateway.client.post(CLOSE, json=CLOSING, headers=staff("m1"))
    assert response.status_code == 403
    assert response.json() == error("forbidden", OWN_SAFETY_DATA)
    assert gateway.published == []


@pytest.mark.parametrize("missing", ["episode_id", "last_alert_id"])
async def test_a_close_without_its_episode_or_last_alert_is_422(
    gateway: Gateway, missing: str
) -> None:
    body = {k: v for k, v in CLOSING.items() if k != missing}
    response = await gateway.client.post(CLOSE, json=body, headers=staff("s1"))
    assert response.status_code == 422
    assert response.json()["fields"] == [{"field": missing, "problem": "Field required"}]
    assert gateway.published == []


# --- page links: GET /v1/pages/{token} confirms, POST acknowledges ------------------------------


def page_token(
    *,
    alert_id: str = "a-1",
    member_id: str = "m1",
    staff_id: str = "s1",
    expires_in: timedelta = timedelta(minutes=30),
    secret: str = DEV_PAGE_LINK_SECRET,
) -> str:
    claim = PageClaim(alert_id, member_id, staff_id, "p-1", datetime.now(UTC) + expires_in)
    return sign(claim, secret)


def no_store(response: httpx.Response) -> None:
    for name, value in HEADERS.items():
        assert response.headers[name] == value, name


async def test_opening_a_link_shows_a_confirmation_and_publishes_nothing(
    gateway: Gateway,
) -> None:
    gateway.alerts["a-1"] = ALERT
    token = page_token()
    response = await gateway.client.get(f"/v1/pages/{token}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    no_store(response)
    page = response.text
    assert "Acknowledge this safety alert?" in page
    for shown in ("a-1", "urgent", "2026-12-03 10:15:00 UTC", "s1"):
        assert shown in page, shown
    assert '<form method="post">' in page
    assert token not in page  # the form posts to the page's own address
    await gateway.client.get(f"/v1/pages/{token}")  # a mail scanner, a link preview
    await asyncio.sleep(0)
    assert gateway.published == []


async def test_a_link_of_an_acknowledged_alert_shows_who_without_a_form(
    gateway: Gateway,
) -> None:
    gateway.alerts["a-1"] = {
        **ALERT,
        "acknowledged_at": "2026-12-03T10:17:00Z",
        "acknowledged_by": "s2",
    }
    response = await gateway.client.get(f"/v1/pages/{page_token()}")
    assert response.status_code == 200
    assert "already acknowledged by s2 at 2026-12-03 10:17:00 UTC" in response.text
    assert "<h1>Already acknowledged</h1>" in response.text
    assert "Acknowledge this safety alert?" not in response.text
    assert "<form" not in response.text


async def test_the_confirmation_posts_the_acknowledgement_via_the_link(gateway: Gateway) -> None:
    gateway.alerts["a-1"] = ALERT
    response = await gateway.client.post(
        f"/v1/pages/{page_token()}",
        content=b"",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 202, response.text
    assert response.headers["content-type"].startswith("text/html")
    no_store(response)
    assert "<h1>Acknowledged</h1>" in response.text
    [message] = gateway.published
    assert (message.topic, message.key) == (TOPICS[SafetyAlertAckRequested], b"m1")
    assert message.event["data"] == {
        "alert_id": "a-1",
        "member_id": "m1",
        "staff_id": "s1",
        "via": "link",
        "token_id": "p-1",
    }
    [lookup] = gateway.notifications_requests
    assert lookup.url.path == "/internal/alerts/a-1"


async def test_a_client_asking_for_json_gets_json(gateway: Gateway) -> None:
    gateway.alerts["a-1"] = ALERT
    response = await gateway.client.post(
        f"/v1/pages/{page_token()}", headers={"Accept": "application/json"}
    )
    assert response.status_code == 202, response.text
    [message] = gateway.published
    assert response.json() == {
        "alert_id": "a-1",
        "already_acknowledged": False,
        "acknowledged_by": "s1",
        "acknowledged_at": None,
        "event_id": message.event["id"],
    }


async def test_a_second_post_says_it_was_already_acknowledged_and_publishes_nothing(
    gateway: Gateway,
) -> None:
    gateway.alerts["a-1"] = ALERT
    token = page_token()
    first = await gateway.client.post(f"/v1/pages/{token}")
    assert first.status_code == 202
    # Notifications has recorded the acknowledgement by the time of the second.
    gateway.alerts["a-1"] = {
        **ALERT,
        "acknowledged_at": "2026-12-03T10:17:00Z",
        "acknowledged_by": "s1",
    }
    second = await gateway.client.post(f"/v1/pages/{token}")
    assert second.status_code == 200, second.text
    assert "Already acknowledged" in second.text
    assert "by s1 at 2026-12-03 10:17:00 UTC" in second.text
    as_json = await gateway.client.post(
        f"/v1/pages/{token}", headers={"Accept": "application/json"}
    )
    assert as_json.status_code == 200
    assert as_json.json() == {
        "alert_id": "a-1",
        "already_acknowledged": True,
        "acknowledged_by": "s1",
        "acknowledged_at": "2026-12-03T10:17:00Z",
        "event_id": None,
    }
    assert len(gateway.published) == 1


@pytest.mark.parametrize(
    ("token", "status", "heading"),
    [
        (lambda: "not-a-token", 404, "This link is not valid"),
        (lambda: page_token(secret="another-secret-that-is-long-enough-32+"), 404, "not valid"),
        (lambda: page_token()[:-4] + "AAAA", 404, "This link is not valid"),
        (lambda: page_token(expires_in=-timedelta(seconds=1)), 410, "This link has expired"),
    ],
    ids=["garbage", "another key", "forged signature", "expired"],
)
@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_an_invalid_or_expired_link_answers_a_page_saying_so(
    gateway: Gateway, token: Any, status: int, heading: str, method: str
) -> None:
    gateway.alerts["a-1"] = ALERT
    response = await gateway.client.request(method, f"/v1/pages/{token()}")
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/html")
    no_store(response)
    assert heading in response.text
    assert gateway.published == []
    assert gateway.notifications_requests == []


async def test_a_token_far_too_long_is_422(gateway: Gateway) -> None:
    response = await gateway.client.get(f"/v1/pages/{'x' * 5000}")
    assert response.status_code == 422
    assert [f["field"] for f in response.json()["fields"]] == ["token"]
    assert "xxxx" not in response.text


async def test_an_expired_link_answers_json_when_asked(gateway: Gateway) -> None:
    token = page_token(expires_in=-timedelta(minutes=1))
    response = await gateway.client.post(
        f"/v1/pages/{token}", headers={"Accept": "application/json"}
    )
    assert response.status_code == 410
    assert response.json()["error"] == "gone"
    assert gateway.published == []


@pytest.mark.parametrize(
    "alerts",
    [{}, {"a-1": {**ALERT, "member_id": "m2"}}],
    ids=["unknown alert", "another member's alert"],
)
@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_a_link_to_an_alert_not_the_members_is_404(
    gateway: Gateway, alerts: dict[str, dict[str, Any]], method: str
) -> None:
    gateway.alerts = alerts
    response = await gateway.client.request(method, f"/v1/pages/{page_token()}")
    assert response.status_code == 404
    assert "No such alert" in response.text
    assert gateway.published == []


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_a_link_paging_the_member_themselves_is_refused(
    gateway: Gateway, method: str
) -> None:
    gateway.alerts["a-1"] = ALERT
    response = await gateway.client.request(method, f"/v1/pages/{page_token(staff_id='m1')}")
    assert response.status_code == 403
    assert "Nobody acts on their own safety data" in response.text
    assert gateway.published == []


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_a_link_whose_alert_cannot_be_checked_is_503(gateway: Gateway, method: str) -> None:
    gateway.notifications = down
    response = await gateway.client.request(method, f"/v1/pages/{page_token()}")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "nothing was acknowledged" in response.text
    assert gateway.published == []


async def test_a_link_acknowledgement_kafka_does_not_confirm_is_503(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def refuse(*args: object, **kwargs: object) -> None:
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(gateway.app.state.service.broker, "publish", refuse)
    gateway.alerts["a-1"] = ALERT
    response = await gateway.client.post(f"/v1/pages/{page_token()}")
    assert response.status_code == 503
    assert "may not have been recorded" in response.text


async def test_a_link_needs_no_bearer_token_and_ignores_one(gateway: Gateway) -> None:
    gateway.alerts["a-1"] = ALERT
    # The token is the credential: whoever holds a bearer token, the staff id is the page's.
    response = await gateway.client.post(f"/v1/pages/{page_token()}", headers=staff("s7"))
    assert response.status_code == 202
    [ack] = acks(gateway)
    assert ack["staff_id"] == "s1"


# --- POST /v1/safety/acks: by the page's short code ---------------------------------------------

PAGE = {"alert_id": "a-1", "member_id": "m1", "staff_id": "s1", "page_id": "p-1"}
CODE = code("p-1", DEV_PAGE_LINK_SECRET)


@pytest.mark.parametrize(
    "typed",
    [
        CODE,
        CODE.lower(),
        f"{CODE[:4]}-{CODE[4:]}",
        f"  {CODE[:4]} {CODE[4:]} ",
        CODE.replace("1", "l").replace("0", "o"),
    ],
    ids=["as sent", "lower case", "dashed", "spaced", "l and o for 1 and 0"],
)
async def test_a_code_as_typed_acknowledges_its_pages_alert(gateway: Gateway, typed: str) -> None:
    gateway.pages[CODE] = PAGE
    response = await gateway.client.post(
        "/v1/safety/acks", json={"code": typed}, headers=staff("s2")
    )
    assert response.status_code == 202, response.text
    assert response.json()["resource_id"] == "a-1"
    [message] = gateway.published
    assert (message.topic, message.key) == (TOPICS[SafetyAlertAckRequested], b"m1")
    assert message.event["data"] == {
        "alert_id": "a-1",
        "member_id": "m1",
        "staff_id": "s2",
        "via": "code",
        "token_id": None,
    }
    [lookup] = gateway.notifications_requests
    assert lookup.url.path == f"/internal/pages/by-code/{CODE}"


async def test_an_unknown_code_is_404(gateway: Gateway) -> None:
    response = await gateway.client.post(
        "/v1/safety/acks", json={"code": "7K3M9QXA"}, headers=staff("s1")
    )
    assert response.status_code == 404
    assert response.json() == error("not_found", CODE_NOT_FOUND)
    assert gateway.published == []


async def test_a_code_for_ones_own_alert_is_403(gateway: Gateway) -> None:
    gateway.pages[CODE] = PAGE
    response = await gateway.client.post(
        "/v1/safety/acks", json={"code": CODE}, headers=staff("m1")
    )
    assert response.status_code == 403
    assert response.json() == error("forbidden", OWN_SAFETY_DATA)
    assert gateway.published == []


async def test_only_safety_staff_acknowledge_by_code(gateway: Gateway) -> None:
    gateway.pages[CODE] = PAGE
    response = await gateway.client.post("/v1/safety/acks", json={"code": CODE}, headers=auth("m2"))
    assert response.status_code == 403
    assert response.json() == error("forbidden", "this action needs the safety-staff role")
    assert gateway.notifications_requests == []
    assert gateway.published == []


@pytest.mark.parametrize("typed", ["ABC", "ABCD12345", "ABCD-12!4", "ÄBCD1234"])
async def test_a_code_that_cannot_be_one_is_422_naming_it(gateway: Gateway, typed: str) -> None:
    response = await gateway.client.post(
        "/v1/safety/acks", json={"code": typed}, headers=staff("s1")
    )
    assert response.status_code == 422
    assert response.json() == error(
        "invalid_request", f"code: {CODE_PROBLEM}", [{"field": "code", "problem": CODE_PROBLEM}]
    )
    assert gateway.notifications_requests == []


async def test_a_code_that_cannot_be_looked_up_is_503(gateway: Gateway) -> None:
    gateway.notifications = down
    response = await gateway.client.post(
        "/v1/safety/acks", json={"code": CODE}, headers=staff("s1")
    )
    assert response.status_code == 503
    assert response.json() == error("unavailable", LOOKUP_UNAVAILABLE)
    assert gateway.published == []


# --- the inbox: staff pages only for safety staff ----------------------------------------------


@pytest.mark.parametrize(
    ("roles", "include_pages"),
    [((), "false"), (("supporter-admin",), "false"), (("safety-staff",), "true")],
)
async def test_staff_pages_are_asked_for_only_with_the_safety_staff_role(
    gateway: Gateway, roles: tuple[str, ...], include_pages: str
) -> None:
    response = await gateway.client.get("/v1/members/s1/inbox", headers=auth("s1", roles=roles))
    assert response.status_code == 200, response.text
    [request] = gateway.notifications_requests
    assert request.url.params["include_pages"] == include_pages


# --- a check-in's crisis resources from the member's profile country ----------------------------

URGENT_NOTE = {"note": "I have the pills ready and I am going to take them tonight"}


def services(response: httpx.Response) -> tuple[str | None, set[str]]:
    resources = response.json()["safety"]["resources"]
    return resources["country"], {s["phone"] for s in resources["services"]}


async def test_a_checkin_without_a_country_gets_the_profile_country(gateway: Gateway) -> None:
    gateway.checkins = lambda request: httpx.Response(
        200, json={"member_id": "m1", "country": "GB", "episode": None}
    )
    response = await gateway.client.post(
        "/v1/members/m1/checkins", json=URGENT_NOTE, headers=auth("m1")
    )
    assert response.status_code == 202, response.text
    country, phones = services(response)
    assert country == "GB" and "116 123" in phones
    [request] = gateway.checkins_requests
    assert request.url.path == "/internal/members/m1/safety"
    assert request.headers["Authorization"] == f"Bearer {DEV_INTERNAL_API_TOKEN}"
    [message] = gateway.published
    assert message.event["data"]["country"] is None  # the check-in as the member sent it


async def test_the_checkins_country_wins_and_check_ins_is_not_asked(gateway: Gateway) -> None:
    response = await gateway.client.post(
        "/v1/members/m1/checkins", json={**URGENT_NOTE, "country": "US"}, headers=auth("m1")
    )
    assert services(response)[0] == "US"
    calm = await gateway.client.post(
        "/v1/members/m1/checkins", json={"mood": 6}, headers=auth("m1")
    )
    assert calm.json()["safety"] is None
    assert gateway.checkins_requests == []  # asked only for a check-in that fired a rule


@pytest.mark.parametrize(
    "answer",
    [
        down,
        lambda request: httpx.Response(404, json={}),
        lambda request: httpx.Response(500, text="boom"),
        lambda request: httpx.Response(200, json={"member_id": "m1", "country": None}),
        lambda request: httpx.Response(200, text="not json"),
    ],
    ids=["unreachable", "unknown member", "500", "no country", "not json"],
)
async def test_any_failure_falls_back_to_international_resources(
    gateway: Gateway, answer: Any
) -> None:
    gateway.checkins = answer
    response = await gateway.client.post(
        "/v1/members/m1/checkins", json=URGENT_NOTE, headers=auth("m1")
    )
    assert response.status_code == 202, response.text
    country, phones = services(response)
    assert country is None and phones
    assert len(gateway.published) == 1


async def test_a_slow_check_ins_never_holds_the_crisis_answer_back(gateway: Gateway) -> None:
    started = asyncio.Event()

    async def slow(request: httpx.Request) -> httpx.Response:
        started.set()
        await asyncio.Event().wait()  # never answers
        raise AssertionError

    gateway.checkins = slow
    loop = asyncio.get_running_loop()
    began = loop.time()
    response = await gateway.client.post(
        "/v1/members/m1/checkins", json=URGENT_NOTE, headers=auth("m1")
    )
    waited = loop.time() - began
    assert started.is_set()
    assert response.status_code == 202, response.text
    assert services(response)[0] is None
    assert waited < 2.0, waited  # the deadline is 0.3 s


async def test_a_page_link_allows_get_and_post(gateway: Gateway) -> None:
    response = await gateway.client.put(f"/v1/pages/{page_token()}")
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, POST"


async def test_a_profile_carries_its_country(gateway: Gateway) -> None:
    body = {**profile_body(), "country": "IE"}
    response = await gateway.client.put("/v1/members/m1/profile", json=body, headers=auth("m1"))
    assert response.status_code == 202, response.text
    [message] = gateway.published
    assert message.event["data"]["country"] == "IE"
    bad = await gateway.client.put(
        "/v1/members/m1/profile", json={**body, "country": "Ireland"}, headers=auth("m1")
    )
    assert bad.status_code == 422
    assert [f["field"] for f in bad.json()["fields"]] == ["country"]


async def test_a_member_id_of_dots_stays_one_path_segment(gateway: Gateway) -> None:
    # Not `/internal/members/../inbox`, which an HTTP client resolves to `/internal/inbox`.
    response = await gateway.client.get("/v1/members/%2E%2E/inbox", headers=auth(".."))
    assert response.status_code == 200, response.text
    [request] = gateway.notifications_requests
    assert request.url.raw_path.startswith(b"/internal/members/%2E%2E/inbox")


async def test_a_page_shows_ids_escaped(gateway: Gateway) -> None:
    gateway.alerts["a-1"] = {**ALERT, "member_id": "m1", "severity": "<b>urgent</b>"}
    response = await gateway.client.get(f"/v1/pages/{page_token()}")
    assert response.status_code == 200
    assert "&lt;b&gt;urgent&lt;/b&gt;" in response.text
    assert "<b>urgent</b>" not in response.text
