"""The casework service's metric families (beside the shared runtime's)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

from kindred.observability.metrics import OwnedGauge, registry

casework_items_opened = Counter(
    "kindred_casework_items_opened_total",
    "Review items opened, by kind (safety-review, who5-followup, phq9-severe, trend-worsened, "
    "missed-checkins, member-reported)",
    ["kind"],
    registry=registry,
)
casework_items_resolved = Counter(
    "kindred_casework_items_resolved_total",
    "Review items resolved, by outcome (contacted, referred, no-action; moderated: a report "
    "settled by a moderation)",
    ["outcome"],
    registry=registry,
)
casework_refusals = Counter(
    "kindred_casework_refusals_total",
    "Staff steps on cases refused (own-case, unknown-case, claimed-by-other, resolved, ...), "
    "by reason",
    ["reason"],
    registry=registry,
)
casework_items_open = OwnedGauge(
    Gauge(
        "kindred_casework_items_open",
        "Review items open or claimed, in the partitions this replica owns",
        registry=registry,
    )
)
