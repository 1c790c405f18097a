"""What a stored check-in announces: scores and the names of the rules it fired. The answers
and the note stay in this service."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from kindred.events.checkins import CheckinRecorded, CheckinRecordedData, CheckinSubmitted
from kindred.events.envelope import deterministic_id
from kindred.instruments import Scores
from kindred.safety.rules import Rule


def recorded_event(
    submitted: CheckinSubmitted,
    recorded_at: datetime,
    source: str,
    scores: Scores | None,
    rules: Sequence[Rule] = (),
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
            recorded_at=recorded_at,
            scores=scores,
            safety_rules=list(rules),
        ),
    )
