from kindred.checkins.domain import recorded_event
from kindred.events.envelope import utcnow
from kindred.instruments import score
from kindred.safety.rules import Rule
from tests.support.factories import checkin_submitted


def test_recorded_event_carries_scores_and_rule_names_never_the_note() -> None:
    submitted = checkin_submitted("m1", mood=3, note="private words", phq2=[2, 2])
    scores = score(submitted.data.answers())
    now = utcnow()
    first = recorded_event(submitted, now, "t", scores, [Rule.SHARP_DECLINE])
    second = recorded_event(submitted, now, "t", scores, [Rule.SHARP_DECLINE])
    assert first.id == second.id
    assert first.data.scores is not None
    assert (first.data.scores.mood, first.data.scores.phq2_total) == (3, 4)
    assert first.data.scores.phq2_suggests_phq9 is True
    assert first.data.safety_rules == [Rule.SHARP_DECLINE]
    assert "private words" not in first.model_dump_json()
    assert first.causationid == submitted.id
