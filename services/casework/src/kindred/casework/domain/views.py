"""What staff read, built from the domain's cases: the models of `kindred.staff_views`, and the
live queue's order (urgent before high before normal, then the oldest first)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from kindred.casework.domain import alerts
from kindred.casework.domain.alerts import Alert
from kindred.casework.domain.items import Item, Note, Report, Step
from kindred.casework.domain.roster import Supporter
from kindred.events.casework import Outcome
from kindred.staff_views import (
    AlertCase,
    CaseNote,
    CaseStepView,
    MatchLine,
    ModerationStep,
    PageRecord,
    Queue,
    QueueEntry,
    QueueView,
    ReportView,
    ReviewItem,
    RosterEntry,
    StandingStep,
    Trigger,
)


def _notes(notes: Iterable[Note]) -> list[CaseNote]:
    return [CaseNote(staff_id=n.staff_id, at=n.at, note=n.note) for n in notes]


def _history(steps: Iterable[Step]) -> list[CaseStepView]:
    return [CaseStepView(at=s.at, what=s.what, by=s.by) for s in steps]


def alert_case(alert: Alert) -> AlertCase:
    return AlertCase(
        alert_id=alert.alert_id,
        member_id=alert.member_id,
        checkin_id=alert.checkin_id,
        episode_id=alert.episode_id,
        severity=alert.severity,
        triggers=[Trigger(rule=t.rule, severity=t.severity) for t in alert.triggers],
        accepted_at=alert.accepted_at,
        raised_at=alert.raised_at,
        pages=[
            PageRecord(
                page_id=p.page_id,
                level=p.level,
                fallback=p.fallback,
                repeat=p.repeat,
                paged=p.paged,
                channels=list(p.channels),
                due_at=p.due_at,
                ack_deadline=p.ack_deadline,
            )
            for p in alert.pages
        ],
        ack_deadline=alert.ack_deadline,
        acknowledged_at=alert.acknowledged_at,
        acknowledged_by=alert.acknowledged_by,
        episode_open=alert.episode_open,
        episode_closed_at=alert.episode_closed_at,
        episode_closed_by=alert.episode_closed_by,
        owner=alert.owner,
        notes=_notes(alert.notes),
        history=_history(alert.history),
    )


def report_view(report: Report) -> ReportView:
    return ReportView(
        report_id=report.report_id,
        reporter_id=report.reporter_id,
        reported_id=report.reported_id,
        context=report.context,
        context_id=report.context_id,
        reason=report.reason,
        text=report.text,
        filed_at=report.filed_at,
        status=report.status,
        actions=[
            ModerationStep(action=m.action, staff_id=m.staff_id, at=m.at, note=m.note)
            for m in report.actions
        ],
    )


def review_item(item: Item) -> ReviewItem:
    return ReviewItem(
        item_id=item.item_id,
        member_id=item.member_id,
        queue=item.queue,
        kind=item.kind,
        priority=item.priority,
        detail=dict(item.detail),
        created_at=item.created_at,
        status=item.status,
        owner=item.owner,
        outcome=None if item.outcome is None else Outcome(item.outcome),
        resolved_at=item.resolved_at,
        resolved_by=item.resolved_by,
        notes=_notes(item.notes),
        history=_history(item.history),
        report=None if item.report is None else report_view(item.report),
    )


def roster_entry(supporter: Supporter) -> RosterEntry:
    return RosterEntry(
        member_id=supporter.member_id,
        granted=supporter.granted,
        minors_cleared=supporter.minors_cleared,
        paused=supporter.paused,
        suspended_supporting=supporter.suspended_supporting,
        suspended_matching=supporter.suspended_matching,
        active_matches=supporter.active_matches,
        pending_proposals=supporter.pending_proposals,
        recent_matches=[
            MatchLine(match_id=m.match_id, seeker_id=m.seeker_id, step=m.step, at=m.at)
            for m in reversed(supporter.recent)
        ],
        standing=[
            StandingStep(what=s.what, staff_id=s.staff_id, at=s.at, note=s.note)
            for s in supporter.standing
        ],
    )


def alert_entry(alert: Alert) -> QueueEntry:
    return QueueEntry(
        kind="alert",
        id=alert.alert_id,
        member_id=alert.member_id,
        queue=Queue.SAFETY,
        priority=alert.priority,
        what=alert.triggers[0].rule if alert.triggers else "alert",
        created_at=alert.raised_at,
        deadline=alert.ack_deadline,
        acknowledged=alert.acknowledged_at is not None,
        owner=alert.owner,
    )


def item_entry(item: Item) -> QueueEntry:
    return QueueEntry(
        kind="item",
        id=item.item_id,
        member_id=item.member_id,
        queue=item.queue,
        priority=item.priority,
        what=str(item.kind),
        created_at=item.created_at,
        owner=item.owner,
    )


@dataclass(frozen=True)
class Queued:
    """A case's line in the live queue, as the queue store keeps it: only the cases that may
    still be shown are there, so reading the queue costs the open cases, not the history."""

    entry: QueueEntry
    rank: int
    acknowledged_at: datetime | None = None
    episode_open: bool = True

    def shown(self, now: datetime, acked_hours: float) -> bool:
        if self.entry.kind != "alert":
            return True
        return alerts.shown(self.acknowledged_at, self.episode_open, now, acked_hours)


def queued(case: Alert | Item) -> Queued | None:
    """The case's line in the queue; None once it has left the queue for good (an item
    resolved; an alert acknowledged with its episode closed)."""
    if isinstance(case, Alert):
        done = case.acknowledged_at is not None and not case.episode_open
        if not case.known or done:
            return None
        return Queued(alert_entry(case), case.rank, case.acknowledged_at, case.episode_open)
    return Queued(item_entry(case), case.rank) if case.open else None


def queue(
    lines: Iterable[Queued],
    queues: Iterable[Queue],
    now: datetime,
    acked_hours: float,
    limit: int,
) -> QueueView:
    """The live queue: the alerts still to work (safety queue) and the open items of `queues`,
    by priority, then the oldest first."""
    wanted = set(queues)
    shown = [q for q in lines if q.entry.queue in wanted and q.shown(now, acked_hours)]
    shown.sort(key=lambda q: (q.rank, q.entry.created_at, q.entry.id))
    return QueueView(entries=[q.entry for q in shown[:limit]])
