"""The CloudEvents-style envelope every Kindred event travels in."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar, Generic, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field

DataT = TypeVar("DataT", bound=BaseModel)


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return str(uuid.uuid4())


class Envelope(BaseModel, Generic[DataT]):
    """CloudEvents 1.0 attributes plus the correlation/causation extensions.

    `subject` is the member or match id the event is about; it is also the Kafka key, so one
    member's (or match's) events stay in order on one partition.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    # The topic (base name, before the namespace prefix) the event is published on.
    TOPIC: ClassVar[str]

    specversion: str = "1.0"
    id: str = Field(default_factory=new_id, min_length=1, max_length=100)
    type: str
    source: str = Field(min_length=1, max_length=200)
    time: datetime = Field(default_factory=utcnow)
    subject: str = Field(min_length=1, max_length=100)
    correlationid: str = Field(min_length=1, max_length=100)
    causationid: str | None = Field(default=None, max_length=100)
    datacontenttype: str = "application/json"
    data: DataT

    @classmethod
    def new(
        cls,
        *,
        data: DataT,
        subject: str,
        source: str,
        caused_by: Envelope[Any] | None = None,
        correlationid: str | None = None,
        causationid: str | None = None,
        id: str | None = None,
    ) -> Self:
        """A new event. It inherits the correlation id of `caused_by` (or takes the ids given);
        the first event of a chain is its own correlation id."""
        event_id = id or new_id()
        correlation = correlationid or (caused_by.correlationid if caused_by else event_id)
        causation = causationid or (caused_by.id if caused_by else None)
        return cls(  # type: ignore[call-arg]  # each event class defaults `type`
            id=event_id,
            source=source,
            subject=subject,
            correlationid=correlation,
            causationid=causation,
            data=data,
        )

    @property
    def key(self) -> bytes:
        return self.subject.encode()


def deterministic_id(*parts: str) -> str:
    """A stable id derived from other ids, so a replayed step produces the same event id."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "kindred:" + ":".join(parts)))
