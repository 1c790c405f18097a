"""A moderator's action on a member, through the notifications processor without I/O: a
warning, a suspension or a restore is one inbox entry for the member (a message kind per
action, in their locale, by their `account` preferences), never with the moderator's note or
the report's text; hiding an item or dismissing a report tells them nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from kindred.events.casework import MemberModerated, MemberModeratedData, ModerationAction
from kindred.events.envelope import deterministic_id
from kindred.events.notifications import (
    MemberNotificationPreferencesSet,
    MemberNotificationPreferencesSetData,
    NotificationRequested,
)
from kindred.notifications.domain.escalations import Chain
from kindred.notifications.domain.templates import MODERATION_NOTICES, moderation_notice
from kindred.notifications.handlers import Notifications
from kindred.notifications.repository import INBOX
from kindred.partitions.processor import Changes
from tests.support.partitions import Partition, Sink, events, written

pytestmark = pytest.mark.unit

T0 = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
CHAIN = Chain.from_json('{"fallback": {"id": "lead", "contacts": {"inbox": "lead"}}}')
SECRET = "CANARY-moderator-note"
TOLD = [
    ModerationAction.WARN,
    ModerationAction.SUSPEND_MATCHING,
    ModerationAction.SUSPEND_SUPPORTING,
    ModerationAction.RESTORE,
]


def moderated(action: ModerationAction, member_id: str = "m1") -> MemberModerated:
    return MemberModerated.new(
        subject=member_id,
        source="t",
        data=MemberModeratedData(
            action=action,
            action_id=f"act-{action}",
            report_id="report-1",
            member_id=member_id,
            staff_id="mod-1",
            at=T0,
            note=SECRET,
        ),
    )


def partition(sent: Sink, **prefs: Any) -> Partition:
    p = Partition(Notifications(CHAIN, sent, "t"))
    if prefs:
        data = MemberNotificationPreferencesSetData(member_id="m1", **prefs)
        p.handle(T0, MemberNotificationPreferencesSet.new(subject="m1", source="t", data=data))
    return p


def told(p: Partition, event: MemberModerated) -> tuple[Changes, Changes]:
    """The batch that takes the moderation, and the one that decides the member's
    notification (in their own partition)."""
    asked = p.handle(T0, event)
    [request] = [
        NotificationRequested.model_validate_json(r.value)
        for r in asked.records
        if r.topic == "kindred.notification.requested"
    ]
    return asked, p.handle(T0, request)


def everything(*batches: Changes) -> str:
    return " ".join(
        [repr(w) for c in batches for w in c.writes]
        + [r.value.decode() for c in batches for r in c.records]
    )


@pytest.mark.parametrize("action", TOLD)
def test_each_action_that_concerns_the_member_is_one_inbox_entry_of_its_own_kind(
    action: ModerationAction,
) -> None:
    sent = Sink()
    p = partition(sent)
    event = moderated(action)
    asked, decided = told(p, event)
    [request] = events(asked, "notification.requested")
    assert request["subject"] == "m1"
    assert request["id"] == deterministic_id("notification.requested", event.id, "m1")
    assert request["data"]["category"] == "account"
    assert request["data"]["event_type"] == f"member.moderated.{action.value}"
    assert request["data"]["context"] == {}
    [entry] = written(decided, INBOX.collection)
    assert (entry["member_id"], entry["kind"]) == ("m1", f"member.moderated.{action.value}")
    assert entry["title"] and entry["body"]
    assert entry["data"] == {}
    assert SECRET not in everything(asked, decided)
    assert "report-1" not in everything(asked, decided)
    assert sent == []  # no channel beyond the inbox without consent and an address


def test_the_kinds_differ_per_action_and_speak_the_members_language() -> None:
    titles = {}
    for action in TOLD:
        _, decided = told(partition(Sink(), locale="fr"), moderated(action))
        [entry] = written(decided, INBOX.collection)
        titles[action] = entry["title"]
    assert len(set(titles.values())) == len(TOLD)
    assert titles[ModerationAction.RESTORE] == "Les restrictions de votre compte sont levées"


@pytest.mark.parametrize("action", [ModerationAction.HIDE, ModerationAction.DISMISS])
def test_hiding_or_dismissing_tells_the_member_nothing(action: ModerationAction) -> None:
    sent = Sink()
    changes = partition(sent).handle(T0, moderated(action))
    assert (changes.records, changes.writes, sent) == ([], [], [])
    assert moderation_notice(action) is None


def test_the_member_is_reached_by_their_account_preferences_and_only_once() -> None:
    sent = Sink()
    p = partition(
        sent,
        channels={"account": ["email"]},
        consents={"email": True},
        contacts={"email": "m1@x.example"},
        quiet_hours=None,
    )
    event = moderated(ModerationAction.SUSPEND_MATCHING)
    told(p, event)
    [item] = sent.take()
    assert (item.delivery.channel.value, item.address, item.template) == (
        "email",
        "m1@x.example",
        "member.moderated.suspend-matching",
    )
    assert item.context == {}
    _, again = told(p, event)  # a copy of the same action
    assert sent == []
    assert {w.doc["_id"] for w in again.writes if w.collection == INBOX.collection} == {
        deterministic_id("delivery", event.id, "m1", "inbox")
    }


def test_every_action_that_concerns_the_member_has_a_notice() -> None:
    assert set(MODERATION_NOTICES) == set(TOLD)
