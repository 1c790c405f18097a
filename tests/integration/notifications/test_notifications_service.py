"""The notifications service on real Kafka and the MongoDB-protocol server."""

from __future__ import annotations

from kindred.events.notifications import Channel
from kindred.internal_api import bearer
from kindred.notifications.app import create_app
from kindred.notifications.domain.deliveries import delivery_id
from kindred.notifications.settings import NotificationsSettings
from tests.support.factories import match_proposed
from tests.support.infra import Infra
from tests.support.kafka import produce_event
from tests.support.services import running, settings_for
from tests.support.waiting import eventually


async def test_the_same_event_delivered_twice_makes_one_inbox_entry(
    infra: Infra, namespace: str
) -> None:
    settings = settings_for(NotificationsSettings, infra, namespace)
    async with running(create_app(settings)) as client:
        event = match_proposed("seeker", "supporter")
        marker = event.model_copy(update={"id": "marker-" + event.id})  # same key, after it
        for e in (event, event, marker):
            await produce_event(infra.kafka, namespace, e)

        async def inbox(member: str) -> list[dict[str, object]]:
            response = await client.get(
                f"/internal/members/{member}/inbox", headers=bearer(settings.internal_api_token)
            )
            assert response.status_code == 200
            items: list[dict[str, object]] = response.json()["items"]
            return items

        items = await eventually(
            lambda: inbox("seeker"), lambda i: len(i) >= 2, what="the marker's entry"
        )
        assert sorted(str(i["id"]) for i in items) == sorted(
            [
                delivery_id(event.id, "seeker", Channel.INBOX),
                delivery_id(marker.id, "seeker", "inbox"),
            ]
        )
        supporter_items = await inbox("supporter")
        assert len(supporter_items) == 2
        assert supporter_items[0]["kind"] == "match.proposed"
        # Without the internal token, nothing.
        assert (await client.get("/internal/members/seeker/inbox")).status_code == 401
