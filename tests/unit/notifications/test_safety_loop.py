"""The safety loop through the notifications processor: pages rendered only by the sender (a
broken template gives the default page text, never a dead-lettered alert), one failing
escalation isolated from the others, what is done forgotten through the timer index, every
page's one-time link and short code, early, foreign and reused acknowledgements, review
requests told to staff, and the member's own crisis resources on every alert."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from kindred.events.envelope import deterministic_id, new_id
from kindred.events.notifications import (
    Channel,
    MemberNotificationPreferencesSet,
    MemberNotificationPreferencesSetData,
    NotificationRequested,
    NotificationRequestedData,
    SafetyAlertAckRequested,
    SafetyAlertAckRequestedData,
)
from kindred.events.safety import (
    ReviewConcern,
    SafetyAlertRaised,
    SafetyAlertRaisedData,
    SafetyReviewRequested,
    SafetyReviewRequestedData,
    TriggerFired,
)
from kindred.events.topics import OUTWARD, SAFETY_REVIEW_REQUESTED
from kindred.notifications import handlers, metrics
from kindred.notifications.channels.base import DeliveryResult, OutgoingMessage
from kindred.notifications.channels.push import push_payload
from kindred.notifications.channels.registry import ChannelRegistry
from kindred.notifications.channels.webhook import webhook_payload
from kindred.notifications.domain import templates
from kindred.notifications.domain.deliveries import Dispatch
from kindred.notifications.domain.escalations import (
    DEFAULT_KEEP_DONE,
    AckOutcome,
    Chain,
    PageLinks,
    acknowledge,
    start,
)
from kindred.notifications.domain.templates import Audience, render
from kindred.notifications.handlers import Notifications
from kindred.notifications.repository import (
    DELIVERIES,
    EARLY_ACKS,
    ESCALATIONS,
    HISTORIES,
    INBOX,
    PAGES,
)
from kindred.notifications.sender import Sender
from kindred.notifications.settings import NotificationsSettings
from kindred.partitions.store import Table
from kindred.safety import pagelinks
from kindred.safety.rules import Priority, ReviewReason, Rule, Severity
from kindred.settings import DEV_PAGE_LINK_SECRET, SettingsError
from tests.support.partitions import Partition, Sink, events, written

pytestmark = pytest.mark.unit

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
CHAIN = Chain.from_json(
    '{"levels": [{"id": "on-call-1", "contacts": {"email": "a@x.example", "inbox": "s1"}},'
    ' {"id": "on-call-2", "contacts": {"sms": "+15550000002", "webhook": "pager"}}],'
    ' "fallback": {"id": "lead", "contacts": {"email": "lead@x.example"}}}',
    ack_seconds=60,
    urgent_ack_seconds=60,
    repage_seconds=60,
)
SECRET = "a-page-link-secret-for-these-tests-only-0123456789"
LINKS = PageLinks(secret=SECRET, base_url="https://kindred.example", valid_for=timedelta(hours=2))
ESCALATED = "kindred.safety.alert-escalated.v1"
ACKNOWLEDGED = "kindred.safety.alert-acknowledged.v1"


def alert(member: str = "m1", country: str | None = None) -> SafetyAlertRaised:
    checkin_id = new_id()
    alert_id = deterministic_id("safety.alert", checkin_id)
    return SafetyAlertRaised.new(
        id=alert_id,
        subject=member,
        source="t",
        data=SafetyAlertRaisedData(
            alert_id=alert_id,
            member_id=member,
            checkin_id=checkin_id,
            severity=Severity.URGENT,
            triggers=[TriggerFired(rule=Rule.PHQ9_ITEM9, severity=Severity.URGENT)],
            accepted_at=T0,
            raised_at=T0,
            episode_id=new_id(),
            country=country,
        ),
    )


def ack(
    raised: SafetyAlertRaised,
    staff: str = "on-call-1",
    member: str | None = None,
    via: str = "api",
    token_id: str | None = None,
) -> SafetyAlertAckRequested:
    member = member or raised.data.member_id
    return SafetyAlertAckRequested.new(
        subject=member,
        source="t",
        data=SafetyAlertAckRequestedData(
            alert_id=raised.data.alert_id,
            member_id=member,
            staff_id=staff,
            via=via,  # type: ignore[arg-type]
            token_id=token_id,
        ),
    )


def prefs(member: str = "m1", **fields: Any) -> MemberNotificationPreferencesSet:
    return MemberNotificationPreferencesSet.new(
        subject=member,
        source="t",
        data=MemberNotificationPreferencesSetData(member_id=member, **fields),
    )


def counter(metric: Any, **labels: str) -> float:
    family = metric.labels(**labels) if labels else metric
    return float(family._value.get())


@pytest.fixture
def sent() -> Sink:
    return Sink()


@pytest.fixture
def paging(sent: Sink) -> Partition:
    return Partition(Notifications(CHAIN, sent, "t", in_flight_seconds=30, links=LINKS))


@pytest.fixture
def broken_page_templates(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every staff page template fails to render (a bad deploy); other templates work."""
    real = templates.Templates.render

    def failing(self: templates.Templates, event_type: str, *args: Any) -> templates.Rendered:
        if event_type in templates.PAGE_TEMPLATES:
            raise templates.TemplateError(f"{event_type} failed to render (UndefinedError)")
        return real(self, event_type, *args)

    monkeypatch.setattr(templates.Templates, "render", failing)
    yield


