"""The gateway's metric families (beside the shared runtime's)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

from kindred.observability.metrics import registry

gateway_accepted = Counter(
    "kindred_gateway_events_accepted_total",
    "Requests the gateway accepted and published",
    ["type"],
    registry=registry,
)
gateway_publish_seconds = Histogram(
    "kindred_gateway_publish_seconds",
    "Time to publish an accepted request to Kafka (acks=all)",
    registry=registry,
)
