"""The matching service's metric families (beside the shared runtime's): matching quality
(acceptance, time to match, re-matches, the backlog, supporter load) and batch time."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

from kindred.observability.metrics import registry

matches_proposed = Counter(
    "kindred_matches_proposed_total", "Matches proposed to a supporter", registry=registry
)
match_steps = Counter(
    "kindred_match_steps_total",
    "Later steps of matches: accepted, declined, expired, ended",
    ["step"],
    registry=registry,
)
rematches = Counter(
    "kindred_rematches_total",
    "Proposals for a request that had one before (after a decline or an expiry)",
    registry=registry,
)
requests_refused = Counter(
    "kindred_support_requests_refused_total",
    "Support requests not taken into the pool, by reason",
    ["reason"],
    registry=registry,
)
requests_referred = Counter(
    "kindred_support_requests_referred_total",
    "Support requests no supporter of their pool could take, offered to a neighbouring pool",
    ["pool", "to"],
    registry=registry,
)
requests_waiting = Counter(
    "kindred_support_requests_waiting_total",
    "Requests that waited past a threshold without a proposal: by stage (notice: the member"
    " was told; overdue: staff too) and why they wait",
    ["stage", "reason"],
    registry=registry,
)
time_to_proposal = Histogram(
    "kindred_match_time_to_proposal_seconds",
    "From a support request's arrival to its first proposal",
    buckets=(0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600, 4 * 3600, 24 * 3600),
    registry=registry,
)
time_to_match = Histogram(
    "kindred_match_time_to_match_seconds",
    "From a support request's arrival to its match being accepted",
    buckets=(5, 30, 60, 300, 900, 3600, 4 * 3600, 12 * 3600, 24 * 3600, 3 * 24 * 3600),
    registry=registry,
)
unmatched_requests = Gauge(
    "kindred_matching_unmatched_requests",
    "Open support requests waiting now, by why (the backlog of the pools this replica owns)",
    ["reason"],
    registry=registry,
)
supporters_by_load = Gauge(
    "kindred_matching_supporters_by_load",
    "Supporters (with the role granted) by the share of their capacity in use: "
    "0, under half, half or more, full",
    ["load"],
    registry=registry,
)
batch_seconds = Histogram(
    "kindred_matching_batch_seconds",
    "Time to assign one batch (candidates and the global assignment)",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=registry,
)
matching_supporters = Gauge(
    "kindred_matching_supporters",
    "Supporters with the role granted, in the pools this replica owns",
    registry=registry,
)
open_requests = Gauge(
    "kindred_matching_open_requests",
    "Open support requests in the pools this replica owns (waiting, or proposed)",
    registry=registry,
)
