"""The pool: who may be matched, the lifecycle of a match and the slots it takes and frees,
duplicates and steps out of order, blocks, reports, safety episodes, cool-downs and groups."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest

from kindred.events.casework import (
    MemberModeratedData,
    ModerationAction,
    SupporterPauseSetData,
)
from kindred.events.envelope import Envelope
from kindred.events.matching import (
    GroupActionRequested,
    GroupActionRequestedData,
    MatchAction,
    MatchActionRequested,
    MatchActionRequestedData,
    MatchEnd,
    MemberBlockedData,
    SupporterRoleSetData,
    SupportRequestedData,
)
from kindred.events.members import ProfileSubmittedData
from kindred.events.vocabulary import Topic, Urgency
from kindred.matching.domain.assignment import assign
from kindred.matching.domain.model import (
    MINOR,
    NO_LANGUAGE,
    NO_PROFILE,
    SAFETY_EPISODE,
    EngineConfig,
    Rules,
)
from kindred.matching.domain.pool import (
    CLOSED_EPISODES_KEPT,
    OPEN_REQUEST_LIMIT,
    OUTDATED,
    PAUSED,
    ROLE_WITHDRAWN,
    SUSPENDED,
    Effects,
    Match,
    Pool,
    PoolSettings,
)
from kindred.matching.handlers import apply
from kindred.matching.repository import (
    BLOCKS,
    GROUPS,
    MATCHES,
    MEMBERS,
    REQUESTS,
    Block,
    Pooled,
)
from kindred.partitions.store import Store, versioned

pytestmark = pytest.mark.unit
T = TypeVar("T")

T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def profile(member_id: str, *, supporter: bool = False, **kw: Any) -> ProfileSubmittedData:
    values: dict[str, Any] = {
        "member_id": member_id,
        "roles": ["supporter"] if supporter else ["seeker"],
        "topics": ["grief"],
        "languages": ["en"],
        "time_zone": "Europe/Paris",
        "age_band": "25-34",
        "capacity": 2 if supporter else 0,
    }
    values.update(kw)
    return ProfileSubmittedData.model_validate(values)


class World:
    """A pool with a clock, and short ways to say what members do."""

    def __init__(self, **settings: Any) -> None:
        self.pool = Pool("main", PoolSettings(**settings))
        self.now = T0
        self.n = 0

    def later(self, **delta: float) -> None:
        self.now += timedelta(**delta)

    def supporter(self, member_id: str, granted: bool = True, **kw: Any) -> None:
        self.pool.profile(profile(member_id, supporter=True, **kw), self.now)
        if granted:
            self.grant(member_id)

    def grant(self, member_id: str, granted: bool = True, minors: bool = False) -> None:
        self.later(seconds=1)
        data = SupporterRoleSetData(
            member_id=member_id, staff_id="staff", granted=granted, minors_cleared=minors
        )
        self.pool.role(data, self.now)

    def seeker(self, member_id: str, **kw: Any) -> None:
        self.pool.profile(profile(member_id, **kw), self.now)

    def request(self, seeker_id: str, request_id: str | None = None, **kw: Any) -> str:
        self.n += 1
        request_id = request_id or f"r{self.n}"
        values: dict[str, Any] = {
            "request_id": request_id,
            "seeker_id": seeker_id,
            "topics": ["grief"],
            "language": "en",
        }
        values.update(kw)
        self.pool.request(
            SupportRequestedData.model_validate(values), f"e-{request_id}", "c", self.now
        )
        self.later(seconds=1)
        return request_id

    def batch(self, limit: int = 1000) -> list[Match]:
        seekings, held = self.pool.waiting(self.now)
        outcome = assign(seekings, self.pool.offerings(self.now), self.pool.settings.engine)
        self.pool.apply(outcome, held, self.now, limit)
        return [m for step, m in self.pool.take_effects().steps if step == "proposed"]

    def act(self, member_id: str, match_id: str, action: MatchAction, **end: Any) -> list[str]:
        data = MatchActionRequestedData(
            match_id=match_id,
            member_id=member_id,
            action=action,
            end=MatchEnd(**end) if end else None,
        )
        self.pool.action(data, self.now)
        return [step for step, _ in self.pool.take_effects().steps]

    def holds(self, member_id: str) -> int:
        return len(self.pool.members[member_id].holds)

    def check_slots(self) -> None:
        """Every slot held is one live match, and no supporter holds more than capacity."""
        live = Counter(m.supporter_id for m in self.pool.matches.values())
        for m in self.pool.members.values():
            assert len(m.holds) == live[m.member_id]
            assert m.holds == {
                x.match_id for x in self.pool.matches.values() if x.supporter_id == m.member_id
            }
            if m.holds:
                assert len(m.holds) <= m.capacity
        self.check_indices()

    def check_indices(self) -> None:
        """The pool's indices agree with its state, recomputed the slow way."""
        p = self.pool
        assert p.open == {k: r for k, r in p.requests.items() if r.status == "open"}
        assert set(p.supporters) == {k for k, m in p.members.items() if m.is_supporter}
        for m in p.members.values():
            assert m.seeking == {
                x.match_id for x in p.matches.values() if x.seeker_id == m.member_id
            }
            apart = {b if a == m.member_id else a for a, b in p.reported if m.member_id in (a, b)}
            apart |= {
                b if a == m.member_id else a
                for (a, b), until in p.blocks.items()
                if m.member_id in (a, b) and (until is None or self.now < until)
            }
            for x in p.matches.values():
                if m.member_id in (x.seeker_id, x.supporter_id):
                    apart.add(x.supporter_id if x.seeker_id == m.member_id else x.seeker_id)
            assert p.kept_apart(m.member_id, self.now) == apart


# ---------------------------------------------------------------- who may be matched


