"""Check-in schedules in local time: occurrences across daylight-saving changes and skipped days,
day filters, windows, changes of schedule, and what a schedule owes at a given instant."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from kindred.checkins.domain.schedules import (
    MemberSchedule,
    Missed,
    Occurrence,
    Reminder,
    Schedule,
    check_in,
    due,
    next_occurrence,
    occurrence_id,
    occurrence_on,
    set_schedule,
)

EVERY_DAY = frozenset(range(7))
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def daily(zone: str, hh: int, mm: int = 0, days: frozenset[int] = EVERY_DAY) -> Schedule:
    return Schedule(zone, time(hh, mm), days)


def local(occurrence: Occurrence, zone: str) -> datetime:
    return occurrence.due_at.astimezone(ZoneInfo(zone))


def following(schedule: Schedule, occurrence: Occurrence) -> Occurrence:
    found = next_occurrence(schedule, occurrence.due_at, after_date=occurrence.local_date)
    assert found is not None
    return found


# ---------------------------------------------------------------- daylight saving


@pytest.mark.parametrize(
    ("zone", "day", "wall", "expected_utc", "expected_local"),
    [
        # Spring forward: 02:00 → 03:00; 02:30 does not exist and happens at 03:00.
        ("Europe/Paris", date(2024, 3, 31), time(2, 30), utc(2024, 3, 31, 1, 0), time(3, 0)),
        ("America/New_York", date(2024, 3, 10), time(2, 30), utc(2024, 3, 10, 7, 0), time(3, 0)),
        # Lord Howe moves by 30 minutes: 02:00 → 02:30; 02:15 happens at 02:30 (+11:00).
        (
            "Australia/Lord_Howe",
            date(2024, 10, 6),
            time(2, 15),
            utc(2024, 10, 5, 15, 30),
            time(2, 30),
        ),
        # The first minute after the gap is itself valid: unchanged.
        ("Europe/Paris", date(2024, 3, 31), time(3, 0), utc(2024, 3, 31, 1, 0), time(3, 0)),
    ],
)
def test_a_local_time_in_a_spring_forward_gap_moves_to_the_end_of_the_gap(
    zone: str, day: date, wall: time, expected_utc: datetime, expected_local: time
) -> None:
    occurrence = occurrence_on(Schedule(zone, wall, EVERY_DAY), day)
    assert occurrence is not None
    assert occurrence.due_at == expected_utc
    assert occurrence.local_date == day
    assert local(occurrence, zone).time() == expected_local
    assert local(occurrence, zone).date() == day


@pytest.mark.parametrize(
    ("zone", "day", "wall", "first_utc"),
    [
        # Fall back: the local time happens twice; the schedule takes the first (fold=0) only.
        ("Europe/Paris", date(2024, 10, 27), time(2, 30), utc(2024, 10, 27, 0, 30)),
        ("America/New_York", date(2024, 11, 3), time(1, 30), utc(2024, 11, 3, 5, 30)),
        ("Australia/Lord_Howe", date(2024, 4, 7), time(1, 45), utc(2024, 4, 6, 14, 45)),
    ],
)
def test_an_ambiguous_local_time_happens_once_at_its_first_instant(
    zone: str, day: date, wall: time, first_utc: datetime
) -> None:
    schedule = Schedule(zone, wall, EVERY_DAY)
    first = next_occurrence(schedule, first_utc - HOUR)
    assert first == Occurrence(day, first_utc)
    # The second instant with that wall time (after the clocks went back) is not an occurrence:
    # neither from the first one, nor from any instant in between.
    for after in (
        first_utc,
        first_utc + timedelta(minutes=1),
        first_utc + HOUR - timedelta(seconds=1),
    ):
        again = next_occurrence(schedule, after, after_date=None)
        assert again is not None
        assert again.local_date == day + DAY, after
        assert local(again, zone).time() == wall


def test_a_date_the_zone_skipped_has_no_occurrence() -> None:
    # Samoa moved across the date line: 29 December 2011 was followed by 31 December.
    schedule = daily("Pacific/Apia", 9)
    assert occurrence_on(schedule, date(2011, 12, 30)) is None
    before = next_occurrence(schedule, utc(2011, 12, 29, 12))
    assert before == Occurrence(date(2011, 12, 29), utc(2011, 12, 29, 19))  # 09:00 at -10:00
    after = following(schedule, before)
    assert after == Occurrence(date(2011, 12, 31), utc(2011, 12, 30, 19))  # 09:00 at +14:00


@pytest.mark.parametrize(
    ("zone", "wall"),
    [
        ("Europe/Paris", time(2, 30)),
        ("America/New_York", time(1, 30)),
        ("America/New_York", time(2, 30)),
        ("Australia/Lord_Howe", time(2, 15)),
        ("Australia/Lord_Howe", time(1, 45)),
        ("Pacific/Apia", time(0, 0)),
        ("Asia/Kolkata", time(23, 59)),
    ],
)
def test_over_years_each_local_date_has_one_occurrence_in_order(zone: str, wall: time) -> None:
    schedule = Schedule(zone, wall, EVERY_DAY)
    start = utc(2011, 1, 1) if zone == "Pacific/Apia" else utc(2023, 1, 1)
    occurrence = next_occurrence(schedule, start)
    assert occurrence is not None
    seen: list[Occurrence] = [occurrence]
    for _ in range(800):
        occurrence = following(schedule, occurrence)
        seen.append(occurrence)
    dates = [o.local_date for o in seen]
    assert len(set(dates)) == len(dates)
    assert all(a.due_at < b.due_at for a, b in itertools.pairwise(seen))
    for o in seen:
        # Due on its own local date, at the wall time or (in a gap) within the hour after it.
        at = local(o, zone)
        assert at.date() == o.local_date
        wall_at = datetime.combine(o.local_date, wall)
        assert timedelta(0) <= at.replace(tzinfo=None) - wall_at <= HOUR
    # Consecutive occurrences are 23 to 25 hours apart, even across Samoa's skipped day.
    gaps = {b.due_at - a.due_at for a, b in itertools.pairwise(seen)}
    assert all(timedelta(hours=23) <= g <= timedelta(hours=25) for g in gaps)


# ---------------------------------------------------------------- day filters


def test_only_on_the_chosen_days_of_the_week() -> None:
    # Monday, Wednesday, Friday at 09:00 in Berlin; 2024-06-01 is a Saturday.
    schedule = daily("Europe/Berlin", 9, days=frozenset({0, 2, 4}))
    occurrence = next_occurrence(schedule, utc(2024, 6, 1, 12))
    assert occurrence == Occurrence(date(2024, 6, 3), utc(2024, 6, 3, 7))
    weekdays = []
    for _ in range(9):
        weekdays.append(occurrence.local_date.weekday())
        occurrence = following(schedule, occurrence)
    assert weekdays == [0, 2, 4] * 3


def test_the_day_filter_is_the_members_local_day() -> None:
    # 23:30 on Sundays in Auckland is still Sunday morning in UTC.
    schedule = daily("Pacific/Auckland", 23, 30, days=frozenset({6}))
    occurrence = next_occurrence(schedule, utc(2024, 6, 3))  # a Monday in UTC
    assert occurrence is not None
    assert occurrence.local_date == date(2024, 6, 9)
    assert local(occurrence, "Pacific/Auckland").weekday() == 6
    assert occurrence.due_at == utc(2024, 6, 9, 11, 30)


def test_a_disabled_schedule_has_no_occurrence() -> None:
    schedule = Schedule("Europe/Paris", time(9), EVERY_DAY, enabled=False)
    assert next_occurrence(schedule, utc(2024, 6, 1)) is None


# ---------------------------------------------------------------- a member's schedule

WINDOW = timedelta(hours=24)
GRACE = timedelta(minutes=1)


def set_at(
    current: MemberSchedule | None, schedule: Schedule, at: datetime, event_id: str = "e1"
) -> MemberSchedule:
    state = set_schedule(
        current, "m1", schedule, set_at=at, event_id=event_id, correlation_id="c-" + event_id
    )
    assert state is not None
    return state


def test_a_reminder_once_when_due_then_missed_once_when_the_window_ends() -> None:
    state = set_at(None, daily("Europe/Paris", 9), utc(2024, 6, 1, 6))
    assert state.next == Occurrence(date(2024, 6, 1), utc(2024, 6, 1, 7))
    assert due(state, utc(2024, 6, 1, 6, 59), window=WINDOW, grace=GRACE) == []

    [reminder] = due(state, utc(2024, 6, 1, 7, 0, 1), window=WINDOW, grace=GRACE)
    assert isinstance(reminder, Reminder)
    assert reminder.occurrence.occurrence_id == occurrence_id("m1", date(2024, 6, 1))
    assert reminder.occurrence.occurrence_id == "m1:2024-06-01"
    assert reminder.occurrence.window_ends_at == utc(2024, 6, 2, 7)  # the next occurrence
    assert due(state, utc(2024, 6, 1, 8), window=WINDOW, grace=GRACE) == []

    # The next day's reminder comes at 09:00; the first occurrence is missed a grace later.
    outcomes = due(state, utc(2024, 6, 2, 7), window=WINDOW, grace=GRACE)
    assert [type(o) for o in outcomes] == [Reminder]
    outcomes = due(state, utc(2024, 6, 2, 7, 1), window=WINDOW, grace=GRACE)
    assert [(type(o), o.occurrence.occurrence_id) for o in outcomes] == [(Missed, "m1:2024-06-01")]
    assert outcomes[0].occurrence.reminded
    assert due(state, utc(2024, 6, 2, 7, 2), window=WINDOW, grace=GRACE) == []


def test_the_window_is_the_shorter_of_the_setting_and_the_gap_to_the_next_occurrence() -> None:
    # The day the clocks go forward in Paris is 23 hours long.
    state = set_at(None, daily("Europe/Paris", 9), utc(2024, 3, 30, 6))
    [reminder] = due(state, utc(2024, 3, 30, 8, 0, 1), window=WINDOW, grace=GRACE)
    assert reminder.occurrence.window_ends_at - reminder.occurrence.due_at == timedelta(hours=23)
    short = set_at(None, daily("Europe/Paris", 9), utc(2024, 6, 1, 6))
    [reminder] = due(short, utc(2024, 6, 1, 7), window=timedelta(hours=2), grace=GRACE)
    assert reminder.occurrence.window_ends_at == utc(2024, 6, 1, 9)
    # Mondays only: a week until the next one, the setting's 24 hours win.
    weekly = set_at(None, daily("Europe/Paris", 9, days=frozenset({0})), utc(2024, 6, 3, 6))
    [reminder] = due(weekly, utc(2024, 6, 3, 7), window=WINDOW, grace=GRACE)
    assert reminder.occurrence.window_ends_at == utc(2024, 6, 4, 7)


def test_a_checkin_inside_the_window_answers_the_occurrence() -> None:
    state = set_at(None, daily("Europe/Paris", 9), utc(2024, 6, 1, 6))
    assert not check_in(state, utc(2024, 6, 1, 6, 30))  # before anything is due
    due(state, utc(2024, 6, 1, 7), window=timedelta(hours=2), grace=GRACE)
    assert not check_in(state, utc(2024, 6, 1, 6, 59))  # before the due time: not an answer
    assert check_in(state, utc(2024, 6, 1, 8, 15))
    assert state.open == []
    assert due(state, utc(2024, 6, 1, 12), window=timedelta(hours=2), grace=GRACE) == []


def test_a_checkin_after_the_window_does_not_answer_it() -> None:
    state = set_at(None, daily("Europe/Paris", 9), utc(2024, 6, 1, 6))
    due(state, utc(2024, 6, 1, 7), window=timedelta(hours=2), grace=GRACE)
    assert not check_in(state, utc(2024, 6, 1, 9))  # the window ended at 09:00 UTC
    [missed] = due(state, utc(2024, 6, 1, 9, 1), window=timedelta(hours=2), grace=GRACE)
    assert isinstance(missed, Missed)


def test_changed_mid_day_after_todays_reminder_waits_for_tomorrow() -> None:
    state = set_at(None, daily("Europe/Paris", 9), utc(2024, 6, 1, 6))
    due(state, utc(2024, 6, 1, 7), window=WINDOW, grace=GRACE)  # 09:00 today: reminded
    later = set_at(state, daily("Europe/Paris", 20), utc(2024, 6, 1, 10), "e2")
    # 20:00 today would be a second occurrence on the same local date: tomorrow instead.
    assert later.next == Occurrence(date(2024, 6, 2), utc(2024, 6, 2, 18))
    # Today's occurrence stays open, its window cut at the new schedule's next occurrence.
    [still_open] = later.open
    assert still_open.occurrence_id == "m1:2024-06-01"
    assert still_open.window_ends_at == utc(2024, 6, 2, 7)
    assert due(later, utc(2024, 6, 1, 18, 30), window=WINDOW, grace=GRACE) == []


def test_changed_mid_day_before_todays_reminder_takes_the_new_time_today() -> None:
    state = set_at(None, daily("Europe/Paris", 9), utc(2024, 6, 1, 5))
    earlier_today = set_at(state, daily("Europe/Paris", 8), utc(2024, 6, 1, 6, 30), "e2")
    assert earlier_today.next == Occurrence(date(2024, 6, 2), utc(2024, 6, 2, 6))  # 08:00 passed
    later_today = set_at(state, daily("Europe/Paris", 10), utc(2024, 6, 1, 6, 30), "e3")
    assert later_today.next == Occurrence(date(2024, 6, 1), utc(2024, 6, 1, 8))


def test_a_new_time_zone_applies_from_the_next_occurrence() -> None:
    state = set_at(None, daily("Europe/Paris", 9), utc(2024, 6, 1, 5))
    moved = set_at(state, daily("America/New_York", 9), utc(2024, 6, 1, 6), "e2")
    assert moved.next == Occurrence(date(2024, 6, 1), utc(2024, 6, 1, 13))


def test_disabling_cancels_open_occurrences_and_reenabling_keeps_one_per_day() -> None:
    state = set_at(None, daily("Europe/Paris", 9), utc(2024, 6, 1, 6))
    due(state, utc(2024, 6, 1, 7), window=WINDOW, grace=GRACE)
    off = set_at(
        state, Schedule("Europe/Paris", time(9), EVERY_DAY, False), utc(2024, 6, 1, 8), "e2"
    )
    assert off.next is None and off.open == []
    assert off.wake_at(GRACE) is None
    assert due(off, utc(2024, 6, 5), window=WINDOW, grace=GRACE) == []
    # Switched on again the same day at a later time: today had its reminder already.
    on = set_at(off, daily("Europe/Paris", 12), utc(2024, 6, 1, 9), "e3")
    assert on.next == Occurrence(date(2024, 6, 2), utc(2024, 6, 2, 10))


def test_an_older_or_repeated_schedule_change_is_ignored() -> None:
    state = set_at(None, daily("Europe/Paris", 9), utc(2024, 6, 1, 6), "e1")
    newer = set_at(state, daily("Europe/Paris", 10), utc(2024, 6, 1, 7), "e2")
    older = set_schedule(
        newer,
        "m1",
        daily("Europe/Paris", 11),
        set_at=utc(2024, 6, 1, 6, 30),
        event_id="e3",
        correlation_id="c",
    )
    assert older is None
    again = set_schedule(
        newer,
        "m1",
        daily("Europe/Paris", 10),
        set_at=utc(2024, 6, 1, 7),
        event_id="e2",
        correlation_id="c",
    )
    assert again is None


# ---------------------------------------------------------------- after an outage


def test_a_reminder_due_while_down_is_sent_once_on_start() -> None:
    state = set_at(None, daily("Europe/Paris", 9), utc(2024, 6, 1, 6))
    # Three hours late, inside its window: one reminder, not one per tick or minute missed.
    outcomes = due(state, utc(2024, 6, 1, 10), window=WINDOW, grace=GRACE)
    assert [type(o) for o in outcomes] == [Reminder]
    assert due(state, utc(2024, 6, 1, 10, 0, 1), window=WINDOW, grace=GRACE) == []


def test_an_occurrence_whose_window_passed_while_down_is_missed_not_reminded() -> None:
    state = set_at(None, daily("Europe/Paris", 9), utc(2024, 6, 1, 6))
    # Down from before 09:00 on June 1st to noon on June 5th (window: until the next one).
    outcomes = due(state, utc(2024, 6, 5, 10), window=WINDOW, grace=GRACE)
    assert [(type(o), o.occurrence.occurrence_id) for o in outcomes] == [
        (Reminder, "m1:2024-06-05"),  # its window still runs
        (Missed, "m1:2024-06-04"),  # the last one the outage swallowed, unreminded
    ]
    assert not outcomes[1].occurrence.reminded
    assert due(state, utc(2024, 6, 5, 11), window=WINDOW, grace=GRACE) == []


def test_a_long_outage_is_one_step_not_one_per_day() -> None:
    state = set_at(None, daily("Europe/Paris", 9), utc(2020, 6, 1, 6))
    outcomes = due(state, utc(2024, 6, 5, 10), window=WINDOW, grace=GRACE)
    assert [(type(o), o.occurrence.occurrence_id) for o in outcomes] == [
        (Reminder, "m1:2024-06-05"),
        (Missed, "m1:2024-06-04"),
    ]


def test_missed_waits_until_the_partition_settled() -> None:
    state = set_at(None, daily("Europe/Paris", 9), utc(2024, 6, 1, 6))
    due(state, utc(2024, 6, 1, 7), window=timedelta(hours=1), grace=GRACE)
    assert due(state, utc(2024, 6, 1, 9), window=WINDOW, grace=GRACE, settled=False) == []
    # A check-in from inside the window, handled late, still answers it.
    assert check_in(state, utc(2024, 6, 1, 7, 30))
    assert due(state, utc(2024, 6, 1, 9, 1), window=WINDOW, grace=GRACE) == []
