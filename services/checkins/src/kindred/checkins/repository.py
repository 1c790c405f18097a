"""The check-ins service's collection: `checkins`, insert-only. Nothing else touches it."""

from __future__ import annotations

from datetime import datetime

from kindred.events.checkins import CheckinSubmitted
from kindred.storage.mongo import Document, Index

CHECKINS = "checkins"
INDEXES = [Index(CHECKINS, [("member_id", 1), ("recorded_at", -1)])]


def checkin_doc(event: CheckinSubmitted, partition: int, recorded_at: datetime) -> Document:
    data = event.data
    return {
        "_id": data.checkin_id,
        "partition": partition,
        "member_id": data.member_id,
        "mood": data.mood,
        "note": data.note,
        "recorded_at": recorded_at,
        "event_id": event.id,
    }
