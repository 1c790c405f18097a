"""The staff desk: every staff view and action, for the JSON API (/v1/staff) and the console.

Each method checks the role, refuses a staff member's own case, looks up what it names (404,
or 503 when a service does not answer), then publishes the audit record (acks=all; when Kafka
does not confirm it: 503, nothing shown, nothing done) and only then reads the data or publishes
the action. Lists leave out the caller's own cases and the queues their roles do not open.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, TypeVar

from fastapi import HTTPException, status
from pydantic import BaseModel, ConfigDict, ValidationError

from kindred.events.casework import (
    AuditAction,
    AuditPurpose,
    CaseAction,
    CaseActionRequested,
    CaseActionRequestedData,
    CaseKind,
    CaseStep,
    MemberModerated,
    MemberModeratedData,
    Moderation,
    StaffAuditRecorded,
    StaffAuditRecordedData,
    StaffRole,
    SupporterPause,
    SupporterPauseSet,
    SupporterPauseSetData,
)
from kindred.events.envelope import Envelope, new_id
from kindred.events.matching import SupporterRole, SupporterRoleSet, SupporterRoleSetData
from kindred.events.notifications import SafetyAlertAckRequested, SafetyAlertAckRequestedData
from kindred.events.safety import SafetyEpisodeCloseRequested, SafetyEpisodeCloseRequestedData
from kindred.gateway.accepted import Accepted
from kindred.gateway.auth import (
    MODERATOR,
    OPERATOR,
    SAFETY_STAFF,
    SUPPORTER_ADMIN,
    Principal,
    require_any_role,
    require_role,
    staff_roles,
)
from kindred.gateway.errors import FieldProblem, error_body
from kindred.gateway.internal import Casework, Unreachable
from kindred.gateway.routes import (
    RETRY_AFTER_SECONDS,
    SOURCE,
    Call,
    EpisodeClosure,
    Publishing,
    alert_of_member,
    refuse_own_safety_data,
)
from kindred.staff_views import (
    AlertCase,
    AlertList,
    AuditTrail,
    CheckinView,
    ItemList,
    ItemStatus,
    MemberCases,
    MemberCheckins,
    Queue,
    QueueView,
    ReviewItem,
    Roster,
)

log = logging.getLogger(__name__)
T = TypeVar("T")
D = TypeVar("D", bound=BaseModel)
Channel = Literal["api", "console"]

AUDIT_UNAVAILABLE = (
    "this could not be recorded in the audit trail (Kafka did not confirm it in time): nothing "
    "was shown or done; try again in a moment"
)
CASEWORK_UNAVAILABLE = "the casework service does not answer now: try again in a moment"
CHECKINS_UNAVAILABLE = "the check-ins service does not answer now: try again in a moment"
OWN_CASE = "nobody views or acts on their own case: another member of staff must do this"
NOT_STAFF_ID = "the token's subject cannot be recorded as a staff member's id"
ALERT_UNKNOWN = "no alert {alert_id}"
ITEM_UNKNOWN = "no review item {item_id}"
SUPPORTER_UNKNOWN = "no supporter {member_id} in the roster"
ITEM_RESOLVED = "review item {item_id} is resolved: nothing more can be done on it"
ITEM_CLAIMED = "review item {item_id} is claimed by {owner}: they must release it first"
ALERT_RESOLVE = "an alert is not resolved: acknowledge it, then close the member's episode"
REPORT_ID = "an id: letters, digits and _ . : - only"
# How many of the member's check-ins an alert's page and a member's safety view show.
RECENT_CHECKINS = 20
# The queue each staff role opens, and the purpose its views and actions are recorded with.
QUEUES = {StaffRole.SAFETY_STAFF: Queue.SAFETY, StaffRole.MODERATOR: Queue.MODERATION}
QUEUE_ROLES = {queue: role for role, queue in QUEUES.items()}
PURPOSES = {
    StaffRole.SAFETY_STAFF: AuditPurpose.ALERT_RESPONSE,
    StaffRole.MODERATOR: AuditPurpose.MODERATION,
    StaffRole.SUPPORTER_ADMIN: AuditPurpose.SUPPORTER_ADMIN,
    StaffRole.OPERATOR: AuditPurpose.OVERSIGHT,
}
QUEUE_PURPOSES = {
    Queue.SAFETY: AuditPurpose.SAFETY_REVIEW,
    Queue.MODERATION: AuditPurpose.MODERATION,
}
_ID = re.compile(r"^[A-Za-z0-9_.:\-]{1,100}$")


class AlertDetail(BaseModel):
    """An alert's page: the alert, the check-in that fired it and the member's recent ones."""

    model_config = ConfigDict(frozen=True)

    alert: AlertCase
    checkin: CheckinView | None  # None only when check-ins has not stored it yet
    recent: MemberCheckins


class MemberSafetyView(BaseModel):
    """A member's safety record as staff see it: their cases and their check-ins."""

    model_config = ConfigDict(frozen=True)

    member_id: str
    cases: MemberCases
    checkins: MemberCheckins


