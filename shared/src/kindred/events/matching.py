"""Events about support requests, matches, supporters' roles, blocks and peer groups."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    StrictBool,
    StrictInt,
    field_validator,
    model_validator,
)

from kindred.events.envelope import Envelope, deterministic_id
from kindred.events.topics import (
    GROUP_ACTION_REQUESTED,
    GROUP_MEMBERSHIP_CHANGED,
    MATCH_ACCEPTED,
    MATCH_ACTION_REQUESTED,
    MATCH_DECLINED,
    MATCH_ENDED,
    MATCH_EXPIRED,
    MATCH_PROPOSED,
    MEMBER_BLOCKED,
    POOL_INPUT,
    SUPPORT_REQUEST_REFUSED,
    SUPPORT_REQUEST_WAITING,
    SUPPORT_REQUESTED,
    SUPPORTER_ROLE_SET,
)
from kindred.events.vocabulary import AgeBand, LanguageCode, MemberId, Topic, Urgency

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class SupportRequest(BaseModel):
    """The body of `POST /v1/members/{id}/support-requests`."""

    model_config = _FROZEN

    topics: list[Topic] = Field(min_length=1, max_length=10)
    whats_going_on: str = Field(default="", max_length=2000)
    language: LanguageCode
    urgency: Urgency = Urgency.NORMAL


class SupportRequestedData(SupportRequest):
    request_id: str = Field(min_length=1, max_length=100)
    seeker_id: MemberId


class SupportRequested(Envelope[SupportRequestedData]):
    """A seeker asked for peer support. Subject: the seeker id."""

    TOPIC: ClassVar[str] = SUPPORT_REQUESTED
    type: Literal["kindred.support.requested.v1"] = "kindred.support.requested.v1"


class SupportRequestRefusedData(BaseModel):
    model_config = _FROZEN

    request_id: str
    seeker_id: MemberId
    reason: str = Field(
        description="Why: 'open-request-limit' (too many requests still open) or 'suspended'"
        " (a moderator suspended the seeker's matching)"
    )


class SupportRequestRefused(Envelope[SupportRequestRefusedData]):
    """Matching did not take a request into its pool. Subject: the seeker id."""

    TOPIC: ClassVar[str] = SUPPORT_REQUEST_REFUSED
    type: Literal["kindred.support.request-refused.v1"] = "kindred.support.request-refused.v1"


class WaitStage(StrEnum):
    """How long a request has waited: long enough to tell the member where they stand
    (`MATCH_WAIT_NOTICE_HOURS`), or past the longest wait, when staff are told too
    (`MATCH_MAX_WAIT_HOURS`)."""

    NOTICE = "notice"
    OVERDUE = "overdue"


class SupportRequestWaitingData(BaseModel):
    model_config = _FROZEN

    request_id: str
    seeker_id: MemberId
    topics: list[Topic]
    language: LanguageCode
    urgency: Urgency
    stage: WaitStage
    reason: str = Field(
        description="Why it waits, as of the last batch: 'no-capacity', "
        "'no-supporter-for-language', 'no-eligible-supporter', 'safety-episode', 'no-profile', "
        "'minor', or 'new' (not through a batch yet)"
    )
    waited_seconds: float = Field(ge=0, description="Since the request arrived")
    ahead: int = Field(
        ge=0,
        description="Open requests of the same language before it in the pool's order (more"
        " urgent, then older): how many are served first when a slot frees",
    )


class SupportRequestWaiting(Envelope[SupportRequestWaitingData]):
    """A request has waited long without a proposal: the member is told where they stand
    (`notice`), and past the longest wait staff are told too (`overdue`); once per request and
    stage. Subject: the seeker id."""

    TOPIC: ClassVar[str] = SUPPORT_REQUEST_WAITING
    type: Literal["kindred.support.request-waiting.v1"] = "kindred.support.request-waiting.v1"


class MatchProposedData(BaseModel):
    model_config = _FROZEN

    match_id: str
    request_id: str
    seeker_id: MemberId
    supporter_id: MemberId
    shared_topics: list[Topic]
    language: LanguageCode
    # The soft score, 0-1 (the weighted mean of `breakdown`); absent in proposals made before
    # the engine scored them.
    score: float | None = Field(default=None, ge=0, le=1)
    # Each part of the score before weighting: topics, text, availability, load, fairness.
    breakdown: dict[str, float] = Field(default_factory=dict)
    expires_at: datetime | None = None
    # The how-manieth proposal for this request (1 first; more after declines or expiries).
    attempt: int = Field(default=1, ge=1)


class MatchProposed(Envelope[MatchProposedData]):
    """A supporter was proposed to a seeker. Subject: the match id."""

    TOPIC: ClassVar[str] = MATCH_PROPOSED
    type: Literal["kindred.match.proposed.v1"] = "kindred.match.proposed.v1"


class MatchChangedData(BaseModel):
    """A later step of a match: who, and why."""

    model_config = _FROZEN

    match_id: str
    request_id: str
    seeker_id: MemberId
    supporter_id: MemberId
    # Who acted (a member id), or "matching" for what matching did itself (expiry, blocks).
    by: str
    reason: str | None = None
    rating: int | None = Field(default=None, ge=1, le=5)
    reported: bool = False


class MatchAccepted(Envelope[MatchChangedData]):
    """The supporter accepted: the match is active. Subject: the match id."""

    TOPIC: ClassVar[str] = MATCH_ACCEPTED
    type: Literal["kindred.match.accepted.v1"] = "kindred.match.accepted.v1"


class MatchDeclined(Envelope[MatchChangedData]):
    """A proposal was declined (or withdrawn: a block, a safety episode). Subject: the match id."""

    TOPIC: ClassVar[str] = MATCH_DECLINED
    type: Literal["kindred.match.declined.v1"] = "kindred.match.declined.v1"


class MatchExpired(Envelope[MatchChangedData]):
    """Nobody answered a proposal before its deadline. Subject: the match id."""

    TOPIC: ClassVar[str] = MATCH_EXPIRED
    type: Literal["kindred.match.expired.v1"] = "kindred.match.expired.v1"


class MatchEnded(Envelope[MatchChangedData]):
    """An active match ended. Subject: the match id."""

    TOPIC: ClassVar[str] = MATCH_ENDED
    type: Literal["kindred.match.ended.v1"] = "kindred.match.ended.v1"


class MatchAction(StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"
    END = "end"


class MatchEnd(BaseModel):
    """The body of `POST /v1/members/{id}/matches/{match_id}/end`."""

    model_config = _FROZEN

    reason: str = Field(default="finished", min_length=1, max_length=200)
    rating: StrictInt | None = Field(default=None, ge=1, le=5, description="1-5, an integer")
    feedback: str = Field(default="", max_length=2000)
    # Reporting the other member: the pair is never matched again; staff review the report.
    report: StrictBool = False


class MatchActionRequestedData(BaseModel):
    model_config = _FROZEN

    match_id: str = Field(min_length=1, max_length=100)
    member_id: MemberId
    action: MatchAction
    end: MatchEnd | None = None


class MatchActionRequested(Envelope[MatchActionRequestedData]):
    """A member accepted, declined or ended a match. Subject: the member id."""

    TOPIC: ClassVar[str] = MATCH_ACTION_REQUESTED
    type: Literal["kindred.match.action-requested.v1"] = "kindred.match.action-requested.v1"


class SupporterRole(BaseModel):
    """The body of `PUT /v1/staff/supporters/{id}`: staff grant (or withdraw) the supporter
    role; a profile alone never makes anyone a supporter."""

    model_config = _FROZEN

    granted: StrictBool
    # Trained and cleared to support minors (when MATCH_MINORS is on).
    minors_cleared: StrictBool = False
    # Why, for the audit trail.
    note: str = Field(default="", max_length=500)


class SupporterRoleSetData(SupporterRole):
    member_id: MemberId
    staff_id: str = Field(min_length=1, max_length=64)


class SupporterRoleSet(Envelope[SupporterRoleSetData]):
    """Staff granted or withdrew a member's supporter role. Subject: the member id."""

    TOPIC: ClassVar[str] = SUPPORTER_ROLE_SET
    type: Literal["kindred.supporter.role-set.v1"] = "kindred.supporter.role-set.v1"


