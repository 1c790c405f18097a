"""Matching and its dead letters: a slot request whose handling fails half-way leaves no slot
held behind, and once re-driven it proposes the match exactly once.

No valid input makes matching's handlers raise (events are validated when decoded, the domain
is total over them), so the failure is injected where a bug would hurt most: after the
supporter's partition took the slot in its working set, before the hold was written.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from kindred.events.matching import SlotRequested
from kindred.matching import handlers
from kindred.matching.app import create_app
from kindred.matching.settings import MatchingSettings
from kindred.messaging.redrive import command
from kindred.observability.metrics import directory_supporters, events_handled
from tests.support.factories import profile_submitted, support_requested
from tests.support.infra import Infra
from tests.support.kafka import TopicReader, produce_event
from tests.support.services import running, settings_for
from tests.support.waiting import eventually


async def _value(metric: Any) -> float:
    return float(metric._value.get())


async def test_a_failed_slot_request_holds_no_slot_and_its_redrive_matches_once(
    infra: Infra, namespace: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings_for(
        MatchingSettings,
        infra,
        namespace,
        write_behind_seconds=0,  # stored with each batch: what is handled is in MongoDB
        directory_refresh_seconds=0.2,
    )
    broken = True
    proposed = handlers.match_proposed  # type: ignore[attr-defined]

    def match_proposed(*args: Any) -> Any:
        if broken:
            raise RuntimeError("a bug between taking the slot and proposing the match")
        return proposed(*args)

    monkeypatch.setattr(handlers, "match_proposed", match_proposed)
    asks = f"{namespace}.{SlotRequested.TOPIC}"
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infra.mongodb_url)
    db = mongo[settings.database_name]

    async def stored() -> tuple[list[Any], list[Any]]:
        holds = [(h["_id"], h["supporter_id"]) async for h in db["holds"].find({})]
        still_open = [d["_id"] async for d in db["open_requests"].find({"kind": "open"})]
        return holds, still_open

    async def redrive(*extra: str) -> str:
        out, err = io.StringIO(), io.StringIO()
        status = await command(["redrive", asks + ".dlt", "--all", *extra], settings, out, err)
        assert status == 0, err.getvalue()
        return out.getvalue()

    async with (
        running(create_app(settings)),
        TopicReader(infra.kafka, f"{namespace}.match.proposed") as matches,
        TopicReader(infra.kafka, asks + ".dlt") as dead,
    ):
        await produce_event(infra.kafka, namespace, profile_submitted("fits", capacity=1))
        await eventually(
            lambda: _value(directory_supporters), lambda n: n == 1, what="the supporter known"
        )
        request = support_requested("seeker-1")
        await produce_event(infra.kafka, namespace, request)
        [letter] = await eventually(dead.poll, lambda r: len(r) == 1, what="the dead letter")
        headers = {k: v.decode() for k, v in letter.headers}
        assert headers["kindred-dlt-error-type"] == "RuntimeError"
        assert headers["kindred-dlt-consumer-group"] == settings.consumer_group

        # Nothing of the failed handling stayed: no hold, no proposal. The request waits for
        # the answer that failed, as it should until the slot request is re-driven.
        await eventually(
            stored, lambda s: s == ([], [request.data.request_id]), what="no hold, one request"
        )
        assert await matches.poll() == []

        broken = False
        assert "1 re-drove" in await redrive()
        # Had the failed handling left the slot taken in the working set, the re-driven ask
        # would find it "held already" and propose without storing the hold.
        await eventually(
            stored,
            lambda s: s == ([(request.data.request_id, "fits")], []),
            what="the hold stored and the request matched",
        )
        [match] = await eventually(matches.poll, lambda r: len(r) == 1) and matches.values()
        assert match["data"]["request_id"] == request.data.request_id

        assert "1 skipped" in await redrive()
        duplicates = events_handled.labels(topic=asks, outcome="duplicate")
        before = await _value(duplicates)
        assert "1 re-drove" in await redrive("--force")
        await eventually(
            lambda: _value(duplicates), lambda n: n == before + 1, what="the copy skipped"
        )
        await matches.poll()
        assert len(matches.records) == 1
        assert await stored() == ([(request.data.request_id, "fits")], [])
    await mongo.close()
