"""The check-ins service on real Kafka and the MongoDB-protocol server: a member's check-ins
served to staff on the internal API, newest first, with the answers, the note, the scores, the
rules fired, the trend's recent scores and the open episode."""

from __future__ import annotations

from typing import Any

import pytest

from kindred.checkins.app import create_app
from kindred.checkins.settings import CheckinsSettings
from kindred.internal_api import bearer
from tests.support.factories import checkin_submitted
from tests.support.infra import Infra
from tests.support.kafka import TopicReader, produce_event
from tests.support.services import running, settings_for
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

URGENT_PHQ9 = [1, 1, 1, 1, 1, 1, 1, 1, 2]
TOKEN = "an-internal-token-for-this-test-only-0123456789"


async def test_a_members_check_ins_newest_first_with_answers_and_episode(
    infra: Infra, namespace: str
) -> None:
    settings = settings_for(CheckinsSettings, infra, namespace, internal_api_token=TOKEN)
    auth = bearer(TOKEN)
    async with (
        running(create_app(settings)) as http,
        TopicReader(infra.kafka, f"{namespace}.safety.alert-raised") as alerts,
    ):

        async def checkins(limit: int = 20) -> dict[str, Any]:
            response = await http.get(f"/internal/members/m1/checkins?limit={limit}", headers=auth)
            assert response.status_code == 200, response.text
            body: dict[str, Any] = response.json()
            return body

        assert await checkins() == {
            "member_id": "m1",
            "checkins": [],
            "moods": [],
            "who5": [],
            "episode": None,
        }
        assert (await http.get("/internal/members/m1/checkins")).status_code == 401
        assert (
            await http.get("/internal/members/m1/checkins?limit=101", headers=auth)
        ).status_code == 422

        sent = [
            checkin_submitted("m1", mood=7, note="a good week"),
            checkin_submitted("m1", mood=5, note="", who5=[3, 3, 3, 3, 3]),
            checkin_submitted("m1", mood=None, note="hard days", phq9=URGENT_PHQ9),
        ]
        # One at a time: each is recorded before the next is sent, so the order is theirs.
        for n, event in enumerate(sent, start=1):
            await produce_event(infra.kafka, namespace, event)
            await eventually(
                checkins, lambda b, n=n: len(b["checkins"]) == n, what=f"check-in {n} served"
            )
        await eventually(alerts.poll, lambda r: len(r) == 1, what="the alert")
        raised = alerts.values()[0]["data"]

        body = await eventually(
            checkins, lambda b: b["episode"] is not None, what="the episode served"
        )
        assert [c["checkin_id"] for c in body["checkins"]] == [
            e.data.checkin_id for e in reversed(sent)
        ]
        newest, middle, oldest = body["checkins"]
        assert newest["answers"]["note"] == "hard days"
        assert newest["answers"]["phq9"] == URGENT_PHQ9
        assert newest["safety_rules"] != []
        assert newest["scores"]["phq9_total"] == 10
        assert middle["answers"]["who5"] == [3, 3, 3, 3, 3]
        assert (oldest["answers"]["mood"], oldest["answers"]["note"]) == (7, "a good week")
        assert body["moods"] == [7, 5]
        assert body["who5"] == [15]
        assert body["episode"]["episode_id"] == raised["episode_id"]
        assert body["episode"]["alert_ids"] == [raised["alert_id"]]

        assert [c["checkin_id"] for c in (await checkins(limit=1))["checkins"]] == [
            sent[-1].data.checkin_id
        ]
