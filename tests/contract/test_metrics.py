"""Each service exports its own metric families and the shared runtime's, no other service's,
and its /metrics passes Prometheus's own linter (`promtool check metrics`).

Each service is built in a process of its own, as it runs (its composition root, FastStream's
middleware included), with one sample in every family so that the linter sees each one as a
scrape after some traffic would."""

from __future__ import annotations

import json
import subprocess
import sys
from functools import cache
from typing import Any

import pytest

from tests.support.promtool import check_metrics

pytestmark = pytest.mark.contract

# The shared runtime's families, every service's (the consumer, storage, background loops,
# outages, logs): a service's own family left in the shared module would show here.
RUNTIME = [
    "kindred_background_consecutive_failures",
    "kindred_background_failures",
    "kindred_consumer_batch_records",
    "kindred_consumer_lag",
    "kindred_dead_letters",
    "kindred_dependency_down",
    "kindred_dependency_retries",
    "kindred_events_handled",
    "kindred_events_published",
    "kindred_log_lines_suppressed",
    "kindred_partition_commit_seconds",
    "kindred_partition_log_entries",
    "kindred_partitions_fenced",
    "kindred_partitions_owned",
    "kindred_records_refused",
    "kindred_storage_documents_written",
    "kindred_topic_partitions",
    "kindred_urgent_published_ahead",
]

SERVICES = {
    "gateway": "GatewaySettings",
    "matching": "MatchingSettings",
    "checkins": "CheckinsSettings",
    "notifications": "NotificationsSettings",
    "casework": "CaseworkSettings",
}

EXPORT = """
import importlib, json, sys
from prometheus_client import REGISTRY, Counter, Gauge, Histogram, Summary, generate_latest

def families():
    return sorted({m.name for m in REGISTRY.collect() if m.name.startswith("kindred_")})

service, settings_class = sys.argv[1], sys.argv[2]
importlib.import_module("kindred.service")
runtime = families()
importlib.import_module(f"kindred.{service}.metrics")
own = sorted(set(families()) - set(runtime))
settings = getattr(importlib.import_module(f"kindred.{service}.settings"), settings_class)
importlib.import_module(f"kindred.{service}.app").create_app(settings(kindred_dev_mode=True))
exported = families()
for collector in list(REGISTRY._collector_to_names):
    if not isinstance(collector, (Counter, Gauge, Histogram, Summary)):
        continue
    names = getattr(collector, "_labelnames", ())
    child = collector.labels(*["x"] * len(names)) if names else collector
    if isinstance(collector, Counter):
        child.inc()
    elif isinstance(collector, Gauge):
        child.set(1)
    else:
        child.observe(1)
json.dump(
    {"runtime": runtime, "own": own, "exported": exported,
     "exposition": generate_latest(REGISTRY).decode()},
    sys.stdout,
)
"""


@cache
def export(service: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", EXPORT, service, SERVICES[service]],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, Any] = json.loads(done.stdout)
    return result


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_exports_its_own_families_and_the_runtimes_only(service: str) -> None:
    found = export(service)
    runtime, own, exported = set(found["runtime"]), set(found["own"]), set(found["exported"])
    assert exported == runtime | own
    assert own, f"{service} declares no families of its own"
    for other in SERVICES:
        if other != service:
            assert not (set(export(other)["own"]) & exported), f"{other}'s on {service}"


def test_the_runtime_families_are_the_same_in_every_service() -> None:
    for service in SERVICES:
        assert export(service)["runtime"] == RUNTIME, service


@pytest.mark.parametrize("service", SERVICES)
def test_metrics_pass_promtool(service: str) -> None:
    assert check_metrics(export(service)["exposition"]) == []
