"""The matching processor without I/O: a member's event is handed on to the pool's partition,
the pool's batch proposes, and everything it stores is an insert of a new version (no update
or delete, which FerretDB would answer by scanning the collection)."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from kindred.events.casework import (
    MemberModerated,
    MemberModeratedData,
    ModerationAction,
    SupporterPauseSet,
    SupporterPauseSetData,
)
from kindred.events.envelope import Envelope
from kindred.events.matching import (
    MatchAction,
    MatchActionRequested,
    MatchActionRequestedData,
    MemberBlocked,
    MemberBlockedData,
    PoolInput,
    Referral,
    Seeker,
    as_pool_input,
)
from kindred.events.safety import (
    SafetyEpisodeClosed,
    SafetyEpisodeClosedData,
    SafetyEpisodeOpened,
    SafetyEpisodeOpenedData,
)
from kindred.matching.handlers import Matching, inner_event
from kindred.matching.repository import MATCHES, MEMBERS, REQUESTS
from kindred.matching.settings import MatchingSettings
from kindred.partitions.processor import Changes
from kindred.partitions.store import newest
from kindred.storage.writes import Insert
from tests.support.factories import profile_submitted, role_set, support_requested
from tests.support.partitions import Partition

pytestmark = pytest.mark.unit

SETTINGS = MatchingSettings(kindred_dev_mode=True, match_batch_seconds=0.001)
T0 = datetime(2026, 11, 26, 12, tzinfo=UTC)


def processor() -> Partition:
    return Partition(Matching(SETTINGS))


def into_pool(matching: Partition, *events: Envelope[Any], now: datetime = T0) -> Changes:
    return matching.handle(now, *(as_pool_input(e, "main", "tests") for e in events))


def tick(matching: Partition, now: datetime) -> Changes:
    assert isinstance(matching.processor, Matching)
    matching.processor.batched_at.clear()
    return matching.tick(now)


def emitted(changes: Changes, topic: str, *more: Changes) -> list[dict[str, Any]]:
    """What these batches emitted on `topic`, in order."""
    return [
        json.loads(r.value)
        for c in (changes, *more)
        for r in c.records
        if r.topic == f"kindred.{topic}"
    ]


def test_a_members_event_is_handed_on_unchanged_to_the_pool_partition() -> None:
    matching = processor()
    request = support_requested("k1")
    changes = matching.handle(T0, request)
    [record] = changes.records
    assert (record.topic, record.key) == ("kindred.matching.pool-input", b"main")
    handed = PoolInput.model_validate_json(record.value)
    assert inner_event(handed.data.event) == request
    assert changes.writes == []
    # Handed on again (a redelivery), it is the same event: the same id.
    again = matching.handle(T0, request)
    assert PoolInput.model_validate_json(again.records[0].value).id == handed.id


def test_a_batch_proposes_and_stores_only_inserts() -> None:
    matching = processor()
    setup = into_pool(
        matching,
        profile_submitted("s1", capacity=2),
        role_set("s1"),
        profile_submitted("k1", roles=["seeker"], capacity=0),
        support_requested("k1", request_id="r1"),
    )
    # The pool is quiet: the request is proposed in the batch that brought it.
    [proposal] = emitted(setup, "match.proposed")
    assert proposal["data"]["supporter_id"] == "s1"
    assert emitted(tick(matching, T0 + timedelta(seconds=1)), "match.proposed") == []
    # Only inserts: the next version of what changed (FerretDB scans for any filter).
    assert {type(w) for w in setup.writes} == {Insert}
    requests = [
        w.doc for w in setup.writes if isinstance(w, Insert) and w.collection == REQUESTS.collection
    ]
    assert [(r["_id"], r["key"], r["ver"], r["status"]) for r in requests] == [
        ("r1#1", "r1", 1, "open"),
        ("r1#2", "r1", 2, "proposed"),
    ]

    accept = MatchActionRequested.new(
        subject="s1",
        source="tests",
        data=MatchActionRequestedData(
            match_id=proposal["data"]["match_id"], member_id="s1", action=MatchAction.ACCEPT
        ),
    ).model_copy(update={"time": T0})  # sent on the pool's clock, before the deadline
    step = into_pool(matching, accept, accept)  # twice in one batch
    assert len(emitted(step, "match.accepted")) == 1
    matches = [
        w.doc for w in step.writes if isinstance(w, Insert) and w.collection == MATCHES.collection
    ]
    assert [(m["ver"], m["state"]) for m in matches] == [(2, "active")]


def test_each_change_is_the_next_version_and_the_newest_is_the_last_state() -> None:
    matching = processor()
    changes = into_pool(
        matching,
        profile_submitted("s1", capacity=2),
        role_set("s1"),
        role_set("s1", granted=False),
    )
    assert all(isinstance(w, Insert) for w in changes.writes)
    members = [w.doc for w in changes.writes]
    assert [(m["_id"], m["ver"]) for m in members] == [("s1#1", 1), ("s1#2", 2), ("s1#3", 3)]
    assert MEMBERS.decode is not None
    assert MEMBERS.decode(newest(members)["s1"]).item.granted is False
    assert {(m["pool"], m["partition"]) for m in members} == {("main", 0)}


def test_a_new_owner_rebuilds_the_pool_and_expires_a_proposal_whose_deadline_passed() -> None:
    matching = processor()
    setup = into_pool(
        matching,
        profile_submitted("s1", capacity=2),
        role_set("s1"),
        profile_submitted("k1", roles=["seeker"], capacity=0),
        support_requested("k1", request_id="r1"),
        now=T0 + timedelta(seconds=1),
    )
    [proposal] = emitted(setup, "match.proposed")
    reborn = matching.new_owner(Matching(SETTINGS))
    assert isinstance(reborn.processor, Matching)
    [pool] = reborn.processor.pools[0].values()
    assert proposal["data"]["match_id"] in pool.matches
    expiry = T0 + timedelta(seconds=1) + timedelta(seconds=SETTINGS.proposal_ttl_seconds)
    assert emitted(tick(reborn, expiry - timedelta(seconds=1)), "match.expired") == []
    [expired] = emitted(tick(reborn, expiry), "match.expired")
    assert expired["data"]["match_id"] == proposal["data"]["match_id"]
    assert emitted(tick(reborn, expiry + timedelta(seconds=1)), "match.expired") == []


@pytest.mark.parametrize("seed", range(4))
def test_every_proposal_has_its_deadline_as_a_timer_and_none_outlives_it(seed: int) -> None:
    """Requests, answers, time and new owners at random: after each tick no proposal is left
    past its deadline, and each one waiting has a timer at its deadline in the matches store."""
    rng = random.Random(seed)
    settings = SETTINGS.model_copy(update={"proposal_ttl_seconds": 600})
    matching = Partition(Matching(settings))
    supporters = [f"s{i}" for i in range(4)]
    seekers = [f"k{i}" for i in range(6)]
    setup = [e for s in supporters for e in (profile_submitted(s, capacity=2), role_set(s))]
    setup += [profile_submitted(k, roles=["seeker"], capacity=0) for k in seekers]
    into_pool(matching, *setup)
    now = T0
    for step in range(120):
        now += timedelta(seconds=rng.choice([1, 30, 200, 700]))
        processor = matching.processor
        assert isinstance(processor, Matching)
        [pool] = processor.pools[0].values() or [None]
        roll = rng.random()
        if roll < 0.35:
            into_pool(matching, support_requested(rng.choice(seekers)), now=now)
        elif roll < 0.6 and pool is not None and pool.matches:
            match = rng.choice(sorted(pool.matches.values(), key=lambda m: m.match_id))
            action = rng.choice([MatchAction.ACCEPT, MatchAction.DECLINE])
            step_by = MatchActionRequestedData(
                match_id=match.match_id, member_id=match.supporter_id, action=action
            )
            into_pool(
                matching,
                MatchActionRequested.new(
                    subject=match.supporter_id, source="t", data=step_by
                ).model_copy(update={"time": now}),
                now=now,
            )
        elif roll < 0.65:
            matching = matching.new_owner(Matching(settings))
        tick(matching, now)
        processor = matching.processor
        assert isinstance(processor, Matching)
        table = matching.tables[MATCHES]
        for pool in processor.pools[0].values():
            for match in pool.matches.values():
                if match.state != "proposed":
                    continue
                assert match.expires_at > now, f"step {step}: a proposal outlived its deadline"
                assert table._planned.get(match.match_id) == match.expires_at


def episode_opened(member_id: str, episode_id: str) -> SafetyEpisodeOpened:
    return SafetyEpisodeOpened.new(
        subject=member_id,
        source="tests",
        data=SafetyEpisodeOpenedData(
            episode_id=episode_id, member_id=member_id, alert_id=f"a-{episode_id}", opened_at=T0
        ),
    )


def episode_closed(member_id: str, episode_id: str) -> SafetyEpisodeClosed:
    return SafetyEpisodeClosed.new(
        subject=member_id,
        source="tests",
        data=SafetyEpisodeClosedData(
            episode_id=episode_id,
            member_id=member_id,
            closed_by="staff-1",
            reason="spoke with them",
            opened_at=T0,
            closed_at=T0,
            alerts=1,
        ),
    )


def seeker_and_supporter(matching: Partition) -> None:
    into_pool(
        matching,
        profile_submitted("s1", capacity=2),
        role_set("s1"),
        profile_submitted("k1", roles=["seeker"], capacity=0),
    )


def test_an_episode_closed_before_its_open_is_handled_holds_no_one_out() -> None:
    """The two topics keep no order between them: the close can reach the pool first. The
    open that follows (handled by a new owner, rebuilt from what was stored) holds nobody."""
    matching = processor()
    seeker_and_supporter(matching)
    into_pool(matching, episode_closed("k1", "ep1"))
    matching = matching.new_owner(Matching(SETTINGS))
    handled = into_pool(
        matching, episode_opened("k1", "ep1"), support_requested("k1", request_id="r1")
    )
    [proposal] = emitted(handled, "match.proposed", tick(matching, T0 + timedelta(seconds=1)))
    assert proposal["data"]["seeker_id"] == "k1"
    stored = newest(matching.docs(MEMBERS.collection))["k1"]
    assert (stored["episodes"], stored["closed_episodes"]) == ([], ["ep1"])


def test_an_episode_opened_again_after_its_close_holds_no_one_out() -> None:
    matching = processor()
    seeker_and_supporter(matching)
    opened = episode_opened("k1", "ep1")
    into_pool(matching, opened, episode_closed("k1", "ep1"), opened)  # the open redelivered
    handled = into_pool(matching, support_requested("k1", request_id="r1"))
    later = tick(matching, T0 + timedelta(seconds=1))
    assert len(emitted(handled, "match.proposed", later)) == 1


def test_another_episode_after_a_closed_one_still_holds_the_member_out() -> None:
    matching = processor()
    seeker_and_supporter(matching)
    into_pool(matching, episode_closed("k1", "ep1"), episode_opened("k1", "ep1"))
    into_pool(matching, episode_opened("k1", "ep2"), support_requested("k1", request_id="r1"))
    assert emitted(tick(matching, T0 + timedelta(seconds=1)), "match.proposed") == []
    into_pool(matching, episode_closed("k1", "ep2"))
    assert len(emitted(tick(matching, T0 + timedelta(seconds=2)), "match.proposed")) == 1


def moderated(member_id: str, action: ModerationAction, at: datetime = T0) -> MemberModerated:
    return MemberModerated.new(
        subject=member_id,
        source="tests",
        data=MemberModeratedData(
            action=action,
            action_id=f"act-{member_id}-{action}",
            member_id=member_id,
            staff_id="mod-1",
            at=at,
            note="kept with the case",
        ),
    )


def pause_set(member_id: str, paused: bool, at: datetime = T0) -> SupporterPauseSet:
    return SupporterPauseSet.new(
        subject=member_id,
        source="tests",
        data=SupporterPauseSetData(paused=paused, member_id=member_id, staff_id="adm-1", at=at),
    )


def test_moderation_and_pauses_are_handed_on_to_the_pool() -> None:
    matching = processor()
    for event in (moderated("k1", ModerationAction.SUSPEND_MATCHING), pause_set("s1", True)):
        [record] = matching.handle(T0, event).records
        assert (record.topic, record.key) == ("kindred.matching.pool-input", b"main")
        assert inner_event(PoolInput.model_validate_json(record.value).data.event) == event


def test_a_suspended_seekers_requests_are_refused_and_stored_as_suspended() -> None:
    matching = processor()
    seeker_and_supporter(matching)
    into_pool(matching, support_requested("k1", request_id="r1"))
    changes = into_pool(matching, moderated("k1", ModerationAction.SUSPEND_MATCHING))
    [withdrawn] = emitted(changes, "support.request-refused")
    assert withdrawn["subject"] == "k1"
    assert withdrawn["data"] == {"request_id": "r1", "seeker_id": "k1", "reason": "suspended"}
    refused = into_pool(matching, support_requested("k1", request_id="r2"))
    assert [e["data"]["reason"] for e in emitted(refused, "support.request-refused")] == [
        "suspended"
    ]
    assert emitted(tick(matching, T0 + timedelta(seconds=1)), "match.proposed") == []

    # A new owner rebuilds the suspension from what was stored.
    matching = matching.new_owner(Matching(SETTINGS))
    stored = newest(matching.docs(MEMBERS.collection))["k1"]
    assert (stored["suspended_matching"], stored["moderated_at"]) == (True, T0)
    assert {r["key"]: r["status"] for r in newest(matching.docs(REQUESTS.collection)).values()} == {
        "r1": "refused",
        "r2": "refused",
    }
    again = into_pool(matching, support_requested("k1", request_id="r3"))
    assert len(emitted(again, "support.request-refused")) == 1

    restored = T0 + timedelta(minutes=1)
    into_pool(matching, moderated("k1", ModerationAction.RESTORE, at=restored))
    handled = into_pool(matching, support_requested("k1", request_id="r4"))
    [proposal] = emitted(handled, "match.proposed", tick(matching, T0 + timedelta(minutes=2)))
    assert proposal["data"]["request_id"] == "r4"


def test_a_suspended_or_paused_supporter_is_not_proposed() -> None:
    matching = processor()
    seeker_and_supporter(matching)
    into_pool(
        matching,
        moderated("s1", ModerationAction.SUSPEND_SUPPORTING),
        support_requested("k1", request_id="r1"),
    )
    assert emitted(tick(matching, T0 + timedelta(seconds=1)), "match.proposed") == []
    later = T0 + timedelta(minutes=1)
    into_pool(
        matching,
        pause_set("s1", True, at=later),
        moderated("s1", ModerationAction.RESTORE, at=later),
    )
    assert emitted(tick(matching, T0 + timedelta(minutes=2)), "match.proposed") == []
    matching = matching.new_owner(Matching(SETTINGS))
    assert emitted(tick(matching, T0 + timedelta(minutes=3)), "match.proposed") == []
    into_pool(matching, pause_set("s1", False, at=T0 + timedelta(minutes=4)))
    [proposal] = emitted(tick(matching, T0 + timedelta(minutes=5)), "match.proposed")
    assert proposal["data"]["supporter_id"] == "s1"


def test_a_quiet_pool_solves_at_once_and_a_busy_one_gathers_inputs_for_its_window() -> None:
    settings = SETTINGS.model_copy(update={"match_batch_seconds": 0.5, "match_batch_full_rate": 10})
    matching = Partition(Matching(settings))
    supporters = [e for i in range(30) for e in (profile_submitted(f"s{i}"), role_set(f"s{i}"))]
    seekers = [profile_submitted(f"k{i}", roles=["seeker"], capacity=0) for i in range(30)]
    into_pool(matching, *supporters, *seekers)
    processor = matching.processor
    assert isinstance(processor, Matching)
    # Those inputs came at 60 a second: the window is at its widest now, and shrinks as the
    # pool goes quiet.
    assert processor.window(0, "main", T0) == pytest.approx(0.5)
    assert processor.window(0, "main", T0 + timedelta(seconds=5)) < 0.05
    quiet = T0 + timedelta(seconds=30)
    assert processor.window(0, "main", quiet) == pytest.approx(0.0, abs=1e-6)
    first = into_pool(matching, support_requested("k0", request_id="r0"), now=quiet)
    assert len(emitted(first, "match.proposed")) == 1  # at once: nothing else waits

    # A burst: each request waits for the window, then one batch takes them all.
    burst = [quiet + timedelta(milliseconds=10 * i) for i in range(1, 21)]
    proposed = [
        emitted(
            into_pool(matching, support_requested(f"k{i}", request_id=f"r{i}"), now=at),
            "match.proposed",
        )
        for i, at in enumerate(burst, start=1)
    ]
    assert sum(map(len, proposed)) < 20
    waiting = 20 - sum(map(len, proposed))
    window = processor.window(0, "main", burst[-1])
    assert window > 0.1
    assert emitted(matching.tick(burst[-1] + timedelta(seconds=0.05)), "match.proposed") == []
    later = matching.tick(burst[-1] + timedelta(seconds=window + 0.01))
    assert len(emitted(later, "match.proposed")) == waiting


POOLED = SETTINGS.model_copy(
    update={"matching_pool_key": "language", "matching_pool_neighbours": {"pt": ["es", "en"]}}
)


def pool_inputs(changes: Changes) -> list[PoolInput]:
    return [
        PoolInput.model_validate_json(r.value)
        for r in changes.records
        if r.topic == "kindred.matching.pool-input"
    ]


def run_through(matching: Partition, now: datetime, *events: Envelope[Any]) -> list[Changes]:
    """Members' events handed on, then every pool input they cause (referrals, forwarded
    steps) handled in turn, as the pools' partitions would."""
    out = [matching.handle(now, *events)]
    todo = pool_inputs(out[0])
    while todo:
        out.append(matching.handle(now, todo.pop(0)))
        todo += pool_inputs(out[-1])
    return out


