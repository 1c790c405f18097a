"""What matching does with each event of the partitions it owns.

Two kinds of partition meet here. A member's partition (profiles, requests, safety episodes,
roles, blocks, a member's steps in a match or a group) hands each event on, unchanged, to the
partition of the member's pool (`PoolInput`, keyed by the pool id). The pool's partition, owned
by one replica, holds the whole pool in memory (`domain.pool`): it applies each input, runs the
global assignment every batch window (`tick`), and stores what changed as the next version of
each document (see `repository`). Business rules live in `domain`; collections and codecs in
`repository`; this module turns what the pool did into stored versions and events.
"""

from __future__ import annotations

import logging
import math
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from kindred.events.casework import MemberModerated, SupporterPauseSet
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
    Referral,
    Seeker,
    SupporterRoleSet,
    SupportRequested,
    SupportRequestedData,
    SupportRequestRefused,
    SupportRequestRefusedData,
    SupportRequestWaiting,
    SupportRequestWaitingData,
    as_pool_input,
)
from kindred.events.members import ProfileSubmitted
from kindred.events.safety import SafetyEpisodeClosed, SafetyEpisodeOpened
from kindred.matching.domain.assignment import assign
from kindred.matching.domain.model import Offering, Outcome, Seeking
from kindred.matching.domain.placement import pool_for
from kindred.matching.domain.pool import (
    LIVE,
    Effects,
    Group,
    Match,
    Member,
    Pool,
    Proposed,
    Referred,
    Request,
    pair,
)
from kindred.matching.metrics import (
    batch_seconds,
    match_steps,
    matches_proposed,
    matching_supporters,
    open_requests,
    rematches,
    requests_referred,
    requests_refused,
    requests_waiting,
    supporters_by_load,
    time_to_match,
    time_to_proposal,
    unmatched_requests,
)
from kindred.matching.repository import (
    BLOCKS,
    GROUPS,
    HELD,
    MATCHES,
    MEMBERS,
    PLACEMENTS,
    REQUESTS,
    STORES,
    Block,
    Held,
    Placement,
    Pooled,
)
from kindred.matching.settings import MatchingSettings
from kindred.partitions.processor import Changes, Solve
from kindred.partitions.store import Tables

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
    MemberModerated,
    SupporterPauseSet,
)
_BY_TYPE: dict[str, type[Envelope[Any]]] = {
    t.model_fields["type"].default: t for t in MEMBER_EVENTS
}
# A seeker's steps that reach the pools their requests were referred to as well.
FORWARDED = (
    ProfileSubmitted,
    SafetyEpisodeOpened,
    SafetyEpisodeClosed,
    MemberBlocked,
    MatchActionRequested,
    MemberModerated,
)
_STEP_EVENTS: dict[str, type[Envelope[MatchChangedData]]] = {
    "accepted": MatchAccepted,
    "declined": MatchDeclined,
    "expired": MatchExpired,
    "ended": MatchEnded,
}
LOAD_SHARES = ("0", "under half", "half or more", "full")
GAUGES_EVERY_SECONDS = 2.0


@dataclass
class Stored:
    """A pool's stored things, as a rebuild reads them (the newest version of each)."""

    members: list[Member] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    matches: list[Match] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)


# Inputs to a pool are counted over about this long (an exponentially weighted rate).
ARRIVALS_HORIZON_SECONDS = 1.0


class Arrivals:
    """The rate of a pool's inputs, per second, smoothed over `ARRIVALS_HORIZON_SECONDS`."""

    def __init__(self) -> None:
        self._rate = 0.0
        self._at: datetime | None = None

    def rate(self, now: datetime) -> float:
        if self._at is None:
            return 0.0
        elapsed = max(0.0, (now - self._at).total_seconds())
        return self._rate * math.exp(-elapsed / ARRIVALS_HORIZON_SECONDS)

    def add(self, now: datetime) -> None:
        self._rate = self.rate(now) + 1.0 / ARRIVALS_HORIZON_SECONDS
        self._at = now if self._at is None else max(self._at, now)


@dataclass
class Batch:
    """One pool's assignment, as a `Solve`: the waiting requests and the supporters with room,
    taken from the pool on the event loop; `run` solves them on a worker thread (it touches
    nothing else); `finish` hands the outcome back to the processor."""

    matching: Matching
    pool: Pool
    partition: int
    now: datetime
    seekings: list[Seeking]
    held: dict[str, str]
    offerings: list[Offering]
    outcome: Outcome | None = None
    seconds: float = 0.0

    def run(self) -> None:
        started = time.perf_counter()
        self.outcome = assign(self.seekings, self.offerings, self.matching.pool_settings.engine)
        self.seconds = time.perf_counter() - started

    def finish(self, changes: Changes) -> None:
        self.matching.finish(self, changes)


