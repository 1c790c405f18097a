"""The staff desk as the console sees it: the methods it calls, typed as `kindred.gateway.staff`
types them. The console depends on this protocol, never on the internal clients, so its tests
run on a fake desk and the real desk satisfies it structurally.
"""

from __future__ import annotations

from typing import Literal, Protocol

from kindred.events.casework import CaseKind, CaseStep, Moderation, SupporterPause
from kindred.events.matching import SupporterRole
from kindred.gateway.accepted import Accepted
from kindred.gateway.auth import Principal
from kindred.gateway.routes import EpisodeClosure
from kindred.staff_views import (
    AlertCase,
    AuditTrail,
    CheckinView,
    ItemList,
    MemberCheckins,
    Queue,
    QueueView,
    ReviewItem,
    Roster,
)

Channel = Literal["api", "console"]


class AlertDetail(Protocol):
    """What an alert's page shows (`kindred.gateway.staff.AlertDetail`, read only here)."""

    @property
    def alert(self) -> AlertCase: ...
    @property
    def checkin(self) -> CheckinView | None: ...
    @property
    def recent(self) -> MemberCheckins: ...


class Desk(Protocol):
    """Every method checks the roles, refuses a staff member's own case (403), answers 404 for
    unknown things and 503 when a service or Kafka does not answer (fastapi.HTTPException with
    an `errors.error_body` detail), and audits before it answers or acts."""

    async def queue(self, who: Principal, channel: Channel) -> QueueView: ...
    async def queue_digest(self, who: Principal) -> str: ...
    async def alert(self, who: Principal, alert_id: str, channel: Channel) -> AlertDetail: ...
    async def items(
        self,
        who: Principal,
        queue: Queue,
        status: Literal["open", "resolved"],
        channel: Channel,
    ) -> ItemList: ...
    async def item(self, who: Principal, item_id: str, channel: Channel) -> ReviewItem: ...
    async def roster(self, who: Principal, channel: Channel) -> Roster: ...
    async def audit(
        self,
        who: Principal,
        channel: Channel,
        member_id: str | None = None,
        staff_id: str | None = None,
        limit: int = 100,
    ) -> AuditTrail: ...
    async def acknowledge(
        self, who: Principal, member_id: str, alert_id: str, channel: Channel
    ) -> Accepted: ...
    async def close_episode(
        self, who: Principal, member_id: str, closure: EpisodeClosure, channel: Channel
    ) -> Accepted: ...
    async def case_step(
        self, who: Principal, case_kind: CaseKind, case_id: str, step: CaseStep, channel: Channel
    ) -> Accepted: ...
    async def moderate(
        self, who: Principal, member_id: str, moderation: Moderation, channel: Channel
    ) -> Accepted: ...
    async def set_supporter_role(
        self, who: Principal, member_id: str, role: SupporterRole, channel: Channel
    ) -> Accepted: ...
    async def pause_supporter(
        self, who: Principal, member_id: str, pause: SupporterPause, channel: Channel
    ) -> Accepted: ...
    async def sign_in(self, who: Principal, channel: Channel) -> None: ...
