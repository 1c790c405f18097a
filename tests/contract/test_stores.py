"""Every collection of every service is a store declared in its `repository.py`, and each store
says what it holds about a member (the fields erasure goes through).

A representative run of each service's processor (in memory, as the partition's owner runs it)
must write only into its declared stores, every document written must carry each of its store's
top-level member fields, and every member a document mentions anywhere (a whole value or inside
a text: an occurrence id, a path) must be in one of its member fields, so that the document is
found when that member is erased. Nothing outside a `repository.py` names a collection."""

from __future__ import annotations

import ast
import importlib
import json
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from kindred.casework.handlers import Casework
from kindred.casework.settings import CaseworkSettings
from kindred.checkins.handlers import Checkins
from kindred.checkins.settings import CheckinsSettings
from kindred.events.casework import (
    AuditAction,
    CaseAction,
    CaseKind,
    CaseworkInput,
    ModerationAction,
)
from kindred.events.envelope import new_id
from kindred.events.matching import (
    GroupActionRequested,
    GroupActionRequestedData,
    MatchAction,
    MatchActionRequested,
    MatchActionRequestedData,
    MatchEnd,
    MemberBlocked,
    MemberBlockedData,
    as_pool_input,
)
from kindred.events.notifications import (
    DeliveryOutcome,
    InboxEntryRead,
    InboxEntryReadData,
    MemberNotificationPreferencesSet,
    MemberNotificationPreferencesSetData,
    NotificationDeliveryAttempted,
    NotificationDeliveryAttemptedData,
    NotificationRequested,
    SafetyAlertAckRequested,
    SafetyAlertAckRequestedData,
)
from kindred.events.safety import SafetyEpisodeCloseRequested, SafetyEpisodeCloseRequestedData
from kindred.events.schedules import (
    CheckinReminderDue,
    CheckinReminderDueData,
    CheckinScheduleSet,
    CheckinScheduleSetData,
)
from kindred.events.vocabulary import Topic
from kindred.matching.handlers import Matching
from kindred.matching.settings import MatchingSettings
from kindred.notifications.domain.deliveries import Dispatch
from kindred.notifications.domain.escalations import Chain
from kindred.notifications.handlers import Notifications
from kindred.partitions.processor import Changes, Processor
from kindred.partitions.store import Store
from kindred.storage.mongo import Document
from kindred.storage.writes import Delete, Insert, Put
from tests.support.factories import (
    checkin_submitted,
    match_proposed,
    profile_submitted,
    role_set,
    safety_alert_raised,
    support_requested,
)
from tests.support.partitions import Partition
from tests.unit.casework import factories as casework

pytestmark = pytest.mark.contract

T0 = datetime(2026, 12, 1, 7, tzinfo=UTC)
SERVICES = ("matching", "checkins", "notifications", "casework")
ROOT = Path(__file__).resolve().parents[2]


class Run:
    """A processor's partition, with everything its batches wrote and emitted."""

    def __init__(self, processor: Processor) -> None:
        self.partition = Partition(processor)
        self.docs: list[tuple[str, Document]] = []
        self.deleted: set[str] = set()
        self.emitted: list[Any] = []

    def record(self, changes: Changes) -> Changes:
        for write in changes.writes:
            if isinstance(write, Delete):  # forgetting names only a declared store
                self.deleted.add(write.collection)
                continue
            assert isinstance(write, Insert | Put)
            self.docs.append((write.collection, write.doc))
        self.emitted += changes.records
        return changes

    def handle(self, now: datetime, *events: Any) -> Changes:
        return self.record(self.partition.handle(now, *events))

    def tick(self, now: datetime) -> Changes:
        return self.record(self.partition.tick(now))


def matching_run() -> tuple[Run, set[str]]:
    settings = MatchingSettings(
        kindred_dev_mode=True, match_batch_seconds=0.001, matching_pool_key="region"
    )
    run = Run(Matching(settings))
    run.handle(T0, profile_submitted("seek-3", roles=["seeker"], capacity=0))  # placed
    run.handle(T0, role_set("seek-4"))  # held until a profile places them

    def pool(*events: Any, at: datetime = T0) -> Changes:
        return run.handle(at, *(as_pool_input(e, "main", "tests") for e in events))

    batch = pool(
        profile_submitted("sup-1", capacity=2),
        role_set("sup-1"),
        profile_submitted("seek-1", roles=["seeker"], capacity=0),
        profile_submitted("seek-2", roles=["seeker"], capacity=0),
        support_requested("seek-1", request_id="r1"),
    )  # a quiet pool proposes at once
    [proposal] = [r for r in batch.records if r.topic.endswith("match.proposed")]
    match_id = _data(proposal)["match_id"]
    accept = MatchActionRequestedData(match_id=match_id, member_id="sup-1", action="accept")
    end = MatchActionRequestedData(
        match_id=match_id,
        member_id="seek-1",
        action=MatchAction.END,
        end=MatchEnd(reason="done", rating=5, report=True),
    )
    join = GroupActionRequestedData(
        member_id="seek-2", action="join", topic=Topic.GRIEF, language="en"
    )
    joins = [join, join.model_copy(update={"member_id": "sup-1"})]
    block = MemberBlockedData(member_id="seek-2", blocked_id="sup-1")  # sup-1 leaves the group
    steps: list[Any] = [
        MatchActionRequested.new(subject="sup-1", source="t", data=accept),
        MatchActionRequested.new(subject="seek-1", source="t", data=end),
        *(GroupActionRequested.new(subject=j.member_id, source="t", data=j) for j in joins),
        MemberBlocked.new(subject="seek-2", source="t", data=block),
    ]
    pool(*(e.model_copy(update={"time": T0}) for e in steps))  # sent before the deadline
    return run, {"sup-1", "seek-1", "seek-2", "seek-3", "seek-4"}


