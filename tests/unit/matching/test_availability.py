"""Availability windows in local time become hours of the week in UTC."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kindred.events.members import AvailabilityWindow
from kindred.matching.domain.availability import week_mask

pytestmark = pytest.mark.unit

WINTER = datetime(2026, 1, 15, tzinfo=UTC)
SUMMER = datetime(2026, 7, 15, tzinfo=UTC)


def hours(mask: int) -> list[int]:
    return [h for h in range(168) if mask >> h & 1]


def test_a_window_in_paris_is_shifted_to_utc_by_the_offset_of_the_season() -> None:
    window = AvailabilityWindow(days=["mon"], start_hour=18, end_hour=20)
    assert hours(week_mask([window], "Europe/Paris", WINTER)) == [17, 18]
    assert hours(week_mask([window], "Europe/Paris", SUMMER)) == [16, 17]


def test_a_window_past_midnight_runs_into_the_next_day_and_the_week_wraps() -> None:
    window = AvailabilityWindow(days=["sun"], start_hour=22, end_hour=2)
    assert window.hours == 4
    # Sunday 22:00 in UTC is hour 166; Monday 02:00 wraps to hour 1.
    assert hours(week_mask([window], "UTC", WINTER)) == [0, 1, 166, 167]


def test_a_window_from_an_hour_to_the_same_hour_is_the_whole_day() -> None:
    window = AvailabilityWindow(days=["tue"], start_hour=9, end_hour=9)
    assert len(hours(week_mask([window], "UTC", WINTER))) == 24


def test_a_zone_east_of_utc_moves_monday_morning_into_sunday() -> None:
    window = AvailabilityWindow(days=["mon"], start_hour=0, end_hour=1)
    assert hours(week_mask([window], "Asia/Tokyo", WINTER)) == [159]  # Sunday 15:00 UTC


def test_the_offset_is_the_zones_at_that_instant_around_a_daylight_saving_change() -> None:
    """Los Angeles moves to -7 h at 10:00 UTC on 2026-03-08; at 09:30 UTC it is still -8 h."""
    window = AvailabilityWindow(days=["mon"], start_hour=9, end_hour=10)
    before = datetime(2026, 3, 8, 9, 30, tzinfo=UTC)
    after = datetime(2026, 3, 8, 10, 30, tzinfo=UTC)
    assert hours(week_mask([window], "America/Los_Angeles", before)) == [17]
    assert hours(week_mask([window], "America/Los_Angeles", after)) == [16]
