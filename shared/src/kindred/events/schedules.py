"""Events about check-in schedules: a member's schedule, the reminders it makes due, and the
occurrences nobody checked in for."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator

from kindred.events.envelope import Envelope
from kindred.events.topics import CHECKIN_MISSED, CHECKIN_REMINDER_DUE, CHECKIN_SCHEDULE_SET
from kindred.events.vocabulary import LOCAL_TIME_PATTERN, MemberId, TimeZone, Weekday

EVERY_DAY = tuple(Weekday)


class CheckinSchedule(BaseModel):
    """When a member wants to be asked to check in; the body of
    `PUT /v1/members/{id}/checkin-schedule`. One time a day at most, on the days chosen."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    time_zone: TimeZone
    local_time: str = Field(
        pattern=LOCAL_TIME_PATTERN,
        description='Time of day in the member\'s time zone, 24-hour "HH:MM" (e.g. "09:30")',
    )
    days: list[Weekday] = Field(
        default_factory=lambda: list(EVERY_DAY),
        min_length=1,
        max_length=7,
        json_schema_extra={"uniqueItems": True},
        description="Days of the week it applies on, each at most once; every day by default",
    )
    # Strict: "false" or 0 is not a switch.
    enabled: StrictBool = Field(
        default=True, description="false: no reminders and no missed check-ins until set again"
    )

    @field_validator("days")
    @classmethod
    def _unique_days(cls, days: list[Weekday]) -> list[Weekday]:
        if len(set(days)) != len(days):
            raise ValueError("each day at most once")
        return days


class CheckinScheduleSetData(CheckinSchedule):
    member_id: MemberId


class CheckinScheduleSet(Envelope[CheckinScheduleSetData]):
    """A member set, changed or disabled their check-in schedule. Subject: the member id."""

    TOPIC: ClassVar[str] = CHECKIN_SCHEDULE_SET
    type: Literal["kindred.checkin.schedule-set.v1"] = "kindred.checkin.schedule-set.v1"


class CheckinReminderDueData(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    member_id: MemberId
    # `<member id>:<local date>`: one occurrence per member and local date.
    occurrence_id: str = Field(min_length=1, max_length=100)
    local_date: date
    local_time: str = Field(pattern=LOCAL_TIME_PATTERN)
    time_zone: TimeZone
    due_at: datetime
    # A check-in before this instant answers the occurrence; none by then: `checkin.missed`.
    window_ends_at: datetime


class CheckinReminderDue(Envelope[CheckinReminderDueData]):
    """A scheduled check-in is due: ask the member. Once per occurrence (a replay carries the
    same event id). Subject: the member id."""

    TOPIC: ClassVar[str] = CHECKIN_REMINDER_DUE
    type: Literal["kindred.checkin.reminder-due.v1"] = "kindred.checkin.reminder-due.v1"


class CheckinMissedData(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    member_id: MemberId
    occurrence_id: str = Field(min_length=1, max_length=100)
    local_date: date
    due_at: datetime
    window_ends_at: datetime
    window_seconds: int = Field(ge=0)
    # false: the service could not send the reminder before the window ended (it was down).
    reminded: bool


class CheckinMissed(Envelope[CheckinMissedData]):
    """No check-in from the member between an occurrence's due time and the end of its window.
    Once per occurrence. Subject: the member id."""

    TOPIC: ClassVar[str] = CHECKIN_MISSED
    type: Literal["kindred.checkin.missed.v1"] = "kindred.checkin.missed.v1"