def test_a_request_is_proposed_to_a_granted_supporter_with_its_score_breakdown() -> None:
    w = World()
    w.supporter("s1")
    w.seeker("k1")
    rid = w.request("k1")
    [match] = w.batch()
    assert (match.request_id, match.supporter_id, match.attempt) == (rid, "s1", 1)
    assert set(match.breakdown) == {"topics", "text", "availability", "load", "fairness"}
    assert 0 <= match.score <= 1
    assert match.shared_topics == [Topic.GRIEF]
    assert w.holds("s1") == 1
    assert w.pool.requests[rid].status == "proposed"


def test_a_self_declared_supporter_is_never_proposed_until_staff_grant_the_role() -> None:
    w = World()
    w.supporter("s1", granted=False)
    w.seeker("k1")
    w.request("k1")
    assert w.batch() == []
    w.grant("s1")
    assert [m.supporter_id for m in w.batch()] == ["s1"]


def test_a_withdrawn_role_takes_no_new_matches_but_keeps_its_active_ones() -> None:
    w = World()
    w.supporter("s1")
    w.seeker("k1")
    w.request("k1")
    [first] = w.batch()
    w.act("s1", first.match_id, MatchAction.ACCEPT)
    w.grant("s1", granted=False)
    w.request("k1")
    assert w.batch() == []
    assert w.pool.matches[first.match_id].state == "active"
    w.check_slots()


def test_a_seeker_without_a_profile_waits_with_a_reason() -> None:
    w = World()
    w.supporter("s1")
    rid = w.request("nobody")
    assert w.batch() == []
    assert w.pool.requests[rid].reason == NO_PROFILE


def test_a_seeker_in_a_safety_episode_is_held_out_until_it_closes() -> None:
    w = World()
    w.supporter("s1")
    w.seeker("k1")
    w.pool.episode_opened("k1", "ep1", w.now)
    rid = w.request("k1")
    assert w.batch() == []
    assert w.pool.requests[rid].reason == SAFETY_EPISODE
    assert w.pool.backlog() == {SAFETY_EPISODE: 1}
    w.pool.stale = False
    w.pool.episode_closed("k1", "ep1")
    assert w.pool.stale  # the next batch window takes it, not the re-match interval
    assert [m.request_id for m in w.batch()] == [rid]


def test_an_episode_withdraws_a_pending_proposal_and_cools_the_supporter_down() -> None:
    w = World(cooldown=timedelta(hours=72))
    w.supporter("s1", capacity=3)
    w.seeker("k1")
    w.seeker("k2")
    w.request("k1")
    assert len(w.batch()) == 1
    w.pool.episode_opened("k1", "ep1", w.now)
    steps = [(step, m.by, m.reason) for step, m in w.pool.take_effects().steps]
    assert steps == [("declined", "matching", "safety-episode")]
    assert w.holds("s1") == 0
    assert w.pool.members["s1"].cooldown_until == w.now + timedelta(hours=72)
    w.request("k2")
    assert w.batch() == []  # the supporter is cooling down
    w.later(hours=73)
    assert [m.supporter_id for m in w.batch()] == ["s1"]
    w.check_slots()


def test_an_episode_keeps_an_active_match_and_cools_its_supporter_down() -> None:
    w = World(cooldown=timedelta(hours=72))
    w.supporter("s1", capacity=3)
    w.seeker("k1")
    w.seeker("k2")
    w.request("k1")
    [match] = w.batch()
    assert w.act("s1", match.match_id, MatchAction.ACCEPT) == ["accepted"]
    w.pool.episode_opened("k1", "ep1", w.now)
    assert w.pool.take_effects().steps == []  # the active match stays
    assert w.pool.matches[match.match_id].state == "active"
    assert w.pool.members["s1"].cooldown_until == w.now + timedelta(hours=72)
    w.request("k2")
    assert w.batch() == []
    w.later(hours=73)
    assert [m.supporter_id for m in w.batch()] == ["s1"]
    w.check_slots()


def test_an_open_after_its_close_withdraws_nothing_but_still_cools_the_supporter_down() -> None:
    w = World(cooldown=timedelta(hours=72))
    w.supporter("s1", capacity=3)
    w.seeker("k1")
    w.request("k1")
    assert len(w.batch()) == 1
    w.pool.episode_closed("k1", "ep1")  # the close reached the pool first
    w.pool.take_effects()
    w.pool.episode_opened("k1", "ep1", w.now)
    assert w.pool.take_effects().steps == []  # a human reviewed it: the proposal stays
    assert w.pool.members["k1"].episodes == set()
    assert w.pool.members["s1"].cooldown_until == w.now + timedelta(hours=72)
    w.check_slots()


def test_closed_episodes_kept_per_member_are_bounded() -> None:
    w = World()
    w.seeker("k1")
    for n in range(CLOSED_EPISODES_KEPT + 5):
        w.pool.episode_closed("k1", f"ep{n}")
    kept = w.pool.members["k1"].closed_episodes
    assert len(kept) == CLOSED_EPISODES_KEPT and kept[-1] == f"ep{CLOSED_EPISODES_KEPT + 4}"


def test_a_supporter_in_a_safety_episode_of_their_own_gets_no_new_match() -> None:
    w = World()
    w.supporter("s1")
    w.seeker("k1")
    w.pool.episode_opened("s1", "ep1", w.now)
    w.request("k1")
    assert w.batch() == []
    w.pool.episode_closed("s1", "ep1")
    assert [m.supporter_id for m in w.batch()] == ["s1"]


def test_minors_are_held_out_unless_allowed_and_then_only_with_cleared_supporters() -> None:
    w = World()
    w.supporter("s1")
    w.seeker("teen", age_band="13-17")
    rid = w.request("teen")
    assert w.batch() == []
    assert w.pool.requests[rid].reason == MINOR

    allowed = World(engine=EngineConfig(rules=Rules(minors=True)))
    allowed.supporter("s1")
    allowed.seeker("teen", age_band="13-17")
    allowed.request("teen")
    assert allowed.batch() == []
    allowed.grant("s1", minors=True)
    assert [m.supporter_id for m in allowed.batch()] == ["s1"]


