from kindred.checkins.domain import recorded_event
from kindred.events.envelope import utcnow
from tests.support.factories import checkin_submitted


def test_recorded_event_keeps_the_note_out_and_the_id_stable() -> None:
    submitted = checkin_submitted("m1", mood=3, note="private words")
    now = utcnow()
    first, second = recorded_event(submitted, now, "t"), recorded_event(submitted, now, "t")
    assert first.id == second.id
    assert first.data.mood == 3
    assert "private words" not in first.model_dump_json()
    assert first.causationid == submitted.id
