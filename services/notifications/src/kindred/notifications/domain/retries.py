"""Retries with backoff and full jitter, fallback channels and dead letters, for one delivery
(one message, one recipient, one channel). Pure: every instant and the random source are
arguments.

- Backoff: after the n-th failed attempt, wait a uniformly random time in
  [0, min(cap, base * factor ** (n - 1))] ("full jitter"). Defaults (`DEFAULT_POLICY`): base
  60 s, factor 2, cap 15 min, 8 attempts: ceilings 1, 2, 4, 8, 15, 15, 15 min, so the 7 waits
  span 30 min on average and 60 min at most. A provider's Retry-After is honoured (up to the
  cap).
- A permanent failure, or the last attempt failing, falls back to the next channel of the
  category's `FALLBACK_ORDER` that the recipient can use (consented, configured) and that is not
  already carrying the message; with none left, the delivery is dead-lettered.
- Safety pages (category `safety` or urgent) never give up, never fall back (every configured
  channel of the person paged is used at once) and are never dead-lettered: they are retried
  (`SAFETY_POLICY`: 5 s doubling up to 1 min; a permanent failure waits the cap) until the
  escalation is acknowledged, which cancels them (`Delivery.cancel`).
- The random source is seeded from the delivery id and the attempt number by default
  (`jitter_rng`), so a replayed step schedules the same retry.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from kindred.events.notifications import Category, Channel
from kindred.notifications.domain.instants import utc_ms
from kindred.notifications.domain.pacing import delivery_id
from kindred.notifications.domain.preferences import Preferences

__all__ = [
    "DEFAULT_POLICY",
    "FALLBACK_ORDER",
    "SAFETY_POLICY",
    "AttemptResult",
    "DeadLetter",
    "Delivery",
    "DeliveryState",
    "Done",
    "FallBack",
    "RetryAt",
    "RetryPolicy",
    "Step",
    "delivery_id",
    "fallback_chain",
    "jitter_rng",
    "next_step",
    "plan_deliveries",
]


@dataclass(frozen=True)
class RetryPolicy:
    base_seconds: float = 60.0
    factor: float = 2.0
    cap_seconds: float = 900.0
    # None: never gives up (safety pages, until acknowledged).
    max_attempts: int | None = 8

    def __post_init__(self) -> None:
        if self.base_seconds <= 0 or self.factor < 1 or self.cap_seconds < self.base_seconds:
            raise ValueError("a retry policy needs base > 0, factor >= 1 and cap >= base")
        if self.max_attempts is not None and self.max_attempts < 1:
            raise ValueError("a retry policy allows at least one attempt")

    def ceiling(self, attempt: int) -> float:
        """The longest wait (seconds) after the `attempt`-th attempt (1-based) failed."""
        exponent = max(0, attempt - 1)
        if exponent > 64:
            return self.cap_seconds
        return float(min(self.cap_seconds, self.base_seconds * self.factor**exponent))

    def delay(self, attempt: int, rng: random.Random) -> timedelta:
        """A fully jittered wait after the `attempt`-th attempt failed (whole milliseconds)."""
        seconds = rng.uniform(0.0, self.ceiling(attempt))
        return timedelta(milliseconds=int(seconds * 1000))

    def gives_up_after(self, attempt: int) -> bool:
        return self.max_attempts is not None and attempt >= self.max_attempts


DEFAULT_POLICY = RetryPolicy()
SAFETY_POLICY = RetryPolicy(base_seconds=5.0, factor=2.0, cap_seconds=60.0, max_attempts=None)

# After a channel fails for good, the next ones to try, in order. Safety has none: every
# configured channel of the person paged is used at once, and each is retried.
_MEMBER_ORDER = (Channel.PUSH, Channel.WEBHOOK, Channel.SMS, Channel.EMAIL, Channel.INBOX)
FALLBACK_ORDER: Mapping[Category, tuple[Channel, ...]] = {
    Category.SAFETY: (),
    Category.MATCHING: _MEMBER_ORDER,
    Category.CHECKIN_REMINDERS: _MEMBER_ORDER,
    Category.DIGEST: _MEMBER_ORDER,
    Category.ACCOUNT: _MEMBER_ORDER,
}


def jitter_rng(delivery_id: str, attempt: int) -> random.Random:
    """A random source seeded from the delivery and the attempt: a replay jitters the same."""
    return random.Random(f"{delivery_id}:{attempt}")


def fallback_chain(
    category: Category, channel: Channel, usable: Iterable[Channel], in_use: Iterable[Channel] = ()
) -> tuple[Channel, ...]:
    """The channels to fall back to, in order, after `channel`: later in the category's order,
    usable by the recipient, and not already carrying the message."""
    order = FALLBACK_ORDER[category]
    after = order[order.index(channel) + 1 :] if channel in order else order
    usable_set, busy = set(usable), {*in_use, channel}
    return tuple(c for c in after if c in usable_set and c not in busy)


class DeliveryState(StrEnum):
    PENDING = "pending"
    IN_FLIGHT = "in_flight"
    SENT = "sent"
    DELIVERED = "delivered"
    # Failed; `next_attempt_at` set: a retry is scheduled; unset: fallen back to another channel.
    FAILED = "failed"
    DEAD_LETTERED = "dead_lettered"
    # Stopped before it went through: the safety alert it paged for was acknowledged.
    CANCELLED = "cancelled"


FINISHED = frozenset(
    {
        DeliveryState.SENT,
        DeliveryState.DELIVERED,
        DeliveryState.DEAD_LETTERED,
        DeliveryState.CANCELLED,
    }
)


@dataclass(frozen=True)
class Delivery:
    """One message to one recipient on one channel, across its attempts (`_id`: the delivery
    id, from the source event, the recipient and the channel)."""

    delivery_id: str
    source_event_id: str
    recipient: str
    channel: Channel
    category: Category
    created_at: datetime
    updated_at: datetime
    urgent: bool = False
    status: DeliveryState = DeliveryState.PENDING
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_error: str | None = None
    # Where to go if this channel fails for good, in order.
    fallbacks: tuple[Channel, ...] = ()
    # The channel this delivery replaced, when it is a fallback.
    fallback_from: Channel | None = None

    @classmethod
    def new(
        cls,
        source_event_id: str,
        recipient: str,
        channel: Channel,
        category: Category,
        now: datetime,
        *,
        urgent: bool = False,
        fallbacks: Iterable[Channel] = (),
        fallback_from: Channel | None = None,
        not_before: datetime | None = None,
    ) -> Delivery:
        """A pending delivery, due at `not_before` (a held message) or now."""
        now = utc_ms(now)
        return cls(
            delivery_id=delivery_id(source_event_id, recipient, channel),
            source_event_id=source_event_id,
            recipient=recipient,
            channel=channel,
            category=category,
            created_at=now,
            updated_at=now,
            urgent=urgent,
            next_attempt_at=now if not_before is None else utc_ms(not_before),
            fallbacks=tuple(fallbacks),
            fallback_from=fallback_from,
        )

    @property
    def never_gives_up(self) -> bool:
        return self.urgent or self.category is Category.SAFETY

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    def is_due(self, now: datetime) -> bool:
        return (
            self.status in (DeliveryState.PENDING, DeliveryState.FAILED)
            and self.next_attempt_at is not None
            and self.next_attempt_at <= utc_ms(now)
        )

    def begin(self, now: datetime) -> Delivery:
        """The attempt about to be made: in flight, counted."""
        return replace(
            self,
            status=DeliveryState.IN_FLIGHT,
            attempts=self.attempts + 1,
            next_attempt_at=None,
            updated_at=utc_ms(now),
        )

    def recovered(self, now: datetime) -> Delivery:
        """After a crash or a rebalance, an attempt in flight has an unknown outcome: make it
        again now (the channels deduplicate on the delivery id)."""
        if self.status is not DeliveryState.IN_FLIGHT:
            return self
        return replace(
            self, status=DeliveryState.PENDING, next_attempt_at=utc_ms(now), updated_at=utc_ms(now)
        )

    def cancel(self, now: datetime) -> Delivery:
        if self.finished:
            return self
        return replace(
            self, status=DeliveryState.CANCELLED, next_attempt_at=None, updated_at=utc_ms(now)
        )

    def to_doc(self) -> dict[str, Any]:
        return {
            "_id": self.delivery_id,
            "source_event_id": self.source_event_id,
            "recipient": self.recipient,
            "channel": self.channel.value,
            "category": self.category.value,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "urgent": self.urgent,
            "status": self.status.value,
            "attempts": self.attempts,
            "next_attempt_at": self.next_attempt_at,
            "last_error": self.last_error,
            "fallbacks": [c.value for c in self.fallbacks],
            "fallback_from": None if self.fallback_from is None else self.fallback_from.value,
        }

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> Delivery:
        next_at = doc.get("next_attempt_at")
        fallback_from = doc.get("fallback_from")
        return cls(
            delivery_id=doc["_id"],
            source_event_id=doc["source_event_id"],
            recipient=doc["recipient"],
            channel=Channel(doc["channel"]),
            category=Category(doc["category"]),
            created_at=utc_ms(doc["created_at"]),
            updated_at=utc_ms(doc["updated_at"]),
            urgent=doc.get("urgent", False),
            status=DeliveryState(doc["status"]),
            attempts=doc.get("attempts", 0),
            next_attempt_at=None if next_at is None else utc_ms(next_at),
            last_error=doc.get("last_error"),
            fallbacks=tuple(Channel(c) for c in doc.get("fallbacks", [])),
            fallback_from=None if fallback_from is None else Channel(fallback_from),
        )


def plan_deliveries(
    source_event_id: str,
    prefs: Preferences,
    category: Category,
    now: datetime,
    *,
    configured: Iterable[Channel] | None = None,
) -> list[Delivery]:
    """A member notification's deliveries: one per channel the member gets `category` on
    (`Preferences.channels_for`; the inbox always), each with its fallbacks among the channels
    they consented to. `configured`: the channels this deployment has (None: all)."""
    available = set(Channel) if configured is None else {*configured, Channel.INBOX}
    channels = tuple(c for c in prefs.channels_for(category) if c in available)
    usable = [c for c in Channel if prefs.consented(c) and c in available]
    return [
        Delivery.new(
            source_event_id,
            prefs.member_id,
            channel,
            category,
            now,
            fallbacks=fallback_chain(category, channel, usable, channels),
        )
        for channel in channels
    ]


class AttemptResult(Protocol):
    """An attempt's outcome, as the channel adapters' `DeliveryResult` reports it."""

    @property
    def status(self) -> str: ...  # "sent", "delivered" or "failed"

    @property
    def retryable(self) -> bool: ...

    @property
    def reason(self) -> str: ...

    @property
    def retry_after(self) -> float | None: ...


@dataclass(frozen=True)
class Done:
    delivery: Delivery


@dataclass(frozen=True)
class RetryAt:
    at: datetime
    delivery: Delivery


@dataclass(frozen=True)
class FallBack:
    channel: Channel
    # This channel's delivery, failed for good.
    delivery: Delivery
    # The new delivery on `channel`, due now.
    next: Delivery


@dataclass(frozen=True)
class DeadLetter:
    delivery: Delivery
    reason: str


Step = Done | RetryAt | FallBack | DeadLetter


def next_step(
    delivery: Delivery,
    result: AttemptResult,
    now: datetime,
    rng: random.Random | None = None,
    policy: RetryPolicy | None = None,
) -> Step:
    """What follows an attempt of `delivery` (as `begin` returned it) that ended in `result`."""
    now = utc_ms(now)
    status = str(result.status)
    if status in (DeliveryState.SENT, DeliveryState.DELIVERED):
        done = replace(
            delivery,
            status=DeliveryState(status),
            next_attempt_at=None,
            last_error=None,
            updated_at=now,
        )
        return Done(done)
    error = (result.reason or "failed")[:100]
    rng = rng or jitter_rng(delivery.delivery_id, delivery.attempts)
    if delivery.never_gives_up:
        return _retry(delivery, result, now, rng, policy or SAFETY_POLICY, error)
    policy = policy or DEFAULT_POLICY
    if result.retryable and not policy.gives_up_after(delivery.attempts):
        return _retry(delivery, result, now, rng, policy, error)
    failed = replace(
        delivery,
        status=DeliveryState.FAILED,
        next_attempt_at=None,
        last_error=error,
        updated_at=now,
    )
    why = "permanent" if not result.retryable else f"gave up after {delivery.attempts} attempts"
    if delivery.fallbacks:
        channel, *rest = delivery.fallbacks
        follow = Delivery.new(
            delivery.source_event_id,
            delivery.recipient,
            channel,
            delivery.category,
            now,
            urgent=delivery.urgent,
            fallbacks=rest,
            fallback_from=delivery.channel,
        )
        return FallBack(channel, failed, follow)
    return DeadLetter(replace(failed, status=DeliveryState.DEAD_LETTERED), f"{why}: {error}")


def _retry(
    delivery: Delivery,
    result: AttemptResult,
    now: datetime,
    rng: random.Random,
    policy: RetryPolicy,
    error: str,
) -> RetryAt:
    if result.retryable:
        wait = policy.delay(delivery.attempts, rng)
    else:
        # Only safety retries a permanent failure: something may fix it, but not in seconds.
        wait = timedelta(seconds=policy.cap_seconds)
    if result.retry_after is not None and result.retry_after > 0:
        asked = timedelta(milliseconds=int(min(result.retry_after, policy.cap_seconds) * 1000))
        wait = max(wait, asked)
    at = now + wait
    retried = replace(
        delivery, status=DeliveryState.FAILED, next_attempt_at=at, last_error=error, updated_at=now
    )
    return RetryAt(at, retried)
