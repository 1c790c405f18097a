"""The Prometheus registry and the shared runtime's metric families (the partitioned consumer,
storage, background loops, outages, logs). Each service declares its own families in its
`metrics.py`, so a service exports only those and these."""

from __future__ import annotations

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram

registry: CollectorRegistry = REGISTRY


class OwnedGauge:
    """A gauge of what the partitions this replica owns hold: each partition's share is set or
    moved by its owner and forgotten when the partition goes; the gauge shows their sum."""

    def __init__(self, gauge: Gauge) -> None:
        self.gauge = gauge
        self.shares: dict[int, float] = {}

    def set(self, partition: int, value: float) -> None:
        self.shares[partition] = value
        self.gauge.set(sum(self.shares.values()))

    def add(self, partition: int, delta: float) -> None:
        self.set(partition, self.shares.get(partition, 0.0) + delta)

    def forget(self, partition: int) -> None:
        self.shares.pop(partition, None)
        self.gauge.set(sum(self.shares.values()))


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
topic_partitions = Gauge(
    "kindred_topic_partitions",
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
log_lines_suppressed = Counter(
    "kindred_log_lines_suppressed_total",
    "Repeated client-library warnings and errors left out of the log (one per minute is kept)",
    ["logger"],
    registry=registry,
)
