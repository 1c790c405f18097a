"""The check-ins service on real Kafka and the MongoDB-protocol server: the member's country
from their profile on the alert, their open episode served on the internal safety API, and a
close refused while an alert newer than the one reviewed exists."""

from __future__ import annotations

from typing import Any

import pytest

from kindred.checkins.app import create_app
from kindred.checkins.settings import CheckinsSettings
from kindred.events.safety import SafetyEpisodeCloseRequested, SafetyEpisodeCloseRequestedData
from kindred.internal_api import bearer
from tests.support.factories import checkin_submitted, profile_submitted
from tests.support.infra import Infra
from tests.support.kafka import TopicReader, produce_event
from tests.support.services import running, settings_for
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

URGENT_PHQ9 = [1, 1, 1, 1, 1, 1, 1, 1, 2]
TOKEN = "an-internal-token-for-this-test-only-0123456789"


def close_request(episode_id: str, last_alert_id: str) -> SafetyEpisodeCloseRequested:
    return SafetyEpisodeCloseRequested.new(
        subject="m1",
        source="tests",
        data=SafetyEpisodeCloseRequestedData(
            member_id="m1",
            staff_id="s1",
            reason="spoke with them; safe for now",
            episode_id=episode_id,
            last_alert_id=last_alert_id,
        ),
    )


async def test_country_episode_on_the_internal_api_and_a_close_after_a_newer_alert_refused(
    infra: Infra, namespace: str
) -> None:
    settings = settings_for(CheckinsSettings, infra, namespace, internal_api_token=TOKEN)
    auth = bearer(TOKEN)
    async with (
        running(create_app(settings)) as http,
        TopicReader(infra.kafka, f"{namespace}.safety.alert-raised") as alerts,
        TopicReader(infra.kafka, f"{namespace}.safety.episode-closed") as closed,
        TopicReader(infra.kafka, f"{namespace}.safety.episode-close-refused") as refused,
    ):

        async def safety() -> dict[str, Any]:
            response = await http.get("/internal/members/m1/safety", headers=auth)
            assert response.status_code == 200, response.text
            body: dict[str, Any] = response.json()
            return body

        assert await safety() == {"member_id": "m1", "country": None, "episode": None}
        assert (await http.get("/internal/members/m1/safety")).status_code == 401

        await produce_event(infra.kafka, namespace, profile_submitted("m1", country="GB"))
        await eventually(safety, lambda s: s["country"] == "GB", what="the profile's country")
        first = checkin_submitted("m1", mood=None, note="", phq9=URGENT_PHQ9)
        await produce_event(infra.kafka, namespace, first)
        await eventually(alerts.poll, lambda r: len(r) == 1, what="the first alert")
        raised = alerts.values()[0]["data"]
        assert raised["country"] == "GB"
        state = await eventually(safety, lambda s: s["episode"] is not None, what="the episode")
        assert state["episode"]["episode_id"] == raised["episode_id"]
        assert state["episode"]["alert_ids"] == [raised["alert_id"]]

        # A second alert lands before the staff member's close, which names the first one.
        second = checkin_submitted("m1", mood=None, note="", phq9=URGENT_PHQ9, country="IE")
        await produce_event(infra.kafka, namespace, second)
        await eventually(alerts.poll, lambda r: len(r) == 2, what="the second alert")
        newer = alerts.values()[1]["data"]
        assert newer["country"] == "IE"
        await eventually(
            safety, lambda s: len(s["episode"]["alert_ids"]) == 2, what="both alerts served"
        )
        await produce_event(
            infra.kafka, namespace, close_request(raised["episode_id"], raised["alert_id"])
        )
        await eventually(refused.poll, lambda r: len(r) == 1, what="the close refused")
        refusal = refused.values()[0]["data"]
        assert (refusal["reason"], refusal["newest_alert_id"]) == (
            "newer-alert",
            newer["alert_id"],
        )
        assert (await safety())["episode"] is not None

        # Reviewed up to the newest alert, the close goes through.
        await produce_event(
            infra.kafka, namespace, close_request(raised["episode_id"], newer["alert_id"])
        )
        await eventually(closed.poll, lambda r: len(r) == 1, what="the episode closed")
        assert closed.values()[0]["data"]["alerts"] == 2
        await eventually(safety, lambda s: s["episode"] is None, what="no episode served")
