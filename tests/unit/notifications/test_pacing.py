"""Pacing: quiet hours (across midnight and daylight saving), rate limits, digests, dedupe, and
safety, which none of them ever touches."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from kindred.events.notifications import Category, Channel, MessageUrgency, QuietHours
from kindred.notifications.domain.pacing import (
    DEDUPE_RETENTION,
    AddToDigest,
    Decision,
    Duplicate,
    History,
    Hold,
    Message,
    SendNow,
    decide,
    flush_digest,
    quiet_hours_end,
    record,
)
from kindred.notifications.domain.preferences import Preferences
from kindred.notifications.repository import history_doc, history_from


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def prefs(**overrides: Any) -> Preferences:
    base = Preferences(
        "m1",
        channels={c: (Channel.EMAIL, Channel.PUSH) for c in (Category.MATCHING, Category.ACCOUNT)},
        consents=frozenset({Channel.EMAIL, Channel.PUSH, Channel.SMS, Channel.WEBHOOK}),
        digest_bursts=False,
    )
    return replace(base, **overrides)


def msg(
    source: str = "e1",
    channel: Channel = Channel.EMAIL,
    category: Category = Category.ACCOUNT,
    urgency: MessageUrgency = MessageUrgency.NORMAL,
    recipient: str = "m1",
) -> Message:
    return Message(source, recipient, channel, category, urgency, "some.event")


def apply(
    history: History, message: Message, p: Preferences, now: datetime
) -> tuple[Decision, History]:
    decision = decide(message, p, history, now)
    return decision, record(history, message, decision, now)


# --- quiet hours ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "until"),
    [
        (utc(2025, 1, 10, 23, 30), utc(2025, 1, 11, 7, 0)),  # after the start, before midnight
        (utc(2025, 1, 11, 3, 0), utc(2025, 1, 11, 7, 0)),  # after midnight
        (utc(2025, 1, 10, 22, 0), utc(2025, 1, 11, 7, 0)),  # exactly the start
    ],
)
def test_quiet_hours_across_midnight_hold_until_the_end(now: datetime, until: datetime) -> None:
    assert decide(msg(), prefs(), History("m1"), now) == Hold(until, "quiet hours")


@pytest.mark.parametrize("now", [utc(2025, 1, 11, 7, 0), utc(2025, 1, 10, 21, 59, 59)])
def test_outside_quiet_hours_a_message_goes_now(now: datetime) -> None:
    assert isinstance(decide(msg(), prefs(), History("m1"), now), SendNow)


def test_quiet_hours_within_one_day() -> None:
    siesta = prefs(quiet_hours=QuietHours(start="13:00", end="15:00"))
    assert decide(msg(), siesta, History("m1"), utc(2025, 1, 10, 14, 0)) == Hold(
        utc(2025, 1, 10, 15, 0), "quiet hours"
    )
    assert isinstance(decide(msg(), siesta, History("m1"), utc(2025, 1, 10, 23, 0)), SendNow)


def test_no_quiet_hours_never_holds() -> None:
    assert isinstance(
        decide(msg(), prefs(quiet_hours=None), History("m1"), utc(2025, 1, 10, 3)), SendNow
    )


@pytest.mark.parametrize(
    ("zone", "quiet", "now", "until"),
    [
        # Paris, spring forward (31 March 2024, 02:00 -> 03:00): 07:00 CEST is 05:00 UTC.
        ("Europe/Paris", ("22:00", "07:00"), utc(2024, 3, 30, 22, 30), utc(2024, 3, 31, 5, 0)),
        # Paris, the evening before is still CET: 07:00 CET is 06:00 UTC.
        ("Europe/Paris", ("22:00", "07:00"), utc(2024, 3, 29, 22, 30), utc(2024, 3, 30, 6, 0)),
        # New York, fall back (3 November 2024): 07:00 EST is 12:00 UTC, 23:00 EDT was 03:00.
        ("America/New_York", ("22:00", "07:00"), utc(2024, 11, 3, 3, 0), utc(2024, 11, 3, 12, 0)),
        # New York, an end time that happens twice: the first time the clocks show it.
        ("America/New_York", ("22:00", "01:30"), utc(2024, 11, 3, 4, 30), utc(2024, 11, 3, 5, 30)),
        # Sydney, spring forward (6 October 2024, 02:00 -> 03:00): an end at 02:30 does not
        # exist that night; the quiet hours end when the gap does, 03:00 AEDT (16:00 UTC).
        ("Australia/Sydney", ("22:00", "02:30"), utc(2024, 10, 5, 13, 0), utc(2024, 10, 5, 16, 0)),
        # Kolkata, a half-hour offset: 07:00 IST is 01:30 UTC.
        ("Asia/Kolkata", ("22:00", "07:00"), utc(2025, 6, 1, 20, 0), utc(2025, 6, 2, 1, 30)),
    ],
)
def test_quiet_hours_end_in_the_members_zone_across_daylight_saving(
    zone: str, quiet: tuple[str, str], now: datetime, until: datetime
) -> None:
    p = prefs(time_zone=zone, quiet_hours=QuietHours(start=quiet[0], end=quiet[1]))
    assert quiet_hours_end(p.quiet_hours, p.zone, now) == until
    assert decide(msg(), p, History("m1"), now) == Hold(until, "quiet hours")


def test_the_inbox_is_never_held_by_quiet_hours() -> None:
    night = utc(2025, 1, 10, 23, 30)
    assert isinstance(decide(msg(channel=Channel.INBOX), prefs(), History("m1"), night), SendNow)


def test_a_digestible_message_in_quiet_hours_goes_into_the_digest_flushed_at_their_end() -> None:
    p = prefs(digest_bursts=True)
    night = utc(2025, 1, 10, 23, 30)
    decision = decide(msg(category=Category.MATCHING), p, History("m1"), night)
    assert decision == AddToDigest(utc(2025, 1, 11, 7, 0), "quiet hours")


# --- safety: never paced -------------------------------------------------------------------

NIGHT = utc(2025, 1, 10, 23, 30)


def _hostile_history(message: Message, state: str) -> History:
    p = prefs(rate_limit_per_hour=1, digest_bursts=True, quiet_hours=None)
    history = History("m1")
    # The rate limit already spent, many times over.
    for i in range(10):
        _, history = apply(history, msg(f"x{i}"), p, NIGHT - timedelta(minutes=30 - i))
    # The same key already seen, as sent, held or digested, and a digest waiting.
    seen = {
        "sent": SendNow(),
        "held": Hold(NIGHT + timedelta(hours=8)),
        "digested": AddToDigest(NIGHT + timedelta(hours=8)),
    }[state]
    as_member = replace(message, urgency=MessageUrgency.NORMAL, category=Category.MATCHING)
    history = record(history, as_member, seen, NIGHT - timedelta(minutes=1))
    history = replace(history, seen={**history.seen, message.key: history.seen[as_member.key]})
    return history


HOSTILE_PREFS = [
    pytest.param(prefs(quiet_hours=QuietHours(start="00:00", end="23:59")), id="quiet-all-day"),
    pytest.param(
        prefs(quiet_hours=QuietHours(start="22:00", end="07:00"), time_zone="Pacific/Kiritimati"),
        id="quiet-far-zone",
    ),
    pytest.param(prefs(rate_limit_per_hour=1, quiet_hours=None), id="rate-limit-1"),
    pytest.param(prefs(rate_limit_per_hour=1, digest_bursts=True), id="digest-everything"),
    pytest.param(prefs(consents=frozenset(), channels={}), id="no-consent"),
]


@pytest.mark.parametrize("p", HOSTILE_PREFS)
@pytest.mark.parametrize("state", ["sent", "held", "digested"])
@pytest.mark.parametrize(
    "message",
    [
        pytest.param(
            msg("alert-1", Channel.SMS, Category.SAFETY, MessageUrgency.URGENT), id="page-sms"
        ),
        pytest.param(
            msg("alert-1", Channel.PUSH, Category.SAFETY, MessageUrgency.NORMAL), id="safety"
        ),
        pytest.param(
            msg("alert-1", Channel.EMAIL, Category.ACCOUNT, MessageUrgency.URGENT), id="urgent"
        ),
    ],
)
def test_safety_is_never_held_digested_rate_limited_or_deduplicated(
    p: Preferences, state: str, message: Message
) -> None:
    history = _hostile_history(message, state)
    # The same message, were it not safety, would not go now.
    member = replace(message, urgency=MessageUrgency.NORMAL, category=Category.MATCHING)
    assert not isinstance(decide(member, p, history, NIGHT), SendNow)
    for minutes in range(0, 120, 7):  # any time of the night, again and again
        now = NIGHT + timedelta(minutes=minutes)
        decision = decide(message, p, history, now)
        assert isinstance(decision, SendNow)
        history = record(history, message, decision, now)


def test_the_safety_path_reads_neither_preferences_nor_history() -> None:
    page = msg("alert-1", Channel.SMS, Category.SAFETY, MessageUrgency.URGENT)
    assert isinstance(decide(page, None, None, NIGHT), SendNow)  # type: ignore[arg-type]


def test_safety_does_not_spend_a_members_rate_limit() -> None:
    p = prefs(rate_limit_per_hour=1, quiet_hours=None)
    urgent = msg("crisis", Channel.EMAIL, Category.ACCOUNT, MessageUrgency.URGENT)
    _, history = apply(History("m1"), urgent, p, NIGHT)
    assert history.sent == ()
    assert isinstance(decide(msg("next"), p, history, NIGHT), SendNow)


# --- rate limit and digest -----------------------------------------------------------------

DAY = utc(2025, 1, 10, 12, 0)


def test_over_the_rate_limit_a_message_waits_until_the_hour_has_room() -> None:
    p = prefs(rate_limit_per_hour=2)
    history = History("m1")
    first, history = apply(history, msg("a"), p, DAY)
    second, history = apply(history, msg("b"), p, DAY + timedelta(minutes=10))
    assert isinstance(first, SendNow) and isinstance(second, SendNow)
    third = decide(msg("c"), p, history, DAY + timedelta(minutes=20))
    assert third == Hold(DAY + timedelta(hours=1), "rate limit")
    # The inbox is not counted nor limited.
    assert isinstance(decide(msg("c", Channel.INBOX), p, history, DAY), SendNow)
    # An hour after the first send there is room again.
    assert isinstance(decide(msg("c"), p, history, DAY + timedelta(hours=1)), SendNow)


def test_room_that_comes_in_quiet_hours_waits_for_their_end() -> None:
    p = prefs(rate_limit_per_hour=1)
    evening = utc(2025, 1, 10, 21, 30)
    _, history = apply(History("m1"), msg("a"), p, evening)
    assert decide(msg("b"), p, history, evening + timedelta(minutes=10)) == Hold(
        utc(2025, 1, 11, 7, 0), "rate limit"
    )


def test_a_burst_over_the_limit_is_gathered_into_one_digest() -> None:
    p = prefs(rate_limit_per_hour=1, digest_bursts=True)
    history = History("m1")
    decisions = []
    for i, source in enumerate(["a", "b", "c", "c"]):
        message = msg(source, category=Category.MATCHING)
        decision, history = apply(history, message, p, DAY + timedelta(minutes=i))
        decisions.append(decision)
    assert isinstance(decisions[0], SendNow)
    flush_at = DAY + timedelta(hours=1)
    assert decisions[1] == AddToDigest(flush_at, "rate limit")
    assert decisions[2] == AddToDigest(flush_at, "rate limit")
    assert isinstance(decisions[3], Duplicate)
    # Not yet.
    none, same = flush_digest(history, flush_at - timedelta(seconds=1))
    assert none is None and same == history
    batch, after = flush_digest(history, flush_at)
    assert batch is not None
    assert [i.source_event_id for i in batch.items] == ["b", "c"]
    assert after.digest == () and after.digest_flush_at is None
    # The digest's id follows from the member and the flush time: a replay makes the same.
    again, _ = flush_digest(history, flush_at + timedelta(minutes=5))
    assert again is not None and again.digest_id == batch.digest_id
    # The digest message itself is not rate-limited.
    digest_msg = msg(batch.digest_id, category=Category.DIGEST)
    assert isinstance(decide(digest_msg, p, after, flush_at), SendNow)


def test_account_messages_wait_rather_than_being_digested() -> None:
    p = prefs(rate_limit_per_hour=1, digest_bursts=True)
    _, history = apply(History("m1"), msg("a"), p, DAY)
    assert isinstance(decide(msg("b", category=Category.ACCOUNT), p, history, DAY), Hold)


# --- dedupe --------------------------------------------------------------------------------


def test_the_same_event_to_the_same_recipient_on_the_same_channel_goes_once() -> None:
    p = prefs()
    first, history = apply(History("m1"), msg("a"), p, DAY)
    assert isinstance(first, SendNow)
    assert decide(msg("a"), p, history, DAY + timedelta(minutes=5)) == Duplicate(DAY)
    assert isinstance(decide(msg("a", Channel.PUSH), p, history, DAY), SendNow)
    assert isinstance(decide(msg("a", recipient="m2"), p, history, DAY), SendNow)
    assert isinstance(decide(msg("a", Channel.INBOX), p, history, DAY), SendNow)
    _, history = apply(history, msg("a", Channel.INBOX), p, DAY)
    assert isinstance(decide(msg("a", Channel.INBOX), p, history, DAY), Duplicate)


def test_a_held_message_is_a_duplicate_until_it_is_released() -> None:
    p = prefs()
    night = utc(2025, 1, 10, 23, 0)
    held, history = apply(History("m1"), msg("a"), p, night)
    assert isinstance(held, Hold)
    assert isinstance(decide(msg("a"), p, history, night + timedelta(hours=1)), Duplicate)
    released, history = apply(history, msg("a"), p, held.until)
    assert isinstance(released, SendNow)
    assert isinstance(decide(msg("a"), p, history, held.until), Duplicate)


def test_dedupe_keys_are_forgotten_after_the_retention() -> None:
    p = prefs()
    _, history = apply(History("m1"), msg("a"), p, DAY)
    later = DAY + DEDUPE_RETENTION + timedelta(minutes=1)
    _, history = apply(history, msg("b"), p, later)
    assert msg("a").key not in history.seen


def test_the_history_round_trips_through_its_document() -> None:
    p = prefs(rate_limit_per_hour=1, digest_bursts=True)
    history = History("m1")
    for i, source in enumerate(["a", "b"]):
        _, history = apply(
            history, msg(source, category=Category.MATCHING), p, DAY + timedelta(minutes=i)
        )
    _, history = apply(history, msg("c"), p, DAY + timedelta(minutes=3))
    assert history.digest and history.sent and history.seen
    assert history_from(history_doc(history)) == history
