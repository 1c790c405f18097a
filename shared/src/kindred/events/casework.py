"""The staff workspace's events: reports, moderation, supporter standing, actions on cases
(alerts and review items) and the audit trail of what staff saw and did.

Reports are keyed by the reported member, so the casework partition that owns that member holds
the report and its moderation item. Staff actions are keyed by the member they concern. An
audit record holds who, what, when and why (a purpose and a reference), never answers or free
text.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, StringConstraints, model_validator

from kindred.events.envelope import Envelope
from kindred.events.topics import (
    CASE_ACTION_REQUESTED,
    CASEWORK_INPUT,
    MEMBER_MODERATED,
    REPORT_FILED,
    STAFF_AUDIT_RECORDED,
    SUPPORTER_PAUSE_SET,
)
from kindred.events.vocabulary import MemberId

_CONFIG = ConfigDict(frozen=True, extra="forbid")
StaffId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:\-]{1,64}$")]
CaseId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:\-]{1,100}$")]


# ----------------------------------------------------------------------------- staff roles


class StaffRole(StrEnum):
    """The staff roles a token's `roles` can carry: explicit, separate, never implied."""

    SAFETY_STAFF = "safety-staff"  # alerts, episodes, safety review items
    MODERATOR = "moderator"  # reports and the moderation queue
    SUPPORTER_ADMIN = "supporter-admin"  # the supporter roster and standing
    OPERATOR = "operator"  # the audit trail


# ----------------------------------------------------------------------------- reports


class ReportContext(StrEnum):
    """What a report is about: a match, a peer group's member, or (later) a message."""

    MATCH = "match"
    GROUP = "group"
    MESSAGE = "message"


class ReportReason(StrEnum):
    HARASSMENT = "harassment"
    HATE = "hate"
    SEXUAL_CONTENT = "sexual-content"
    SPAM = "spam"
    SCAM = "scam"
    IMPERSONATION = "impersonation"
    HARMFUL_ADVICE = "harmful-advice"
    SAFETY_CONCERN = "safety-concern"  # the reporter fears for the reported member
    BOUNDARIES = "boundaries"  # pressure to meet, share contact details, money
    OTHER = "other"


class Report(BaseModel):
    """The body of `POST /v1/members/{id}/reports`: a member reports another."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    reported_id: MemberId = Field(description="The member reported")
    context: ReportContext
    context_id: CaseId = Field(description="The match, group or message the report is about")
    reason: ReportReason
    text: str = Field(
        default="", max_length=2000, description="What happened, in the reporter's words"
    )


class ReportFiledData(Report):
    report_id: str = Field(min_length=1, max_length=100)
    reporter_id: MemberId
    filed_at: datetime


class ReportFiled(Envelope[ReportFiledData]):
    """A member reported another. Subject: the reported member's id."""

    TOPIC: ClassVar[str] = REPORT_FILED
    type: Literal["kindred.report.filed.v1"] = "kindred.report.filed.v1"


# ----------------------------------------------------------------------------- moderation


# Text with something besides white space (what `str.strip()` leaves non-empty), for schemas.
_SAID: dict[str, JsonValue] = {"type": "string", "pattern": "[^\\s\\x1c-\\x1f\\x85]"}
_NOTED: dict[str, JsonValue] = {"required": ["note"], "properties": {"note": _SAID}}


def _when(prop: str, value: str, then: dict[str, JsonValue]) -> dict[str, JsonValue]:
    return {"if": {"properties": {prop: {"const": value}}, "required": [prop]}, "then": then}


class ModerationAction(StrEnum):
    HIDE = "hide"  # hide the reported content (a message, a shared resource)
    WARN = "warn"  # the member is told a moderator warned them
    SUSPEND_MATCHING = "suspend-matching"  # no new matches as a seeker, no group joins
    SUSPEND_SUPPORTING = "suspend-supporting"  # never proposed as a supporter
    RESTORE = "restore"  # lift every suspension
    DISMISS = "dismiss"  # the report needs no action (with a note)


