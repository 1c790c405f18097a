"""The options both pipeline benches share: replicas, namespace, timeout and the servers."""

from __future__ import annotations

import argparse

import pytest

from kindred.devtools.bench import __main__ as pipeline
from kindred.devtools.bench import safety
from kindred.devtools.bench.cli import replicas
from kindred.devtools.processes import metric_sum

pytestmark = pytest.mark.unit


def test_replicas_are_service_equals_count() -> None:
    assert replicas("matching=3,notifications=2,") == {"matching": 3, "notifications": 2}
    assert replicas("") == {}
    for bad in ("matching", "matching=0", "matching=x", "search=2"):
        with pytest.raises(argparse.ArgumentTypeError, match="SERVICE=N"):
            replicas(bad)


def test_both_benches_take_the_common_options_with_their_own_timeouts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
    monkeypatch.setenv("MONGODB_URL", "mongodb://127.0.0.1:27017")
    assert (pipeline.parse_args([]).timeout, safety.parse_args([]).timeout) == (3600.0, 900.0)
    for parse in (pipeline.parse_args, safety.parse_args):
        args = parse(["--replicas", "matching=2", "--namespace", "bench1", "--timeout", "5"])
        assert (args.replicas, args.namespace, args.timeout) == ({"matching": 2}, "bench1", 5.0)
        assert (args.kafka, args.mongodb_url) == ("127.0.0.1:9092", "mongodb://127.0.0.1:27017")


def test_both_benches_need_the_servers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KAFKA_BOOTSTRAP_SERVERS", raising=False)
    monkeypatch.setenv("MONGODB_URL", "mongodb://127.0.0.1:27017")
    for parse in (pipeline.parse_args, safety.parse_args):
        with pytest.raises(SystemExit) as stopped:
            parse([])
        assert stopped.value.code == 2


def test_metric_sum_reads_counters_and_a_histograms_count() -> None:
    text = (
        "# HELP kindred_things_total Things\n# TYPE kindred_things_total counter\n"
        'kindred_things_total{kind="a"} 2.0\nkindred_things_total{kind="b"} 3.0\n'
        "# HELP kindred_batch_seconds Batches\n# TYPE kindred_batch_seconds histogram\n"
        'kindred_batch_seconds_bucket{le="1.0"} 4.0\nkindred_batch_seconds_bucket{le="+Inf"} 5.0\n'
        "kindred_batch_seconds_count 5.0\nkindred_batch_seconds_sum 1.5\n"
    )
    assert metric_sum(text, "kindred_things_total") == 5.0
    assert metric_sum(text, "kindred_batch_seconds_count") == 5.0
    assert metric_sum(text, "kindred_batch_seconds_sum") == 1.5
    assert metric_sum(text, "kindred_absent_total") is None
