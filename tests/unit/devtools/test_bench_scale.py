"""The scaling benchmark's pure parts: its options, the population it spreads over the six
language pools, reading pool ownership and sums from the replicas' metrics, CPU shares, quality
from the stored matches, and the table it prints."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from prometheus_client import CollectorRegistry, Gauge, Histogram, generate_latest

from kindred.devtools.bench import __main__ as bench
from kindred.devtools.bench import scale
from kindred.devtools.bench.scale import (
    LANGUAGES,
    OTHER,
    PARTITIONS,
    Alone,
    Row,
    alone_table,
    bound,
    cores_used,
    parse_args,
    pools_owned,
    proposal_quality,
    sample_sum,
    seeker_profile,
    slots,
    spread,
    support_request,
    supporter_profile,
    table,
)
from kindred.events.matching import SupportRequest
from kindred.events.members import ProfileSubmittedData
from kindred.matching.domain.placement import pool_for
from kindred.notifications.sender import partition_for

pytestmark = pytest.mark.unit


@pytest.fixture
def servers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
    monkeypatch.setenv("MONGODB_URL", "mongodb://127.0.0.1:27017")


@pytest.mark.usefixtures("servers")
def test_the_knobs_and_their_defaults() -> None:
    args = parse_args([])
    assert (args.requests, args.supporters, args.concurrency) == (3000, 600, 64)
    assert (args.scale_replicas, args.timeout, args.replicas) == ((1, 2, 3), 1800.0, {})
    args = parse_args(["--scale-replicas", "1,3", "--requests", "600", "--replicas", "gateway=2"])
    assert (args.scale_replicas, args.requests, args.replicas) == ((1, 3), 600, {"gateway": 2})


@pytest.mark.usefixtures("servers")
@pytest.mark.parametrize(
    "argv",
    [
        ["--scale-replicas", "0,1"],
        ["--scale-replicas", "1,1"],
        ["--scale-replicas", "one"],
        ["--scale-replicas", ""],
        ["--requests", "0"],
        ["--supporters", "0"],
        ["--replicas", "matching=2"],  # matching's count is --scale-replicas
    ],
)
def test_bad_options_are_usage_errors(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        parse_args(argv)
    assert stopped.value.code == 2


def test_the_bench_command_hands_scale_to_its_own_run(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[str]] = []
    monkeypatch.setattr(scale, "main", lambda argv: seen.append(list(argv)) or 0)
    assert bench.main(["--scale", "--requests", "600"]) == 0
    assert seen == [["--requests", "600"]]


def test_seekers_are_spread_evenly_over_the_six_languages() -> None:
    assert Counter(spread(i)[0] for i in range(600)) == {lang: 100 for lang in LANGUAGES}
    assert max(Counter(spread(i)[0] for i in range(605)).values()) == 101
    # Each language's seekers are numbered 0, 1, 2, ... among themselves.
    assert [spread(i)[1] for i in range(600) if spread(i)[0] == "fr"] == list(range(100))


def test_each_seeker_is_placed_in_the_pool_of_the_language_they_ask_in() -> None:
    for i in range(60):
        profile = ProfileSubmittedData.model_validate(
            json.loads(seeker_profile(i)) | {"member_id": f"s{i}"}
        )
        request = SupportRequest.model_validate_json(support_request(i))
        assert pool_for(profile, "language", "main") == request.language == spread(i)[0]
        assert set(request.topics) <= set(profile.topics)
        assert request.whats_going_on


def test_every_seeker_topic_has_supporters_of_that_language_with_room() -> None:
    language = "pt"
    supporters = [
        ProfileSubmittedData.model_validate(
            json.loads(supporter_profile(language, j)) | {"member_id": f"p{j}"}
        )
        for j in range(40)
    ]
    assert {p.languages[0] for p in supporters} == {language}
    assert {p.capacity for p in supporters} == {1, 2, 3, 4}
    assert sum(p.capacity for p in supporters) == slots(40) == 100
    offered = {t for p in supporters for t in p.topics}
    for i in range(600):
        if spread(i)[0] == language:
            assert set(SupportRequest.model_validate_json(support_request(i)).topics) & offered


def test_the_six_pools_fall_two_to_each_partition() -> None:
    assert PARTITIONS == 3
    by_partition = {p: partition_for(p, PARTITIONS) for p in LANGUAGES}
    assert by_partition == {"es": 0, "pt": 0, "en": 1, "fr": 1, "ar": 2, "pl": 2}


def lag_exposition(partitions: dict[str, list[int]]) -> str:
    registry = CollectorRegistry()
    lag = Gauge("kindred_consumer_lag", "test", ["group", "topic", "partition"], registry=registry)
    for topic, numbers in partitions.items():
        for n in numbers:
            lag.labels("g", topic, str(n)).set(0)
    return generate_latest(registry).decode()


def test_a_replica_owns_the_pools_of_its_pool_input_partitions() -> None:
    text = lag_exposition({"ns.matching.pool-input": [0, 2], "ns.support.requested": [1]})
    assert pools_owned(text, "ns.matching.pool-input") == ("es", "pt", "ar", "pl")
    assert pools_owned(lag_exposition({}), "ns.matching.pool-input") == ()


def test_samples_are_summed_over_the_labels_asked_for() -> None:
    registry = CollectorRegistry()
    handled = Gauge("kindred_events_handled", "test", ["topic", "outcome"], registry=registry)
    handled.labels("a", "applied").set(3)
    handled.labels("a", "duplicate").set(1)
    handled.labels("b", "applied").set(5)
    batch = Histogram("kindred_matching_batch_seconds", "test", registry=registry)
    batch.observe(0.25)
    batch.observe(0.5)
    text = generate_latest(registry).decode()
    assert sample_sum(text, "kindred_events_handled", topic="a") == 4
    assert sample_sum(text, "kindred_events_handled") == 9
    assert sample_sum(text, "kindred_matching_batch_seconds_sum") == pytest.approx(0.75)
    assert sample_sum(text, "absent") == 0


def test_cores_used_by_group_and_what_no_process_of_the_run_accounts_for() -> None:
    groups = {1: "matching-0", 2: "matching-1", 3: "gateway", 4: "Kafka", 5: "Kafka"}
    before = (100.0, {1: 10.0, 2: 10.0, 3: 5.0, 4: 1.0, 5: 1.0})
    after = (116.0, {1: 14.0, 2: 12.0, 3: 9.0, 4: 3.0})  # 5 is gone: left out
    used = cores_used(groups, before, after, seconds=8.0)
    assert used == pytest.approx(
        {"machine": 2.0, "matching-0": 0.5, "matching-1": 0.25, "gateway": 0.5, "Kafka": 0.25,
         OTHER: 0.5}
    )  # fmt: skip


def row(replicas: int, throughput: float, alone: float | None = None, **cores: float) -> Row:
    pools = {1: (LANGUAGES,), 2: (LANGUAGES[:4], LANGUAGES[4:])}.get(replicas, ())
    return Row(
        replicas=replicas,
        accepted=600,
        delivered=600,
        throughput=throughput,
        p50=412.4,
        p99=987.6,
        proposed=1.0,
        score=0.8914,
        pools=pools,
        busy=tuple(0.1 for _ in pools),
        cores=cores,
        alone=None if alone is None else Alone(600, 600, 600 / alone, {"matching-0": 0.9}),
    )


def test_the_table_gives_each_round_and_its_ratios_to_one_replica() -> None:
    lines = table([row(1, 200.0, alone=300.0), row(2, 250.0, alone=450.0)])
    assert lines[0].startswith("| matching replicas | throughput req/s | ratio to 1 replica |")
    assert lines[0].endswith("| matching alone req/s | its ratio to 1 replica |")
    assert lines[1].count("---") == len(lines[0].split("|")) - 2
    assert lines[2] == (
        "| 1 | 200 | 1.00 | 412 | 988 | 100.0 | 0.891 | 6 (es,pt,en,fr,ar,pl) | 10% | 300 | 1.00 |"
    )
    assert lines[3] == (
        "| 2 | 250 | 1.25 | 412 | 988 | 100.0 | 0.891 | 4+2 (es,pt,en,fr / ar,pl) | 10% / 10% "
        "| 450 | 1.50 |"
    )
    # Without a 1-replica round, the ratio is to the first round; no alone phase, no figure.
    assert table([row(2, 100.0), row(3, 150.0)])[3].split(" | ")[2] == "1.50"
    assert table([row(2, 100.0)])[2].endswith("| - | - |")


def test_the_bound_says_whether_the_cores_or_matching_held_the_rate_back() -> None:
    saturated = row(2, 250.0, machine=1.95, **{"matching-0": 0.2, "matching-1": 0.1}, other=0.5)
    said = bound(saturated, cores=2)
    assert "2 cores were saturated" in said and "not matching, which used 0.30 cores" in said
    assert "0.50 for other jobs" in said
    assert "CPU-bound" in bound(row(1, 200.0, machine=1.2, **{"matching-0": 0.95}), cores=2)
    assert "neither" in bound(row(1, 200.0, machine=0.8, **{"matching-0": 0.3}), cores=2)


def test_quality_is_the_share_proposed_and_the_mean_score_of_first_proposals() -> None:
    matches = [
        {"request_id": "r1", "score": 0.9, "attempt": 1},
        {"request_id": "r1", "score": 0.5, "attempt": 2},  # a re-match: not the first
        {"request_id": "r2", "score": 0.7, "attempt": 1},
        {"request_id": "other-run", "score": 0.1, "attempt": 1},
    ]
    share, mean = proposal_quality(matches, {"r1", "r2", "r3", "r4"})
    assert share == 0.5
    assert mean == pytest.approx(0.8)


def test_matching_alone_gives_its_rate_and_the_cores_each_group_used() -> None:
    alone = Alone(
        600, 598, 2.0, {"matching-0": 0.5, "matching-1": 0.25, "Kafka": 0.2, "machine": 1.9}
    )
    both = [row(1, 200.0), row(2, 250.0)]
    both[1].alone = alone
    lines = alone_table(both, cores=2)
    assert len(lines) == 3  # the header, its rule, the round that had the phase
    assert "| machine (of 2) |" in lines[0]
    assert lines[2].startswith("| 2 | 600 | 598 | 2.0 | 299 | 0.75 (0.50 / 0.25) | 0.20 | - |")
    assert lines[2].endswith("| 1.90 |")
