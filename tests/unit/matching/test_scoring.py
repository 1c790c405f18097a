"""The soft score of a pair and its parts (`scoring.score`)."""

from __future__ import annotations

import numpy as np
import pytest

from kindred.events.vocabulary import Topic
from kindred.matching.domain import scoring
from kindred.matching.domain.model import ANY_TIME, Weights
from kindred.matching.domain.text import embed_one
from tests.unit.matching.test_constraints import offering, seeking

pytestmark = pytest.mark.unit

EVENINGS = sum(1 << (day * 24 + hour) for day in range(7) for hour in range(18, 22))
MORNINGS = sum(1 << (day * 24 + hour) for day in range(7) for hour in range(7, 10))
MONDAY_EVENING = sum(1 << hour for hour in range(19, 21))


def test_the_topics_part_is_the_share_of_the_request_topics_covered() -> None:
    request = seeking(topics=frozenset({Topic.GRIEF, Topic.ANXIETY, Topic.LONELINESS}))
    supporter = offering(
        topics=frozenset({Topic.GRIEF, Topic.ANXIETY}), opted_out=frozenset({Topic.ANXIETY})
    )
    assert scoring.topics_part(request, supporter) == pytest.approx(1 / 3)


def test_the_text_part_maps_the_cosine_to_0_1_and_is_neutral_without_text() -> None:
    a = embed_one("grief after my father died")
    assert scoring.text_part(a, a) == pytest.approx(1.0, abs=1e-5)
    assert scoring.text_part(a, -a) == pytest.approx(0.0, abs=1e-5)
    assert scoring.text_part(a, np.zeros_like(a)) == scoring.NEUTRAL


def test_the_availability_part_is_the_overlap_over_the_smaller_week() -> None:
    assert scoring.availability_part(EVENINGS, MONDAY_EVENING) == 1.0
    assert scoring.availability_part(EVENINGS, MORNINGS) == 0.0
    half = sum(1 << (day * 24 + hour) for day in range(7) for hour in range(20, 24))
    assert scoring.availability_part(EVENINGS, half) == pytest.approx(0.5)


def test_hours_not_given_are_neutral() -> None:
    assert scoring.availability_part(ANY_TIME, MORNINGS) == scoring.NEUTRAL
    assert scoring.availability_part(EVENINGS, ANY_TIME) == scoring.NEUTRAL
    assert scoring.availability_part(0, EVENINGS) == scoring.NEUTRAL


def test_load_and_fairness_prefer_the_less_busy_and_less_asked() -> None:
    assert scoring.load_part(0, 2) == 1.0
    assert scoring.load_part(1, 4) == 0.75
    assert scoring.fairness_part(0) == 1.0
    assert scoring.fairness_part(3) == 0.25


def test_the_score_is_the_weighted_mean_of_its_parts() -> None:
    request = seeking(availability=EVENINGS, text=embed_one("night shifts"))
    supporter = offering(availability=MORNINGS, load=1, capacity=2, recent=1)
    value, parts = scoring.score(request, supporter, Weights())
    assert set(parts) == set(scoring.PARTS)
    assert all(0.0 <= v <= 1.0 for v in parts.values())
    w = Weights()
    expected = (
        w.topics * parts["topics"]
        + w.text * parts["text"]
        + w.availability * parts["availability"]
        + w.load * parts["load"]
        + w.fairness * parts["fairness"]
    ) / (w.topics + w.text + w.availability + w.load + w.fairness)
    assert value == pytest.approx(expected)
    assert parts["availability"] == 0.0
    assert parts["load"] == 0.5
    assert parts["fairness"] == 0.5


def test_weights_change_the_mean_and_all_zero_weights_score_zero() -> None:
    request, supporter = seeking(), offering()
    only_topics = Weights(topics=1.0, text=0.0, availability=0.0, load=0.0, fairness=0.0)
    assert scoring.score(request, supporter, only_topics)[0] == 1.0
    nothing = Weights(topics=0.0, text=0.0, availability=0.0, load=0.0, fairness=0.0)
    assert scoring.score(request, supporter, nothing)[0] == 0.0


def test_the_block_availability_agrees_with_the_pair_one() -> None:
    masks = [EVENINGS, MORNINGS, MONDAY_EVENING, ANY_TIME, 0, EVENINGS | MORNINGS]
    bits = scoring.known_hours_bits(masks)
    block = scoring.availability_block(bits, bits)
    for i, a in enumerate(masks):
        for j, b in enumerate(masks):
            assert block[i, j] == pytest.approx(scoring.availability_part(a, b))
