"""The staff API (/v1/staff and the safety staff's writes) through the desk: every route by every
role, nobody on their own case, the audit record published before any view or action (and a
503 with nothing shown or done when it cannot be), casework's 404 and outages, and members'
reports. The internal APIs are fakes (tests/unit/gateway/support.py)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import HTTPException

from kindred.events.casework import (
    CaseActionRequested,
    MemberModerated,
    ReportFiled,
    StaffAuditRecorded,
    SupporterPauseSet,
)
from kindred.events.envelope import Envelope
from kindred.events.matching import SupporterRoleSet
from kindred.events.notifications import SafetyAlertAckRequested
from kindred.events.safety import SafetyEpisodeCloseRequested
from kindred.gateway.auth import Principal
from kindred.gateway.routes import OWN_SAFETY_DATA, SELF_REPORT
from kindred.gateway.staff import (
    ALERT_RESOLVE,
    AUDIT_UNAVAILABLE,
    CASEWORK_UNAVAILABLE,
    CHECKINS_UNAVAILABLE,
    ITEM_CLAIMED,
    ITEM_RESOLVED,
    OWN_CASE,
)
from kindred.messaging.broker import EventPublisher
from kindred.safety.pagelinks import code
from kindred.settings import DEV_INTERNAL_API_TOKEN, DEV_PAGE_LINK_SECRET
from tests.unit.gateway.support import TOPICS, Gateway, auth, error

AT = "2026-12-03T10:15:00Z"
ALERT_CASE = {
    "alert_id": "a-1",
    "member_id": "m1",
    "checkin_id": "c-1",
    "episode_id": "ep-1",
    "severity": "urgent",
    "triggers": [{"rule": "phq9-item9", "severity": "urgent"}],
    "accepted_at": AT,
    "raised_at": AT,
    "pages": [],
    "ack_deadline": "2026-12-03T10:20:00Z",
}
# What notifications answers for the acknowledgement's check.
ALERT = {"alert_id": "a-1", "member_id": "m1", "severity": "urgent", "raised_at": AT}
REPORT_TEXT = "they kept asking for my address"
SAFETY_ITEM = {
    "item_id": "i-s",
    "member_id": "m1",
    "queue": "safety",
    "kind": "phq9-severe",
    "priority": "high",
    "detail": {"phq9_total": 22},
    "created_at": AT,
    "status": "open",
}
MODERATION_ITEM = {
    "item_id": "i-m",
    "member_id": "m1",
    "queue": "moderation",
    "kind": "member-reported",
    "priority": "high",
    "detail": {"reason": "boundaries"},
    "created_at": AT,
    "status": "open",
    "report": {
        "report_id": "r-1",
        "reporter_id": "m2",
        "reported_id": "m1",
        "context": "match",
        "context_id": "x-1",
        "reason": "boundaries",
        "text": REPORT_TEXT,
        "filed_at": AT,
        "status": "open",
    },
}
ANSWER = "I can't see a way forward"
CHECKINS = {
    "member_id": "m1",
    "checkins": [
        {
            "checkin_id": "c-1",
            "recorded_at": AT,
            "answers": {"phq9": [3, 3, 3, 3, 3, 3, 3, 3, 2], "note": ANSWER},
            "safety_rules": ["phq9-item9"],
        },
        {"checkin_id": "c-0", "recorded_at": "2026-12-02T10:00:00Z", "answers": {"mood": 4}},
    ],
    "moods": [4],
}


def entry(kind: str, id: str, member_id: str, queue: str) -> dict[str, Any]:
    return {
        "kind": kind,
        "id": id,
        "member_id": member_id,
        "queue": queue,
        "priority": "urgent",
        "what": "phq9-item9" if kind == "alert" else "member-reported",
        "created_at": AT,
    }


CASEWORK = {
    "/internal/queue": {
        "entries": [
            entry("alert", "a-1", "m1", "safety"),
            entry("item", "i-m", "m1", "moderation"),
            entry("alert", "a-own", "s1", "safety"),  # the caller's own
        ]
    },
    "/internal/alerts": {
        "alerts": [ALERT_CASE, {**ALERT_CASE, "alert_id": "a-2", "member_id": "s1"}]
    },
    "/internal/alerts/a-1": ALERT_CASE,
    "/internal/items": {
        "items": [SAFETY_ITEM, {**SAFETY_ITEM, "item_id": "i-2", "member_id": "s1"}]
    },
    "/internal/items/i-s": SAFETY_ITEM,
    "/internal/items/i-m": MODERATION_ITEM,
    "/internal/members/m1/cases": {
        "alerts": [ALERT_CASE],
        "items": [SAFETY_ITEM, MODERATION_ITEM],
    },
    "/internal/supporters": {"supporters": [{"member_id": "m3", "granted": True}]},
    "/internal/supporters/m1": {"member_id": "m1", "granted": True},
    "/internal/audit": {
        "entries": [
            {
                "audit_id": "au-1",
                "staff_id": "s2",
                "roles": ["safety-staff"],
                "action": "view-alert",
                "purpose": "alert-response",
                "member_id": "m1",
                "ref": "a-1",
                "channel": "console",
                "at": AT,
            }
        ]
    },
}
PAGE = {"alert_id": "a-1", "member_id": "m1", "staff_id": "s1", "page_id": "p-1"}
CODE = code("p-1", DEV_PAGE_LINK_SECRET)
CLOSING = {"reason": "spoke with them; safe for now", "episode_id": "ep-1", "last_alert_id": "a-1"}
NOTE = "called them, they are with family tonight"

SAFETY, MODERATOR, ADMIN, OPERATOR = "safety-staff", "moderator", "supporter-admin", "operator"
ROLES = (SAFETY, MODERATOR, ADMIN, OPERATOR)


@dataclass(frozen=True)
class Route:
    """A staff route, the roles it answers and the audit record each of them leaves."""

    name: str
    method: str
    path: str
    body: dict[str, Any] | None
    # role → (action, purpose, member_id, ref) of the audit record
    audits: dict[str, tuple[str, str, str | None, str | None]]
    event: type[Envelope[Any]] | None = None  # what an action publishes

    @property
    def ok(self) -> int:
        return 200 if self.method == "GET" else 202


ROUTES = [
    Route(
        "queue",
        "GET",
        "/v1/staff/queue",
        None,
        {
            SAFETY: ("view-queue", "alert-response", None, None),
            MODERATOR: ("view-queue", "moderation", None, None),
        },
    ),
    Route(
        "alerts",
        "GET",
        "/v1/staff/alerts?state=recent",
        None,
        {SAFETY: ("view-queue", "alert-response", None, None)},
    ),
    Route(
        "alert",
        "GET",
        "/v1/staff/alerts/a-1",
        None,
        {SAFETY: ("view-alert", "alert-response", "m1", "a-1")},
    ),
    Route(
        "member safety",
        "GET",
        "/v1/staff/members/m1/safety",
        None,
        {SAFETY: ("view-member-safety", "safety-review", "m1", None)},
    ),
    Route(
        "safety items",
        "GET",
        "/v1/staff/items?queue=safety",
        None,
        {SAFETY: ("view-queue", "safety-review", None, None)},
    ),
    Route(
        "reports",
        "GET",
        "/v1/staff/items?queue=moderation&status=resolved",
        None,
        {MODERATOR: ("view-reports", "moderation", None, None)},
    ),
    Route(
        "safety item",
        "GET",
        "/v1/staff/items/i-s",
        None,
        {SAFETY: ("view-item", "safety-review", "m1", "i-s")},
    ),
    Route(
        "moderation item",
        "GET",
        "/v1/staff/items/i-m",
        None,
        {MODERATOR: ("view-item", "moderation", "m1", "i-m")},
    ),
    Route(
        "roster",
        "GET",
        "/v1/staff/supporters",
        None,
        {ADMIN: ("view-roster", "supporter-admin", None, None)},
    ),
    Route(
        "audit trail",
        "GET",
        "/v1/staff/audit?member_id=m1&staff_id=s2&limit=10",
        None,
        {OPERATOR: ("view-audit", "oversight", "m1", "s2")},
    ),
    Route(
        "alert step",
        "POST",
        "/v1/staff/cases/alert/a-1/actions",
        {"action": "note", "note": NOTE},
        {SAFETY: ("case-step", "alert-response", "m1", "a-1")},
        CaseActionRequested,
    ),
    Route(
        "safety item step",
        "POST",
        "/v1/staff/cases/item/i-s/actions",
        {"action": "resolve", "outcome": "contacted", "note": NOTE},
        {SAFETY: ("case-step", "safety-review", "m1", "i-s")},
        CaseActionRequested,
    ),
    Route(
        "moderation item step",
        "POST",
        "/v1/staff/cases/item/i-m/actions",
        {"action": "claim"},
        {MODERATOR: ("case-step", "moderation", "m1", "i-m")},
        CaseActionRequested,
    ),
    Route(
        "moderate",
        "POST",
        "/v1/staff/members/m1/moderation",
        {"action": "suspend-matching", "report_id": "r-1", "note": NOTE},
        {MODERATOR: ("moderate", "moderation", "m1", "r-1")},
        MemberModerated,
    ),
    Route(
        "pause supporter",
        "PUT",
        "/v1/staff/supporters/m1/pause",
        {"paused": True, "note": NOTE},
        {ADMIN: ("pause-supporter", "supporter-admin", "m1", None)},
        SupporterPauseSet,
    ),
    Route(
        "set supporter role",
        "PUT",
        "/v1/staff/supporters/m1",
        {"granted": False, "note": NOTE},
        {ADMIN: ("set-supporter-role", "supporter-admin", "m1", None)},
        SupporterRoleSet,
    ),
    Route(
        "close episode",
        "POST",
        "/v1/safety/members/m1/episode/close",
        CLOSING,
        {SAFETY: ("close-episode", "alert-response", "m1", "ep-1")},
        SafetyEpisodeCloseRequested,
    ),
    Route(
        "acknowledge",
        "POST",
        "/v1/safety/members/m1/alerts/a-1/ack",
        None,
        {SAFETY: ("acknowledge", "alert-response", "m1", "a-1")},
        SafetyAlertAckRequested,
    ),
    Route(
        "acknowledge by code",
        "POST",
        "/v1/safety/acks",
        {"code": CODE},
        {SAFETY: ("acknowledge", "alert-response", "m1", "a-1")},
        SafetyAlertAckRequested,
    ),
]
ACTIONS = [r for r in ROUTES if r.event is not None]
VIEWS = [r for r in ROUTES if r.event is None]
# Each route with each caller: no token, a member's, and each staff role's.
CALLERS = ["no token", "member", *ROLES]


@pytest.fixture
def desk(gateway: Gateway) -> Gateway:
    """The gateway with every case, check-in, alert and page the routes name."""
    gateway.casework_answers.update(CASEWORK)
    gateway.member_checkins["m1"] = CHECKINS
    gateway.alerts["a-1"] = ALERT
    gateway.pages[CODE] = PAGE
    return gateway


def headers_of(caller: str, member_id: str = "s1") -> dict[str, str]:
    if caller == "no token":
        return {}
    return auth(member_id, roles=() if caller == "member" else (caller,))


async def send(
    gateway: Gateway, route: Route, headers: dict[str, str], body: Any = None
) -> httpx.Response:
    return await gateway.client.request(
        route.method, route.path, json=body if body is not None else route.body, headers=headers
    )


def audit_of(data: dict[str, Any]) -> tuple[str, str, str | None, str | None]:
    return data["action"], data["purpose"], data["member_id"], data["ref"]


# --- the authorization matrix ------------------------------------------------------------------


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("route", ROUTES, ids=[r.name for r in ROUTES])
async def test_every_staff_route_answers_each_role_as_the_role_table_says(
    desk: Gateway, route: Route, caller: str
) -> None:
    response = await send(desk, route, headers_of(caller))
    if caller == "no token":
        assert response.status_code == 401, response.text
        assert response.json()["error"] == "unauthorized"
    elif caller not in route.audits:
        assert response.status_code == 403, response.text
        assert response.json()["error"] == "forbidden"
    else:
        assert response.status_code == route.ok, response.text
        [audit] = desk.audit_data()
        assert audit_of(audit) == route.audits[caller]
        assert (audit["staff_id"], audit["roles"], audit["channel"]) == ("s1", [caller], "api")
        if route.event is not None:
            [action] = desk.published
            assert action.topic == TOPICS[route.event]
            assert action.key == b"m1"
            assert action.event["data"]["staff_id"] == "s1"
            # The action follows its audit record, in the same correlation.
            assert [p.topic for p in desk.sequence] == [desk.audits[0].topic, action.topic]
            assert action.event["correlationid"] == desk.audits[0].event["correlationid"]
        return
    assert desk.audits == [] and desk.published == []


async def test_a_staff_member_with_every_role_still_answers_only_to_their_roles_queues(
    desk: Gateway,
) -> None:
    """Roles add up: safety staff who moderate too see both queues, and the reports' text."""
    both = auth("s1", roles=(SAFETY, MODERATOR))
    queue = await desk.client.get("/v1/staff/queue", headers=both)
    assert [e["id"] for e in queue.json()["entries"]] == ["a-1", "i-m"]
    [request] = desk.casework_requests
    assert request.url.params.get_list("queue") == ["moderation", "safety"]
    assert request.headers["Authorization"] == f"Bearer {DEV_INTERNAL_API_TOKEN}"
    view = await desk.client.get("/v1/staff/members/m1/safety", headers=both)
    assert REPORT_TEXT in view.text


