"""The gateway on the real broker: an accepted request is on its topic, keyed by the member."""

from __future__ import annotations

import json

from kindred.gateway.app import create_app
from kindred.gateway.auth import issue_token
from kindred.gateway.settings import GatewaySettings
from tests.support.factories import support_body
from tests.support.infra import Infra
from tests.support.kafka import TopicReader
from tests.support.services import running, settings_for
from tests.support.waiting import eventually


async def test_an_accepted_request_is_durably_on_its_topic(infra: Infra, namespace: str) -> None:
    settings = settings_for(GatewaySettings, infra, namespace)
    token = issue_token(settings, "m1")
    async with (
        running(create_app(settings)) as client,
        TopicReader(infra.kafka, f"{namespace}.support.requested") as reader,
    ):
        assert (await client.get("/health/ready")).status_code == 200
        response = await client.post(
            "/v1/members/m1/support-requests",
            json=support_body(),
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 202, response.text
        accepted = response.json()
        records = await eventually(reader.poll, lambda r: len(r) == 1)
        assert records[0].key == b"m1"
        event = json.loads(records[0].value)
        assert event["id"] == accepted["event_id"]
        assert event["data"]["request_id"] == accepted["resource_id"]
        assert event["data"]["seeker_id"] == "m1"


async def test_a_staff_action_is_on_its_topic_after_its_audit_record(
    infra: Infra, namespace: str
) -> None:
    settings = settings_for(GatewaySettings, infra, namespace)
    token = issue_token(settings, "mod-1", roles=("moderator",))
    async with (
        running(create_app(settings)) as client,
        TopicReader(infra.kafka, f"{namespace}.staff.audit-recorded") as audits,
        TopicReader(infra.kafka, f"{namespace}.member.moderated") as moderations,
    ):
        response = await client.post(
            "/v1/staff/members/m1/moderation",
            json={"action": "suspend-matching", "report_id": "r-1", "note": "threats"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 202, response.text
        [audit] = await eventually(audits.poll, lambda r: len(r) == 1)
        [moderation] = await eventually(moderations.poll, lambda r: len(r) == 1)
        assert audit.key == moderation.key == b"m1"
        recorded, acted = json.loads(audit.value), json.loads(moderation.value)
        assert acted["id"] == response.json()["event_id"]
        assert acted["causationid"] == recorded["id"]
        assert recorded["data"]["action"] == "moderate"
        assert recorded["data"]["ref"] == "r-1"
        assert "threats" not in audit.value.decode()
        assert audit.timestamp <= moderation.timestamp
