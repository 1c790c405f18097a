"""What staff read, as the internal APIs answer it (behind INTERNAL_API_TOKEN) and the gateway
passes it on: the casework service's cases, queue, reports, roster and audit trail, and the
check-ins service's record of a member's check-ins. One model per answer, shared by the
service that serves it and the gateway that reads it.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from kindred.events.casework import (
    AuditAction,
    AuditPurpose,
    ModerationAction,
    Outcome,
    ReportContext,
    ReportReason,
)

_VIEW = ConfigDict(frozen=True, extra="ignore")


class Queue(StrEnum):
    SAFETY = "safety"  # safety staff
    MODERATION = "moderation"  # moderators


class ItemKind(StrEnum):
    """Why a review item exists: each signal that needs a human and is no alert."""

    SAFETY_REVIEW = "safety-review"  # third party, past tense, what the rules cannot clear
    WHO5_FOLLOWUP = "who5-followup"
    PHQ9_SEVERE = "phq9-severe"  # whatever item 9 says
    TREND_WORSENED = "trend-worsened"
    MISSED_CHECKINS = "missed-checkins"  # a streak of them
    MEMBER_REPORTED = "member-reported"  # moderation queue
    # A support request waited past MATCH_MAX_WAIT_HOURS without a proposal; settled when a
    # match for it is accepted.
    REQUEST_OVERDUE = "request-overdue"


class ItemPriority(StrEnum):
    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"


class ItemStatus(StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    RESOLVED = "resolved"


class CaseNote(BaseModel):
    model_config = _VIEW

    staff_id: str
    at: datetime
    note: str


class CaseStepView(BaseModel):
    """One step of a case's history: what happened, when, by whom (a system step: by None)."""

    model_config = _VIEW

    at: datetime
    what: str
    by: str | None = None


# ----------------------------------------------------------------------------- alerts


class PageRecord(BaseModel):
    model_config = _VIEW

    page_id: str
    level: int
    fallback: bool
    repeat: int
    paged: str
    channels: list[str]
    due_at: datetime
    ack_deadline: datetime


class Trigger(BaseModel):
    model_config = _VIEW

    rule: str
    severity: str


class AlertCase(BaseModel):
    """A safety alert as staff work it: the trigger, who was paged when, the deadline, the
    acknowledgement, the episode and the notes."""

    model_config = _VIEW

    alert_id: str
    member_id: str
    checkin_id: str
    episode_id: str
    severity: str
    triggers: list[Trigger]
    accepted_at: datetime
    raised_at: datetime
    pages: list[PageRecord]
    # The deadline of the latest page (None before the first page is recorded).
    ack_deadline: datetime | None = None
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    episode_open: bool = True
    episode_closed_at: datetime | None = None
    episode_closed_by: str | None = None
    owner: str | None = None
    notes: list[CaseNote] = []
    history: list[CaseStepView] = []


class AlertList(BaseModel):
    model_config = _VIEW

    alerts: list[AlertCase]


# ----------------------------------------------------------------------------- items, reports


class ReportView(BaseModel):
    model_config = _VIEW

    report_id: str
    reporter_id: str
    reported_id: str
    context: ReportContext
    context_id: str
    reason: ReportReason
    text: str
    filed_at: datetime
    status: Literal["open", "actioned", "dismissed"]
    actions: list[ModerationStep] = []


class ModerationStep(BaseModel):
    model_config = _VIEW

    action: ModerationAction
    staff_id: str
    at: datetime
    note: str = ""


class ReviewItem(BaseModel):
    model_config = _VIEW

    item_id: str
    member_id: str
    queue: Queue
    kind: ItemKind
    priority: ItemPriority
    # What raised it, as names and figures (review reasons, a measure and its drop, a streak,
    # a report's reason): never the member's words.
    detail: dict[str, Any]
    created_at: datetime
    status: ItemStatus
    owner: str | None = None
    outcome: Outcome | None = None
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    notes: list[CaseNote] = []
    history: list[CaseStepView] = []
    # For a `member-reported` item: the report (the reporter's text included; moderators only).
    report: ReportView | None = None


class ItemList(BaseModel):
    model_config = _VIEW

    items: list[ReviewItem]


class MemberCases(BaseModel):
    """`GET /internal/members/{id}/cases` on casework: the member's alerts and items, newest
    first."""

    model_config = _VIEW

    alerts: list[AlertCase]
    items: list[ReviewItem]


class QueueEntry(BaseModel):
    """One line of the live queue: an unacknowledged or open alert, or an open item."""

    model_config = _VIEW

    kind: Literal["alert", "item"]
    id: str
    member_id: str
    queue: Queue
    priority: ItemPriority  # an alert's severity: urgent or high
    what: str  # the alert's first rule, or the item's kind
    created_at: datetime
    deadline: datetime | None = None  # an alert's acknowledgement deadline
    acknowledged: bool = False
    owner: str | None = None


class QueueView(BaseModel):
    model_config = _VIEW

    entries: list[QueueEntry]  # by urgency, then age (oldest first)

    def digest(self) -> str:
        """Changes whenever the queue does, and says nothing of it."""
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()[:32]


# ----------------------------------------------------------------------------- supporters


class MatchLine(BaseModel):
    model_config = _VIEW

    match_id: str
    seeker_id: str
    step: str
    at: datetime


class StandingStep(BaseModel):
    """Who granted, withdrew, paused, resumed, suspended or restored, when and why."""

    model_config = _VIEW

    what: str
    staff_id: str
    at: datetime
    note: str = ""


class RosterEntry(BaseModel):
    model_config = _VIEW

    member_id: str
    granted: bool
    minors_cleared: bool = False
    paused: bool = False
    suspended_supporting: bool = False
    suspended_matching: bool = False
    active_matches: int = 0
    pending_proposals: int = 0
    recent_matches: list[MatchLine] = []
    standing: list[StandingStep] = []


class Roster(BaseModel):
    model_config = _VIEW

    supporters: list[RosterEntry]


# ----------------------------------------------------------------------------- audit


class AuditEntry(BaseModel):
    model_config = _VIEW

    audit_id: str
    staff_id: str
    roles: list[str]
    action: AuditAction
    purpose: AuditPurpose
    member_id: str | None = None
    ref: str | None = None
    channel: Literal["api", "console"]
    at: datetime


class AuditTrail(BaseModel):
    model_config = _VIEW

    entries: list[AuditEntry]  # newest first


# ----------------------------------------------------------------------------- check-ins


class CheckinView(BaseModel):
    """One check-in as the check-ins service keeps it: the answers and note included."""

    model_config = _VIEW

    checkin_id: str
    recorded_at: datetime
    accepted_at: datetime | None = None
    answers: dict[str, Any]
    scores: dict[str, Any] | None = None
    safety_rules: list[str] = []
    review: list[str] = []


class EpisodeView(BaseModel):
    model_config = _VIEW

    episode_id: str
    opened_at: datetime
    alert_ids: list[str]


class MemberCheckins(BaseModel):
    """`GET /internal/members/{id}/checkins` on check-ins: the newest check-ins first, the
    recent scores the trend rules read (oldest first) and the open episode."""

    model_config = _VIEW

    member_id: str
    checkins: list[CheckinView]
    moods: list[int] = []
    who5: list[int] = []
    episode: EpisodeView | None = None


ReportView.model_rebuild()