class Moderation(BaseModel):
    """The body of `POST /v1/staff/members/{id}/moderation` (role `moderator`)."""

    # The schema says what `_dismiss_needs_note` enforces.
    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        hide_input_in_errors=True,
        json_schema_extra=_when("action", "dismiss", _NOTED),
    )

    action: ModerationAction
    report_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="The report this action settles, when it settles one",
    )
    note: str = Field(default="", max_length=1000, description="Why (kept with the case)")

    @model_validator(mode="after")
    def _dismiss_needs_note(self) -> Moderation:
        if self.action is ModerationAction.DISMISS and not self.note.strip():
            raise ValueError("note: dismissing a report needs a note saying why")
        return self


class MemberModeratedData(Moderation):
    action_id: str = Field(min_length=1, max_length=100)
    member_id: MemberId
    staff_id: StaffId
    at: datetime


class MemberModerated(Envelope[MemberModeratedData]):
    """A moderator acted on a member: matching honours suspensions, notifications tells the
    member. Subject: the member acted on."""

    TOPIC: ClassVar[str] = MEMBER_MODERATED
    type: Literal["kindred.member.moderated.v1"] = "kindred.member.moderated.v1"


# ----------------------------------------------------------------------------- supporters


class SupporterPause(BaseModel):
    """The body of `PUT /v1/staff/supporters/{id}/pause` (role `supporter-admin`)."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    paused: bool
    note: str = Field(default="", max_length=500, description="Why (kept in the roster)")


class SupporterPauseSetData(SupporterPause):
    member_id: MemberId
    staff_id: StaffId
    at: datetime


class SupporterPauseSet(Envelope[SupporterPauseSetData]):
    """A supporter admin paused (or resumed) a supporter: while paused, no new proposals.
    Subject: the supporter's member id."""

    TOPIC: ClassVar[str] = SUPPORTER_PAUSE_SET
    type: Literal["kindred.supporter.pause-set.v1"] = "kindred.supporter.pause-set.v1"


# ----------------------------------------------------------------------------- cases


class CaseKind(StrEnum):
    ALERT = "alert"
    ITEM = "item"


class CaseAction(StrEnum):
    CLAIM = "claim"  # take ownership
    RELEASE = "release"  # give it back to the queue
    NOTE = "note"  # add a note (alerts and items)
    RESOLVE = "resolve"  # close a review item with an outcome


class Outcome(StrEnum):
    CONTACTED = "contacted"
    REFERRED = "referred"
    NO_ACTION = "no-action"  # needs a note


class CaseStep(BaseModel):
    """The body of `POST /v1/staff/cases/{case_kind}/{case_id}/actions`: one step on an alert
    or item."""

    # The schema says what `_consistent` enforces.
    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        hide_input_in_errors=True,
        json_schema_extra={
            "allOf": [
                {
                    **_when(
                        "action",
                        "resolve",
                        {"required": ["outcome"], "properties": {"outcome": {"type": "string"}}},
                    ),
                    "else": {"properties": {"outcome": {"type": "null"}}},
                },
                _when("action", "note", _NOTED),
                _when("outcome", "no-action", _NOTED),
            ]
        },
    )

    action: CaseAction
    outcome: Outcome | None = Field(default=None, description="For `resolve`")
    note: str = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _consistent(self) -> CaseStep:
        if self.action is CaseAction.RESOLVE and self.outcome is None:
            raise ValueError("outcome: resolving needs an outcome")
        if self.action is not CaseAction.RESOLVE and self.outcome is not None:
            raise ValueError("outcome: only `resolve` takes an outcome")
        needs_note = self.action is CaseAction.NOTE or self.outcome is Outcome.NO_ACTION
        if needs_note and not self.note.strip():
            raise ValueError("note: this step needs a note")
        return self


class CaseActionRequestedData(CaseStep):
    action_id: str = Field(min_length=1, max_length=100)
    case_kind: CaseKind
    case_id: CaseId
    member_id: MemberId
    staff_id: StaffId
    at: datetime