def inner_event(data: dict[str, Any]) -> Envelope[Any]:
    """The member event a pool input carries (a wrong one fails validation: dead letter)."""
    kind = _BY_TYPE.get(str(data.get("type")))
    if kind is None:
        raise ValueError(f"type: {data.get('type')!r} is not an event a pool takes")
    return kind.model_validate(data)


def apply(pool: Pool, inner: Envelope[Any], now: datetime) -> None:
    """A member's event, handed on to their pool, applied to it."""
    match inner:
        case ProfileSubmitted():
            pool.profile(inner.data, inner.time)
        case SupportRequested():
            pool.request(inner.data, inner.id, inner.correlationid, now)
        case SafetyEpisodeOpened():
            pool.episode_opened(inner.data.member_id, inner.data.episode_id, now)
        case SafetyEpisodeClosed():
            pool.episode_closed(inner.data.member_id, inner.data.episode_id)
        case MemberBlocked():
            pool.block(inner.data, now)
        case MatchActionRequested():
            pool.action(inner.data, now, inner.time)
        case GroupActionRequested():
            pool.group_action(inner.data, inner.id, now, inner.time)
        case _:
            apply_standing(pool, inner, now)


def apply_standing(pool: Pool, inner: Envelope[Any], now: datetime) -> None:
    """Staff's say on a member: the supporter role, a moderator's action, a pause."""
    match inner:
        case SupporterRoleSet():
            pool.role(inner.data, inner.time)
        case MemberModerated():
            pool.moderated(inner.data, now)
        case SupporterPauseSet():
            pool.pause(inner.data)


