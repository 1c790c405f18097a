"""The check-ins service's history: `checkins`, insert-only, one document per check-in with
the member's answers, the note, the scores and the rules it fired. Private to this service:
nothing else reads it, and no event copies the answers or the note."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from kindred.events.checkins import CheckinSubmitted
from kindred.instruments import CheckinAnswers, Scores
from kindred.safety.rules import Rule
from kindred.storage.mongo import Document, Index

CHECKINS = "checkins"
INDEXES = [Index(CHECKINS, [("member_id", 1), ("recorded_at", -1)])]


def checkin_doc(
    event: CheckinSubmitted,
    partition: int,
    recorded_at: datetime,
    scores: Scores | None,
    rules: Sequence[Rule],
) -> Document:
    data = event.data
    return {
        "_id": data.checkin_id,
        "partition": partition,
        "member_id": data.member_id,
        "answers": data.model_dump(mode="json", include=set(CheckinAnswers.model_fields)),
        "scores": None if scores is None else scores.model_dump(mode="json"),
        "safety_rules": [str(rule) for rule in rules],
        "accepted_at": event.time,
        "recorded_at": recorded_at,
        "event_id": event.id,
    }