def unavailable(detail: str) -> HTTPException:
    return HTTPException(
        status.HTTP_503_SERVICE_UNAVAILABLE,
        detail=error_body(503, detail),
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def not_found(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, detail=error_body(404, detail))


def conflict(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_409_CONFLICT, detail=error_body(409, detail))


def refuse_own_case() -> HTTPException:
    return HTTPException(status.HTTP_403_FORBIDDEN, detail=error_body(403, OWN_CASE))


def queues_of(who: Principal) -> frozenset[Queue]:
    return frozenset(QUEUES[role] for role in staff_roles(who) if role in QUEUES)


def visible_item(item: ReviewItem, who: Principal) -> bool:
    """A review item the caller may see: in a queue their roles open, not about themselves."""
    return item.queue in queues_of(who) and item.member_id != who.member_id


@dataclass(frozen=True)
class StaffDesk:
    """What staff see and do, audited; the console and the /v1/staff routes call only this."""

    publishing: Publishing
    casework: Casework

    # ------------------------------------------------------------------------- views

    async def queue(self, who: Principal, channel: Channel) -> QueueView:
        require_any_role(who, (SAFETY_STAFF, MODERATOR))
        queues = queues_of(who)
        purpose = AuditPurpose.ALERT_RESPONSE if Queue.SAFETY in queues else AuditPurpose.MODERATION
        await self._audit(who, channel, AuditAction.VIEW_QUEUE, purpose)
        return await self._queue(who)

    async def queue_digest(self, who: Principal) -> str:
        """A digest of the queue the caller would see, and nothing of it: a console polls it
        every few seconds and fetches the queue itself (audited) only when it changed."""
        require_any_role(who, (SAFETY_STAFF, MODERATOR))
        return (await self._queue(who)).digest()

    async def _queue(self, who: Principal) -> QueueView:
        queues = queues_of(who)
        view = await self._ask(self.casework.queue(queues), CASEWORK_UNAVAILABLE)
        entries = [e for e in view.entries if e.queue in queues and e.member_id != who.member_id]
        return QueueView(entries=entries)

    async def alerts(
        self, who: Principal, state: Literal["open", "recent"], channel: Channel
    ) -> AlertList:
        require_role(who, SAFETY_STAFF)
        await self._audit(who, channel, AuditAction.VIEW_QUEUE, AuditPurpose.ALERT_RESPONSE)
        found = await self._ask(self.casework.alerts(state), CASEWORK_UNAVAILABLE)
        return AlertList(alerts=[a for a in found.alerts if a.member_id != who.member_id])

    async def alert(self, who: Principal, alert_id: str, channel: Channel) -> AlertDetail:
        require_role(who, SAFETY_STAFF)
        alert = await self._alert(alert_id)
        if alert.member_id == who.member_id:
            raise refuse_own_safety_data()
        await self._audit(
            who,
            channel,
            AuditAction.VIEW_ALERT,
            AuditPurpose.ALERT_RESPONSE,
            member_id=alert.member_id,
            ref=alert.alert_id,
        )
        recent = await self._checkins(alert.member_id)
        fired = next((c for c in recent.checkins if c.checkin_id == alert.checkin_id), None)
        if fired is None:  # older than the recent ones: read on its own
            fired = await self._ask(
                self.publishing.checkins.member_checkin(alert.member_id, alert.checkin_id),
                CHECKINS_UNAVAILABLE,
            )
        return AlertDetail(alert=alert, checkin=fired, recent=recent)

    async def member_safety(
        self, who: Principal, member_id: str, channel: Channel
    ) -> MemberSafetyView:
        require_role(who, SAFETY_STAFF)
        if member_id == who.member_id:
            raise refuse_own_safety_data()
        await self._audit(
            who,
            channel,
            AuditAction.VIEW_MEMBER_SAFETY,
            AuditPurpose.SAFETY_REVIEW,
            member_id=member_id,
        )
        cases, checkins = await asyncio.gather(
            self._ask(self.casework.member_cases(member_id), CASEWORK_UNAVAILABLE),
            self._checkins(member_id),
        )
        # Reports (a moderation item's text) only for a caller who is a moderator too.
        items = [i for i in cases.items if visible_item(i, who)]
        shown = MemberCases(alerts=cases.alerts, items=items)
        return MemberSafetyView(member_id=member_id, cases=shown, checkins=checkins)

    async def items(
        self,
        who: Principal,
        queue: Queue,
        status: Literal["open", "resolved"],
        channel: Channel,
    ) -> ItemList:
        require_role(who, QUEUE_ROLES[queue])
        action = AuditAction.VIEW_REPORTS if queue is Queue.MODERATION else AuditAction.VIEW_QUEUE
        await self._audit(who, channel, action, QUEUE_PURPOSES[queue])
        found = await self._ask(self.casework.items(queue, status), CASEWORK_UNAVAILABLE)
        return ItemList(items=[i for i in found.items if visible_item(i, who)])

    async def item(self, who: Principal, item_id: str, channel: Channel) -> ReviewItem:
        item = await self._item(who, item_id)
        await self._audit(
            who,
            channel,
            AuditAction.VIEW_ITEM,
            QUEUE_PURPOSES[item.queue],
            member_id=item.member_id,
            ref=item.item_id,
        )
        return item

    async def roster(self, who: Principal, channel: Channel) -> Roster:
        require_role(who, SUPPORTER_ADMIN)
        await self._audit(who, channel, AuditAction.VIEW_ROSTER, AuditPurpose.SUPPORTER_ADMIN)
        return await self._ask(self.casework.roster(), CASEWORK_UNAVAILABLE)

    async def audit(
        self,
        who: Principal,
        channel: Channel,
        member_id: str | None = None,
        staff_id: str | None = None,
        limit: int = 100,
    ) -> AuditTrail:
        require_role(who, OPERATOR)
        if member_id == who.member_id:
            raise refuse_own_case()  # who looked at one's own record is for another operator
        await self._audit(
            who,
            channel,
            AuditAction.VIEW_AUDIT,
            AuditPurpose.OVERSIGHT,
            member_id=member_id,
            ref=staff_id,
        )
        return await self._ask(
            self.casework.audit(member_id, staff_id, limit), CASEWORK_UNAVAILABLE
        )

    async def sign_in(self, who: Principal, channel: Channel) -> None:
        """Recorded like a view: a staff member opened the console (or checked their token)."""
        roles = staff_roles(who)
        require_any_role(who, tuple(PURPOSES))
        purpose = next(PURPOSES[role] for role in StaffRole if role in roles)
        await self._audit(who, channel, AuditAction.SIGN_IN, purpose)

    # ------------------------------------------------------------------------- actions

    async def acknowledge(
        self,
        who: Principal,
        member_id: str,
        alert_id: str,
        channel: Channel,
        *,
        via: Literal["api", "code"] = "api",
    ) -> Accepted:
        """`via`: how the staff member named the alert: its ids (looked up here), or a page's
        short code (whose page, found in notifications, named the alert and its member)."""
        require_role(who, SAFETY_STAFF)
        if member_id == who.member_id:
            raise refuse_own_safety_data()
        if via == "api":
            call = Call({"member_id": member_id, "alert_id": alert_id}, None, who)
            await alert_of_member(call, self.publishing.notifications)
        audit = await self._audit(
            who,
            channel,
            AuditAction.ACKNOWLEDGE,
            AuditPurpose.ALERT_RESPONSE,
            member_id=member_id,
            ref=alert_id,
        )
        data = SafetyAlertAckRequestedData(
            alert_id=alert_id, member_id=member_id, staff_id=who.member_id, via=via
        )
        return await self._act(SafetyAlertAckRequested, data, member_id, alert_id, audit)

    async def close_episode(
        self, who: Principal, member_id: str, closure: EpisodeClosure, channel: Channel
    ) -> Accepted:
        require_role(who, SAFETY_STAFF)
        if member_id == who.member_id:
            raise refuse_own_safety_data()
        audit = await self._audit(
            who,
            channel,
            AuditAction.CLOSE_EPISODE,
            AuditPurpose.ALERT_RESPONSE,
            member_id=member_id,
            ref=closure.episode_id,
        )
        data = SafetyEpisodeCloseRequestedData(
            member_id=member_id,
            staff_id=who.member_id,
            reason=closure.reason,
            episode_id=closure.episode_id,
            last_alert_id=closure.last_alert_id,
        )
        return await self._act(SafetyEpisodeCloseRequested, data, member_id, member_id, audit)

    async def case_step(
        self, who: Principal, case_kind: CaseKind, case_id: str, step: CaseStep, channel: Channel
    ) -> Accepted:
        if case_kind is CaseKind.ALERT:
            require_role(who, SAFETY_STAFF)
            alert = await self._alert(case_id)
            member_id, purpose = alert.member_id, AuditPurpose.ALERT_RESPONSE
            if member_id == who.member_id:
                raise refuse_own_safety_data()
            if step.action is CaseAction.RESOLVE:
                raise conflict(ALERT_RESOLVE)
        else:
            item = await self._item(who, case_id)
            member_id, purpose = item.member_id, QUEUE_PURPOSES[item.queue]
            if item.status is ItemStatus.RESOLVED:
                raise conflict(ITEM_RESOLVED.format(item_id=case_id))
            if step.action is CaseAction.CLAIM and item.owner not in (None, who.member_id):
                raise conflict(ITEM_CLAIMED.format(item_id=case_id, owner=item.owner))
        audit = await self._audit(
            who, channel, AuditAction.CASE_STEP, purpose, member_id=member_id, ref=case_id
        )
        data = CaseActionRequestedData(
            action_id=new_id(),
            case_kind=case_kind,
            case_id=case_id,
            member_id=member_id,
            staff_id=who.member_id,
            at=datetime.now(UTC),
            **step.model_dump(),
        )
        return await self._act(CaseActionRequested, data, member_id, case_id, audit)

    async def moderate(
        self, who: Principal, member_id: str, moderation: Moderation, channel: Channel
    ) -> Accepted:
        require_role(who, MODERATOR)
        if member_id == who.member_id:
            raise refuse_own_case()
        report_id = moderation.report_id
        if report_id is not None and not _ID.fullmatch(report_id):
            problem = FieldProblem(field="report_id", problem=REPORT_ID)
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT,
                detail=error_body(422, f"report_id: {REPORT_ID}", [problem]),
            )
        audit = await self._audit(
            who,
            channel,
            AuditAction.MODERATE,
            AuditPurpose.MODERATION,
            member_id=member_id,
            ref=report_id,
        )
        data = MemberModeratedData(
            action_id=new_id(),
            member_id=member_id,
            staff_id=who.member_id,
            at=datetime.now(UTC),
            **moderation.model_dump(),
        )
        return await self._act(MemberModerated, data, member_id, data.action_id, audit)

    async def set_supporter_role(
        self, who: Principal, member_id: str, role: SupporterRole, channel: Channel
    ) -> Accepted:
        require_role(who, SUPPORTER_ADMIN)
        if member_id == who.member_id:
            raise refuse_own_case()
        audit = await self._audit(
            who,
            channel,
            AuditAction.SET_SUPPORTER_ROLE,
            AuditPurpose.SUPPORTER_ADMIN,
            member_id=member_id,
        )
        data = SupporterRoleSetData(
            member_id=member_id, staff_id=who.member_id, **role.model_dump()
        )
        return await self._act(SupporterRoleSet, data, member_id, member_id, audit)

    async def pause_supporter(
        self, who: Principal, member_id: str, pause: SupporterPause, channel: Channel
    ) -> Accepted:
        require_role(who, SUPPORTER_ADMIN)
        if member_id == who.member_id:
            raise refuse_own_case()
        found = await self._ask(self.casework.supporter(member_id), CASEWORK_UNAVAILABLE)
        if found is None:
            raise not_found(SUPPORTER_UNKNOWN.format(member_id=member_id))
        audit = await self._audit(
            who,
            channel,
            AuditAction.PAUSE_SUPPORTER,
            AuditPurpose.SUPPORTER_ADMIN,
            member_id=member_id,
        )
        data = SupporterPauseSetData(
            member_id=member_id, staff_id=who.member_id, at=datetime.now(UTC), **pause.model_dump()
        )
        return await self._act(SupporterPauseSet, data, member_id, member_id, audit)

    # ------------------------------------------------------------------------- the steps

    async def _ask(self, read: Awaitable[T], detail: str) -> T:
        try:
            return await read
        except Unreachable:
            raise unavailable(detail) from None

    async def _alert(self, alert_id: str) -> AlertCase:
        alert = await self._ask(self.casework.alert(alert_id), CASEWORK_UNAVAILABLE)
        if alert is None:
            raise not_found(ALERT_UNKNOWN.format(alert_id=alert_id))
        return alert

    async def _item(self, who: Principal, item_id: str) -> ReviewItem:
        """The item, for a caller whose role opens its queue and who is not its member."""
        # A role first: whether an item exists is not for a caller with no queue to see.
        require_any_role(who, (SAFETY_STAFF, MODERATOR))
        item = await self._ask(self.casework.item(item_id), CASEWORK_UNAVAILABLE)
        if item is None:
            raise not_found(ITEM_UNKNOWN.format(item_id=item_id))
        require_role(who, QUEUE_ROLES[item.queue])
        if item.member_id == who.member_id:
            raise refuse_own_safety_data() if item.queue is Queue.SAFETY else refuse_own_case()
        return item

    async def _checkins(self, member_id: str) -> MemberCheckins:
        checkins = self.publishing.checkins
        return await self._ask(
            checkins.member_checkins(member_id, RECENT_CHECKINS), CHECKINS_UNAVAILABLE
        )

    async def _audit(
        self,
        who: Principal,
        channel: Channel,
        action: AuditAction,
        purpose: AuditPurpose,
        *,
        member_id: str | None = None,
        ref: str | None = None,
    ) -> StaffAuditRecorded:
        """Published (acks=all) before anything is shown or done: else 503."""
        try:
            data = StaffAuditRecordedData(
                audit_id=new_id(),
                staff_id=who.member_id,
                roles=sorted(staff_roles(who)),
                action=action,
                purpose=purpose,
                member_id=member_id,
                ref=ref,
                channel=channel,
                at=datetime.now(UTC),
            )
        except ValidationError:
            # Only a token's subject can fail here: every other value was checked before.
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, detail=error_body(403, NOT_STAFF_ID)
            ) from None
        event = StaffAuditRecorded.new(subject=member_id or who.member_id, source=SOURCE, data=data)
        try:
            await self.publishing.accept(event, data.audit_id)
        except HTTPException as exc:
            raise unavailable(AUDIT_UNAVAILABLE) from exc
        return event

    async def _act(
        self,
        event_type: type[Envelope[D]],
        data: D,
        subject: str,
        resource_id: str,
        audit: StaffAuditRecorded,
    ) -> Accepted:
        """The action's event, in the audit record's correlation (the trail leads to it)."""
        event = event_type.new(
            subject=subject,
            source=SOURCE,
            data=data,
            correlationid=audit.correlationid,
            causationid=audit.id,
        )
        return await self.publishing.accept(event, resource_id)
