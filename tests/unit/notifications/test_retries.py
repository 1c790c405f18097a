"""Retries: the backoff schedule (growth, full jitter within bounds, cap, attempts, span),
fallback channels, dead letters, and safety deliveries that never give up."""

import itertools
import random
from datetime import UTC, datetime, timedelta

import pytest

from kindred.events.notifications import Category, Channel
from kindred.notifications.channels.base import DeliveryResult
from kindred.notifications.domain.deliveries import (
    MEMBER_RETRIES,
    SAFETY_RETRIES,
    DeadLetter,
    Delivery,
    DeliveryRetryPolicy,
    DeliveryState,
    Done,
    FallBack,
    RetryAt,
    delivery_id,
    jitter_rng,
    next_step,
)
from kindred.notifications.repository import delivery_doc, delivery_from

NOW = datetime(2025, 1, 10, 12, 0, tzinfo=UTC)


def delivery(
    channel: Channel = Channel.PUSH,
    category: Category = Category.MATCHING,
    fallbacks: tuple[Channel, ...] = (),
    urgent: bool = False,
) -> Delivery:
    return Delivery.new("event-1", "m1", channel, category, NOW, urgent=urgent, fallbacks=fallbacks)


def run_until_settled(d: Delivery, result: DeliveryResult, rng: random.Random) -> list[object]:
    """Attempt again and again, each at its scheduled time, always with `result`."""
    steps: list[object] = []
    now = NOW
    for _ in range(100):
        step = next_step(d.begin(now), result, now, rng)
        steps.append(step)
        if not isinstance(step, RetryAt):
            return steps
        d, now = step.delivery, step.at
    return steps


def test_the_ceiling_grows_by_the_factor_up_to_the_cap() -> None:
    ceilings = [MEMBER_RETRIES.ceiling(n) for n in range(1, 8)]
    assert ceilings == [60, 120, 240, 480, 900, 900, 900]
    assert MEMBER_RETRIES.ceiling(10_000) == 900  # no overflow for a page retried for hours


def test_full_jitter_stays_within_zero_and_the_ceiling() -> None:
    rng = random.Random(7)
    for attempt in range(1, 9):
        delays = [MEMBER_RETRIES.delay(attempt, rng).total_seconds() for _ in range(500)]
        assert min(delays) >= 0
        assert max(delays) <= MEMBER_RETRIES.ceiling(attempt)
        # Spread over the whole range, not bunched at one end.
        assert max(delays) > 0.9 * MEMBER_RETRIES.ceiling(attempt)
        assert min(delays) < 0.1 * MEMBER_RETRIES.ceiling(attempt)


def test_eight_attempts_then_a_dead_letter_spanning_about_thirty_minutes() -> None:
    spans = []
    for seed in range(300):
        steps = run_until_settled(delivery(), DeliveryResult.retry("http 503"), random.Random(seed))
        retries = [s for s in steps if isinstance(s, RetryAt)]
        assert len(retries) == 7
        last = steps[-1]
        assert isinstance(last, DeadLetter)
        assert last.delivery.attempts == 8
        assert last.delivery.status is DeliveryState.DEAD_LETTERED
        assert last.reason == "gave up after 8 attempts: http 503"
        span = (retries[-1].at - NOW).total_seconds()
        assert 0 <= span <= 3600
        spans.append(span)
    average = sum(spans) / len(spans)
    assert 25 * 60 <= average <= 35 * 60


def test_the_schedule_is_deterministic_for_a_seeded_source_and_for_a_replay() -> None:
    def schedule(rng: random.Random) -> list[datetime]:
        steps = run_until_settled(delivery(), DeliveryResult.retry("timeout"), rng)
        return [s.at for s in steps if isinstance(s, RetryAt)]

    assert schedule(random.Random(42)) == schedule(random.Random(42))
    # Without a source, the jitter follows from the delivery id and the attempt.
    d = delivery().begin(NOW)
    a = next_step(d, DeliveryResult.retry("timeout"), NOW)
    b = next_step(d, DeliveryResult.retry("timeout"), NOW)
    assert a == b
    assert jitter_rng(d.delivery_id, 1).random() == jitter_rng(d.delivery_id, 1).random()


