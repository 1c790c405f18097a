from datetime import UTC, datetime
from typing import Any

from kindred.events.matching import SlotAnsweredData, SlotRequested, SlotRequestedData
from kindred.events.vocabulary import Topic
from kindred.matching.domain import (
    Ask,
    Candidate,
    Directory,
    OpenRequest,
    Pending,
    Requests,
    Supporters,
    eligible,
    match_proposed,
    rank,
    slot_answered,
    slot_requested,
)

REQUEST = OpenRequest("r1", "seeker", frozenset({Topic.GRIEF, Topic.LONELINESS}), "en")


def candidate(member_id: str = "s1", **kw: object) -> Candidate:
    values: dict[str, object] = {
        "member_id": member_id,
        "topics": frozenset({Topic.GRIEF}),
        "opted_out_topics": frozenset(),
        "languages": frozenset({"en"}),
        "capacity": 2,
        "load": 0,
    }
    values.update(kw)
    return Candidate(**values)  # type: ignore[arg-type]


def test_a_supporter_sharing_topic_and_language_with_room_is_eligible() -> None:
    assert eligible(REQUEST, candidate())


def test_hard_rules_each_exclude() -> None:
    assert not eligible(REQUEST, candidate(member_id="seeker"))
    assert not eligible(REQUEST, candidate(languages=frozenset({"fr"})))
    assert not eligible(REQUEST, candidate(topics=frozenset({Topic.ANXIETY})))
    assert not eligible(REQUEST, candidate(load=2, capacity=2))
    assert not eligible(REQUEST, candidate(opted_out_topics=frozenset({Topic.GRIEF})))


def test_rank_prefers_more_shared_topics_then_lower_relative_load() -> None:
    both = candidate("both", topics=frozenset({Topic.GRIEF, Topic.LONELINESS}), load=1)
    idle = candidate("idle", load=0, capacity=4)
    busy = candidate("busy", load=1, capacity=2)
    full = candidate("full", load=2, capacity=2)
    assert [c.member_id for c in rank(REQUEST, [busy, full, idle, both])] == [
        "both",
        "idle",
        "busy",
    ]


def test_rank_is_deterministic_on_ties() -> None:
    assert [c.member_id for c in rank(REQUEST, [candidate("b"), candidate("a")])] == ["a", "b"]


# ---------------------------------------------------------------- the directory


def test_the_directory_asks_the_best_of_a_window_that_moves_on() -> None:
    directory = Directory(window=2)
    directory.refresh([candidate(f"s{i}", load=0, capacity=5) for i in range(4)])
    first = directory.best(REQUEST, exclude=set())
    second = directory.best(REQUEST, exclude=set())
    assert first is not None and second is not None
    assert {first.member_id, second.member_id} == {"s0", "s2"}  # windows s0-s1, then s2-s3


def test_the_directory_skips_excluded_full_and_unfit_supporters() -> None:
    directory = Directory()
    directory.refresh(
        [
            candidate("declined"),
            candidate("full", load=2, capacity=2),
            candidate("french", languages=frozenset({"fr"})),
            candidate("fits"),
        ]
    )
    best = directory.best(REQUEST, exclude={"declined"})
    assert best is not None and best.member_id == "fits"
    directory.full("fits")
    assert directory.best(REQUEST, exclude={"declined"}) is None


def test_asking_counts_towards_a_supporters_load_until_the_next_refresh() -> None:
    directory = Directory()
    directory.refresh([candidate("a", capacity=1), candidate("b", capacity=1)])
    asked = []
    for _ in range(3):
        c = directory.best(REQUEST, exclude=set())
        if c is not None:
            directory.asked(c.member_id)
        asked.append(c)
    assert sorted(c.member_id for c in asked if c is not None) == ["a", "b"]
    assert asked[-1] is None


# ---------------------------------------------------------------- a seeker's side


def pending(request_id: str = "r1") -> Pending:
    request = OpenRequest(request_id, "seeker", frozenset({Topic.GRIEF}), "en")
    return Pending(request, datetime(2026, 1, 1, tzinfo=UTC), "corr", "ev-1")


