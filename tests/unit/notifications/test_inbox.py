from kindred.events.envelope import utcnow
from kindred.notifications.domain import entries_for_match_proposed
from tests.support.factories import match_proposed


def test_a_proposal_makes_one_entry_for_each_side_with_stable_ids() -> None:
    event = match_proposed("seeker", "supporter")
    entries = entries_for_match_proposed(event, utcnow())
    assert {e.member_id for e in entries} == {"seeker", "supporter"}
    again = entries_for_match_proposed(event, utcnow())
    assert [e.entry_id for e in entries] == [e.entry_id for e in again]
    assert all(e.data["match_id"] == event.data.match_id for e in entries)
