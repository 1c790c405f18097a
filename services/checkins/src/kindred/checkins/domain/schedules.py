"""Check-in schedules in the member's local time: when each occurrence is due, which reminders
and missed check-ins a schedule owes at a given instant. Pure: no I/O, no clock (every instant
is an argument).

Rules:

- A schedule is one local time of day ("HH:MM") on chosen days of the week, in an IANA zone:
  at most one occurrence per local date, so at most daily. Its id is `<member id>:<local date>`.
- Daylight saving: a local time that does not exist that day (spring forward, 02:30 in
  Europe/Paris on the last Sunday of March) happens at the first valid instant after the gap
  (03:00); an ambiguous one (fall back) happens once, at its first instant (fold=0). A local
  date a zone skipped altogether (Pacific/Apia, 30 December 2011) has no occurrence.
- An occurrence's window runs from its due time until the next occurrence or `window` later,
  whichever comes first. A check-in inside the window answers it; none: it is missed.
- An occurrence whose window ended before it could be reminded (the service was down) is not
  reminded late: it is reported missed with `reminded=False`. Of several such occurrences in one
  gap only the last is reported; the earlier ones are skipped.
- Setting a schedule never makes a second occurrence on a local date that had one already (a
  schedule changed mid-day), and disabling it cancels the occurrences still open.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from kindred.events.schedules import CheckinSchedule
from kindred.events.vocabulary import parse_hhmm

# Far enough to cross any week (day filters) plus a day a zone skipped.
_SEARCH_DAYS = 16
# A schedule behind by more than this (plus its window) jumps ahead instead of stepping day by
# day through a long outage: only the last occurrence of a gap is reported.
_CATCH_UP = timedelta(days=8)


@dataclass(frozen=True)
class Schedule:
    time_zone: str
    local_time: time
    days: frozenset[int]  # date.weekday(): Monday is 0
    enabled: bool = True

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def hhmm(self) -> str:
        return self.local_time.strftime("%H:%M")


@dataclass(frozen=True)
class Occurrence:
    local_date: date
    due_at: datetime  # UTC


def occurrence_id(member_id: str, local_date: date) -> str:
    return f"{member_id}:{local_date.isoformat()}"


def schedule_from(data: CheckinSchedule) -> Schedule:
    """The schedule a member set (`checkin.schedule-set`)."""
    return Schedule(
        time_zone=data.time_zone,
        local_time=parse_hhmm(data.local_time),
        days=frozenset(day.number for day in data.days),
        enabled=data.enabled,
    )


def occurrence_on(schedule: Schedule, day: date) -> Occurrence | None:
    """The instant the schedule's local time falls on `day` in its zone (ignoring the day
    filter); None if the zone skipped that date."""
    zone = schedule.zone
    wall = datetime.combine(day, schedule.local_time)
    first = wall.replace(tzinfo=zone, fold=0)
    due = first.astimezone(UTC)
    if due.astimezone(zone).replace(tzinfo=None) != wall:
        # The wall time does not exist: it lies in a gap. fold=0 reads it with the offset from
        # before the gap (an instant after the gap), fold=1 with the one after (before it).
        due = _end_of_gap(zone, wall, wall.replace(tzinfo=zone, fold=1).astimezone(UTC), due)
        if due.astimezone(zone).date() != day:
            return None  # the whole date was skipped
    return Occurrence(day, due)


def _end_of_gap(zone: ZoneInfo, wall: datetime, before: datetime, after: datetime) -> datetime:
    """The first instant (to the second) whose wall time in `zone` is at or past `wall`, between
    `before` (earlier) and `after` (at or past it): where the clocks jumped."""
    lo, hi = min(before, after), max(before, after)
    while hi - lo > timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        mid = mid.replace(microsecond=0)
        if mid <= lo:
            mid = lo + timedelta(seconds=1)
        if mid.astimezone(zone).replace(tzinfo=None) >= wall:
            hi = mid
        else:
            lo = mid
    return hi


def next_occurrence(
    schedule: Schedule, after: datetime, *, after_date: date | None = None
) -> Occurrence | None:
    """The first occurrence due strictly after `after`, on a local date later than
    `after_date` (one that had an occurrence already). None for a disabled schedule."""
    if not schedule.enabled or not schedule.days:
        return None
    start = after.astimezone(schedule.zone).date() - timedelta(days=1)
    if after_date is not None:
        start = max(start, after_date + timedelta(days=1))
    for offset in range(_SEARCH_DAYS):
        day = start + timedelta(days=offset)
        if day.weekday() not in schedule.days:
            continue
        occurrence = occurrence_on(schedule, day)
        if occurrence is not None and occurrence.due_at > after:
            return occurrence
    return None


def window_end(
    schedule: Schedule, occurrence: Occurrence, window: timedelta, following: Occurrence | None
) -> datetime:
    """Until the next occurrence or `window` after the due time, whichever comes first."""
    end = occurrence.due_at + window
    if following is not None:
        end = min(end, following.due_at)
    return end


@dataclass(frozen=True)
class Open:
    """An occurrence that came due and waits for a check-in until its window ends."""

    occurrence_id: str
    local_date: date
    due_at: datetime
    window_ends_at: datetime
    reminded: bool = True


@dataclass(frozen=True)
class Reminder:
    occurrence: Open
    schedule: Schedule


@dataclass(frozen=True)
class Missed:
    occurrence: Open


Outcome = Reminder | Missed


@dataclass
class MemberSchedule:
    """A member's schedule and where it stands; one stored document."""

    member_id: str
    schedule: Schedule
    set_at: datetime  # when the member set it (the event's time): an older set never wins
    set_event_id: str
    set_correlation_id: str
    next: Occurrence | None = None  # the next occurrence not yet reminded or reported
    last_date: date | None = None  # local date of the last occurrence reminded or reported
    open: list[Open] = field(default_factory=list)

    def wake_at(self, grace: timedelta) -> datetime | None:
        """When `due` has something to do next (None: nothing until the schedule changes)."""
        times = [o.window_ends_at + grace for o in self.open]
        if self.next is not None:
            times.append(self.next.due_at)
        return min(times, default=None)


