"""What a stored check-in announces. The free-text note stays in this service."""

from __future__ import annotations

from datetime import datetime

from kindred.events.checkins import CheckinRecorded, CheckinRecordedData, CheckinSubmitted
from kindred.events.envelope import deterministic_id


def recorded_event(
    submitted: CheckinSubmitted, recorded_at: datetime, source: str
) -> CheckinRecorded:
    data = submitted.data
    return CheckinRecorded.new(
        id=deterministic_id("checkin.recorded", data.checkin_id),
        subject=data.member_id,
        source=source,
        caused_by=submitted,
        data=CheckinRecordedData(
            checkin_id=data.checkin_id,
            member_id=data.member_id,
            mood=data.mood,
            recorded_at=recorded_at,
        ),
    )
