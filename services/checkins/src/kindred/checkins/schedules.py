"""Check-in schedules of the partitions this replica owns: reminders when due, exactly once per
occurrence, and missed check-ins.

Working set: per owned partition, every member's schedule (`MemberSchedule`), rebuilt in `load`
from the `schedules` collection (one document per member, written only by the partition's
owner, always as a whole: `Put`), and a queue of when each schedule next has something to do.

Exactly once: `tick` emits a reminder (or a missed check-in) and puts the schedule document
moved past that occurrence in the same `Changes`, so they commit together as one partition-log
entry: a crash does both or neither. Whoever owns the partition next loads the document (the
log's unfinished entries are applied first) and emits only what is still due. A replayed entry
publishes the same event again with the same id (`<type>:<occurrence id>`, deterministic), which
consumers skip.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from kindred.checkins.domain.schedules import (
    MemberSchedule,
    Missed,
    Occurrence,
    Open,
    Outcome,
    Reminder,
    Schedule,
    check_in,
    due,
    parse_hhmm,
    set_schedule,
)
from kindred.checkins.settings import CheckinsSettings
from kindred.events.checkins import CheckinSubmitted
from kindred.events.envelope import deterministic_id
from kindred.events.schedules import (
    CheckinMissed,
    CheckinMissedData,
    CheckinReminderDue,
    CheckinReminderDueData,
    CheckinSchedule,
    CheckinScheduleSet,
)
from kindred.events.vocabulary import Weekday
from kindred.observability.metrics import (
    checkin_reminders,
    checkin_schedules_active,
    checkins_answering_reminder,
    checkins_missed,
)
from kindred.partitions.processor import Changes
from kindred.storage.mongo import Document, Index

SCHEDULES = "schedules"
INDEXES = [Index(SCHEDULES, [("partition", 1)])]
_DAYS = list(Weekday)


# ---------------------------------------------------------------- documents


def schedule_from(data: CheckinSchedule) -> Schedule:
    return Schedule(
        time_zone=data.time_zone,
        local_time=parse_hhmm(data.local_time),
        days=frozenset(day.number for day in data.days),
        enabled=data.enabled,
    )


def schedule_doc(state: MemberSchedule, partition: int) -> Document:
    s = state.schedule
    return {
        "_id": state.member_id,
        "partition": partition,
        "member_id": state.member_id,
        "time_zone": s.time_zone,
        "local_time": s.hhmm,
        "days": [_DAYS[n].value for n in sorted(s.days)],
        "enabled": s.enabled,
        "set_at": state.set_at,
        "set_event_id": state.set_event_id,
        "set_correlation_id": state.set_correlation_id,
        "next_date": state.next.local_date.isoformat() if state.next else None,
        "next_due": state.next.due_at if state.next else None,
        "last_date": state.last_date.isoformat() if state.last_date else None,
        "open": [
            {
                "occurrence_id": o.occurrence_id,
                "local_date": o.local_date.isoformat(),
                "due_at": o.due_at,
                "window_ends_at": o.window_ends_at,
                "reminded": o.reminded,
            }
            for o in state.open
        ],
    }


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def state_from_doc(doc: Document) -> MemberSchedule:
    next_due = doc.get("next_due")
    return MemberSchedule(
        member_id=doc["member_id"],
        schedule=Schedule(
            time_zone=doc["time_zone"],
            local_time=parse_hhmm(doc["local_time"]),
            days=frozenset(Weekday(d).number for d in doc["days"]),
            enabled=doc["enabled"],
        ),
        set_at=_utc(doc["set_at"]),
        set_event_id=doc["set_event_id"],
        set_correlation_id=doc["set_correlation_id"],
        next=(
            Occurrence(date.fromisoformat(doc["next_date"]), _utc(next_due))
            if next_due is not None
            else None
        ),
        last_date=date.fromisoformat(doc["last_date"]) if doc.get("last_date") else None,
        open=[
            Open(
                o["occurrence_id"],
                date.fromisoformat(o["local_date"]),
                _utc(o["due_at"]),
                _utc(o["window_ends_at"]),
                o["reminded"],
            )
            for o in doc.get("open", [])
        ],
    )


# ---------------------------------------------------------------- events


def reminder_event(state: MemberSchedule, reminder: Reminder, source: str) -> CheckinReminderDue:
    o = reminder.occurrence
    return CheckinReminderDue.new(
        id=deterministic_id("checkin.reminder-due", o.occurrence_id),
        subject=state.member_id,
        source=source,
        correlationid=state.set_correlation_id,
        causationid=state.set_event_id,
        data=CheckinReminderDueData(
            member_id=state.member_id,
            occurrence_id=o.occurrence_id,
            local_date=o.local_date,
            local_time=reminder.schedule.hhmm,
            time_zone=reminder.schedule.time_zone,
            due_at=o.due_at,
            window_ends_at=o.window_ends_at,
        ),
    )


def missed_event(state: MemberSchedule, missed: Missed, source: str) -> CheckinMissed:
    o = missed.occurrence
    return CheckinMissed.new(
        id=deterministic_id("checkin.missed", o.occurrence_id),
        subject=state.member_id,
        source=source,
        correlationid=state.set_correlation_id,
        causationid=state.set_event_id,
        data=CheckinMissedData(
            member_id=state.member_id,
            occurrence_id=o.occurrence_id,
            local_date=o.local_date,
            due_at=o.due_at,
            window_ends_at=o.window_ends_at,
            window_seconds=int((o.window_ends_at - o.due_at).total_seconds()),
            reminded=o.reminded,
        ),
    )


# ---------------------------------------------------------------- the component


class Schedules:
    """The schedules of the owned partitions; driven by the check-ins processor."""

    def __init__(self, settings: CheckinsSettings, db: AsyncDatabase[Document] | None) -> None:
        self.db = db
        self.source = f"kindred/{settings.service_name}"
        self.window = timedelta(seconds=settings.schedule_missed_window_seconds)
        self.grace = timedelta(seconds=settings.schedule_missed_grace_seconds)
        self.batch_max = settings.schedule_tick_batch_max
        self.members: dict[int, dict[str, MemberSchedule]] = {}
        # Per partition: a heap of (when, member id), and the one entry per member that counts
        # (entries left behind by a change are skipped when they come up).
        self.queue: dict[int, list[tuple[datetime, str]]] = {}
        self.wakes: dict[int, dict[str, datetime]] = {}
        # No missed check-in is reported before this: the backlog comes first after a load.
        self.settled_at: dict[int, datetime] = {}

    # ------------------------------------------------------------ ownership

    async def load(self, partition: int) -> None:
        assert self.db is not None, "loading schedules needs the database"
        docs = [d async for d in self.db[SCHEDULES].find({"partition": partition})]
        self.restore(partition, (state_from_doc(d) for d in docs), datetime.now(UTC))

    def restore(self, partition: int, states: Iterable[MemberSchedule], now: datetime) -> None:
        """Take a partition's schedules as the working set (`load` reads them from MongoDB)."""
        self.members[partition] = {s.member_id: s for s in states}
        self.queue[partition] = []
        self.wakes[partition] = {}
        self.settled_at[partition] = now + self.grace
        for state in self.members[partition].values():
            self._plan(partition, state, now)
        self._gauge()

    def drop(self, partition: int) -> None:
        for held in (self.members, self.queue, self.wakes, self.settled_at):
            held.pop(partition, None)
        self._gauge()

    # ------------------------------------------------------------ events

    def schedule_set(self, partition: int, event: CheckinScheduleSet, changes: Changes) -> None:
        data = event.data
        members = self.members[partition]
        state = set_schedule(
            members.get(data.member_id),
            data.member_id,
            schedule_from(data),
            set_at=event.time,
            event_id=event.id,
            correlation_id=event.correlationid,
        )
        if state is None:
            return  # this very event again, or one older than the schedule in force
        members[data.member_id] = state
        changes.put(SCHEDULES, schedule_doc(state, partition))
        self._plan(partition, state, changes.now)
        changes.then(self._gauge)

    def checked_in(self, partition: int, event: CheckinSubmitted, changes: Changes) -> None:
        """A check-in answers the member's open occurrence: it will not be reported missed."""
        state = self.members[partition].get(event.data.member_id)
        if state is None:
            return
        before = list(state.open)
        if check_in(state, event.time):
            changes.put(SCHEDULES, schedule_doc(state, partition))
            self._plan(partition, state, changes.now)
            still_open = {id(o) for o in state.open}
            # Each answered occurrence leaves `open`, so a reminder is answered at most once;
            # one never reminded (its window ended during an outage) is not counted.
            answered = sum(o.reminded for o in before if id(o) not in still_open)
            if answered:
                changes.then(lambda: checkins_answering_reminder.inc(answered))

    # ------------------------------------------------------------ timers

    def tick(self, partition: int, changes: Changes) -> None:
        """Emit what is due at `changes.now`, each with its schedule document moved past it."""
        now = changes.now
        queue, wakes = self.queue[partition], self.wakes[partition]
        settled = now >= self.settled_at[partition]
        touched: list[MemberSchedule] = []
        while queue and queue[0][0] <= now and len(touched) < self.batch_max:
            when, member_id = heapq.heappop(queue)
            if wakes.get(member_id) != when:
                continue  # superseded by a later change
            del wakes[member_id]
            state = self.members[partition][member_id]
            before = (state.next, state.last_date, list(state.open))
            outcomes = due(state, now, window=self.window, grace=self.grace, settled=settled)
            touched.append(state)
            if outcomes or before != (state.next, state.last_date, state.open):
                changes.put(SCHEDULES, schedule_doc(state, partition))
                self._emit(state, outcomes, changes)
        for state in touched:
            self._plan(partition, state, now)

    def _emit(self, state: MemberSchedule, outcomes: list[Outcome], changes: Changes) -> None:
        for outcome in outcomes:
            if isinstance(outcome, Reminder):
                changes.emit(reminder_event(state, outcome, self.source))
                changes.then(checkin_reminders.inc)
            else:
                changes.emit(missed_event(state, outcome, self.source))
                reminded = "true" if outcome.occurrence.reminded else "false"
                changes.then(checkins_missed.labels(reminded=reminded).inc)

    def _plan(self, partition: int, state: MemberSchedule, now: datetime) -> None:
        """Queue the schedule for when it next has something to do."""
        when = state.wake_at(self.grace)
        wakes = self.wakes[partition]
        if when is None:
            wakes.pop(state.member_id, None)
            return
        reminder_due = state.next is not None and state.next.due_at <= now
        if when <= now and not reminder_due and now < self.settled_at[partition]:
            when = self.settled_at[partition]  # a missed check-in waits for the backlog
        if wakes.get(state.member_id) == when:
            return
        wakes[state.member_id] = when
        heapq.heappush(self.queue[partition], (when, state.member_id))

    def _gauge(self) -> None:
        checkin_schedules_active.set(
            sum(s.schedule.enabled for members in self.members.values() for s in members.values())
        )

    def snapshot(self, partition: int) -> dict[str, Any]:
        """The partition's schedules as documents (for tests and debugging)."""
        return {m: schedule_doc(s, partition) for m, s in self.members[partition].items()}
