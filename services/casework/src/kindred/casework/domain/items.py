"""Review items: each signal that needs a human and is no alert, from the event that raised it.

An item's id follows from what caused it (`item_id`), so a second delivery of that event finds
the item already there and changes nothing. Reports are items of the moderation queue and carry
the report; a moderation naming the report settles both.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from kindred.events.casework import (
    ModerationAction,
    ReportContext,
    ReportReason,
)
from kindred.events.envelope import deterministic_id
from kindred.instruments import Phq9Severity
from kindred.staff_views import ItemKind, ItemPriority, ItemStatus, Queue

# A report for these reasons is about someone's safety or dignity: ahead of the others.
HIGH_REPORT_REASONS = frozenset(
    {
        ReportReason.SAFETY_CONCERN,
        ReportReason.HARASSMENT,
        ReportReason.HATE,
        ReportReason.SEXUAL_CONTENT,
    }
)
# The moderation steps kept on a member's standing (those that change what they may do).
STANDING = {
    ModerationAction.WARN: "warned",
    ModerationAction.SUSPEND_MATCHING: "suspended-matching",
    ModerationAction.SUSPEND_SUPPORTING: "suspended-supporting",
    ModerationAction.RESTORE: "restored",
}
RANK = {ItemPriority.URGENT: 0, ItemPriority.HIGH: 1, ItemPriority.NORMAL: 2}
# Closed episodes a member's state remembers (for an alert that arrives after its close).
_CLOSED_KEPT = 20
# Moderation ids a member's state remembers (a second delivery is recognised).
_MODERATIONS_KEPT = 50


@dataclass(frozen=True)
class Note:
    staff_id: str
    at: datetime
    note: str


@dataclass(frozen=True)
class Step:
    """One step of a case's history; `ref` names what caused it (an event or action id)."""

    at: datetime
    what: str
    by: str | None = None
    ref: str | None = None


@dataclass(frozen=True)
class Moderation:
    action: ModerationAction
    staff_id: str
    at: datetime
    note: str = ""
    ref: str = ""


@dataclass(frozen=True)
class Report:
    report_id: str
    reporter_id: str
    reported_id: str
    context: ReportContext
    context_id: str
    reason: ReportReason
    text: str
    filed_at: datetime
    status: Literal["open", "actioned", "dismissed"] = "open"
    actions: tuple[Moderation, ...] = ()


@dataclass(frozen=True)
class Item:
    item_id: str
    member_id: str
    queue: Queue
    kind: ItemKind
    priority: ItemPriority
    # Names and figures only (reasons, a measure, a streak): never the member's words.
    detail: dict[str, Any]
    created_at: datetime
    status: ItemStatus = ItemStatus.OPEN
    owner: str | None = None
    outcome: str | None = None
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    notes: tuple[Note, ...] = ()
    history: tuple[Step, ...] = ()
    report: Report | None = None

    @property
    def open(self) -> bool:
        return self.status is not ItemStatus.RESOLVED

    @property
    def rank(self) -> int:
        return RANK[self.priority]


@dataclass(frozen=True)
class MemberState:
    """What casework keeps per member: the current streak of missed check-ins (its occurrence
    ids), the last check-in seen, the member's standing and the episodes closed lately."""

    member_id: str
    missed: tuple[str, ...] = ()
    missed_since: datetime | None = None
    last_checkin_id: str | None = None
    suspended_matching: bool = False
    suspended_supporting: bool = False
    moderations: tuple[str, ...] = ()
    closed_episodes: dict[str, Step] = field(default_factory=dict)


def item_id(kind: ItemKind, cause: str) -> str:
    """An item's id from what caused it: the same cause, the same item."""
    return deterministic_id("casework.item", str(kind), cause)


def new_item(
    kind: ItemKind,
    cause: str,
    member_id: str,
    priority: ItemPriority,
    detail: dict[str, Any],
    at: datetime,
    report: Report | None = None,
) -> Item:
    queue = Queue.MODERATION if kind is ItemKind.MEMBER_REPORTED else Queue.SAFETY
    return Item(
        item_id=item_id(kind, cause),
        member_id=member_id,
        queue=queue,
        kind=kind,
        priority=priority,
        detail=detail,
        created_at=at,
        history=(Step(at, f"opened: {kind}", ref=cause),),
        report=report,
    )


# ----------------------------------------------------------------------------- check-ins


def checkin_items(
    cause: str,
    member_id: str,
    checkin_id: str,
    who5_followup: bool | None,
    who5_raw: int | None,
    phq9_severity: Phq9Severity | None,
    phq9_total: int | None,
    severities: Collection[Phq9Severity],
    at: datetime,
) -> list[Item]:
    """A recorded check-in's items: a WHO-5 follow-up, a PHQ-9 in a reviewed severity."""
    items = []
    if who5_followup:
        detail = {"checkin_id": checkin_id, "who5_raw": who5_raw}
        items.append(
            new_item(ItemKind.WHO5_FOLLOWUP, cause, member_id, ItemPriority.NORMAL, detail, at)
        )
    if phq9_severity is not None and phq9_severity in severities:
        detail = {
            "checkin_id": checkin_id,
            "phq9_total": phq9_total,
            "phq9_severity": str(phq9_severity),
        }
        items.append(
            new_item(ItemKind.PHQ9_SEVERE, cause, member_id, ItemPriority.HIGH, detail, at)
        )
    return items


def checked_in(member: MemberState, checkin_id: str) -> MemberState | None:
    """A check-in ends the streak of missed ones (None: nothing changes, a second delivery)."""
    if member.last_checkin_id == checkin_id:
        return None
    return replace(member, missed=(), missed_since=None, last_checkin_id=checkin_id)