# --- what each role sees -----------------------------------------------------------------------


async def test_a_moderator_never_sees_safety_alerts_or_items(desk: Gateway) -> None:
    response = await desk.client.get("/v1/staff/queue", headers=auth("s1", roles=(MODERATOR,)))
    assert [e["id"] for e in response.json()["entries"]] == ["i-m"]
    [request] = desk.casework_requests
    assert request.url.params.get_list("queue") == ["moderation"]
    for path in ("/v1/staff/items/i-s", "/v1/staff/alerts/a-1", "/v1/staff/items?queue=safety"):
        refused = await desk.client.get(path, headers=auth("s1", roles=(MODERATOR,)))
        assert refused.status_code == 403, path


async def test_safety_staff_never_see_a_reports_text(desk: Gateway) -> None:
    headers = auth("s1", roles=(SAFETY,))
    queue = await desk.client.get("/v1/staff/queue", headers=headers)
    assert [e["id"] for e in queue.json()["entries"]] == ["a-1"]
    view = await desk.client.get("/v1/staff/members/m1/safety", headers=headers)
    assert view.status_code == 200, view.text
    assert [i["item_id"] for i in view.json()["cases"]["items"]] == ["i-s"]
    assert REPORT_TEXT not in view.text
    item = await desk.client.get("/v1/staff/items/i-m", headers=headers)
    assert item.status_code == 403
    assert REPORT_TEXT not in item.text


