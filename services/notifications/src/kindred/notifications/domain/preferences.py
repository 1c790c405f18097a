"""A member's notification preferences, as the notifications service keeps them: channels per
category, consent and an address per channel, locale, time zone, quiet hours, rate limit and
digests. Pure.

Defaults, for a member who never set any (`Preferences.default`): the inbox always; email for
every category if the member consented to email (no consent is assumed); quiet hours 22:00 to
07:00 local; locale `en`; time zone UTC; at most 4 non-urgent messages an hour, bursts
gathered into a digest.

Rules:
- The in-app inbox gets every notification of every category and needs no consent.
- Any other channel is used only with the member's consent for it, even when chosen for a
  category (a consent withdrawn later wins), and also as a fallback; and only with an address
  the member gave for it (`contacts`): Kindred holds none of its own.
- `safety` is not a member's category: safety pages go to on-call staff through the
  escalation chain (see `escalations`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from kindred.events.notifications import (
    DEFAULT_LOCALE,
    DEFAULT_QUIET_HOURS,
    DEFAULT_RATE_LIMIT_PER_HOUR,
    Category,
    Channel,
    MemberCategory,
    MemberNotificationPreferencesSet,
    NotificationPreferences,
    QuietHours,
)
from kindred.notifications.domain.instants import utc_ms

# Every channel that needs consent; the inbox does not.
CONSENT_CHANNELS = frozenset(c for c in Channel if c is not Channel.INBOX)
MEMBER_CATEGORIES = tuple(Category(c.value) for c in MemberCategory)
# A category the member did not choose channels for gets these (if consented).
DEFAULT_CHANNELS: tuple[Channel, ...] = (Channel.EMAIL,)
DEFAULT_TIME_ZONE = "UTC"


@dataclass(frozen=True)
class Preferences:
    member_id: str
    # Chosen channels per member category, in the member's order (the inbox is implied).
    channels: Mapping[Category, tuple[Channel, ...]] = field(default_factory=dict)
    consents: frozenset[Channel] = frozenset()
    # The member's address per channel (none for the inbox).
    contacts: Mapping[Channel, str] = field(default_factory=dict)
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
            contacts={Channel(c.value): address for c, address in model.contacts.items()},
            locale=model.locale,
            time_zone=model.time_zone,
            quiet_hours=model.quiet_hours,
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

    def reachable(self, category: Category) -> tuple[Channel, ...]:
        """Beyond the inbox, in the member's order: the channels consented to for `category`
        that they gave an address for."""
        return tuple(c for c in self.channels_for(category)[1:] if c in self.contacts)
