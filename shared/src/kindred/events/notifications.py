"""Notification events: a member's notification preferences, the escalation of a safety alert
through the on-call chain and its acknowledgement, and the outcome of each delivery attempt.

They carry ids, channels and outcomes, never addresses (email, phone, device token) nor what a
member wrote. Subjects: the member id the alert is about for the escalation events (so the
alert's partition owns its escalation), the recipient member id for a member's notifications.

The topic names are defined here for now; the topic catalogue (`kindred.events.topics`) is to
take them over.
"""

from __future__ import annotations

from datetime import datetime, time
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    StrictBool,
    StrictInt,
    StringConstraints,
    field_validator,
    model_validator,
)

from kindred.events.envelope import Envelope
from kindred.events.topics import (
    INBOX_ENTRY_READ,
    MEMBER_NOTIFICATION_PREFERENCES_SET,
    NOTIFICATION_DELIVERY_ATTEMPTED,
    NOTIFICATION_REQUESTED,
    SAFETY_ALERT_ACK_REQUESTED,
    SAFETY_ALERT_ACKNOWLEDGED,
    SAFETY_ALERT_ESCALATED,
)
from kindred.events.vocabulary import LOCAL_TIME_PATTERN, MemberId, TimeZone, parse_hhmm
from kindred.safety.rules import Severity

NOTIFICATION_TOPICS = (
    MEMBER_NOTIFICATION_PREFERENCES_SET,
    SAFETY_ALERT_ESCALATED,
    SAFETY_ALERT_ACK_REQUESTED,
    SAFETY_ALERT_ACKNOWLEDGED,
    NOTIFICATION_DELIVERY_ATTEMPTED,
    NOTIFICATION_REQUESTED,
)

_CONFIG = ConfigDict(frozen=True, extra="forbid")

# An on-call person's or role's id, a staff id: never an address.
StaffId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:\-]{1,64}$")]


class Channel(StrEnum):
    """Delivery channels."""

    INBOX = "inbox"
    EMAIL = "email"
    SMS = "sms"
    PUSH = "push"
    WEBHOOK = "webhook"


class ConsentChannel(StrEnum):
    """The channels that need a member's consent (the in-app inbox needs none)."""

    EMAIL = "email"
    SMS = "sms"
    PUSH = "push"
    WEBHOOK = "webhook"


class Category(StrEnum):
    """What a notification is about. `safety` goes to safety staff only, through the on-call
    chain; a member has no preference for it."""

    SAFETY = "safety"
    MATCHING = "matching"
    CHECKIN_REMINDERS = "checkin_reminders"
    DIGEST = "digest"
    ACCOUNT = "account"


class MemberCategory(StrEnum):
    """The categories a member chooses channels for."""

    MATCHING = "matching"
    CHECKIN_REMINDERS = "checkin_reminders"
    DIGEST = "digest"
    ACCOUNT = "account"


class MessageUrgency(StrEnum):
    """How soon a message matters to its reader; `urgent` is for safety alone (never paced),
    `low` for what can wait (a digest, a missed check-in)."""

    LOW = "low"
    NORMAL = "normal"
    URGENT = "urgent"


DEFAULT_RATE_LIMIT_PER_HOUR = 4
DEFAULT_QUIET_START = "22:00"
DEFAULT_QUIET_END = "07:00"
# Templates exist in English for every message; a member's locale falls back to it.
DEFAULT_LOCALE = "en"


class QuietHours(BaseModel):
    """Local times between which non-urgent messages wait; `start` after `end` spans midnight
    ("22:00" to "07:00")."""

    model_config = _CONFIG

    start: str = Field(
        pattern=LOCAL_TIME_PATTERN, description='Start, local 24-hour "HH:MM" (e.g. "22:00")'
    )
    end: str = Field(
        pattern=LOCAL_TIME_PATTERN, description='End, local 24-hour "HH:MM" (e.g. "07:00")'
    )

    @property
    def start_time(self) -> time:
        return parse_hhmm(self.start)

    @property
    def end_time(self) -> time:
        return parse_hhmm(self.end)

    @property
    def spans_midnight(self) -> bool:
        return self.start_time > self.end_time


DEFAULT_QUIET_HOURS = QuietHours(start=DEFAULT_QUIET_START, end=DEFAULT_QUIET_END)


def _default_quiet_hours() -> QuietHours:
    return DEFAULT_QUIET_HOURS


# Each channel at most once (stated in the schema too).
ChannelList = Annotated[
    list[Channel], Field(max_length=len(Channel), json_schema_extra={"uniqueItems": True})
]