def test_a_seeker_has_at_most_the_set_number_of_open_requests() -> None:
    w = World(open_requests_per_seeker=2)
    w.seeker("k1")
    w.request("k1")
    w.request("k1")
    third = w.request("k1")
    effects = w.pool.take_effects()
    assert [r.request_id for r in effects.refused] == [third]
    assert effects.requests[third].reason == OPEN_REQUEST_LIMIT
    assert third not in w.pool.requests


def test_one_seeker_cannot_take_every_slot() -> None:
    """The per-seeker limit, and never two live matches with the same supporter."""
    w = World(open_requests_per_seeker=3)
    w.supporter("s1", capacity=10)
    w.seeker("k1")
    for _ in range(5):
        w.request("k1")
    assert len(w.batch()) == 1  # one supporter: a second match with them is not proposed
    assert w.holds("s1") == 1


def test_a_duplicate_request_opens_nothing_and_takes_no_second_slot() -> None:
    w = World()
    w.supporter("s1")
    w.seeker("k1")
    w.request("k1", "r1")
    w.batch()
    w.request("k1", "r1")
    w.batch()
    w.batch()
    assert w.holds("s1") == 1
    assert len(w.pool.matches) == 1


def test_waiting_requests_are_all_reconsidered_not_only_the_oldest() -> None:
    """150 older requests nobody can serve do not keep a newer one from its match."""
    w = World()
    w.supporter("s1")
    for i in range(150):
        w.seeker(f"x{i}")
        w.request(f"x{i}", language="fi")
    w.seeker("k1")
    rid = w.request("k1")
    [match] = w.batch()
    assert match.request_id == rid
    assert w.pool.backlog() == {NO_LANGUAGE: 150}


def test_full_supporters_do_not_hide_the_one_with_room() -> None:
    w = World()
    for i in range(300):
        w.supporter(f"full{i}", capacity=1)
        w.seeker(f"x{i}")
        w.request(f"x{i}")
    assert len(w.batch()) == 300
    w.supporter("free", capacity=1)
    w.seeker("k1")
    w.request("k1")
    assert [m.supporter_id for m in w.batch()] == ["free"]
    w.check_slots()


def test_an_older_profile_never_overwrites_a_newer_one() -> None:
    w = World()
    assert w.pool.profile(profile("k1", languages=["fr"]), T0 + timedelta(seconds=5))
    assert not w.pool.profile(profile("k1", languages=["en"]), T0)
    assert w.pool.members["k1"].languages == {"fr"}


# ---------------------------------------------------------------- the lifecycle


def proposed(w: World) -> Match:
    w.supporter("s1")
    w.supporter("s2")
    w.seeker("k1")
    w.request("k1")
    [match] = w.batch()
    return match


def test_accept_makes_the_match_active_and_keeps_the_slot() -> None:
    w = World()
    match = proposed(w)
    assert w.act(match.supporter_id, match.match_id, MatchAction.ACCEPT) == ["accepted"]
    assert w.pool.matches[match.match_id].state == "active"
    assert match.request_id not in w.pool.requests  # matched: out of the pool
    assert w.holds(match.supporter_id) == 1
    # A second accept (a redelivery, or a double tap) changes nothing.
    assert w.act(match.supporter_id, match.match_id, MatchAction.ACCEPT) == []
    w.check_slots()


def test_only_the_supporter_accepts_and_only_members_of_the_match_act() -> None:
    w = World()
    match = proposed(w)
    w.pool.action(
        MatchActionRequestedData(
            match_id=match.match_id, member_id="k1", action=MatchAction.ACCEPT
        ),
        w.now,
    )
    w.pool.action(
        MatchActionRequestedData(
            match_id=match.match_id, member_id="mallory", action=MatchAction.END
        ),
        w.now,
    )
    effects = w.pool.take_effects()
    assert effects.steps == []
    assert [why for _, _, why in effects.ignored] == [
        "only the supporter accepts",
        "not a member of this match",
    ]
    assert w.pool.matches[match.match_id].state == "proposed"


def test_a_decline_frees_the_slot_once_and_the_next_best_supporter_is_proposed() -> None:
    w = World()
    match = proposed(w)
    first = match.supporter_id
    assert w.act(first, match.match_id, MatchAction.DECLINE) == ["declined"]
    assert w.holds(first) == 0
    assert w.act(first, match.match_id, MatchAction.DECLINE) == []  # a duplicate
    [again] = w.batch()
    assert again.supporter_id != first
    assert again.attempt == 2
    assert again.match_id != match.match_id
    w.check_slots()


def test_a_seeker_declining_closes_the_request() -> None:
    w = World()
    match = proposed(w)
    assert w.act("k1", match.match_id, MatchAction.DECLINE) == ["declined"]
    assert match.request_id not in w.pool.requests
    assert w.batch() == []
    assert w.pool.members["k1"].open_requests == set()


def test_an_unanswered_proposal_expires_and_the_request_goes_to_the_next_supporter() -> None:
    w = World(proposal_ttl=timedelta(hours=1))
    match = proposed(w)
    w.later(minutes=59)
    assert w.pool.expire(list(w.pool.matches), w.now) == 0
    w.later(minutes=2)
    assert w.pool.expire(list(w.pool.matches), w.now) == 1
    assert w.pool.expire(list(w.pool.matches), w.now) == 0
    assert [s for s, _ in w.pool.take_effects().steps] == ["expired"]
    assert w.holds(match.supporter_id) == 0
    [again] = w.batch()
    assert again.supporter_id != match.supporter_id
    # An accept that arrives after the expiry is refused.
    assert w.act(match.supporter_id, match.match_id, MatchAction.ACCEPT) == []
    w.check_slots()


def test_ending_frees_the_slot_and_a_report_keeps_the_pair_apart_for_good() -> None:
    w = World()
    match = proposed(w)
    w.act(match.supporter_id, match.match_id, MatchAction.ACCEPT)
    steps = w.act("k1", match.match_id, MatchAction.END, reason="unkind", report=True, rating=1)
    assert steps == ["ended"]
    assert w.holds(match.supporter_id) == 0
    assert w.act("k1", match.match_id, MatchAction.END) == []  # ended already
    other = "s2" if match.supporter_id == "s1" else "s1"
    w.pool.members[other].capacity = 0  # only the reported one has room now
    w.request("k1")
    assert w.batch() == []
    w.check_slots()


