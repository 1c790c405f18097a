"""Availability windows in a member's local time, as hours of the week in UTC."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from kindred.events.members import AvailabilityWindow
from kindred.matching.domain.model import WEEK_HOURS


def week_mask(windows: Sequence[AvailabilityWindow], time_zone: str, at: datetime) -> int:
    """The UTC hours of the week (bit 0: Monday 00:00-01:00 UTC) the windows cover, using the
    zone's offset at `at` (a daylight-saving change moves it by an hour at the next profile)."""
    offset = at.astimezone(ZoneInfo(time_zone)).utcoffset()
    shift = int((offset.total_seconds() if offset else 0) // 3600)
    mask = 0
    for window in windows:
        for day in window.days:
            for hour in range(window.start_hour, window.start_hour + window.hours):
                local = day.number * 24 + hour
                mask |= 1 << ((local - shift) % WEEK_HOURS)
    return mask
