from kindred.events.vocabulary import Topic
from kindred.matching.domain import Candidate, OpenRequest, eligible, rank

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
