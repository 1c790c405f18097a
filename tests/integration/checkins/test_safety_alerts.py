"""Safety alerts and episodes from the check-ins service, on real Kafka and the
MongoDB-protocol server: an alert once per triggering check-in whatever the redeliveries, an
episode until a human closes it, malformed check-ins dead-lettered with nothing half-stored,
and alerts that do not wait for a database that does not answer."""

from __future__ import annotations

import os
import signal
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from kindred.checkins.app import create_app
from kindred.checkins.settings import CheckinsSettings
from kindred.events.envelope import new_id
from kindred.events.safety import SafetyEpisodeCloseRequested, SafetyEpisodeCloseRequestedData
from tests.support.factories import checkin_submitted
from tests.support.infra import Infra
from tests.support.kafka import TopicReader, produce, produce_event
from tests.support.services import running, settings_for
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

URGENT_PHQ9 = [1, 1, 1, 1, 1, 1, 1, 1, 2]


def close_request(member_id: str, staff_id: str = "s1") -> SafetyEpisodeCloseRequested:
    return SafetyEpisodeCloseRequested.new(
        subject=member_id,
        source="tests",
        data=SafetyEpisodeCloseRequestedData(
            member_id=member_id, staff_id=staff_id, reason="spoke with them; safe for now"
        ),
    )


