"""The internal reads the gateway makes, on real Kafka and the MongoDB-protocol server: an
alert as it stands, the page a typed short code belongs to, and an inbox whose read marks are
the reader's own and whose staff pages show only when asked for."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from kindred.events.envelope import new_id
from kindred.events.notifications import (
    InboxEntryRead,
    InboxEntryReadData,
    SafetyAlertAckRequested,
    SafetyAlertAckRequestedData,
)
from kindred.internal_api import bearer
from kindred.notifications.app import create_app
from kindred.notifications.domain.escalations import page_id
from kindred.notifications.settings import NotificationsSettings
from kindred.safety import pagelinks
from kindred.storage.mongo import create_client, database
from tests.support.factories import safety_alert_raised
from tests.support.infra import Infra
from tests.support.kafka import produce_event
from tests.support.services import running, settings_for
from tests.support.waiting import eventually


async def test_alerts_codes_and_inboxes_are_read_as_the_gateway_needs(
    infra: Infra, namespace: str
) -> None:
    settings = settings_for(NotificationsSettings, infra, namespace)
    auth = bearer(settings.internal_api_token)
    async with running(create_app(settings)) as client:

        async def get(path: str, **params: Any) -> httpx.Response:
            return await client.get(path, headers=auth, params=params)

        alert = safety_alert_raised("m1")
        alert_id = alert.data.alert_id
        assert (await get(f"/internal/alerts/{alert_id}")).status_code == 404
        await produce_event(infra.kafka, namespace, alert)
        found = await eventually(
            lambda: get(f"/internal/alerts/{alert_id}"),
            lambda r: r.status_code == 200,
            what="the alert",
        )
        body = found.json()
        assert set(body) == {
            "alert_id",
            "member_id",
            "severity",
            "raised_at",
            "acknowledged_at",
            "acknowledged_by",
            "level",
        }
        assert (body["member_id"], body["severity"], body["level"]) == ("m1", "urgent", 0)
        assert body["acknowledged_at"] is None

        # The first page's code, as typed on a phone: lower case, a dash, O for 0.
        first = page_id(alert_id, 0, 0)
        code = pagelinks.code(first, settings.kindred_page_link_secret)
        typed = (code[:4] + "-" + code[4:]).lower().replace("0", "o")
        page = await get(f"/internal/pages/by-code/{typed}")
        assert page.status_code == 200, page.text
        assert page.json() == {
            "alert_id": alert_id,
            "member_id": "m1",
            "staff_id": "on-call-1",
            "page_id": first,
        }
        assert (await get("/internal/pages/by-code/ZZZZZZZZ")).status_code == 404

        # The staff console's inbox: its page only for a staff role's read.
        assert (await get("/internal/members/on-call-1/inbox")).json()["items"] == []
        staff = (await get("/internal/members/on-call-1/inbox", include_pages="true")).json()
        assert [i["kind"] for i in staff["items"]] == ["safety.alert-raised"]
        assert staff["items"][0]["data"]["ack_code"] == code

        # The member's own notice, with crisis resources; another member's mark does not
        # mark it read, their own does.
        [notice] = (await get("/internal/members/m1/inbox")).json()["items"]
        assert notice["kind"] == "safety.crisis-resources" and not notice["read"]
        now = datetime.now(UTC)

        async def mark(reader: str) -> None:
            read = InboxEntryReadData(member_id=reader, entry_id=notice["id"], read_at=now)
            event = InboxEntryRead.new(subject=reader, source="t", data=read)
            await produce_event(infra.kafka, namespace, event)

        await mark("m2")
        mongo = create_client(settings)
        reads = database(mongo, settings)["inbox_reads"]
        await eventually(
            lambda: reads.count_documents({"member_id": "m2"}),
            lambda n: n == 1,
            what="the other member's mark stored",
        )
        await mongo.close()
        [still] = (await get("/internal/members/m1/inbox")).json()["items"]
        assert not still["read"]
        await mark("m1")
        await eventually(
            lambda: get("/internal/members/m1/inbox"),
            lambda r: r.json()["items"][0]["read"],
            what="the member's own mark",
        )

        # Acknowledged: the alert says by whom.
        ack = SafetyAlertAckRequestedData(
            alert_id=alert_id, member_id="m1", staff_id="staff-7", via="code"
        )
        await produce_event(
            infra.kafka,
            namespace,
            SafetyAlertAckRequested.new(subject="m1", source="t", data=ack, id=new_id()),
        )
        acked = await eventually(
            lambda: get(f"/internal/alerts/{alert_id}"),
            lambda r: r.json()["acknowledged_by"] == "staff-7",
            what="the acknowledgement",
        )
        assert acked.json()["acknowledged_at"] is not None