def test_an_end_that_overtakes_the_accept_declines_the_proposal_once() -> None:
    """The seeker's end and the supporter's accept come from two partitions: either order
    leaves one state and the slot freed once."""
    w = World()
    match = proposed(w)
    assert w.act("k1", match.match_id, MatchAction.END, reason="changed my mind") == ["declined"]
    assert w.act(match.supporter_id, match.match_id, MatchAction.ACCEPT) == []
    assert w.holds(match.supporter_id) == 0
    w.check_slots()


def test_a_block_either_way_withdraws_a_proposal_ends_a_match_and_keeps_them_apart() -> None:
    w = World()
    match = proposed(w)
    w.pool.block(MemberBlockedData(member_id=match.supporter_id, blocked_id="k1"), w.now)
    assert [s for s, _ in w.pool.take_effects().steps] == ["declined"]
    assert w.holds(match.supporter_id) == 0
    [again] = w.batch()
    assert again.supporter_id != match.supporter_id
    w.act(again.supporter_id, again.match_id, MatchAction.ACCEPT)
    w.pool.block(MemberBlockedData(member_id="k1", blocked_id=again.supporter_id), w.now)
    assert [s for s, _ in w.pool.take_effects().steps] == ["ended"]
    w.check_slots()


def test_a_seeker_who_blocks_the_supporter_proposed_still_gets_someone_else() -> None:
    """Blocking is not declining: the request is not closed, it waits for another supporter."""
    w = World()
    match = proposed(w)
    w.pool.block(MemberBlockedData(member_id="k1", blocked_id=match.supporter_id), w.now)
    assert [(s, m.by, m.reason) for s, m in w.pool.take_effects().steps] == [
        ("declined", "k1", "blocked")
    ]
    assert w.pool.requests[match.request_id].status == "open"
    [again] = w.batch()
    assert (again.request_id, again.attempt) == (match.request_id, 2)
    assert again.supporter_id != match.supporter_id
    w.check_slots()


def test_a_block_that_expires_lets_the_pair_be_matched_again() -> None:
    w = World()
    w.supporter("s1")
    w.seeker("k1")
    until = w.now + timedelta(days=1)
    w.pool.block(MemberBlockedData(member_id="k1", blocked_id="s1", until=until), w.now)
    w.request("k1")
    assert w.batch() == []
    w.later(days=2)
    assert [m.supporter_id for m in w.batch()] == ["s1"]


def test_urgent_requests_take_the_last_slot_first() -> None:
    w = World()
    w.supporter("s1", capacity=1)
    w.seeker("k1")
    w.seeker("k2")
    w.request("k1")
    urgent = w.request("k2", urgency=Urgency.HIGH)
    assert w.pool.urgent_waiting
    assert [m.request_id for m in w.batch()] == [urgent]


def test_a_batch_makes_at_most_its_limit_of_proposals_oldest_first() -> None:
    w = World()
    w.supporter("s1", capacity=10)
    ids = []
    for i in range(5):
        w.seeker(f"k{i}")
        ids.append(w.request(f"k{i}"))
    assert [m.request_id for m in w.batch(limit=2)] == ids[:2]
    assert [m.request_id for m in w.batch(limit=10)] == ids[2:]


@pytest.mark.parametrize("seed", [7, 8, 9])
def test_slots_and_indices_stay_right_through_a_random_walk_of_steps(seed: int) -> None:
    """Requests, batches, every step twice, reports, blocks for a while or for good, safety
    episodes, roles taken away, suspensions and pauses: after each, the slots and the pool's
    indices agree with its state, nothing due is left unexpired, and a pool rebuilt from that
    state agrees too."""
    rng = random.Random(seed)
    w = World(proposal_ttl=timedelta(minutes=30), cooldown=timedelta(minutes=20))
    supporters, seekers = [f"s{i}" for i in range(6)], [f"k{i}" for i in range(30)]
    for s in supporters:
        w.supporter(s, capacity=rng.randint(1, 3))
    for k in seekers:
        w.seeker(k)
    for step in range(400):
        roll = rng.random()
        if roll < 0.25:
            w.request(rng.choice(seekers))
        elif roll < 0.45:
            w.batch()
        elif roll < 0.5:
            until = rng.choice([None, w.now + timedelta(minutes=rng.randint(1, 60))])
            data = MemberBlockedData(
                member_id=rng.choice(seekers), blocked_id=rng.choice(supporters), until=until
            )
            w.pool.block(data, w.now)
        elif roll < 0.53:
            w.pool.episode_opened(rng.choice(seekers + supporters), f"e{step}", w.now)
        elif roll < 0.56:
            m = w.pool.members[rng.choice(seekers + supporters)]
            for episode in sorted(m.episodes):
                w.pool.episode_closed(m.member_id, episode)
        elif roll < 0.58:
            w.grant(rng.choice(supporters), granted=rng.random() < 0.7)
        elif roll < 0.60:
            suspensions = [
                ModerationAction.SUSPEND_MATCHING,
                ModerationAction.SUSPEND_SUPPORTING,
                ModerationAction.RESTORE,
            ]
            moderate(w, rng.choice(supporters + seekers), rng.choice(suspensions))
        elif roll < 0.61:
            pause(w, rng.choice(supporters), paused=rng.random() < 0.6)
        elif w.pool.matches:
            match = rng.choice(sorted(w.pool.matches.values(), key=lambda m: m.match_id))
            who = rng.choice([match.seeker_id, match.supporter_id])
            action = rng.choice(list(MatchAction))
            report = action == MatchAction.END and rng.random() < 0.3
            end = {"reason": "done", "report": True} if report else {}
            w.act(who, match.match_id, action, **end)
            w.act(who, match.match_id, action, **end)  # every step twice
        w.later(minutes=rng.randint(0, 10))
        w.pool.expire(list(w.pool.matches), w.now)
        w.pool.take_effects()
        assert not [
            x for x in w.pool.matches.values() if x.state == "proposed" and x.expires_at <= w.now
        ]
        w.check_slots()
        if step % 50 == 49:
            rebuilt = World(proposal_ttl=timedelta(minutes=30), cooldown=timedelta(minutes=20))
            rebuilt.now = w.now
            p = w.pool

            def through(store: Store[Pooled[T]], item: T) -> T:
                """The item as a rebuild reads it back from its stored document."""
                assert store.decode is not None
                doc = versioned(store.document(Pooled("main", item), 0), 1)
                return store.decode(doc).item

            blocks = [through(BLOCKS, Block(*k, u)) for k, u in p.blocks.items()]
            rebuilt.pool.restore(
                [through(MEMBERS, m) for m in p.members.values()],
                [through(REQUESTS, r) for r in p.requests.values()],
                p.seen_requests,
                [through(MATCHES, x) for x in p.matches.values()],
                {(b.a, b.b): b.until for b in blocks},
                p.reported,
                [through(GROUPS, g) for g in p.groups.values()],
            )
            rebuilt.check_slots()
            q = rebuilt.pool
            assert q.open.keys() == p.open.keys()
            assert q.supporters.keys() == p.supporters.keys()
            for m in p.members.values():
                again = q.members[m.member_id]
                assert (again.episodes, again.cooldown_until) == (m.episodes, m.cooldown_until)
                assert (again.suspended_matching, again.suspended_supporting, again.paused) == (
                    m.suspended_matching,
                    m.suspended_supporting,
                    m.paused,
                )
                assert (again.open_requests, again.holds) == (m.open_requests, m.holds)
                assert q.kept_apart(m.member_id, w.now) == p.kept_apart(m.member_id, w.now)
            w.pool = rebuilt.pool


