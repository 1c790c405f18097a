"""A member's notification preferences, as the notifications service keeps them: channels per
category, consent per channel, locale, time zone, quiet hours, rate limit and digests. Pure.

Defaults, for a member who never set any (`Preferences.default`): the inbox always; email for
every category if the member consented to email (no consent is assumed); quiet hours 22:00 to
07:00 local; locale `en`; time zone UTC; at most 4 non-urgent messages an hour, bursts
gathered into a digest.

Rules:
- The in-app inbox gets every notification of every category and needs no consent.
- Any other channel is used only with the member's consent for it, even when chosen for a
  category (a consent withdrawn later wins), and also as a fallback.
- `safety` is not a member's category: safety pages go to on-call staff through the
  escalation chain (see `escalations`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from kindred.events.notifications import (
    DEFAULT_QUIET_END,
    DEFAULT_QUIET_START,
    DEFAULT_RATE_LIMIT_PER_HOUR,
    Category,
    Channel,
    MemberCategory,
    MemberNotificationPreferencesSet,
    NotificationPreferences,
)
from kindred.notifications.domain.instants import hhmm, parse_hhmm, utc_ms

# Every channel that needs consent; the inbox does not.
CONSENT_CHANNELS = frozenset(c for c in Channel if c is not Channel.INBOX)
MEMBER_CATEGORIES = tuple(Category(c.value) for c in MemberCategory)
# A category the member did not choose channels for gets these (if consented).
DEFAULT_CHANNELS: tuple[Channel, ...] = (Channel.EMAIL,)
DEFAULT_LOCALE = "en"
DEFAULT_TIME_ZONE = "UTC"


@dataclass(frozen=True)
class QuietHours:
    """Local wall times; `start` after `end` spans midnight."""

    start: time
    end: time

    @classmethod
    def parse(cls, start: str, end: str) -> QuietHours:
        quiet = cls(parse_hhmm(start), parse_hhmm(end))
        if quiet.start == quiet.end:
            raise ValueError("quiet hours need a start and an end that differ")
        return quiet

    @property
    def spans_midnight(self) -> bool:
        return self.start > self.end

    def to_doc(self) -> dict[str, str]:
        return {"start": hhmm(self.start), "end": hhmm(self.end)}

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> QuietHours:
        return cls.parse(doc["start"], doc["end"])


DEFAULT_QUIET_HOURS = QuietHours.parse(DEFAULT_QUIET_START, DEFAULT_QUIET_END)


@dataclass(frozen=True)
class Preferences:
    member_id: str
    # Chosen channels per member category, in the member's order (the inbox is implied).
    channels: Mapping[Category, tuple[Channel, ...]] = field(default_factory=dict)
    consents: frozenset[Channel] = frozenset()
    locale: str = DEFAULT_LOCALE
    time_zone: str = DEFAULT_TIME_ZONE
    quiet_hours: QuietHours | None = DEFAULT_QUIET_HOURS
    rate_limit_per_hour: int = DEFAULT_RATE_LIMIT_PER_HOUR
    digest_bursts: bool = True
    # False for the defaults of a member who never set preferences.
    explicit: bool = False
    # The event that set them and its time, when set.
    set_by_event_id: str | None = None
    set_at: datetime | None = None

    def __post_init__(self) -> None:
        ZoneInfo(self.time_zone)  # an unknown zone fails here, not at the first message
        if self.rate_limit_per_hour < 1:
            raise ValueError("the rate limit is at least 1 message an hour")
        if Category.SAFETY in self.channels:
            raise ValueError("safety is not a member preference")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @classmethod
    def default(
        cls,
        member_id: str,
        *,
        consents: Iterable[Channel] = (),
        time_zone: str = DEFAULT_TIME_ZONE,
        locale: str = DEFAULT_LOCALE,
    ) -> Preferences:
        """For a member who never set preferences: what the service knows of their consents,
        zone and locale (none, UTC and `en` if nothing), and the defaults for the rest."""
        return cls(
            member_id=member_id,
            consents=frozenset(Channel(c) for c in consents) & CONSENT_CHANNELS,
            time_zone=time_zone,
            locale=locale,
        )

    @classmethod
    def from_model(
        cls,
        member_id: str,
        model: NotificationPreferences,
        *,
        set_by_event_id: str | None = None,
        set_at: datetime | None = None,
    ) -> Preferences:
        return cls(
            member_id=member_id,
            channels={
                Category(category.value): tuple(chosen)
                for category, chosen in model.channels.items()
            },
            consents=frozenset(Channel(c.value) for c, yes in model.consents.items() if yes),
            locale=model.locale,
            time_zone=model.time_zone,
            quiet_hours=None
            if model.quiet_hours is None
            else QuietHours.parse(model.quiet_hours.start, model.quiet_hours.end),
            rate_limit_per_hour=model.rate_limit_per_hour,
            digest_bursts=model.digest_bursts,
            explicit=True,
            set_by_event_id=set_by_event_id,
            set_at=None if set_at is None else utc_ms(set_at),
        )

    @classmethod
    def from_event(cls, event: MemberNotificationPreferencesSet) -> Preferences:
        return cls.from_model(
            event.data.member_id, event.data, set_by_event_id=event.id, set_at=event.time
        )

    def consented(self, channel: Channel) -> bool:
        return channel is Channel.INBOX or channel in self.consents

    def channels_for(self, category: Category) -> tuple[Channel, ...]:
        """Where a notification of `category` goes: the inbox first, then the member's chosen
        channels (or the defaults) that they consented to, in their order. Safety pages do
        not come from here (see `escalations`): for `safety`, the inbox only."""
        if category is Category.SAFETY:
            return (Channel.INBOX,)
        chosen = self.channels.get(category, DEFAULT_CHANNELS)
        external = tuple(c for c in chosen if c is not Channel.INBOX and self.consented(c))
        return (Channel.INBOX, *external)

    def to_doc(self) -> dict[str, Any]:
        """The stored document (`_id`: the member id); the owner of the member's partition
        adds its own fields (partition), which `from_doc` ignores."""
        return {
            "_id": self.member_id,
            "channels": {
                c.value: [ch.value for ch in chosen] for c, chosen in self.channels.items()
            },
            "consents": sorted(c.value for c in self.consents),
            "locale": self.locale,
            "time_zone": self.time_zone,
            "quiet_hours": None if self.quiet_hours is None else self.quiet_hours.to_doc(),
            "rate_limit_per_hour": self.rate_limit_per_hour,
            "digest_bursts": self.digest_bursts,
            "explicit": self.explicit,
            "set_by_event_id": self.set_by_event_id,
            "set_at": self.set_at,
        }

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> Preferences:
        quiet = doc.get("quiet_hours")
        set_at = doc.get("set_at")
        return cls(
            member_id=doc["_id"],
            channels={
                Category(c): tuple(Channel(ch) for ch in chosen)
                for c, chosen in doc.get("channels", {}).items()
            },
            consents=frozenset(Channel(c) for c in doc.get("consents", [])),
            locale=doc.get("locale", DEFAULT_LOCALE),
            time_zone=doc.get("time_zone", DEFAULT_TIME_ZONE),
            quiet_hours=None if quiet is None else QuietHours.from_doc(quiet),
            rate_limit_per_hour=doc.get("rate_limit_per_hour", DEFAULT_RATE_LIMIT_PER_HOUR),
            digest_bursts=doc.get("digest_bursts", True),
            explicit=doc.get("explicit", False),
            set_by_event_id=doc.get("set_by_event_id"),
            set_at=None if set_at is None else utc_ms(set_at),
        )
