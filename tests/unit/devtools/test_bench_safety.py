"""The safety benchmark's reading of the service's alert-latency histogram: summed over labels
and replicas, quantiles interpolated within buckets as Prometheus' histogram_quantile does."""

from __future__ import annotations

import math

import pytest
from prometheus_client import CollectorRegistry, Histogram, generate_latest

from kindred.devtools.bench.safety import (
    SlowProvider,
    bucket_quantile,
    burst,
    histogram,
    parse_args,
)

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


def test_the_burst_knobs_and_what_they_set_on_the_notifications_service(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
    monkeypatch.setenv("MONGODB_URL", "mongodb://127.0.0.1:27017")
    args = parse_args([])
    assert (args.burst, args.provider_seconds, args.in_flight, args.member_lane) == (
        2000,
        2.0,
        10.0,
        100,
    )
    args = parse_args(["--burst", "0", "--member-lane", "32", "--in-flight", "60"])
    provider = SlowProvider.start(0.0)
    try:
        env = provider.env(args)
    finally:
        provider.stop()
    assert (env["SENDER_CONCURRENCY"], env["SENDER_IN_FLIGHT_SECONDS"]) == ("32", "60")
    assert env["SMS_PROVIDER_URL"].startswith("http://127.0.0.1:")
    for bad in (["--burst", "-1"], ["--member-lane", "0"], ["--in-flight", "0"]):
        with pytest.raises(SystemExit):
            parse_args(bad)


def test_the_burst_sets_each_members_preferences_before_their_notification() -> None:
    events = burst("run1", 3)
    assert [type(e).__name__ for e in events] == ["MemberNotificationPreferencesSet"] * 3 + [
        "NotificationRequested"
    ] * 3
    assert [e.subject for e in events[:3]] == [e.subject for e in events[3:]]
    assert len({e.data.source_event_id for e in events[3:]}) == 3  # type: ignore[attr-defined]


def test_the_histogram_of_some_labels_only() -> None:
    buckets, count, _ = histogram(exposition([0.05, 0.2, 0.3, 0.7]), NAME, {"severity": "urgent"})
    assert buckets == [(0.1, 0), (0.5, 1), (1.0, 2), (math.inf, 2)]
    assert count == 2