def test_members_are_placed_in_the_pool_of_their_first_profile_and_stay() -> None:
    matching = Partition(Matching(POOLED))
    [to_es] = pool_inputs(matching.handle(T0, profile_submitted("s1", languages=["es", "en"])))
    assert to_es.data.pool == "es"
    [later] = pool_inputs(matching.handle(T0, support_requested("s1", language="en")))
    assert later.data.pool == "es"
    # A new profile does not move them; nor does a new owner of their partition.
    matching = matching.new_owner(Matching(POOLED))
    moved = profile_submitted("s1", languages=["en"])
    assert [i.data.pool for i in pool_inputs(matching.handle(T0, moved))] == ["es"]


def test_a_members_events_before_any_profile_wait_for_it_and_follow_it_in_order() -> None:
    """A role granted right after a profile can be read first (the topics keep no order
    between them): it waits, even across a new owner, and follows the profile to its pool."""
    matching = Partition(Matching(POOLED))
    early = [role_set("s1"), support_requested("s1", request_id="r1", language="pt")]
    assert pool_inputs(matching.handle(T0, *early)) == []
    assert [d["_id"] for d in matching.docs("held")] == ["s1"]
    matching = matching.new_owner(Matching(POOLED))
    profile = profile_submitted("s1", languages=["pt"])
    handed = pool_inputs(matching.handle(T0, profile))
    assert [(i.data.pool, inner_event(i.data.event)) for i in handed] == [
        ("pt", profile),
        *(("pt", e) for e in early),
    ]
    assert matching.docs("held") == []
    again = support_requested("s1", request_id="r2", language="pt")
    assert [i.data.pool for i in pool_inputs(matching.handle(T0, again))] == ["pt"]