async def test_lists_leave_out_the_callers_own_cases(desk: Gateway) -> None:
    headers = auth("s1", roles=(SAFETY,))
    alerts = await desk.client.get("/v1/staff/alerts", headers=headers)
    assert [a["alert_id"] for a in alerts.json()["alerts"]] == ["a-1"]
    assert desk.casework_requests[-1].url.params["state"] == "open"
    items = await desk.client.get("/v1/staff/items?queue=safety", headers=headers)
    assert [i["item_id"] for i in items.json()["items"]] == ["i-s"]
    assert dict(desk.casework_requests[-1].url.params) == {
        "queue": "safety",
        "status": "open",
        "limit": "200",
    }


async def test_an_alerts_page_shows_the_checkin_that_fired_and_the_recent_ones(
    desk: Gateway,
) -> None:
    response = await desk.client.get("/v1/staff/alerts/a-1", headers=auth("s1", roles=(SAFETY,)))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["alert"]["alert_id"] == "a-1"
    assert body["checkin"]["answers"]["note"] == ANSWER
    assert [c["checkin_id"] for c in body["recent"]["checkins"]] == ["c-1", "c-0"]
    [request] = desk.checkins_requests
    assert (request.url.path, request.url.params["limit"]) == (
        "/internal/members/m1/checkins",
        "20",
    )


