"""Every event on the wire is a CloudEvent a standard client reads: the official CloudEvents
SDK's Kafka binding parses every event type, from every topic and from a dead-letter topic.

Kindred uses the structured content mode of the CloudEvents Kafka protocol binding: the record
value is the whole event as JSON, `content-type: application/cloudevents+json; charset=utf-8`,
and no `ce_` header (the SDK reads any `ce_` header as binary mode)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from cloudevents.core.bindings.kafka import KafkaMessage, from_kafka_event

from kindred.casework.app import create_app as casework_app
from kindred.casework.settings import CaseworkSettings
from kindred.checkins.app import create_app as checkins_app
from kindred.checkins.settings import CheckinsSettings
from kindred.events import topics
from kindred.events.casework import CaseworkInput
from kindred.events.checkins import CheckinSubmitted
from kindred.events.matching import MatchProposed, PoolInput, SupporterRoleSet, SupportRequested
from kindred.events.members import ProfileSubmitted
from kindred.gateway.app import create_app as gateway_app
from kindred.gateway.auth import issue_token
from kindred.gateway.settings import GatewaySettings
from kindred.matching.app import create_app as matching_app
from kindred.matching.settings import MatchingSettings
from kindred.messaging.broker import CLOUDEVENTS_JSON, event_message
from kindred.notifications.app import create_app as notifications_app
from kindred.notifications.settings import NotificationsSettings
from tests.support.factories import checkin_submitted, profile_body, support_body
from tests.support.infra import Infra
from tests.support.kafka import TopicReader, produce
from tests.support.services import running, settings_for
from tests.support.waiting import eventually

pytestmark = [pytest.mark.contract, pytest.mark.slow]

EVENT_TYPES = [
    ProfileSubmitted,
    SupportRequested,
    SupporterRoleSet,
    PoolInput,
    MatchProposed,
    CaseworkInput,
    CheckinSubmitted,
]


@contextlib.asynccontextmanager
async def platform(infra: Infra, namespace: str) -> AsyncIterator[httpx.AsyncClient]:
    fast = {"match_batch_seconds": 0.2}
    async with (
        running(checkins_app(settings_for(CheckinsSettings, infra, namespace))),
        running(matching_app(settings_for(MatchingSettings, infra, namespace, **fast))),
        running(notifications_app(settings_for(NotificationsSettings, infra, namespace))),
        running(casework_app(settings_for(CaseworkSettings, infra, namespace))),
        running(gateway_app(settings_for(GatewaySettings, infra, namespace))) as gateway,
    ):
        yield gateway


async def test_a_standard_cloudevents_client_reads_every_event_and_dead_letter(
    infra: Infra, namespace: str
) -> None:
    names = {e.TOPIC: f"{namespace}.{e.TOPIC}" for e in EVENT_TYPES}
    names[topics.CHECKIN_RECORDED] = f"{namespace}.{topics.CHECKIN_RECORDED}"
    dead = f"{namespace}.{CheckinSubmitted.TOPIC}.dlt"
    readers = {base: TopicReader(infra.kafka, name) for base, name in names.items()}
    async with contextlib.AsyncExitStack() as stack:
        for reader in [*readers.values()]:
            await stack.enter_async_context(reader)
        letters = await stack.enter_async_context(TopicReader(infra.kafka, dead))
        gateway = await stack.enter_async_context(platform(infra, namespace))

        async def call(
            method: str, member: str, path: str, body: dict[str, Any], *roles: str
        ) -> None:
            token = issue_token(GatewaySettings(), member, roles=roles)
            response = await gateway.request(
                method,
                f"/v1/{path}" if roles else f"/v1/members/{member}/{path}",
                json=body,
                headers={"Authorization": f"Bearer {token}"},
            )
            assert response.status_code == 202, response.text

        await call("PUT", "sam", "profile", profile_body())
        await call("PUT", "trainer", "staff/supporters/sam", {"granted": True}, "supporter-admin")
        await call("PUT", "alex", "profile", profile_body(roles=["seeker"], capacity=0))
        await call("POST", "alex", "support-requests", support_body())
        await call("POST", "alex", "checkins", {"mood": 4})
        # A well-formed CloudEvent whose data breaks a rule: dead-lettered as it came (and its
        # member alerted, fail-safe: another member, so alex stays matchable).
        value, headers = event_message(checkin_submitted("casey"))
        broken = json.loads(value)
        broken["data"]["mood"] = 11
        await produce(
            infra.kafka,
            names[CheckinSubmitted.TOPIC],
            json.dumps(broken).encode(),
            "casey",
            [(k, v.encode()) for k, v in headers.items()],
        )

        await eventually(readers[MatchProposed.TOPIC].poll, bool, what="the match proposed")
        await eventually(readers[CaseworkInput.TOPIC].poll, bool, what="the step handed on")
        await eventually(letters.poll, bool, what="the dead letter")
        records = {base: await reader.poll() for base, reader in readers.items()}

    for base, found in records.items():
        assert found, f"nothing on {base}"
        for record in found:
            headers = {k: v for k, v in record.headers or ()}
            assert headers["content-type"] == CLOUDEVENTS_JSON.encode()
            assert not [k for k in headers if k.lower().startswith("ce_")], headers
            event = from_kafka_event(KafkaMessage(headers, record.key, record.value or b""))
            assert event.get_type().startswith(f"kindred.{base.split('.')[0]}.")
            assert event.get_source() and event.get_id()
            assert event.get_extension("correlationid")
    [letter] = letters.records
    event = from_kafka_event(
        KafkaMessage(dict(letter.headers or ()), letter.key, letter.value or b"")
    )
    assert event.get_type() == "kindred.checkin.submitted.v1"
    assert event.get_data()["mood"] == 11
