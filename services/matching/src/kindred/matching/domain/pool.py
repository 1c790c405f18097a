"""A matching pool: every open request, supporter, match, block and peer group that compete for
one another, held in memory by the one replica that owns the pool's partition. No I/O.

Everything that takes or frees a supporter's slot happens here, in one place and in order:
a proposal takes a slot (`holds`), a decline, an expiry, a withdrawal or an end frees it, and a
match changes state only from the state the step expects, so a step that arrives twice, or
late, changes nothing. The pool records what changed (`Effects`): the handler turns that into
documents and events.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import ClassVar, Literal, NamedTuple

from kindred.events.casework import MemberModeratedData, ModerationAction, SupporterPauseSetData
from kindred.events.envelope import deterministic_id
from kindred.events.matching import (
    GroupActionRequestedData,
    MatchAction,
    MatchActionRequestedData,
    MatchEnd,
    MemberBlockedData,
    Referral,
    SupporterRoleSetData,
    SupportRequestedData,
    WaitStage,
)
from kindred.events.members import ProfileSubmittedData
from kindred.events.vocabulary import AgeBand, Role, Topic, Urgency
from kindred.matching.domain.availability import week_mask
from kindred.matching.domain.model import (
    ANY_TIME,
    MINOR,
    NO_CAPACITY,
    NO_ELIGIBLE,
    NO_LANGUAGE,
    NO_PROFILE,
    SAFETY_EPISODE,
    EngineConfig,
    Offering,
    Outcome,
    Seeking,
    Vector,
)
from kindred.matching.domain.text import embed

MatchState = Literal["proposed", "active", "declined", "expired", "ended"]
# "referred": no supporter of this pool could take it, and it went to a neighbouring pool.
RequestStatus = Literal["open", "proposed", "matched", "closed", "refused", "referred"]
LIVE: frozenset[str] = frozenset({"proposed", "active"})  # the states that hold a slot
OPEN_REQUEST_LIMIT = "open-request-limit"
SUSPENDED = "suspended"  # a moderator suspended the member's matching (or supporting)
# Why matching withdrew a supporter's pending proposal (with SUSPENDED and SAFETY_EPISODE):
ROLE_WITHDRAWN = "role-withdrawn"  # staff withdrew the role, or their profile stopped offering
PAUSED = "paused"  # a supporter admin paused them
NO_ANSWER = "no answer in time"
OUTDATED = "older than their last step in this group"
# Safety episodes closed lately a member keeps (the newest): an open handled after its close
# (their topics are not ordered with each other) is recognised and does not hold them out.
CLOSED_EPISODES_KEPT = 16
URGENCY_RANK = {Urgency.HIGH: 0, Urgency.NORMAL: 1, Urgency.LOW: 2}
HELD_OUT = frozenset({NO_PROFILE, SAFETY_EPISODE, MINOR})  # held before the engine sees them
_STAGE_RANK: dict[WaitStage | None, int] = {WaitStage.NOTICE: 0, WaitStage.OVERDUE: 1}


@dataclass(frozen=True)
class PoolSettings:
    engine: EngineConfig = field(default_factory=EngineConfig)
    proposal_ttl: timedelta = timedelta(hours=24)
    cooldown: timedelta = timedelta(hours=72)
    open_requests_per_seeker: int = 3
    fairness_window: timedelta = timedelta(days=7)
    group_min: int = 4
    group_max: int = 8
    # A request waiting this long is told where it stands (None: never), and past
    # `max_wait` staff are told too (None: never).
    wait_notice: timedelta | None = timedelta(hours=24)
    max_wait: timedelta | None = timedelta(hours=72)


@dataclass
class Member:
    member_id: str
    profile_time: datetime | None = None
    languages: frozenset[str] = frozenset()
    topics: frozenset[Topic] = frozenset()
    opted_out: frozenset[Topic] = frozenset()
    age_band: AgeBand | None = None
    availability: int = ANY_TIME
    text: str = ""
    capacity: int = 0
    offers_support: bool = False  # their profile says they want to support
    granted: bool = False  # staff granted the supporter role
    minors_cleared: bool = False
    role_time: datetime | None = None
    # Moderation: no new requests or group joins; never proposed as a supporter.
    suspended_matching: bool = False
    suspended_supporting: bool = False
    moderated_at: datetime | None = None
    paused: bool = False  # a supporter admin paused them: no new proposals
    paused_at: datetime | None = None
    episodes: set[str] = field(default_factory=set)  # open safety episodes
    closed_episodes: tuple[str, ...] = ()  # closed lately, oldest first (CLOSED_EPISODES_KEPT)
    cooldown_until: datetime | None = None
    holds: set[str] = field(default_factory=set)  # live matches holding one of their slots
    seeking: set[str] = field(default_factory=set)  # live matches of their own requests
    # When they were proposed lately (the fairness part); not stored: a rebuild takes it from
    # the matches.
    proposals: list[datetime] = field(default_factory=list)
    open_requests: set[str] = field(default_factory=set)
    # Neighbouring pools a request of theirs was referred to: their steps are forwarded there.
    referred_to: set[str] = field(default_factory=set)
    vector: Vector | None = None

    @property
    def minor(self) -> bool:
        return self.age_band == AgeBand.A13_17

    @property
    def is_supporter(self) -> bool:
        """Both: their profile offers support, and staff granted the role (and no moderator
        suspended their supporting)."""
        return (
            self.profile_time is not None
            and self.offers_support
            and self.granted
            and not self.suspended_supporting
        )

    def may_take_more(self, now: datetime) -> bool:
        """A new match now: a supporter with room, not paused, not cooling down, not in a
        safety episode of their own."""
        cooling = self.cooldown_until is not None and now < self.cooldown_until
        return (
            self.is_supporter
            and not self.paused
            and not cooling
            and not self.episodes
            and len(self.holds) < self.capacity
        )


@dataclass
class Request:
    request_id: str
    seeker_id: str
    topics: frozenset[Topic]
    language: str
    urgency: Urgency
    text: str
    received_at: datetime
    event_id: str
    correlation_id: str
    status: RequestStatus = "open"
    excluded: set[str] = field(default_factory=set)  # declined it, or let it expire
    attempts: int = 0
    match_id: str | None = None
    reason: str | None = None  # why it waits, as of the last batch
    # Referred here by the pool `home`, with the pools to offer it to next (`onward`).
    home: str | None = None
    onward: tuple[str, ...] = ()
    vector: Vector | None = None
    told: WaitStage | None = None  # the last wait stage its seeker was told of


@dataclass
class Match:
    match_id: str
    request_id: str
    seeker_id: str
    supporter_id: str
    attempt: int
    language: str
    shared_topics: list[Topic]
    score: float
    breakdown: dict[str, float]
    proposed_at: datetime
    expires_at: datetime
    requested_at: datetime  # when the request arrived (time to match counts from it)
    state: MatchState = "proposed"
    changed_at: datetime | None = None
    by: str | None = None
    reason: str | None = None
    rating: int | None = None
    feedback: str = ""
    reported: bool = False


class Stamp(NamedTuple):
    """When a member's step (a join, a leave) was sent, and its event id."""

    at: datetime
    event_id: str

    @classmethod
    def of(cls, at: datetime, event_id: str) -> Stamp:
        # To the millisecond, as stored: a rebuilt pool compares steps as this one does.
        return cls(at.replace(microsecond=at.microsecond // 1000 * 1000), event_id)


@dataclass
class Group:
    group_id: str
    topic: Topic
    language: str
    minors: bool
    created_at: datetime
    members: list[str] = field(default_factory=list)
    # Each member's last step applied here (theirs, or a leave a block or report caused): an
    # older step, or the same one again (a replay after a takeover), changes nothing.
    steps: dict[str, Stamp] = field(default_factory=dict)

    def formed(self, minimum: int) -> bool:
        return len(self.members) >= minimum

    def outdated(self, member_id: str, step: Stamp) -> bool:
        last = self.steps.get(member_id)
        return last is not None and (last.at > step.at or last == step)


Step = Literal["proposed", "accepted", "declined", "expired", "ended"]


class MatchStep(NamedTuple):
    step: Step
    match: Match


class Proposed(NamedTuple):
    """A proposal a supporter had, and when (the fairness part counts the recent ones)."""

    supporter_id: str
    at: datetime


class Waiting(NamedTuple):
    """A batch's input: the requests the engine may match now, and why each other one waits."""

    seekings: list[Seeking]
    held: dict[str, str]


class Referred(NamedTuple):
    """A request that leaves this pool for a neighbouring one (`to`), with what that pool
    needs to take it: its seeker as this pool knows them, and whom it must not be proposed."""

    request: Request
    seeker: Member
    to: str
    onward: tuple[str, ...]
    excluded: frozenset[str]


class WaitNotice(NamedTuple):
    """A request that waited past a threshold: where it stands, for its seeker (and staff)."""

    request: Request
    stage: WaitStage
    reason: str  # why it waits, as of the last batch ("new": none ran yet)
    waited_seconds: float
    ahead: int  # open requests of its language before it: more urgent, or as urgent and older


class GroupChange(NamedTuple):
    group: Group
    member_id: str
    joined: bool  # False: left


class Ignored(NamedTuple):
    """A step refused (not a party, the wrong state), for the log."""

    about: str  # the match or group id ("group" for a join)
    member_id: str
    why: str


@dataclass
class Effects:
    """What changed since the handler last took it: things to store (their next version) and
    what to publish."""

    members: dict[str, Member] = field(default_factory=dict)
    requests: dict[str, Request] = field(default_factory=dict)
    matches: dict[str, Match] = field(default_factory=dict)
    blocks: dict[tuple[str, str], datetime | None] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    steps: list[MatchStep] = field(default_factory=list)  # in order
    refused: list[Request] = field(default_factory=list)  # over the limit, or suspended
    group_changes: list[GroupChange] = field(default_factory=list)
    ignored: list[Ignored] = field(default_factory=list)
    referred: list[Referred] = field(default_factory=list)


def pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def match_id_for(request_id: str, attempt: int) -> str:
    return deterministic_id("match", request_id, str(attempt))


class Pool:
    def __init__(self, pool_id: str, settings: PoolSettings) -> None:
        self.pool_id = pool_id
        self.settings = settings
        self.members: dict[str, Member] = {}
        self.requests: dict[str, Request] = {}  # open or proposed
        self.seen_requests: set[str] = set()  # every request id ever taken or refused
        self.matches: dict[str, Match] = {}  # live: proposed or active
        self.blocks: dict[tuple[str, str], datetime | None] = {}  # pair → until (None: forever)
        self.reported: set[tuple[str, str]] = set()
        self.groups: dict[str, Group] = {}
        self.effects = Effects()
        # Something changed that a batch could use (a new request, a freed slot, ...).
        self.stale = True
        self.urgent_waiting = False
        # Indices, kept with the state above so that a batch costs what waits, not what is live:
        self.open: dict[str, Request] = {}  # the requests waiting for a proposal
        self.supporters: dict[str, Member] = {}  # members who are supporters (`is_supporter`)
        # Member → everyone they blocked, were blocked by or share a report with (a block may
        # have run out since: `blocked` tells).
        self.shunned: dict[str, set[str]] = {}

    # ---------------------------------------------------------------- helpers

    def member(self, member_id: str) -> Member:
        m = self.members.get(member_id)
        if m is None:
            m = self.members[member_id] = Member(member_id)
        return m

    def take_effects(self) -> Effects:
        effects, self.effects = self.effects, Effects()
        return effects

    def _touch_member(self, m: Member) -> None:
        self.effects.members[m.member_id] = m

    def _touch_request(self, r: Request) -> None:
        self.effects.requests[r.request_id] = r

    def _touch_match(self, m: Match) -> None:
        self.effects.matches[m.match_id] = m

    def blocked(self, a: str, b: str, now: datetime) -> bool:
        key = pair(a, b)
        if key in self.reported:
            return True
        if key not in self.blocks:
            return False
        until = self.blocks[key]
        return until is None or now < until

    def _shun(self, a: str, b: str) -> None:
        self.shunned.setdefault(a, set()).add(b)
        self.shunned.setdefault(b, set()).add(a)

    def live_matches(self, member_id: str) -> list[Match]:
        """Their live matches, as the seeker or as the supporter."""
        m = self.members.get(member_id)
        if m is None:
            return []
        return [self.matches[x] for x in sorted(m.seeking | m.holds)]

    def kept_apart(self, member_id: str, now: datetime) -> set[str]:
        """Everyone a member must not be proposed to now: blocks either way, pairs that ended
        with a report, and whom they already have a live match with."""
        apart = {o for o in self.shunned.get(member_id, ()) if self.blocked(member_id, o, now)}
        for match in self.live_matches(member_id):
            apart.add(match.supporter_id if match.seeker_id == member_id else match.seeker_id)
        return apart

    def _set_status(self, r: Request, status: RequestStatus) -> None:
        r.status = status
        if status == "open":
            self.open[r.request_id] = r
        else:
            self.open.pop(r.request_id, None)

    def _role_changed(self, m: Member) -> None:
        if m.is_supporter:
            self.supporters[m.member_id] = m
        else:
            self.supporters.pop(m.member_id, None)

    def _link(self, match: Match) -> None:
        """A live match takes its supporter's slot."""
        self.matches[match.match_id] = match
        self.member(match.supporter_id).holds.add(match.match_id)
        self.member(match.seeker_id).seeking.add(match.match_id)

    # ---------------------------------------------------------------- members

    def profile(self, data: ProfileSubmittedData, time: datetime) -> bool:
        """A member's profile; an older one never overwrites a newer one."""
        m = self.member(data.member_id)
        if m.profile_time is not None and m.profile_time >= time:
            return False
        m.profile_time = time
        m.languages = frozenset(data.languages)
        m.topics = frozenset(data.topics)
        m.opted_out = frozenset(data.opted_out_topics)
        m.age_band = data.age_band
        m.availability = (
            week_mask(data.availability, data.time_zone, time) if data.availability else ANY_TIME
        )
        m.text = data.topics_free_text
        m.vector = None
        m.capacity = data.capacity
        m.offers_support = Role.SUPPORTER in data.roles
        self._role_changed(m)
        self._touch_member(m)
        self._withdraw_proposals(m, time)
        self.stale = True
        return True

    def role(self, data: SupporterRoleSetData, time: datetime) -> bool:
        m = self.member(data.member_id)
        if m.role_time is not None and m.role_time >= time:
            return False
        m.role_time = time
        m.granted = data.granted
        m.minors_cleared = data.granted and data.minors_cleared
        self._role_changed(m)
        self._touch_member(m)
        self._withdraw_proposals(m, time)
        self.stale = True
        return True

    def moderated(self, data: MemberModeratedData, now: datetime) -> bool:
        """A moderator's action on a member. Suspending their matching refuses their new
        requests and group joins and withdraws what waits (a proposal pending for them is
        withdrawn first, as in a safety episode); suspending their supporting takes them out
        of the supporters, like a withdrawn role, and withdraws their pending proposals;
        restoring lifts both, not a pause. Their active matches go on. Other actions (warn,
        hide, dismiss) change nothing here; an action older than the last one applied (a late
        copy) is ignored."""
        m = self.member(data.member_id)
        if m.moderated_at is not None and data.at < m.moderated_at:
            return False
        if data.action is ModerationAction.SUSPEND_MATCHING:
            m.suspended_matching = True
            self._withdraw_requests(m, now)
        elif data.action is ModerationAction.SUSPEND_SUPPORTING:
            m.suspended_supporting = True
        elif data.action is ModerationAction.RESTORE:
            m.suspended_matching = m.suspended_supporting = False
        else:
            return False
        m.moderated_at = data.at
        self._role_changed(m)
        self._touch_member(m)
        self._withdraw_proposals(m, now)
        self.stale = True
        return True

    def _withdraw_requests(self, seeker: Member, now: datetime) -> None:
        """Every request of theirs still waiting leaves the pool, refused as suspended."""
        for match in [self.matches[x] for x in sorted(seeker.seeking)]:
            if match.state == "proposed":
                self._close_proposal(match, "declined", "matching", SUSPENDED, now)
        for request_id in sorted(seeker.open_requests):
            r = self.requests[request_id]
            r.reason = SUSPENDED
            self._close_request(r, "refused")
            self.effects.refused.append(r)

    def _unavailable(self, m: Member) -> str | None:
        """Why a supporter may not take a match now, whatever their room (None: they may)."""
        if m.suspended_supporting:
            return SUSPENDED
        if not m.is_supporter:
            return ROLE_WITHDRAWN
        if m.episodes:
            return SAFETY_EPISODE
        if m.paused:
            return PAUSED
        return None

    def _withdraw_proposals(self, supporter: Member, now: datetime) -> None:
        """A supporter who may not take a match now loses their pending proposals: each
        request waits again, that supporter not excluded from it (they may come back). Their
        active matches go on."""
        reason = self._unavailable(supporter)
        if reason is None:
            return
        for match in [self.matches[x] for x in sorted(supporter.holds)]:
            if match.state == "proposed":
                self._close_proposal(match, "declined", "matching", reason, now, exclude=False)

    def pause(self, data: SupporterPauseSetData) -> bool:
        """A supporter admin paused (or resumed) a supporter: while paused, no new proposals,
        and their pending proposals are withdrawn; their active matches go on. A late copy is
        ignored."""
        m = self.member(data.member_id)
        if m.paused_at is not None and data.at < m.paused_at:
            return False
        m.paused, m.paused_at = data.paused, data.at
        self._touch_member(m)
        self._withdraw_proposals(m, data.at)
        self.stale = True
        return True

    def episode_opened(self, member_id: str, episode_id: str, now: datetime) -> None:
        """Held out of peer matching: pending proposals for them, and to them as a supporter,
        are withdrawn; the supporter of any live match of theirs was exposed to a crisis and
        gets a cool-down.

        The same episode again changes nothing. An episode already closed (its close was
        handled first: the two topics keep no order between them) does not hold the member out
        and withdraws nothing, since a human has reviewed it; the supporters' cool-down still
        applies, as they were exposed either way."""
        m = self.member(member_id)
        if episode_id in m.episodes:
            return
        closed = episode_id in m.closed_episodes
        if not closed:
            m.episodes.add(episode_id)
            self._touch_member(m)
            self._withdraw_proposals(m, now)
        for match in [self.matches[x] for x in sorted(m.seeking)]:
            supporter = self.member(match.supporter_id)
            supporter.cooldown_until = max(
                supporter.cooldown_until or now, now + self.settings.cooldown
            )
            self._touch_member(supporter)
            if match.state == "proposed" and not closed:
                self._close_proposal(match, "declined", "matching", "safety-episode", now)

    def episode_closed(self, member_id: str, episode_id: str) -> None:
        """The member is no longer held out for this episode; its id is remembered, so that
        its open, if handled after this, or again, holds no one out (a close of an episode
        not seen yet is remembered the same way)."""
        m = self.member(member_id)
        if episode_id not in m.closed_episodes:
            m.closed_episodes = (*m.closed_episodes, episode_id)[-CLOSED_EPISODES_KEPT:]
            self._touch_member(m)
        if episode_id in m.episodes:
            m.episodes.discard(episode_id)
            self._touch_member(m)
            self.stale = True

    def block(self, data: MemberBlockedData, now: datetime) -> None:
        key = pair(data.member_id, data.blocked_id)
        if key in self.blocks:
            # The longer block wins (None: for good), whichever side set it.
            current = self.blocks[key]
            until = None if current is None or data.until is None else max(current, data.until)
        else:
            until = data.until
        self.blocks[key] = until
        self.effects.blocks[key] = until
        self._shun(*key)
        if until is not None and until <= now:
            return
        for match in self.live_matches(data.member_id):
            if pair(match.seeker_id, match.supporter_id) != key:
                continue
            if match.state == "proposed":
                self._close_proposal(match, "declined", data.member_id, "blocked", now)
            else:
                self._end(match, data.member_id, "blocked", None, "", False, now)
        self._leave_shared_groups(data.member_id, data.blocked_id, now)

    # ---------------------------------------------------------------- requests

    def request(
        self, data: SupportRequestedData, event_id: str, correlation_id: str, now: datetime
    ) -> Request | None:
        if data.request_id in self.seen_requests:
            return None  # a replay
        self.seen_requests.add(data.request_id)
        r = Request(
            data.request_id,
            data.seeker_id,
            frozenset(data.topics),
            data.language,
            data.urgency,
            data.whats_going_on,
            now,
            event_id,
            correlation_id,
        )
        seeker = self.member(data.seeker_id)
        refusal = (
            SUSPENDED
            if seeker.suspended_matching
            else OPEN_REQUEST_LIMIT
            if len(seeker.open_requests) >= self.settings.open_requests_per_seeker
            else None
        )
        if refusal is not None:
            r.status = "refused"
            r.reason = refusal
            self._touch_request(r)
            self.effects.refused.append(r)
            return r
        return self._take(r, seeker)

    def _take(self, r: Request, seeker: Member) -> Request:
        """A new request into the pool: open, waiting for the next batch."""
        seeker.open_requests.add(r.request_id)
        self.requests[r.request_id] = r
        self._set_status(r, "open")
        self._touch_request(r)
        self.stale = True
        if r.urgency == Urgency.HIGH:
            self.urgent_waiting = True
        return r

    def _reopen(self, r: Request, excluded: str | None) -> None:
        if excluded is not None:
            r.excluded.add(excluded)
        self._set_status(r, "open")
        r.match_id = None
        self._touch_request(r)
        self.stale = True
        if r.urgency == Urgency.HIGH:
            self.urgent_waiting = True

    def _close_request(self, r: Request, status: RequestStatus) -> None:
        self._set_status(r, status)
        self.requests.pop(r.request_id, None)
        self.member(r.seeker_id).open_requests.discard(r.request_id)
        self._touch_request(r)

    # ---------------------------------------------------------------- the batch

    def waiting(self, now: datetime) -> Waiting:
        """The requests the engine may match now, oldest first within urgency; a reason for
        each one held out."""
        seekings: list[Seeking] = []
        held: dict[str, str] = {}
        kept_apart: dict[str, set[str]] = {}
        embed_missing(self.open.values())
        for r in sorted(self.open.values(), key=_oldest_first):
            seeker = self.members.get(r.seeker_id)
            if seeker is None or seeker.profile_time is None or seeker.age_band is None:
                held[r.request_id] = NO_PROFILE
            elif seeker.episodes:
                held[r.request_id] = SAFETY_EPISODE
            elif seeker.minor and not self.settings.engine.rules.minors:
                held[r.request_id] = MINOR
            else:
                apart = kept_apart.get(r.seeker_id)
                if apart is None:
                    apart = kept_apart[r.seeker_id] = self.kept_apart(r.seeker_id, now)
                seekings.append(
                    Seeking(
                        request_id=r.request_id,
                        seeker_id=r.seeker_id,
                        language=r.language,
                        topics=r.topics,
                        urgency=r.urgency,
                        age_band=seeker.age_band,
                        availability=seeker.availability,
                        text=vector(r),
                        waited_seconds=(now - r.received_at).total_seconds(),
                        excluded=frozenset(r.excluded | apart),
                    )
                )
        return Waiting(seekings, held)

    def offerings(self, now: datetime) -> list[Offering]:
        window_start = now - self.settings.fairness_window
        out = []
        embed_missing(self.supporters.values())
        for m in self.supporters.values():
            if not m.may_take_more(now):
                continue
            assert m.age_band is not None  # a profile was given
            out.append(
                Offering(
                    member_id=m.member_id,
                    languages=m.languages,
                    topics=m.topics,
                    opted_out=m.opted_out,
                    age_band=m.age_band,
                    minors_cleared=m.minors_cleared,
                    availability=m.availability,
                    text=vector(m),
                    capacity=m.capacity,
                    load=len(m.holds),
                    recent=sum(1 for t in m.proposals if t >= window_start),
                )
            )
        return out

    def apply(self, outcome: Outcome, held: dict[str, str], now: datetime, limit: int) -> int:
        """Turn the engine's proposals into matches (at most `limit`, most urgent and oldest
        first; the rest wait for the next batch), and note why the others wait."""
        proposals = sorted(
            outcome.proposals, key=lambda p: _oldest_first(self.requests[p.request_id])
        )
        made = 0
        for p in proposals:
            r = self.requests[p.request_id]
            supporter = self.members[p.supporter_id]
            # A seeker never has two live matches with one supporter (two requests of theirs
            # in one batch may both rank them first: the second waits for the next batch).
            if (
                made >= limit
                or not supporter.may_take_more(now)
                or any(self.matches[x].seeker_id == r.seeker_id for x in supporter.holds)
            ):
                continue  # next batch (the engine never over-fills; this is a guard)
            r.attempts += 1
            match = Match(
                match_id=match_id_for(r.request_id, r.attempts),
                request_id=r.request_id,
                seeker_id=r.seeker_id,
                supporter_id=p.supporter_id,
                attempt=r.attempts,
                language=r.language,
                shared_topics=sorted(r.topics & (supporter.topics - supporter.opted_out)),
                score=p.score,
                breakdown=p.breakdown,
                proposed_at=now,
                expires_at=now + self.settings.proposal_ttl,
                requested_at=r.received_at,
                changed_at=now,
            )
            self._link(match)
            supporter.proposals = [
                t for t in supporter.proposals if t >= now - self.settings.fairness_window
            ] + [now]
            self._set_status(r, "proposed")
            r.match_id, r.reason = match.match_id, None
            self._touch_match(match)
            self._touch_request(r)
            self.effects.steps.append(MatchStep("proposed", match))
            made += 1
        waiting = self._why(outcome.unmatched, now)
        for request_id, reason in [*held.items(), *waiting.items()]:
            r = self.requests[request_id]
            if r.reason != reason:
                r.reason = reason
                self._touch_request(r)
        # Proposals held back (the batch's limit, a guard) go in the very next batch.
        left = [p for p in proposals if self.requests[p.request_id].status == "open"]
        self.stale = bool(left)
        self.urgent_waiting = any(self.requests[p.request_id].urgency == Urgency.HIGH for p in left)
        return made

    def _why(self, unmatched: dict[str, str], now: datetime) -> dict[str, str]:
        """The engine only sees supporters with room: a request it found nobody for waits for
        capacity when a supporter who is full (or cooling down) speaks its language and shares
        one of its topics."""
        if not unmatched:
            return {}
        busy: dict[str, set[Topic]] = {}  # language → topics of the busy supporters
        for m in self.supporters.values():
            if not m.may_take_more(now):
                for language in m.languages:
                    busy.setdefault(language, set()).update(m.topics - m.opted_out)
        out = {}
        for request_id, found in unmatched.items():
            r = self.requests[request_id]
            full = found in (NO_LANGUAGE, NO_ELIGIBLE) and r.topics & busy.get(r.language, set())
            out[request_id] = NO_CAPACITY if full else found
        return out

    def backlog(self) -> dict[str, int]:
        """Open requests by why they wait."""
        out: dict[str, int] = {}
        for r in self.open.values():
            reason = r.reason or "new"
            out[reason] = out.get(reason, 0) + 1
        return out

    # Waits are looked over at most this often: thresholds are hours, a tick is under a second.
    WAITS_EVERY: ClassVar[timedelta] = timedelta(minutes=1)
    waits_checked_at: datetime | None = None

    def waits_to_tell(self, now: datetime) -> list[WaitNotice]:
        """The open requests that have waited past a threshold they were not told of yet: each
        is told once per stage (a request past both at once is told `overdue` alone), and
        `told` is stored with it, so a rebuild or a replay does not tell it again. A request
        with a proposal pending is not waiting; one waiting again after a decline counts from
        when it arrived."""
        if self.waits_checked_at is not None and now - self.waits_checked_at < self.WAITS_EVERY:
            return []
        self.waits_checked_at = now
        stages = [
            (stage, after)
            for stage, after in (
                (WaitStage.OVERDUE, self.settings.max_wait),
                (WaitStage.NOTICE, self.settings.wait_notice),
            )
            if after is not None
        ]
        crossed: list[tuple[Request, WaitStage]] = []
        for r in self.open.values():
            waited = now - r.received_at
            stage = next((s for s, after in stages if waited >= after), None)
            if stage is not None and _STAGE_RANK[stage] > _STAGE_RANK.get(r.told, -1):
                crossed.append((r, stage))
        if not crossed:
            return []
        # The requests competing for a slot (not those held out of matching), by language.
        queues: dict[str, list[tuple[int, datetime, str]]] = {}
        for r in self.open.values():
            if r.reason not in HELD_OUT:
                queues.setdefault(r.language, []).append(_oldest_first(r))
        for queue in queues.values():
            queue.sort()
        out = []
        for r, stage in sorted(crossed, key=lambda c: _oldest_first(c[0])):
            ahead = bisect_left(queues.get(r.language, []), _oldest_first(r))
            waited_seconds = (now - r.received_at).total_seconds()
            out.append(WaitNotice(r, stage, r.reason or "new", waited_seconds, ahead))
            r.told = stage
            self._touch_request(r)
        return out

    # ---------------------------------------------------------------- the lifecycle

    def action(
        self, data: MatchActionRequestedData, now: datetime, at: datetime | None = None
    ) -> None:
        """A member's step in a match of theirs, sent `at` (its event's time; `now` if not
        given); refused (and logged) from anyone else."""
        match = self.matches.get(data.match_id)
        who = data.member_id
        if match is None:
            self.effects.ignored.append(Ignored(data.match_id, who, "no live match with this id"))
        elif who not in (match.seeker_id, match.supporter_id):
            self.effects.ignored.append(Ignored(data.match_id, who, "not a member of this match"))
        elif data.action == MatchAction.ACCEPT:
            self._accept(match, who, now, now if at is None else at)
        elif data.action == MatchAction.DECLINE:
            self._decline(match, who, now)
        else:
            self._end_or_decline(match, who, data.end, now)

    def _accept(self, match: Match, who: str, now: datetime, at: datetime) -> None:
        """An accept sent before the deadline counts, however late it is handled; one sent
        after it (handled before the expiry timer ran, as after a takeover) expires the
        proposal; one from a supporter who may not take a match now withdraws it."""
        if who != match.supporter_id:
            self.effects.ignored.append(Ignored(match.match_id, who, "only the supporter accepts"))
        elif match.state != "proposed":
            return  # accepted already: a duplicate, nothing to do
        elif at >= match.expires_at:
            self.effects.ignored.append(Ignored(match.match_id, who, "sent after the deadline"))
            self._close_proposal(match, "expired", "matching", NO_ANSWER, now)
        elif (why := self._unavailable(self.member(who))) is not None:
            self.effects.ignored.append(Ignored(match.match_id, who, why))
            self._close_proposal(match, "declined", "matching", why, now, exclude=False)
        else:
            match.state, match.changed_at, match.by = "active", now, who
            r = self.requests.get(match.request_id)
            if r is not None:
                self._close_request(r, "matched")
            self._touch_match(match)
            self.effects.steps.append(MatchStep("accepted", match))

    def _decline(self, match: Match, who: str, now: datetime) -> None:
        if match.state != "proposed":
            self.effects.ignored.append(Ignored(match.match_id, who, "active: end it instead"))
            return
        by_seeker = who == match.seeker_id
        reason = "declined by the seeker" if by_seeker else "declined"
        self._close_proposal(match, "declined", who, reason, now, seeker_declined=by_seeker)

    def _end_or_decline(self, match: Match, who: str, end: MatchEnd | None, now: datetime) -> None:
        if match.state == "active":
            self._end(
                match,
                who,
                end.reason if end else "finished",
                end.rating if end else None,
                end.feedback if end else "",
                end.report if end else False,
                now,
            )
            return
        # Ending a proposal is declining it.
        reason = end.reason if end else None
        by_seeker = who == match.seeker_id
        self._close_proposal(match, "declined", who, reason, now, seeker_declined=by_seeker)
        if end is not None and end.report:
            self._report(match, who, now)

    def _free(self, match: Match) -> None:
        self.member(match.supporter_id).holds.discard(match.match_id)
        self.member(match.seeker_id).seeking.discard(match.match_id)
        del self.matches[match.match_id]
        self.stale = True

    def _close_proposal(
        self,
        match: Match,
        state: Literal["declined", "expired"],
        by: str,
        reason: str | None,
        now: datetime,
        seeker_declined: bool = False,
        exclude: bool = True,
    ) -> None:
        """A proposal ends unanswered, declined or withdrawn. The request waits again without
        that supporter (unless not `exclude`: withdrawn for the supporter's standing, they may
        come back), unless the seeker declined it (a seeker who blocks the one proposed still
        wants support: their request waits for someone else)."""
        match.state, match.changed_at, match.by, match.reason = state, now, by, reason
        self._free(match)
        self._touch_match(match)
        self.effects.steps.append(MatchStep(state, match))
        r = self.requests.get(match.request_id)
        if r is None:
            return
        if seeker_declined:
            self._close_request(r, "closed")  # the seeker does not want it any more
        else:
            self._reopen(r, excluded=match.supporter_id if exclude else None)

    def _end(
        self,
        match: Match,
        by: str,
        reason: str,
        rating: int | None,
        feedback: str,
        report: bool,
        now: datetime,
    ) -> None:
        match.state, match.changed_at, match.by, match.reason = "ended", now, by, reason
        match.rating, match.feedback, match.reported = rating, feedback, report
        self._free(match)
        self._touch_match(match)
        self.effects.steps.append(MatchStep("ended", match))
        if report:
            self._report(match, by, now)

    def _report(self, match: Match, reporter: str, now: datetime) -> None:
        """The two are never matched or grouped again: as after a block, the reporter stays in
        the groups they share, the one reported leaves them."""
        key = pair(match.seeker_id, match.supporter_id)
        self.reported.add(key)
        self._shun(*key)
        match.reported = True
        self._touch_match(match)
        reported = match.supporter_id if reporter == match.seeker_id else match.seeker_id
        self._leave_shared_groups(reporter, reported, now)

    def expire(self, match_ids: Iterable[str], now: datetime) -> int:
        """The proposals whose deadline came (the handler's timers say which): each one still
        unanswered past its deadline expires; one answered since is left as it is."""
        expired = 0
        for match_id in match_ids:
            match = self.matches.get(match_id)
            if match is not None and match.state == "proposed" and match.expires_at <= now:
                self._close_proposal(match, "expired", "matching", NO_ANSWER, now)
                expired += 1
        return expired

    # ---------------------------------------------------------------- neighbouring pools

    def refer(self, neighbours: Iterable[str], now: datetime) -> list[Referred]:
        """Open requests that no supporter of this pool can take, busy ones included (the
        last batch found none who speaks the language, or none who passes the pair rules),
        offered to a neighbouring pool: a request of this pool's own to the first of
        `neighbours`, a request referred here to the next pool on its own list. Each leaves
        this pool as "referred"; the seeker's later steps are forwarded to where it went
        (`Member.referred_to`). A request the last pool on its list cannot take waits there."""
        out: list[Referred] = []
        for r in sorted(self.open.values(), key=_oldest_first):
            if r.reason not in (NO_LANGUAGE, NO_ELIGIBLE):
                continue
            listed = r.onward if r.home is not None else tuple(neighbours)
            targets = [p for p in listed if p not in (self.pool_id, r.home)]
            seeker = self.members.get(r.seeker_id)
            if not targets or seeker is None or seeker.profile_time is None:
                continue
            excluded = frozenset(r.excluded | self.kept_apart(r.seeker_id, now))
            self._close_request(r, "referred")
            r.reason = f"referred to pool {targets[0]}"
            seeker.referred_to.add(targets[0])
            self._touch_member(seeker)
            out.append(Referred(r, seeker, targets[0], tuple(targets[1:]), excluded))
        self.effects.referred.extend(out)
        return out

    def referred(
        self,
        data: SupportRequestedData,
        referral: Referral,
        event_id: str,
        correlation_id: str,
    ) -> Request | None:
        """A request a neighbouring pool referred here: its seeker as that pool knew them
        (a newer profile forwarded since wins), and it keeps its wait and its exclusions."""
        if data.request_id in self.seen_requests:
            return None  # a replay
        self.seen_requests.add(data.request_id)
        known = referral.seeker
        seeker = self.member(known.member_id)
        if seeker.profile_time is None or seeker.profile_time < known.profile_time:
            seeker.profile_time = known.profile_time
            seeker.languages = frozenset(known.languages)
            seeker.topics = frozenset(known.topics)
            seeker.age_band = known.age_band
            seeker.availability = int(known.availability, 16)
            seeker.text, seeker.vector = known.text, None
            self._touch_member(seeker)
        r = Request(
            data.request_id,
            data.seeker_id,
            frozenset(data.topics),
            data.language,
            data.urgency,
            data.whats_going_on,
            referral.received_at,
            event_id,
            correlation_id,
            excluded=set(referral.excluded),
            attempts=referral.attempts,
            home=referral.from_pool,
            onward=tuple(referral.onward),
        )
        return self._take(r, seeker)

    # ---------------------------------------------------------------- peer groups

    def group_action(
        self,
        data: GroupActionRequestedData,
        event_id: str,
        now: datetime,
        at: datetime | None = None,
    ) -> None:
        """A member's join or leave, sent `at` (its event's time; `now` if not given): a step
        older than their last one applied in the group (a replay) changes nothing."""
        m = self.member(data.member_id)
        step = Stamp.of(now if at is None else at, event_id)
        if data.action == "leave":
            group = self.groups.get(data.group_id or "")
            if group is not None and group.outdated(m.member_id, step):
                self.effects.ignored.append(Ignored(group.group_id, m.member_id, OUTDATED))
            elif group is None or m.member_id not in group.members:
                self.effects.ignored.append(Ignored(data.group_id or "", m.member_id, "not in it"))
            else:
                self._leave(group, m.member_id, step)
            return
        assert data.topic is not None and data.language is not None
        why = self._group_refusal(m, data.language)
        if why is not None:
            self.effects.ignored.append(Ignored("group", m.member_id, why))
            return
        for group in self.groups.values():
            if (group.topic, group.language) != (data.topic, data.language):
                continue
            if m.member_id in group.members:
                return  # in one already
            if group.outdated(m.member_id, step):
                self.effects.ignored.append(Ignored(group.group_id, m.member_id, OUTDATED))
                return
        fitting = [
            g
            for g in self.groups.values()
            if (g.topic, g.language, g.minors) == (data.topic, data.language, m.minor)
            and len(g.members) < self.settings.group_max
            and not any(self.blocked(m.member_id, other, now) for other in g.members)
        ]
        if fitting:
            # The fullest first, so groups form; then the oldest.
            group = min(fitting, key=lambda g: (-len(g.members), g.created_at, g.group_id))
        else:
            gid = deterministic_id("group", self.pool_id, event_id)
            group = Group(gid, data.topic, data.language, m.minor, now)
            self.groups[gid] = group
        group.members.append(m.member_id)
        group.steps[m.member_id] = step
        self.effects.groups[group.group_id] = group
        self.effects.group_changes.append(GroupChange(group, m.member_id, True))

    def _group_refusal(self, m: Member, language: str) -> str | None:
        if m.suspended_matching:
            return SUSPENDED
        if m.profile_time is None:
            return "no profile yet"
        if m.episodes:
            return SAFETY_EPISODE
        if m.minor and not self.settings.engine.rules.minors:
            return MINOR
        if language not in m.languages:
            return "does not speak the group's language"
        return None

    def _leave(self, group: Group, member_id: str, step: Stamp) -> None:
        group.members.remove(member_id)
        group.steps[member_id] = step
        self.effects.groups[group.group_id] = group
        self.effects.group_changes.append(GroupChange(group, member_id, False))

    def _leave_shared_groups(self, blocker: str, blocked: str, now: datetime) -> None:
        """After a block (or a report), the one who blocked stays; the one blocked leaves
        their shared groups."""
        for group in self.groups.values():
            if blocker in group.members and blocked in group.members:
                self._leave(group, blocked, Stamp.of(now, ""))

    # ---------------------------------------------------------------- vectors

    def fill_vectors(self) -> None:
        """Embed every text not embedded yet (after a rebuild, before a batch)."""
        embed_missing(self.requests.values())
        embed_missing(self.supporters.values())

    # ---------------------------------------------------------------- rebuilding

    def restore(
        self,
        members: Iterable[Member],
        requests: Iterable[Request],
        seen: Iterable[str],
        matches: Iterable[Match],
        blocks: dict[tuple[str, str], datetime | None],
        reported: Iterable[tuple[str, str]],
        groups: Iterable[Group],
        proposed: Iterable[Proposed] = (),
    ) -> None:
        """The pool from its stored documents; `proposed` is (supporter, when) of every match
        ever proposed (the fairness part counts the recent ones)."""
        self.members = {m.member_id: m for m in members}
        self.supporters = {}
        for m in self.members.values():
            self._role_changed(m)
        self.requests, self.open = {}, {}
        for r in requests:
            self.requests[r.request_id] = r
            self._set_status(r, r.status)
            self.member(r.seeker_id).open_requests.add(r.request_id)
        self.seen_requests = set(seen) | set(self.requests)
        self.matches = {}
        for match in matches:
            self._link(match)
        self.blocks = dict(blocks)
        self.reported = set(reported)
        self.shunned = {}
        for key in [*self.blocks, *self.reported]:
            self._shun(*key)
        self.groups = {g.group_id: g for g in groups}
        for supporter_id, at in sorted(proposed, key=lambda p: p.at):
            self.member(supporter_id).proposals.append(at)
        self.stale = True
        self.urgent_waiting = any(r.urgency == Urgency.HIGH for r in self.open.values())


def _oldest_first(r: Request) -> tuple[int, datetime, str]:
    """Most urgent first, then oldest."""
    return (URGENCY_RANK[r.urgency], r.received_at, r.request_id)


def embed_missing(things: Iterable[Request | Member]) -> None:
    """Embed the texts without a vector yet, all in one call: much faster than one by one."""
    todo = [t for t in things if t.vector is None]
    if todo:
        for t, vector in zip(todo, embed([t.text for t in todo]), strict=True):
            t.vector = vector


def vector(t: Request | Member) -> Vector:
    assert t.vector is not None, "embed_missing first"
    return t.vector