# ---------------------------------------------------------------- peer groups


def join(w: World, member_id: str, topic: str = "grief", language: str = "en") -> None:
    data = GroupActionRequestedData(
        member_id=member_id, action="join", topic=Topic(topic), language=language
    )
    w.n += 1
    w.pool.group_action(data, f"join-{w.n}", w.now)


def test_members_fill_one_group_until_it_is_full_then_a_new_one_starts() -> None:
    w = World(group_min=4, group_max=5)
    for i in range(7):
        w.seeker(f"k{i}")
        join(w, f"k{i}")
    groups = sorted(w.pool.groups.values(), key=lambda g: g.created_at)
    assert [len(g.members) for g in groups] == [5, 2]
    assert groups[0].formed(4) and not groups[1].formed(4)
    join(w, "k0")  # already in a group on this topic
    assert sum(len(g.members) for g in w.pool.groups.values()) == 7


def test_groups_keep_the_same_rules_as_matches() -> None:
    w = World()
    w.seeker("a")
    w.seeker("b")
    w.seeker("crisis")
    w.seeker("teen", age_band="13-17")
    w.seeker("fr", languages=["fr"])
    w.pool.episode_opened("crisis", "ep", w.now)
    w.pool.block(MemberBlockedData(member_id="a", blocked_id="b"), w.now)
    for m in ("a", "b", "crisis", "teen", "fr", "ghost"):
        join(w, m)
    groups = list(w.pool.groups.values())
    assert sorted(sorted(g.members) for g in groups) == [["a"], ["b"]]
    whys = [why for _, _, why in w.pool.take_effects().ignored]
    assert SAFETY_EPISODE in whys and MINOR in whys and "no profile yet" in whys


def test_leaving_a_group_and_a_block_inside_one() -> None:
    w = World()
    for m in ("a", "b", "c"):
        w.seeker(m)
        join(w, m)
    [group] = w.pool.groups.values()
    w.pool.group_action(
        GroupActionRequestedData(member_id="c", action="leave", group_id=group.group_id),
        "leave",
        w.now,
    )
    w.pool.block(MemberBlockedData(member_id="b", blocked_id="a"), w.now)
    assert group.members == ["b"]  # the one blocked leaves, whatever their ids


def test_a_request_waiting_for_a_full_supporter_says_so_batch_after_batch() -> None:
    w = World()
    w.supporter("s1", capacity=1)
    w.seeker("k1")
    w.seeker("k2")
    w.request("k1")
    second = w.request("k2")
    w.batch()
    assert w.pool.requests[second].reason == "no-capacity"
    w.batch()
    assert w.pool.requests[second].reason == "no-capacity"
    assert w.pool.backlog() == {"no-capacity": 1}


def test_proposals_held_back_by_the_batch_limit_go_in_the_next_batch() -> None:
    w = World()
    w.supporter("s1", capacity=5)
    for i in range(3):
        w.seeker(f"k{i}")
        w.request(f"k{i}", urgency=Urgency.HIGH)
    assert len(w.batch(limit=1)) == 1
    assert w.pool.stale and w.pool.urgent_waiting  # the tick runs the next batch at once
    assert len(w.batch(limit=5)) == 2
    assert not w.pool.stale and not w.pool.urgent_waiting


# ---------------------------------------------------------------- moderation and pauses


def moderate(
    w: World, member_id: str, action: ModerationAction, at: datetime | None = None
) -> bool:
    w.later(seconds=1)
    data = MemberModeratedData(
        action=action,
        action_id=f"act-{w.now.isoformat()}",
        member_id=member_id,
        staff_id="mod-1",
        at=at or w.now,
        note="private reasons" if action is not ModerationAction.DISMISS else "nothing to do",
    )
    return w.pool.moderated(data, w.now)


def pause(w: World, member_id: str, paused: bool = True) -> bool:
    w.later(seconds=1)
    data = SupporterPauseSetData(paused=paused, member_id=member_id, staff_id="adm-1", at=w.now)
    return w.pool.pause(data)