class CaseActionRequested(Envelope[CaseActionRequestedData]):
    """A staff member claimed, released, noted or resolved a case. Subject: the member the case
    is about, so it reaches the partition that owns the case."""

    TOPIC: ClassVar[str] = CASE_ACTION_REQUESTED
    type: Literal["kindred.case.action-requested.v1"] = "kindred.case.action-requested.v1"


# ----------------------------------------------------------------------------- audit


class AuditAction(StrEnum):
    """What a staff member did. Views of a member's safety data are `view-*`."""

    SIGN_IN = "sign-in"
    VIEW_QUEUE = "view-queue"
    VIEW_ALERT = "view-alert"
    VIEW_MEMBER_SAFETY = "view-member-safety"
    VIEW_ITEM = "view-item"
    VIEW_REPORTS = "view-reports"
    VIEW_ROSTER = "view-roster"
    VIEW_AUDIT = "view-audit"
    ACKNOWLEDGE = "acknowledge"
    CLOSE_EPISODE = "close-episode"
    CASE_STEP = "case-step"
    MODERATE = "moderate"
    SET_SUPPORTER_ROLE = "set-supporter-role"
    PAUSE_SUPPORTER = "pause-supporter"


class AuditPurpose(StrEnum):
    """Why: the work the view or action was part of."""

    ALERT_RESPONSE = "alert-response"
    SAFETY_REVIEW = "safety-review"
    MODERATION = "moderation"
    SUPPORTER_ADMIN = "supporter-admin"
    OVERSIGHT = "oversight"


class StaffAuditRecordedData(BaseModel):
    model_config = _CONFIG

    audit_id: str = Field(min_length=1, max_length=100)
    staff_id: StaffId
    roles: list[str] = Field(max_length=10)
    action: AuditAction
    purpose: AuditPurpose
    # The member whose data was seen or acted on (None: a queue or roster view).
    member_id: MemberId | None = None
    # The alert, item, report or detail the view or action named (an id, never text).
    ref: CaseId | None = None
    # Where: the JSON API or the console.
    channel: Literal["api", "console"]
    at: datetime


class StaffAuditRecorded(Envelope[StaffAuditRecordedData]):
    """A staff member saw or did something the audit trail keeps. Published before the data is
    answered: a view that cannot be recorded is not shown. Subject: the member concerned, else
    the staff member."""

    TOPIC: ClassVar[str] = STAFF_AUDIT_RECORDED
    type: Literal["kindred.staff.audit-recorded.v1"] = "kindred.staff.audit-recorded.v1"


# ----------------------------------------------------------------------------- internal


class SupporterActivity(BaseModel):
    """A match step, handed to the partition of the supporter (roster load, recent matches)."""

    model_config = _CONFIG

    kind: Literal["supporter-activity"] = "supporter-activity"
    supporter_id: MemberId
    match_id: str
    seeker_id: MemberId
    step: Literal["proposed", "accepted", "declined", "expired", "ended"]
    at: datetime


class ReportedAtEnd(BaseModel):
    """A match ended with `report: true`, handed to the partition of the reported member."""

    model_config = _CONFIG

    kind: Literal["reported-at-end"] = "reported-at-end"
    reported_id: MemberId
    reporter_id: MemberId
    match_id: str
    reason: str | None = None
    at: datetime


class RequestMatched(BaseModel):
    """A match accepted, handed to the partition of the seeker: an item about the request's
    long wait is settled."""

    model_config = _CONFIG

    kind: Literal["request-matched"] = "request-matched"
    seeker_id: MemberId
    request_id: str
    match_id: str
    at: datetime


class CaseworkInputData(BaseModel):
    model_config = _CONFIG

    input: SupporterActivity | ReportedAtEnd | RequestMatched = Field(discriminator="kind")


class CaseworkInput(Envelope[CaseworkInputData]):
    """Inside casework: a match event (keyed by the match) handed to the partition of the
    member it concerns. Subject: that member."""

    TOPIC: ClassVar[str] = CASEWORK_INPUT
    type: Literal["kindred.casework.input.v1"] = "kindred.casework.input.v1"
