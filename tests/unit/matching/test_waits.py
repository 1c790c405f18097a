"""Long waits: a request that waited past `wait_notice` has its seeker told where it stands,
past `max_wait` staff are told too; once per request and stage, through rebuilds and replays."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from kindred.events.envelope import deterministic_id
from kindred.events.matching import MatchAction, SupportRequestWaiting, WaitStage
from kindred.events.vocabulary import Urgency
from kindred.matching.domain.model import NO_LANGUAGE, SAFETY_EPISODE
from kindred.matching.domain.pool import WaitNotice
from kindred.matching.handlers import Matching
from kindred.matching.repository import REQUESTS, Pooled
from kindred.matching.settings import MatchingSettings
from kindred.partitions.store import versioned
from tests.support.factories import profile_submitted, support_requested
from tests.support.partitions import Partition
from tests.unit.matching.test_handlers import SETTINGS, T0, emitted, into_pool, tick
from tests.unit.matching.test_pool import World

pytestmark = pytest.mark.unit

DAY = timedelta(days=1)


def told(w: World, **after: float) -> list[tuple[str, WaitStage]]:
    """What the pool tells, looked over `after` from now."""
    w.later(**after)
    return [(n.request.request_id, n.stage) for n in w.pool.waits_to_tell(w.now)]


def by_id(notices: list[WaitNotice]) -> dict[str, WaitNotice]:
    return {n.request.request_id: n for n in notices}


# ---------------------------------------------------------------- the pool


def test_a_request_is_told_once_at_the_notice_and_once_more_past_the_longest_wait() -> None:
    w = World()
    w.seeker("k1")
    rid = w.request("k1")
    w.batch()  # nobody speaks English: it waits
    assert told(w, hours=23, minutes=58) == []
    assert told(w, minutes=2) == [(rid, WaitStage.NOTICE)]
    assert w.pool.take_effects().requests[rid].told is WaitStage.NOTICE  # stored with it
    assert told(w, hours=1) == []
    assert told(w, hours=46) == []
    assert told(w, hours=1) == [(rid, WaitStage.OVERDUE)]
    assert told(w, days=30) == []


def test_the_notice_says_why_it_waits_how_long_and_how_many_are_served_before_it() -> None:
    w = World()
    for k in ("k1", "k2", "k3", "k4"):
        w.seeker(k, languages=["en", "fr"])
    first = w.request("k1")
    second = w.request("k2")
    french = w.request("k3", language="fr")
    w.later(hours=2)
    urgent = w.request("k4", urgency="high")  # newer, but served first
    w.batch()
    at = w.now + DAY - timedelta(hours=1)
    notices = by_id(w.pool.waits_to_tell(at))
    assert urgent not in notices  # it has not waited a day
    assert set(notices) == {first, second, french}
    assert notices[first].ahead == 1  # the urgent one
    assert notices[second].ahead == 2  # the urgent one and the first
    assert notices[french].ahead == 0  # another language is another queue
    assert notices[second].reason == NO_LANGUAGE
    received = w.pool.requests[second].received_at
    assert notices[second].waited_seconds == (at - received).total_seconds()


def test_requests_held_out_of_matching_are_told_but_are_ahead_of_nobody() -> None:
    w = World()
    w.seeker("k1")
    w.seeker("k2")
    held = w.request("k1")
    waiting = w.request("k2")
    w.pool.episode_opened("k1", "ep1", w.now)
    w.batch()
    notices = by_id(w.pool.waits_to_tell(w.now + DAY))
    assert notices[held].reason == SAFETY_EPISODE
    assert notices[waiting].ahead == 0


def test_past_both_thresholds_at_once_only_the_overdue_stage_is_told() -> None:
    w = World()
    w.seeker("k1")
    rid = w.request("k1")
    assert told(w, days=4) == [(rid, WaitStage.OVERDUE)]
    assert told(w, days=4) == []


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"wait_notice": None}, [(1, "overdue")]),
        ({"max_wait": None}, [(0, "notice")]),
        ({"wait_notice": None, "max_wait": None}, []),
    ],
)
def test_a_threshold_turned_off_is_never_told(
    settings: dict[str, Any], expected: list[tuple[int, str]]
) -> None:
    w = World(**settings)
    w.seeker("k1")
    rids = [w.request("k1")]
    heard = [told(w, hours=25), told(w, hours=48)]
    assert [(i, str(stage)) for i, found in enumerate(heard) for _, stage in found] == expected
    assert {rid for found in heard for rid, _ in found} <= set(rids)


def test_a_request_with_a_proposal_pending_is_not_waiting_and_counts_from_arrival_after() -> None:
    w = World()
    w.supporter("s1")
    w.seeker("k1")
    rid = w.request("k1")
    [match] = w.batch()
    assert told(w, hours=25) == []  # a supporter has it
    w.act("s1", match.match_id, MatchAction.DECLINE)
    assert told(w, minutes=1) == [(rid, WaitStage.NOTICE)]  # waited over a day since it came


def test_what_was_told_survives_a_rebuild_and_old_documents_have_told_nothing() -> None:
    w = World()
    w.seeker("k1")
    rid = w.request("k1")
    assert told(w, hours=25) == [(rid, WaitStage.NOTICE)]
    doc = versioned(REQUESTS.document(Pooled("main", w.pool.requests[rid]), 0), 1)
    assert REQUESTS.decode is not None
    rebuilt = World()
    rebuilt.now = w.now
    restored = REQUESTS.decode(doc).item
    rebuilt.pool.restore(w.pool.members.values(), [restored], [rid], [], {}, [], [])
    assert told(rebuilt, hours=1) == []
    assert told(rebuilt, hours=48) == [(rid, WaitStage.OVERDUE)]
    del doc["told"]  # stored before wait notices existed
    assert REQUESTS.decode(doc).item.told is None


def test_waits_are_looked_over_at_most_once_a_minute() -> None:
    w = World()
    w.seeker("k1")
    assert told(w) == []
    rid = w.request("k1")
    w.pool.settings = type(w.pool.settings)(wait_notice=timedelta(seconds=10))
    assert told(w, seconds=30) == []  # looked over a moment ago
    assert told(w, seconds=30) == [(rid, WaitStage.NOTICE)]


# ---------------------------------------------------------------- the handler


def waiting_request(matching: Partition) -> None:
    into_pool(
        matching,
        profile_submitted("k1", roles=["seeker"], capacity=0),
        support_requested("k1", request_id="r1"),
    )
    tick(matching, T0 + timedelta(seconds=1))


def test_the_tick_publishes_each_stage_once_keyed_by_the_seeker() -> None:
    matching = Partition(Matching(SETTINGS))
    waiting_request(matching)
    assert emitted(tick(matching, T0 + timedelta(hours=23)), "support.request-waiting") == []
    notice = tick(matching, T0 + timedelta(hours=24, minutes=1))
    [event] = emitted(notice, "support.request-waiting")
    [record] = [r for r in notice.records if r.topic == "kindred.support.request-waiting"]
    assert record.key == b"k1"
    parsed = SupportRequestWaiting.model_validate(event)
    assert parsed.id == deterministic_id("support.request-waiting", "r1", "notice")
    data = parsed.data
    assert (data.request_id, data.seeker_id, data.stage, data.ahead) == ("r1", "k1", "notice", 0)
    assert (data.reason, data.language, data.urgency) == (NO_LANGUAGE, "en", Urgency.NORMAL)
    assert data.waited_seconds == pytest.approx((24 * 60 + 1) * 60)
    assert emitted(tick(matching, T0 + timedelta(hours=30)), "support.request-waiting") == []
    [overdue] = emitted(tick(matching, T0 + timedelta(hours=73)), "support.request-waiting")
    assert overdue["data"]["stage"] == "overdue"


def test_a_new_owner_does_not_tell_again_and_a_replayed_tick_repeats_the_same_event() -> None:
    matching = Partition(Matching(SETTINGS))
    waiting_request(matching)
    at = T0 + timedelta(hours=25)
    # A tick whose batch never committed (a crash): the next owner tells it, with the same id.
    lost = matching.tick(at, commit=False)
    [first] = emitted(lost, "support.request-waiting")
    reborn = matching.new_owner(Matching(SETTINGS))
    [again] = emitted(tick(reborn, at), "support.request-waiting")
    assert again["id"] == first["id"]
    later = reborn.new_owner(Matching(SETTINGS))
    assert emitted(tick(later, at + timedelta(hours=1)), "support.request-waiting") == []


def test_the_wait_settings_reach_the_pool_and_zero_turns_them_off() -> None:
    assert SETTINGS.pool_settings().wait_notice == timedelta(hours=24)
    assert SETTINGS.pool_settings().max_wait == timedelta(hours=72)
    off = MatchingSettings(kindred_dev_mode=True, match_wait_notice_hours=0, match_max_wait_hours=0)
    assert (off.pool_settings().wait_notice, off.pool_settings().max_wait) == (None, None)
    with pytest.raises(ValueError, match="MATCH_WAIT_NOTICE_HOURS"):
        MatchingSettings(kindred_dev_mode=True, match_wait_notice_hours=80)
