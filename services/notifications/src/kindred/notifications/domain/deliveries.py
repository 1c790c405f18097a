"""Deliveries: one message to one recipient on one channel, across its attempts, with what the
sender needs to make it (`Dispatch`); retries with backoff and full jitter, fallback channels
and dead letters. Pure: every instant and the random source are arguments.

- Backoff: after the n-th failed attempt, wait a uniformly random time in
  [0, min(cap, base * factor ** (n - 1))] ("full jitter"). Defaults (`MEMBER_RETRIES`): base
  60 s, factor 2, cap 15 min, 8 attempts: ceilings 1, 2, 4, 8, 15, 15, 15 min, so the 7 waits
  span 30 min on average and 60 min at most. A provider's Retry-After is honoured (up to the
  cap).
- A permanent failure, or the last attempt failing, falls back to the delivery's next channel:
  a member's notification goes to their first channel they consented to and gave an address
  for, with their other such channels, in their order, as its fallbacks (`notify`); with none
  left, the delivery is dead-lettered.
- Safety pages (category `safety` or urgent) never give up, never fall back (every configured
  channel of the person paged is used at once) and are never dead-lettered: they are retried
  (`SAFETY_RETRIES`: 5 s doubling up to 1 min; a permanent failure waits the cap) until the
  escalation is acknowledged, which cancels them (`Delivery.cancel`).
- The random source is seeded from the delivery id and the attempt number by default
  (`jitter_rng`), so a replayed step schedules the same retry.
- An attempt's outcome travels from the sender to the partition's owner as the `error_kind`
  of `notification.delivery-attempted` ("retryable: http 503"): `error_kind` writes it,
  `ReportedAttempt.of` reads it back.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from kindred.events.envelope import deterministic_id
from kindred.events.notifications import (
    Category,
    Channel,
    DeliveryOutcome,
    NotificationDeliveryAttemptedData,
)
from kindred.notifications.domain.instants import utc_ms

PERMANENT = "permanent"
RETRYABLE = "retryable"


def delivery_id(source_event_id: str, recipient: str, channel: Channel | str) -> str:
    """The id of a message's delivery to one recipient on one channel: the dedupe key, the
    `Delivery`'s id, the channels' idempotency key and an inbox entry's id. A replay derives
    the same."""
    return deterministic_id("delivery", source_event_id, recipient, str(channel))


@dataclass(frozen=True)
class DeliveryRetryPolicy:
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


# A member notification's retries per channel (NOTIFY_RETRY_* set them), and a safety page's.
MEMBER_RETRIES = DeliveryRetryPolicy()
SAFETY_RETRIES = DeliveryRetryPolicy(
    base_seconds=5.0, factor=2.0, cap_seconds=60.0, max_attempts=None
)


def jitter_rng(delivery_id: str, attempt: int) -> random.Random:
    """A random source seeded from the delivery and the attempt: a replay jitters the same."""
    return random.Random(f"{delivery_id}:{attempt}")


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

    def cancel(self, now: datetime) -> Delivery:
        if self.finished:
            return self
        return replace(
            self, status=DeliveryState.CANCELLED, next_attempt_at=None, updated_at=utc_ms(now)
        )


@dataclass(frozen=True)
class Dispatch:
    """A delivery with what the sender needs to make it: the recipient's address on its
    channel, the template (an event type) and its context, the audience and the locale."""

    delivery: Delivery
    member_id: str  # whom it is about: the recipient, or for a page the member in crisis
    address: str
    template: str
    context: Mapping[str, Any]
    accepted_at: datetime  # when the source happened (a page: the check-in's accept)
    audience: str = "staff"
    locale: str = "en"

    @property
    def key(self) -> str:
        return self.delivery.delivery_id

    @property
    def due_at(self) -> datetime | None:
        """When the next attempt is due (None: none is, until something changes)."""
        d = self.delivery
        waiting = d.status in (DeliveryState.PENDING, DeliveryState.FAILED)
        return d.next_attempt_at if waiting else None


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
    policy: DeliveryRetryPolicy = MEMBER_RETRIES,
) -> Step:
    """What follows an attempt of `delivery` (as `begin` returned it) that ended in `result`:
    a member notification's retries follow `policy`, a safety page's `SAFETY_RETRIES`."""
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
        return _retry(delivery, result, now, rng, SAFETY_RETRIES, error)
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
    policy: DeliveryRetryPolicy,
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


@dataclass(frozen=True)
class ReportedAttempt:
    """An attempt's result as the owner reads it from the sender's report (an
    `AttemptResult`)."""

    status: str
    retryable: bool
    reason: str
    retry_after: float | None = None

    @classmethod
    def of(cls, data: NotificationDeliveryAttemptedData) -> ReportedAttempt:
        kind, _, reason = (data.error_kind or "").partition(":")
        failed = data.outcome in (DeliveryOutcome.FAILED, DeliveryOutcome.DEAD_LETTERED)
        return cls(
            status="failed" if failed else data.outcome.value,
            retryable=kind.strip() != PERMANENT,
            reason=reason.strip(),
        )


def error_kind(result: AttemptResult) -> str | None:
    """What the sender reports of an attempt: None when it went through; else whether to
    retry and the adapter's reason, capped."""
    if str(result.status) != "failed":
        return None
    return f"{RETRYABLE if result.retryable else PERMANENT}: {result.reason}"[:100]


@dataclass(frozen=True)
class Reported:
    """What a report of an attempt changed: the dispatch as it is now (finished, or due
    again), the dispatch on the next channel when it fell back, and why it was given up when
    it was."""

    dispatch: Dispatch
    fallback: Dispatch | None = None
    dead_letter: str | None = None


def reported(
    dispatch: Dispatch,
    report: NotificationDeliveryAttemptedData,
    now: datetime,
    policy: DeliveryRetryPolicy = MEMBER_RETRIES,
    contacts: Mapping[Channel, str] | None = None,
) -> Reported | None:
    """Apply the sender's report of an attempt (None: a copy of one applied already). A
    fallback goes to the recipient's address on the next channel (`contacts`), if they still
    have one."""
    if report.attempt != dispatch.delivery.attempts + 1:
        return None
    attempt = dispatch.delivery.begin(report.at)
    step = next_step(attempt, ReportedAttempt.of(report), now, policy=policy)
    now_as = replace(dispatch, delivery=step.delivery)
    if isinstance(step, FallBack):
        address = (contacts or {}).get(step.channel)
        if address is None:  # the member took that address back meanwhile
            given_up = replace(step.delivery, status=DeliveryState.DEAD_LETTERED)
            reason = f"no address for {step.channel.value} to fall back to"
            return Reported(replace(dispatch, delivery=given_up), dead_letter=reason)
        return Reported(now_as, fallback=replace(dispatch, delivery=step.next, address=address))
    if isinstance(step, DeadLetter):
        return Reported(now_as, dead_letter=step.reason)
    return Reported(now_as)