def test_a_request_no_supporter_of_its_pool_can_take_goes_to_a_neighbour_and_its_steps_follow() -> (
    None
):
    matching = Partition(Matching(POOLED))
    run_through(
        matching,
        T0,
        profile_submitted("s-es", languages=["es", "pt"], topics=["grief"]),
        role_set("s-es"),
        profile_submitted("k-pt", roles=["seeker"], capacity=0, languages=["pt"]),
    )
    handled = run_through(
        matching, T0, support_requested("k-pt", request_id="r1", language="pt", topics=["grief"])
    )
    inputs = [i for c in handled for i in pool_inputs(c)]
    assert [(i.data.pool, i.data.referral is not None) for i in inputs] == [
        ("pt", False),
        ("es", True),
    ]
    [proposal] = emitted(handled[0], "match.proposed", *handled[1:])
    assert (proposal["data"]["seeker_id"], proposal["data"]["supporter_id"]) == ("k-pt", "s-es")
    processor = matching.processor
    assert isinstance(processor, Matching)
    home = processor.pools[0]["pt"]
    assert home.members["k-pt"].referred_to == {"es"}
    assert not home.open
    stored = newest(matching.docs(REQUESTS.collection))["r1@es"]
    assert stored["status"] == "proposed" and stored["home"] == "pt" and stored["pool"] == "es"

    # The supporter accepts in their pool; the seeker's end reaches it through theirs.
    match_id = proposal["data"]["match_id"]
    accept = MatchActionRequestedData(
        match_id=match_id, member_id="s-es", action=MatchAction.ACCEPT
    )
    steps = run_through(
        matching,
        T0,
        MatchActionRequested.new(subject="s-es", source="t", data=accept).model_copy(
            update={"time": T0}
        ),
    )
    assert len(emitted(steps[0], "match.accepted", *steps[1:])) == 1
    end = MatchActionRequestedData(match_id=match_id, member_id="k-pt", action=MatchAction.END)
    steps = run_through(
        matching,
        T0,
        MatchActionRequested.new(subject="k-pt", source="t", data=end).model_copy(
            update={"time": T0}
        ),
    )
    assert [(i.data.pool, i.data.forwarded_from) for c in steps for i in pool_inputs(c)] == [
        ("pt", None),
        ("es", "pt"),
    ]
    [ended] = emitted(steps[0], "match.ended", *steps[1:])
    assert ended["data"]["by"] == "k-pt"


