"""The safety benchmark's reading of the service's alert-latency histogram: summed over labels
and replicas, quantiles interpolated within buckets as Prometheus' histogram_quantile does."""

from __future__ import annotations

import math

import pytest
from prometheus_client import CollectorRegistry, Histogram, generate_latest

from kindred.devtools.bench.safety import bucket_quantile, histogram, parse_args

NAME = "kindred_safety_alert_seconds"


def exposition(values: list[float]) -> str:
    registry = CollectorRegistry()
    h = Histogram(NAME, "test", ["severity"], buckets=(0.1, 0.5, 1), registry=registry)
    for i, value in enumerate(values):
        h.labels(severity="urgent" if i % 2 else "high").observe(value)
    return generate_latest(registry).decode()


def test_the_histogram_is_summed_over_labels() -> None:
    buckets, count, total = histogram(exposition([0.05, 0.2, 0.3, 0.7]), NAME)
    assert buckets == [(0.1, 1), (0.5, 3), (1.0, 4), (math.inf, 4)]
    assert count == 4
    assert total == pytest.approx(1.25)


def test_quantiles_interpolate_within_the_bucket_holding_the_rank() -> None:
    buckets = [(0.1, 1.0), (0.5, 3.0), (1.0, 4.0), (math.inf, 4.0)]
    assert bucket_quantile(0.25, buckets) == pytest.approx(0.1)
    assert bucket_quantile(0.5, buckets) == pytest.approx(0.3)  # rank 2 of 1..3 in 0.1..0.5
    assert bucket_quantile(1.0, buckets) == pytest.approx(1.0)
    # Past the last finite bound, the bound itself; nothing observed, no answer.
    assert bucket_quantile(0.99, [(1.0, 1.0), (math.inf, 2.0)]) == 1.0
    assert math.isnan(bucket_quantile(0.5, [(1.0, 0.0), (math.inf, 0.0)]))
    assert math.isnan(bucket_quantile(0.5, []))


def test_the_knobs_and_their_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
    monkeypatch.setenv("MONGODB_URL", "mongodb://127.0.0.1:27017")
    args = parse_args([])
    assert (args.rate, args.alert_rate, args.seconds) == (100.0, 2.0, 30.0)
    args = parse_args(["--rate", "50", "--alert-rate", "5", "--seconds", "10"])
    assert (args.rate, args.alert_rate, args.seconds) == (50.0, 5.0, 10.0)
    with pytest.raises(SystemExit):
        parse_args(["--alert-rate", "0"])