# ---------------------------------------------------------------- 1. rendering in the sender


def test_a_broken_page_template_does_not_dead_letter_the_alert(
    paging: Partition, sent: Sink, broken_page_templates: None
) -> None:
    raised = alert()
    before = counter(metrics.page_render_fallbacks, channel="inbox")
    changes = paging.handle(T0, raised)  # raised before: the alert was set aside
    assert [e["type"] for e in events(changes)] == [ESCALATED]
    # The page goes to the sender with what to render, not rendered.
    [email] = sent.take()
    assert email.template == "safety.alert-raised" and email.context["alert_id"]
    # The staff console's entry has the default page text: the alert, the link, the code.
    [console] = [e for e in written(changes, INBOX.collection) if e["member_id"] == "s1"]
    assert raised.data.alert_id in console["body"]
    assert email.context["ack_url"] in console["body"]
    assert email.context["ack_code"] in console["body"]
    assert counter(metrics.page_render_fallbacks, channel="inbox") == before + 1


class Channels:
    def __init__(self) -> None:
        self.sent: list[OutgoingMessage] = []

    async def send(self, message: OutgoingMessage) -> DeliveryResult:
        self.sent.append(message)
        return DeliveryResult.sent()

    async def aclose(self) -> None:
        pass


class Reports:
    def __init__(self) -> None:
        self.published: list[Any] = []

    async def publish(self, event: Any) -> None:
        self.published.append(event)


async def test_the_sender_sends_a_page_whose_template_fails_with_the_default_text(
    paging: Partition, sent: Sink, broken_page_templates: None
) -> None:
    paging.handle(T0, alert())
    [email] = sent.take()
    channel, reports = Channels(), Reports()
    registry = ChannelRegistry({Channel.EMAIL: channel})  # type: ignore[dict-item]
    sender = Sender(registry, reports, "t")  # type: ignore[arg-type]
    before = counter(metrics.page_render_fallbacks, channel="email")
    sender.send([email])
    while sender.tasks:
        await asyncio.gather(*sender.tasks)
    [message] = channel.sent
    assert message.subject == f"Safety alert ({email.context['severity']})"
    assert email.context["alert_id"] in message.text
    assert email.context["ack_url"] in message.text and email.context["ack_code"] in message.text
    [report] = reports.published
    assert report.data.outcome.value == "sent"
    assert counter(metrics.page_render_fallbacks, channel="email") == before + 1


