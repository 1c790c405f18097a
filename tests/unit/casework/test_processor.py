"""Casework's processor over one partition in memory: each event's item, alert step or roster
step as stored; the rules of staff steps (refused, logged and counted, never raised); a second
delivery of anything changes nothing; a new owner rebuilt from the stored documents goes on
where the last one stopped; match steps handed to the members' partitions."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from kindred.casework import metrics
from kindred.casework.domain import actions, items, views
from kindred.casework.handlers import Casework
from kindred.casework.repository import (
    ALERTS,
    AUDIT,
    ITEMS,
    MEMBERS,
    QUEUE,
    SUPPORTERS,
    alert_from,
    item_from,
    queue_from,
    supporter_from,
)
from kindred.casework.settings import CaseworkSettings
from kindred.events.casework import (
    AuditAction,
    CaseAction,
    CaseKind,
    CaseworkInput,
    ModerationAction,
    Outcome,
    ReportReason,
)
from kindred.events.matching import WaitStage
from kindred.events.safety import SafetyAlertRaised
from kindred.safety.rules import Priority, Severity
from kindred.staff_views import ItemKind, ItemPriority, ItemStatus, Queue
from tests.support.factories import role_set
from tests.support.partitions import Partition, events
from tests.unit.casework import factories as f
from tests.unit.casework.factories import T0

pytestmark = pytest.mark.unit


def partition(**settings: Any) -> Partition:
    return Partition(Casework(CaseworkSettings(kindred_dev_mode=True, **settings)))


def items_of(part: Partition, kind: ItemKind | None = None) -> list[Any]:
    found = [item_from(d) for d in part.docs(ITEMS.collection)]
    return [i for i in found if kind is None or i.kind is kind]


def alert_of(part: Partition, alert: SafetyAlertRaised) -> Any:
    return alert_from(part.stored[ALERTS.collection][alert.data.alert_id])


def refusals(reason: str) -> float:
    value = metrics.casework_refusals.labels(reason=reason)._value.get()
    assert isinstance(value, float)
    return value


# ----------------------------------------------------------------------------- items


def test_a_review_request_opens_a_safety_item_with_its_priority_once() -> None:
    part = partition()
    review = f.review_requested("mbr-a", Priority.HIGH)
    part.handle(T0, review)
    part.handle(T0, review)  # a second delivery
    [item] = items_of(part)
    assert (item.kind, item.queue, item.priority) == (
        ItemKind.SAFETY_REVIEW,
        Queue.SAFETY,
        ItemPriority.HIGH,
    )
    assert item.detail["concerns"] == ["third_party"]
    assert item.status is ItemStatus.OPEN


def test_checkins_open_who5_and_phq9_items_and_severities_are_configurable() -> None:
    part = partition()
    part.handle(T0, f.recorded("mbr-a", who5_raw=8, phq9_total=22))
    kinds = {i.kind: i for i in items_of(part)}
    assert set(kinds) == {ItemKind.WHO5_FOLLOWUP, ItemKind.PHQ9_SEVERE}
    assert kinds[ItemKind.WHO5_FOLLOWUP].priority is ItemPriority.NORMAL
    assert kinds[ItemKind.PHQ9_SEVERE].priority is ItemPriority.HIGH
    part.handle(T0, f.recorded("mbr-b", phq9_total=17))  # moderately severe: not by default
    assert {i.member_id for i in items_of(part)} == {"mbr-a"}

    wider = partition(phq9_review_severities="moderately_severe,severe")
    wider.handle(T0, f.recorded("mbr-b", phq9_total=17))
    assert [i.kind for i in items_of(wider)] == [ItemKind.PHQ9_SEVERE]
    with pytest.raises(ValueError, match="gravely"):
        CaseworkSettings(kindred_dev_mode=True, phq9_review_severities="severe,gravely")


def test_a_worsening_trend_opens_a_normal_item() -> None:
    part = partition()
    part.handle(T0, f.trend_worsened("mbr-a"))
    [item] = items_of(part)
    assert (item.kind, item.priority) == (ItemKind.TREND_WORSENED, ItemPriority.NORMAL)
    assert item.detail["measure"] == "mood"


def test_one_item_per_streak_of_missed_checkins_and_a_checkin_resets_the_streak() -> None:
    part = partition()
    part.handle(T0, f.missed("mbr-a", 1), f.missed("mbr-a", 2))
    assert items_of(part) == []
    third = f.missed("mbr-a", 3)
    part.handle(T0, third, third)  # the third, twice: still one item
    [item] = items_of(part, ItemKind.MISSED_CHECKINS)
    assert item.detail["streak"] == 3
    part.handle(T0, f.missed("mbr-a", 4))  # the same streak goes on: no second item
    assert len(items_of(part, ItemKind.MISSED_CHECKINS)) == 1
    checkin = f.recorded("mbr-a")
    part.handle(T0, checkin)
    part.handle(T0, f.missed("mbr-a", 5), f.missed("mbr-a", 6), checkin)  # a duplicate check-in
    part.handle(T0, f.missed("mbr-a", 7))
    assert len(items_of(part, ItemKind.MISSED_CHECKINS)) == 2

    shorter = partition(missed_checkins_streak=1)
    shorter.handle(T0, f.missed("mbr-b", 1))
    assert len(items_of(shorter, ItemKind.MISSED_CHECKINS)) == 1


@pytest.mark.parametrize(
    ("reason", "priority"),
    [
        (ReportReason.SAFETY_CONCERN, ItemPriority.HIGH),
        (ReportReason.HARASSMENT, ItemPriority.HIGH),
        (ReportReason.HATE, ItemPriority.HIGH),
        (ReportReason.SEXUAL_CONTENT, ItemPriority.HIGH),
        (ReportReason.SPAM, ItemPriority.NORMAL),
        (ReportReason.OTHER, ItemPriority.NORMAL),
    ],
)
def test_a_report_is_a_moderation_item_with_the_priority_of_its_reason(
    reason: ReportReason, priority: ItemPriority
) -> None:
    part = partition()
    part.handle(T0, f.report_filed("mbr-r", "mbr-x", reason))
    [item] = [i for i in items_of(part) if i.queue is Queue.MODERATION]
    assert (item.queue, item.kind, item.priority) == (
        Queue.MODERATION,
        ItemKind.MEMBER_REPORTED,
        priority,
    )
    assert item.member_id == "mbr-x"
    assert item.report.reporter_id == "mbr-r" and item.report.status == "open"


def test_a_report_fearing_for_the_member_also_reaches_safety_staff_and_outlives_moderation() -> (
    None
):
    part = partition()
    report = f.report_filed("mbr-r", "mbr-x", ReportReason.SAFETY_CONCERN)
    part.handle(T0, report, report)
    moderation, safety = sorted(items_of(part), key=lambda i: str(i.queue))
    assert (moderation.queue, moderation.kind) == (Queue.MODERATION, ItemKind.MEMBER_REPORTED)
    assert (safety.queue, safety.kind, safety.priority) == (
        Queue.SAFETY,
        ItemKind.SAFETY_REVIEW,
        ItemPriority.HIGH,
    )
    assert safety.member_id == "mbr-x" and safety.report is not None  # the reporter's words
    assert safety.detail["report_id"] == report.data.report_id
    # A moderator dismissing the report settles their item, not the safety staff's.
    part.handle(
        T0,
        f.moderated("mbr-x", ModerationAction.DISMISS, report_id=report.data.report_id),
    )
    still = [i for i in items_of(part) if i.queue is Queue.SAFETY]
    assert [i.status for i in still] == [ItemStatus.OPEN]
    # Any other reason is the moderators' alone.
    other = partition()
    other.handle(T0, f.report_filed("mbr-r", "mbr-x", ReportReason.HARASSMENT))
    assert [i.queue for i in items_of(other)] == [Queue.MODERATION]


def test_a_moderation_naming_the_report_settles_it_and_sets_the_members_standing() -> None:
    part = partition()
    report = f.report_filed("mbr-r", "mbr-x")
    part.handle(T0, report, role_set("mbr-x"))
    step = f.moderated(
        "mbr-x", ModerationAction.SUSPEND_SUPPORTING, report_id=report.data.report_id
    )
    part.handle(T0, step, step)
    [item] = items_of(part)
    assert item.report.status == "actioned"
    assert [m.action for m in item.report.actions] == [ModerationAction.SUSPEND_SUPPORTING]
    assert item.status is ItemStatus.RESOLVED and item.resolved_by == "mod-1"
    supporter = supporter_from(part.stored[SUPPORTERS.collection]["mbr-x"])
    assert supporter.suspended_supporting and not supporter.suspended_matching
    assert [s.what for s in supporter.standing] == ["granted", "suspended-supporting"]
    part.handle(T0, f.moderated("mbr-x", ModerationAction.RESTORE))
    supporter = supporter_from(part.stored[SUPPORTERS.collection]["mbr-x"])
    assert not supporter.suspended_supporting

    dismissed = f.report_filed("mbr-r", "mbr-y", ReportReason.SPAM)
    part.handle(T0, dismissed)
    part.handle(
        T0, f.moderated("mbr-y", ModerationAction.DISMISS, report_id=dismissed.data.report_id)
    )
    [other] = [i for i in items_of(part) if i.member_id == "mbr-y"]
    assert other.report.status == "dismissed" and other.outcome == "no-action"


def test_a_suspension_before_the_role_shows_on_the_roster_entry() -> None:
    part = partition()
    part.handle(T0, f.moderated("mbr-s", ModerationAction.SUSPEND_MATCHING), role_set("mbr-s"))
    entry = views.roster_entry(supporter_from(part.stored[SUPPORTERS.collection]["mbr-s"]))
    assert entry.suspended_matching and entry.granted


# ----------------------------------------------------------------------------- alerts


def test_an_alert_joins_its_pages_acknowledgement_and_episode() -> None:
    part = partition()
    alert = f.alert_raised("mbr-a")
    first, second = f.escalated(alert, 0), f.escalated(alert, 1, paged="oncall-2")
    # The second page arrives before the alert (another topic): kept for it.
    part.handle(T0, second, alert, f.episode_opened(alert), first, first)
    case = views.alert_case(alert_of(part, alert))
    assert [p.level for p in case.pages] == [0, 1]
    assert case.ack_deadline == second.data.ack_deadline
    assert case.acknowledged_at is None and case.episode_open
    ack = f.acknowledged(alert, "oncall-2", T0 + timedelta(minutes=7))
    part.handle(T0, ack, ack)
    refused = f.close_refused(alert, "oncall-2", T0 + timedelta(minutes=20))
    part.handle(T0, refused, f.episode_closed(alert, "oncall-2", T0 + timedelta(minutes=30)))
    case = views.alert_case(alert_of(part, alert))
    assert (case.acknowledged_by, case.episode_open, case.episode_closed_by) == (
        "oncall-2",
        False,
        "oncall-2",
    )
    whats = [h.what for h in case.history]
    assert whats[0] == "raised: urgent"
    assert "acknowledged" in whats and "close refused: newer-alert" in whats
    assert whats.count("acknowledged") == 1


def test_an_alert_of_an_episode_already_closed_is_closed() -> None:
    part = partition()
    alert = f.alert_raised("mbr-a")
    part.handle(T0, f.episode_closed(alert, "oncall-1", T0), alert)
    assert not alert_of(part, alert).episode_open


def test_a_page_without_its_alert_is_not_served() -> None:
    part = partition()
    alert = f.alert_raised("mbr-a")
    part.handle(T0, f.escalated(alert))
    stored = alert_of(part, alert)
    assert not stored.known
    assert part.docs(QUEUE.collection) == []  # no line in the queue until the alert arrives


# ----------------------------------------------------------------------------- staff steps


def step(case: Any, staff: str, action: CaseAction, **kw: Any) -> Any:
    kind = CaseKind.ITEM if hasattr(case, "item_id") else CaseKind.ALERT
    case_id = case.item_id if kind is CaseKind.ITEM else case.alert_id
    return f.case_action(kind, case_id, case.member_id, staff, action, **kw)


def test_claim_release_note_and_resolve_an_item_by_the_rules() -> None:
    part = partition()
    part.handle(T0, f.review_requested("mbr-a"))
    [item] = items_of(part)
    before = {r: refusals(r) for r in ("claimed-by-other", "own-case", "resolved")}

    part.handle(T0, step(item, "stf-1", CaseAction.CLAIM))
    [item] = items_of(part)
    assert (item.status, item.owner) == (ItemStatus.CLAIMED, "stf-1")
    part.handle(T0, step(item, "stf-2", CaseAction.CLAIM))  # claimed by another: refused
    part.handle(T0, step(item, "mbr-a", CaseAction.NOTE, note="about me"))  # their own case
    part.handle(T0, step(item, "stf-2", CaseAction.NOTE, note="called twice, no answer"))
    [item] = items_of(part)
    assert (item.status, item.owner) == (ItemStatus.CLAIMED, "stf-1")
    assert [n.staff_id for n in item.notes] == ["stf-2"]

    part.handle(T0, step(item, "stf-1", CaseAction.RELEASE))
    part.handle(T0, step(item, "stf-2", CaseAction.RESOLVE, outcome=Outcome.CONTACTED))
    [item] = items_of(part)
    assert (item.status, item.outcome, item.resolved_by) == (
        ItemStatus.RESOLVED,
        "contacted",
        "stf-2",
    )
    part.handle(T0, step(item, "stf-1", CaseAction.CLAIM))  # resolved: notes only
    part.handle(T0, step(item, "stf-1", CaseAction.NOTE, note="followed up a week later"))
    [item] = items_of(part)
    assert item.owner is None and len(item.notes) == 2
    after = {r: refusals(r) for r in before}
    assert {r: after[r] - before[r] for r in before} == {
        "claimed-by-other": 1,
        "own-case": 1,
        "resolved": 1,
    }


def test_a_step_twice_is_applied_once_and_an_unknown_case_is_refused() -> None:
    part = partition()
    part.handle(T0, f.review_requested("mbr-a"))
    [item] = items_of(part)
    note = step(item, "stf-1", CaseAction.NOTE, note="once")
    part.handle(T0, note, note)
    [item] = items_of(part)
    assert len(item.notes) == 1
    before = refusals("unknown-case")
    part.handle(T0, f.case_action(CaseKind.ITEM, "nope", "mbr-a", "stf-1", CaseAction.CLAIM))
    # A step naming another member than the case's finds no case.
    part.handle(T0, f.case_action(CaseKind.ITEM, item.item_id, "mbr-b", "stf-1", CaseAction.CLAIM))
    assert refusals("unknown-case") - before == 2


def test_alerts_take_claims_and_notes_never_a_resolve() -> None:
    part = partition()
    alert = f.alert_raised("mbr-a")
    part.handle(T0, alert)
    case = alert_of(part, alert)
    before = refusals("not-an-item")
    part.handle(
        T0,
        step(case, "stf-1", CaseAction.CLAIM),
        step(case, "stf-1", CaseAction.NOTE, note="calling now"),
        step(case, "stf-1", CaseAction.RESOLVE, outcome=Outcome.CONTACTED),
    )
    case = alert_of(part, alert)
    assert case.owner == "stf-1" and [n.note for n in case.notes] == ["calling now"]
    assert refusals("not-an-item") - before == 1


# ----------------------------------------------------------------------------- long waits


def test_an_overdue_request_opens_one_normal_safety_item_the_notice_none() -> None:
    part = partition()
    part.handle(T0, f.request_waiting("mbr-a", "req-1", WaitStage.NOTICE))
    assert items_of(part) == []  # the member is told; staff are not yet
    overdue = f.request_waiting("mbr-a", "req-1")
    part.handle(T0, overdue)
    again = part.handle(T0, overdue, f.request_waiting("mbr-a", "req-1"))  # copies
    assert again.writes == []
    [item] = items_of(part)
    assert item.item_id == items.item_id(ItemKind.REQUEST_OVERDUE, "req-1")
    assert (item.kind, item.queue, item.priority, item.member_id) == (
        ItemKind.REQUEST_OVERDUE,
        Queue.SAFETY,
        ItemPriority.NORMAL,
        "mbr-a",
    )
    assert item.detail == {
        "request_id": "req-1",
        "reason": "no-capacity",
        "waited_hours": 73.0,
        "ahead": 4,
        "language": "en",
        "topics": ["grief"],
    }
    [line] = [queue_from(d) for d in part.docs(QUEUE.collection)]
    assert (line.entry.what, line.entry.queue) == ("request-overdue", Queue.SAFETY)


def test_an_accepted_match_for_the_request_settles_its_overdue_item() -> None:
    part = partition()
    part.handle(T0, f.request_waiting("mbr-a", "req-1"), f.request_waiting("mbr-a", "req-2"))
    other = f.proposed("mbr-a", "mbr-sup", request_id="req-2")
    match = f.proposed("mbr-a", "mbr-sup", request_id="req-1")
    # A proposal does not settle it (it may be declined or expire); an acceptance does.
    acceptance = f.accepted(match)
    steps = part.handle(T0, match, acceptance, other)
    handed = [CaseworkInput.model_validate(e) for e in events(steps, CaseworkInput.TOPIC)]
    part.handle(T0 + timedelta(hours=1), *handed)
    part.handle(T0 + timedelta(hours=2), *handed)  # a second delivery changes nothing
    settled = {i.detail["request_id"]: i for i in items_of(part)}
    assert settled["req-2"].status is ItemStatus.OPEN
    done = settled["req-1"]
    assert (done.status, done.outcome, done.resolved_at) == (
        ItemStatus.RESOLVED,
        None,
        acceptance.time,
    )
    assert [s.what for s in done.history] == ["opened: request-overdue", "matched"]
    assert [queue_from(d).entry.id for d in part.docs(QUEUE.collection)] == [
        settled["req-2"].item_id
    ]


# ----------------------------------------------------------------------------- roster


def test_match_steps_are_handed_to_the_supporter_and_the_reported_member() -> None:
    part = partition()
    match = f.proposed("mbr-seek", "mbr-sup")
    batch = part.handle(T0, match, f.accepted(match), f.ended(match, "mbr-seek", reported=True))
    inputs = events(batch, CaseworkInput.TOPIC)
    # Each step to the supporter; the acceptance to the seeker too (a long wait's item).
    assert [e["subject"] for e in inputs] == [
        "mbr-sup",
        "mbr-sup",
        "mbr-seek",
        "mbr-sup",
        "mbr-sup",
    ]
    [end] = [e for e in inputs if e["data"]["input"]["kind"] == "reported-at-end"]
    assert end["data"]["input"]["reporter_id"] == "mbr-seek"
    again = part.handle(T0, match)
    assert events(again, CaseworkInput.TOPIC)[0]["id"] == inputs[0]["id"]  # the same id

    # The inputs, on the partition that owns those members (here the same one).
    handed = [CaseworkInput.model_validate(e) for e in inputs]
    part.handle(T0, role_set("mbr-sup"), *handed)
    entry = views.roster_entry(supporter_from(part.stored[SUPPORTERS.collection]["mbr-sup"]))
    assert (entry.granted, entry.active_matches, entry.pending_proposals) == (True, 0, 0)
    assert [(m.match_id, m.step) for m in entry.recent_matches] == [(match.data.match_id, "ended")]
    [report] = items_of(part, ItemKind.MEMBER_REPORTED)
    assert report.member_id == "mbr-sup"
    assert (report.report.reason, report.report.context) == ("other", "match")


def test_roster_counts_live_matches_keeps_the_last_ten_and_a_late_step_never_goes_back() -> None:
    part = partition()
    live = f.proposed("mbr-s0", "mbr-sup")
    pending = f.proposed("mbr-s1", "mbr-sup")
    steps = [live, f.accepted(live), pending]
    for n in range(12):
        over = f.proposed(f"mbr-o{n}", "mbr-sup")
        steps += [over, f.ended(over, "mbr-sup")]
    inputs = [
        CaseworkInput.model_validate(e)
        for e in events(part.handle(T0, *steps), CaseworkInput.TOPIC)
    ]
    part.handle(T0, *inputs)
    part.handle(T0, *reversed(inputs))  # late and repeated steps change nothing
    supporter = supporter_from(part.stored[SUPPORTERS.collection]["mbr-sup"])
    entry = views.roster_entry(supporter)
    assert (entry.active_matches, entry.pending_proposals) == (1, 1)
    assert len(entry.recent_matches) == 10
    part.handle(T0, f.pause_set("mbr-sup", True), role_set("mbr-sup", granted=False))
    entry = views.roster_entry(supporter_from(part.stored[SUPPORTERS.collection]["mbr-sup"]))
    assert entry.paused and not entry.granted
    assert [(s.what, s.note) for s in entry.standing] == [("paused", "on leave"), ("withdrawn", "")]


# ----------------------------------------------------------------------------- audit, replay


def test_an_audit_record_is_inserted_once_with_no_free_text() -> None:
    part = partition()
    record = f.audit_recorded("stf-1", "mbr-a", AuditAction.VIEW_ALERT)
    part.handle(T0, record, record)
    [doc] = part.docs(AUDIT.collection)
    assert doc["_id"] == record.data.audit_id
    assert set(doc) == {
        "_id", "staff_id", "roles", "action", "purpose", "member_id", "ref", "channel", "at",
        "partition",
    }  # fmt: skip


def test_a_new_owner_goes_on_from_the_stored_documents_and_a_replay_changes_nothing() -> None:
    part = partition()
    alert = f.alert_raised("mbr-a")
    review = f.review_requested("mbr-a")
    history = [
        alert,
        f.escalated(alert),
        review,
        f.missed("mbr-a", 1),
        f.missed("mbr-a", 2),
        f.report_filed("mbr-r", "mbr-a"),
        role_set("mbr-a"),
    ]
    part.handle(T0, *history)
    stored = json.dumps(part.stored, default=str, sort_keys=True)
    successor = part.new_owner(Casework(CaseworkSettings(kindred_dev_mode=True)))
    replay = successor.handle(T0, *history)
    assert replay.writes == [] and replay.records == []
    assert json.dumps(successor.stored, default=str, sort_keys=True) == stored
    successor.handle(T0, f.missed("mbr-a", 3))  # the streak goes on where it was
    assert len(items_of(successor, ItemKind.MISSED_CHECKINS)) == 1
    assert len(successor.stored[MEMBERS.collection]["mbr-a"]["missed"]) == 3


# ----------------------------------------------------------------------------- the queue


def test_the_queue_is_by_priority_then_oldest_first_and_keeps_alerts_until_settled() -> None:
    part = partition()
    old_high = f.alert_raised("mbr-a", Severity.HIGH, at=T0)
    new_urgent = f.alert_raised("mbr-b", Severity.URGENT, at=T0 + timedelta(minutes=5))
    part.handle(
        T0,
        f.review_requested("mbr-c", Priority.NORMAL, at=T0 - timedelta(hours=1)),
        old_high,
        f.review_requested("mbr-d", Priority.HIGH, at=T0 - timedelta(minutes=1)),
        new_urgent,
        f.report_filed("mbr-r", "mbr-e", ReportReason.SPAM),
    )

    def lines() -> list[views.Queued]:
        return [queue_from(d) for d in part.docs(QUEUE.collection)]

    now = T0 + timedelta(minutes=10)
    entries = views.queue(lines(), list(Queue), now, 24, 100).entries
    assert [(e.member_id, e.priority) for e in entries] == [
        ("mbr-b", ItemPriority.URGENT),
        ("mbr-d", ItemPriority.HIGH),
        ("mbr-a", ItemPriority.HIGH),
        ("mbr-c", ItemPriority.NORMAL),
        ("mbr-e", ItemPriority.NORMAL),
    ]
    safety = views.queue(lines(), [Queue.SAFETY], now, 24, 2).entries
    assert [e.member_id for e in safety] == ["mbr-b", "mbr-d"]
    moderation = views.queue(lines(), [Queue.MODERATION], now, 24, 100).entries
    assert [e.member_id for e in moderation] == ["mbr-e"]

    # Acknowledged, episode open: stays for a day; acknowledged and closed: leaves.
    part.handle(
        T0,
        f.acknowledged(old_high, "oncall-1", now),
        f.acknowledged(new_urgent, "oncall-1", now),
        f.episode_closed(new_urgent, "oncall-1", now),
    )
    left = views.queue(lines(), [Queue.SAFETY], now + timedelta(hours=1), 24, 100).entries
    assert [(e.member_id, e.acknowledged) for e in left if e.kind == "alert"] == [("mbr-a", True)]
    later = views.queue(lines(), [Queue.SAFETY], now + timedelta(hours=25), 24, 100).entries
    assert [e for e in later if e.kind == "alert"] == []
    # The queue store keeps only what may still be shown: mbr-b's settled alert is gone from it
    # (the alert itself stays in `alerts`), mbr-a's stays while its episode is open.
    assert "mbr-b" not in {line.entry.member_id for line in lines()}
    assert {a.member_id for a in map(alert_from, part.docs(ALERTS.collection))} >= {
        "mbr-a",
        "mbr-b",
    }
    # A resolved item leaves the queue store too.
    [review] = [i for i in items_of(part) if i.member_id == "mbr-c"]
    claim = f.case_action(CaseKind.ITEM, review.item_id, "mbr-c", "st-1", CaseAction.CLAIM)
    part.handle(T0, claim)
    assert "mbr-c" in {line.entry.member_id for line in lines()}
    resolve = f.case_action(
        CaseKind.ITEM, review.item_id, "mbr-c", "st-1", CaseAction.RESOLVE, Outcome.CONTACTED
    )
    part.handle(T0, resolve)
    assert "mbr-c" not in {line.entry.member_id for line in lines()}


def test_resolving_needs_an_outcome_and_no_action_a_note() -> None:
    """The gateway's `CaseStep` refuses such a body; the domain holds the rule all the same."""
    item = items.new_item(ItemKind.SAFETY_REVIEW, "cause", "mbr-a", ItemPriority.HIGH, {}, T0)

    def request(outcome: Outcome | None, note: str = "") -> actions.Request:
        return actions.Request("act-1", CaseAction.RESOLVE, "stf-1", "mbr-a", T0, note, outcome)

    assert actions.act_on_item(item, request(None)) == actions.Refused(
        actions.Refusal.NEEDS_OUTCOME
    )
    assert actions.act_on_item(item, request(Outcome.NO_ACTION)) == actions.Refused(
        actions.Refusal.NEEDS_NOTE
    )
    done = actions.act_on_item(item, request(Outcome.NO_ACTION, "a misunderstanding"))
    assert isinstance(done, items.Item) and done.outcome == "no-action"
    assert actions.act_on_item(done, request(Outcome.CONTACTED)) is None  # the same step again