class Block(BaseModel):
    """The body of `POST /v1/members/{id}/blocks`."""

    model_config = _FROZEN

    blocked_id: MemberId
    # None: for good.
    until: datetime | None = None

    @field_validator("until")
    @classmethod
    def _aware(cls, until: datetime | None) -> datetime | None:
        if until is not None and until.tzinfo is None:
            raise ValueError("give a time zone (e.g. 2027-01-01T00:00:00Z)")
        return until


class MemberBlockedData(Block):
    member_id: MemberId

    @model_validator(mode="after")
    def _not_themselves(self) -> MemberBlockedData:
        if self.blocked_id == self.member_id:
            raise ValueError("blocked_id: a member cannot block themselves")
        return self


class MemberBlocked(Envelope[MemberBlockedData]):
    """A member blocked another: they are never matched or grouped together while it lasts.
    Subject: the member who blocked."""

    TOPIC: ClassVar[str] = MEMBER_BLOCKED
    type: Literal["kindred.member.blocked.v1"] = "kindred.member.blocked.v1"


class GroupJoin(BaseModel):
    """The body of `POST /v1/members/{id}/groups`: join a peer group on a topic."""

    model_config = _FROZEN

    topic: Topic
    language: LanguageCode


class GroupActionRequestedData(BaseModel):
    model_config = _FROZEN

    member_id: MemberId
    action: Literal["join", "leave"]
    topic: Topic | None = None
    language: LanguageCode | None = None
    group_id: str | None = Field(default=None, max_length=100)

    @model_validator(mode="after")
    def _complete(self) -> GroupActionRequestedData:
        if self.action == "join" and (self.topic is None or self.language is None):
            raise ValueError("a join names its topic and language")
        if self.action == "leave" and self.group_id is None:
            raise ValueError("a leave names its group_id")
        return self


