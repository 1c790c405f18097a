"""Quiet hours, rate limits, digests and dedupe: when one message on one channel goes out.
Pure: every instant is an argument.

`decide(message, prefs, history, now)` answers one of:
- `SendNow`;
- `Hold(until)`: wait until the end of the member's quiet hours (in their zone, across daylight
  saving changes) or until their hourly rate limit has room again;
- `AddToDigest(flush_at)`: gathered with the member's other waiting messages into one digest,
  sent at `flush_at` (`flush_digest`);
- `Duplicate`: this source event already went (or is waiting) to this recipient on this channel.

`record(history, message, decision, now)` returns the member's history after acting on a
decision; the owner of the member's partition stores it.

Safety is never paced. A message of category `safety` or urgency `urgent` takes a separate path
(`_never_held`) that reads neither the preferences nor the history and can only answer
`SendNow`: it is never held by quiet hours, digested, rate-limited or deduplicated away (a
replayed page carries the same delivery id, and the channels deduplicate on it). It does not
count towards the member's rate limit either.

Other rules:
- The in-app inbox is never held, digested or rate-limited (it does not interrupt anyone); it
  is deduplicated like every channel.
- Digests gather `matching` and `checkin_reminders` messages, when the member wants bursts
  digested; `account` messages wait instead (each matters on its own); a digest message itself
  is not rate-limited (it is the relief), but it waits for the end of quiet hours.
- The rate limit is a sliding hour over the interrupting sends (not the inbox, not safety).
- A held message comes back at `until`: deciding it again then is not a duplicate.
- Dedupe keys are kept for `DEDUPE_RETENTION` (at most `DEDUPE_MAX_KEYS` per member).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from kindred.events.envelope import deterministic_id
from kindred.events.notifications import Category, Channel, MessageUrgency, QuietHours
from kindred.notifications.domain.deliveries import delivery_id
from kindred.notifications.domain.instants import local_instants, utc_ms
from kindred.notifications.domain.preferences import Preferences

RATE_WINDOW = timedelta(hours=1)
DEDUPE_RETENTION = timedelta(days=7)
DEDUPE_MAX_KEYS = 2000
DIGESTIBLE = frozenset({Category.MATCHING, Category.CHECKIN_REMINDERS})


@dataclass(frozen=True)
class Message:
    """One message for one recipient (a member id, or an on-call id) on one channel."""

    source_event_id: str
    recipient: str
    channel: Channel
    category: Category
    urgency: MessageUrgency = MessageUrgency.NORMAL
    # The event type it is about ("match.proposed"), for the digest's lines.
    event_type: str = ""

    @property
    def is_safety(self) -> bool:
        return self.category is Category.SAFETY or self.urgency is MessageUrgency.URGENT

    @property
    def key(self) -> str:
        return delivery_id(self.source_event_id, self.recipient, self.channel)


@dataclass(frozen=True)
class SendNow:
    reason: str = ""


@dataclass(frozen=True)
class Hold:
    until: datetime
    reason: str = ""


@dataclass(frozen=True)
class AddToDigest:
    flush_at: datetime
    reason: str = ""


@dataclass(frozen=True)
class Duplicate:
    first_seen_at: datetime


Decision = SendNow | Hold | AddToDigest | Duplicate


class SeenState(StrEnum):
    SENT = "sent"
    HELD = "held"
    DIGESTED = "digested"


@dataclass(frozen=True)
class Seen:
    at: datetime
    state: SeenState
    until: datetime | None = None


@dataclass(frozen=True)
class DigestItem:
    source_event_id: str
    category: Category
    event_type: str
    added_at: datetime


@dataclass(frozen=True)
class DigestBatch:
    """A digest due: one message (category `digest`, source event id `digest_id`) listing
    `items`."""

    digest_id: str
    member_id: str
    flush_at: datetime
    items: tuple[DigestItem, ...]


@dataclass(frozen=True)
class History:
    """What pacing remembers of one member (`_id`: the member id)."""

    member_id: str
    # Interrupting, non-urgent sends of the last RATE_WINDOW, oldest first.
    sent: tuple[datetime, ...] = ()
    # Dedupe keys (`Message.key`).
    seen: Mapping[str, Seen] = field(default_factory=dict)
    digest: tuple[DigestItem, ...] = ()
    digest_flush_at: datetime | None = None

    @property
    def empty(self) -> bool:
        """Remembers nothing: may be forgotten."""
        return not (self.sent or self.seen or self.digest or self.digest_flush_at)

    @property
    def next_due(self) -> datetime | None:
        """When something is to be done: its digest's flush, or the oldest thing it remembers
        expiring (`prune`), whichever comes first."""
        expiries = [t + RATE_WINDOW for t in self.sent[:1]]
        expiries += [max(s.at + DEDUPE_RETENTION, s.until or s.at) for s in self.seen.values()]
        if self.digest_flush_at is not None:
            expiries.append(self.digest_flush_at)
        return min(expiries, default=None)


def quiet_hours_end(quiet: QuietHours | None, zone: ZoneInfo, now: datetime) -> datetime | None:
    """If `now` falls in the quiet hours (local wall time in `zone`), the instant they end:
    the first time after `now` the clocks show the end time (a end time skipped by a
    daylight saving jump ends them when the jump does). None outside quiet hours."""
    if quiet is None:
        return None
    now = utc_ms(now)
    local = now.astimezone(zone)
    wall = local.time().replace(tzinfo=None)
    start, end = quiet.start_time, quiet.end_time
    if quiet.spans_midnight:
        if wall >= start:
            end_day = local.date() + timedelta(days=1)
        elif wall < end:
            end_day = local.date()
        else:
            return None
    elif start <= wall < end:
        end_day = local.date()
    else:
        return None
    for candidate in local_instants(end_day, end, zone):
        if candidate > now:
            return candidate
    # The clocks went back over the end time: its first showing is already past.
    return None


def _outside_quiet_hours(prefs: Preferences, at: datetime) -> datetime:
    end = quiet_hours_end(prefs.quiet_hours, prefs.zone, at)
    return at if end is None else end


def _never_held(message: Message) -> SendNow:
    """The only answer for safety: at once. Takes nothing that could hold it."""
    return SendNow("safety: never held, digested, rate-limited or deduplicated")


def decide(message: Message, prefs: Preferences, history: History, now: datetime) -> Decision:
    if message.is_safety:
        return _never_held(message)
    return _paced(message, prefs, history, utc_ms(now))


def _paced(message: Message, prefs: Preferences, history: History, now: datetime) -> Decision:
    seen = history.seen.get(message.key)
    if seen is not None:
        released = seen.state is SeenState.HELD and seen.until is not None and now >= seen.until
        if not released:
            return Duplicate(seen.at)
    if message.channel is Channel.INBOX:
        return SendNow("inbox: not paced")
    digestible = prefs.digest_bursts and message.category in DIGESTIBLE
    quiet_end = quiet_hours_end(prefs.quiet_hours, prefs.zone, now)
    if quiet_end is not None:
        if digestible:
            return AddToDigest(_flush_at(history, quiet_end), "quiet hours")
        return Hold(quiet_end, "quiet hours")
    if message.category is Category.DIGEST:
        return SendNow("digest: not rate-limited")
    recent = sorted(t for t in history.sent if t > now - RATE_WINDOW)
    if len(recent) >= prefs.rate_limit_per_hour:
        # Room again once enough of the recent sends have left the window.
        room_at = recent[len(recent) - prefs.rate_limit_per_hour] + RATE_WINDOW
        room_at = _outside_quiet_hours(prefs, room_at)
        if digestible:
            return AddToDigest(_flush_at(history, room_at), "rate limit")
        return Hold(room_at, "rate limit")
    return SendNow()


def _flush_at(history: History, earliest: datetime) -> datetime:
    # One digest at a time: a message joins the one already waiting.
    if history.digest_flush_at is not None:
        return history.digest_flush_at
    return earliest


def record(history: History, message: Message, decision: Decision, now: datetime) -> History:
    """The member's history once `decision` is acted on. Safety and duplicates change
    nothing."""
    now = utc_ms(now)
    if message.is_safety or isinstance(decision, Duplicate):
        return _pruned(history, now)
    seen = dict(history.seen)
    sent = history.sent
    digest = history.digest
    flush_at = history.digest_flush_at
    if isinstance(decision, SendNow):
        seen[message.key] = Seen(now, SeenState.SENT)
        if message.channel is not Channel.INBOX:
            sent = (*sent, now)
    elif isinstance(decision, Hold):
        seen[message.key] = Seen(now, SeenState.HELD, utc_ms(decision.until))
    else:
        seen[message.key] = Seen(now, SeenState.DIGESTED)
        if all(i.source_event_id != message.source_event_id for i in digest):
            item = DigestItem(message.source_event_id, message.category, message.event_type, now)
            digest = (*digest, item)
        flush_at = utc_ms(decision.flush_at)
    return _pruned(
        replace(history, seen=seen, sent=sent, digest=digest, digest_flush_at=flush_at), now
    )


def prune(history: History, now: datetime) -> History:
    """The history without what has expired by `now` (sends out of the rate window, dedupe
    keys past their retention)."""
    return _pruned(history, utc_ms(now))


def _pruned(history: History, now: datetime) -> History:
    sent = tuple(t for t in history.sent if t > now - RATE_WINDOW)
    keep = [
        (key, s)
        for key, s in history.seen.items()
        if s.at > now - DEDUPE_RETENTION or (s.until is not None and s.until > now)
    ]
    keep.sort(key=lambda pair: pair[1].at)
    seen = dict(keep[-DEDUPE_MAX_KEYS:])
    if sent == history.sent and seen == history.seen:
        return history
    return replace(history, sent=sent, seen=seen)


def flush_digest(history: History, now: datetime) -> tuple[DigestBatch | None, History]:
    """The member's digest, if it is due at `now`, and the history without it."""
    now = utc_ms(now)
    flush_at = history.digest_flush_at
    if flush_at is None or now < flush_at:
        return None, history
    if not history.digest:
        return None, replace(history, digest_flush_at=None)
    batch = DigestBatch(
        digest_id=deterministic_id("digest", history.member_id, flush_at.isoformat()),
        member_id=history.member_id,
        flush_at=flush_at,
        items=history.digest,
    )
    return batch, replace(history, digest=(), digest_flush_at=None)
