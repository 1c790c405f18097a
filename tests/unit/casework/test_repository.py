"""Casework's documents as MongoDB stores them (BSON) and back, and its settings from the
environment."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import bson
import pytest

from kindred.casework.handlers import Casework
from kindred.casework.repository import STORES, alert_from, item_from, member_from, supporter_from
from kindred.casework.settings import CaseworkSettings
from kindred.events.casework import CaseAction, CaseKind, CaseworkInput, ModerationAction
from kindred.instruments import Phq9Severity
from tests.support.factories import role_set
from tests.support.partitions import Partition, events
from tests.unit.casework import factories as f
from tests.unit.casework.factories import T0

pytestmark = pytest.mark.unit

DECODE = {
    "alerts": alert_from,
    "items": item_from,
    "members": member_from,
    "supporters": supporter_from,
}


def _milliseconds(value: Any) -> Any:
    """What BSON keeps of a document's times."""
    if isinstance(value, datetime):
        return value.replace(microsecond=value.microsecond // 1000 * 1000)
    if isinstance(value, dict):
        return {k: _milliseconds(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_milliseconds(v) for v in value]
    return value


def test_every_document_survives_bson_and_decodes_to_what_was_stored() -> None:
    part = Partition(Casework(CaseworkSettings(kindred_dev_mode=True)))
    alert = f.alert_raised("mbr-a")
    report = f.report_filed("mbr-r", "mbr-a")
    match = f.proposed("mbr-s", "mbr-a")
    batch = part.handle(
        T0,
        alert,
        f.escalated(alert),
        f.acknowledged(alert, "oncall-1", T0 + timedelta(minutes=2)),
        f.episode_closed(alert, "oncall-1", T0 + timedelta(hours=1)),
        report,
        f.moderated("mbr-a", ModerationAction.WARN, report_id=report.data.report_id),
        f.missed("mbr-a", 1),
        role_set("mbr-a"),
        match,
        f.case_action(CaseKind.ALERT, alert.data.alert_id, "mbr-a", "stf-1", CaseAction.CLAIM),
    )
    part.handle(T0, *(CaseworkInput.model_validate(e) for e in events(batch)))
    assert set(part.stored) == {s.collection for s in STORES if s.loaded}
    for collection, decode in DECODE.items():
        for doc in part.docs(collection):
            stored = bson.decode(bson.encode(doc), bson.CodecOptions(tz_aware=True))
            assert decode(stored) == decode(_milliseconds(doc)), collection


def test_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MISSED_CHECKINS_STREAK", "5")
    monkeypatch.setenv("PHQ9_REVIEW_SEVERITIES", "moderately_severe, severe")
    monkeypatch.setenv("QUEUE_ACKED_ALERT_HOURS", "12")
    settings = CaseworkSettings(kindred_dev_mode=True)
    assert settings.missed_checkins_streak == 5
    assert settings.phq9_severities == {Phq9Severity.MODERATELY_SEVERE, Phq9Severity.SEVERE}
    assert settings.queue_acked_alert_hours == 12
    assert settings.http_port == 8004
