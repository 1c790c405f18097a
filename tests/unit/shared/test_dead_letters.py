"""Retry-then-dead-letter on FastStream's in-memory broker (real broker: tests/fault)."""

from __future__ import annotations

from typing import Any

import pytest
from faststream.kafka import TestKafkaBroker
from faststream.kafka.annotations import KafkaMessage
from pydantic import BaseModel
from pymongo.errors import AutoReconnect

from kindred.events.checkins import CheckinSubmitted
from kindred.messaging.broker import create_broker, subscribe
from kindred.messaging.deadletter import PermanentError
from kindred.settings import ServiceSettings
from tests.support.factories import checkin_submitted

SETTINGS = ServiceSettings(
    kindred_namespace="unit",
    retry_attempts=3,
    retry_backoff_base_seconds=0.001,
    retry_backoff_max_seconds=0.002,
)
TOPIC = "unit.checkin.submitted"


class Seen(BaseModel):
    headers: dict[str, Any]
    body: bytes


async def run_with(failure: BaseException | None, times: int) -> tuple[int, list[Seen]]:
    broker = create_broker(SETTINGS)
    calls = 0
    letters: list[Seen] = []

    @subscribe(broker, SETTINGS, CheckinSubmitted)
    async def handler(event: CheckinSubmitted) -> None:
        nonlocal calls
        calls += 1
        if failure is not None and calls <= times:
            raise failure

    @broker.subscriber(TOPIC + ".dlt")
    async def dead(message: KafkaMessage) -> None:
        letters.append(Seen(headers=dict(message.headers), body=message.body))

    async with TestKafkaBroker(broker) as test_broker:
        await test_broker.publish(checkin_submitted("m1").model_dump(mode="json"), TOPIC)
    return calls, letters


async def test_a_passing_failure_is_retried_and_not_dead_lettered() -> None:
    calls, letters = await run_with(RuntimeError("flaky"), times=2)
    assert calls == 3
    assert letters == []


async def test_a_failure_that_persists_is_dead_lettered_after_the_attempts() -> None:
    calls, letters = await run_with(RuntimeError("always"), times=99)
    assert calls == 3
    assert len(letters) == 1
    headers = letters[0].headers
    assert headers["kindred-dlt-error-type"] == "RuntimeError"
    assert headers["kindred-dlt-error-message"] == "always"
    assert headers["kindred-dlt-attempts"] == "3"
    assert headers["kindred-dlt-origin-topic"] == TOPIC


@pytest.mark.parametrize("failure", [PermanentError("breaks a rule")])
async def test_a_permanent_error_is_dead_lettered_at_once(failure: BaseException) -> None:
    calls, letters = await run_with(failure, times=99)
    assert calls == 1
    assert letters[0].headers["kindred-dlt-attempts"] == "1"


async def test_a_failed_dead_letter_publish_propagates_so_the_message_is_not_committed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    broker = create_broker(SETTINGS)

    @subscribe(broker, SETTINGS, CheckinSubmitted)
    async def handler(event: CheckinSubmitted) -> None:
        raise RuntimeError("always")

    async with TestKafkaBroker(broker) as test_broker:
        original = test_broker.publish

        async def publish(message: Any, topic: str = "", **kwargs: Any) -> Any:
            if topic.endswith(".dlt"):
                raise ConnectionError("dead-letter topic unreachable")
            return await original(message, topic, **kwargs)

        monkeypatch.setattr(broker, "publish", publish)
        with pytest.raises(ConnectionError, match="dead-letter topic unreachable"):
            await original(checkin_submitted("m1").model_dump(mode="json"), TOPIC)


async def test_a_database_outage_is_never_dead_lettered() -> None:
    calls, letters, raised = 0, 0, False
    broker = create_broker(SETTINGS)

    @subscribe(broker, SETTINGS, CheckinSubmitted)
    async def handler(event: CheckinSubmitted) -> None:
        nonlocal calls
        calls += 1
        raise AutoReconnect("mongodb down")

    @broker.subscriber(TOPIC + ".dlt")
    async def dead(message: KafkaMessage) -> None:
        nonlocal letters
        letters += 1

    async with TestKafkaBroker(broker) as test_broker:
        try:
            await test_broker.publish(checkin_submitted("m1").model_dump(mode="json"), TOPIC)
        except AutoReconnect:
            raised = True  # the message is nacked: redelivered once the database answers
    assert raised
    assert calls == 1
    assert letters == 0
