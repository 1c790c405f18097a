"""The staff console in a real headless browser (Debian's Chromium, driven by Playwright), on
the whole platform: a crisis check-in through the gateway reaches the safety staff's queue
within seconds; acknowledging it in the console stops the escalation chain (the next level is
never paged); closing the episode there returns the member to matching; a report reaches the
moderators' queue and a suspension keeps the member out of matching; a member's token gets no
console; every view and action lands in the audit trail, which holds no answers or free text.
Screenshots of the main views, at desktop and phone widths, are saved as test artefacts."""

from __future__ import annotations

import json
import re
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from kindred.devtools.processes import Platform, free_port
from kindred.events.envelope import deterministic_id
from kindred.gateway.auth import issue_token
from kindred.gateway.settings import GatewaySettings
from tests.e2e.conftest import paging_env
from tests.support.browser import PHONE, chromium, screenshot, scrolls_sideways
from tests.support.infra import Infra
from tests.support.kafka import TopicReader
from tests.support.receivers import Receiver
from tests.support.waiting import eventually

pytestmark = pytest.mark.slow
DEADLINE = 30  # seconds each level has to acknowledge: time for a person at a browser
NOTE = "i have the pills ready and im going to take them all tonight"
REPORT_TEXT = "he keeps asking for my address and my bank details"
SEEKER_PROFILE = {
    "roles": ["seeker"],
    "topics": ["grief"],
    "languages": ["en"],
    "time_zone": "Europe/London",
    "age_band": "25-34",
}
SUPPORTER_PROFILE = {
    "roles": ["supporter"],
    "topics": ["grief", "loneliness"],
    "languages": ["en"],
    "time_zone": "Europe/London",
    "age_band": "45-54",
    "capacity": 3,
}
REQUEST = {"topics": ["grief"], "language": "en", "urgency": "normal", "whats_going_on": "hard"}


@pytest.fixture
def platform(
    infra: Infra,
    namespace: str,
    tmp_path: Path,
    first: tuple[Receiver, int],
    second: tuple[Receiver, int],
) -> Iterator[Platform]:
    gateway_port = free_port()
    with Platform(
        infra.kafka,
        infra.mongodb_url,
        namespace,
        tmp_path / "logs",
        ports={"gateway": gateway_port},
        extra_env={
            **paging_env(first, second, DEADLINE, gateway_port),
            "MATCH_BATCH_SECONDS": "0.3",
            "REMATCH_INTERVAL_SECONDS": "1",
        },
    ) as running:
        yield running


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as launched:
        yield launched


def token(member: str, *roles: str) -> str:
    return issue_token(GatewaySettings(), member, roles)


def auth(member: str, *roles: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(member, *roles)}"}


async def call(
    http: httpx.AsyncClient, method: str, path: str, member: str, body: Any = None, *roles: str
) -> httpx.Response:
    response = await http.request(method, path, json=body, headers=auth(member, *roles))
    assert response.status_code == 202, (path, response.status_code, response.text)
    return response


async def signed_in(browser: Browser, gateway: str, staff: str, *roles: str) -> Page:
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await page.goto(f"{gateway}/console")
    await expect(page).to_have_url(re.compile(r"/console/sign-in"))  # no session: sign in
    await page.get_by_label("Your staff token").fill(token(staff, *roles))
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    return page


FOCUSED = """() => {
    const e = document.activeElement;
    return [e.tagName, e.textContent.trim(), getComputedStyle(e).outlineStyle];
}"""


async def tab_to(page: Page, label: str, most: int = 40) -> None:
    """Press Tab from the top of the page until the focused element is the button `label`;
    it must be reachable and show a focus ring."""
    await page.evaluate("() => document.activeElement && document.activeElement.blur()")
    for _ in range(most):
        await page.keyboard.press("Tab")
        focused = await page.evaluate(FOCUSED)
        if focused[0] == "BUTTON" and focused[1] == label:
            assert focused[2] != "none", "no visible focus ring"
            return
    raise AssertionError(f"{label!r} is not reached with {most} presses of Tab")


def data_of(reader: TopicReader) -> list[dict[str, Any]]:
    return [json.loads(r.value or b"")["data"] for r in reader.records]