def missed(
    member: MemberState,
    occurrence_id: str,
    due_at: datetime,
    cause: str,
    streak: int,
    at: datetime,
) -> tuple[MemberState | None, Item | None]:
    """One more missed check-in; the streak reaching `streak` opens one item (the next ones of
    the same streak do not)."""
    if occurrence_id in member.missed:
        return None, None
    after = replace(
        member,
        missed=(*member.missed, occurrence_id)[-streak:],
        missed_since=member.missed_since or due_at,
    )
    count = len(member.missed) + 1
    if count != streak:
        return after, None
    detail = {
        "streak": count,
        "since": after.missed_since.isoformat() if after.missed_since else None,
    }
    return after, new_item(
        ItemKind.MISSED_CHECKINS, cause, member.member_id, ItemPriority.NORMAL, detail, at
    )


# ----------------------------------------------------------------------------- long waits


def overdue_item(
    request_id: str,
    member_id: str,
    reason: str,
    waited_seconds: float,
    ahead: int,
    language: str,
    topics: Collection[str],
    at: datetime,
) -> Item:
    """A support request that waited past the longest wait: safety staff check on the member
    (one item per request, whatever copies of the event arrive)."""
    detail = {
        "request_id": request_id,
        "reason": reason,
        "waited_hours": round(waited_seconds / 3600, 1),
        "ahead": ahead,
        "language": language,
        "topics": sorted(topics),
    }
    return new_item(
        ItemKind.REQUEST_OVERDUE, request_id, member_id, ItemPriority.NORMAL, detail, at
    )


def request_matched(item: Item, match_id: str, at: datetime) -> Item | None:
    """A match for the request was accepted: its item is settled (a claimed one too: the wait
    is over). None: settled already, or resolved by staff before."""
    if not item.open:
        return None
    return replace(
        item,
        status=ItemStatus.RESOLVED,
        resolved_at=at,
        history=(*item.history, Step(at, "matched", ref=match_id)),
    )


# ----------------------------------------------------------------------------- reports


def report_priority(reason: ReportReason) -> ItemPriority:
    return ItemPriority.HIGH if reason in HIGH_REPORT_REASONS else ItemPriority.NORMAL


def report_item(report: Report, at: datetime) -> Item:
    """A report as an item of the moderation queue (its id follows from the report's)."""
    detail = {"reason": str(report.reason), "context": str(report.context)}
    item = new_item(
        ItemKind.MEMBER_REPORTED,
        report.report_id,
        report.reported_id,
        report_priority(report.reason),
        detail,
        at,
        report,
    )
    filed = Step(report.filed_at, "reported", by=report.reporter_id, ref=report.report_id)
    return replace(item, history=(*item.history, filed))


def safety_concern_item(report: Report, at: datetime) -> Item | None:
    """A report that fears for the reported member is a safety matter as well as a moderation
    one: safety staff get their own item (with the reporter's words), whatever moderators do."""
    if report.reason is not ReportReason.SAFETY_CONCERN:
        return None
    detail = {
        "source": "report",
        "report_id": report.report_id,
        "reason": str(report.reason),
        "context": str(report.context),
    }
    item = new_item(
        ItemKind.SAFETY_REVIEW,
        report.report_id,
        report.reported_id,
        ItemPriority.HIGH,
        detail,
        at,
        report,
    )
    filed = Step(report.filed_at, "reported", by=report.reporter_id, ref=report.report_id)
    return replace(item, history=(*item.history, filed))


def report_from_match(match_id: str, reported_id: str, reporter_id: str, at: datetime) -> Report:
    """A match ended with a report: a report about the match, for no stated reason."""
    return Report(
        report_id=deterministic_id("report", match_id, reporter_id),
        reporter_id=reporter_id,
        reported_id=reported_id,
        context=ReportContext.MATCH,
        context_id=match_id,
        reason=ReportReason.OTHER,
        text="",
        filed_at=at,
    )


def moderated_report(item: Item, step: Moderation) -> Item | None:
    """A moderation naming the item's report: the report is actioned (or dismissed) and the
    item resolved. None: this moderation was applied already."""
    report = item.report
    if report is None or any(m.ref == step.ref for m in report.actions):
        return None
    dismissed = step.action is ModerationAction.DISMISS
    status: Literal["actioned", "dismissed"] = "dismissed" if dismissed else "actioned"
    report = replace(report, status=status, actions=(*report.actions, step))
    history = (*item.history, Step(step.at, f"moderated: {step.action}", step.staff_id, step.ref))
    if not item.open:
        return replace(item, report=report, history=history)
    return replace(
        item,
        report=report,
        history=history,
        status=ItemStatus.RESOLVED,
        outcome="no-action" if dismissed else None,
        resolved_at=step.at,
        resolved_by=step.staff_id,
    )


def moderated_member(member: MemberState, step: Moderation) -> MemberState | None:
    """The member's standing after a moderation (None: applied already)."""
    if step.ref in member.moderations:
        return None
    matching, supporting = member.suspended_matching, member.suspended_supporting
    if step.action is ModerationAction.SUSPEND_MATCHING:
        matching = True
    elif step.action is ModerationAction.SUSPEND_SUPPORTING:
        supporting = True
    elif step.action is ModerationAction.RESTORE:
        matching = supporting = False
    return replace(
        member,
        suspended_matching=matching,
        suspended_supporting=supporting,
        moderations=(*member.moderations, step.ref)[-_MODERATIONS_KEPT:],
    )


def episode_closed(member: MemberState, episode_id: str, step: Step) -> MemberState | None:
    if episode_id in member.closed_episodes:
        return None
    closed = {**member.closed_episodes, episode_id: step}
    return replace(member, closed_episodes=dict(list(closed.items())[-_CLOSED_KEPT:]))
