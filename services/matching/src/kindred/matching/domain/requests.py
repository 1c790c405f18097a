"""A seeker's side: the open requests of one partition, and whom to ask next.

A request asks one supporter at a time. The supporter's partition answers: granted (the
request is matched and leaves the pool) or declined (the next candidate is asked). A request
no supporter fits waits; the partition's background tick tries again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from kindred.events.envelope import deterministic_id
from kindred.events.matching import SlotAnsweredData, SlotRequested, SlotRequestedData
from kindred.matching.domain.directory import Directory
from kindred.matching.domain.matching import OpenRequest


@dataclass
class Pending:
    request: OpenRequest
    received_at: datetime
    correlation_id: str
    event_id: str
    attempt: int = 0  # supporters asked so far
    asking: str | None = None  # the supporter whose answer is awaited
    declined_by: set[str] = field(default_factory=set)
    waiting: bool = False  # no supporter fitted at the last try

    @property
    def request_id(self) -> str:
        return self.request.request_id


@dataclass(frozen=True)
class Ask:
    request_id: str
    supporter_id: str
    attempt: int


Answer = Literal["granted", "declined", "stale"]


@dataclass
class Requests:
    """The open requests of one partition, by request id."""

    open: dict[str, Pending] = field(default_factory=dict)

    def add(self, pending: Pending) -> bool:
        if pending.request_id in self.open:
            return False
        self.open[pending.request_id] = pending
        return True

    def ask_next(self, pending: Pending, directory: Directory) -> Ask | None:
        """Choose whom to ask (None: nobody fits now, the request waits)."""
        exclude = pending.declined_by | {pending.request.seeker_id}
        candidate = directory.best(pending.request, exclude)
        if candidate is None:
            pending.waiting = True
            return None
        pending.attempt += 1
        pending.asking = candidate.member_id
        pending.waiting = False
        directory.asked(candidate.member_id)
        return Ask(pending.request_id, candidate.member_id, pending.attempt)

    def answered(self, answer: SlotAnsweredData) -> Answer:
        pending = self.open.get(answer.request_id)
        if (
            pending is None
            or pending.asking != answer.supporter_id
            or pending.attempt != answer.attempt
        ):
            return "stale"  # an answer to an earlier question, or a replay
        if answer.granted:
            del self.open[answer.request_id]
            return "granted"
        pending.declined_by.add(answer.supporter_id)
        pending.asking = None
        return "declined"

    def to_retry(self) -> list[Pending]:
        """Requests asking nobody: they wait for a supporter with room."""
        return [p for p in self.open.values() if p.asking is None]


def slot_requested(pending: Pending, ask: Ask, source: str) -> SlotRequested:
    request = pending.request
    return SlotRequested.new(
        id=deterministic_id("slot.requested", ask.request_id, str(ask.attempt)),
        subject=ask.supporter_id,
        source=source,
        correlationid=pending.correlation_id,
        causationid=pending.event_id,
        data=SlotRequestedData(
            request_id=request.request_id,
            seeker_id=request.seeker_id,
            supporter_id=ask.supporter_id,
            attempt=ask.attempt,
            topics=sorted(request.topics),
            language=request.language,
        ),
    )