class NotificationPreferences(BaseModel):
    """How a member wants to be notified; the body of
    `PUT /v1/members/{id}/notification-preferences`. A PUT replaces every field; one left out
    takes its default. The in-app inbox always gets every notification and needs no consent.
    """

    model_config = _CONFIG

    channels: dict[MemberCategory, ChannelList] = Field(
        default_factory=dict,
        description="Channels per category, besides the inbox (always on); a channel is used "
        "only once its consent is true. A category left out gets email, if consented. "
        '"safety" is not a member preference.',
    )
    consents: dict[ConsentChannel, StrictBool] = Field(
        default_factory=dict,
        description="Consent per channel (email, sms, push, webhook); left out means no",
    )
    locale: str = Field(
        default=DEFAULT_LOCALE,
        pattern=r"^[a-z]{2}$",
        description='ISO 639-1 language code ("en", "fr"); templates fall back to English',
    )
    time_zone: TimeZone = "UTC"
    quiet_hours: QuietHours | None = Field(
        default_factory=_default_quiet_hours,
        description="Local quiet hours for non-urgent messages; null (or start = end): none",
    )
    rate_limit_per_hour: StrictInt = Field(
        default=DEFAULT_RATE_LIMIT_PER_HOUR,
        ge=1,
        le=60,
        description="At most this many non-urgent messages per hour (integer, 1-60)",
    )
    digest_bursts: StrictBool = Field(
        default=True,
        description="true: messages over the rate limit or in quiet hours are gathered into "
        "one digest; false: they wait",
    )
    contacts: dict[ConsentChannel, Annotated[str, Field(min_length=3, max_length=254)]] = Field(
        default_factory=dict,
        description="Where each channel reaches the member: an email address, an E.164 phone "
        "number for SMS, a push token, a partner endpoint name. A channel without one is not "
        "used.",
    )

    @model_validator(mode="before")
    @classmethod
    def _no_safety(cls, value: Any) -> Any:
        if isinstance(value, dict):
            channels = value.get("channels")
            if isinstance(channels, dict) and Category.SAFETY.value in channels:
                raise ValueError(
                    "channels: safety notifications go to on-call safety staff; "
                    "they are not a member preference"
                )
        return value

    @model_validator(mode="after")
    def _empty_quiet_hours(self) -> NotificationPreferences:
        quiet = self.quiet_hours
        if quiet is not None and quiet.start == quiet.end:
            return self.model_copy(update={"quiet_hours": None})  # no time between: none
        return self

    @field_validator("channels")
    @classmethod
    def _unique_channels(
        cls, channels: dict[MemberCategory, list[Channel]]
    ) -> dict[MemberCategory, list[Channel]]:
        for category, chosen in channels.items():
            if len(chosen) > len(Channel):
                raise ValueError(f"channels.{category.value}: at most {len(Channel)} channels")
            if len(set(chosen)) != len(chosen):
                raise ValueError(f"channels.{category.value}: each channel at most once")
        return channels


class MemberNotificationPreferencesSetData(NotificationPreferences):
    member_id: MemberId


class MemberNotificationPreferencesSet(Envelope[MemberNotificationPreferencesSetData]):
    """A member set or replaced their notification preferences. Subject: the member id."""

    TOPIC: ClassVar[str] = MEMBER_NOTIFICATION_PREFERENCES_SET
    type: Literal["kindred.member.notification-preferences-set.v1"] = (
        "kindred.member.notification-preferences-set.v1"
    )


class SafetyAlertEscalatedData(BaseModel):
    model_config = _CONFIG

    alert_id: str = Field(min_length=1, max_length=100)
    member_id: MemberId
    severity: Severity
    # 0 is the first person of the chain; `fallback` marks the final fallback pager, whose
    # level is the chain's length.
    level: int = Field(ge=0)
    fallback: bool
    # 0 for a level's first page; 1, 2, ... for the fallback's re-pages.
    repeat: int = Field(ge=0)
    page_id: str = Field(min_length=1, max_length=100)
    # Who was paged: the on-call person's or role's id from the chain, never an address.
    paged: StaffId
    channels: list[Channel] = Field(min_length=1)
    # When this page was due by the chain's timetable.
    due_at: datetime
    # The acknowledgement deadline it set.
    ack_deadline: datetime


class SafetyAlertEscalated(Envelope[SafetyAlertEscalatedData]):
    """A safety alert's escalation paged someone on call (the first level when the alert
    arrived, the next one when a deadline passed unacknowledged, the fallback pager after the
    last). Subject: the member id."""

    TOPIC: ClassVar[str] = SAFETY_ALERT_ESCALATED
    type: Literal["kindred.safety.alert-escalated.v1"] = "kindred.safety.alert-escalated.v1"


