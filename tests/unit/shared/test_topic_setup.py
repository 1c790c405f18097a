"""Topic set-up at start-up waits for a Kafka that is not ready yet, within a bound."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from aiokafka.errors import KafkaConnectionError, NodeNotReadyError, TopicAuthorizationFailedError

from kindred.messaging import broker
from kindred.settings import ServiceSettings


def settings(wait: float) -> ServiceSettings:
    return ServiceSettings(
        kafka_startup_wait_seconds=wait,
        retry_backoff_base_seconds=0.01,
        kafka_bootstrap_servers="127.0.0.1:1",
    )


def failing(
    errors: list[Exception], calls: list[int]
) -> Callable[[ServiceSettings], Awaitable[None]]:
    """A set-up attempt that raises the next of `errors`, then succeeds."""

    async def attempt(_: ServiceSettings) -> None:
        calls.append(1)
        if errors:
            raise errors.pop(0)

    return attempt


async def test_a_kafka_not_ready_yet_is_asked_again_until_it_answers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[int] = []
    errors: list[Exception] = [KafkaConnectionError(), NodeNotReadyError()]
    monkeypatch.setattr(broker, "_ensure_topics", failing(errors, calls))
    await broker.ensure_topics(settings(wait=10))
    assert len(calls) == 3


async def test_a_refusal_is_not_retried_and_the_wait_is_bounded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[int] = []
    monkeypatch.setattr(broker, "_ensure_topics", failing([TopicAuthorizationFailedError()], calls))
    with pytest.raises(TopicAuthorizationFailedError):
        await broker.ensure_topics(settings(wait=10))
    assert len(calls) == 1
    # Against a port nothing listens on, it gives up once the wait is over.
    monkeypatch.undo()
    with pytest.raises(KafkaConnectionError):
        await broker.ensure_topics(settings(wait=0.3))
