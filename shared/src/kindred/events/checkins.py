"""Events about check-ins."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from kindred.events.envelope import Envelope
from kindred.events.topics import CHECKIN_RECORDED, CHECKIN_SUBMITTED
from kindred.events.vocabulary import MemberId


class Checkin(BaseModel):
    """The body of `POST /v1/members/{id}/checkins`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # Strict: JSON `true` is not a score, "5" and 5.0 are not integers.
    mood: StrictInt = Field(
        ge=1,
        le=10,
        description="Mood from 1 (worst) to 10 (best), written as an integer (6, not 6.0)",
    )
    note: str = Field(default="", max_length=2000)


class CheckinSubmittedData(Checkin):
    checkin_id: str = Field(min_length=1, max_length=100)
    member_id: MemberId


class CheckinSubmitted(Envelope[CheckinSubmittedData]):
    """A member sent a check-in through the gateway. Subject: the member id."""

    TOPIC: ClassVar[str] = CHECKIN_SUBMITTED
    type: Literal["kindred.checkin.submitted.v1"] = "kindred.checkin.submitted.v1"


class CheckinRecordedData(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    checkin_id: str
    member_id: MemberId
    mood: int = Field(ge=1, le=10)
    recorded_at: datetime


class CheckinRecorded(Envelope[CheckinRecordedData]):
    """The check-ins service stored a check-in. Subject: the member id. Carries no free text."""

    TOPIC: ClassVar[str] = CHECKIN_RECORDED
    type: Literal["kindred.checkin.recorded.v1"] = "kindred.checkin.recorded.v1"
