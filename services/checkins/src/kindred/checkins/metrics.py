"""The check-ins service's metric families (beside the shared runtime's)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

from kindred.observability.metrics import OwnedGauge, registry

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
safety_reviews = Counter(
    "kindred_safety_reviews_total",
    "Staff reviews asked for (safety.review-requested) by check-ins that fired no safety rule, "
    "by priority",
    ["priority"],
    registry=registry,
)
safety_episode_closes_refused = Counter(
    "kindred_safety_episode_closes_refused_total",
    "Requests to close a safety episode refused (safety.episode-close-refused), by reason",
    ["reason"],
    registry=registry,
)
safety_alert_seconds = Histogram(
    "kindred_safety_alert_seconds",
    "Time from a check-in accepted by the gateway to its safety alert published (acks=all)",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
    registry=registry,
)
safety_episodes_open = OwnedGauge(
    Gauge(
        "kindred_safety_episodes_open",
        "Members in an open safety episode, in the partitions this replica owns",
        registry=registry,
    )
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
checkin_schedules_active = OwnedGauge(
    Gauge(
        "kindred_checkin_schedules_active",
        "Enabled check-in schedules in the partitions this replica owns",
        registry=registry,
    )
)
checkins_unreadable = Counter(
    "kindred_checkins_unreadable_total",
    "Check-ins that went to their dead-letter topic unread or unhandled; each raised an urgent "
    "evaluation_failed alert for the member its record names",
    registry=registry,
)
