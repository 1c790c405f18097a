"""Events about check-ins. The answers and the note travel only to the check-ins service
(`checkin.submitted`); what it announces carries scores and rule names, never the text."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from kindred.events.envelope import Envelope
from kindred.events.topics import CHECKIN_RECORDED, CHECKIN_SUBMITTED, CHECKIN_TREND_WORSENED
from kindred.events.vocabulary import MemberId
from kindred.instruments import CheckinAnswers, Scores
from kindred.safety.rules import Rule

# The body of `POST /v1/members/{id}/checkins`.
Checkin = CheckinAnswers


class CheckinSubmittedData(CheckinAnswers):
    checkin_id: str = Field(min_length=1, max_length=100)
    member_id: MemberId

    def answers(self) -> CheckinAnswers:
        return CheckinAnswers.model_validate(
            self.model_dump(include=set(CheckinAnswers.model_fields))
        )


class CheckinSubmitted(Envelope[CheckinSubmittedData]):
    """A member sent a check-in through the gateway. Subject: the member id. The event's
    `time` is when the gateway accepted it."""

    TOPIC: ClassVar[str] = CHECKIN_SUBMITTED
    type: Literal["kindred.checkin.submitted.v1"] = "kindred.checkin.submitted.v1"


class CheckinRecordedData(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    checkin_id: str
    member_id: MemberId
    recorded_at: datetime
    # None when scoring failed (the check-in then raised an `evaluation_failed` alert).
    scores: Scores | None
    # The safety rules the check-in fired (their names only), empty if none.
    safety_rules: list[Rule] = Field(default_factory=list)


class CheckinRecorded(Envelope[CheckinRecordedData]):
    """The check-ins service stored a check-in. Subject: the member id. Carries no free text."""

    TOPIC: ClassVar[str] = CHECKIN_RECORDED
    type: Literal["kindred.checkin.recorded.v1"] = "kindred.checkin.recorded.v1"


class CheckinTrendWorsenedData(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    member_id: MemberId
    checkin_id: str
    measure: Literal["mood", "who5"]
    value: int
    recent_mean: float
    recent_count: int = Field(ge=1)


class CheckinTrendWorsened(Envelope[CheckinTrendWorsenedData]):
    """A member's check-ins show a sharp drop against their recent ones. Matching or
    notifications may act on it (nudge the matched supporter, with the member's consent)."""

    TOPIC: ClassVar[str] = CHECKIN_TREND_WORSENED
    type: Literal["kindred.checkin.trend-worsened.v1"] = "kindred.checkin.trend-worsened.v1"
