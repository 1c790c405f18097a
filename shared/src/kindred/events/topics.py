"""The topic catalogue: base names, prefixed at run time with the deployment's namespace.

One event type per topic. Each topic has a dead-letter twin, `<topic>.dlt`.
"""

from __future__ import annotations

PROFILE_SUBMITTED = "member.profile-submitted"
SUPPORT_REQUESTED = "support.requested"
MATCH_PROPOSED = "match.proposed"
MATCH_ACCEPTED = "match.accepted"
MATCH_DECLINED = "match.declined"
MATCH_EXPIRED = "match.expired"
MATCH_ENDED = "match.ended"
MATCH_ACTION_REQUESTED = "match.action-requested"
SUPPORT_REQUEST_REFUSED = "support.request-refused"
SUPPORT_REQUEST_WAITING = "support.request-waiting"
SUPPORTER_ROLE_SET = "supporter.role-set"
MEMBER_BLOCKED = "member.blocked"
GROUP_ACTION_REQUESTED = "group.action-requested"
GROUP_MEMBERSHIP_CHANGED = "group.membership-changed"
# Inside matching: what the members' partitions hand to the partition of the pool they are in.
POOL_INPUT = "matching.pool-input"
CHECKIN_SUBMITTED = "checkin.submitted"
CHECKIN_RECORDED = "checkin.recorded"
CHECKIN_SCHEDULE_SET = "checkin.schedule-set"
CHECKIN_REMINDER_DUE = "checkin.reminder-due"
CHECKIN_MISSED = "checkin.missed"
CHECKIN_TREND_WORSENED = "checkin.trend-worsened"
SAFETY_ALERT_RAISED = "safety.alert-raised"
SAFETY_EPISODE_OPENED = "safety.episode-opened"
SAFETY_EPISODE_CLOSE_REQUESTED = "safety.episode-close-requested"
SAFETY_EPISODE_CLOSED = "safety.episode-closed"
SAFETY_REVIEW_REQUESTED = "safety.review-requested"
SAFETY_EPISODE_CLOSE_REFUSED = "safety.episode-close-refused"
MEMBER_NOTIFICATION_PREFERENCES_SET = "member.notification-preferences-set"
SAFETY_ALERT_ESCALATED = "safety.alert-escalated"
SAFETY_ALERT_ACK_REQUESTED = "safety.alert-ack-requested"
SAFETY_ALERT_ACKNOWLEDGED = "safety.alert-acknowledged"
NOTIFICATION_DELIVERY_ATTEMPTED = "notification.delivery-attempted"
NOTIFICATION_REQUESTED = "notification.requested"
INBOX_ENTRY_READ = "notification.inbox-entry-read"
REPORT_FILED = "report.filed"
MEMBER_MODERATED = "member.moderated"
SUPPORTER_PAUSE_SET = "supporter.pause-set"
CASE_ACTION_REQUESTED = "case.action-requested"
STAFF_AUDIT_RECORDED = "staff.audit-recorded"
# Inside casework: match steps handed to the partition of the member they concern.
CASEWORK_INPUT = "casework.input"

ALL = (
    PROFILE_SUBMITTED,
    SUPPORT_REQUESTED,
    MATCH_PROPOSED,
    MATCH_ACCEPTED,
    MATCH_DECLINED,
    MATCH_EXPIRED,
    MATCH_ENDED,
    MATCH_ACTION_REQUESTED,
    SUPPORT_REQUEST_REFUSED,
    SUPPORT_REQUEST_WAITING,
    SUPPORTER_ROLE_SET,
    MEMBER_BLOCKED,
    GROUP_ACTION_REQUESTED,
    GROUP_MEMBERSHIP_CHANGED,
    POOL_INPUT,
    CHECKIN_SUBMITTED,
    CHECKIN_RECORDED,
    CHECKIN_SCHEDULE_SET,
    CHECKIN_REMINDER_DUE,
    CHECKIN_MISSED,
    CHECKIN_TREND_WORSENED,
    SAFETY_ALERT_RAISED,
    SAFETY_EPISODE_OPENED,
    SAFETY_EPISODE_CLOSE_REQUESTED,
    SAFETY_EPISODE_CLOSED,
    SAFETY_REVIEW_REQUESTED,
    SAFETY_EPISODE_CLOSE_REFUSED,
    MEMBER_NOTIFICATION_PREFERENCES_SET,
    SAFETY_ALERT_ESCALATED,
    SAFETY_ALERT_ACK_REQUESTED,
    SAFETY_ALERT_ACKNOWLEDGED,
    NOTIFICATION_DELIVERY_ATTEMPTED,
    NOTIFICATION_REQUESTED,
    INBOX_ENTRY_READ,
    REPORT_FILED,
    MEMBER_MODERATED,
    SUPPORTER_PAUSE_SET,
    CASE_ACTION_REQUESTED,
    STAFF_AUDIT_RECORDED,
    CASEWORK_INPUT,
)

# Published for readers outside Kindred's own services (analytics, a partner's systems): no
# Kindred service consumes them. Every other topic has a consumer among the services (casework
# reads check-ins' records, trends and missed check-ins, escalations and acknowledgements, and
# every match step, for the staff workspace). A refused request and group changes are for the
# members' apps and for analytics of match quality.
OUTWARD = frozenset(
    {
        SUPPORT_REQUEST_REFUSED,
        GROUP_MEMBERSHIP_CHANGED,
    }
)

DEAD_LETTER_SUFFIX = ".dlt"


def topic_name(namespace: str, base: str) -> str:
    return f"{namespace}.{base}"


def dead_letter_topic(topic: str) -> str:
    return topic + DEAD_LETTER_SUFFIX
