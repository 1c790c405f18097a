"""The Prometheus registry and the domain counters every service may increment."""

from __future__ import annotations

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram

registry: CollectorRegistry = REGISTRY

events_published = Counter(
    "kindred_events_published_total", "Events published to Kafka", ["topic"], registry=registry
)
events_handled = Counter(
    "kindred_events_handled_total",
    "Events a consumer finished, by outcome (applied, duplicate, skipped)",
    ["topic", "outcome"],
    registry=registry,
)
handler_retries = Counter(
    "kindred_handler_retries_total",
    "Handler attempts that failed and were retried",
    ["topic"],
    registry=registry,
)
dead_letters = Counter(
    "kindred_dead_letters_total",
    "Messages moved to a dead-letter topic, by origin topic and error type",
    ["topic", "error_type"],
    registry=registry,
)
outbox_relayed = Counter(
    "kindred_outbox_relayed_total",
    "Outbox events published by the relay sweep (a crash left them unpublished)",
    ["collection"],
    registry=registry,
)
matches_proposed = Counter(
    "kindred_matches_proposed_total", "Matches proposed to a supporter", registry=registry
)
requests_waiting = Counter(
    "kindred_support_requests_waiting_total",
    "Support requests left waiting because no supporter fits yet",
    registry=registry,
)
inbox_entries = Counter(
    "kindred_inbox_entries_total", "In-app inbox entries written", ["kind"], registry=registry
)
checkins_recorded = Counter(
    "kindred_checkins_recorded_total", "Check-ins stored", registry=registry
)
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