def test_suspended_matching_refuses_new_requests_and_withdraws_the_waiting_ones() -> None:
    w = World()
    w.supporter("s1", capacity=1)
    w.seeker("k1")
    proposed_rid = w.request("k1")
    [match] = w.batch()
    waiting_rid = w.request("k1")
    w.pool.take_effects()
    assert moderate(w, "k1", ModerationAction.SUSPEND_MATCHING)
    effects = w.pool.take_effects()
    # The pending proposal is withdrawn (the supporter's slot freed), then both requests leave.
    assert [(step, m.match_id, m.by, m.reason) for step, m in effects.steps] == [
        ("declined", match.match_id, "matching", SUSPENDED)
    ]
    assert sorted((r.request_id, r.status, r.reason) for r in effects.refused) == [
        (proposed_rid, "refused", SUSPENDED),
        (waiting_rid, "refused", SUSPENDED),
    ]
    assert w.pool.open == {} and w.pool.requests == {}
    assert w.holds("s1") == 0
    assert effects.members["k1"].suspended_matching

    refused = w.request("k1")
    [again] = w.pool.take_effects().refused
    assert (again.request_id, again.reason) == (refused, SUSPENDED)
    assert w.batch() == []
    w.check_slots()


def test_suspended_matching_keeps_an_active_match_and_refuses_group_joins() -> None:
    w = World()
    w.supporter("s1")
    w.seeker("k1")
    w.request("k1")
    [match] = w.batch()
    w.act("s1", match.match_id, MatchAction.ACCEPT)
    moderate(w, "k1", ModerationAction.SUSPEND_MATCHING)
    assert w.pool.take_effects().steps == []
    assert w.pool.matches[match.match_id].state == "active"
    join(w, "k1")
    assert w.pool.groups == {}
    assert [why for _, _, why in w.pool.take_effects().ignored] == [SUSPENDED]


def test_restore_lifts_a_matching_suspension() -> None:
    w = World()
    w.supporter("s1")
    w.seeker("k1")
    moderate(w, "k1", ModerationAction.SUSPEND_MATCHING)
    w.request("k1")
    assert moderate(w, "k1", ModerationAction.RESTORE)
    w.pool.take_effects()
    rid = w.request("k1")
    assert w.pool.take_effects().refused == []
    assert [m.request_id for m in w.batch()] == [rid]
    join(w, "k1")
    assert len(w.pool.groups) == 1


def test_a_supporter_suspended_from_supporting_is_never_proposed_until_restored() -> None:
    w = World()
    w.supporter("s1")
    w.seeker("k1")
    moderate(w, "s1", ModerationAction.SUSPEND_SUPPORTING)
    assert "s1" not in w.pool.supporters
    rid = w.request("k1")
    assert w.batch() == []
    w.grant("s1")  # a role granted again does not lift the suspension
    assert w.batch() == []
    moderate(w, "s1", ModerationAction.RESTORE)
    assert [(m.request_id, m.supporter_id) for m in w.batch()] == [(rid, "s1")]
    w.check_slots()


def test_suspended_supporting_still_lets_them_seek_support() -> None:
    w = World()
    w.supporter("s1")
    w.supporter("s2")
    moderate(w, "s1", ModerationAction.SUSPEND_SUPPORTING)
    w.later(seconds=1)
    w.pool.profile(profile("s1", languages=["en"]), w.now)  # a seeker now
    rid = w.request("s1")
    assert w.pool.take_effects().refused == []
    assert [(m.request_id, m.supporter_id) for m in w.batch()] == [(rid, "s2")]


def test_a_paused_supporter_gets_no_new_proposals_until_resumed() -> None:
    w = World()
    w.supporter("s1", capacity=3)
    w.seeker("k1")
    w.seeker("k2")
    first = w.request("k1")
    [pending] = w.batch()
    assert pause(w, "s1")
    effects = w.pool.take_effects()
    assert effects.members["s1"].paused
    # Their pending proposal is withdrawn: the request waits again, for them too once resumed.
    assert [(s, m.match_id, m.by, m.reason) for s, m in effects.steps] == [
        ("declined", pending.match_id, "matching", PAUSED)
    ]
    rid = w.request("k2")
    assert w.batch() == []
    assert pause(w, "s1", paused=False)
    assert sorted((m.request_id, m.supporter_id) for m in w.batch()) == [
        (first, "s1"),
        (rid, "s1"),
    ]


def test_restore_does_not_resume_a_paused_supporter() -> None:
    w = World()
    w.supporter("s1")
    w.seeker("k1")
    pause(w, "s1")
    moderate(w, "s1", ModerationAction.SUSPEND_SUPPORTING)
    moderate(w, "s1", ModerationAction.RESTORE)
    w.request("k1")
    assert w.batch() == []
    pause(w, "s1", paused=False)
    assert len(w.batch()) == 1


@pytest.mark.parametrize(
    "action", [ModerationAction.WARN, ModerationAction.HIDE, ModerationAction.DISMISS]
)
def test_a_warning_hiding_or_dismissal_changes_nothing_in_matching(
    action: ModerationAction,
) -> None:
    w = World()
    w.supporter("s1")
    w.seeker("k1")
    w.pool.take_effects()
    assert not moderate(w, "k1", action)
    assert w.pool.take_effects().members == {}
    w.request("k1")
    assert len(w.batch()) == 1


def test_a_late_copy_of_an_older_action_or_pause_changes_nothing() -> None:
    w = World()
    w.supporter("s1")
    before = w.now
    moderate(w, "s1", ModerationAction.SUSPEND_SUPPORTING)
    moderate(w, "s1", ModerationAction.RESTORE)
    assert not moderate(w, "s1", ModerationAction.SUSPEND_SUPPORTING, at=before)
    assert "s1" in w.pool.supporters
    pause(w, "s1")
    late = SupporterPauseSetData(paused=False, member_id="s1", staff_id="adm-1", at=before)
    assert not w.pool.pause(late)
    assert w.pool.members["s1"].paused


