"""Subscribers and the re-match loop: decode → domain → persist (state and events in one
write) → publish. Business rules live in `domain`; storage in `repository`."""

from __future__ import annotations

import logging

from faststream.kafka import KafkaBroker

from kindred.events.envelope import deterministic_id, utcnow
from kindred.events.matching import MatchProposed, MatchProposedData, SupportRequested
from kindred.events.members import ProfileSubmitted
from kindred.matching import domain
from kindred.matching.repository import PROPOSED, MatchingRepository, open_request_of
from kindred.matching.settings import MatchingSettings
from kindred.messaging.broker import record_handled, subscribe
from kindred.messaging.outbox import Outbox, outbox_fields
from kindred.observability.metrics import matches_proposed, requests_waiting
from kindred.storage.mongo import Document

log = logging.getLogger(__name__)


class Matcher:
    def __init__(self, settings: MatchingSettings, repo: MatchingRepository, outbox: Outbox):
        self.settings = settings
        self.repo = repo
        self.outbox = outbox

    async def on_support_requested(self, event: SupportRequested) -> None:
        stored = await self.repo.open_request(event, received_at=utcnow())
        if stored["status"] == PROPOSED:
            # A redelivery: re-send what an interrupted first delivery may not have sent.
            await self.outbox.flush_document(self.repo.requests, stored)
            record_handled(self.settings, event, "duplicate")
            return
        proposed = await self.try_match(stored)
        if not proposed and stored["status"] != "waiting":
            await self.repo.mark_waiting(stored["_id"])
            requests_waiting.inc()
        record_handled(self.settings, event, "applied")

    async def rematch_waiting(self) -> int:
        """Try again for requests no supporter fitted (a supporter joined or freed a slot)."""
        proposed = 0
        for stored in await self.repo.waiting_requests(self.settings.rematch_batch_size):
            proposed += await self.try_match(stored)
        return proposed

    async def try_match(self, stored: Document) -> bool:
        request = open_request_of(stored)
        supporter = await self.repo.reservation_of(request.request_id)
        if supporter is None:
            candidates = await self.repo.candidates(request, self.settings.candidate_limit)
            for candidate in domain.rank(request, candidates):
                if await self.repo.reserve(candidate, request.request_id):
                    supporter = candidate
                    break
        if supporter is None:
            return False

        match_id = deterministic_id("match", request.request_id)
        proposed = MatchProposed.new(
            id=deterministic_id("match.proposed", match_id),
            subject=match_id,
            source=f"kindred/{self.settings.service_name}",
            correlationid=stored["correlation_id"],
            causationid=stored["event_id"],
            data=MatchProposedData(
                match_id=match_id,
                request_id=request.request_id,
                seeker_id=request.seeker_id,
                supporter_id=supporter.member_id,
                shared_topics=sorted(supporter.shared_topics(request)),
                language=request.language,
            ),
        )
        doc = await self.repo.record_proposal(
            request.request_id, supporter.member_id, match_id, outbox_fields(proposed)
        )
        if doc is None:  # another delivery recorded a proposal meanwhile
            await self.repo.release(supporter.member_id, request.request_id)
            return False
        await self.outbox.flush_document(self.repo.requests, doc)
        matches_proposed.inc()
        log.info("match proposed", extra={"request_id": request.request_id, "match_id": match_id})
        return True


def register(
    broker: KafkaBroker, settings: MatchingSettings, repo: MatchingRepository, matcher: Matcher
) -> None:
    @subscribe(broker, settings, ProfileSubmitted)
    async def on_profile_submitted(event: ProfileSubmitted) -> None:
        applied = await repo.save_profile(event)
        record_handled(settings, event, "applied" if applied else "skipped")

    @subscribe(broker, settings, SupportRequested)
    async def on_support_requested(event: SupportRequested) -> None:
        await matcher.on_support_requested(event)
