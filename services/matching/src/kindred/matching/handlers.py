"""Subscribers: decode → domain → persist (state and events in one write) → publish."""

from __future__ import annotations

import logging

from faststream.kafka import KafkaBroker
from kindred.events.envelope import deterministic_id, utcnow
from kindred.events.matching import MatchProposed, MatchProposedData, SupportRequested
from kindred.events.members import ProfileSubmitted
from kindred.matching import domain
from kindred.matching.repository import PROPOSED, MatchingRepository, open_request_of
from kindred.matching.settings import MatchingSettings
from kindred.messaging.broker import subscribe
from kindred.messaging.outbox import Outbox, outbox_fields
from kindred.observability.metrics import events_handled, matches_proposed, requests_waiting

log = logging.getLogger(__name__)


def register(
    broker: KafkaBroker, settings: MatchingSettings, repo: MatchingRepository, outbox: Outbox
) -> None:
    @subscribe(broker, settings, ProfileSubmitted)
    async def on_profile_submitted(event: ProfileSubmitted) -> None:
        applied = await repo.save_profile(event)
        events_handled.labels(topic=event.TOPIC, outcome="applied" if applied else "skipped").inc()

    @subscribe(broker, settings, SupportRequested)
    async def on_support_requested(event: SupportRequested) -> None:
        stored = await repo.open_request(event, received_at=utcnow())
        if stored["status"] == PROPOSED:
            # A redelivery: re-send what an interrupted first delivery may not have sent.
            if stored.get("outbox_pending"):
                await outbox.flush_document(repo.requests, stored)
            events_handled.labels(topic=event.TOPIC, outcome="duplicate").inc()
            return

        request = open_request_of(stored)
        supporter = await repo.reservation_of(request.request_id)
        if supporter is None:
            for candidate in domain.rank(
                request, await repo.candidates(request, settings.candidate_limit)
            ):
                if await repo.reserve(candidate, request.request_id):
                    supporter = candidate
                    break
        if supporter is None:
            await repo.mark_waiting(request.request_id)
            requests_waiting.inc()
            events_handled.labels(topic=event.TOPIC, outcome="waiting").inc()
            log.info("no supporter fits yet", extra={"request_id": request.request_id})
            return

        match_id = deterministic_id("match", request.request_id)
        proposed = MatchProposed.new(
            id=deterministic_id("match.proposed", match_id),
            subject=match_id,
            source=f"kindred/{settings.service_name}",
            caused_by=event,
            data=MatchProposedData(
                match_id=match_id,
                request_id=request.request_id,
                seeker_id=request.seeker_id,
                supporter_id=supporter.member_id,
                shared_topics=sorted(supporter.shared_topics(request)),
                language=request.language,
            ),
        )
        doc = await repo.record_proposal(
            request.request_id, supporter.member_id, match_id, outbox_fields(proposed)
        )
        if doc is not None:
            await outbox.flush_document(repo.requests, doc)
            matches_proposed.inc()
        events_handled.labels(topic=event.TOPIC, outcome="applied").inc()