def test_a_request_goes_on_down_its_neighbours_and_waits_at_the_last() -> None:
    matching = Partition(Matching(POOLED))
    run_through(
        matching, T0, profile_submitted("k-pt", roles=["seeker"], capacity=0, languages=["pt"])
    )
    handled = run_through(matching, T0, support_requested("k-pt", request_id="r1", language="pt"))
    assert [i.data.pool for c in handled for i in pool_inputs(c)] == ["pt", "es", "en"]
    # A replay of the referral changes nothing.
    [*_, last] = [i for c in handled for i in pool_inputs(c)]
    assert pool_inputs(matching.handle(T0, last)) == []
    processor = matching.processor
    assert isinstance(processor, Matching)
    [waiting] = processor.pools[0]["en"].open.values()
    assert (waiting.request_id, waiting.home, waiting.onward) == ("r1", "es", ())


def test_a_solve_budget_must_stay_below_the_kafka_session() -> None:
    assert SETTINGS.pool_settings().engine.solve_budget_seconds == 5
    for budget, session in ((10, 10), (0, 10), (30, 20)):
        with pytest.raises(ValueError, match=r"(?i)match_solve_budget_seconds"):
            MatchingSettings(
                kindred_dev_mode=True,
                match_solve_budget_seconds=budget,
                kafka_session_timeout_seconds=session,
            )
    fits = MatchingSettings(
        kindred_dev_mode=True, match_solve_budget_seconds=25, kafka_session_timeout_seconds=30
    )
    assert fits.pool_settings().engine.solve_budget_seconds == 25