def test_suspensions_and_pauses_survive_a_rebuild_and_old_documents_have_none() -> None:
    w = World()
    w.supporter("s1")
    w.supporter("s2")
    moderate(w, "s1", ModerationAction.SUSPEND_SUPPORTING)
    moderate(w, "s1", ModerationAction.SUSPEND_MATCHING)
    pause(w, "s2")
    assert MEMBERS.decode is not None
    docs = [versioned(MEMBERS.document(Pooled("main", m), 0), 1) for m in w.pool.members.values()]
    rebuilt = World()
    rebuilt.pool.restore([MEMBERS.decode(d).item for d in docs], [], [], [], {}, [], [])
    s1, s2 = rebuilt.pool.members["s1"], rebuilt.pool.members["s2"]
    assert (s1.suspended_supporting, s1.suspended_matching, s1.paused) == (True, True, False)
    assert s1.moderated_at == w.pool.members["s1"].moderated_at
    assert (s2.paused, s2.paused_at) == (True, w.pool.members["s2"].paused_at)
    assert set(rebuilt.pool.supporters) == {"s2"}
    fields = ("suspended_matching", "suspended_supporting", "moderated_at", "paused", "paused_at")
    old = {k: v for k, v in docs[1].items() if k not in fields}
    again = MEMBERS.decode(old).item
    assert (again.suspended_matching, again.suspended_supporting, again.paused) == (
        False,
        False,
        False,
    )


# ---------------------------------------------------------------- a supporter's standing


def handed(w: World, event: Envelope[Any], sent: datetime) -> Effects:
    """A member's event, sent at `sent`, as the pool's owner applies it now (`w.now`)."""
    apply(w.pool, event.model_copy(update={"time": sent}), w.now)
    return w.pool.take_effects()


def stored(store: Store[Pooled[T]], item: T) -> T:
    """The item as a rebuild reads it back from its stored document."""
    assert store.decode is not None
    return store.decode(versioned(store.document(Pooled("main", item), 0), 1)).item


def lose_standing(w: World, how: str) -> None:
    if how == "role withdrawn":
        w.grant("s1", granted=False)
    elif how == "profile stops offering":
        w.later(seconds=1)
        w.pool.profile(profile("s1", capacity=3), w.now)  # a seeker's profile now
    elif how == "own safety episode":
        w.pool.episode_opened("s1", "ep-s1", w.now)
    elif how == "suspended":
        moderate(w, "s1", ModerationAction.SUSPEND_SUPPORTING)
    else:
        pause(w, "s1")


def regain_standing(w: World, how: str) -> None:
    if how == "role withdrawn":
        w.grant("s1")
    elif how == "profile stops offering":
        w.later(seconds=1)
        w.supporter("s1", granted=False, capacity=3)
    elif how == "own safety episode":
        w.pool.episode_closed("s1", "ep-s1")
    elif how == "suspended":
        moderate(w, "s1", ModerationAction.RESTORE)
    else:
        pause(w, "s1", paused=False)


STANDINGS = {
    "role withdrawn": ROLE_WITHDRAWN,
    "profile stops offering": ROLE_WITHDRAWN,
    "own safety episode": SAFETY_EPISODE,
    "suspended": SUSPENDED,
    "paused": PAUSED,
}


@pytest.mark.parametrize("how", list(STANDINGS))
def test_a_supporter_who_may_not_take_a_match_loses_their_pending_proposals(how: str) -> None:
    """Their active match goes on; the request of the pending one waits again, the supporter
    not excluded from it: once they may support again, it may be theirs again."""
    w = World()
    w.supporter("s1", capacity=3)
    w.seeker("k1")
    w.seeker("k2")
    w.request("k1")
    [active] = w.batch()
    w.act("s1", active.match_id, MatchAction.ACCEPT)
    pending_rid = w.request("k2")
    [pending] = w.batch()
    lose_standing(w, how)
    steps = [(s, m.match_id, m.by, m.reason) for s, m in w.pool.take_effects().steps]
    assert steps == [("declined", pending.match_id, "matching", STANDINGS[how])]
    assert w.pool.matches[active.match_id].state == "active"
    assert w.holds("s1") == 1
    r = w.pool.requests[pending_rid]
    assert (r.status, r.excluded) == ("open", set())
    w.check_slots()
    assert w.batch() == []
    regain_standing(w, how)
    [again] = w.batch()
    assert (again.request_id, again.supporter_id, again.attempt) == (pending_rid, "s1", 2)
    w.check_slots()


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("granted", False, ROLE_WITHDRAWN),
        ("offers_support", False, ROLE_WITHDRAWN),
        ("episodes", {"ep"}, SAFETY_EPISODE),
        ("suspended_supporting", True, SUSPENDED),
        ("paused", True, PAUSED),
    ],
)
def test_an_accept_is_refused_when_the_supporter_may_not_take_the_match_now(
    field: str, value: object, reason: str
) -> None:
    """Their standing changed and the proposal is still pending (a pool rebuilt from what an
    older version stored): accepting withdraws it instead of activating it."""
    w = World()
    match = proposed(w)
    setattr(w.pool.members[match.supporter_id], field, value)
    p = w.pool
    w.pool = Pool("main", PoolSettings())
    w.pool.restore(
        [stored(MEMBERS, m) for m in p.members.values()],
        [stored(REQUESTS, r) for r in p.requests.values()],
        p.seen_requests,
        [stored(MATCHES, x) for x in p.matches.values()],
        {},
        [],
        [],
    )
    w.pool.action(
        MatchActionRequestedData(
            match_id=match.match_id, member_id=match.supporter_id, action=MatchAction.ACCEPT
        ),
        w.now,
    )
    effects = w.pool.take_effects()
    assert [(s, m.by, m.reason) for s, m in effects.steps] == [("declined", "matching", reason)]
    assert [(about, why) for about, _, why in effects.ignored] == [(match.match_id, reason)]
    assert match.match_id not in w.pool.matches
    assert w.holds(match.supporter_id) == 0
    r = w.pool.requests[match.request_id]
    assert (r.status, r.excluded) == ("open", set())
    w.check_slots()