def set_schedule(
    current: MemberSchedule | None,
    member_id: str,
    schedule: Schedule,
    *,
    set_at: datetime,
    event_id: str,
    correlation_id: str,
) -> MemberSchedule | None:
    """The member's schedule after they set it at `set_at`; None if this changes nothing (the
    same event again, or one older than the schedule in force)."""
    if current is not None and (current.set_event_id == event_id or current.set_at > set_at):
        return None
    last_date = current.last_date if current else None
    following = next_occurrence(schedule, set_at, after_date=last_date)
    still_open: list[Open] = []
    if current is not None and schedule.enabled:
        # Open occurrences keep their window, cut short by the new schedule's next occurrence.
        still_open = [
            replace(o, window_ends_at=min(o.window_ends_at, following.due_at))
            if following is not None
            else o
            for o in current.open
        ]
    return MemberSchedule(
        member_id=member_id,
        schedule=schedule,
        set_at=set_at,
        set_event_id=event_id,
        set_correlation_id=correlation_id,
        next=following,
        last_date=last_date,
        open=still_open,
    )


def check_in(state: MemberSchedule, at: datetime) -> bool:
    """A check-in at `at` answers the open occurrences whose window holds it. True if any."""
    remaining = [o for o in state.open if not (o.due_at <= at < o.window_ends_at)]
    answered = len(remaining) != len(state.open)
    state.open = remaining
    return answered


def due(
    state: MemberSchedule,
    now: datetime,
    *,
    window: timedelta,
    grace: timedelta,
    settled: bool = True,
) -> list[Outcome]:
    """What the schedule owes at `now`, in order; `state` moves past it.

    Each occurrence due by `now` is reminded (its window still runs) or, its window over,
    kept to be reported missed unreminded (only the last of a gap). An open occurrence whose
    window ended at least `grace` ago is reported missed; only once `settled` (the partition's
    backlog of check-ins had time to be handled since it was loaded).
    """
    outcomes: list[Outcome] = []
    schedule = state.schedule
    if state.next is not None and state.next.due_at < now - window - _CATCH_UP:
        state.next = next_occurrence(schedule, now - window - _CATCH_UP, after_date=state.last_date)
    unreminded: Open | None = None
    while state.next is not None and state.next.due_at <= now:
        occurrence = state.next
        following = next_occurrence(schedule, occurrence.due_at, after_date=occurrence.local_date)
        opened = Open(
            occurrence_id(state.member_id, occurrence.local_date),
            occurrence.local_date,
            occurrence.due_at,
            window_end(schedule, occurrence, window, following),
        )
        if now < opened.window_ends_at:
            state.open.append(opened)
            outcomes.append(Reminder(opened, schedule))
        else:
            unreminded = replace(opened, reminded=False)
        state.last_date = occurrence.local_date
        state.next = following
    if unreminded is not None:
        state.open.append(unreminded)
        state.open.sort(key=lambda o: o.due_at)
    if settled:
        for missed in [o for o in state.open if now >= o.window_ends_at + grace]:
            state.open.remove(missed)
            outcomes.append(Missed(missed))
    return outcomes