def test_safety_notices_whose_template_fails_reach_their_readers_in_plain_text(
    paging: Partition, sent: Sink, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(self: templates.Templates, *args: Any) -> templates.Rendered:
        raise templates.TemplateError("x failed to render (UndefinedError)")

    monkeypatch.setattr(templates.Templates, "render", failing)
    changes = paging.handle(T0, alert("m1", country="GB"), review())
    entries = {e["member_id"]: e for e in written(changes, INBOX.collection)}
    assert "999" in entries["m1"]["body"] and "Samaritans" in entries["m1"]["body"]
    assert entries["m1"]["kind"] == "safety.crisis-resources"
    # s1 has the page and the review: both in plain text.
    kinds = {e["kind"] for e in written(changes, INBOX.collection) if e["member_id"] == "s1"}
    assert kinds == {"safety.alert-raised", "safety.review-requested"}


def test_a_member_template_failure_still_raises() -> None:
    with pytest.raises(templates.TemplateError):
        templates.render_page_or_default(
            "checkin.reminder-due", Audience.MEMBER, Channel.SMS, "en", {}
        )


# ---------------------------------------------------------------- 2. isolation


def test_a_failing_escalation_pages_the_fallback_and_the_others_go_on(
    paging: Partition, sent: Sink, monkeypatch: pytest.MonkeyPatch
) -> None:
    good, bad = alert("m1"), alert("m2")
    paging.handle(T0, good, bad)
    sent.take()
    real = handlers.escalate

    def step(escalation: Any, now: datetime) -> Any:
        if escalation.alert_id == bad.data.alert_id:
            raise KeyError("bad data")
        return real(escalation, now)

    monkeypatch.setattr(handlers, "escalate", step)
    before = counter(metrics.escalation_failures, stage="tick")
    late = paging.tick(T0 + timedelta(seconds=60))
    paged = {
        (e["data"]["alert_id"], e["data"]["paged"]) for e in events(late, "safety.alert-escalated")
    }
    # The good one moves up its chain; the bad one pages the fallback at once.
    assert paged == {(good.data.alert_id, "on-call-2"), (bad.data.alert_id, "lead")}
    by_alert = {d.context["alert_id"]: d for d in sent.take() if d.address == "lead@x.example"}
    fallback = by_alert[bad.data.alert_id]
    assert fallback.context["ack_url"] and fallback.context["ack_code"]
    assert counter(metrics.escalation_failures, stage="tick") == before + 1
    # Still unacknowledged: the fallback is paged again, never dropped.
    again = paging.tick(T0 + timedelta(seconds=120))
    repaged = {e["data"]["alert_id"] for e in events(again, "safety.alert-escalated")}
    assert bad.data.alert_id in repaged


def test_an_alert_whose_start_fails_pages_the_fallback(
    paging: Partition, sent: Sink, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ValueError("a bug")

    monkeypatch.setattr(handlers, "start", broken)
    raised = alert()
    changes = paging.handle(T0, raised)
    [escalated] = events(changes, "safety.alert-escalated")
    assert escalated["data"]["paged"] == "lead" and escalated["data"]["fallback"]
    [page] = sent.take()
    assert page.address == "lead@x.example"


# ---------------------------------------------------------------- 3. bounded state


def test_acknowledged_escalations_are_forgotten_and_memory_stays_bounded(
    paging: Partition, sent: Sink
) -> None:
    for i in range(50):
        raised = alert(f"m{i}")
        at = T0 + timedelta(minutes=10 * i)
        paging.handle(at, raised)
        paging.handle(at + timedelta(seconds=5), ack(raised))
        paging.tick(at + timedelta(seconds=6))
        # Only the escalations of the last hour stay in memory, and no page is waiting.
        assert len(paging.tables[ESCALATIONS]) <= 7
        assert len(paging.tables[PAGES]) == 0
    paging.tick(T0 + timedelta(days=1))
    assert len(paging.tables[ESCALATIONS]) == 0
    assert paging.docs(ESCALATIONS.collection) == []  # and not loaded by a new owner


def test_a_tick_visits_only_what_is_due(
    paging: Partition, sent: Sink, monkeypatch: pytest.MonkeyPatch
) -> None:
    raised = [alert(f"m{i}") for i in range(200)]
    for one in raised:
        paging.handle(T0, one)
    visited: list[str] = []
    real = handlers.escalate

    def step(escalation: Any, now: datetime) -> Any:
        visited.append(escalation.alert_id)
        return real(escalation, now)

    def no_walks(self: Table[Any]) -> Any:
        raise AssertionError(f"a tick walked {self.store.collection}")

    monkeypatch.setattr(handlers, "escalate", step)
    monkeypatch.setattr(Table, "__iter__", no_walks)
    paging.tick(T0 + timedelta(seconds=30))  # nothing is due yet (pages in flight neither)
    assert visited == []
    # An acknowledgement cancels its own pages without passing over the others either.
    done = paging.handle(T0 + timedelta(seconds=31), ack(raised[7]))
    [cancelled] = written(done, PAGES.collection)
    assert cancelled["status"] == "cancelled" and cancelled["member_id"] == "m7"


def test_pacing_histories_are_forgotten_once_empty(sent: Sink) -> None:
    partition = Partition(Notifications(CHAIN, sent, "t"))
    partition.handle(
        T0,
        prefs(consents={"email": True}, contacts={"email": "m1@x.example"}, quiet_hours=None),
    )
    request = NotificationRequested.new(
        subject="m1",
        source="t",
        data=NotificationRequestedData(
            source_event_id=new_id(),
            source_time=T0,
            recipient="m1",
            audience="seeker",
            category="matching",
            event_type="match.proposed",
            context={"match_id": "x", "request_id": "r", "shared_topics": []},
        ),
    )
    partition.handle(T0, request)
    assert partition.tables[HISTORIES].get("m1") is not None
    partition.tick(T0 + timedelta(days=8))  # past the dedupe retention
    assert partition.tables[HISTORIES].get("m1") is None
    assert partition.docs(HISTORIES.collection) == []


# ---------------------------------------------------------------- 4. actionable pages


def test_every_page_carries_a_signed_one_time_link_and_a_short_code(
    paging: Partition, sent: Sink
) -> None:
    raised = alert()
    changes = paging.handle(T0, raised)
    [email] = sent.take()
    url, code = email.context["ack_url"], email.context["ack_code"]
    assert url.startswith("https://kindred.example/v1/pages/")
    claim = pagelinks.verify(url.rsplit("/", 1)[1], SECRET, now=T0)
    page_id = email.delivery.source_event_id
    assert (claim.alert_id, claim.member_id, claim.staff_id, claim.page_id) == (
        raised.data.alert_id,
        "m1",
        "on-call-1",
        page_id,
    )
    assert claim.expires_at == T0 + timedelta(hours=2)
    assert code == pagelinks.code(page_id, SECRET)
    # Stored with each delivery of the page, indexed, for the gateway's lookup by code.
    assert {d["ack_code"] for d in written(changes, PAGES.collection)} == {code}
    assert ("ack_code", 1) in PAGES.indexes[0]
    # The staff console's entry carries them too.
    [console] = [e for e in written(changes, INBOX.collection) if e["member_id"] == "s1"]
    assert (console["data"]["ack_url"], console["data"]["ack_code"]) == (url, code)


def test_sms_push_and_webhook_pages_carry_the_link_and_the_code(
    paging: Partition, sent: Sink
) -> None:
    paging.handle(T0, alert())
    sent.take()
    paging.tick(T0 + timedelta(seconds=60))  # level 1: sms and webhook
    pages = {d.delivery.channel: d for d in sent.take()}
    sms = pages[Channel.SMS]
    url, code = sms.context["ack_url"], sms.context["ack_code"]
    for channel in (Channel.SMS, Channel.PUSH):
        text = render(sms.template, Audience.STAFF, channel, "en", sms.context).text
        assert code in text and url in text and "staff console" not in text
    push = render(sms.template, Audience.STAFF, Channel.PUSH, "en", sms.context)
    sent_push = push_payload(OutgoingMessage.of(push, sms.key, "device"))
    assert (sent_push["ack_url"], sent_push["ack_code"]) == (url, code)
    assert code in sent_push["body"]  # the body is cut to fit; the code comes first
    hook = pages[Channel.WEBHOOK]
    rendered = render(hook.template, Audience.STAFF, Channel.WEBHOOK, "en", hook.context)
    body = webhook_payload(OutgoingMessage.of(rendered, hook.key, "pager"))
    assert (body["ack_url"], body["ack_code"]) == (hook.context["ack_url"], code)


def test_the_page_link_secret_is_read_from_kindred_page_link_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KINDRED_PAGE_LINK_SECRET", SECRET)
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://kindred.example")
    monkeypatch.setenv("PAGE_LINK_VALID_FOR", "PT12H")
    settings = NotificationsSettings(kindred_dev_mode=True)
    links = settings.page_links()
    assert (links.secret, links.base_url, links.valid_for) == (
        SECRET,
        "https://kindred.example",
        timedelta(hours=12),
    )


def test_the_dev_page_link_secret_is_refused_outside_dev_mode(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("KINDRED_PAGE_LINK_SECRET", raising=False)
    monkeypatch.setenv("INTERNAL_API_TOKEN", "x" * 40)
    monkeypatch.setenv("KINDRED_DEV_MODE", "0")
    with pytest.raises(SettingsError, match="KINDRED_PAGE_LINK_SECRET"):
        NotificationsSettings.load()
    assert NotificationsSettings(kindred_dev_mode=True).page_link_secret == DEV_PAGE_LINK_SECRET


# ---------------------------------------------------------------- 6. acknowledgements


def test_an_ack_handled_before_its_alert_stops_the_chain_before_it_pages(
    paging: Partition, sent: Sink
) -> None:
    raised = alert()
    changes = paging.handle(T0, ack(raised), raised)  # one batch, the ack first
    assert [e["type"] for e in events(changes)] == [ACKNOWLEDGED]
    assert sent == [] and written(changes, PAGES.collection) == []
    assert paging.tables[EARLY_ACKS].get(raised.data.alert_id) is None
    later = paging.tick(T0 + timedelta(minutes=10))
    assert not events(later) and sent == []


def test_an_early_ack_naming_another_member_is_refused_and_the_chain_pages(
    paging: Partition, sent: Sink
) -> None:
    raised = alert("m1")
    before = counter(metrics.acks_refused, reason="wrong_member")
    changes = paging.handle(T0, ack(raised, member="m9"), raised)
    assert [e["type"] for e in events(changes)] == [ESCALATED]
    assert len(sent.take()) == 1
    assert counter(metrics.acks_refused, reason="wrong_member") == before + 1


def test_an_ack_naming_another_member_has_no_effect(paging: Partition, sent: Sink) -> None:
    raised = alert("m1")
    paging.handle(T0, raised)
    before = counter(metrics.acks_refused, reason="wrong_member")
    changes = paging.handle(T0 + timedelta(seconds=5), ack(raised, member="m2"))
    assert not changes.records and not changes.writes
    assert paging.tables[ESCALATIONS].get(raised.data.alert_id).active  # type: ignore[union-attr]
    assert counter(metrics.acks_refused, reason="wrong_member") == before + 1


def test_a_page_link_acknowledges_once(paging: Partition, sent: Sink) -> None:
    raised = alert()
    paging.handle(T0, raised)
    [page] = sent.take()
    link = page.delivery.source_event_id
    first = paging.handle(T0 + timedelta(seconds=5), ack(raised, via="link", token_id=link))
    assert [e["type"] for e in events(first)] == [ACKNOWLEDGED]
    before = counter(metrics.acks_refused, reason="link_used")
    second = paging.handle(T0 + timedelta(seconds=9), ack(raised, via="link", token_id=link))
    assert not second.records and not second.writes
    assert counter(metrics.acks_refused, reason="link_used") == before + 1


def test_a_used_link_is_refused_by_the_domain() -> None:
    raised = alert()
    escalation = start(raised.data, CHAIN, T0).escalation
    done = acknowledge(escalation, "on-call-1", T0, link="page-1").escalation
    again = acknowledge(done, "on-call-1", T0, link="page-1")
    assert again.outcome is AckOutcome.LINK_USED and not again.changed
    other = acknowledge(escalation, "on-call-1", T0, member_id="m2")
    assert other.outcome is AckOutcome.WRONG_MEMBER and not other.changed


def test_an_early_ack_expires_if_its_alert_never_comes(paging: Partition) -> None:
    raised = alert()
    paging.handle(T0, ack(raised))
    assert paging.tables[EARLY_ACKS].get(raised.data.alert_id) is not None
    paging.tick(T0 + timedelta(days=2))
    assert paging.tables[EARLY_ACKS].get(raised.data.alert_id) is None
    assert paging.docs(EARLY_ACKS.collection) == []


# ---------------------------------------------------------------- 7. reviews


def review(priority: Priority = Priority.HIGH) -> SafetyReviewRequested:
    return SafetyReviewRequested.new(
        subject="m1",
        source="t",
        data=SafetyReviewRequestedData(
            review_id=new_id(),
            member_id="m1",
            checkin_id="c-1",
            priority=priority,
            concerns=[ReviewConcern(reason=ReviewReason.THIRD_PARTY, priority=priority)],
            accepted_at=T0,
            requested_at=T0,
        ),
    )


@pytest.mark.parametrize("priority", [Priority.HIGH, Priority.NORMAL])
def test_a_review_request_is_told_to_staff_never_paged(
    paging: Partition, sent: Sink, priority: Priority
) -> None:
    assert SAFETY_REVIEW_REQUESTED not in OUTWARD  # consumed here
    changes = paging.handle(T0, review(priority))
    assert not events(changes, "safety.alert-escalated")
    assert written(changes, PAGES.collection) == []
    [entry] = written(changes, INBOX.collection)
    assert entry["member_id"] == "s1" and entry["kind"] == "safety.review-requested"
    assert priority.value in entry["title"]
    [email] = sent.take()  # at once, in the member lane (deliveries), never given up
    assert (email.address, email.template) == ("a@x.example", "safety.review-requested")
    assert email.delivery.never_gives_up and not email.delivery.urgent
    assert written(changes, DELIVERIES.collection)[0]["_id"] == email.key
    text = render(email.template, Audience.STAFF, Channel.EMAIL, "en", email.context).text
    assert "third_party" in text and "m1" in text


def test_review_recipients_come_from_settings() -> None:
    settings = NotificationsSettings(
        kindred_dev_mode=True,
        review_recipients='[{"id": "reviewers", "contacts": {"inbox": "review-desk"}}]',
    )
    [person] = settings.reviewers() or ()
    assert person.id == "reviewers"
    with pytest.raises(SettingsError, match="REVIEW_RECIPIENTS"):
        NotificationsSettings(kindred_dev_mode=True, review_recipients="[{}]").reviewers()


# ---------------------------------------------------------------- 8. the member


def test_the_member_gets_crisis_resources_for_their_country_on_every_alert(
    paging: Partition, sent: Sink
) -> None:
    raised = alert("m1", country="GB")
    changes = paging.handle(T0, raised)
    [notice] = [e for e in written(changes, INBOX.collection) if e["member_id"] == "m1"]
    assert notice["kind"] == "safety.crisis-resources" and notice["urgency"] == "urgent"
    assert "999" in notice["body"] and "Samaritans" in notice["body"]
    assert "phq9" not in str(notice)  # nothing of what fired
    # A copy of the alert writes nothing again.
    assert not written(paging.handle(T0, raised), INBOX.collection)


def test_the_member_notice_is_in_their_locale_with_push_never_held_by_quiet_hours(
    paging: Partition, sent: Sink
) -> None:
    paging.handle(
        T0,
        prefs(
            locale="fr",
            consents={"push": True},
            contacts={"push": "device-token-1"},
            quiet_hours={"start": "00:00", "end": "23:59"},
        ),
    )
    raised = alert("m1")  # no country: the international resources
    changes = paging.handle(T0, raised)
    [notice] = [e for e in written(changes, INBOX.collection) if e["member_id"] == "m1"]
    assert notice["title"] == "Du soutien est là pour vous"
    push = [d for d in sent.take() if d.delivery.channel is Channel.PUSH]
    assert [(d.address, d.template) for d in push] == [
        ("device-token-1", "safety.crisis-resources")
    ]
    assert push[0].delivery.next_attempt_at == T0  # at once, in quiet hours


def test_a_history_rule_alert_reaches_the_member_too(paging: Partition) -> None:
    raised = alert()
    data = raised.data.model_copy(
        update={"triggers": [TriggerFired(rule=Rule.SHARP_DECLINE, severity=Severity.HIGH)]}
    )
    changes = paging.handle(T0, raised.model_copy(update={"data": data}))
    assert [e for e in written(changes, INBOX.collection) if e["member_id"] == "m1"]


def test_dispatches_of_pages_are_what_to_render(paging: Partition, sent: Sink) -> None:
    paging.handle(T0, alert())
    [email] = sent.take()
    assert isinstance(email, Dispatch) and email.audience == "staff"


def test_an_escalation_acknowledged_before_forgetting_existed_is_forgotten_too(
    paging: Partition,
) -> None:
    raised = alert()
    paging.handle(T0, raised)
    paging.handle(T0 + timedelta(seconds=5), ack(raised))
    [doc] = paging.docs(ESCALATIONS.collection)
    del doc["forget_at"]  # as stored before
    rebuilt = paging.new_owner()
    [escalation] = list(rebuilt.tables[ESCALATIONS].items.values())
    assert escalation.forget_at == escalation.acknowledged_at + DEFAULT_KEEP_DONE  # type: ignore[operator]
    rebuilt.tick(T0 + timedelta(hours=2))
    assert rebuilt.docs(ESCALATIONS.collection) == []


def test_a_new_owner_cancels_the_pages_of_an_alert_acknowledged_after_a_rebalance(
    paging: Partition, sent: Sink
) -> None:
    raised = alert()
    paging.handle(T0, raised)
    paging.tick(T0 + timedelta(seconds=60))  # level 1 paged too
    sent.take()
    owner = paging.new_owner()
    done = owner.handle(T0 + timedelta(seconds=70), ack(raised))
    cancelled = {d["channel"] for d in written(done, PAGES.collection)}
    assert cancelled == {"email", "sms", "webhook"}
    assert len(owner.tables[PAGES]) == 0