async def test_an_alert_whose_checkin_is_older_than_the_recent_ones_reads_it_on_its_own(
    desk: Gateway,
) -> None:
    desk.casework_answers["/internal/alerts/a-1"] = {**ALERT_CASE, "checkin_id": "c-old"}
    staff = auth("s1", roles=(SAFETY,))
    response = await desk.client.get("/v1/staff/alerts/a-1", headers=staff)
    assert response.status_code == 200
    assert response.json()["checkin"] is None  # not stored (yet): the page says so
    old = {"checkin_id": "c-old", "recorded_at": AT, "answers": {"note": "weeks ago"}}
    desk.checkins_by_id["m1/c-old"] = old
    response = await desk.client.get("/v1/staff/alerts/a-1", headers=staff)
    assert response.json()["checkin"]["answers"] == {"note": "weeks ago"}
    assert [c["checkin_id"] for c in response.json()["recent"]["checkins"]] != ["c-old"]


async def test_the_audit_trail_is_read_with_the_operators_filters(desk: Gateway) -> None:
    response = await desk.client.get(
        "/v1/staff/audit?member_id=m1&limit=5", headers=auth("o1", roles=(OPERATOR,))
    )
    assert response.status_code == 200
    assert response.json()["entries"][0]["audit_id"] == "au-1"
    [request] = desk.casework_requests
    assert dict(request.url.params) == {"member_id": "m1", "limit": "5"}


