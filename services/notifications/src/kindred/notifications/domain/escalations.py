"""The escalation of a safety alert through the on-call chain until a human acknowledges it.
Pure: every instant is an argument, and the same state and instant give the same pages.

- `start(alert, chain, now)`: level 0 is paged at once, on every channel of its contacts, with
  an acknowledgement deadline (`Chain.ack_seconds`, `Chain.urgent_ack_seconds` for an urgent
  alert, or the level's own).
- `tick(escalation, now)`: each deadline passed unacknowledged pages the next level, whose
  deadline follows from the previous one (the chain's timetable is fixed at the start: a tick
  that comes late, after an outage, pages every level whose turn has come, at once). After the
  last level, the fallback pager; then the fallback is paged again every
  `Chain.repage_seconds` until someone acknowledges (re-pages missed during an outage are
  collapsed into one). It never stops by itself.
- `acknowledge(escalation, staff_id, now)`: stops the chain at whatever level it reached; a
  second acknowledgement changes nothing, one for an unknown alert is a no-op, both with a
  reason; so is one naming another member than the alert's, and a second use of a page's
  link. An acknowledged escalation is kept for `keep_for` (a second acknowledgement is still
  recognised), then forgotten (`next_due` says when).
- `fail_safe(...)`: when an escalation's own step fails (bad data, a bug), the chain's fallback
  is paged with what is known for sure (the alert's ids) and repaged until acknowledged.
- Every page carries a signed, expiring one-time link to acknowledge it and a short code
  (`PageLinks`, `kindred.safety.pagelinks`).
- Pages carry deterministic ids: `page_id(alert id, level, repeat)`, and each of their
  deliveries `delivery_id(page id, on-call id, channel)`. The whole state is stored, the chain
  included (a change of configuration does not alter an escalation under way), so a new owner
  after a crash or a rebalance continues from the stored deadline: no page lost, none sent
  twice under another id.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from kindred.events.envelope import deterministic_id
from kindred.events.notifications import Category, Channel, StaffId
from kindred.events.safety import SafetyAlertRaisedData
from kindred.notifications.domain.deliveries import Delivery, Dispatch, delivery_id
from kindred.notifications.domain.instants import utc_ms
from kindred.notifications.domain.templates import (
    ALERT_RAISED,
    SAFETY_ESCALATED,
    Audience,
    short_id,
)
from kindred.safety import pagelinks
from kindred.safety.rules import Severity
from kindred.settings import DEV_PAGE_LINK_SECRET

DEFAULT_ACK_SECONDS = 300
DEFAULT_URGENT_ACK_SECONDS = 120
DEFAULT_REPAGE_SECONDS = 300
# How long an acknowledged escalation stays in memory, so that a second acknowledgement is
# recognised as one; then it is forgotten (its summary stays in the `alerts` history).
DEFAULT_KEEP_DONE = timedelta(hours=1)


@dataclass(frozen=True)
class PageLinks:
    """How pages say where to acknowledge them: `{base_url}/v1/pages/{token}`, the token signed
    with `secret` and valid for `valid_for`, and the page's short code."""

    secret: str = DEV_PAGE_LINK_SECRET
    base_url: str = "http://127.0.0.1:8000"
    valid_for: timedelta = timedelta(hours=24)

    def of(self, page: Page, now: datetime) -> tuple[str, str]:
        """The page's link and code (the link's token names the person paged)."""
        claim = pagelinks.PageClaim(
            alert_id=page.alert_id,
            member_id=page.member_id,
            staff_id=page.target,
            page_id=page.page_id,
            expires_at=utc_ms(now) + self.valid_for,
        )
        token = pagelinks.sign(claim, self.secret)
        url = f"{self.base_url.rstrip('/')}/v1/pages/{token}"
        return url, pagelinks.code(page.page_id, self.secret)


# --- the chain, from configuration ---------------------------------------------------------


class OnCallConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: StaffId
    # Address per channel: an email address, a phone number (E.164), a push token or staff
    # id, a webhook endpoint's name; the inbox takes the staff id.
    contacts: dict[Channel, str] = Field(min_length=1)
    ack_seconds: int | None = Field(default=None, ge=10, le=86400)


class ChainConfig(BaseModel):
    """`ESCALATION_CHAIN`, as JSON: `{"levels": [{"id": ..., "contacts": {"sms": ...,
    "email": ...}, "ack_seconds": 300}, ...], "fallback": {"id": ..., "contacts": {...}}}`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    levels: list[OnCallConfig] = Field(default_factory=list, max_length=20)
    fallback: OnCallConfig


@dataclass(frozen=True)
class Contact:
    channel: Channel
    address: str


@dataclass(frozen=True)
class OnCall:
    """A person or a role on call, with an address per channel."""

    id: str
    contacts: tuple[Contact, ...]
    ack_seconds: int | None = None

    def __post_init__(self) -> None:
        if not self.contacts:
            raise ValueError("an on-call entry needs at least one contact")


@dataclass(frozen=True)
class Chain:
    """Ordered levels, then the fallback pager (level `len(levels)`)."""

    levels: tuple[OnCall, ...]
    fallback: OnCall
    ack_seconds: int = DEFAULT_ACK_SECONDS
    urgent_ack_seconds: int = DEFAULT_URGENT_ACK_SECONDS
    repage_seconds: int = DEFAULT_REPAGE_SECONDS

    def __post_init__(self) -> None:
        if min(self.ack_seconds, self.urgent_ack_seconds, self.repage_seconds) < 1:
            raise ValueError("escalation deadlines and intervals are at least 1 second")

    @classmethod
    def from_config(
        cls,
        config: ChainConfig,
        *,
        ack_seconds: int = DEFAULT_ACK_SECONDS,
        urgent_ack_seconds: int = DEFAULT_URGENT_ACK_SECONDS,
        repage_seconds: int = DEFAULT_REPAGE_SECONDS,
    ) -> Chain:
        return cls(
            levels=tuple(cls.on_call(level) for level in config.levels),
            fallback=cls.on_call(config.fallback),
            ack_seconds=ack_seconds,
            urgent_ack_seconds=urgent_ack_seconds,
            repage_seconds=repage_seconds,
        )

    @staticmethod
    def on_call(entry: OnCallConfig) -> OnCall:
        contacts = tuple(Contact(ch, address) for ch, address in entry.contacts.items())
        return OnCall(entry.id, contacts, entry.ack_seconds)

    @classmethod
    def from_json(
        cls,
        text: str,
        *,
        ack_seconds: int = DEFAULT_ACK_SECONDS,
        urgent_ack_seconds: int = DEFAULT_URGENT_ACK_SECONDS,
        repage_seconds: int = DEFAULT_REPAGE_SECONDS,
    ) -> Chain:
        return cls.from_config(
            ChainConfig.model_validate_json(text),
            ack_seconds=ack_seconds,
            urgent_ack_seconds=urgent_ack_seconds,
            repage_seconds=repage_seconds,
        )

    @property
    def fallback_level(self) -> int:
        return len(self.levels)

    def target(self, level: int) -> OnCall:
        return self.levels[level] if level < len(self.levels) else self.fallback

    def window(self, level: int, severity: Severity) -> timedelta:
        """How long the page at `level` waits for an acknowledgement before the next step."""
        if level >= len(self.levels):
            return timedelta(seconds=self.repage_seconds)
        seconds = self.levels[level].ack_seconds or self.ack_seconds
        if severity is Severity.URGENT:
            seconds = min(seconds, self.urgent_ack_seconds)
        return timedelta(seconds=seconds)


# --- pages ---------------------------------------------------------------------------------


def page_id(alert_id: str, level: int, repeat: int) -> str:
    return deterministic_id("page", alert_id, str(level), str(repeat))


@dataclass(frozen=True)
class PageMessage:
    channel: Channel
    address: str
    delivery_id: str


@dataclass(frozen=True)
class Page:
    """One step of the chain: one person or role paged on every channel they have, at once."""

    page_id: str
    alert_id: str
    member_id: str
    severity: Severity
    level: int
    repeat: int
    fallback: bool
    target: str
    messages: tuple[PageMessage, ...]
    # When the chain's timetable had it due, and the deadline it sets.
    due_at: datetime
    ack_deadline: datetime

    @property
    def channels(self) -> tuple[Channel, ...]:
        return tuple(m.channel for m in self.messages)

    def deliveries(self, now: datetime) -> list[Delivery]:
        """One delivery per channel, due now: urgent (never held, never given up)."""
        return [
            Delivery.new(self.page_id, self.target, m.channel, Category.SAFETY, now, urgent=True)
            for m in self.messages
        ]


# --- the escalation ------------------------------------------------------------------------


class EscalationStatus(StrEnum):
    ACTIVE = "active"
    ACKNOWLEDGED = "acknowledged"


@dataclass(frozen=True)
class Escalation:
    """One alert's escalation. `level` and `repeat` name the last page sent; `deadline` is
    when the next one is due unless acknowledged."""

    alert_id: str
    member_id: str
    severity: Severity
    raised_at: datetime
    started_at: datetime
    chain: Chain
    level: int
    repeat: int
    due_at: datetime
    deadline: datetime
    status: EscalationStatus = EscalationStatus.ACTIVE
    pages_sent: int = 1
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    # What its pages are rendered with (the alert's ids, severity, rules), and when the
    # check-in that raised the alert was accepted.
    context: Mapping[str, Any] = field(default_factory=dict)
    accepted_at: datetime | None = None
    # The page links used to acknowledge it (their page ids): each works once.
    links_used: tuple[str, ...] = ()
    # Once acknowledged: when it may be forgotten.
    forget_at: datetime | None = None
    # Its own step failed once: it runs at the fallback from then on.
    failed: bool = False

    @property
    def active(self) -> bool:
        return self.status is EscalationStatus.ACTIVE

    @property
    def next_due(self) -> datetime | None:
        """When `tick` has something to do next: the deadline while active, then the time it
        is forgotten."""
        return self.deadline if self.active else self.forget_at

    @property
    def at_fallback(self) -> bool:
        return self.level >= self.chain.fallback_level


@dataclass(frozen=True)
class EarlyAck:
    """An acknowledgement that came before its alert (order across topics is not kept): kept
    until `expires_at`, applied when the alert arrives (the chain then never pages)."""

    alert_id: str
    member_id: str
    staff_id: str
    at: datetime
    expires_at: datetime
    via: str = "api"
    token_id: str | None = None


@dataclass(frozen=True)
class AlertSummary:
    """What is kept of an alert once its escalation is forgotten (the `alerts` history)."""

    alert_id: str
    member_id: str
    severity: Severity
    raised_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    level: int

    @classmethod
    def of(cls, escalation: Escalation) -> AlertSummary:
        return cls(
            escalation.alert_id,
            escalation.member_id,
            escalation.severity,
            escalation.raised_at,
            escalation.acknowledged_at,
            escalation.acknowledged_by,
            escalation.level,
        )


@dataclass(frozen=True)
class Stepped:
    """An escalation after `start` or `tick`, and the pages to send now (possibly none)."""

    escalation: Escalation
    pages: tuple[Page, ...]


def _page(escalation: Escalation) -> Page:
    target = escalation.chain.target(escalation.level)
    pid = page_id(escalation.alert_id, escalation.level, escalation.repeat)
    if escalation.failed:  # its own ids, apart from the pages sent before it failed
        pid = deterministic_id("page", pid, "fail-safe", escalation.started_at.isoformat())
    return Page(
        page_id=pid,
        alert_id=escalation.alert_id,
        member_id=escalation.member_id,
        severity=escalation.severity,
        level=escalation.level,
        repeat=escalation.repeat,
        fallback=escalation.at_fallback,
        target=target.id,
        messages=tuple(
            PageMessage(c.channel, c.address, delivery_id(pid, target.id, c.channel))
            for c in target.contacts
        ),
        due_at=escalation.due_at,
        ack_deadline=escalation.deadline,
    )


def ack_path(member_id: str, alert_id: str) -> str:
    """Where staff acknowledge an alert (the gateway's route)."""
    return f"/v1/safety/members/{member_id}/alerts/{alert_id}/ack"


def dispatches(
    escalation: Escalation, page: Page, now: datetime, links: PageLinks | None = None
) -> list[Dispatch]:
    """A page's deliveries, one per channel of the person paged, due now: the first page is
    rendered as the alert, the later ones as its escalation to `level` (what to render, not
    rendered: the sender renders); each carries what a staff console acts on (the alert, the
    member, the level, where to acknowledge) and the page's one-time link and short code."""
    first = page.level == 0 and page.repeat == 0
    template = ALERT_RAISED if first else SAFETY_ESCALATED
    ack_url, ack_code = (links or PageLinks()).of(page, now)
    context = {
        **escalation.context,
        "alert_id": page.alert_id,
        "alert_short_id": short_id(page.alert_id),
        "member_id": page.member_id,
        "severity": page.severity.value,
        "level": page.level,
        "ack": ack_path(page.member_id, page.alert_id),
        "ack_url": ack_url,
        "ack_code": ack_code,
        "page_id": page.page_id,
    }
    addresses = {m.channel: m.address for m in page.messages}
    accepted_at = escalation.accepted_at or escalation.raised_at
    return [
        Dispatch(
            delivery,
            page.member_id,
            addresses[delivery.channel],
            template,
            context,
            accepted_at,
            audience=Audience.STAFF.value,
        )
        for delivery in page.deliveries(now)
    ]


def start(
    data: SafetyAlertRaisedData,
    chain: Chain,
    now: datetime,
    context: Mapping[str, Any] | None = None,
) -> Stepped:
    """The escalation of a new alert and its first page (level 0, every channel at once),
    its pages rendered with `context`. Call it once per alert id: a replayed alert finds its
    escalation already there."""
    now = utc_ms(now)
    escalation = Escalation(
        alert_id=data.alert_id,
        member_id=data.member_id,
        severity=data.severity,
        raised_at=utc_ms(data.raised_at),
        started_at=now,
        chain=chain,
        level=0,
        repeat=0,
        due_at=now,
        deadline=now + chain.window(0, data.severity),
        context=dict(context or {}),
        accepted_at=utc_ms(data.accepted_at),
    )
    return Stepped(escalation, (_page(escalation),))


def tick(escalation: Escalation, now: datetime) -> Stepped:
    """The pages due at `now`: the next level for each deadline passed, the fallback's re-page
    once the chain is exhausted. Nothing once acknowledged or before the deadline."""
    now = utc_ms(now)
    pages: list[Page] = []
    chain = escalation.chain
    while escalation.active and now >= escalation.deadline:
        if escalation.at_fallback:
            interval = chain.window(escalation.level, escalation.severity)
            # Re-pages an outage missed collapse into the latest one.
            missed = (now - escalation.deadline) // interval
            due = escalation.deadline + missed * interval
            escalation = replace(
                escalation,
                repeat=escalation.repeat + 1 + missed,
                due_at=due,
                deadline=due + interval,
            )
        else:
            level = escalation.level + 1
            due = escalation.deadline
            escalation = replace(
                escalation,
                level=level,
                repeat=0,
                due_at=due,
                deadline=due + chain.window(level, escalation.severity),
            )
        escalation = replace(escalation, pages_sent=escalation.pages_sent + 1)
        pages.append(_page(escalation))
    return Stepped(escalation, tuple(pages))


class AckOutcome(StrEnum):
    ACKNOWLEDGED = "acknowledged"
    ALREADY_ACKNOWLEDGED = "already_acknowledged"
    UNKNOWN_ALERT = "unknown_alert"
    # Refused: the acknowledgement names another member than the alert's.
    WRONG_MEMBER = "wrong_member"
    # Refused: that page link was used already (one-time).
    LINK_USED = "link_used"


@dataclass(frozen=True)
class Acknowledgement:
    alert_id: str
    member_id: str
    staff_id: str
    acknowledged_at: datetime
    latency_seconds: float
    level: int


@dataclass(frozen=True)
class AckResult:
    """The escalation after an acknowledgement (None if unknown), the acknowledgement record
    when this call made one, and why."""

    escalation: Escalation | None
    acknowledgement: Acknowledgement | None
    outcome: AckOutcome

    @property
    def changed(self) -> bool:
        return self.acknowledgement is not None


def acknowledge(
    escalation: Escalation | None,
    staff_id: str,
    now: datetime,
    *,
    member_id: str | None = None,
    link: str | None = None,
    keep_for: timedelta = DEFAULT_KEEP_DONE,
) -> AckResult:
    """Stop the escalation: whatever level it reached (a late acknowledgement stops it too).
    Idempotent: a second one, by anyone, changes nothing. Refused (no effect) when it names
    another member than the alert's (`member_id`), or uses a page link (`link`: its page id)
    used already. Acknowledged, it is forgotten `keep_for` later."""
    if escalation is None:
        return AckResult(None, None, AckOutcome.UNKNOWN_ALERT)
    if member_id is not None and member_id != escalation.member_id:
        return AckResult(escalation, None, AckOutcome.WRONG_MEMBER)
    if link is not None and link in escalation.links_used:
        return AckResult(escalation, None, AckOutcome.LINK_USED)
    if not escalation.active:
        if link is not None:  # the link is spent even when someone else acknowledged first
            used = replace(escalation, links_used=(*escalation.links_used, link))
            return AckResult(used, None, AckOutcome.ALREADY_ACKNOWLEDGED)
        return AckResult(escalation, None, AckOutcome.ALREADY_ACKNOWLEDGED)
    now = utc_ms(now)
    acknowledged = replace(
        escalation,
        status=EscalationStatus.ACKNOWLEDGED,
        acknowledged_by=staff_id,
        acknowledged_at=now,
        forget_at=now + keep_for,
        links_used=escalation.links_used if link is None else (*escalation.links_used, link),
    )
    latency = max(0.0, (now - escalation.raised_at).total_seconds())
    record = Acknowledgement(
        alert_id=escalation.alert_id,
        member_id=escalation.member_id,
        staff_id=staff_id,
        acknowledged_at=now,
        latency_seconds=latency,
        level=escalation.level,
    )
    return AckResult(acknowledged, record, AckOutcome.ACKNOWLEDGED)


def fail_safe(
    alert_id: str,
    member_id: str,
    severity: Severity,
    chain: Chain,
    now: datetime,
    *,
    raised_at: datetime | None = None,
    accepted_at: datetime | None = None,
) -> Stepped:
    """When an escalation's own step failed (bad data, a bug): page the chain's fallback now,
    with the alert's ids only (nothing that could fail again), and repage it every
    `repage_seconds` until acknowledged."""
    now = utc_ms(now)
    level = chain.fallback_level
    escalation = Escalation(
        alert_id=alert_id,
        member_id=member_id,
        severity=severity,
        raised_at=utc_ms(raised_at) if raised_at is not None else now,
        started_at=now,
        chain=chain,
        level=level,
        repeat=0,
        due_at=now,
        deadline=now + chain.window(level, severity),
        accepted_at=utc_ms(accepted_at) if accepted_at is not None else None,
        failed=True,
    )
    return Stepped(escalation, (_page(escalation),))
