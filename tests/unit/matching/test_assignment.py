"""The global assignment (`assignment.assign`): rules, capacity, priority, reasons."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace

import numpy as np
import pytest

from kindred.events.vocabulary import AgeBand, Topic, Urgency
from kindred.matching.domain import scoring
from kindred.matching.domain.assignment import assign, objective, optimum, scored_pairs
from kindred.matching.domain.constraints import violation
from kindred.matching.domain.model import (
    ANY_TIME,
    NO_CAPACITY,
    NO_ELIGIBLE,
    NO_LANGUAGE,
    EngineConfig,
    Offering,
    Outcome,
    Rules,
    Seeking,
    Vector,
    Weights,
)
from kindred.matching.domain.text import TEXT_DIM, embed_one
from tests.unit.matching.test_constraints import NO_TEXT, offering, seeking

pytestmark = pytest.mark.unit

CONFIG = EngineConfig()
GRIEF = frozenset({Topic.GRIEF})
GRIEF_TEXT = embed_one("my father died in march and the grief comes in waves")


def random_population(
    seed: int, n_requests: int = 120, n_supporters: int = 90
) -> tuple[list[Seeking], list[Offering]]:
    """Small people of every kind: minors, full supporters, blocks, seekers who also support,
    unknown hours, empty texts."""
    rng = random.Random(seed)
    np_rng = np.random.default_rng(seed)
    topics = list(Topic)[:5]
    bands = list(AgeBand)
    hours = [ANY_TIME, 0, *(rng.getrandbits(168) for _ in range(6))]

    def text() -> Vector:
        if rng.random() < 0.2:
            return np.zeros(TEXT_DIM, dtype=np.float32)
        v = np_rng.standard_normal(TEXT_DIM).astype(np.float32)
        unit: Vector = v / np.linalg.norm(v)
        return unit

    supporters = []
    for i in range(n_supporters):
        capacity = rng.randint(1, 3)
        own = frozenset(rng.sample(topics, rng.randint(1, 3)))
        supporters.append(
            Offering(
                member_id=f"m{i:03d}",
                languages=frozenset(rng.sample(["en", "fr", "de"], rng.randint(1, 2))),
                topics=own,
                opted_out=frozenset(rng.sample(sorted(own), 1))
                if rng.random() < 0.2
                else frozenset(),
                age_band=rng.choice(bands),
                minors_cleared=rng.random() < 0.3,
                availability=rng.choice(hours),
                text=text(),
                capacity=capacity,
                load=rng.randint(0, capacity),  # some are full
                recent=rng.randint(0, 4),
            )
        )
    requests = []
    for i in range(n_requests):
        seeker = rng.choice(supporters).member_id if rng.random() < 0.1 else f"x{i:03d}"
        requests.append(
            Seeking(
                request_id=f"r{i:03d}",
                seeker_id=seeker,
                language=rng.choice(["en", "en", "fr", "de", "it"]),
                topics=frozenset(rng.sample(topics, rng.randint(1, 2))),
                urgency=rng.choice(list(Urgency)),
                age_band=rng.choice(bands),
                availability=rng.choice(hours),
                text=text(),
                waited_seconds=rng.uniform(0, 7200),
                excluded=frozenset(s.member_id for s in rng.sample(supporters, 3)),
            )
        )
    return requests, supporters


RULE_SETTINGS = [
    Rules(),
    Rules(minors=True),
    Rules(minors=True, max_age_gap=1),
    Rules(max_age_gap=0),
]


def check(
    outcome: Outcome, requests: list[Seeking], supporters: list[Offering], rules: Rules
) -> None:
    """No rule broken, nobody over capacity, each request at most once and accounted for."""
    by_request = {r.request_id: r for r in requests}
    by_supporter = {s.member_id: s for s in supporters}
    taken = Counter(p.supporter_id for p in outcome.proposals)
    for p in outcome.proposals:
        assert violation(by_request[p.request_id], by_supporter[p.supporter_id], rules) is None
    for member, n in taken.items():
        assert by_supporter[member].load + n <= by_supporter[member].capacity
    proposed = [p.request_id for p in outcome.proposals]
    assert len(proposed) == len(set(proposed))
    assert set(proposed) | set(outcome.unmatched) == set(by_request)
    assert not set(proposed) & set(outcome.unmatched)


@pytest.mark.parametrize("rules", RULE_SETTINGS)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_vectorised_rules_and_scores_agree_with_the_scalar_ones(
    rules: Rules, seed: int
) -> None:
    requests, supporters = random_population(seed)
    config = EngineConfig(rules=rules)
    ordered_requests, ordered_supporters, pairs = scored_pairs(requests, supporters, config)
    found = {
        (ordered_requests[r].request_id, ordered_supporters[s].member_id): float(score)
        for r, s, score in zip(pairs.request, pairs.supporter, pairs.score, strict=True)
    }
    expected = {
        (r.request_id, s.member_id): scoring.score(r, s, config.weights)[0]
        for r in requests
        for s in supporters
        if violation(r, s, rules) is None
    }
    assert expected, "the population should have eligible pairs"
    assert set(found) == set(expected)
    for pair, value in expected.items():
        assert found[pair] == pytest.approx(value, abs=1e-5)


def test_each_request_keeps_the_supporters_that_fit_it_best() -> None:
    requests, supporters = random_population(4, n_requests=60, n_supporters=150)
    weights = Weights()
    k = 5
    config = EngineConfig(candidates_per_request=k)
    ordered_requests, ordered_supporters, best = scored_pairs(requests, supporters, config, k=k)
    _, _, every = scored_pairs(requests, supporters, config)
    total = scoring.total_weight(weights)

    def fit(s: int, score: float) -> float:
        supporter = ordered_supporters[s]
        own = weights.load * scoring.load_part(supporter.load, supporter.capacity)
        own += weights.fairness * scoring.fairness_part(supporter.recent)
        return score - own / total

    for r in range(len(ordered_requests)):
        fits = {
            s: round(fit(s, v), 5)
            for s, v in zip(
                every.supporter[every.request == r], every.score[every.request == r], strict=True
            )
        }
        kept = best.supporter[best.request == r].tolist()
        # The k best fits (which of several tied supporters is kept is the engine's choice).
        assert sorted(fits[s] for s in kept) == sorted(fits.values())[::-1][:k][::-1]


@pytest.mark.parametrize("rules", RULE_SETTINGS)
@pytest.mark.parametrize("seed", [5, 6, 7, 8])
def test_no_rule_is_broken_and_no_supporter_goes_over_capacity(rules: Rules, seed: int) -> None:
    requests, supporters = random_population(seed, n_requests=200, n_supporters=60)
    config = EngineConfig(rules=rules, candidates_per_request=3)
    check(assign(requests, supporters, config), requests, supporters, rules)


@pytest.mark.parametrize("seed", [9, 10, 11])
def test_the_engine_comes_close_to_the_exact_optimum_on_small_populations(seed: int) -> None:
    requests, supporters = random_population(seed, n_requests=150, n_supporters=50)
    config = EngineConfig(rules=Rules(minors=True), candidates_per_request=4)
    engine = objective(assign(requests, supporters, config), requests, supporters, config)
    best = objective(optimum(requests, supporters, config), requests, supporters, config)
    assert engine[0] >= best[0] - 2  # requests matched
    assert engine[1] >= best[1] - 2  # urgent requests matched
    assert engine[2] >= 0.95 * best[2]


@pytest.mark.parametrize("seed", [9, 10, 11, 13])
def test_an_urgent_request_is_left_out_only_when_urgent_ones_hold_every_eligible_slot(
    seed: int,
) -> None:
    requests, supporters = random_population(seed, n_requests=150, n_supporters=50)
    config = EngineConfig(rules=Rules(minors=True), candidates_per_request=2)
    outcome = assign(requests, supporters, config)
    check(outcome, requests, supporters, config.rules)
    urgent = {r.request_id for r in requests if r.urgency == Urgency.HIGH}
    holders: dict[str, list[str]] = {}
    for p in outcome.proposals:
        holders.setdefault(p.supporter_id, []).append(p.request_id)
    left_out = [r for r in requests if r.request_id in urgent and r.request_id in outcome.unmatched]
    assert left_out, "the population should leave some urgent requests out"
    for request in left_out:
        for s in supporters:
            if violation(request, s, config.rules) is None:
                assert s.load + len(holders.get(s.member_id, [])) == s.capacity
                assert all(r in urgent for r in holders.get(s.member_id, []))


def test_urgent_requests_win_contested_slots() -> None:
    supporter = offering("s1", capacity=1, text=GRIEF_TEXT)
    normal = [seeking(f"n{i}", text=GRIEF_TEXT, waited_seconds=86400.0) for i in range(3)]
    urgent = seeking("u1", urgency=Urgency.HIGH, waited_seconds=0.0)  # worse text, just arrived
    outcome = assign([*normal, urgent], [supporter], CONFIG)
    assert [(p.request_id, p.supporter_id) for p in outcome.proposals] == [("u1", "s1")]
    assert outcome.unmatched == {f"n{i}": NO_CAPACITY for i in range(3)}


def test_an_urgent_request_is_never_left_out_so_that_more_normal_ones_match() -> None:
    # s1 suits everyone; s2 only the normal requests. The urgent one gets s1, the rest s2.
    s1 = offering("s1", capacity=1, topics=frozenset({Topic.GRIEF, Topic.ANXIETY}))
    s2 = offering("s2", capacity=1, topics=frozenset({Topic.ANXIETY}))
    anxious = frozenset({Topic.ANXIETY})
    requests = [
        seeking("a", topics=anxious, waited_seconds=9000.0),
        seeking("b", topics=anxious, waited_seconds=9000.0),
        seeking("u", urgency=Urgency.HIGH),
    ]
    matched = {p.request_id: p.supporter_id for p in assign(requests, [s1, s2], CONFIG).proposals}
    assert matched["u"] == "s1"
    assert len(matched) == 2


def test_the_oldest_request_goes_first_among_equals() -> None:
    supporter = offering("s1", capacity=1)
    newer = seeking("a", waited_seconds=60.0)
    older = seeking("b", waited_seconds=7200.0)
    outcome = assign([newer, older], [supporter], CONFIG)
    assert [p.request_id for p in outcome.proposals] == ["b"]
    assert outcome.unmatched == {"a": NO_CAPACITY}


def test_the_global_assignment_beats_arrival_order_greedy() -> None:
    # A fits S1 best and S2 too; B fits only S1. Greedy in arrival order gives A S1, B nothing.
    s1 = offering("s1", capacity=1, topics=frozenset({Topic.GRIEF, Topic.CAREGIVING}))
    s2 = offering("s2", capacity=1, topics=frozenset({Topic.CAREGIVING}))
    a = seeking("a", topics=frozenset({Topic.GRIEF, Topic.CAREGIVING}), waited_seconds=600.0)
    b = seeking("b", topics=GRIEF, waited_seconds=60.0)
    assert scoring.score(a, s1, CONFIG.weights)[0] > scoring.score(a, s2, CONFIG.weights)[0]
    outcome = assign([a, b], [s1, s2], CONFIG)
    assert {(p.request_id, p.supporter_id) for p in outcome.proposals} == {("a", "s2"), ("b", "s1")}
    assert outcome.unmatched == {}


def test_a_request_whose_best_few_are_taken_falls_back_to_another_supporter() -> None:
    best = offering("s1", capacity=1, text=GRIEF_TEXT)
    other = offering("s2", capacity=1)
    requests = [seeking("a", text=GRIEF_TEXT), seeking("b", text=GRIEF_TEXT)]
    outcome = assign(requests, [best, other], EngineConfig(candidates_per_request=1))
    assert sorted(p.supporter_id for p in outcome.proposals) == ["s1", "s2"]


def test_work_spreads_over_supporters_when_scores_are_equal() -> None:
    supporters = [offering("s1", capacity=3), offering("s2", capacity=3)]
    requests = [seeking(f"r{i}") for i in range(4)]
    taken = Counter(p.supporter_id for p in assign(requests, supporters, CONFIG).proposals)
    assert taken == {"s1": 2, "s2": 2}


def test_every_proposal_carries_its_score_and_the_parts() -> None:
    request = seeking(text=GRIEF_TEXT, availability=0xFF)
    supporter = offering(text=GRIEF_TEXT, load=1, capacity=3, recent=2)
    (proposal,) = assign([request], [supporter], CONFIG).proposals
    value, parts = scoring.score(request, supporter, CONFIG.weights)
    assert proposal.score == pytest.approx(value, abs=1e-4)
    assert proposal.breakdown == {name: round(v, 3) for name, v in parts.items()}
    assert set(proposal.breakdown) == set(scoring.PARTS)


def test_unmatched_requests_get_the_reason() -> None:
    supporters = [
        offering("s1", capacity=1, languages=frozenset({"en"})),
        offering("s2", capacity=1, languages=frozenset({"fr"}), topics=frozenset({Topic.DIVORCE})),
        offering("s3", capacity=1, load=1, languages=frozenset({"de"})),  # full
    ]
    requests = [
        seeking("taken", waited_seconds=10.0),
        seeking("winner", waited_seconds=5000.0),
        seeking("nobody-speaks-it", language="it"),
        seeking("only-full-speak-it", language="de"),
        seeking("no-shared-topic", language="fr"),
    ]
    outcome = assign(requests, supporters, CONFIG)
    assert [(p.request_id, p.supporter_id) for p in outcome.proposals] == [("winner", "s1")]
    assert outcome.unmatched == {
        "taken": NO_CAPACITY,
        "nobody-speaks-it": NO_LANGUAGE,
        "only-full-speak-it": NO_LANGUAGE,
        "no-shared-topic": NO_ELIGIBLE,
    }


def test_the_outcome_does_not_depend_on_the_input_order() -> None:
    requests, supporters = random_population(12, n_requests=150, n_supporters=40)
    config = EngineConfig(rules=Rules(minors=True), candidates_per_request=3)
    first = assign(requests, supporters, config)
    shuffled_requests, shuffled_supporters = requests[:], supporters[:]
    random.Random(0).shuffle(shuffled_requests)
    random.Random(1).shuffle(shuffled_supporters)
    again = assign(shuffled_requests, shuffled_supporters, config)
    assert first == again
    assert first.proposals, "the population should match someone"


def test_empty_inputs() -> None:
    assert assign([], [offering()], CONFIG) == Outcome(proposals=[], unmatched={})
    outcome = assign([seeking("a"), seeking("b")], [], CONFIG)
    assert outcome == Outcome(proposals=[], unmatched={"a": NO_LANGUAGE, "b": NO_LANGUAGE})
    assert assign([], [], CONFIG) == Outcome(proposals=[], unmatched={})


JOB_LOSS_AND_ANXIETY = frozenset({Topic.JOB_LOSS, Topic.ANXIETY})


def test_requests_placed_on_a_contested_topic_move_so_that_every_request_is_matched() -> None:
    # The two-topic requests waited longer and fit the two-topic supporters best, so those are
    # everyone's best few; the job-loss-only requests can have no one else, the two-topic
    # requests can move to the anxiety supporters.
    supporters = [
        *(offering(f"both{i:02d}", capacity=1, topics=JOB_LOSS_AND_ANXIETY) for i in range(20)),
        *(offering(f"anxiety{i}", capacity=5, topics=frozenset({Topic.ANXIETY})) for i in range(4)),
    ]
    requests = [
        *(
            seeking(f"b{i:02d}", topics=JOB_LOSS_AND_ANXIETY, waited_seconds=7200.0)
            for i in range(20)
        ),
        *(
            seeking(f"j{i:02d}", topics=frozenset({Topic.JOB_LOSS}), waited_seconds=600.0)
            for i in range(20)
        ),
    ]
    outcome = assign(requests, supporters, CONFIG)
    check(outcome, requests, supporters, CONFIG.rules)
    assert len(outcome.proposals) == 40 == len(optimum(requests, supporters, CONFIG).proposals)
    assert outcome.unmatched == {}


def test_requests_that_rank_every_supporter_alike_are_all_matched() -> None:
    text = embed_one("i lost my job last month and i cannot sleep")
    supporters = [
        offering(f"s{i:03d}", capacity=1, text=embed_one(f"story {i} of grief, loss and {i * 7}"))
        for i in range(200)
    ]
    requests = [seeking(f"r{i:03d}", text=text, availability=0xFFFF) for i in range(200)]
    outcome = assign(requests, supporters, CONFIG)
    check(outcome, requests, supporters, CONFIG.rules)
    assert len(outcome.proposals) == 200
    assert outcome.unmatched == {}


@pytest.mark.parametrize("seed", [9, 10, 11, 13, 14])
def test_the_engine_matches_exactly_as_many_requests_as_the_optimum(seed: int) -> None:
    requests, supporters = random_population(seed, n_requests=150, n_supporters=50)
    config = EngineConfig(rules=Rules(minors=True), candidates_per_request=2)
    engine = objective(assign(requests, supporters, config), requests, supporters, config)
    best = objective(optimum(requests, supporters, config), requests, supporters, config)
    assert engine[0] == best[0]
    assert engine[1] >= best[1]  # urgent requests matched


def test_a_request_that_waited_past_the_aging_wait_gets_a_slot_among_urgent_ones() -> None:
    # One slot, urgent requests arriving all the time, a normal one waiting for three days.
    supporter = offering("s1", capacity=1)
    urgent = [seeking(f"u{i}", urgency=Urgency.HIGH, waited_seconds=60.0 * i) for i in range(5)]
    patient = seeking("patient", waited_seconds=72 * 3600.0)
    config = EngineConfig(aging_hours=48)
    outcome = assign([*urgent, patient], [supporter], config)
    assert [p.request_id for p in outcome.proposals] == ["patient"]
    # Without aging, or before the aging wait, urgent requests come first.
    for config in (EngineConfig(aging_hours=0), EngineConfig(aging_hours=96)):
        outcome = assign([*urgent, patient], [supporter], config)
        assert [p.request_id for p in outcome.proposals] == ["u4"]


def test_an_aged_request_counts_as_urgent_and_never_weighs_more_than_one() -> None:
    # An urgent request left out may take a normal request's slot, not an aged one's; between
    # an aged and an urgent request that waited as long, neither weighs more: the better fit wins.
    s1 = offering("s1", capacity=1, text=GRIEF_TEXT)
    aged = seeking("aged", waited_seconds=50 * 3600.0)
    urgent = seeking("urgent", urgency=Urgency.HIGH, waited_seconds=50 * 3600.0, text=GRIEF_TEXT)
    outcome = assign([aged, urgent], [s1], EngineConfig(aging_hours=48))
    assert [p.request_id for p in outcome.proposals] == ["urgent"]
    outcome = assign(
        [replace(aged, text=GRIEF_TEXT), replace(urgent, text=NO_TEXT)],
        [s1],
        EngineConfig(aging_hours=48),
    )
    assert [p.request_id for p in outcome.proposals] == ["aged"]


def test_a_solve_over_its_budget_returns_a_valid_assignment_and_says_it_was_cut_short() -> None:
    requests = [
        *(
            seeking(f"b{i:02d}", topics=JOB_LOSS_AND_ANXIETY, waited_seconds=7200.0)
            for i in range(20)
        ),
        *(seeking(f"j{i:02d}", topics=frozenset({Topic.JOB_LOSS})) for i in range(20)),
    ]
    supporters = [
        *(offering(f"both{i:02d}", capacity=1, topics=JOB_LOSS_AND_ANXIETY) for i in range(20)),
        *(offering(f"anxiety{i}", capacity=5, topics=frozenset({Topic.ANXIETY})) for i in range(4)),
    ]
    rushed = assign(requests, supporters, EngineConfig(solve_budget_seconds=1e-9))
    check(rushed, requests, supporters, CONFIG.rules)
    assert rushed.cut_short
    assert 0 < len(rushed.proposals) < 40  # the first flow's proposals, no more
    unhurried = assign(requests, supporters, EngineConfig(solve_budget_seconds=60.0))
    assert not unhurried.cut_short
    assert len(unhurried.proposals) == 40
