"""Bounded retries with backoff, then the dead-letter topic: a poison message never blocks.

A message that fails validation goes straight to `<topic>.dlt`. A handler error is retried
with exponential backoff and jitter; when the attempts run out the message goes to the
dead-letter topic with the error and its origin in headers, and the offset moves on. An outage
of MongoDB is not the message's fault, so it is never dead-lettered: the message is not
committed and comes back once the database answers.
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from faststream.middlewares import BaseMiddleware
from pydantic import ValidationError
from pymongo.errors import ConnectionFailure

from kindred.events.topics import dead_letter_topic
from kindred.observability.logging import correlation_id
from kindred.observability.metrics import dead_letters, handler_retries

if TYPE_CHECKING:
    from faststream.kafka import KafkaBroker
    from faststream.message import StreamMessage

log = logging.getLogger(__name__)

HEADER_PREFIX = "kindred-dlt-"


class PermanentError(Exception):
    """A handler's verdict that retrying cannot help (e.g. an event that breaks a rule)."""


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4
    backoff_base: float = 0.2
    backoff_max: float = 5.0

    def delay(self, attempt: int) -> float:
        """Full-jitter exponential backoff before retry number `attempt` (1-based)."""
        ceiling = min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1))
        return random.uniform(ceiling / 2, ceiling)


# Outages of our own dependencies: wait for them instead of dead-lettering healthy messages.
UNAVAILABLE: tuple[type[BaseException], ...] = (ConnectionFailure,)


def dead_letter_headers(
    exc: BaseException, attempts: int, raw: Any, consumer_group: str
) -> dict[str, str]:
    return {
        f"{HEADER_PREFIX}error-type": type(exc).__name__,
        f"{HEADER_PREFIX}error-message": str(exc)[:2000],
        f"{HEADER_PREFIX}attempts": str(attempts),
        f"{HEADER_PREFIX}origin-topic": str(raw.topic),
        f"{HEADER_PREFIX}origin-partition": str(raw.partition),
        f"{HEADER_PREFIX}origin-offset": str(raw.offset),
        f"{HEADER_PREFIX}consumer-group": consumer_group,
        f"{HEADER_PREFIX}failed-at": datetime.now(UTC).isoformat(),
    }


def dead_letter_middleware(
    broker: KafkaBroker, policy: RetryPolicy, *, consumer_group: str
) -> type[BaseMiddleware[Any, Any]]:
    class DeadLetterMiddleware(BaseMiddleware[Any, Any]):
        async def consume_scope(self, call_next: Any, msg: StreamMessage[Any]) -> Any:
            token = correlation_id.set(msg.correlation_id)
            try:
                return await self._consume(call_next, msg)
            finally:
                correlation_id.reset(token)

        async def _consume(self, call_next: Any, msg: StreamMessage[Any]) -> Any:
            raw = msg.raw_message
            attempt = 0
            while True:
                attempt += 1
                try:
                    return await call_next(msg)
                except (ValidationError, PermanentError) as exc:
                    await self._dead_letter(msg, exc, attempt)
                    return None
                except UNAVAILABLE:
                    log.warning(
                        "dependency unavailable; message will be redelivered", exc_info=True
                    )
                    await asyncio.sleep(policy.delay(policy.attempts))
                    raise
                except Exception as exc:
                    if attempt >= policy.attempts:
                        await self._dead_letter(msg, exc, attempt)
                        return None
                    handler_retries.labels(topic=raw.topic).inc()
                    log.warning(
                        "handler failed, retrying",
                        exc_info=True,
                        extra={"attempt": attempt, "topic": raw.topic},
                    )
                    await asyncio.sleep(policy.delay(attempt))

        async def _dead_letter(
            self, msg: StreamMessage[Any], exc: BaseException, attempts: int
        ) -> None:
            raw = msg.raw_message
            headers = {
                k: v.decode(errors="replace") if isinstance(v, bytes) else str(v)
                for k, v in (raw.headers or [])
            }
            headers.update(dead_letter_headers(exc, attempts, raw, consumer_group))
            # If this publish fails, the exception nacks the message: it is retried, not lost.
            await broker.publish(
                raw.value or b"",
                topic=dead_letter_topic(raw.topic),
                key=raw.key,
                headers=headers,
            )
            dead_letters.labels(topic=raw.topic, error_type=type(exc).__name__).inc()
            log.error(
                "message dead-lettered",
                extra={
                    "topic": raw.topic,
                    "partition": raw.partition,
                    "offset": raw.offset,
                    "error_type": type(exc).__name__,
                    "error": str(exc)[:500],
                },
            )

    return DeadLetterMiddleware