def accept(match: Match) -> MatchActionRequested:
    data = MatchActionRequestedData(
        match_id=match.match_id, member_id=match.supporter_id, action=MatchAction.ACCEPT
    )
    return MatchActionRequested.new(subject=match.supporter_id, source="t", data=data)


def test_an_accept_sent_after_the_deadline_expires_the_proposal_before_its_timer_runs() -> None:
    """A takeover between: the new owner handles an accept queued before its expiry timer.
    Sent after the deadline it expires the proposal; sent in time, however late it is handled,
    it counts."""
    w = World(proposal_ttl=timedelta(hours=1))
    late = proposed(w)
    w.later(hours=2)  # no timer ran meanwhile
    effects = handed(w, accept(late), late.expires_at + timedelta(seconds=1))
    assert [(s, m.match_id, m.by) for s, m in effects.steps] == [
        ("expired", late.match_id, "matching")
    ]
    assert [why for _, _, why in effects.ignored] == ["sent after the deadline"]
    assert late.match_id not in w.pool.matches
    assert w.holds(late.supporter_id) == 0
    r = w.pool.requests[late.request_id]
    assert (r.status, r.excluded) == ("open", {late.supporter_id})  # as if it had expired

    [in_time] = w.batch()
    w.later(hours=2)
    effects = handed(w, accept(in_time), in_time.expires_at - timedelta(seconds=1))
    assert [(s, m.match_id) for s, m in effects.steps] == [("accepted", in_time.match_id)]
    assert w.pool.matches[in_time.match_id].state == "active"
    w.check_slots()


# ---------------------------------------------------------------- groups: reports and replays


@pytest.mark.parametrize("active", [True, False], ids=["ended", "proposal"])
def test_a_report_separates_a_group_the_pair_shares(active: bool) -> None:
    """As after a block: the one who reports stays, the one reported leaves."""
    w = World()
    match = proposed(w)
    w.seeker("k2")
    for member_id in ("k1", match.supporter_id, "k2"):
        join(w, member_id)
    [group] = w.pool.groups.values()
    w.pool.take_effects()
    if active:
        w.act(match.supporter_id, match.match_id, MatchAction.ACCEPT)
        reporter, reported = "k1", match.supporter_id
    else:
        reporter, reported = match.supporter_id, "k1"
    end = MatchEnd(reason="unkind", report=True)
    data = MatchActionRequestedData(
        match_id=match.match_id, member_id=reporter, action=MatchAction.END, end=end
    )
    w.pool.action(data, w.now)
    assert sorted(group.members) == sorted({"k1", match.supporter_id, "k2"} - {reported})
    changes = [(g.group_id, m, joined) for g, m, joined in w.pool.take_effects().group_changes]
    assert changes == [(group.group_id, reported, False)]
    join(w, reported)  # nor grouped again with the one who reported them
    assert reporter not in next(g for g in w.pool.groups.values() if reported in g.members).members


def group_step(member_id: str, event_id: str, leave: str | None = None) -> GroupActionRequested:
    data = (
        GroupActionRequestedData(member_id=member_id, action="leave", group_id=leave)
        if leave
        else GroupActionRequestedData(
            member_id=member_id, action="join", topic=Topic.GRIEF, language="en"
        )
    )
    return GroupActionRequested.new(id=event_id, subject=member_id, source="t", data=data)


def test_a_replayed_group_step_does_not_undo_a_later_one() -> None:
    """After a takeover the member's earlier steps come again: a join replayed after the leave
    does not put them back, a leave replayed after a later join does not take them out."""
    w = World()
    for member_id in ("k1", "k2"):
        w.seeker(member_id)
    handed(w, group_step("k2", "e0"), w.now)
    [group] = w.pool.groups.values()
    joined_at = w.now + timedelta(seconds=1)
    handed(w, group_step("k1", "e1"), joined_at)
    assert group.members == ["k2", "k1"]
    left_at = joined_at + timedelta(seconds=1)
    handed(w, group_step("k1", "e2", leave=group.group_id), left_at)
    assert group.members == ["k2"]

    w.later(minutes=5)
    effects = handed(w, group_step("k1", "e1"), joined_at)  # the join again
    assert group.members == ["k2"] and len(w.pool.groups) == 1
    assert (effects.group_changes, [why for _, _, why in effects.ignored]) == ([], [OUTDATED])

    handed(w, group_step("k1", "e3"), left_at + timedelta(seconds=1))  # a new join
    assert group.members == ["k2", "k1"]
    effects = handed(w, group_step("k1", "e2", leave=group.group_id), left_at)  # the leave again
    assert group.members == ["k2", "k1"]
    assert (effects.group_changes, [why for _, _, why in effects.ignored]) == ([], [OUTDATED])


def test_a_rebuild_keeps_the_group_steps_and_old_documents_have_none() -> None:
    w = World()
    w.seeker("k1")
    w.seeker("k2")
    handed(w, group_step("k2", "e0"), w.now)
    joined_at = w.now + timedelta(microseconds=1500)
    handed(w, group_step("k1", "e1"), joined_at)
    [group] = w.pool.groups.values()
    handed(w, group_step("k1", "e2", leave=group.group_id), joined_at + timedelta(seconds=1))
    assert GROUPS.decode is not None
    doc = versioned(GROUPS.document(Pooled("main", group), 0), 1)
    rebuilt = World()
    rebuilt.now = w.now
    rebuilt.pool.restore(w.pool.members.values(), [], [], [], {}, [], [GROUPS.decode(doc).item])
    [again] = rebuilt.pool.groups.values()
    effects = handed(rebuilt, group_step("k1", "e1"), joined_at)  # the join again
    assert again.members == ["k2"] and len(rebuilt.pool.groups) == 1
    assert [why for _, _, why in effects.ignored] == [OUTDATED]
    assert again.steps == group.steps  # to the millisecond, as stored

    fields = ("step_members", "step_times", "step_ids")
    old = GROUPS.decode({k: v for k, v in doc.items() if k not in fields}).item
    assert (old.members, old.steps) == (["k2"], {})
