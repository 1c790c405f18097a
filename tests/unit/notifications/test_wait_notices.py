"""A support request that waited long, through the notifications processor without I/O: the
seeker gets one inbox entry per stage saying where the request stands (how many are ahead, why),
in their locale, by their `matching` preferences and quiet hours; never its topics; nothing
while a safety episode holds the request out."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from kindred.events.envelope import deterministic_id
from kindred.events.matching import SupportRequestWaiting, SupportRequestWaitingData, WaitStage
from kindred.events.notifications import (
    Channel,
    MemberNotificationPreferencesSet,
    MemberNotificationPreferencesSetData,
    NotificationRequested,
)
from kindred.events.vocabulary import Topic, Urgency
from kindred.notifications.domain.escalations import Chain
from kindred.notifications.domain.templates import Audience, render
from kindred.notifications.handlers import Notifications
from kindred.notifications.repository import INBOX
from kindred.partitions.processor import Changes
from tests.support.partitions import Partition, Sink, events, written

pytestmark = pytest.mark.unit

T0 = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
CHAIN = Chain.from_json('{"fallback": {"id": "lead", "contacts": {"inbox": "lead"}}}')


def waiting(
    stage: WaitStage = WaitStage.NOTICE, reason: str = "no-capacity", ahead: int = 4
) -> SupportRequestWaiting:
    return SupportRequestWaiting.new(
        id=deterministic_id("support.request-waiting", "req-1", stage),
        subject="k1",
        source="t",
        data=SupportRequestWaitingData(
            request_id="req-1",
            seeker_id="k1",
            topics=[Topic.ADDICTION_RECOVERY],
            language="en",
            urgency=Urgency.NORMAL,
            stage=stage,
            reason=reason,
            waited_seconds=26 * 3600,
            ahead=ahead,
        ),
    )


def partition(sent: Sink, **prefs: Any) -> Partition:
    p = Partition(Notifications(CHAIN, sent, "t"))
    if prefs:
        data = MemberNotificationPreferencesSetData(member_id="k1", **prefs)
        p.handle(T0, MemberNotificationPreferencesSet.new(subject="k1", source="t", data=data))
    return p


def told(p: Partition, event: SupportRequestWaiting) -> tuple[Changes, Changes]:
    """The batch that takes the event, and the one that decides the seeker's notification."""
    asked = p.handle(T0, event)
    requests = [
        NotificationRequested.model_validate_json(r.value)
        for r in asked.records
        if r.topic == "kindred.notification.requested"
    ]
    return asked, p.handle(T0, *requests)


def test_the_seeker_gets_one_entry_saying_how_many_are_ahead_and_why() -> None:
    sent = Sink()
    event = waiting()
    asked, decided = told(partition(sent), event)
    [request] = events(asked, "notification.requested")
    assert request["subject"] == "k1"
    assert request["id"] == deterministic_id("notification.requested", event.id, "k1")
    assert (request["data"]["category"], request["data"]["audience"]) == ("matching", "seeker")
    assert request["data"]["event_type"] == "support.request-waiting"
    [entry] = written(decided, INBOX.collection)
    assert (entry["member_id"], entry["kind"]) == ("k1", "support.request-waiting")
    assert entry["title"] == "We are still looking for a supporter for you"
    assert "4 requests are ahead of yours" in entry["body"]
    assert "who share your experience are all with other members" in entry["body"]
    assert "addiction" not in entry["body"] + repr(entry["data"])  # never the topics
    assert "Our team" not in entry["body"]
    assert sent == []  # no channel beyond the inbox without consent and an address


def test_past_the_longest_wait_the_seeker_learns_staff_were_told_in_their_language() -> None:
    _, decided = told(partition(Sink(), locale="fr"), waiting(WaitStage.OVERDUE, ahead=1))
    [entry] = written(decided, INBOX.collection)
    assert entry["title"] == "Votre demande prend plus de temps que prévu"
    assert "1 demande passe avant la vôtre" in entry["body"]
    assert "Notre équipe en a été informée" in entry["body"]


@pytest.mark.parametrize(
    ("reason", "ahead", "said"),
    [
        ("no-supporter-for-language", 0, "Yours is next in line"),
        ("no-profile", 2, "we need your profile first"),
        ("minor", 2, "under 18 is not open yet"),
        ("new", 1, "we have not found the right person yet"),
    ],
)
def test_each_reason_has_its_own_words(reason: str, ahead: int, said: str) -> None:
    _, decided = told(partition(Sink()), waiting(reason=reason, ahead=ahead))
    [entry] = written(decided, INBOX.collection)
    assert said in entry["body"]


def test_a_request_held_by_a_safety_episode_tells_the_member_nothing() -> None:
    sent = Sink()
    changes = partition(sent).handle(T0, waiting(WaitStage.OVERDUE, reason="safety-episode"))
    assert (changes.records, changes.writes, sent) == ([], [], [])


def test_it_goes_out_by_the_matching_preferences_once_and_the_email_carries_the_reference() -> None:
    sent = Sink()
    p = partition(
        sent,
        channels={"matching": ["email"]},
        consents={"email": True},
        contacts={"email": "k1@x.example"},
        quiet_hours=None,
    )
    event = waiting()
    told(p, event)
    [item] = sent.take()
    assert (item.delivery.channel.value, item.address, item.template) == (
        "email",
        "k1@x.example",
        "support.request-waiting",
    )
    email = render(
        "support.request-waiting", Audience.SEEKER, Channel.EMAIL, "en", dict(item.context)
    )
    assert "Reference req-1" in email.text and "waiting for 1 day." in email.text
    told(p, event)  # a copy of the same event
    assert sent == []
