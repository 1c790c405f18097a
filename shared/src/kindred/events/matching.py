"""Events about support requests and matches."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from kindred.events.envelope import Envelope
from kindred.events.topics import (
    MATCH_PROPOSED,
    SLOT_ANSWERED,
    SLOT_REQUESTED,
    SUPPORT_REQUESTED,
)
from kindred.events.vocabulary import LanguageCode, MemberId, Topic, Urgency


class SupportRequest(BaseModel):
    """The body of `POST /v1/members/{id}/support-requests`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

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


class MatchProposedData(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    match_id: str
    request_id: str
    seeker_id: MemberId
    supporter_id: MemberId
    shared_topics: list[Topic]
    language: LanguageCode


class MatchProposed(Envelope[MatchProposedData]):
    """A supporter was proposed to a seeker. Subject: the match id."""

    TOPIC: ClassVar[str] = MATCH_PROPOSED
    type: Literal["kindred.match.proposed.v1"] = "kindred.match.proposed.v1"


class SlotRequestedData(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    request_id: str
    seeker_id: MemberId
    supporter_id: MemberId
    # The how-manieth supporter asked for this request (1, 2, ...): names the question.
    attempt: int = Field(ge=1)
    topics: list[Topic] = Field(min_length=1)
    language: LanguageCode


class SlotRequested(Envelope[SlotRequestedData]):
    """Matching asked a supporter's partition to hold one of their slots for a request.
    Subject: the supporter id, so the supporter's capacity has one writer."""

    TOPIC: ClassVar[str] = SLOT_REQUESTED
    type: Literal["kindred.match.slot_requested.v1"] = "kindred.match.slot_requested.v1"


class SlotAnsweredData(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    request_id: str
    seeker_id: MemberId
    supporter_id: MemberId
    attempt: int = Field(ge=1)
    granted: bool
    # Why not, when not granted: "full", "not-eligible", "unknown-supporter".
    reason: str | None = None


class SlotAnswered(Envelope[SlotAnsweredData]):
    """A supporter's partition held a slot for a request, or had none. Subject: the seeker id,
    so the request's state has one writer."""

    TOPIC: ClassVar[str] = SLOT_ANSWERED
    type: Literal["kindred.match.slot_answered.v1"] = "kindred.match.slot_answered.v1"
