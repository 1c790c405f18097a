"""The notifications service's metric families (beside the shared runtime's): deliveries,
digests, the inbox, and safety pages and their acknowledgement."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

from kindred.observability.metrics import OwnedGauge, registry

inbox_entries = Counter(
    "kindred_inbox_entries_total", "In-app inbox entries written", ["kind"], registry=registry
)
notifications_sent = Counter(
    "kindred_notifications_attempts_total",
    "Delivery attempts by channel and outcome (sent, failed)",
    ["channel", "outcome"],
    registry=registry,
)
notification_retries = Counter(
    "kindred_notification_retries_total",
    "Delivery attempts after the first (retries), by channel",
    ["channel"],
    registry=registry,
)
notifications_dead_lettered = Counter(
    "kindred_notifications_dead_lettered_total",
    "Notifications given up on after their retries and fallbacks (an alert fires on any)",
    ["channel"],
    registry=registry,
)
notification_first_attempt_seconds = Histogram(
    "kindred_notification_first_attempt_seconds",
    "Time from the source event (for a safety page: the gateway's accept of the check-in) to "
    "the first delivery attempt, by category",
    ["category"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
    registry=registry,
)
digests_sent = Histogram(
    "kindred_notification_digest_items",
    "Messages gathered into each digest sent to a member (quiet hours, bursts)",
    buckets=(1, 2, 3, 5, 10, 20, 50),
    registry=registry,
)
pages_total = Counter(
    "kindred_safety_pages_total",
    "Safety page deliveries created (one per channel of each page), by channel",
    ["channel"],
    registry=registry,
)
escalations_pending = OwnedGauge(
    Gauge(
        "kindred_safety_escalations_pending",
        "Safety alerts not yet acknowledged, in the partitions this replica owns",
        registry=registry,
    )
)
escalation_ack_seconds = Histogram(
    "kindred_safety_ack_seconds",
    "Time from a safety alert raised to its acknowledgement by staff",
    buckets=(5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600),
    registry=registry,
)
sends_waiting = Gauge(
    "kindred_notification_sends_waiting",
    "Delivery attempts handed to the sender and waiting for a slot, by lane (pages, members)",
    ["lane"],
    registry=registry,
)
sends_fenced = Counter(
    "kindred_notification_sends_fenced_total",
    "Delivery attempts dropped because this replica no longer held their partition (its new "
    "owner makes them), by lane",
    ["lane"],
    registry=registry,
)
page_render_fallbacks = Counter(
    "kindred_safety_page_render_fallbacks",
    "Safety pages whose template failed to render, sent with the plain default page text "
    "instead (the page still went out), by channel",
    ["channel"],
    registry=registry,
)
escalation_failures = Counter(
    "kindred_safety_escalation_failures",
    "Escalation steps that raised (bad data, a bug): the chain's fallback was paged with a "
    "default page instead, by stage (start, tick)",
    ["stage"],
    registry=registry,
)
acks_refused = Counter(
    "kindred_safety_acks_refused",
    "Acknowledgements refused without effect, by reason (wrong_member, link_used)",
    ["reason"],
    registry=registry,
)
acks_early = Counter(
    "kindred_safety_acks_early",
    "Acknowledgements that came before their alert, kept until it came",
    registry=registry,
)
reviews_notified = Counter(
    "kindred_safety_reviews_notified",
    "Safety review requests told to the review staff, by priority",
    ["priority"],
    registry=registry,
)
member_safety_notices = Counter(
    "kindred_safety_member_notices",
    "Safety alerts told to the member they are about, with crisis resources (inbox, and push "
    "where enabled)",
    registry=registry,
)