def answer(ask: Ask, granted: bool, reason: str | None = None) -> SlotAnsweredData:
    return SlotAnsweredData(
        request_id=ask.request_id,
        seeker_id="seeker",
        supporter_id=ask.supporter_id,
        attempt=ask.attempt,
        granted=granted,
        reason=reason,
    )


def test_a_request_asks_one_supporter_at_a_time_and_the_next_after_a_decline() -> None:
    directory = Directory()
    directory.refresh([candidate("a"), candidate("b", load=1)])
    requests = Requests()
    p = pending()
    assert requests.add(p) and not requests.add(pending())
    first = requests.ask_next(p, directory)
    assert first == Ask("r1", "a", 1)
    assert requests.to_retry() == []  # asking: not retried
    assert requests.answered(answer(first, granted=False, reason="full")) == "declined"
    second = requests.ask_next(p, directory)
    assert second == Ask("r1", "b", 2)
    # An answer to the first question, delivered again, changes nothing.
    assert requests.answered(answer(first, granted=True)) == "stale"
    assert requests.answered(answer(second, granted=True)) == "granted"
    assert requests.open == {}
    assert requests.answered(answer(second, granted=True)) == "stale"


def test_a_request_nobody_fits_waits_and_is_retried() -> None:
    requests = Requests()
    p = pending()
    requests.add(p)
    assert requests.ask_next(p, Directory()) is None
    assert p.waiting and requests.to_retry() == [p]


def test_the_question_to_a_supporter_has_a_stable_id_and_carries_the_request() -> None:
    p = pending()
    ask = Ask("r1", "a", 2)
    event = slot_requested(p, ask, "tests")
    assert event.id == slot_requested(p, ask, "tests").id
    assert event.subject == "a"  # keyed by the supporter: their partition decides
    assert event.correlationid == "corr" and event.causationid == "ev-1"
    assert event.data.attempt == 2 and event.data.topics == [Topic.GRIEF]


# ---------------------------------------------------------------- a supporter's side


def slot(request_id: str, supporter_id: str = "s1", **kw: Any) -> SlotRequested:
    data: dict[str, Any] = {
        "request_id": request_id,
        "seeker_id": f"seeker-{request_id}",
        "supporter_id": supporter_id,
        "attempt": 1,
        "topics": [Topic.GRIEF],
        "language": "en",
    }
    data.update(kw)
    return SlotRequested.new(subject=supporter_id, source="tests", data=SlotRequestedData(**data))


def test_a_supporter_never_holds_more_slots_than_their_capacity() -> None:
    supporters = Supporters()
    supporters.update_profile("s1", candidate("s1", capacity=2))
    decisions = [supporters.decide(slot(f"r{i}")) for i in range(4)]
    assert decisions == ["granted", "granted", "full", "full"]
    assert supporters.members["s1"].holds == {"r0", "r1"}


def test_a_question_asked_again_gets_the_same_answer() -> None:
    supporters = Supporters()
    supporters.update_profile("s1", candidate("s1", capacity=1))
    question = slot("r0")
    assert supporters.decide(question) == "granted"
    assert supporters.decide(question) == "held-already"
    proposal = match_proposed(question, supporters.members["s1"].profile, "tests")
    assert proposal.id == match_proposed(question, None, "tests").id
    assert slot_answered(question, "held-already", "tests").data.granted
    assert (
        slot_answered(question, "granted", "tests").id
        == slot_answered(question, "held-already", "tests").id
    )


def test_unknown_unfit_and_former_supporters_decline() -> None:
    supporters = Supporters()
    assert supporters.decide(slot("r0")) == "unknown-supporter"
    supporters.update_profile("s1", candidate("s1", capacity=3))
    assert supporters.decide(slot("r1", language="fr")) == "not-eligible"
    assert supporters.decide(slot("r2", seeker_id="s1")) == "not-eligible"
    assert supporters.decide(slot("r3")) == "granted"
    supporters.update_profile("s1", None)  # no longer supporting: the match they have stays
    assert supporters.decide(slot("r4")) == "not-eligible"
    assert supporters.members["s1"].holds == {"r3"}
    answer_ = slot_answered(slot("r4"), "not-eligible", "tests")
    assert not answer_.data.granted and answer_.data.reason == "not-eligible"
    assert answer_.subject == "seeker-r4"  # back to the seeker's partition