class SafetyAlertAckRequestedData(BaseModel):
    model_config = _CONFIG

    alert_id: str = Field(min_length=1, max_length=100)
    member_id: MemberId
    staff_id: StaffId
    # How the staff member acknowledged: the API, a page's signed link or its short code.
    via: Literal["api", "link", "code"] = "api"
    # The page link's token id (one-time: a second use changes nothing), when via a link.
    token_id: str | None = Field(default=None, min_length=1, max_length=100)


class SafetyAlertAckRequested(Envelope[SafetyAlertAckRequestedData]):
    """A member of the safety staff acknowledged an alert at the gateway. Subject: the member
    id, so it reaches the partition that owns the alert's escalation."""

    TOPIC: ClassVar[str] = SAFETY_ALERT_ACK_REQUESTED
    type: Literal["kindred.safety.alert-ack-requested.v1"] = "kindred.safety.alert-ack-requested.v1"


class SafetyAlertAcknowledgedData(BaseModel):
    model_config = _CONFIG

    alert_id: str = Field(min_length=1, max_length=100)
    member_id: MemberId
    staff_id: StaffId
    acknowledged_at: datetime
    # From the alert being raised to its acknowledgement.
    latency_seconds: float = Field(ge=0)
    # The chain level paging had reached (the chain's length: the fallback pager).
    level: int = Field(ge=0)


class SafetyAlertAcknowledged(Envelope[SafetyAlertAcknowledgedData]):
    """A human acknowledged a safety alert: its escalation stopped. Once per alert.
    Subject: the member id."""

    TOPIC: ClassVar[str] = SAFETY_ALERT_ACKNOWLEDGED
    type: Literal["kindred.safety.alert-acknowledged.v1"] = "kindred.safety.alert-acknowledged.v1"


class DeliveryOutcome(StrEnum):
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"
    DEAD_LETTERED = "dead_lettered"


class NotificationDeliveryAttemptedData(BaseModel):
    model_config = _CONFIG

    delivery_id: str = Field(min_length=1, max_length=100)
    source_event_id: str = Field(min_length=1, max_length=100)
    # A member id, or an on-call id for a safety page: never an address.
    recipient: str = Field(min_length=1, max_length=64)
    channel: Channel
    category: Category
    attempt: int = Field(ge=1)
    outcome: DeliveryOutcome
    # Short and machine-like ("http 503", "timeout"); None when it went through.
    error_kind: str | None = Field(default=None, max_length=100)
    at: datetime
    # The next attempt, when one is scheduled.
    next_attempt_at: datetime | None = None


class NotificationDeliveryAttempted(Envelope[NotificationDeliveryAttemptedData]):
    """One delivery attempt and its outcome. Subject: the recipient member id, or the member
    id an alert is about for a safety page."""

    TOPIC: ClassVar[str] = NOTIFICATION_DELIVERY_ATTEMPTED
    type: Literal["kindred.notification.delivery-attempted.v1"] = (
        "kindred.notification.delivery-attempted.v1"
    )


class NotificationRequestedData(BaseModel):
    model_config = _CONFIG

    source_event_id: str = Field(min_length=1, max_length=100)
    # When the source event happened (for the first-attempt latency).
    source_time: datetime
    recipient: MemberId
    audience: str = Field(pattern=r"^(seeker|supporter|member)$")
    category: MemberCategory
    event_type: str = Field(min_length=1, max_length=100)
    # What the templates may show; the templates' allow-lists decide per channel.
    context: dict[str, JsonValue] = Field(default_factory=dict)


class NotificationRequested(Envelope[NotificationRequestedData]):
    """A member is to be notified of something: decided in the member's partition (their
    preferences, contacts, quiet hours). Subject: the recipient member id."""

    TOPIC: ClassVar[str] = NOTIFICATION_REQUESTED
    type: Literal["kindred.notification.requested.v1"] = "kindred.notification.requested.v1"


class InboxEntryReadData(BaseModel):
    model_config = _CONFIG

    member_id: MemberId
    entry_id: str = Field(min_length=1, max_length=200)
    read_at: datetime


class InboxEntryRead(Envelope[InboxEntryReadData]):
    """A member marked an inbox entry read. Subject: the member id."""

    TOPIC: ClassVar[str] = INBOX_ENTRY_READ
    type: Literal["kindred.notification.inbox-entry-read.v1"] = (
        "kindred.notification.inbox-entry-read.v1"
    )