# --- nobody on their own case ------------------------------------------------------------------

OWN = [r for r in ROUTES if any(a[2] == "m1" for a in r.audits.values())]


@pytest.mark.parametrize("route", OWN, ids=[r.name for r in OWN])
async def test_nobody_views_or_acts_on_their_own_case(desk: Gateway, route: Route) -> None:
    """m1, holding every staff role, on a case about m1."""
    response = await send(desk, route, auth("m1", roles=ROLES))
    assert response.status_code == 403, response.text
    assert response.json()["detail"] in {OWN_CASE, OWN_SAFETY_DATA}
    assert desk.audits == [] and desk.published == []
    assert desk.checkins_requests == []


# --- the audit record comes first, or nothing happens ------------------------------------------


@pytest.fixture
def audit_down(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Kafka does not confirm audit records (every other event is published)."""
    publish = EventPublisher.publish

    async def failing(self: EventPublisher, event: Envelope[Any]) -> None:
        if isinstance(event, StaffAuditRecorded):
            raise TimeoutError("no acknowledgement from the brokers")
        await publish(self, event)

    monkeypatch.setattr(EventPublisher, "publish", failing)
    yield


@pytest.mark.parametrize("route", ROUTES, ids=[r.name for r in ROUTES])
async def test_an_unrecorded_view_or_action_is_503_and_shows_and_does_nothing(
    desk: Gateway, audit_down: None, route: Route
) -> None:
    role = next(iter(route.audits))
    response = await send(desk, route, headers_of(role))
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"] == "5"
    assert response.json() == error("unavailable", AUDIT_UNAVAILABLE)
    assert desk.published == [] and desk.audits == []
    # Only the lookup that names the member may come first: no list, no check-ins is read.
    assert desk.checkins_requests == []
    assert all(request.url.path.count("/") == 3 for request in desk.casework_requests), (
        desk.casework_requests
    )


async def test_an_audit_record_holds_no_answers_or_free_text(desk: Gateway) -> None:
    headers = auth("s1", roles=(SAFETY, MODERATOR))
    for route in ROUTES:
        if route.audits.keys() & {SAFETY, MODERATOR}:
            response = await send(desk, route, headers)
            assert response.status_code == route.ok, (route.name, response.text)
    assert len(desk.audits) == sum(bool(r.audits.keys() & {SAFETY, MODERATOR}) for r in ROUTES)
    for audit in desk.audits:
        text = str(audit.event)
        for words in (NOTE, ANSWER, REPORT_TEXT, CLOSING["reason"]):
            assert words not in text
        assert set(audit.event["data"]) == {
            "audit_id",
            "staff_id",
            "roles",
            "action",
            "purpose",
            "member_id",
            "ref",
            "channel",
            "at",
        }
        # Keyed by the member concerned, else by the staff member.
        assert audit.key == (audit.event["data"]["member_id"] or "s1").encode()


# --- casework's answers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "detail"),
    [
        ("/v1/staff/alerts/a-9", "no alert a-9"),
        ("/v1/staff/items/i-9", "no review item i-9"),
    ],
)
async def test_an_unknown_case_is_404_and_unaudited(desk: Gateway, path: str, detail: str) -> None:
    response = await desk.client.get(path, headers=auth("s1", roles=(SAFETY,)))
    assert response.status_code == 404
    assert response.json() == error("not_found", detail)
    step = await desk.client.post(
        path.replace("/v1/staff/alerts/", "/v1/staff/cases/alert/").replace(
            "/v1/staff/items/", "/v1/staff/cases/item/"
        )
        + "/actions",
        json={"action": "claim"},
        headers=auth("s1", roles=(SAFETY,)),
    )
    assert step.status_code == 404
    assert step.json() == error("not_found", detail)
    assert desk.audits == [] and desk.published == []


async def test_pausing_a_member_not_in_the_roster_is_404(desk: Gateway) -> None:
    response = await desk.client.put(
        "/v1/staff/supporters/m7/pause", json={"paused": True}, headers=auth("t1", roles=(ADMIN,))
    )
    assert response.status_code == 404
    assert response.json() == error("not_found", "no supporter m7 in the roster")
    assert desk.audits == [] and desk.published == []


def down(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


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
@pytest.mark.parametrize(
    "route",
    [r for r in ROUTES if r.name in {"queue", "alert", "roster", "audit trail", "alert step"}],
    ids=lambda r: r.name,
)
async def test_casework_not_answering_is_503(desk: Gateway, answer: Any, route: Route) -> None:
    desk.casework = answer
    response = await send(desk, route, headers_of(next(iter(route.audits))))
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"] == "5"
    assert response.json() == error("unavailable", CASEWORK_UNAVAILABLE)
    assert desk.published == []


async def test_checkins_not_answering_is_503(desk: Gateway) -> None:
    desk.checkins_down = down
    response = await desk.client.get("/v1/staff/alerts/a-1", headers=auth("s1", roles=(SAFETY,)))
    assert response.status_code == 503
    assert response.json() == error("unavailable", CHECKINS_UNAVAILABLE)


# --- case steps ----------------------------------------------------------------------------------


async def test_a_case_step_is_published_for_the_cases_member(desk: Gateway) -> None:
    body = {"action": "resolve", "outcome": "no-action", "note": NOTE}
    response = await desk.client.post(
        "/v1/staff/cases/item/i-s/actions", json=body, headers=auth("s1", roles=(SAFETY,))
    )
    assert response.status_code == 202, response.text
    assert response.json()["resource_id"] == "i-s"
    [message] = desk.published
    data = message.event["data"]
    assert (message.key, data["case_kind"], data["case_id"]) == (b"m1", "item", "i-s")
    assert {k: data[k] for k in body} == body
    assert (data["member_id"], data["staff_id"]) == ("m1", "s1")


@pytest.mark.parametrize(
    ("path", "item", "body", "detail"),
    [
        (
            "/v1/staff/cases/item/i-s/actions",
            {**SAFETY_ITEM, "status": "resolved"},
            {"action": "note", "note": NOTE},
            ITEM_RESOLVED.format(item_id="i-s"),
        ),
        (
            "/v1/staff/cases/item/i-s/actions",
            {**SAFETY_ITEM, "status": "claimed", "owner": "s2"},
            {"action": "claim"},
            ITEM_CLAIMED.format(item_id="i-s", owner="s2"),
        ),
        (
            "/v1/staff/cases/alert/a-1/actions",
            None,
            {"action": "resolve", "outcome": "contacted"},
            ALERT_RESOLVE,
        ),
    ],
    ids=["resolved", "claimed by another", "resolve an alert"],
)
async def test_a_step_the_case_cannot_take_is_409(
    desk: Gateway, path: str, item: dict[str, Any] | None, body: dict[str, Any], detail: str
) -> None:
    if item is not None:
        desk.casework_answers["/internal/items/i-s"] = item
    response = await desk.client.post(path, json=body, headers=auth("s1", roles=(SAFETY,)))
    assert response.status_code == 409, response.text
    assert response.json() == error("conflict", detail)
    assert desk.audits == [] and desk.published == []


async def test_a_step_that_contradicts_itself_is_422(desk: Gateway) -> None:
    response = await desk.client.post(
        "/v1/staff/cases/item/i-s/actions",
        json={"action": "resolve"},
        headers=auth("s1", roles=(SAFETY,)),
    )
    assert response.status_code == 422
    assert response.json()["fields"] == [
        {"field": "outcome", "problem": "resolving needs an outcome"}
    ]
    assert response.json()["detail"] == "outcome: resolving needs an outcome"
    bad_kind = await desk.client.post(
        "/v1/staff/cases/report/i-s/actions",
        json={"action": "claim"},
        headers=auth("s1", roles=(SAFETY,)),
    )
    assert bad_kind.status_code == 422
    assert [f["field"] for f in bad_kind.json()["fields"]] == ["case_kind"]
    assert desk.casework_requests == []


async def test_a_moderation_names_its_report_by_id(desk: Gateway) -> None:
    response = await desk.client.post(
        "/v1/staff/members/m1/moderation",
        json={"action": "warn", "report_id": "not an id!"},
        headers=auth("s1", roles=(MODERATOR,)),
    )
    assert response.status_code == 422
    assert [f["field"] for f in response.json()["fields"]] == ["report_id"]
    assert desk.audits == [] and desk.published == []


async def test_dismissing_a_report_needs_a_note(desk: Gateway) -> None:
    response = await desk.client.post(
        "/v1/staff/members/m1/moderation",
        json={"action": "dismiss", "report_id": "r-1"},
        headers=auth("s1", roles=(MODERATOR,)),
    )
    assert response.status_code == 422
    assert [f["field"] for f in response.json()["fields"]] == ["note"]


# --- the console's sign-in -----------------------------------------------------------------------


async def test_a_sign_in_is_audited_for_staff_only(desk: Gateway) -> None:
    staff_desk = desk.app.state.desk
    await staff_desk.sign_in(Principal("t1", frozenset({ADMIN, "supporter"})), "console")
    [audit] = desk.audit_data()
    assert audit_of(audit) == ("sign-in", "supporter-admin", None, None)
    assert (audit["roles"], audit["channel"]) == (["supporter-admin"], "console")
    with pytest.raises(HTTPException) as refused:
        await staff_desk.sign_in(Principal("m1", frozenset({"supporter"})), "console")
    assert refused.value.status_code == 403
    assert len(desk.audits) == 1


async def test_the_queues_digest_changes_with_the_queue_and_is_not_audited(desk: Gateway) -> None:
    staff_desk = desk.app.state.desk
    who = Principal("s1", frozenset({SAFETY}))
    before = await staff_desk.queue_digest(who)
    assert before == await staff_desk.queue_digest(who)
    assert desk.audits == []  # a digest shows nothing: no audit record per poll
    shown = await staff_desk.queue(who, "console")
    assert shown.digest() == before  # the page's digest is the one the poll compares with
    assert len(desk.audits) == 1
    entries = desk.casework_answers["/internal/queue"]["entries"]
    desk.casework_answers["/internal/queue"] = {"entries": entries[1:]}
    assert await staff_desk.queue_digest(who) != before
    with pytest.raises(HTTPException) as refused:
        await staff_desk.queue_digest(Principal("o1", frozenset({"operator"})))
    assert refused.value.status_code == 403


# --- members' reports ----------------------------------------------------------------------------

REPORTS = "/v1/members/m2/reports"
REPORT = {"reported_id": "m1", "context": "match", "context_id": "x-1", "reason": "harassment"}


async def test_a_member_reports_another_keyed_by_the_reported_member(gateway: Gateway) -> None:
    body = {**REPORT, "text": REPORT_TEXT}
    response = await gateway.client.post(REPORTS, json=body, headers=auth("m2"))
    assert response.status_code == 202, response.text
    [message] = gateway.published
    assert (message.topic, message.key) == (TOPICS[ReportFiled], b"m1")
    data = message.event["data"]
    assert response.json()["resource_id"] == data["report_id"]
    assert {k: data[k] for k in body} == body
    assert data["reporter_id"] == "m2"
    assert message.event["subject"] == "m1"
    assert gateway.audits == []  # a member's report is no staff view


async def test_a_member_cannot_report_themselves_or_for_another(gateway: Gateway) -> None:
    own = await gateway.client.post(
        REPORTS, json={**REPORT, "reported_id": "m2"}, headers=auth("m2")
    )
    assert own.status_code == 409
    assert own.json() == error("conflict", SELF_REPORT)
    other = await gateway.client.post(REPORTS, json=REPORT, headers=auth("m3"))
    assert other.status_code == 403
    assert gateway.published == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"reason": "rude"}, "reason"),
        ({"context": "forum"}, "context"),
        ({"reported_id": "a b"}, "reported_id"),
        ({"text": "x" * 2001}, "text"),
    ],
)
async def test_a_bad_report_is_422_naming_the_field(
    gateway: Gateway, change: dict[str, Any], field: str
) -> None:
    response = await gateway.client.post(REPORTS, json={**REPORT, **change}, headers=auth("m2"))
    assert response.status_code == 422
    assert [f["field"] for f in response.json()["fields"]] == [field]
    assert gateway.published == []