async def test_a_triggering_checkin_raises_one_alert_and_opens_one_episode_until_closed(
    infra: Infra, namespace: str, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    settings = settings_for(CheckinsSettings, infra, namespace)
    db = mongo[settings.database_name]
    async with (
        running(create_app(settings)),
        TopicReader(infra.kafka, f"{namespace}.safety.alert-raised") as alerts,
        TopicReader(infra.kafka, f"{namespace}.safety.episode-opened") as opened,
        TopicReader(infra.kafka, f"{namespace}.safety.episode-closed") as closed,
        TopicReader(infra.kafka, f"{namespace}.checkin.recorded") as recorded,
    ):
        words = "I have the pills ready and I am going to take them tonight"
        crisis = checkin_submitted("m1", mood=2, note=words)
        again = checkin_submitted("m1", mood=None, note="", phq9=URGENT_PHQ9)
        calm = checkin_submitted("m1", mood=6, note="a walk helped")
        for event in (crisis, crisis, again, calm):  # the first one delivered twice
            await produce_event(infra.kafka, namespace, event)
        await eventually(
            recorded.poll,
            lambda _: calm.data.checkin_id in {v["data"]["checkin_id"] for v in recorded.values()},
            what="the calm check-in recorded after the others",
        )
        await alerts.read_to_end()
        await opened.read_to_end()
        raised = [v["data"] for v in alerts.values()]
        # One alert per triggering check-in, the redelivery included; none for the calm one.
        assert [a["checkin_id"] for a in raised] == [
            crisis.data.checkin_id,
            again.data.checkin_id,
        ]
        assert {t["rule"] for t in raised[0]["triggers"]} >= {"free_text_plan"}
        assert raised[0]["severity"] == "urgent"
        assert [t["rule"] for t in raised[1]["triggers"]] == ["phq9_item9"]
        # Alerts name rules, never the member's words.
        assert all("pills" not in r.value.decode() for r in alerts.records)
        assert all("pills" not in r.value.decode() for r in recorded.records)
        # One episode for both alerts.
        [episode] = [v["data"] for v in opened.values()]
        assert {a["episode_id"] for a in raised} == {episode["episode_id"]}
        member = await db["members"].find_one({"_id": "m1"})
        assert member is not None and member["episode"]["alerts"] == 2

        # A human closes it; a second request changes nothing.
        await produce_event(infra.kafka, namespace, close_request("m1"))
        await produce_event(infra.kafka, namespace, close_request("m1", staff_id="s2"))
        done = await eventually(closed.poll, lambda r: len(r) >= 1, what="the episode closed")
        assert done[0].value is not None
        [closure] = [v["data"] for v in closed.values()]
        assert (closure["episode_id"], closure["closed_by"]) == (episode["episode_id"], "s1")
        assert closure["alerts"] == 2

        # The next trigger opens a new episode.
        later = checkin_submitted("m1", mood=None, note="", phq9=URGENT_PHQ9)
        await produce_event(infra.kafka, namespace, later)
        await eventually(opened.poll, lambda r: len(r) == 2, what="a second episode")
        assert opened.values()[1]["data"]["episode_id"] != episode["episode_id"]
        await closed.read_to_end()
        assert len(closed.records) == 1


async def test_a_malformed_checkin_is_dead_lettered_with_its_reason_and_still_alerts(
    infra: Infra, namespace: str, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    """Nothing of a check-in that cannot be read is stored, but nobody knows what it said
    (a newer gateway's format during a rolling deploy): the member the record names gets an
    urgent evaluation_failed alert, as for any rule that cannot be evaluated."""
    settings = settings_for(CheckinsSettings, infra, namespace)
    db = mongo[settings.database_name]
    topic = f"{namespace}.checkin.submitted"
    good = checkin_submitted("m1", mood=5, note="")
    bad = good.model_dump(mode="json")
    bad["id"] = new_id()
    bad["data"] = {**bad["data"], "checkin_id": new_id(), "phq9": [3, 3, True, 3, 3, 3, 3, 3, 3]}
    async with (
        running(create_app(settings)),
        TopicReader(infra.kafka, f"{topic}.dlt") as dead,
        TopicReader(infra.kafka, f"{namespace}.checkin.recorded") as recorded,
        TopicReader(infra.kafka, f"{namespace}.safety.alert-raised") as alerts,
    ):
        await produce(infra.kafka, topic, bad, key="m1")
        await produce_event(infra.kafka, namespace, good)
        await eventually(recorded.poll, lambda r: len(r) == 1, what="the good check-in recorded")
        [letter] = await eventually(dead.poll, lambda r: len(r) == 1, what="one dead letter")
        headers = {k: v.decode() for k, v in letter.headers}
        assert headers["kindred-dlt-error-type"] == "ValidationError"
        assert "phq9" in headers["kindred-dlt-error-message"]
        assert await db["checkins"].count_documents({}) == 1
        [raised] = await eventually(alerts.poll, lambda r: len(r) == 1, what="the fail-safe alert")
        alert = alerts.values()[0]["data"]
        assert (alert["member_id"], alert["checkin_id"]) == ("m1", bad["data"]["checkin_id"])
        assert alert["severity"] == "urgent"
        assert [t["rule"] for t in alert["triggers"]] == ["evaluation_failed"]
        assert raised.key == b"m1"
        stored = await db["checkins"].find_one({"_id": bad["data"]["checkin_id"]})
        assert stored is None


async def test_an_alert_does_not_wait_for_a_database_that_does_not_answer(
    infra: Infra, namespace: str
) -> None:
    pid = infra.server_pid("ferretdb")
    if pid is None:
        pytest.skip("pausing the database needs the local stack's own process")
    settings = settings_for(CheckinsSettings, infra, namespace, urgent_publish_after_seconds=1.0)
    async with (
        running(create_app(settings)),
        TopicReader(infra.kafka, f"{namespace}.safety.alert-raised") as alerts,
        TopicReader(infra.kafka, f"{namespace}.checkin.recorded") as recorded,
    ):
        # The partition is taken over (its log fenced) before the database goes silent.
        warm = checkin_submitted("m1", mood=6, note="")
        await produce_event(infra.kafka, namespace, warm)
        await eventually(recorded.poll, lambda r: len(r) == 1, what="a first check-in recorded")
        crisis = checkin_submitted("m1", mood=None, note="", phq9=URGENT_PHQ9)
        os.kill(pid, signal.SIGSTOP)
        try:
            await produce_event(infra.kafka, namespace, crisis)
            ahead = await eventually(
                alerts.poll, lambda r: len(r) >= 1, timeout=20, what="the alert, database away"
            )
            assert recorded.records == (await recorded.poll())  # nothing else went out
            assert len(recorded.records) == 1
        finally:
            os.kill(pid, signal.SIGCONT)
        assert ahead[0].value is not None
        alert_id = alerts.values()[0]["id"]
        # Once the database answers, the check-in is committed; the alert's copy, if any, has
        # the same id: consumers see one alert.
        await eventually(recorded.poll, lambda r: len(r) == 2, what="the check-in recorded")
        await alerts.read_to_end()
        assert {v["id"] for v in alerts.values()} == {alert_id}
