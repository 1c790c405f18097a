"""The staff console over a fake desk: sign-in, sessions, CSRF, each page and each form."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import httpx
import pytest
from fastapi import FastAPI, HTTPException

from kindred.events.casework import (
    CaseAction,
    CaseKind,
    CaseStep,
    Moderation,
    ModerationAction,
    Outcome,
    ReportContext,
    ReportReason,
    SupporterPause,
)
from kindred.events.matching import SupporterRole
from kindred.gateway.accepted import Accepted
from kindred.gateway.auth import Principal, issue_token
from kindred.gateway.console import console_router
from kindred.gateway.console.desk import Channel, Desk
from kindred.gateway.console.router import countdown
from kindred.gateway.console.session import COOKIE, PURPOSE
from kindred.gateway.errors import error_body
from kindred.gateway.routes import EpisodeClosure
from kindred.gateway.settings import GatewaySettings
from kindred.staff_views import (
    AlertCase,
    AuditEntry,
    AuditTrail,
    CaseNote,
    CheckinView,
    EpisodeView,
    ItemKind,
    ItemList,
    ItemPriority,
    ItemStatus,
    MemberCheckins,
    PageRecord,
    Queue,
    QueueEntry,
    QueueView,
    ReportView,
    ReviewItem,
    Roster,
    RosterEntry,
    Trigger,
)

SETTINGS = GatewaySettings(kindred_namespace="unit", kindred_dev_mode=True)
NOW = datetime.now(UTC)
ACCEPTED = Accepted(event_id="e1", correlation_id="c1")


def alert_case(**changes: Any) -> AlertCase:
    fields: dict[str, Any] = {
        "alert_id": "a-2",
        "member_id": "m1",
        "checkin_id": "c-9",
        "episode_id": "ep-1",
        "severity": "urgent",
        "triggers": [Trigger(rule="phq9-item9", severity="urgent")],
        "accepted_at": NOW - timedelta(minutes=3),
        "raised_at": NOW - timedelta(minutes=3),
        "pages": [
            PageRecord(
                page_id="p1",
                level=1,
                fallback=False,
                repeat=0,
                paged="s9",
                channels=["sms"],
                due_at=NOW - timedelta(minutes=3),
                ack_deadline=NOW + timedelta(minutes=2),
            )
        ],
        "ack_deadline": NOW + timedelta(minutes=2),
        "notes": [CaseNote(staff_id="s9", at=NOW, note="<script>alert(1)</script>")],
    }
    return AlertCase(**(fields | changes))


@dataclass
class Detail:
    alert: AlertCase
    checkin: CheckinView | None
    recent: MemberCheckins


def item(**changes: Any) -> ReviewItem:
    fields: dict[str, Any] = {
        "item_id": "i-1",
        "member_id": "m2",
        "queue": Queue.SAFETY,
        "kind": ItemKind.PHQ9_SEVERE,
        "priority": ItemPriority.HIGH,
        "detail": {"phq9_severity": "severe"},
        "created_at": NOW - timedelta(hours=1),
        "status": ItemStatus.OPEN,
    }
    return ReviewItem(**(fields | changes))


REPORT = ReportView(
    report_id="r-1",
    reporter_id="m5",
    reported_id="m6",
    context=ReportContext.MATCH,
    context_id="x-1",
    reason=ReportReason.HARASSMENT,
    text="They kept messaging after I said stop",
    filed_at=NOW,
    status="open",
)


@dataclass
class FakeDesk:
    """Answers canned views and records every call; `refuse` makes a method raise."""

    calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = field(default_factory=list)
    refuse: dict[str, HTTPException] = field(default_factory=dict)
    queue_view: QueueView = field(default_factory=lambda: QueueView(entries=[]))

    def _called(self, name: str, *args: Any, **kwargs: Any) -> None:
        self.calls.append((name, args, kwargs))
        if name in self.refuse:
            raise self.refuse[name]

    def called(self, name: str) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
        return [(args, kwargs) for called, args, kwargs in self.calls if called == name]

    async def queue(self, who: Principal, channel: Channel) -> QueueView:
        self._called("queue", who, channel)
        return self.queue_view

    async def queue_digest(self, who: Principal) -> str:
        self._called("queue_digest", who)
        return str(len(self.queue_view.entries))

    async def alert(self, who: Principal, alert_id: str, channel: Channel) -> Detail:
        self._called("alert", who, alert_id, channel)
        checkin = CheckinView(
            checkin_id="c-9", recorded_at=NOW, answers={"note": "I can't go on", "mood": 1}
        )
        episode = EpisodeView(episode_id="ep-1", opened_at=NOW, alert_ids=["a-1", "a-2", "a-3"])
        recent = MemberCheckins(
            member_id="m1", checkins=[checkin], moods=[4, 2, 1], episode=episode
        )
        return Detail(alert_case(alert_id=alert_id), checkin, recent)

    async def items(
        self,
        who: Principal,
        queue: Queue,
        status: Literal["open", "resolved"],
        channel: Channel,
    ) -> ItemList:
        self._called("items", who, queue, status, channel)
        reported = item(
            item_id="i-7",
            member_id="m6",
            queue=Queue.MODERATION,
            kind=ItemKind.MEMBER_REPORTED,
            report=REPORT,
        )
        return ItemList(items=[reported])

    async def item(self, who: Principal, item_id: str, channel: Channel) -> ReviewItem:
        self._called("item", who, item_id, channel)
        return item(item_id=item_id)

    async def roster(self, who: Principal, channel: Channel) -> Roster:
        self._called("roster", who, channel)
        return Roster(supporters=[RosterEntry(member_id="m8", granted=True, active_matches=2)])

    async def audit(
        self,
        who: Principal,
        channel: Channel,
        member_id: str | None = None,
        staff_id: str | None = None,
        limit: int = 100,
    ) -> AuditTrail:
        self._called("audit", who, channel, member_id=member_id, staff_id=staff_id)
        entry = AuditEntry(
            audit_id="au-1",
            staff_id="s1",
            roles=["safety-staff"],
            action="view-alert",
            purpose="alert-response",
            member_id="m1",
            ref="a-2",
            channel="console",
            at=NOW,
        )
        return AuditTrail(entries=[entry])

    async def acknowledge(
        self, who: Principal, member_id: str, alert_id: str, channel: Channel
    ) -> Accepted:
        self._called("acknowledge", who, member_id, alert_id, channel)
        return ACCEPTED

    async def close_episode(
        self, who: Principal, member_id: str, closure: EpisodeClosure, channel: Channel
    ) -> Accepted:
        self._called("close_episode", who, member_id, closure, channel)
        return ACCEPTED

    async def case_step(
        self, who: Principal, case_kind: CaseKind, case_id: str, step: CaseStep, channel: Channel
    ) -> Accepted:
        self._called("case_step", who, case_kind, case_id, step, channel)
        return ACCEPTED

    async def moderate(
        self, who: Principal, member_id: str, moderation: Moderation, channel: Channel
    ) -> Accepted:
        self._called("moderate", who, member_id, moderation, channel)
        return ACCEPTED

    async def set_supporter_role(
        self, who: Principal, member_id: str, role: SupporterRole, channel: Channel
    ) -> Accepted:
        self._called("set_supporter_role", who, member_id, role, channel)
        return ACCEPTED

    async def pause_supporter(
        self, who: Principal, member_id: str, pause: SupporterPause, channel: Channel
    ) -> Accepted:
        self._called("pause_supporter", who, member_id, pause, channel)
        return ACCEPTED

    async def sign_in(self, who: Principal, channel: Channel) -> None:
        self._called("sign_in", who, channel)


def _is_desk(desk: FakeDesk) -> Desk:
    return desk  # mypy checks here that the fake keeps to the protocol


@dataclass
class Console:
    client: httpx.AsyncClient
    desk: FakeDesk

    async def sign_in(self, *roles: str, member_id: str = "s1") -> httpx.Response:
        token = issue_token(SETTINGS, member_id, roles)
        return await self.client.post("/console/sign-in", data={"token": token})

    async def csrf(self, page: str = "/console") -> str:
        found = re.search(r'name="csrf" value="([0-9a-f]+)"', (await self.client.get(page)).text)
        assert found is not None
        return found.group(1)

    async def post(self, path: str, data: dict[str, str], page: str = "/console") -> httpx.Response:
        return await self.client.post(path, data={"csrf": await self.csrf(page), **data})


def _app(desk: FakeDesk, settings: GatewaySettings = SETTINGS) -> FastAPI:
    app = FastAPI()
    app.include_router(console_router(_is_desk(desk), settings))
    return app


@pytest.fixture
async def console() -> AsyncIterator[Console]:
    desk = FakeDesk()
    transport = httpx.ASGITransport(app=_app(desk))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield Console(client, desk)


def _cookie(response: httpx.Response) -> str:
    return next(v for k, v in response.headers.multi_items() if k == "set-cookie" and COOKIE in v)


def _unavailable() -> HTTPException:
    return HTTPException(
        503, detail=error_body(503, "casework is not answering"), headers={"Retry-After": "5"}
    )


# ----------------------------------------------------------------------------- sign-in


async def test_a_staff_token_is_exchanged_for_a_strict_session_cookie(console: Console) -> None:
    answer = await console.sign_in("safety-staff")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/console"
    cookie = _cookie(answer).lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/console" in cookie
    assert "secure" not in cookie  # dev mode: plain http on a laptop
    max_age = int(re.search(r"max-age=(\d+)", cookie).group(1))  # type: ignore[union-attr]
    assert 12 * 3600 - 60 < max_age <= 12 * 3600
    [(args, _)] = console.desk.called("sign_in")
    assert args == (Principal("s1", frozenset({"safety-staff"})), "console")


async def test_the_session_never_outlives_the_token() -> None:
    settings = GatewaySettings(kindred_namespace="unit", jwt_secret="x" * 40)
    transport = httpx.ASGITransport(app=_app(FakeDesk(), settings))
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        token = issue_token(settings, "s1", ("operator",), ttl=timedelta(minutes=30))
        answer = await client.post("/console/sign-in", data={"token": token})
    cookie = _cookie(answer).lower()
    assert "secure" in cookie  # outside dev mode
    assert int(re.search(r"max-age=(\d+)", cookie).group(1)) <= 30 * 60  # type: ignore[union-attr]
    assert answer.headers["location"] == "/console/audit"


async def test_a_member_token_has_no_console(console: Console) -> None:
    answer = await console.sign_in()
    assert answer.status_code == 403
    assert "no console for this token" in answer.text
    assert COOKIE not in answer.headers.get("set-cookie", "")
    assert console.desk.called("sign_in") == []


async def test_an_expired_or_forged_token_is_refused(console: Console) -> None:
    expired = issue_token(SETTINGS, "s1", ("safety-staff",), ttl=timedelta(seconds=-5))
    answer = await console.client.post("/console/sign-in", data={"token": expired})
    assert answer.status_code == 401
    assert "expired" in answer.text
    forged = issue_token(SETTINGS.model_copy(update={"jwt_secret": "y" * 40}), "s1", ("operator",))
    answer = await console.client.post("/console/sign-in", data={"token": forged})
    assert answer.status_code == 401
    assert "not a valid" in answer.text
    assert console.desk.called("sign_in") == []
    assert COOKIE not in console.client.cookies


async def test_an_unrecorded_sign_in_opens_no_session(console: Console) -> None:
    console.desk.refuse["sign_in"] = _unavailable()
    answer = await console.sign_in("safety-staff")
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "5"
    assert "casework is not answering" in answer.text
    assert COOKIE not in console.client.cookies


async def test_an_api_token_is_not_a_session(console: Console) -> None:
    console.client.cookies.set(COOKIE, issue_token(SETTINGS, "s1", ("operator",)))
    answer = await console.client.get("/console/audit")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/console/sign-in"
    assert PURPOSE  # the session's own purpose claim is what an API token lacks


async def test_sign_out_clears_the_session(console: Console) -> None:
    await console.sign_in("operator")
    answer = await console.post("/console/sign-out", {}, page="/console/audit")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/console/sign-in"
    assert COOKIE not in console.client.cookies
    assert (await console.client.get("/console/audit")).status_code == 303


PAGES = [
    "/console",
    "/console/queue.html",
    "/console/alerts/a-1",
    "/console/items/i-1",
    "/console/moderation",
    "/console/supporters",
    "/console/audit",
]
FORMS = [
    "/console/sign-out",
    "/console/alerts/a-1/acknowledge",
    "/console/alerts/a-1/close",
    "/console/cases/item/i-1/steps",
    "/console/moderation/m6",
    "/console/supporters/m8/role",
    "/console/supporters/role",
    "/console/supporters/m8/pause",
]


@pytest.mark.parametrize("path", PAGES)
async def test_every_page_needs_a_session(console: Console, path: str) -> None:
    answer = await console.client.get(path)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/console/sign-in"
    assert console.desk.calls == []


@pytest.mark.parametrize("path", FORMS)
async def test_every_form_needs_a_session(console: Console, path: str) -> None:
    answer = await console.client.post(path, data={"note": "x"})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/console/sign-in"
    assert console.desk.calls == []


# ----------------------------------------------------------------------------- CSRF


@pytest.mark.parametrize("path", FORMS)
async def test_a_form_without_the_sessions_token_does_nothing(console: Console, path: str) -> None:
    await console.sign_in("safety-staff", "moderator", "supporter-admin")
    data = {"member_id": "m1", "action": "claim", "note": "n", "granted": "true", "paused": "true"}
    missing = await console.client.post(path, data=data)
    wrong = await console.client.post(path, data={**data, "csrf": "0" * 64})
    assert missing.status_code == wrong.status_code == 403
    assert "did not come from the console" in wrong.text
    assert [name for name, _, _ in console.desk.calls] == ["sign_in"]
    assert COOKIE in console.client.cookies  # a refused sign-out signs nobody out


async def test_a_form_from_another_site_does_nothing(console: Console) -> None:
    await console.sign_in("safety-staff")
    csrf = await console.csrf()
    for header in ({"Origin": "https://evil.example"}, {"Referer": "https://evil.example/x"}):
        answer = await console.client.post(
            "/console/alerts/a-2/acknowledge",
            data={"csrf": csrf, "member_id": "m1"},
            headers=header,
        )
        assert answer.status_code == 403
    assert console.desk.called("acknowledge") == []
    same = await console.client.post(
        "/console/alerts/a-2/acknowledge",
        data={"csrf": csrf, "member_id": "m1"},
        headers={"Origin": "http://testserver"},
    )
    assert same.status_code == 303


async def test_another_sessions_token_is_refused(console: Console) -> None:
    await console.sign_in("safety-staff")
    stale = await console.csrf()
    await console.sign_in("safety-staff")  # a new session, a new id
    answer = await console.client.post(
        "/console/alerts/a-2/acknowledge", data={"csrf": stale, "member_id": "m1"}
    )
    assert answer.status_code == 403
    assert console.desk.called("acknowledge") == []


# ----------------------------------------------------------------------------- pages


async def test_the_queue_lists_cases_with_their_deadlines(console: Console) -> None:
    entries = [
        QueueEntry(
            kind="alert",
            id="a-2",
            member_id="m1",
            queue=Queue.SAFETY,
            priority=ItemPriority.URGENT,
            what="phq9-item9",
            created_at=NOW - timedelta(minutes=5),
            deadline=datetime.now(UTC) - timedelta(seconds=40),
        ),
        QueueEntry(
            kind="item",
            id="i-1",
            member_id="m2",
            queue=Queue.SAFETY,
            priority=ItemPriority.HIGH,
            what="phq9-severe",
            created_at=NOW - timedelta(hours=1),
        ),
    ]
    console.desk.queue_view = QueueView(entries=entries)
    await console.sign_in("safety-staff")
    page = await console.client.get("/console")
    assert page.status_code == 200
    assert page.text.index("/console/alerts/a-2") < page.text.index("/console/items/i-1")
    assert re.search(r"overdue by 4\ds", page.text)  # 40 s, give or take the test's own time
    assert 'data-deadline="' in page.text
    assert 'data-refresh="/console/queue.html"' in page.text
    fragment = await console.client.get("/console/queue.html")
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and "/console/items/i-1" in fragment.text
    assert [args[1] for args, _ in console.desk.called("queue")] == ["console", "console"]
    assert "script-src 'self'" in page.headers["content-security-policy"]


async def test_the_alert_page_shows_the_case_and_its_forms(console: Console) -> None:
    await console.sign_in("safety-staff")
    page = await console.client.get("/console/alerts/a-2")
    assert page.status_code == 200
    assert console.desk.called("alert") == [
        ((Principal("s1", frozenset({"safety-staff"})), "a-2", "console"), {})
    ]
    text = page.text
    assert "phq9-item9" in text and "I can&#39;t go on" in text and "s9" in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text  # autoescaped
    assert "<script>alert(1)" not in text
    assert 'name="last_alert_id" value="a-3"' in text  # the episode's newest alert
    for label in ("Acknowledge", "Add note", "Close episode"):
        assert f">{label}</button>" in text
    # Every input has a label.
    for input_id in re.findall(r'<(?:textarea|select|input)[^>]* id="([^"]+)"', text):
        assert f'for="{input_id}"' in text


async def test_acknowledging_calls_the_desk_and_comes_back_with_a_message(
    console: Console,
) -> None:
    await console.sign_in("safety-staff")
    answer = await console.post("/console/alerts/a-2/acknowledge", {"member_id": "m1"})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/console/alerts/a-2"
    [(args, _)] = console.desk.called("acknowledge")
    assert args == (Principal("s1", frozenset({"safety-staff"})), "m1", "a-2", "console")
    page = await console.client.get("/console/alerts/a-2")
    assert "Acknowledged — the chain stops paging" in page.text
    again = await console.client.get("/console/alerts/a-2")
    assert "Acknowledged — the chain stops paging" not in again.text  # shown once


async def test_closing_an_episode_names_the_episode_and_its_newest_alert(
    console: Console,
) -> None:
    await console.sign_in("safety-staff")
    form = {"member_id": "m1", "episode_id": "ep-1", "last_alert_id": "a-3", "reason": " safe "}
    answer = await console.post("/console/alerts/a-2/close", form)
    assert answer.status_code == 303
    [(args, _)] = console.desk.called("close_episode")
    assert args[1:] == (
        "m1",
        EpisodeClosure(reason="safe", episode_id="ep-1", last_alert_id="a-3"),
        "console",
    )


async def test_an_empty_reason_closes_nothing(console: Console) -> None:
    await console.sign_in("safety-staff")
    form = {"member_id": "m1", "episode_id": "ep-1", "last_alert_id": "a-3", "reason": "  "}
    answer = await console.post("/console/alerts/a-2/close", form)
    assert answer.status_code == 422
    assert "reason" in answer.text
    assert console.desk.called("close_episode") == []


@pytest.mark.parametrize(
    ("kind", "form", "step", "back"),
    [
        (
            "alert",
            {"action": "note", "note": "called"},
            CaseStep(action=CaseAction.NOTE, note="called"),
            "/console/alerts/a-2",
        ),
        ("alert", {"action": "claim"}, CaseStep(action=CaseAction.CLAIM), "/console/alerts/a-2"),
        ("item", {"action": "claim"}, CaseStep(action=CaseAction.CLAIM), "/console/items/a-2"),
        ("item", {"action": "release"}, CaseStep(action=CaseAction.RELEASE), "/console/items/a-2"),
        (
            "item",
            {"action": "resolve", "outcome": "no-action", "note": "spoke to them"},
            CaseStep(action=CaseAction.RESOLVE, outcome=Outcome.NO_ACTION, note="spoke to them"),
            "/console/items/a-2",
        ),
    ],
)
async def test_case_steps_reach_the_desk(
    console: Console, kind: str, form: dict[str, str], step: CaseStep, back: str
) -> None:
    await console.sign_in("safety-staff")
    answer = await console.post(f"/console/cases/{kind}/a-2/steps", form)
    assert answer.status_code == 303
    assert answer.headers["location"] == back
    [(args, _)] = console.desk.called("case_step")
    assert args[1:] == (CaseKind(kind), "a-2", step, "console")


async def test_a_step_the_model_refuses_reaches_no_desk(console: Console) -> None:
    await console.sign_in("safety-staff")
    for form in ({"action": "note", "note": ""}, {"action": "resolve"}, {"action": "nap"}):
        answer = await console.post("/console/cases/item/i-1/steps", form)
        assert answer.status_code == 422
    assert (
        "this step needs a note"
        in (await console.post("/console/cases/item/i-1/steps", {"action": "note"})).text
    )
    assert console.desk.called("case_step") == []


async def test_the_item_page_has_its_forms(console: Console) -> None:
    await console.sign_in("safety-staff")
    page = await console.client.get("/console/items/i-1")
    assert page.status_code == 200
    assert "phq9_severity" in page.text
    for label in ("Claim", "Add note", "Resolve"):
        assert f">{label}</button>" in page.text
    assert '<option value="no-action">' in page.text


async def test_moderation_lists_reports_and_moderates(console: Console) -> None:
    await console.sign_in("moderator", member_id="s2")
    page = await console.client.get("/console/moderation")
    assert page.status_code == 200
    assert "They kept messaging after I said stop" in page.text and "harassment" in page.text
    [(args, _)] = console.desk.called("items")
    assert args[1:] == (Queue.MODERATION, "open", "console")
    form = {"action": "suspend-matching", "report_id": "r-1", "note": "repeated"}
    answer = await console.post("/console/moderation/m6", form, page="/console/moderation")
    assert answer.status_code == 303
    [(args, _)] = console.desk.called("moderate")
    assert args[1:] == (
        "m6",
        Moderation(action=ModerationAction.SUSPEND_MATCHING, report_id="r-1", note="repeated"),
        "console",
    )
    dismiss = await console.post(
        "/console/moderation/m6", {"action": "dismiss", "report_id": "r-1"}, "/console/moderation"
    )
    assert dismiss.status_code == 422  # dismissing needs a note


async def test_the_roster_grants_withdraws_pauses_and_resumes(console: Console) -> None:
    await console.sign_in("supporter-admin", member_id="s3")
    page = await console.client.get("/console/supporters")
    assert "m8" in page.text and "2 active" in page.text
    forms = [
        ("role", {"granted": "true", "minors_cleared": "true", "note": "trained"}),
        ("role", {"granted": "false", "note": "left"}),
        ("pause", {"paused": "true", "note": "holiday"}),
        ("pause", {"paused": "false"}),
    ]
    for what, form in forms:
        answer = await console.post(f"/console/supporters/m8/{what}", form, "/console/supporters")
        assert answer.status_code == 303
        assert answer.headers["location"] == "/console/supporters"
    roles = [args[1:] for args, _ in console.desk.called("set_supporter_role")]
    assert roles == [
        ("m8", SupporterRole(granted=True, minors_cleared=True, note="trained"), "console"),
        ("m8", SupporterRole(granted=False, note="left"), "console"),
    ]
    pauses = [args[1:] for args, _ in console.desk.called("pause_supporter")]
    assert pauses == [
        ("m8", SupporterPause(paused=True, note="holiday"), "console"),
        ("m8", SupporterPause(paused=False), "console"),
    ]


async def test_the_queue_polls_a_digest_that_needs_a_session_and_shows_nothing(
    console: Console,
) -> None:
    assert (await console.client.get("/console/queue.digest")).status_code == 401
    await console.sign_in("safety-staff")
    page = await console.client.get("/console")
    assert 'data-digest-url="/console/queue.digest"' in page.text
    before = len(console.desk.called("queue"))
    digest = await console.client.get("/console/queue.digest")
    assert digest.status_code == 200 and digest.headers["cache-control"] == "no-store"
    assert len(console.desk.called("queue")) == before  # polling is not a view
    assert len(console.desk.called("queue_digest")) == 1


async def test_the_role_is_granted_to_a_member_not_on_the_roster_yet(console: Console) -> None:
    await console.sign_in("supporter-admin", member_id="s3")
    form = {"member_id": "newcomer-1", "granted": "true", "note": "trained in May"}
    answer = await console.post("/console/supporters/role", form, "/console/supporters")
    assert answer.status_code == 303
    bad = await console.post(
        "/console/supporters/role", {**form, "member_id": "no spaces"}, "/console/supporters"
    )
    assert bad.status_code == 422 and "Member id" in bad.text
    roles = [args[1:] for args, _ in console.desk.called("set_supporter_role")]
    assert roles == [("newcomer-1", SupporterRole(granted=True, note="trained in May"), "console")]


async def test_the_audit_trail_passes_its_filters(console: Console) -> None:
    await console.sign_in("operator", member_id="s4")
    page = await console.client.get("/console/audit", params={"member_id": "m1", "staff_id": ""})
    assert page.status_code == 200
    assert "view-alert" in page.text
    [(args, kwargs)] = console.desk.called("audit")
    assert args[1] == "console"
    assert kwargs == {"member_id": "m1", "staff_id": None}


# ----------------------------------------------------------------------------- roles


def _nav(html: str) -> list[str]:
    nav = html[html.index("<nav") : html.index("</nav>")]
    return re.findall(r'<a href="(/console[^"]*)"', nav)


@pytest.mark.parametrize(
    ("roles", "landing", "views"),
    [
        (("safety-staff",), "/console", ["/console"]),
        (("moderator",), "/console", ["/console", "/console/moderation"]),
        (("supporter-admin",), "/console/supporters", ["/console/supporters"]),
        (("operator",), "/console/audit", ["/console/audit"]),
    ],
)
async def test_the_nav_shows_only_what_the_roles_may_use(
    console: Console, roles: tuple[str, ...], landing: str, views: list[str]
) -> None:
    answer = await console.sign_in(*roles)
    assert answer.headers["location"] == landing
    page = await console.client.get(landing)
    assert _nav(page.text) == views


async def test_a_role_without_a_queue_is_sent_to_its_own_view(console: Console) -> None:
    await console.sign_in("supporter-admin")
    answer = await console.client.get("/console")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/console/supporters"
    assert console.desk.called("queue") == []


@pytest.mark.parametrize(
    ("status", "text"),
    [(403, "this action needs the moderator role"), (404, "no such alert"), (503, "try again")],
)
async def test_a_desk_refusal_is_a_problem_page(console: Console, status: int, text: str) -> None:
    await console.sign_in("safety-staff")
    refusal = HTTPException(status, detail=error_body(status, text), headers={"Retry-After": "5"})
    console.desk.refuse = {"alert": refusal, "acknowledge": refusal}
    page = await console.client.get("/console/alerts/a-2")
    assert page.status_code == status
    assert text in page.text and "<h1>" in page.text
    assert page.headers["retry-after"] == "5"
    answer = await console.post("/console/alerts/a-2/acknowledge", {"member_id": "m1"}, "/console")
    assert answer.status_code == status
    assert text in answer.text


async def test_an_id_no_case_has_is_not_found(console: Console) -> None:
    await console.sign_in("safety-staff")
    answer = await console.client.get("/console/alerts/a%20b")
    assert answer.status_code == 404
    assert console.desk.called("alert") == []


# ----------------------------------------------------------------------------- the rest


async def test_static_files_are_served_and_nothing_else(console: Console) -> None:
    css = await console.client.get("/console/static/console.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    js = await console.client.get("/console/static/console.js")
    assert "overdue by" in js.text
    assert (await console.client.get("/console/static/layout.html.j2")).status_code == 404


def test_countdown_reads_as_text() -> None:
    at = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert countdown(at + timedelta(minutes=2, seconds=13), at) == "in 2m 13s"
    assert countdown(at - timedelta(seconds=40), at) == "overdue by 40s"
    assert countdown(at + timedelta(hours=1, minutes=5), at) == "in 1h 5m"