async def test_safety_staff_see_a_crisis_within_seconds_acknowledge_it_and_close_the_episode(
    infra: Infra,
    namespace: str,
    platform: Platform,
    browser: Browser,
    first: tuple[Receiver, int],
    second: tuple[Receiver, int],
) -> None:
    gateway = platform.gateway_url
    next_level = second[0]
    topic = f"{namespace}.%s".__mod__
    async with (
        httpx.AsyncClient(base_url=gateway, timeout=10) as http,
        TopicReader(infra.kafka, topic("safety.alert-acknowledged")) as acknowledged,
        TopicReader(infra.kafka, topic("safety.episode-closed")) as closed,
        TopicReader(infra.kafka, topic("match.proposed")) as proposed,
    ):
        await call(http, "PUT", "/v1/members/sol/profile", "sol", SUPPORTER_PROFILE)
        await call(
            http, "PUT", "/v1/staff/supporters/sol", "ada", {"granted": True}, "supporter-admin"
        )
        await call(http, "PUT", "/v1/members/mia/profile", "mia", SEEKER_PROFILE)

        # The staff member is signed in and looking at the queue when the crisis comes.
        page = await signed_in(browser, gateway, "sam", "safety-staff")
        alerts: dict[str, str] = {}
        for member in ("mia", "noa"):  # noa's alert is acknowledged by nobody: the control
            answered = await call(
                http, "POST", f"/v1/members/{member}/checkins", member, {"note": NOTE}
            )
            alerts[member] = deterministic_id("safety.alert", answered.json()["resource_id"])
        accepted_at = time.monotonic()
        row = page.get_by_role("link", name=re.compile(alerts["mia"]))
        await expect(row).to_be_visible(timeout=30_000)  # no reload: the queue refreshes itself
        seen_after = time.monotonic() - accepted_at
        print(f"\ncrisis check-in 202 -> in the console's queue: {seen_after:.1f} s")
        await expect(page.get_by_text("Acknowledge by").first).to_be_visible()
        await screenshot(page, "queue")
        await page.set_viewport_size(PHONE)
        assert not await scrolls_sideways(page)

        # The alert's page: the member's answers, who was paged when, the deadline.
        await row.click()
        await expect(page.get_by_role("heading", name=f"Alert {alerts['mia']}")).to_be_visible()
        await expect(page.get_by_text(NOTE).first).to_be_visible()
        await expect(page.get_by_text("on-call-1").first).to_be_visible()
        assert not await scrolls_sideways(page)
        await screenshot(page, "alert")

        # Held out of matching while the episode is open.
        await call(http, "POST", "/v1/members/mia/support-requests", "mia", REQUEST)

        # Acknowledge with the keyboard alone: Tab from the top of the page to the button (its
        # focus ring visible), then Enter.
        await page.set_viewport_size({"width": 1280, "height": 900})
        await tab_to(page, "Acknowledge")
        await page.keyboard.press("Enter")
        await expect(page.get_by_text(re.compile("Acknowledged", re.I)).first).to_be_visible()
        await eventually(acknowledged.poll, bool, timeout=30, what="mia's alert acknowledged")
        [ack] = data_of(acknowledged)
        assert (ack["alert_id"], ack["member_id"], ack["staff_id"]) == (alerts["mia"], "mia", "sam")

        # noa's deadline passes: her alert reaches the next level; mia's never does.
        def escalated(member: str) -> list[Any]:
            return [b for b in next_level.bodies() if alerts[member] in json.dumps(b)]

        async def noa_escalated() -> list[Any]:
            return escalated("noa")

        await eventually(noa_escalated, bool, timeout=DEADLINE * 4, what="noa escalated")
        assert escalated("mia") == []
        assert data_of(proposed) == [] or all(p["seeker_id"] != "mia" for p in data_of(proposed))

        # Closing the episode returns mia to matching: her waiting request is proposed.
        await page.get_by_label("Why the episode can close").fill("spoke with mia; safety plan")
        await page.get_by_role("button", name="Close episode").click()
        await eventually(closed.poll, bool, timeout=30, what="mia's episode closed")
        [episode] = data_of(closed)
        assert (episode["member_id"], episode["closed_by"]) == ("mia", "sam")

        async def mia_proposed() -> list[dict[str, Any]]:
            await proposed.poll()
            return [p for p in data_of(proposed) if p["seeker_id"] == "mia"]

        [proposal] = await eventually(mia_proposed, bool, timeout=60, what="mia proposed")
        assert proposal["supporter_id"] == "sol"

        # Every view and action is in the audit trail, which an operator can query; it holds
        # no answers or free text.
        async def trail() -> list[dict[str, Any]]:
            read = await http.get(
                "/v1/staff/audit", params={"member_id": "mia"}, headers=auth("olu", "operator")
            )
            assert read.status_code == 200, read.text
            return list(read.json()["entries"])

        def has_all(entries: list[dict[str, Any]]) -> bool:
            done = {(e["action"], e["staff_id"], e["channel"]) for e in entries}
            wanted = ("view-alert", "acknowledge", "close-episode")
            return all((a, "sam", "console") in done for a in wanted)

        entries = await eventually(trail, has_all, timeout=30, what="the audit trail")
        assert any(e["ref"] == alerts["mia"] for e in entries)
        text = json.dumps(entries)
        assert "pills" not in text and "safety plan" not in text

        # The operator reads the trail in the console too.
        audit = await signed_in(browser, gateway, "olu", "operator")
        await audit.goto(f"{gateway}/console/audit?member_id=mia")
        await expect(audit.get_by_text("view-alert").first).to_be_visible()
        await screenshot(audit, "audit")