def test_a_request_referred_to_a_pool_of_another_partition_is_stored_apart_and_rebuilt() -> None:
    """Each partition numbers its own versions: the referred request, its seeker and a block
    that follows them are stored under ids of their own in the neighbouring pool, so neither
    pool's documents overwrite or shadow the other's, and a new owner rebuilds both."""
    stored: dict[str, dict[str, Any]] = {}
    members = Partition(Matching(POOLED), number=2, stored=stored)
    pools = {
        "pt": Partition(Matching(POOLED), 0, stored),
        "es": Partition(Matching(POOLED), 1, stored),
    }

    def run(*events: Envelope[Any]) -> list[Changes]:
        out = [members.handle(T0, *events)]
        todo = pool_inputs(out[0])
        while todo:
            handed = todo.pop(0)
            out.append(pools[handed.data.pool].handle(T0, handed))
            todo += pool_inputs(out[-1])
        return out

    run(
        profile_submitted("s-es", languages=["es", "pt"], topics=["grief"]),
        role_set("s-es"),
        profile_submitted("k-pt", roles=["seeker"], capacity=0, languages=["pt"]),
        profile_submitted("x-pt", roles=["seeker"], capacity=0, languages=["pt"]),
    )
    handled = run(support_requested("k-pt", request_id="r1", language="pt", topics=["grief"]))
    [proposal] = emitted(handled[0], "match.proposed", *handled[1:])
    block = MemberBlockedData(member_id="k-pt", blocked_id="x-pt")
    run(MemberBlocked.new(subject="k-pt", source="t", data=block))
    ids = {d["_id"] for c in ("members", "requests", "blocks") for d in members.docs(c)}
    assert {"r1#1", "r1#2", "r1@es#1", "r1@es#2", "k-pt#1", "k-pt@es#1"} <= {
        i.replace("@pt", "") for i in ids
    }
    for number, pool_id in ((0, "pt"), (1, "es")):
        reborn = pools[pool_id].new_owner(Matching(POOLED))
        assert isinstance(reborn.processor, Matching)
        pool = reborn.processor.pools[number][pool_id]
        assert pool.blocked("k-pt", "x-pt", T0)
        if pool_id == "es":
            assert proposal["data"]["match_id"] in pool.matches
            assert pool.requests["r1"].home == "pt"
            assert pool.members["k-pt"].languages == frozenset({"pt"})
        else:
            assert pool.members["k-pt"].referred_to == {"es"} and "r1" not in pool.requests


def test_a_referral_that_carries_no_support_request_is_refused_naming_the_field() -> None:
    """Such a record goes to the dead-letter topic (the runtime sets aside what raises) and
    changes no pool."""
    matching = Partition(Matching(POOLED))
    profile = profile_submitted("k-pt", roles=["seeker"], capacity=0, languages=["pt"])
    seeker = Seeker(
        member_id="k-pt",
        profile_time=T0,
        languages=["pt"],
        topics=["grief"],
        age_band="25-34",
        availability="0",
    )
    referral = Referral(from_pool="pt", seeker=seeker, received_at=T0)
    wrong = as_pool_input(profile, "es", "tests", referral=referral)
    with pytest.raises(ValueError, match="event: a referral carries a support request"):
        matching.handle(T0, wrong)
    processor = matching.processor
    assert isinstance(processor, Matching)
    pool = processor.pools[0]["es"]
    assert not pool.members and not pool.requests