def checkins_run() -> tuple[Run, set[str]]:
    run = Run(Checkins(CheckinsSettings(kindred_dev_mode=True), clock=lambda: T0))
    schedule = CheckinScheduleSetData(member_id="m1", time_zone="Europe/Paris", local_time="09:00")
    run.handle(T0, CheckinScheduleSet.new(subject="m1", source="t", data=schedule))
    run.tick(T0 + timedelta(hours=1))  # the reminder
    run.handle(
        T0 + timedelta(hours=1),
        checkin_submitted("m1", mood=None, note="", phq9=[1, 1, 1, 1, 1, 1, 1, 1, 2]),
        checkin_submitted("m2", mood=7),
    )
    refused = SafetyEpisodeCloseRequestedData(
        member_id="m1", staff_id="staff-1", reason="spoke", episode_id="e0", last_alert_id="a0"
    )
    run.handle(T0, SafetyEpisodeCloseRequested.new(subject="m1", source="t", data=refused))
    close = SafetyEpisodeCloseRequestedData(member_id="m1", staff_id="staff-1", reason="spoke")
    run.handle(T0, SafetyEpisodeCloseRequested.new(subject="m1", source="t", data=close))
    run.handle(T0, profile_submitted("m3", country="GB"))  # a member known by a profile only
    return run, {"m1", "m2", "m3"}


def notifications_run() -> tuple[Run, set[str]]:
    # Members named so that no random id or signed page link holds one by chance.
    sent: list[Dispatch] = []
    chain = Chain.from_json(
        '{"levels": [{"id": "on-call-1", "contacts": {"email": "a@x.example", "inbox": "s1"}}],'
        ' "fallback": {"id": "lead", "contacts": {"inbox": "lead"}}}'
    )
    run = Run(Notifications(chain, sent.extend, "t"))
    prefs = MemberNotificationPreferencesSetData(
        member_id="mbr-one",
        channels={"matching": ["email"], "digest": ["email"]},
        consents={"email": True},
        contacts={"email": "mbr-one@x.example"},
        quiet_hours={"start": "07:30", "end": "09:00"},
    )
    run.handle(T0, MemberNotificationPreferencesSet.new(subject="mbr-one", source="t", data=prefs))
    reminder = CheckinReminderDueData(
        member_id="mbr-one",
        occurrence_id="mbr-one:2026-12-01",
        local_date=date(2026, 12, 1),
        local_time="08:00",
        time_zone="Europe/Paris",
        due_at=T0,
        window_ends_at=T0 + timedelta(hours=2),
    )
    asked = [
        *run.handle(T0, match_proposed("mbr-one", "mbr-two")).records,
        *run.handle(
            T0, CheckinReminderDue.new(subject="mbr-one", source="t", data=reminder)
        ).records,
    ]
    for record in asked:
        run.handle(T0, NotificationRequested.model_validate_json(record.value))
    run.tick(T0 + timedelta(hours=2))  # the digest after quiet hours
    for dispatch in sent:
        report = NotificationDeliveryAttemptedData(
            delivery_id=dispatch.key,
            source_event_id=dispatch.delivery.source_event_id,
            recipient=dispatch.delivery.recipient,
            channel=dispatch.delivery.channel,
            category=dispatch.delivery.category,
            attempt=1,
            outcome=DeliveryOutcome.FAILED,
            error_kind="permanent: smtp 550",
            at=T0,
        )
        run.handle(
            T0, NotificationDeliveryAttempted.new(subject="mbr-one", source="t", data=report)
        )
    alert = safety_alert_raised("mbr-three")
    run.handle(T0, alert)
    ack = SafetyAlertAckRequestedData(
        alert_id=alert.data.alert_id, member_id="mbr-three", staff_id="on-call-1"
    )
    run.handle(T0, SafetyAlertAckRequested.new(subject="mbr-three", source="t", data=ack))
    # Acknowledged an hour ago: forgotten, its summary kept (`alerts`).
    run.tick(T0 + timedelta(hours=2))
    # An acknowledgement before its alert is kept for it (`early_acks`).
    early = SafetyAlertAckRequestedData(
        alert_id=new_id(), member_id="mbr-four", staff_id="on-call-1"
    )
    run.handle(T0, SafetyAlertAckRequested.new(subject="mbr-four", source="t", data=early))
    read = InboxEntryReadData(member_id="mbr-one", entry_id=new_id(), read_at=T0)
    run.handle(T0, InboxEntryRead.new(subject="mbr-one", source="t", data=read))
    return run, {"mbr-one", "mbr-two", "mbr-three", "mbr-four"}


