"""The alert read model: a safety alert as staff work it, joined from check-ins' events (the
alert, its episode) and notifications' (each page, the acknowledgement).

The events of one member arrive in order per topic, not across topics: a page or an
acknowledgement may be handled before the alert it names. It then starts a case that is not
`known` yet (not served) and that the alert fills in.
Each function returns the alert changed, or None when the event was applied already.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from kindred.casework.domain.items import Note, Step
from kindred.staff_views import ItemPriority

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # a case not known yet: no time of its own


@dataclass(frozen=True)
class Page:
    page_id: str
    level: int
    fallback: bool
    repeat: int
    paged: str
    channels: tuple[str, ...]
    due_at: datetime
    ack_deadline: datetime


@dataclass(frozen=True)
class Trigger:
    rule: str
    severity: str


@dataclass(frozen=True)
class Alert:
    alert_id: str
    member_id: str
    severity: str
    known: bool = False  # the alert itself was seen (not only a page or its acknowledgement)
    checkin_id: str = ""
    episode_id: str = ""
    triggers: tuple[Trigger, ...] = ()
    accepted_at: datetime = _EPOCH
    raised_at: datetime = _EPOCH
    pages: tuple[Page, ...] = ()
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    episode_open: bool = True
    episode_closed_at: datetime | None = None
    episode_closed_by: str | None = None
    owner: str | None = None
    notes: tuple[Note, ...] = ()
    history: tuple[Step, ...] = ()

    @property
    def priority(self) -> ItemPriority:
        return ItemPriority.URGENT if self.severity == "urgent" else ItemPriority.HIGH

    @property
    def rank(self) -> int:
        return 0 if self.priority is ItemPriority.URGENT else 1

    @property
    def ack_deadline(self) -> datetime | None:
        return self.pages[-1].ack_deadline if self.pages else None

    def in_queue(self, now: datetime, acked_hours: float) -> bool:
        """Until acknowledged and its episode closed, or acknowledged `acked_hours` ago."""
        return shown(self.acknowledged_at, self.episode_open, now, acked_hours)


def shown(
    acknowledged_at: datetime | None, episode_open: bool, now: datetime, acked_hours: float
) -> bool:
    """Whether an alert is in the live queue: until acknowledged and its episode closed, or
    acknowledged `acked_hours` ago."""
    if acknowledged_at is None:
        return True
    if not episode_open:
        return False
    return now - acknowledged_at < timedelta(hours=acked_hours)


def unseen(alert_id: str, member_id: str, severity: str) -> Alert:
    return Alert(alert_id=alert_id, member_id=member_id, severity=severity)


def raised(
    before: Alert | None,
    alert_id: str,
    member_id: str,
    checkin_id: str,
    episode_id: str,
    severity: str,
    triggers: tuple[Trigger, ...],
    accepted_at: datetime,
    raised_at: datetime,
    closed: Step | None,
) -> Alert | None:
    """The alert (filling in a case a page started); `closed`: its episode was closed already."""
    if before is not None and before.known:
        return None
    base = before or unseen(alert_id, member_id, severity)
    history = (Step(raised_at, f"raised: {severity}", ref=alert_id), *base.history)
    alert = replace(
        base,
        known=True,
        severity=severity,
        checkin_id=checkin_id,
        episode_id=episode_id,
        triggers=triggers,
        accepted_at=accepted_at,
        raised_at=raised_at,
        history=history,
    )
    if closed is not None:
        alert = replace(
            alert,
            episode_open=False,
            episode_closed_at=closed.at,
            episode_closed_by=closed.by,
            history=(*alert.history, closed),
        )
    return alert


def paged(alert: Alert, page: Page) -> Alert | None:
    if any(p.page_id == page.page_id for p in alert.pages):
        return None
    pages = tuple(sorted((*alert.pages, page), key=lambda p: p.due_at))
    what = f"paged {page.paged} (level {page.level}{', fallback' if page.fallback else ''})"
    return replace(alert, pages=pages, history=(*alert.history, Step(page.due_at, what)))


def acknowledged(alert: Alert, staff_id: str, at: datetime) -> Alert | None:
    """The first acknowledgement counts; the alert is acknowledged once."""
    if alert.acknowledged_at is not None:
        return None
    step = Step(at, "acknowledged", staff_id)
    return replace(
        alert, acknowledged_at=at, acknowledged_by=staff_id, history=(*alert.history, step)
    )


def episode_opened(alert: Alert, episode_id: str, at: datetime) -> Alert | None:
    step = Step(at, "episode opened", ref=episode_id)
    if step in alert.history:
        return None
    return replace(alert, history=(*alert.history, step))


def episode_closed(alert: Alert, closed: Step) -> Alert | None:
    if not alert.episode_open:
        return None
    return replace(
        alert,
        episode_open=False,
        episode_closed_at=closed.at,
        episode_closed_by=closed.by,
        history=(*alert.history, closed),
    )


def close_refused(alert: Alert, step: Step) -> Alert | None:
    if step in alert.history:
        return None
    return replace(alert, history=(*alert.history, step))