async def test_a_report_reaches_the_moderators_and_a_suspension_keeps_the_member_out_of_matching(
    infra: Infra, namespace: str, platform: Platform, browser: Browser
) -> None:
    gateway = platform.gateway_url
    topic = f"{namespace}.%s".__mod__
    async with (
        httpx.AsyncClient(base_url=gateway, timeout=10) as http,
        TopicReader(infra.kafka, topic("member.moderated")) as moderated,
        TopicReader(infra.kafka, topic("support.request-refused")) as refused,
    ):
        for member in ("kai", "rex"):
            await call(http, "PUT", f"/v1/members/{member}/profile", member, SEEKER_PROFILE)
        report = {
            "reported_id": "rex",
            "context": "match",
            "context_id": "match-kai-rex",
            "reason": "boundaries",
            "text": REPORT_TEXT,
        }
        await call(http, "POST", "/v1/members/kai/reports", "kai", report)

        page = await signed_in(browser, gateway, "mo", "moderator")
        await page.goto(f"{gateway}/console/moderation")

        async def reported() -> bool:
            await page.reload()
            return await page.get_by_text(REPORT_TEXT).count() > 0

        await eventually(reported, bool, timeout=30, interval=1, what="the report in the queue")
        await screenshot(page, "moderation")
        # A moderator sees no safety alerts: the safety views are not theirs.
        assert await page.get_by_role("link", name="Queue").count() in (0, 1)
        card = page.locator("section.card", has_text=REPORT_TEXT)
        await card.get_by_label("Action").select_option("suspend-matching")
        await card.get_by_label("Note").fill("asked for money twice")
        await card.get_by_role("button", name="Apply").click()
        await eventually(moderated.poll, bool, timeout=30, what="the suspension")
        [action] = data_of(moderated)
        assert (action["member_id"], action["action"], action["staff_id"]) == (
            "rex",
            "suspend-matching",
            "mo",
        )

        # rex asks for support: matching refuses while he is suspended.
        async def rex_refused() -> list[dict[str, Any]]:
            await refused.poll()
            return [r for r in data_of(refused) if r.get("seeker_id") == "rex"]

        await call(http, "POST", "/v1/members/rex/support-requests", "rex", REQUEST)
        [refusal] = await eventually(rex_refused, bool, timeout=60, what="rex refused")
        assert "suspend" in json.dumps(refusal)

        # The supporter admin grants kai the role in the console and sees it on the roster,
        # with who granted it and why.
        roster = await signed_in(browser, gateway, "ada", "supporter-admin")
        await roster.goto(f"{gateway}/console/supporters")
        await expect(roster.get_by_role("heading", name="Supporters")).to_be_visible()
        await roster.get_by_label("Member id").fill("kai")
        await roster.get_by_label("Note (training finished, who vouched)").fill("trained in May")
        await roster.get_by_role("button", name="Grant role").first.click()
        await expect(roster.get_by_text("Supporter role updated.")).to_be_visible()

        async def on_roster() -> bool:
            await roster.reload()
            return await roster.get_by_role("heading", name="kai").count() > 0

        await eventually(on_roster, bool, timeout=30, interval=1, what="kai on the roster")
        card = roster.locator("section.card", has_text="kai")
        await card.get_by_text("Standing history").click()
        await expect(card.get_by_text("granted by ada")).to_be_visible()
        await expect(card.get_by_text("trained in May")).to_be_visible()
        await screenshot(roster, "supporters")


async def test_a_members_token_gets_no_console(platform: Platform, browser: Browser) -> None:
    page = await browser.new_page()
    await page.goto(f"{platform.gateway_url}/console/sign-in")
    await page.get_by_label("Your staff token").fill(token("mia"))
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_text(re.compile("no console", re.I)).first).to_be_visible()
    await page.goto(f"{platform.gateway_url}/console")
    await expect(page).to_have_url(re.compile(r"/console/sign-in"))
