"""The check-ins processor's schedules without I/O: what `tick` and `handle` commit together,
what a new owner rebuilt from the stored documents emits, and the limits per tick."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from kindred.checkins.domain.schedules import MemberSchedule
from kindred.checkins.handlers import Checkins
from kindred.checkins.repository import SCHEDULES, schedule_doc, schedule_from_doc
from kindred.checkins.settings import CheckinsSettings
from kindred.events.checkins import CheckinSubmitted
from kindred.events.schedules import CheckinScheduleSet, CheckinScheduleSetData
from kindred.observability.metrics import registry
from kindred.partitions.processor import Changes
from tests.support.factories import checkin_submitted
from tests.support.partitions import Partition, by_id, events, written

pytestmark = pytest.mark.unit

SETTINGS = CheckinsSettings(
    kindred_dev_mode=True,
    schedule_missed_window_seconds=3600,
    schedule_missed_grace_seconds=60,
    schedule_tick_batch_max=3,
)
T0 = datetime(2024, 6, 1, 6, tzinfo=UTC)  # 08:00 in Paris
DUE = datetime(2024, 6, 1, 7, tzinfo=UTC)  # 09:00 in Paris


def schedule_set(
    member_id: str, at: datetime = T0, local_time: str = "09:00", **body: Any
) -> CheckinScheduleSet:
    data = CheckinScheduleSetData(
        member_id=member_id,
        time_zone=body.pop("time_zone", "Europe/Paris"),
        local_time=local_time,
        **body,
    )
    event = CheckinScheduleSet.new(subject=member_id, source="tests", data=data)
    return event.model_copy(update={"time": at})


def checkin(member_id: str, at: datetime) -> CheckinSubmitted:
    return checkin_submitted(member_id).model_copy(update={"time": at})


def loaded(*states: MemberSchedule, now: datetime = T0) -> Partition:
    """A partition taken over at `now` with these schedules stored."""
    stored = {SCHEDULES.collection: {s.member_id: schedule_doc(s) for s in states}}
    return Partition(Checkins(SETTINGS, clock=lambda: now), stored=stored)


def puts(changes: Changes) -> dict[str, dict[str, Any]]:
    return by_id(written(changes, SCHEDULES.collection))


def schedule(p: Partition, member_id: str) -> MemberSchedule:
    found = p.tables[SCHEDULES].get(member_id)
    assert found is not None
    return found


def test_a_reminder_and_the_schedule_moved_past_it_commit_together_once() -> None:
    schedules = loaded()
    changes = schedules.handle(T0, schedule_set("m1"))
    assert puts(changes)["m1"]["next_due"] == DUE
    assert not changes.records

    assert not schedules.tick(DUE - timedelta(seconds=1))
    changes = schedules.tick(DUE)
    [reminder] = events(changes)
    assert reminder["type"] == "kindred.checkin.reminder-due.v1"
    assert reminder["subject"] == "m1"
    assert reminder["data"]["occurrence_id"] == "m1:2024-06-01"
    assert reminder["data"]["local_time"] == "09:00"
    stored = puts(changes)["m1"]
    assert stored["next_due"] == DUE + timedelta(days=1)
    assert stored["last_date"] == "2024-06-01"
    assert [o["occurrence_id"] for o in stored["open"]] == ["m1:2024-06-01"]
    assert not schedules.tick(DUE + timedelta(seconds=1))  # nothing twice


def test_a_new_owner_emits_what_the_stored_document_has_not_recorded_and_nothing_else() -> None:
    first = loaded()
    before_reminder = puts(first.handle(T0, schedule_set("m1")))["m1"]
    emitted = first.tick(DUE)
    after_reminder = puts(emitted)["m1"]

    # The owner crashed before its tick committed: the next one finds the reminder still due
    # and emits it, with the same event id.
    second = loaded(schedule_from_doc(before_reminder), now=DUE + timedelta(seconds=5))
    again = second.tick(DUE + timedelta(seconds=5))
    assert [e["id"] for e in events(again)] == [e["id"] for e in events(emitted)]

    # It committed: the next owner has nothing to emit until the window ends.
    third = loaded(schedule_from_doc(after_reminder), now=DUE + timedelta(seconds=5))
    assert not third.tick(DUE + timedelta(seconds=5))
    assert not third.tick(DUE + timedelta(minutes=30))


def test_a_stored_schedule_reads_back_as_it_was() -> None:
    schedules = loaded()
    schedules.handle(T0, schedule_set("m1", days=["mon", "sat"]))
    schedules.tick(DUE)
    state = schedule(schedules, "m1")
    assert schedule_from_doc(schedule_doc(state)) == state


def test_missed_once_after_the_window_and_grace_then_nothing() -> None:
    schedules = loaded()
    schedules.handle(T0, schedule_set("m1"))
    schedules.tick(DUE)
    window_end = DUE + timedelta(hours=1)
    assert not schedules.tick(window_end + timedelta(seconds=59))
    changes = schedules.tick(window_end + timedelta(seconds=60))
    [missed] = events(changes)
    assert missed["type"] == "kindred.checkin.missed.v1"
    assert missed["data"]["occurrence_id"] == "m1:2024-06-01"
    assert missed["data"]["window_seconds"] == 3600
    assert missed["data"]["reminded"] is True
    assert puts(changes)["m1"]["open"] == []
    assert not schedules.tick(window_end + timedelta(minutes=5))


def test_a_checkin_inside_the_window_answers_the_occurrence() -> None:
    schedules = loaded()
    schedules.handle(T0, schedule_set("m1"))
    schedules.tick(DUE)

    changes = schedules.handle(
        DUE + timedelta(minutes=10), checkin("m1", DUE + timedelta(minutes=10))
    )
    assert puts(changes)["m1"]["open"] == []  # recorded, with the check-in's own writes
    assert events(changes, "checkin.reminder-due") == events(changes, "checkin.missed") == []
    assert not schedules.tick(DUE + timedelta(hours=3))


def answering_reminders() -> float:
    return registry.get_sample_value("kindred_checkins_answering_reminder_total") or 0.0


def test_a_checkin_answering_a_reminded_occurrence_counts_once_when_committed() -> None:
    schedules = loaded()
    schedules.handle(T0, schedule_set("m1"))
    schedules.tick(DUE)
    before = answering_reminders()

    at = DUE + timedelta(minutes=10)
    changes = schedules.handle(at, checkin("m1", at), commit=False)
    assert answering_reminders() == before  # not before the batch is committed
    schedules.commit(changes)
    assert answering_reminders() == before + 1

    # A second check-in in the same window answers nothing more.
    at = DUE + timedelta(minutes=20)
    again = schedules.handle(at, checkin("m1", at))
    assert puts(again) == {}
    assert answering_reminders() == before + 1


def test_a_checkin_answering_an_occurrence_never_reminded_is_not_counted() -> None:
    schedules = loaded()
    schedules.handle(T0, schedule_set("m1"))
    # Down through the whole window: the occurrence is open but was never reminded.
    after_window = DUE + timedelta(hours=1, seconds=1)
    assert not events(schedules.tick(after_window))
    assert [o.reminded for o in schedule(schedules, "m1").open] == [False]
    before = answering_reminders()

    # A check-in the gateway accepted in the window, handled late: it answers, uncounted.
    changes = schedules.handle(after_window, checkin("m1", DUE + timedelta(minutes=10)))
    assert puts(changes)["m1"]["open"] == []
    assert answering_reminders() == before


def test_a_checkin_from_a_member_without_a_schedule_or_before_the_due_time_writes_nothing() -> None:
    schedules = loaded()
    schedules.handle(T0, schedule_set("m1"))
    changes = schedules.handle(DUE, checkin("m2", DUE), checkin("m1", DUE - timedelta(minutes=1)))
    assert puts(changes) == {}


def test_each_tick_handles_at_most_the_batch_limit() -> None:
    schedules = loaded()
    for i in range(8):
        schedules.handle(T0, schedule_set(f"m{i}"))
    rounds = [len(events(schedules.tick(DUE + timedelta(seconds=s)))) for s in range(4)]
    assert rounds == [3, 3, 2, 0]


def test_after_a_load_missed_check_ins_wait_for_the_grace_but_reminders_do_not() -> None:
    first = loaded()
    first.handle(T0, schedule_set("late"), schedule_set("m1", local_time="11:00"))
    first.tick(DUE)
    docs = first.docs(SCHEDULES.collection)

    # Reloaded at 11:00 Paris (09:00 UTC): late's window ended at 10:00; m1 is due now.
    reload_at = DUE + timedelta(hours=2)
    second = loaded(*(schedule_from_doc(d) for d in docs), now=reload_at)
    [reminder] = events(second.tick(reload_at))
    assert reminder["data"]["member_id"] == "m1"
    assert not second.tick(reload_at + timedelta(seconds=59))
    [missed] = events(second.tick(reload_at + timedelta(seconds=60)))
    assert missed["data"]["member_id"] == "late"


def test_an_older_schedule_change_arriving_late_is_ignored() -> None:
    schedules = loaded()
    schedules.handle(T0, schedule_set("m1", at=T0, local_time="10:00"))
    older = schedule_set("m1", at=T0 - timedelta(minutes=5), local_time="09:00")
    assert not schedules.handle(T0, older)
    assert schedule(schedules, "m1").schedule.hhmm == "10:00"


def test_a_disabled_schedule_emits_nothing() -> None:
    schedules = loaded()
    schedules.handle(T0, schedule_set("m1"))
    off = schedule_set("m1", at=T0 + timedelta(minutes=1), enabled=False)
    changes = schedules.handle(T0 + timedelta(minutes=1), off)
    assert puts(changes)["m1"]["enabled"] is False
    assert puts(changes)["m1"]["next_due"] is None
    assert not schedules.tick(DUE + timedelta(days=3))
