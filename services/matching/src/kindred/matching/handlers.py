"""What matching does with each event of the partitions it owns.

Two kinds of partition meet here. A member's partition (profiles, requests, safety episodes,
roles, blocks, a member's steps in a match or a group) hands each event on, unchanged, to the
partition of the member's pool (`PoolInput`, keyed by the pool id). The pool's partition, owned
by one replica, holds the whole pool in memory (`domain.pool`): it applies each input, runs the
global assignment every batch window (`tick`), and stores what changed as the next version of
each document (see `repository`). Business rules
live in `domain`; documents in `repository`.
"""

from __future__ import annotations

import logging
import time
from functools import partial
from typing import Any

from kindred.events.envelope import Envelope, deterministic_id
from kindred.events.matching import (
    GroupActionRequested,
    GroupMembershipChanged,
    GroupMembershipChangedData,
    MatchAccepted,
    MatchActionRequested,
    MatchChangedData,
    MatchDeclined,
    MatchEnded,
    MatchExpired,
    MatchProposed,
    MatchProposedData,
    MemberBlocked,
    PoolInput,
    SupporterRoleSet,
    SupportRequested,
    SupportRequestRefused,
    SupportRequestRefusedData,
    as_pool_input,
)
from kindred.events.members import ProfileSubmitted
from kindred.events.safety import SafetyEpisodeClosed, SafetyEpisodeOpened
from kindred.matching import repository as store
from kindred.matching.domain.assignment import assign
from kindred.matching.domain.pool import Effects, Match, Pool
from kindred.matching.repository import MatchingRepository, Where
from kindred.matching.settings import MatchingSettings
from kindred.observability.metrics import (
    batch_seconds,
    match_steps,
    matches_proposed,
    matching_supporters,
    open_requests,
    rematches,
    requests_refused,
    supporters_by_load,
    time_to_match,
    time_to_proposal,
    unmatched_requests,
)
from kindred.partitions.processor import Changes
from kindred.storage.mongo import Document

log = logging.getLogger(__name__)

# The events of a member's partition that matter to their pool.
MEMBER_EVENTS: tuple[type[Envelope[Any]], ...] = (
    ProfileSubmitted,
    SupportRequested,
    SafetyEpisodeOpened,
    SafetyEpisodeClosed,
    SupporterRoleSet,
    MemberBlocked,
    MatchActionRequested,
    GroupActionRequested,
)
_BY_TYPE: dict[str, type[Envelope[Any]]] = {
    t.model_fields["type"].default: t for t in MEMBER_EVENTS
}
_STEP_EVENTS: dict[str, type[Envelope[MatchChangedData]]] = {
    "accepted": MatchAccepted,
    "declined": MatchDeclined,
    "expired": MatchExpired,
    "ended": MatchEnded,
}
LOAD_SHARES = ("0", "under half", "half or more", "full")
GAUGES_EVERY_SECONDS = 2.0


def inner_event(data: dict[str, Any]) -> Envelope[Any]:
    """The member event a pool input carries (a wrong one fails validation: dead letter)."""
    kind = _BY_TYPE.get(str(data.get("type")))
    if kind is None:
        raise ValueError(f"type: {data.get('type')!r} is not an event a pool takes")
    return kind.model_validate(data)


