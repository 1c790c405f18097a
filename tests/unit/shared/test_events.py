import pytest
from pydantic import ValidationError

from kindred.events.envelope import deterministic_id
from kindred.events.matching import MemberBlockedData, SupportRequested
from kindred.events.members import Profile
from tests.support.factories import profile_body, support_requested


def test_envelope_round_trips_through_json() -> None:
    event = support_requested("m1")
    again = SupportRequested.model_validate_json(event.model_dump_json())
    assert again == event
    assert again.type == "kindred.support.requested.v1"
    assert again.key == b"m1"


def test_a_caused_event_inherits_the_correlation_id() -> None:
    first = support_requested("m1")
    second = SupportRequested.new(subject="m1", source="tests", caused_by=first, data=first.data)
    assert second.correlationid == first.correlationid
    assert second.causationid == first.id
    assert second.id != first.id


def test_the_wrong_type_is_rejected() -> None:
    payload = support_requested("m1").model_dump(mode="json") | {"type": "kindred.other.v1"}
    with pytest.raises(ValidationError, match="type"):
        SupportRequested.model_validate(payload)


def test_deterministic_ids_are_stable_and_distinct() -> None:
    assert deterministic_id("match", "r1") == deterministic_id("match", "r1")
    assert deterministic_id("match", "r1") != deterministic_id("match", "r2")


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"topics": ["not-a-topic"]}, "topics"),
        ({"languages": ["english"]}, "languages"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"capacity": 0}, "capacity"),
        ({"unexpected": 1}, "unexpected"),
    ],
)
def test_profile_validation_names_the_field(override: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        Profile.model_validate(profile_body(**override))
    assert field in str(info.value)


def test_a_block_event_of_a_member_by_themselves_is_invalid() -> None:
    """The gateway answers 409; an event that says so anyway fails validation (dead letter)."""
    with pytest.raises(ValidationError, match="cannot block themselves"):
        MemberBlockedData(member_id="alex", blocked_id="alex")
    assert MemberBlockedData(member_id="alex", blocked_id="sam").blocked_id == "sam"