class Matching:
    """The matching processor: the pools of the partitions this replica owns."""

    events: tuple[type[Envelope[Any]], ...] = (*MEMBER_EVENTS, PoolInput)
    stores = STORES

    def __init__(self, settings: MatchingSettings) -> None:
        self.settings = settings
        self.source = f"kindred/{settings.service_name}"
        self.pool_settings = settings.pool_settings()
        self.pools: dict[int, dict[str, Pool]] = {}
        # When each pool's last batch was made, and how often inputs reach it.
        self.batched_at: dict[tuple[int, str], datetime] = {}
        self.arrivals: dict[tuple[int, str], Arrivals] = {}
        self.gauged_at = 0.0

    def new_pool(self, pool_id: str) -> Pool:
        return Pool(pool_id, self.pool_settings)

    # ---------------------------------------------------------------- ownership

    def load(self, partition: int, tables: Tables) -> None:
        """The pools whose key falls in `partition`, rebuilt from the newest version of each
        of their documents (every one: the requests and matches that are over too)."""
        found: dict[str, Stored] = defaultdict(Stored)
        for member in tables[MEMBERS]:
            found[member.pool].members.append(member.item)
        for request in tables[REQUESTS]:
            found[request.pool].requests.append(request.item)
        for match in tables[MATCHES]:
            found[match.pool].matches.append(match.item)
        for block in tables[BLOCKS]:
            found[block.pool].blocks.append(block.item)
        for group in tables[GROUPS]:
            found[group.pool].groups.append(group.item)
        pools: dict[str, Pool] = {}
        for pool_id, stored in found.items():
            pool = pools[pool_id] = self.new_pool(pool_id)
            matches = stored.matches
            pool.restore(
                members=stored.members,
                requests=[r for r in stored.requests if r.status in ("open", "proposed")],
                seen=[r.request_id for r in stored.requests],
                matches=[m for m in matches if m.state in LIVE],
                blocks={(b.a, b.b): b.until for b in stored.blocks},
                reported=[pair(m.seeker_id, m.supporter_id) for m in matches if m.reported],
                groups=stored.groups,
                proposed=[Proposed(m.supporter_id, m.proposed_at) for m in matches],
            )
            pool.fill_vectors()
        self.pools[partition] = pools
        self._gauges()

    def drop(self, partition: int) -> None:
        self.pools.pop(partition, None)
        for key in [k for k in self.batched_at if k[0] == partition]:
            del self.batched_at[key]
        for key in [k for k in self.arrivals if k[0] == partition]:
            del self.arrivals[key]
        self._gauges()

    # ---------------------------------------------------------------- events

    def handle(self, partition: int, event: Envelope[Any], changes: Changes) -> None:
        if not isinstance(event, PoolInput):
            self._hand_on(event, changes)  # a member's partition
            return
        data = event.data
        pools = self.pools.setdefault(partition, {})
        pool = pools.get(data.pool)
        if pool is None:
            pool = pools[data.pool] = self.new_pool(data.pool)
        inner = inner_event(data.event)
        if data.referral is not None:
            if not isinstance(inner, SupportRequested):
                raise ValueError(f"event: a referral carries a support request, not {inner.type}")
            pool.referred(inner.data, data.referral, inner.id, inner.correlationid)
        else:
            apply(pool, inner, changes.now)
        self.arrivals.setdefault((partition, pool.pool_id), Arrivals()).add(changes.now)
        self._commit(pool, partition, changes, inner)
        if data.referral is None and data.forwarded_from is None:
            self._forward(pool, inner, changes)

    def _hand_on(self, event: Envelope[Any], changes: Changes) -> None:
        """A member's event, handed on to their pool (`domain.placement`). While members are
        split into pools, a member's first profile places them; their events before it (the
        topics keep no order between them: a role granted just after a profile may come
        first) wait in `HELD` and follow the profile to its pool, in order."""
        key = self.settings.matching_pool_key
        if key == "none":
            changes.emit(as_pool_input(event, self.settings.matching_pool, self.source))
            return
        member_id = event.subject
        placed = changes.get(PLACEMENTS, member_id)
        if placed is not None:
            changes.emit(as_pool_input(event, placed.pool, self.source))
            return
        held = changes.get(HELD, member_id)
        if not isinstance(event, ProfileSubmitted):
            held = held or Held(member_id, [])
            held.events.append(event.model_dump(mode="json"))
            changes.put(HELD, held)
            return
        pool_id = pool_for(event.data, key, self.settings.matching_pool)
        changes.put(PLACEMENTS, Placement(member_id, pool_id))
        changes.emit(as_pool_input(event, pool_id, self.source))
        if held is not None:
            for data in held.events:
                changes.emit(as_pool_input(inner_event(data), pool_id, self.source))
            changes.delete(HELD, member_id)

    def _forward(self, pool: Pool, inner: Envelope[Any], changes: Changes) -> None:
        """A step of a seeker whose request went to neighbouring pools goes there too: their
        match there, their profile, a block, a safety episode, a moderator's action."""
        member = pool.members.get(inner.subject)
        if member is None or not member.referred_to or not isinstance(inner, FORWARDED):
            return
        for target in sorted(member.referred_to):
            changes.emit(as_pool_input(inner, target, self.source, forwarded_from=pool.pool_id))

    def tick(self, partition: int, changes: Changes) -> None:
        """Expire unanswered proposals (the batches themselves are `solves`)."""
        expiring: dict[str, list[str]] = defaultdict(list)
        for proposal in changes.due(MATCHES):
            expiring[proposal.pool].append(proposal.item.match_id)
        for pool in self.pools.get(partition, {}).values():
            pool.expire(expiring.get(pool.pool_id, ()), changes.now)
            self._tell_waiting(pool, changes)
            self._commit(pool, partition, changes, None)
        # The gauges go through every supporter: every few seconds is plenty for a scrape.
        clock = time.monotonic()
        if clock - self.gauged_at >= GAUGES_EVERY_SECONDS:
            self.gauged_at = clock
            changes.then(self._gauges)

    def window(self, partition: int, pool_id: str, now: datetime) -> float:
        """How long a change waits for the pool's next batch: nothing while the pool is quiet,
        widening with the rate of its inputs up to `MATCH_BATCH_SECONDS`, reached at
        `MATCH_BATCH_FULL_RATE` inputs a second (group commit: the busier the pool, the more
        each batch weighs at once)."""
        arrivals = self.arrivals.get((partition, pool_id))
        rate = arrivals.rate(now) if arrivals else 0.0
        full = self.settings.match_batch_full_rate
        return self.settings.match_batch_seconds * min(1.0, rate / full)

    def solves(self, partition: int, changes: Changes) -> list[Solve]:
        """A batch for each pool of the partition that is due: something changed and the
        window passed (or an urgent request waits, or the re-match interval passed)."""
        out: list[Solve] = []
        now = changes.now
        for pool in self.pools.get(partition, {}).values():
            if not pool.open:
                continue
            key = (partition, pool.pool_id)
            last = self.batched_at.get(key)
            since = (now - last).total_seconds() if last is not None else float("inf")
            due = (
                pool.urgent_waiting
                or (pool.stale and since >= self.window(partition, pool.pool_id, now))
                or since >= self.settings.rematch_interval_seconds
            )
            if due:
                self.batched_at[key] = now
                out.append(self._batch(pool, partition, now))
        return out

    def _batch(self, pool: Pool, partition: int, now: datetime) -> Batch:
        seekings, held = pool.waiting(now)
        return Batch(self, pool, partition, now, seekings, held, pool.offerings(now))

    def finish(self, batch: Batch, changes: Changes) -> None:
        """A solved batch: its proposals into the pool, and what changed into `changes`."""
        pool, outcome = batch.pool, batch.outcome
        assert outcome is not None, "run first"
        made = pool.apply(outcome, batch.held, batch.now, self.settings.max_proposals_per_batch)
        pool.refer(self.settings.matching_pool_neighbours.get(pool.pool_id, ()), batch.now)
        took = batch.seconds
        changes.then(partial(batch_seconds.observe, took))
        if outcome.cut_short:
            cut = {"pool": pool.pool_id, "seconds": round(took, 3), "proposed": made}
            changes.then(partial(log.warning, "batch solve cut short at its budget", extra=cut))
        if made or outcome.unmatched:
            extra = {
                "pool": pool.pool_id,
                "waiting": len(batch.seekings),
                "held_out": len(batch.held),
                "supporters_with_room": len(batch.offerings),
                "proposed": made,
                "seconds": round(took, 3),
            }
            changes.then(partial(log.info, "batch assigned", extra=extra))
        self._commit(pool, batch.partition, changes, None)

    def _tell_waiting(self, pool: Pool, changes: Changes) -> None:
        """The requests that waited past a threshold: their seekers are told where they stand
        (and staff, past the longest wait). The id follows from the request and the stage, so a
        replay of the same batch sends nothing twice."""
        for notice in pool.waits_to_tell(changes.now):
            r = notice.request
            changes.emit(
                SupportRequestWaiting.new(
                    id=deterministic_id("support.request-waiting", r.request_id, notice.stage),
                    subject=r.seeker_id,
                    source=self.source,
                    correlationid=r.correlation_id,
                    causationid=r.event_id,
                    data=SupportRequestWaitingData(
                        request_id=r.request_id,
                        seeker_id=r.seeker_id,
                        topics=sorted(r.topics),
                        language=r.language,
                        urgency=r.urgency,
                        stage=notice.stage,
                        reason=notice.reason,
                        waited_seconds=round(notice.waited_seconds, 3),
                        ahead=notice.ahead,
                    ),
                )
            )
            changes.then(requests_waiting.labels(notice.stage.value, notice.reason).inc)

    # ---------------------------------------------------------------- effects → changes

    def _commit(
        self, pool: Pool, partition: int, changes: Changes, cause: Envelope[Any] | None
    ) -> None:
        """What the pool did: the next version of everything it changed, and the events."""
        effects = pool.take_effects()
        at = pool.pool_id
        for m in effects.members.values():
            changes.put(MEMBERS, Pooled(at, m))
        for r in effects.requests.values():
            changes.put(REQUESTS, Pooled(at, r))
        for match in effects.matches.values():
            changes.put(MATCHES, Pooled(at, match))
        for (a, b), until in effects.blocks.items():
            changes.put(BLOCKS, Pooled(at, Block(a, b, until)))
        for g in effects.groups.values():
            changes.put(GROUPS, Pooled(at, g))
        self._events(pool, effects, changes, cause)

    def _events(
        self, pool: Pool, effects: Effects, changes: Changes, cause: Envelope[Any] | None
    ) -> None:
        for step, match in effects.steps:
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
        for referred in effects.referred:
            changes.emit(self._referral(pool, referred))
            changes.then(partial(requests_referred.labels(pool.pool_id, referred.to).inc))
        for about, member_id, why in effects.ignored:
            extra = {"match_id": about, "member_id": member_id, "why": why}
            changes.then(partial(log.warning, "step refused", extra=extra))

    def _referral(self, pool: Pool, referred: Referred) -> PoolInput:
        r, seeker = referred.request, referred.seeker
        assert seeker.profile_time is not None and seeker.age_band is not None
        request = SupportRequested.new(
            id=r.event_id,
            subject=r.seeker_id,
            source=self.source,
            correlationid=r.correlation_id,
            data=SupportRequestedData(
                request_id=r.request_id,
                seeker_id=r.seeker_id,
                topics=sorted(r.topics),
                whats_going_on=r.text,
                language=r.language,
                urgency=r.urgency,
            ),
        )
        referral = Referral(
            from_pool=pool.pool_id,
            onward=list(referred.onward),
            seeker=Seeker(
                member_id=seeker.member_id,
                profile_time=seeker.profile_time,
                languages=sorted(seeker.languages),
                topics=sorted(seeker.topics),
                age_band=seeker.age_band,
                availability=format(seeker.availability, "x"),
                text=seeker.text,
            ),
            received_at=r.received_at,
            excluded=sorted(referred.excluded),
            attempts=r.attempts,
        )
        return as_pool_input(request, referred.to, self.source, referral=referral)

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
