"""The topic catalogue: base names, prefixed at run time with the deployment's namespace.

One event type per topic. Each topic has a dead-letter twin, `<topic>.dlt`.
"""

from __future__ import annotations

PROFILE_SUBMITTED = "member.profile-submitted"
SUPPORT_REQUESTED = "support.requested"
MATCH_PROPOSED = "match.proposed"
# Inside matching: a seeker's partition asks a supporter's partition for one of their slots.
SLOT_REQUESTED = "match.slot-requested"
SLOT_ANSWERED = "match.slot-answered"
CHECKIN_SUBMITTED = "checkin.submitted"
CHECKIN_RECORDED = "checkin.recorded"
CHECKIN_SCHEDULE_SET = "checkin.schedule-set"
CHECKIN_REMINDER_DUE = "checkin.reminder-due"
CHECKIN_MISSED = "checkin.missed"

ALL = (
    PROFILE_SUBMITTED,
    SUPPORT_REQUESTED,
    SLOT_REQUESTED,
    SLOT_ANSWERED,
    MATCH_PROPOSED,
    CHECKIN_SUBMITTED,
    CHECKIN_RECORDED,
    CHECKIN_SCHEDULE_SET,
    CHECKIN_REMINDER_DUE,
    CHECKIN_MISSED,
)

# Published for readers outside Kindred's own services (analytics, a partner's systems): no
# Kindred service consumes them. Every other topic has a consumer among the services.
# Reminders and missed check-ins stay here until notifications consumes them.
OUTWARD = frozenset({CHECKIN_RECORDED, CHECKIN_REMINDER_DUE, CHECKIN_MISSED})

DEAD_LETTER_SUFFIX = ".dlt"


def topic_name(namespace: str, base: str) -> str:
    return f"{namespace}.{base}"


def dead_letter_topic(topic: str) -> str:
    return topic + DEAD_LETTER_SUFFIX