def casework_run() -> tuple[Run, set[str]]:
    run = Run(Casework(CaseworkSettings(kindred_dev_mode=True)))
    alert = casework.alert_raised("mbr-ann")
    report = casework.report_filed("mbr-bo", "mbr-ann")
    match = casework.proposed("mbr-di", "mbr-cy")
    handed = run.handle(
        T0,
        alert,
        casework.escalated(alert),
        casework.review_requested("mbr-ann"),
        report,
        role_set("mbr-cy"),
        match,
        casework.ended(match, "mbr-di", reported=True),
    )
    run.handle(T0, *(CaseworkInput.model_validate_json(r.value) for r in handed.records))
    review = casework.moderated(
        "mbr-ann", ModerationAction.WARN, staff_id="mod-q", report_id=report.data.report_id
    )
    claim = casework.case_action(
        CaseKind.ALERT, alert.data.alert_id, "mbr-ann", "stf-x", CaseAction.CLAIM
    )
    audit = casework.audit_recorded("stf-x", "mbr-ann", AuditAction.VIEW_ALERT)
    run.handle(T0, review, claim, audit, casework.missed("mbr-ann", 1))
    return run, {"mbr-ann", "mbr-bo", "mbr-cy", "mbr-di"}


RUNS = {
    "matching": matching_run,
    "checkins": checkins_run,
    "notifications": notifications_run,
    "casework": casework_run,
}


def _data(record: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(record.value)["data"]
    return data


def held(doc: Any, path: str) -> list[str]:
    """The member ids at a member field's (dotted) path: none, one, or a list of them."""
    head, _, rest = path.partition(".")
    value = doc.get(head) if isinstance(doc, dict) else None
    if rest:
        return held(value, rest)
    found = value if isinstance(value, list) else [] if value is None else [value]
    assert all(isinstance(v, str) and v for v in found), f"{path}: {value!r}"
    return found


def texts(value: Any) -> Iterable[str]:
    """Every string in a document, however deep."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from texts(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from texts(item)


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_writes_only_its_declared_stores_and_each_holds_its_member_fields(
    service: str,
) -> None:
    repository = importlib.import_module(f"kindred.{service}.repository")
    stores: tuple[Store[Any], ...] = repository.STORES
    run, members = RUNS[service]()
    assert tuple(run.partition.processor.stores) == stores
    by_name = {s.collection: s for s in stores}
    written = {collection for collection, _ in run.docs}
    assert written <= set(by_name), f"undeclared: {written - set(by_name)}"
    assert run.deleted <= set(by_name), f"undeclared: {run.deleted - set(by_name)}"
    assert written == set(by_name), f"the run left out {set(by_name) - written}"
    seen: set[str] = set()
    for collection, doc in run.docs:
        store = by_name[collection]
        assert doc["partition"] == run.partition.number
        declared: set[str] = set()
        for field in store.member_fields:
            if "." not in field:
                assert field in doc, f"{collection}: {field} missing in {sorted(doc)}"
            declared.update(held(doc, field))
        mentioned = {m for text in texts(doc) for m in members if m in text}
        assert mentioned <= declared, f"{collection}: {mentioned - declared} not in a member field"
        seen |= declared
    assert members <= seen


def _names_a_collection(tree: ast.AST) -> Iterable[str]:
    """Where a module reaches a collection itself: `db[...]` on a database object, or
    `get_collection(...)`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name | ast.Attribute):
            name = node.value.id if isinstance(node.value, ast.Name) else node.value.attr
            if name in ("db", "database", "mongo", "client"):
                yield ast.unparse(node)
        elif isinstance(node, ast.Attribute) and node.attr == "get_collection":
            yield ast.unparse(node)


@pytest.mark.parametrize("service", SERVICES)
def test_nothing_but_the_repository_names_a_collection(service: str) -> None:
    package = ROOT / "services" / service / "src" / "kindred" / service
    for path in sorted(package.rglob("*.py")):
        if path.name == "repository.py":
            continue
        found = list(_names_a_collection(ast.parse(path.read_text())))
        assert not found, f"{path.relative_to(ROOT)} names a collection: {found}"
