"""The answer to every accepted write (202): the event's ids and the resource it concerns."""

from __future__ import annotations

from pydantic import BaseModel


class Accepted(BaseModel):
    event_id: str
    correlation_id: str
    resource_id: str | None = None