class GroupActionRequested(Envelope[GroupActionRequestedData]):
    """A member asked to join a peer group or leave one. Subject: the member id."""

    TOPIC: ClassVar[str] = GROUP_ACTION_REQUESTED
    type: Literal["kindred.group.action-requested.v1"] = "kindred.group.action-requested.v1"


class GroupMembershipChangedData(BaseModel):
    model_config = _FROZEN

    group_id: str
    topic: Topic
    language: LanguageCode
    member_id: MemberId
    joined: bool
    members: list[MemberId]
    # The group has reached its minimum size and meets.
    formed: bool


class GroupMembershipChanged(Envelope[GroupMembershipChangedData]):
    """A member joined or left a peer group. Subject: the group id."""

    TOPIC: ClassVar[str] = GROUP_MEMBERSHIP_CHANGED
    type: Literal["kindred.group.membership-changed.v1"] = "kindred.group.membership-changed.v1"


class Seeker(BaseModel):
    """What a pool knows of a seeker, handed with a request it refers to another pool (the
    other pool may never have seen their profile)."""

    model_config = _FROZEN

    member_id: MemberId
    profile_time: datetime
    languages: list[str]
    topics: list[Topic]
    age_band: AgeBand
    availability: str = Field(description="UTC week-hour mask, 168 bits as hex")
    text: str = ""


class Referral(BaseModel):
    """A request no supporter of its pool can take, offered to a neighbouring pool."""

    model_config = _FROZEN

    from_pool: str
    onward: list[str] = Field(
        default_factory=list, description="pools to offer it to next if this one cannot"
    )
    seeker: Seeker
    received_at: datetime
    excluded: list[str] = Field(default_factory=list)
    attempts: int = 0


class PoolInputData(BaseModel):
    """An event of a member's partition, handed on to the partition of their matching pool;
    or, between pools, a request referred to a neighbour (`referral`, with the request's
    `support.requested`) or a step of a member whose request was referred (`forwarded_from`)."""

    model_config = _FROZEN

    pool: str
    event: dict[str, JsonValue]
    referral: Referral | None = None
    forwarded_from: str | None = None


class PoolInput(Envelope[PoolInputData]):
    """Inside matching. Subject: the pool id, so one pool has one writer."""

    TOPIC: ClassVar[str] = POOL_INPUT
    type: Literal["kindred.matching.pool-input.v1"] = "kindred.matching.pool-input.v1"


def as_pool_input(
    event: Envelope[Any],
    pool: str,
    source: str,
    *,
    referral: Referral | None = None,
    forwarded_from: str | None = None,
) -> PoolInput:
    between = referral.from_pool if referral else forwarded_from
    return PoolInput.new(
        id=deterministic_id("pool-input", event.id, *((between, pool) if between else ())),
        subject=pool,
        source=source,
        caused_by=event,
        data=PoolInputData(
            pool=pool,
            event=event.model_dump(mode="json"),
            referral=referral,
            forwarded_from=forwarded_from,
        ),
    )
