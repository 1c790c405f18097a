"""The casework service on real Kafka and the MongoDB-protocol server, read through its internal
API: an alert and its page in the queue with the deadline; a review request as an item claimed
then resolved by case steps; a report in the moderation queue settled by a moderation; a
supporter's role and match steps on the roster; an audit record in the trail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from kindred.casework.app import create_app
from kindred.casework.settings import CaseworkSettings
from kindred.events.casework import AuditAction, CaseAction, CaseKind, ModerationAction, Outcome
from kindred.internal_api import bearer
from kindred.safety.rules import Priority
from tests.support.factories import role_set
from tests.support.infra import Infra
from tests.support.kafka import produce_event, produce_events
from tests.support.services import running, settings_for
from tests.support.waiting import eventually
from tests.unit.casework import factories as f

pytestmark = [pytest.mark.integration, pytest.mark.slow]

TOKEN = "an-internal-token-for-this-test-only-0123456789"


class Api:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def get(self, path: str, **params: Any) -> Any:
        response = await self.http.get(path, params=params, headers=bearer(TOKEN))
        assert response.status_code == 200, response.text
        return response.json()

    async def status(self, path: str) -> int:
        return (await self.http.get(path, headers=bearer(TOKEN))).status_code


async def test_the_staff_workspace_read_model_from_the_events(infra: Infra, namespace: str) -> None:
    settings = settings_for(CaseworkSettings, infra, namespace, internal_api_token=TOKEN)
    now = datetime.now(UTC)
    async with running(create_app(settings)) as http:
        api = Api(http)
        assert (await http.get("/internal/queue")).status_code == 401
        assert await api.status("/internal/alerts/none") == 404

        # An alert and its first page: in the safety queue with the page's deadline.
        alert = f.alert_raised("cw-m1", at=now)
        page = f.escalated(alert)
        await produce_events(infra.kafka, namespace, [alert, page])

        def has(kind: str, case_id: str) -> Any:
            return lambda view: any(
                e["kind"] == kind and e["id"] == case_id for e in view["entries"]
            )

        queue = await eventually(
            lambda: api.get("/internal/queue", queue="safety"),
            lambda v: any(e["id"] == alert.data.alert_id and e["deadline"] for e in v["entries"]),
            what="the alert with its deadline in the queue",
        )
        [entry] = [e for e in queue["entries"] if e["id"] == alert.data.alert_id]
        assert entry["priority"] == "urgent" and not entry["acknowledged"]
        deadline = datetime.fromisoformat(entry["deadline"])
        assert abs(deadline - page.data.ack_deadline) < timedelta(milliseconds=1)
        case = await api.get(f"/internal/alerts/{alert.data.alert_id}")
        assert [p["paged"] for p in case["pages"]] == ["oncall-1"]

        # A review request: an item, claimed then resolved through case steps.
        review = f.review_requested("cw-m2", Priority.HIGH, at=now)
        await produce_event(infra.kafka, namespace, review)
        items = await eventually(
            lambda: api.get("/internal/items", queue="safety"),
            lambda v: any(i["member_id"] == "cw-m2" for i in v["items"]),
            what="the review item",
        )
        [item] = [i for i in items["items"] if i["member_id"] == "cw-m2"]
        assert (item["kind"], item["priority"], item["status"]) == ("safety-review", "high", "open")
        item_path = f"/internal/items/{item['item_id']}"
        claim = f.case_action(CaseKind.ITEM, item["item_id"], "cw-m2", "stf-1", CaseAction.CLAIM)
        await produce_event(infra.kafka, namespace, claim)
        await eventually(lambda: api.get(item_path), lambda i: i["owner"] == "stf-1", what="claim")
        resolve = f.case_action(
            CaseKind.ITEM,
            item["item_id"],
            "cw-m2",
            "stf-1",
            CaseAction.RESOLVE,
            outcome=Outcome.CONTACTED,
            note="spoke on the phone",
        )
        await produce_event(infra.kafka, namespace, resolve)
        resolved = await eventually(
            lambda: api.get(item_path), lambda i: i["status"] == "resolved", what="the resolve"
        )
        assert (resolved["outcome"], resolved["resolved_by"]) == ("contacted", "stf-1")
        queue = await api.get("/internal/queue")
        assert not has("item", item["item_id"])(queue)

        # A report in the moderation queue; the moderation naming it settles it.
        report = f.report_filed("cw-m3", "cw-m4", at=now)
        await produce_event(infra.kafka, namespace, report)
        moderation = await eventually(
            lambda: api.get("/internal/queue", queue="moderation"),
            lambda v: any(e["member_id"] == "cw-m4" for e in v["entries"]),
            what="the report in the moderation queue",
        )
        assert {e["queue"] for e in moderation["entries"]} == {"moderation"}
        [reported] = [e for e in moderation["entries"] if e["member_id"] == "cw-m4"]
        step = f.moderated(
            "cw-m4", ModerationAction.SUSPEND_MATCHING, report_id=report.data.report_id
        )
        await produce_event(infra.kafka, namespace, step)
        settled = await eventually(
            lambda: api.get(f"/internal/items/{reported['id']}"),
            lambda i: i["report"]["status"] == "actioned",
            what="the report actioned",
        )
        assert settled["report"]["actions"][0]["action"] == "suspend-matching"
        assert settled["report"]["text"] == report.data.text

        # A supporter's role and a match's steps (keyed by the match, handed on) on the roster.
        match = f.proposed("cw-m6", "cw-m5")
        await produce_events(infra.kafka, namespace, [role_set("cw-m5"), match, f.accepted(match)])
        await eventually(
            lambda: api.get("/internal/supporters"),
            lambda r: any(
                s["member_id"] == "cw-m5" and s["active_matches"] == 1 for s in r["supporters"]
            ),
            what="the supporter with an active match",
        )
        supporter = await api.get("/internal/supporters/cw-m5")
        assert supporter["granted"] and supporter["standing"][0]["what"] == "granted"
        assert [m["seeker_id"] for m in supporter["recent_matches"]] == ["cw-m6"]
        assert await api.status("/internal/supporters/cw-m6") == 404

        # An audit record: in the trail, by member and by staff member.
        audit = f.audit_recorded("stf-1", "cw-m1", AuditAction.VIEW_ALERT, at=now)
        await produce_event(infra.kafka, namespace, audit)
        trail = await eventually(
            lambda: api.get("/internal/audit", member_id="cw-m1"),
            lambda t: len(t["entries"]) == 1,
            what="the audit record",
        )
        assert trail["entries"][0]["audit_id"] == audit.data.audit_id
        by_staff = await api.get("/internal/audit", staff_id="stf-1", action="view-alert")
        assert [e["audit_id"] for e in by_staff["entries"]] == [audit.data.audit_id]

        cases = await api.get("/internal/members/cw-m1/cases")
        assert [a["alert_id"] for a in cases["alerts"]] == [alert.data.alert_id]
