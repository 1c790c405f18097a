"""The Prometheus registry and the domain counters every service may increment."""

from __future__ import annotations

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram

registry: CollectorRegistry = REGISTRY

events_published = Counter(
    "kindred_events_published_total", "Events published to Kafka", ["topic"], registry=registry
)
events_handled = Counter(
    "kindred_events_handled_total",
    "Records a consumer finished, by outcome: applied, duplicate (a copy of an event applied "
    "recently), already-committed (the partition log held it)",
    ["topic", "outcome"],
    registry=registry,
)
dependency_retries = Counter(
    "kindred_dependency_retries_total",
    "Steps of a partition's work that failed because Kafka or MongoDB did, and were retried",
    ["group"],
    registry=registry,
)
dead_letters = Counter(
    "kindred_dead_letters_total",
    "Messages moved to a dead-letter topic, by origin topic and error type",
    ["topic", "error_type"],
    registry=registry,
)
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
inbox_entries = Counter(
    "kindred_inbox_entries_total", "In-app inbox entries written", ["kind"], registry=registry
)
checkins_recorded = Counter(
    "kindred_checkins_recorded_total", "Check-ins stored", registry=registry
)
checkins_by_instrument = Counter(
    "kindred_checkins_by_instrument_total",
    "Check-ins stored, per instrument answered (mood, who5, phq2, phq9, asq, note)",
    ["instrument"],
    registry=registry,
)
safety_triggers = Counter(
    "kindred_safety_triggers_total",
    "Safety rules fired by check-ins, by rule and severity",
    ["rule", "severity"],
    registry=registry,
)
safety_alerts = Counter(
    "kindred_safety_alerts_total",
    "Safety alerts raised (safety.alert-raised), by severity",
    ["severity"],
    registry=registry,
)
safety_alert_seconds = Histogram(
    "kindred_safety_alert_seconds",
    "Time from a check-in accepted by the gateway to its safety alert published (acks=all)",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
    registry=registry,
)
safety_episodes_open = Gauge(
    "kindred_safety_episodes_open",
    "Members in an open safety episode, in the partitions this replica owns",
    registry=registry,
)
checkin_reminders = Counter(
    "kindred_checkin_reminders_total",
    "Scheduled check-in reminders emitted (checkin.reminder-due), one per occurrence",
    registry=registry,
)
checkins_answering_reminder = Counter(
    "kindred_checkins_answering_reminder_total",
    "Check-ins that answered a reminded scheduled occurrence (at most one per reminder): "
    "completion rate = this ÷ kindred_checkin_reminders_total",
    registry=registry,
)
checkins_missed = Counter(
    "kindred_checkins_missed_total",
    "Scheduled check-ins missed (checkin.missed), by whether the member had been reminded "
    "(false: the window ended while the service was down)",
    ["reminded"],
    registry=registry,
)
checkin_schedules_active = Gauge(
    "kindred_checkin_schedules_active",
    "Enabled check-in schedules in the partitions this replica owns",
    registry=registry,
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

# The partitioned consumer runtime (kindred.partitions) and the storage it writes.
documents_written = Counter(
    "kindred_storage_documents_written_total",
    "Documents inserted or replaced in the service's collections, by collection",
    ["collection"],
    registry=registry,
)
log_entries = Counter(
    "kindred_partition_log_entries_total",
    "Partition-log entries written: one per committed batch (batch) or take-over (fence)",
    ["kind"],
    registry=registry,
)
partitions_owned = Gauge(
    "kindred_partitions_owned",
    "Partitions this replica owns (holds in every topic it consumes)",
    ["group"],
    registry=registry,
)
partitions_total = Gauge(
    "kindred_partitions_total",
    "Partitions of the topics this consumer group reads: every one should be owned by a replica",
    ["group"],
    registry=registry,
)
partitions_fenced = Counter(
    "kindred_partitions_fenced_total",
    "Writes rejected because another replica had taken the partition over",
    ["group"],
    registry=registry,
)
consumer_lag = Gauge(
    "kindred_consumer_lag",
    "Records in a partition not yet committed by this replica (end offset - committed)",
    ["group", "topic", "partition"],
    registry=registry,
)
batch_records = Histogram(
    "kindred_consumer_batch_records",
    "Records per batch a partition handled at once",
    buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000),
    registry=registry,
)
commit_seconds = Histogram(
    "kindred_partition_commit_seconds",
    "Time to commit a batch: log entry, writes, publish with acks",
    buckets=(0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5),
    registry=registry,
)
background_failures = Counter(
    "kindred_background_failures_total",
    "Rounds of a background loop that failed",
    ["loop"],
    registry=registry,
)
background_failing = Gauge(
    "kindred_background_consecutive_failures",
    "Rounds of a background loop that failed in a row (0 once a round succeeds); readiness "
    "reports a loop at BACKGROUND_FAILURES_UNREADY or more",
    ["loop"],
    registry=registry,
)
dependency_down = Gauge(
    "kindred_dependency_down",
    "1 while this process cannot reach a server underneath (kafka, mongodb), else 0",
    ["dependency"],
    registry=registry,
)
records_refused = Counter(
    "kindred_records_refused_total",
    "Records Kafka refused for good (too large, invalid topic), kept in the `unpublishable` "
    "collection instead of holding back the rest of their partition",
    ["topic", "error_type"],
    registry=registry,
)
urgent_ahead = Counter(
    "kindred_urgent_published_ahead_total",
    "Urgent events (safety alerts) published ahead of their partition-log write because the "
    "database did not answer within URGENT_PUBLISH_AFTER_SECONDS",
    ["group"],
    registry=registry,
)
# Notifications: deliveries and safety escalations.
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
escalations_pending = Gauge(
    "kindred_safety_escalations_pending",
    "Safety alerts not yet acknowledged, in the partitions this replica owns",
    registry=registry,
)
escalation_ack_seconds = Histogram(
    "kindred_safety_ack_seconds",
    "Time from a safety alert raised to its acknowledgement by staff",
    buckets=(5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600),
    registry=registry,
)
log_lines_suppressed = Counter(
    "kindred_log_lines_suppressed_total",
    "Repeated client-library warnings and errors left out of the log (one per minute is kept)",
    ["logger"],
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
