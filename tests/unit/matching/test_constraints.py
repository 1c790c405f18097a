"""The hard rules about a pair (`constraints.violation`), one rule at a time."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from kindred.events.vocabulary import AgeBand, Topic, Urgency
from kindred.matching.domain import constraints
from kindred.matching.domain.constraints import violation
from kindred.matching.domain.model import ANY_TIME, Offering, Rules, Seeking
from kindred.matching.domain.text import TEXT_DIM

pytestmark = pytest.mark.unit

NO_TEXT = np.zeros(TEXT_DIM, dtype=np.float32)


def seeking(request_id: str = "r1", **changes: object) -> Seeking:
    base = Seeking(
        request_id=request_id,
        seeker_id=f"seeker-{request_id}",
        language="en",
        topics=frozenset({Topic.GRIEF}),
        urgency=Urgency.NORMAL,
        age_band=AgeBand.A25_34,
        availability=ANY_TIME,
        text=NO_TEXT,
        waited_seconds=60.0,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def offering(member_id: str = "s1", **changes: object) -> Offering:
    base = Offering(
        member_id=member_id,
        languages=frozenset({"en"}),
        topics=frozenset({Topic.GRIEF}),
        opted_out=frozenset(),
        age_band=AgeBand.A35_44,
        minors_cleared=False,
        availability=ANY_TIME,
        text=NO_TEXT,
        capacity=2,
        load=0,
        recent=0,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


RULES = Rules()
MINOR = AgeBand.A13_17


def test_a_pair_that_passes_every_rule_has_no_violation() -> None:
    assert violation(seeking(), offering(), RULES) is None


def test_nobody_supports_their_own_request() -> None:
    assert violation(seeking(seeker_id="s1"), offering("s1"), RULES) == constraints.SELF


def test_the_supporter_must_speak_the_request_language() -> None:
    request = seeking(language="fr")
    assert violation(request, offering(), RULES) == constraints.LANGUAGE
    assert violation(request, offering(languages=frozenset({"en", "fr"})), RULES) is None


def test_a_shared_topic_is_required() -> None:
    request = seeking(topics=frozenset({Topic.GRIEF, Topic.ANXIETY}))
    assert violation(request, offering(topics=frozenset({Topic.DIVORCE})), RULES) == "topics"
    assert violation(request, offering(topics=frozenset({Topic.ANXIETY})), RULES) is None


def test_a_topic_the_supporter_opted_out_of_does_not_count() -> None:
    supporter = offering(
        topics=frozenset({Topic.GRIEF, Topic.DIVORCE}), opted_out=frozenset({Topic.GRIEF})
    )
    assert violation(seeking(), supporter, RULES) == constraints.TOPICS
    other = seeking(topics=frozenset({Topic.GRIEF, Topic.DIVORCE}))
    assert violation(other, supporter, RULES) is None


def test_a_minor_seeker_is_never_matched_while_minors_are_off() -> None:
    cleared = offering(minors_cleared=True)
    assert violation(seeking(age_band=MINOR), cleared, Rules(minors=False)) == constraints.AGE


def test_a_minor_seeker_needs_a_supporter_cleared_for_minors_when_minors_are_on() -> None:
    on = Rules(minors=True)
    request = seeking(age_band=MINOR)
    assert violation(request, offering(minors_cleared=False), on) == constraints.AGE
    assert violation(request, offering(minors_cleared=True), on) is None


def test_a_minor_supporter_never_supports_an_adult_whatever_the_setting() -> None:
    for rules in (Rules(minors=False), Rules(minors=True)):
        supporter = offering(age_band=MINOR, minors_cleared=True)
        assert violation(seeking(), supporter, rules) == constraints.AGE


def test_a_minor_supporter_may_support_a_minor_only_as_the_minor_rules_allow() -> None:
    supporter = offering(age_band=MINOR, minors_cleared=True)
    request = seeking(age_band=MINOR)
    assert violation(request, supporter, Rules(minors=True)) is None
    assert violation(request, supporter, Rules(minors=False)) == constraints.AGE
    uncleared = offering(age_band=MINOR, minors_cleared=False)
    assert violation(request, uncleared, Rules(minors=True)) == constraints.AGE


def test_the_age_gap_between_adults_is_bounded_when_set() -> None:
    request = seeking(age_band=AgeBand.A18_24)
    two_bands_older = offering(age_band=AgeBand.A35_44)
    assert violation(request, two_bands_older, Rules(max_age_gap=None)) is None
    assert violation(request, two_bands_older, Rules(max_age_gap=2)) is None
    assert violation(request, two_bands_older, Rules(max_age_gap=1)) == constraints.AGE
    assert violation(request, offering(age_band=AgeBand.A25_34), Rules(max_age_gap=1)) is None
    # The gap counts both ways.
    older = seeking(age_band=AgeBand.A65_PLUS)
    assert violation(older, offering(age_band=AgeBand.A18_24), Rules(max_age_gap=3)) == "age"


def test_an_excluded_supporter_is_never_proposed() -> None:
    request = seeking(excluded=frozenset({"s1", "s9"}))
    assert violation(request, offering("s1"), RULES) == constraints.EXCLUDED
    assert violation(request, offering("s2"), RULES) is None


def test_a_full_supporter_is_never_proposed() -> None:
    assert violation(seeking(), offering(capacity=2, load=2), RULES) == constraints.CAPACITY
    assert violation(seeking(), offering(capacity=2, load=1), RULES) is None


def test_topics_as_bits_give_each_topic_its_own_bit() -> None:
    bits = [constraints.topic_bits({topic}) for topic in Topic]
    assert len(set(bits)) == len(Topic)
    assert all(b.bit_count() == 1 for b in bits)
    assert constraints.topic_bits(set(Topic)) == (1 << len(Topic)) - 1
