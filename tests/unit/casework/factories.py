"""The events casework consumes, as the services that publish them build them (for the casework
unit, contract and integration tests)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from kindred.events.casework import (
    AuditAction,
    AuditPurpose,
    CaseAction,
    CaseActionRequested,
    CaseActionRequestedData,
    CaseKind,
    MemberModerated,
    MemberModeratedData,
    ModerationAction,
    Outcome,
    ReportContext,
    ReportFiled,
    ReportFiledData,
    ReportReason,
    StaffAuditRecorded,
    StaffAuditRecordedData,
    SupporterPauseSet,
    SupporterPauseSetData,
)
from kindred.events.checkins import (
    CheckinRecorded,
    CheckinRecordedData,
    CheckinTrendWorsened,
    CheckinTrendWorsenedData,
)
from kindred.events.envelope import deterministic_id, new_id
from kindred.events.matching import (
    MatchAccepted,
    MatchChangedData,
    MatchEnded,
    MatchProposed,
    MatchProposedData,
    SupportRequestWaiting,
    SupportRequestWaitingData,
    WaitStage,
)
from kindred.events.notifications import (
    Channel,
    SafetyAlertAcknowledged,
    SafetyAlertAcknowledgedData,
    SafetyAlertEscalated,
    SafetyAlertEscalatedData,
)
from kindred.events.safety import (
    CloseRefusal,
    ReviewConcern,
    SafetyAlertRaised,
    SafetyAlertRaisedData,
    SafetyEpisodeClosed,
    SafetyEpisodeClosedData,
    SafetyEpisodeCloseRefused,
    SafetyEpisodeCloseRefusedData,
    SafetyEpisodeOpened,
    SafetyEpisodeOpenedData,
    SafetyReviewRequested,
    SafetyReviewRequestedData,
    TriggerFired,
)
from kindred.events.schedules import CheckinMissed, CheckinMissedData
from kindred.events.vocabulary import Topic, Urgency
from kindred.instruments import Scores, phq9_severity
from kindred.safety.phrases import ReviewReason
from kindred.safety.rules import Priority, Rule, Severity

T0 = datetime(2026, 12, 1, 7, tzinfo=UTC)


def alert_raised(
    member_id: str, severity: Severity = Severity.URGENT, at: datetime = T0, episode_id: str = ""
) -> SafetyAlertRaised:
    checkin_id = new_id()
    alert_id = deterministic_id("safety.alert", checkin_id)
    return SafetyAlertRaised.new(
        id=alert_id,
        subject=member_id,
        source="tests",
        data=SafetyAlertRaisedData(
            alert_id=alert_id,
            member_id=member_id,
            checkin_id=checkin_id,
            severity=severity,
            triggers=[TriggerFired(rule=Rule.PHQ9_ITEM9, severity=severity)],
            accepted_at=at,
            raised_at=at,
            episode_id=episode_id or new_id(),
        ),
    )


def escalated(
    alert: SafetyAlertRaised, level: int = 0, paged: str = "oncall-1", deadline_minutes: int = 5
) -> SafetyAlertEscalated:
    data = alert.data
    due = data.raised_at + timedelta(minutes=deadline_minutes * level)
    page_id = deterministic_id("page", data.alert_id, str(level))
    return SafetyAlertEscalated.new(
        id=page_id,
        subject=data.member_id,
        source="tests",
        data=SafetyAlertEscalatedData(
            alert_id=data.alert_id,
            member_id=data.member_id,
            severity=data.severity,
            level=level,
            fallback=False,
            repeat=0,
            page_id=page_id,
            paged=paged,
            channels=[Channel.EMAIL, Channel.INBOX],
            due_at=due,
            ack_deadline=due + timedelta(minutes=deadline_minutes),
        ),
    )


def acknowledged(alert: SafetyAlertRaised, staff_id: str, at: datetime) -> SafetyAlertAcknowledged:
    data = alert.data
    return SafetyAlertAcknowledged.new(
        subject=data.member_id,
        source="tests",
        data=SafetyAlertAcknowledgedData(
            alert_id=data.alert_id,
            member_id=data.member_id,
            staff_id=staff_id,
            acknowledged_at=at,
            latency_seconds=(at - data.raised_at).total_seconds(),
            level=0,
        ),
    )


def episode_opened(alert: SafetyAlertRaised) -> SafetyEpisodeOpened:
    data = alert.data
    return SafetyEpisodeOpened.new(
        subject=data.member_id,
        source="tests",
        data=SafetyEpisodeOpenedData(
            episode_id=data.episode_id,
            member_id=data.member_id,
            alert_id=data.alert_id,
            opened_at=data.raised_at,
        ),
    )


def episode_closed(alert: SafetyAlertRaised, staff_id: str, at: datetime) -> SafetyEpisodeClosed:
    data = alert.data
    return SafetyEpisodeClosed.new(
        subject=data.member_id,
        source="tests",
        data=SafetyEpisodeClosedData(
            episode_id=data.episode_id,
            member_id=data.member_id,
            closed_by=staff_id,
            reason="spoke with them",
            opened_at=data.raised_at,
            closed_at=at,
            alerts=1,
        ),
    )


def close_refused(
    alert: SafetyAlertRaised, staff_id: str, at: datetime
) -> SafetyEpisodeCloseRefused:
    data = alert.data
    return SafetyEpisodeCloseRefused.new(
        subject=data.member_id,
        source="tests",
        data=SafetyEpisodeCloseRefusedData(
            member_id=data.member_id,
            episode_id=data.episode_id,
            requested_by=staff_id,
            reason=CloseRefusal.NEWER_ALERT,
            refused_at=at,
        ),
    )


def review_requested(
    member_id: str, priority: Priority = Priority.HIGH, at: datetime = T0
) -> SafetyReviewRequested:
    review_id = new_id()
    return SafetyReviewRequested.new(
        id=review_id,
        subject=member_id,
        source="tests",
        data=SafetyReviewRequestedData(
            review_id=review_id,
            member_id=member_id,
            checkin_id=new_id(),
            priority=priority,
            concerns=[ReviewConcern(reason=ReviewReason.THIRD_PARTY, priority=priority)],
            accepted_at=at,
            requested_at=at,
        ),
    )


def recorded(
    member_id: str,
    at: datetime = T0,
    who5_raw: int | None = None,
    phq9_total: int | None = None,
) -> CheckinRecorded:
    checkin_id = new_id()
    scores = Scores(
        mood=5,
        who5_raw=who5_raw,
        who5_followup=None if who5_raw is None else who5_raw < 13,
        phq9_total=phq9_total,
        phq9_severity=None if phq9_total is None else phq9_severity(phq9_total),
    )
    return CheckinRecorded.new(
        id=deterministic_id("checkin.recorded", checkin_id),
        subject=member_id,
        source="tests",
        data=CheckinRecordedData(
            checkin_id=checkin_id, member_id=member_id, recorded_at=at, scores=scores
        ),
    )


def trend_worsened(member_id: str) -> CheckinTrendWorsened:
    return CheckinTrendWorsened.new(
        subject=member_id,
        source="tests",
        data=CheckinTrendWorsenedData(
            member_id=member_id,
            checkin_id=new_id(),
            measure="mood",
            value=2,
            recent_mean=6.5,
            recent_count=4,
        ),
    )


def missed(member_id: str, day: int) -> CheckinMissed:
    due = T0 + timedelta(days=day)
    return CheckinMissed.new(
        subject=member_id,
        source="tests",
        data=CheckinMissedData(
            member_id=member_id,
            occurrence_id=f"{member_id}:{day}",
            local_date=date(2026, 12, 1) + timedelta(days=day),
            due_at=due,
            window_ends_at=due + timedelta(hours=12),
            window_seconds=43_200,
            reminded=True,
        ),
    )


def report_filed(
    reporter_id: str,
    reported_id: str,
    reason: ReportReason = ReportReason.HARASSMENT,
    at: datetime = T0,
) -> ReportFiled:
    return ReportFiled.new(
        subject=reported_id,
        source="tests",
        data=ReportFiledData(
            reported_id=reported_id,
            context=ReportContext.MATCH,
            context_id=new_id(),
            reason=reason,
            text="kept pressing me to meet",
            report_id=new_id(),
            reporter_id=reporter_id,
            filed_at=at,
        ),
    )


def moderated(
    member_id: str,
    action: ModerationAction,
    staff_id: str = "mod-1",
    report_id: str | None = None,
    note: str = "",
    at: datetime = T0,
) -> MemberModerated:
    return MemberModerated.new(
        subject=member_id,
        source="tests",
        data=MemberModeratedData(
            action=action,
            report_id=report_id,
            note=note or ("no breach" if action is ModerationAction.DISMISS else ""),
            action_id=new_id(),
            member_id=member_id,
            staff_id=staff_id,
            at=at,
        ),
    )


def pause_set(member_id: str, paused: bool, staff_id: str = "admin-1") -> SupporterPauseSet:
    return SupporterPauseSet.new(
        subject=member_id,
        source="tests",
        data=SupporterPauseSetData(
            paused=paused, note="on leave", member_id=member_id, staff_id=staff_id, at=T0
        ),
    )


def case_action(
    kind: CaseKind,
    case_id: str,
    member_id: str,
    staff_id: str,
    action: CaseAction,
    outcome: Outcome | None = None,
    note: str = "",
    at: datetime = T0,
) -> CaseActionRequested:
    """A staff step as the gateway publishes it (the body already checked by `CaseStep`)."""
    data = CaseActionRequestedData.model_construct(
        action=action,
        outcome=outcome,
        note=note,
        action_id=new_id(),
        case_kind=kind,
        case_id=case_id,
        member_id=member_id,
        staff_id=staff_id,
        at=at,
    )
    return CaseActionRequested.new(subject=member_id, source="tests", data=data)


def audit_recorded(
    staff_id: str, member_id: str | None, action: AuditAction, at: datetime = T0
) -> StaffAuditRecorded:
    return StaffAuditRecorded.new(
        subject=member_id or staff_id,
        source="tests",
        data=StaffAuditRecordedData(
            audit_id=new_id(),
            staff_id=staff_id,
            roles=["safety-staff"],
            action=action,
            purpose=AuditPurpose.ALERT_RESPONSE,
            member_id=member_id,
            ref=None,
            channel="api",
            at=at,
        ),
    )


def request_waiting(
    seeker_id: str, request_id: str, stage: WaitStage = WaitStage.OVERDUE
) -> SupportRequestWaiting:
    return SupportRequestWaiting.new(
        id=deterministic_id("support.request-waiting", request_id, stage),
        subject=seeker_id,
        source="tests",
        data=SupportRequestWaitingData(
            request_id=request_id,
            seeker_id=seeker_id,
            topics=[Topic.GRIEF],
            language="en",
            urgency=Urgency.NORMAL,
            stage=stage,
            reason="no-capacity",
            waited_seconds=73 * 3600,
            ahead=4,
        ),
    )


def proposed(
    seeker_id: str, supporter_id: str, match_id: str = "", request_id: str = ""
) -> MatchProposed:
    match_id = match_id or new_id()
    return MatchProposed.new(
        subject=match_id,
        source="tests",
        data=MatchProposedData(
            match_id=match_id,
            request_id=request_id or new_id(),
            seeker_id=seeker_id,
            supporter_id=supporter_id,
            shared_topics=[Topic.GRIEF],
            language="en",
        ),
    )


def _changed(match: MatchProposed, by: str, reported: bool = False) -> MatchChangedData:
    data = match.data
    return MatchChangedData(
        match_id=data.match_id,
        request_id=data.request_id,
        seeker_id=data.seeker_id,
        supporter_id=data.supporter_id,
        by=by,
        reported=reported,
    )


def accepted(match: MatchProposed) -> MatchAccepted:
    data = _changed(match, match.data.supporter_id)
    return MatchAccepted.new(subject=data.match_id, source="tests", data=data)


def ended(match: MatchProposed, by: str, reported: bool = False) -> MatchEnded:
    data = _changed(match, by, reported)
    return MatchEnded.new(subject=data.match_id, source="tests", data=data)