def test_retry_after_is_honoured_up_to_the_cap() -> None:
    d = delivery().begin(NOW)
    step = next_step(d, DeliveryResult.retry("http 429", retry_after=120), NOW, random.Random(1))
    assert isinstance(step, RetryAt)
    assert step.at >= NOW + timedelta(seconds=120)
    capped = next_step(d, DeliveryResult.retry("http 429", retry_after=1e9), NOW, random.Random(1))
    assert isinstance(capped, RetryAt)
    assert capped.at <= NOW + timedelta(seconds=MEMBER_RETRIES.cap_seconds)


def test_success_ends_the_delivery() -> None:
    for result, status in [
        (DeliveryResult.sent(), DeliveryState.SENT),
        (DeliveryResult.delivered(), DeliveryState.DELIVERED),
    ]:
        step = next_step(delivery().begin(NOW), result, NOW, random.Random(1))
        assert isinstance(step, Done)
        assert step.delivery.status is status and step.delivery.finished


def test_a_permanent_failure_falls_back_in_order_then_dead_letters() -> None:
    d = delivery(Channel.PUSH, fallbacks=(Channel.SMS, Channel.EMAIL))
    step = next_step(d.begin(NOW), DeliveryResult.fail("http 400"), NOW, random.Random(1))
    assert isinstance(step, FallBack) and step.channel is Channel.SMS
    assert step.delivery.status is DeliveryState.FAILED and step.delivery.next_attempt_at is None
    sms = step.next
    assert sms.channel is Channel.SMS and sms.fallbacks == (Channel.EMAIL,)
    assert sms.fallback_from is Channel.PUSH
    assert sms.delivery_id == delivery_id("event-1", "m1", Channel.SMS)
    assert sms.is_due(NOW)
    step = next_step(sms.begin(NOW), DeliveryResult.fail("http 400"), NOW, random.Random(1))
    assert isinstance(step, FallBack) and step.channel is Channel.EMAIL
    step = next_step(step.next.begin(NOW), DeliveryResult.fail("smtp 550"), NOW, random.Random(1))
    assert isinstance(step, DeadLetter)
    assert step.reason == "permanent: smtp 550"


def test_exhausted_retries_fall_back_too() -> None:
    steps = run_until_settled(
        delivery(fallbacks=(Channel.EMAIL,)), DeliveryResult.retry("timeout"), random.Random(3)
    )
    assert isinstance(steps[-1], FallBack)
    assert len(steps) == MEMBER_RETRIES.max_attempts


@pytest.mark.parametrize(
    "result",
    [DeliveryResult.retry("timeout"), DeliveryResult.fail("http 400")],
    ids=["retryable", "permanent"],
)
def test_a_safety_page_is_retried_until_cancelled_never_dead_lettered(
    result: DeliveryResult,
) -> None:
    d = delivery(Channel.SMS, Category.SAFETY, fallbacks=(Channel.EMAIL,), urgent=True)
    steps = run_until_settled(d, result, random.Random(5))
    assert len(steps) == 100 and all(isinstance(s, RetryAt) for s in steps)
    waits = [s.at for s in steps if isinstance(s, RetryAt)]
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(waits)]
    assert max(gaps) <= SAFETY_RETRIES.cap_seconds
    last = steps[-1]
    assert isinstance(last, RetryAt)
    cancelled = last.delivery.cancel(NOW)
    assert cancelled.status is DeliveryState.CANCELLED and not cancelled.is_due(last.at)
    # Cancelling a finished delivery changes nothing.
    done = next_step(d.begin(NOW), DeliveryResult.sent(), NOW)
    assert isinstance(done, Done) and done.delivery.cancel(NOW) == done.delivery


def test_the_delivery_round_trips_through_its_document() -> None:
    d = delivery(fallbacks=(Channel.SMS, Channel.EMAIL))
    step = next_step(d.begin(NOW), DeliveryResult.retry("http 503"), NOW, random.Random(2))
    assert isinstance(step, RetryAt)
    for state in (d, step.delivery):
        assert delivery_from({**delivery_doc(state), "partition": 1}) == state
    fallen = next_step(d.begin(NOW), DeliveryResult.fail("http 400"), NOW)
    assert isinstance(fallen, FallBack)
    assert delivery_from(delivery_doc(fallen.next)) == fallen.next


def test_a_policy_refuses_nonsense() -> None:
    with pytest.raises(ValueError):
        DeliveryRetryPolicy(base_seconds=0)
    with pytest.raises(ValueError):
        DeliveryRetryPolicy(base_seconds=10, cap_seconds=5)
    with pytest.raises(ValueError):
        DeliveryRetryPolicy(max_attempts=0)
