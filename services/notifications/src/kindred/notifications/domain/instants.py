"""Instants for the notification domain: aware, UTC, whole milliseconds (what MongoDB stores, so
a state that goes through the database comes back equal), and local wall times turned into
instants across daylight saving changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def utc_ms(instant: datetime) -> datetime:
    """`instant` in UTC, truncated to the millisecond. A naive datetime is refused: every
    instant the domain takes comes from `changes.now` or a stored document, both aware."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("a naive datetime is not an instant: give it a time zone")
    utc = instant.astimezone(UTC)
    return utc.replace(microsecond=utc.microsecond // 1000 * 1000)


def local_instants(day: date, wall: time, zone: ZoneInfo) -> list[datetime]:
    """The instants (UTC, earliest first) at which `zone`'s clocks show `wall` on `day`: one
    usually, two when the clocks go back over it (an ambiguous time), and, when it falls in a
    gap (clocks going forward), the one instant the gap ends at (the first valid time after
    it)."""
    naive = datetime.combine(day, wall)
    found = []
    for fold in (0, 1):
        instant = naive.replace(tzinfo=zone, fold=fold).astimezone(UTC)
        if instant.astimezone(zone).replace(tzinfo=None) == naive and instant not in found:
            found.append(instant)
    if found:
        return sorted(found)
    # In a gap: fold=1 reads the wall time with the offset after the gap (an instant before
    # it), fold=0 with the one before (after it). The gap ends in between, where the offset
    # changes; seconds are enough (no zone changes offset at a fraction of a second).
    before = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    after = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if before > after:
        before, after = after, before
    low, high = before, after
    offset_after = after.astimezone(zone).utcoffset()
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        middle = middle.replace(microsecond=0)
        if middle <= low:
            break
        if middle.astimezone(zone).utcoffset() == offset_after:
            high = middle
        else:
            low = middle
    return [high]
