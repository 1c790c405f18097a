"""Inbox entries made from events. Texts name no health detail: they may be previewed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kindred.events.matching import MatchProposed


@dataclass(frozen=True)
class InboxEntry:
    member_id: str
    kind: str
    title: str
    body: str
    source_event_id: str
    created_at: datetime
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def entry_id(self) -> str:
        # One entry per (event, recipient): a redelivered event maps onto the same id.
        return f"{self.source_event_id}:{self.member_id}"


def entries_for_match_proposed(event: MatchProposed, now: datetime) -> list[InboxEntry]:
    match = event.data
    data = {"match_id": match.match_id, "request_id": match.request_id}
    return [
        InboxEntry(
            member_id=match.seeker_id,
            kind="match.proposed",
            title="We found someone to talk to",
            body="A peer supporter who shares some of your experience has been asked to connect.",
            source_event_id=event.id,
            created_at=now,
            data=data,
        ),
        InboxEntry(
            member_id=match.supporter_id,
            kind="match.proposed",
            title="A member could use your support",
            body="You have a new match proposal. Open the app to accept or decline.",
            source_event_id=event.id,
            created_at=now,
            data=data,
        ),
    ]
