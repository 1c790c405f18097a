"""Member notifications beyond the inbox, on real parts (Kafka, the MongoDB-protocol server,
a real SMTP server): decided in the member's partition by their preferences and contacts,
held by quiet hours, sent once whatever the redeliveries; a moderator's actions told to the
member without the note."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from kindred.events.casework import MemberModerated, MemberModeratedData, ModerationAction
from kindred.events.notifications import (
    InboxEntryRead,
    InboxEntryReadData,
    MemberNotificationPreferencesSet,
    MemberNotificationPreferencesSetData,
)
from kindred.internal_api import bearer
from kindred.notifications.app import create_app
from kindred.notifications.settings import NotificationsSettings
from tests.support.factories import match_proposed
from tests.support.infra import Infra
from tests.support.kafka import produce_event
from tests.support.receivers import Mailbox, smtp_server
from tests.support.services import running, settings_for
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    with smtp_server() as served:
        yield served


def preferences(member: str, email: str, quiet: dict[str, str] | None, digest: bool = True) -> Any:
    return MemberNotificationPreferencesSet.new(
        subject=member,
        source="tests",
        data=MemberNotificationPreferencesSetData(
            member_id=member,
            channels={"matching": ["email"]},
            consents={"email": True},
            contacts={"email": email},
            time_zone="UTC",
            quiet_hours=quiet,
            digest_bursts=digest,
        ),
    )


async def test_a_match_reaches_the_members_email_once_and_quiet_hours_hold_it(
    infra: Infra,
    namespace: str,
    mailbox: tuple[Mailbox, int],
    mongo: AsyncMongoClient[dict[str, Any]],
) -> None:
    box, port = mailbox
    settings = settings_for(
        NotificationsSettings,
        infra,
        namespace,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_tls="none",
        smtp_from="hello@kindred.example",
    )
    now = datetime.now(UTC)
    # Quiet from an hour ago to an hour from now (UTC): the supporter's message waits (with
    # digests off it waits on its own; with them, it would join the digest).
    quiet = {
        "start": (now - timedelta(hours=1)).strftime("%H:%M"),
        "end": (now + timedelta(hours=1)).strftime("%H:%M"),
    }
    db = mongo[settings.database_name]
    async with running(create_app(settings)):
        await produce_event(infra.kafka, namespace, preferences("seeker", "s@x.example", None))
        await produce_event(
            infra.kafka, namespace, preferences("helper", "h@x.example", quiet, digest=False)
        )
        match = match_proposed("seeker", "helper")
        await produce_event(infra.kafka, namespace, match)
        await produce_event(infra.kafka, namespace, match)  # a copy: one mail
        await eventually(
            lambda: _mail(box, "s@x.example"), lambda m: len(m) == 1, what="the seeker's mail"
        )
        held = await eventually(
            lambda: db["deliveries"].find_one({"recipient": "helper"}),
            lambda d: d is not None,
            what="the supporter's delivery planned",
        )
        assert held is not None and held["status"] == "pending" and held["attempts"] == 0
        release = held["next_attempt_at"].replace(tzinfo=UTC)
        assert now + timedelta(minutes=50) < release <= now + timedelta(hours=1, minutes=1)
        assert _mail_now(box, "h@x.example") == []
        # The seeker's delivery is done; both still got their inbox entries.
        sent = await eventually(
            lambda: db["deliveries"].find_one({"recipient": "seeker"}),
            lambda d: d is not None and d["status"] == "sent",
        )
        assert sent is not None
        assert await db["inbox"].count_documents({"member_id": {"$in": ["seeker", "helper"]}}) == 2
        assert len(_mail_now(box, "s@x.example")) == 1


async def _mail(box: Mailbox, address: str) -> list[bytes]:
    return _mail_now(box, address)


def _mail_now(box: Mailbox, address: str) -> list[bytes]:
    return box.to(address)


async def test_an_inbox_entry_marked_read_reads_back_read(infra: Infra, namespace: str) -> None:
    settings = settings_for(NotificationsSettings, infra, namespace)
    async with running(create_app(settings)) as client:
        match = match_proposed("reader", "other")
        await produce_event(infra.kafka, namespace, match)
        headers = bearer(settings.internal_api_token)

        async def items() -> list[dict[str, Any]]:
            answer = await client.get("/internal/members/reader/inbox", headers=headers)
            found: list[dict[str, Any]] = answer.json()["items"]
            return found

        [entry] = await eventually(items, lambda i: len(i) == 1, what="the inbox entry")
        assert entry["read"] is False
        read = InboxEntryRead.new(
            subject="reader",
            source="tests",
            data=InboxEntryReadData(
                member_id="reader", entry_id=entry["id"], read_at=datetime.now(UTC)
            ),
        )
        await produce_event(infra.kafka, namespace, read)
        await produce_event(infra.kafka, namespace, read)  # twice: still one read
        [after] = await eventually(items, lambda i: i[0]["read"] is True, what="marked read")
        assert after["id"] == entry["id"]


def moderated(member: str, action: ModerationAction, note: str) -> MemberModerated:
    return MemberModerated.new(
        subject=member,
        source="tests",
        data=MemberModeratedData(
            action=action,
            action_id=f"act-{member}-{action}",
            report_id="report-42",
            member_id=member,
            staff_id="mod-1",
            at=datetime.now(UTC),
            note=note,
        ),
    )


async def test_a_moderators_actions_reach_the_member_in_their_language_without_the_note(
    infra: Infra, namespace: str, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    settings = settings_for(
        NotificationsSettings,
        infra,
        namespace,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_tls="none",
        smtp_from="hello@kindred.example",
    )
    note = "CANARY the report said something private"
    prefs = MemberNotificationPreferencesSet.new(
        subject="moderated",
        source="tests",
        data=MemberNotificationPreferencesSetData(
            member_id="moderated",
            channels={"account": ["email"]},
            consents={"email": True},
            contacts={"email": "m@x.example"},
            locale="fr",
            time_zone="UTC",
            quiet_hours=None,
            digest_bursts=False,
        ),
    )
    async with running(create_app(settings)) as client:
        await produce_event(infra.kafka, namespace, prefs)
        headers = bearer(settings.internal_api_token)

        async def items() -> list[dict[str, Any]]:
            answer = await client.get("/internal/members/moderated/inbox", headers=headers)
            found: list[dict[str, Any]] = answer.json()["items"]
            return found

        warned = moderated("moderated", ModerationAction.WARN, note)
        for event in (
            warned,
            warned,  # a copy: still one entry, one mail
            moderated("moderated", ModerationAction.HIDE, note),
            moderated("moderated", ModerationAction.SUSPEND_MATCHING, note),
            moderated("moderated", ModerationAction.DISMISS, note),
            moderated("moderated", ModerationAction.RESTORE, note),
        ):
            await produce_event(infra.kafka, namespace, event)
        entries = await eventually(
            items,
            lambda i: any(e["kind"] == "member.moderated.restore" for e in i),
            what="the last action's inbox entry",
        )
        assert sorted(e["kind"] for e in entries) == [
            "member.moderated.restore",
            "member.moderated.suspend-matching",
            "member.moderated.warn",
        ]
        assert {e["title"] for e in entries} >= {"Les restrictions de votre compte sont levées"}
        mails = await eventually(
            lambda: _mail(box, "m@x.example"), lambda m: len(m) == 3, what="three mails"
        )
        for text in [repr(entries), *(m.decode(errors="replace") for m in mails)]:
            assert "CANARY" not in text and "report-42" not in text
        assert len(_mail_now(box, "m@x.example")) == 3
