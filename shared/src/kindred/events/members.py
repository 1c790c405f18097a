"""Events about members: profiles."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, StrictInt, model_validator

from kindred.events.envelope import Envelope
from kindred.events.topics import PROFILE_SUBMITTED
from kindred.events.vocabulary import (
    AgeBand,
    LanguageCode,
    MemberId,
    Role,
    TimeZone,
    Topic,
    Weekday,
)
from kindred.instruments import CountryCode

# The rule `_supporter_capacity` enforces, in the schema: a supporter's capacity is at least 1.
SUPPORTER_NEEDS_CAPACITY: dict[str, JsonValue] = {
    "if": {
        "properties": {"roles": {"contains": {"const": Role.SUPPORTER.value}}},
        "required": ["roles"],
    },
    "then": {"properties": {"capacity": {"minimum": 1}}, "required": ["capacity"]},
}


class AvailabilityWindow(BaseModel):
    """When a member is usually free to talk, in their own time zone: whole hours from
    `start_hour` (inclusive) to `end_hour` (exclusive) on each of the given days. A window whose
    end is not after its start runs past midnight into the next day (22 to 2: four hours; 9 to
    9: all day)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    days: list[Weekday] = Field(default_factory=lambda: list(Weekday), min_length=1, max_length=7)
    start_hour: StrictInt = Field(ge=0, le=23)
    end_hour: StrictInt = Field(ge=0, le=24)

    @property
    def hours(self) -> int:
        span = (self.end_hour - self.start_hour) % 24
        return span or 24


class Profile(BaseModel):
    """What a member tells about themselves; the body of `PUT /v1/members/{id}/profile`.
    A profile offering support (`roles` holds "supporter") needs a `capacity` of at least 1;
    staff grant the supporter role before anyone is proposed to them."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", json_schema_extra=SUPPORTER_NEEDS_CAPACITY
    )

    roles: list[Role] = Field(min_length=1, max_length=2)
    topics: list[Topic] = Field(min_length=1, max_length=10)
    topics_free_text: str = Field(default="", max_length=500)
    languages: list[LanguageCode] = Field(min_length=1, max_length=10)
    time_zone: TimeZone
    age_band: AgeBand
    # Supporters only: how many active matches they take at once.
    capacity: StrictInt = Field(
        default=0,
        ge=0,
        le=50,
        description="How many active matches a supporter takes at once: at least 1 for a "
        "supporter; written as an integer (3, not 3.0)",
    )
    opted_out_topics: list[Topic] = Field(default_factory=list, max_length=10)
    # When they are usually free; none given: any time.
    availability: list[AvailabilityWindow] = Field(default_factory=list, max_length=21)
    # Where the member lives: their crisis resources when a check-in does not say.
    country: CountryCode | None = None

    @model_validator(mode="after")
    def _supporter_capacity(self) -> Profile:
        if Role.SUPPORTER in self.roles and self.capacity < 1:
            raise ValueError("capacity: a supporter needs a capacity of at least 1")
        return self


class ProfileSubmittedData(Profile):
    member_id: MemberId


class ProfileSubmitted(Envelope[ProfileSubmittedData]):
    """A member created or replaced their profile. Subject: the member id."""

    TOPIC: ClassVar[str] = PROFILE_SUBMITTED
    type: Literal["kindred.member.profile_submitted.v1"] = "kindred.member.profile_submitted.v1"
