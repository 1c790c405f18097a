"""Staff steps on a case (claim, release, note, resolve) and the rules that refuse one.

Nobody acts on their own case; a case claimed by someone else is not claimed, released or
resolved by another; resolving needs an outcome, and `no-action` a note saying why; a resolved
item takes notes only; an alert is never resolved here (it is acknowledged and its episode
closed through safety's own steps). A refusal is an answer, not an error: the caller logs and
counts it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Protocol, TypeVar

from kindred.casework.domain.alerts import Alert
from kindred.casework.domain.items import Item, Note, Step
from kindred.events.casework import CaseAction, Outcome
from kindred.staff_views import ItemStatus


class Refusal(StrEnum):
    OWN_CASE = "own-case"
    UNKNOWN_CASE = "unknown-case"
    CLAIMED_BY_OTHER = "claimed-by-other"
    RESOLVED = "resolved"
    NEEDS_OUTCOME = "needs-outcome"
    NEEDS_NOTE = "needs-note"
    NOT_AN_ITEM = "not-an-item"


@dataclass(frozen=True)
class Refused:
    reason: Refusal


@dataclass(frozen=True)
class Request:
    """One staff step, as `case.action-requested` carries it."""

    action_id: str
    action: CaseAction
    staff_id: str
    member_id: str
    at: datetime
    note: str = ""
    outcome: Outcome | None = None


class _Case(Protocol):
    @property
    def member_id(self) -> str: ...
    @property
    def owner(self) -> str | None: ...
    @property
    def notes(self) -> tuple[Note, ...]: ...
    @property
    def history(self) -> tuple[Step, ...]: ...


C = TypeVar("C", Item, Alert)


def _done(case: _Case, request: Request) -> bool:
    return any(step.ref == request.action_id for step in case.history)


def _common(case: C, request: Request) -> C | Refused | None:
    """Claim, release or note: what items and alerts share."""
    if case.member_id == request.staff_id:
        return Refused(Refusal.OWN_CASE)
    step = Step(request.at, str(request.action), request.staff_id, request.action_id)
    history = (*case.history, step)
    other = case.owner is not None and case.owner != request.staff_id
    if request.action is CaseAction.NOTE:
        if not request.note.strip():
            return Refused(Refusal.NEEDS_NOTE)
        notes = (*case.notes, Note(request.staff_id, request.at, request.note))
        return replace(case, notes=notes, history=history)
    if other:
        return Refused(Refusal.CLAIMED_BY_OTHER)
    if request.action is CaseAction.CLAIM:
        return replace(case, owner=request.staff_id, history=history)
    return replace(case, owner=None, history=history)


def act_on_item(item: Item | None, request: Request) -> Item | Refused | None:
    """The item after the step, a refusal, or None (the step was applied already)."""
    if item is None:
        return Refused(Refusal.UNKNOWN_CASE)
    if _done(item, request):
        return None
    if item.member_id == request.staff_id:
        return Refused(Refusal.OWN_CASE)
    if not item.open and request.action is not CaseAction.NOTE:
        return Refused(Refusal.RESOLVED)
    if request.action is not CaseAction.RESOLVE:
        after = _common(item, request)
        if not isinstance(after, Item) or not after.open:
            return after
        return replace(after, status=ItemStatus.CLAIMED if after.owner else ItemStatus.OPEN)
    return _resolve(item, request)


def _resolve(item: Item, request: Request) -> Item | Refused:
    if request.outcome is None:
        return Refused(Refusal.NEEDS_OUTCOME)
    if request.outcome is Outcome.NO_ACTION and not request.note.strip():
        return Refused(Refusal.NEEDS_NOTE)
    if item.owner is not None and item.owner != request.staff_id:
        return Refused(Refusal.CLAIMED_BY_OTHER)
    step = Step(request.at, f"resolved: {request.outcome}", request.staff_id, request.action_id)
    notes = item.notes
    if request.note.strip():
        notes = (*notes, Note(request.staff_id, request.at, request.note))
    return replace(
        item,
        status=ItemStatus.RESOLVED,
        outcome=str(request.outcome),
        resolved_at=request.at,
        resolved_by=request.staff_id,
        notes=notes,
        history=(*item.history, step),
    )


def act_on_alert(alert: Alert | None, request: Request) -> Alert | Refused | None:
    """The alert after the step, a refusal, or None (the step was applied already)."""
    if alert is None or not alert.known:
        return Refused(Refusal.UNKNOWN_CASE)
    if _done(alert, request):
        return None
    if request.action is CaseAction.RESOLVE:
        return Refused(Refusal.NOT_AN_ITEM)
    return _common(alert, request)