class Matching:
    """The matching processor: the pools of the partitions this replica owns."""

    events: tuple[type[Envelope[Any]], ...] = (*MEMBER_EVENTS, PoolInput)

    def __init__(self, settings: MatchingSettings, repo: MatchingRepository) -> None:
        self.settings = settings
        self.repo = repo
        self.source = f"kindred/{settings.service_name}"
        self.pool_settings = settings.pool_settings()
        self.pools: dict[int, dict[str, Pool]] = {}
        self.batched_at: dict[tuple[int, str], float] = {}
        self.gauged_at = 0.0

    def new_pool(self, pool_id: str) -> Pool:
        return Pool(pool_id, self.pool_settings)

    # ---------------------------------------------------------------- ownership

    async def load(self, partition: int) -> None:
        self.pools[partition] = await self.repo.load_pools(partition, self.new_pool)
        self._gauges()

    def drop(self, partition: int) -> None:
        self.pools.pop(partition, None)
        for key in [k for k in self.batched_at if k[0] == partition]:
            del self.batched_at[key]
        self._gauges()

    # ---------------------------------------------------------------- events

    def handle(self, partition: int, event: Envelope[Any], changes: Changes) -> None:
        if not isinstance(event, PoolInput):
            # A member's partition: hand it on to the pool (one pool for now, see settings).
            changes.emit(as_pool_input(event, self.settings.matching_pool, self.source))
            return
        pools = self.pools.setdefault(partition, {})
        pool = pools.get(event.data.pool)
        if pool is None:
            pool = pools[event.data.pool] = self.new_pool(event.data.pool)
        inner = inner_event(event.data.event)
        now = changes.now
        match inner:
            case ProfileSubmitted():
                pool.profile(inner.data, inner.time)
            case SupportRequested():
                pool.request(inner.data, inner.id, inner.correlationid, now)
            case SafetyEpisodeOpened():
                pool.episode_opened(inner.data.member_id, inner.data.episode_id, now)
            case SafetyEpisodeClosed():
                pool.episode_closed(inner.data.member_id, inner.data.episode_id)
            case SupporterRoleSet():
                pool.role(inner.data, inner.time)
            case MemberBlocked():
                pool.block(inner.data, now)
            case MatchActionRequested():
                pool.action(inner.data, now)
            case GroupActionRequested():
                pool.group_action(inner.data, inner.id, now)
        self._commit(pool, partition, changes, inner)

    def tick(self, partition: int, changes: Changes) -> None:
        """Expire unanswered proposals; run the assignment when the batch window is over and
        something changed (or an urgent request waits, or the re-match interval passed)."""
        for pool in self.pools.get(partition, {}).values():
            now = changes.now
            pool.expire(now)
            key = (partition, pool.pool_id)
            clock = time.monotonic()
            since = clock - self.batched_at.get(key, 0.0)
            due = (
                pool.urgent_waiting
                or (pool.stale and since >= self.settings.match_batch_seconds)
                or since >= self.settings.rematch_interval_seconds
            )
            if due and pool.open:
                self.batched_at[key] = clock
                self._batch(pool, partition, changes)
            self._commit(pool, partition, changes, None)
        # The gauges go through every supporter: every few seconds is plenty for a scrape.
        clock = time.monotonic()
        if clock - self.gauged_at >= GAUGES_EVERY_SECONDS:
            self.gauged_at = clock
            changes.then(self._gauges)

    def _batch(self, pool: Pool, partition: int, changes: Changes) -> None:
        now = changes.now
        started = time.perf_counter()
        seekings, held = pool.waiting(now)
        offerings = pool.offerings(now)
        outcome = assign(seekings, offerings, self.pool_settings.engine)
        made = pool.apply(outcome, held, now, self.settings.max_proposals_per_batch)
        took = time.perf_counter() - started
        changes.then(partial(batch_seconds.observe, took))
        if made or outcome.unmatched:
            changes.then(
                lambda: log.info(
                    "batch assigned",
                    extra={
                        "pool": pool.pool_id,
                        "waiting": len(seekings),
                        "held_out": len(held),
                        "supporters_with_room": len(offerings),
                        "proposed": made,
                        "seconds": round(took, 3),
                    },
                )
            )

    # ---------------------------------------------------------------- effects → changes

    def _commit(
        self, pool: Pool, partition: int, changes: Changes, cause: Envelope[Any] | None
    ) -> None:
        effects = pool.take_effects()
        at = Where(pool.pool_id, partition)
        for m in effects.members.values():
            self._store(pool, changes, store.MEMBERS, store.member_doc(m, at))
        for r in effects.requests.values():
            self._store(pool, changes, store.REQUESTS, store.request_doc(r, at))
        for match in effects.matches.values():
            self._store(pool, changes, store.MATCHES, store.match_doc(match, at))
        for key, until in effects.blocks.items():
            self._store(pool, changes, store.BLOCKS, store.block_doc(key, until, at))
        for g in effects.groups.values():
            self._store(pool, changes, store.GROUPS, store.group_doc(g, at))
        self._events(pool, effects, changes, cause)

    def _store(self, pool: Pool, changes: Changes, collection: str, doc: Document) -> None:
        """The next version of a document (see `repository`)."""
        key = (collection, doc["_id"])
        pool.versions[key] = pool.versions.get(key, 0) + 1
        changes.insert(collection, store.versioned(doc, pool.versions[key]))

    def _events(
        self, pool: Pool, effects: Effects, changes: Changes, cause: Envelope[Any] | None
    ) -> None:
        for step, match in effects.events:
            if step == "proposed":
                changes.emit(self._proposed(pool, match))
                waited = (match.proposed_at - match.requested_at).total_seconds()
                changes.then(matches_proposed.inc)
                if match.attempt == 1:
                    changes.then(partial(time_to_proposal.observe, waited))
                else:
                    changes.then(rematches.inc)
            else:
                kind = _STEP_EVENTS[step]
                changes.emit(
                    kind.new(
                        id=deterministic_id(kind.TOPIC, match.match_id),
                        subject=match.match_id,
                        source=self.source,
                        caused_by=cause,
                        correlationid=None if cause else match.match_id,
                        data=MatchChangedData(
                            match_id=match.match_id,
                            request_id=match.request_id,
                            seeker_id=match.seeker_id,
                            supporter_id=match.supporter_id,
                            by=match.by or "matching",
                            reason=match.reason,
                            rating=match.rating,
                            reported=match.reported,
                        ),
                    )
                )
                changes.then(match_steps.labels(step).inc)
                if step == "accepted" and match.changed_at is not None:
                    waited = (match.changed_at - match.requested_at).total_seconds()
                    changes.then(partial(time_to_match.observe, waited))
        for request in effects.refused:
            reason = request.reason or "refused"
            changes.emit(
                SupportRequestRefused.new(
                    id=deterministic_id("support.request-refused", request.request_id),
                    subject=request.seeker_id,
                    source=self.source,
                    caused_by=cause,
                    data=SupportRequestRefusedData(
                        request_id=request.request_id, seeker_id=request.seeker_id, reason=reason
                    ),
                )
            )
            changes.then(requests_refused.labels(reason).inc)
        for group, member_id, joined in effects.group_changes:
            changes.emit(
                GroupMembershipChanged.new(
                    id=deterministic_id(
                        "group", group.group_id, member_id, str(joined), cause.id if cause else ""
                    ),
                    subject=group.group_id,
                    source=self.source,
                    caused_by=cause,
                    data=GroupMembershipChangedData(
                        group_id=group.group_id,
                        topic=group.topic,
                        language=group.language,
                        member_id=member_id,
                        joined=joined,
                        members=list(group.members),
                        formed=group.formed(self.pool_settings.group_min),
                    ),
                )
            )
        for match_id, member_id, why in effects.ignored:
            extra = {"match_id": match_id, "member_id": member_id, "why": why}
            changes.then(partial(log.warning, "step refused", extra=extra))

    def _proposed(self, pool: Pool, match: Match) -> MatchProposed:
        request = pool.requests.get(match.request_id)
        return MatchProposed.new(
            id=deterministic_id("match.proposed", match.match_id),
            subject=match.match_id,
            source=self.source,
            correlationid=request.correlation_id if request else match.match_id,
            causationid=request.event_id if request else None,
            data=MatchProposedData(
                match_id=match.match_id,
                request_id=match.request_id,
                seeker_id=match.seeker_id,
                supporter_id=match.supporter_id,
                shared_topics=match.shared_topics,
                language=match.language,
                score=round(min(1.0, max(0.0, match.score)), 4),
                breakdown=match.breakdown,
                expires_at=match.expires_at,
                attempt=match.attempt,
            ),
        )

    # ---------------------------------------------------------------- gauges

    def _gauges(self) -> None:
        backlog: dict[str, int] = {}
        shares = dict.fromkeys(LOAD_SHARES, 0)
        supporters = opened = 0
        for pools in self.pools.values():
            for pool in pools.values():
                for reason, n in pool.backlog().items():
                    backlog[reason] = backlog.get(reason, 0) + n
                opened += len(pool.requests)
                for m in pool.supporters.values():
                    supporters += 1
                    used = len(m.holds) / m.capacity if m.capacity else 1.0
                    share = (
                        "0"
                        if used == 0
                        else "under half"
                        if used < 0.5
                        else "half or more"
                        if used < 1
                        else "full"
                    )
                    shares[share] += 1
        unmatched_requests.clear()
        for reason, n in backlog.items():
            unmatched_requests.labels(reason).set(n)
        for share, n in shares.items():
            supporters_by_load.labels(share).set(n)
        matching_supporters.set(supporters)
        open_requests.set(opened)
