"""The check-ins side of the safety loop: a staff review for a check-in that fires no rule but
that the review rules cannot clear, the member's country on every alert, a close that names
its episode and the last alert reviewed (refused otherwise, whatever the order of a batch),
and the history rules given what they need."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiokafka import ConsumerRecord

from kindred.checkins.domain import safety
from kindred.checkins.domain.safety import (
    Closed,
    Episode,
    MemberState,
    Refused,
    check_in,
    close_episode,
)
from kindred.checkins.handlers import Checkins
from kindred.checkins.repository import CHECKINS, MEMBERS, member_from
from kindred.checkins.settings import CheckinsSettings
from kindred.events.envelope import deterministic_id
from kindred.events.safety import (
    CloseRefusal,
    SafetyEpisodeCloseRequested,
    SafetyEpisodeCloseRequestedData,
)
from kindred.instruments import CheckinAnswers
from kindred.partitions.processor import Failed
from kindred.safety import rules
from kindred.safety.rules import Concern, Priority, ReviewReason, Rule, Trigger
from tests.support.factories import checkin_submitted, profile_submitted
from tests.support.partitions import NAMESPACE, Partition, events, written

pytestmark = pytest.mark.unit

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
URGENT_PHQ9 = [1, 1, 1, 1, 1, 1, 1, 1, 2]
SETTINGS = CheckinsSettings(kindred_dev_mode=True)
THIRD_PARTY = Concern(ReviewReason.THIRD_PARTY, Priority.HIGH, "someone else may be at risk")
PAST = Concern(ReviewReason.PAST, Priority.NORMAL, "a past attempt, nothing said of now")


def partition() -> Partition:
    return Partition(Checkins(SETTINGS, clock=lambda: NOW))


def crisis(member_id: str = "m1", **answers: Any) -> Any:
    return checkin_submitted(member_id, mood=None, note="", phq9=URGENT_PHQ9, **answers)


def close(
    episode_id: str | None, last_alert_id: str | None, staff: str = "s1"
) -> SafetyEpisodeCloseRequested:
    return SafetyEpisodeCloseRequested.new(
        subject="m1",
        source="t",
        data=SafetyEpisodeCloseRequestedData(
            member_id="m1",
            staff_id=staff,
            reason="spoke with them",
            episode_id=episode_id,
            last_alert_id=last_alert_id,
        ),
    )


def review_returns(monkeypatch: pytest.MonkeyPatch, *concerns: Concern) -> list[CheckinAnswers]:
    """`rules.review` (a stub on this branch) answering `concerns`; the answers it saw."""
    seen: list[CheckinAnswers] = []

    def review(answers: CheckinAnswers) -> list[Concern]:
        seen.append(answers)
        return list(concerns)

    monkeypatch.setattr(rules, "review", review)
    return seen


def alert_of(changes: Any) -> dict[str, Any]:
    [alert] = events(changes, "safety.alert-raised")
    return alert


# ---------------------------------------------------------------- the review tier


def test_a_concern_without_a_trigger_asks_staff_for_a_review_and_opens_no_episode(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen = review_returns(monkeypatch, PAST, THIRD_PARTY)
    event = checkin_submitted("m1", mood=6, note="worried about my brother")
    changes = partition().handle(NOW, event)
    assert [a.note for a in seen] == ["worried about my brother"]
    [review] = events(changes, "safety.review-requested")
    review_id = deterministic_id("safety.review", event.data.checkin_id)
    assert review["id"] == review_id and review["causationid"] == event.id
    data = review["data"]
    assert (data["review_id"], data["member_id"], data["checkin_id"]) == (
        review_id,
        "m1",
        event.data.checkin_id,
    )
    assert data["priority"] == "high"  # the highest of the concerns
    assert data["concerns"] == [
        {"reason": "past", "priority": "normal"},
        {"reason": "third_party", "priority": "high"},
    ]
    assert data["accepted_at"] == event.time.isoformat().replace("+00:00", "Z")
    # Not a page, not an episode: the writer is not held out of matching.
    assert events(changes, "safety.alert-raised") == []
    assert events(changes, "safety.episode-opened") == []
    assert changes.urgent == []
    [member] = written(changes, MEMBERS.collection)
    assert member["episode"] is None
    # Never the member's words; the reasons stay with the check-in.
    assert b"brother" not in b"".join(r.value for r in changes.records)
    [stored] = written(changes, CHECKINS.collection)
    assert stored["review"] == ["past", "third_party"] and stored["safety_rules"] == []
    # A replay asks for the same review, not a second one.
    again = partition().handle(NOW, event)
    assert events(again, "safety.review-requested")[0]["id"] == review_id


def test_a_third_party_concern_leaves_an_open_episode_as_it_was(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    p = partition()
    opened = alert_of(p.handle(NOW, crisis()))["data"]
    review_returns(monkeypatch, THIRD_PARTY)
    changes = p.handle(NOW, checkin_submitted("m1", mood=5, note="my friend is not ok"))
    assert len(events(changes, "safety.review-requested")) == 1
    [member] = written(changes, MEMBERS.collection)
    assert member["episode"]["id"] == opened["episode_id"]
    assert member["episode"]["alert_ids"] == [opened["alert_id"]]


def test_normal_concerns_only_ask_for_a_normal_review(monkeypatch: pytest.MonkeyPatch) -> None:
    review_returns(monkeypatch, PAST, PAST)
    changes = partition().handle(NOW, checkin_submitted("m1", mood=6, note="years ago"))
    [review] = events(changes, "safety.review-requested")
    assert review["data"]["priority"] == "normal"
    assert review["data"]["concerns"] == [{"reason": "past", "priority": "normal"}]


def test_review_rules_that_fail_ask_for_a_review_anyway(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(answers: CheckinAnswers) -> list[Concern]:
        raise RuntimeError("the review broke on: my private words")

    monkeypatch.setattr(rules, "review", broken)
    changes = partition().handle(NOW, checkin_submitted("m1", mood=6, note="my private words"))
    [review] = events(changes, "safety.review-requested")
    assert review["data"]["priority"] == "high"
    assert review["data"]["concerns"] == [{"reason": "unclear", "priority": "high"}]
    assert events(changes, "safety.alert-raised") == []


def test_a_trigger_raises_its_alert_and_the_review_rules_are_not_asked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen = review_returns(monkeypatch, THIRD_PARTY)
    changes = partition().handle(NOW, crisis())
    assert seen == []
    assert events(changes, "safety.review-requested") == []
    assert len(events(changes, "safety.alert-raised")) == 1


def test_no_concern_no_review(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = review_returns(monkeypatch)
    changes = partition().handle(NOW, checkin_submitted("m1", mood=7, note="a good day"))
    assert len(seen) == 1
    assert events(changes, "safety.review-requested") == []
    [stored] = written(changes, CHECKINS.collection)
    assert stored["review"] == []


# ---------------------------------------------------------------- country


def test_an_alert_carries_the_check_ins_country_else_the_profiles() -> None:
    p = partition()
    assert alert_of(p.handle(NOW, crisis()))["data"]["country"] is None
    p.handle(NOW, profile_submitted("m1", country="GB"))
    assert alert_of(p.handle(NOW, crisis()))["data"]["country"] == "GB"
    assert alert_of(p.handle(NOW, crisis(country="IE")))["data"]["country"] == "IE"
    # A new owner reads the country back.
    reborn = p.new_owner(Checkins(SETTINGS, clock=lambda: NOW))
    assert alert_of(reborn.handle(NOW, crisis()))["data"]["country"] == "GB"


def test_a_profile_keeps_the_members_history_and_episode_and_an_older_one_is_ignored() -> None:
    p = partition()
    p.handle(NOW, checkin_submitted("m1", mood=7, note=""))
    opened = alert_of(p.handle(NOW, crisis()))["data"]
    newer = profile_submitted("m1", country="FR")
    older = profile_submitted("m1", country="DE")
    older = older.model_copy(update={"time": newer.time - timedelta(minutes=1)})
    [member] = written(p.handle(NOW, newer), MEMBERS.collection)
    assert (member["country"], member["moods"]) == ("FR", [7])
    assert member["episode"]["id"] == opened["episode_id"]
    assert not p.handle(NOW, older)  # nothing stored, nothing announced
    assert not p.handle(NOW, newer)
    # A profile without a country clears it.
    later = profile_submitted("m1").model_copy(update={"time": newer.time + timedelta(minutes=1)})
    [member] = written(p.handle(NOW, later), MEMBERS.collection)
    assert member["country"] is None


# ---------------------------------------------------------------- closing an episode


def test_a_close_naming_the_episode_and_its_newest_alert_closes_it() -> None:
    p = partition()
    alert = alert_of(p.handle(NOW, crisis()))["data"]
    changes = p.handle(NOW, close(alert["episode_id"], alert["alert_id"]))
    [closed] = events(changes)
    assert closed["type"] == "kindred.safety.episode-closed.v1"
    assert (closed["data"]["episode_id"], closed["data"]["closed_by"]) == (
        alert["episode_id"],
        "s1",
    )
    [member] = written(changes, MEMBERS.collection)
    assert member["episode"] is None and member["closed_episodes"] == [alert["episode_id"]]
    # The same request again (a redelivery): done already, nothing refused.
    assert not p.handle(NOW, close(alert["episode_id"], alert["alert_id"]))


def refusal(changes: Any) -> dict[str, Any]:
    [refused] = events(changes)
    assert refused["type"] == "kindred.safety.episode-close-refused.v1"
    assert written(changes, MEMBERS.collection) == []
    data: dict[str, Any] = refused["data"]
    return data


def test_a_close_after_a_newer_alert_is_refused_and_the_episode_stays_open() -> None:
    p = partition()
    first = alert_of(p.handle(NOW, crisis()))["data"]
    second = alert_of(p.handle(NOW, crisis()))["data"]
    request = close(first["episode_id"], first["alert_id"], staff="s2")
    changes = p.handle(NOW, request)
    refused = refusal(changes)
    assert refused == {
        "member_id": "m1",
        "episode_id": first["episode_id"],
        "requested_by": "s2",
        "reason": "newer-alert",
        "open_episode_id": first["episode_id"],
        "newest_alert_id": second["alert_id"],
        "refused_at": NOW.isoformat().replace("+00:00", "Z"),
    }
    assert events(changes)[0]["causationid"] == request.id
    # Reviewed up to the newest alert, the close goes through.
    changes = p.handle(NOW, close(first["episode_id"], second["alert_id"]))
    assert events(changes)[0]["data"]["alerts"] == 2


def test_a_close_naming_another_episode_or_none_open_is_refused() -> None:
    p = partition()
    assert refusal(p.handle(NOW, close("e0", "a0")))["reason"] == "no-open-episode"
    first = alert_of(p.handle(NOW, crisis()))["data"]
    p.handle(NOW, close(first["episode_id"], first["alert_id"]))
    second = alert_of(p.handle(NOW, crisis()))["data"]
    assert second["episode_id"] != first["episode_id"]
    refused = refusal(p.handle(NOW, close(first["episode_id"], first["alert_id"])))
    assert (refused["reason"], refused["open_episode_id"], refused["newest_alert_id"]) == (
        "another-episode",
        second["episode_id"],
        second["alert_id"],
    )


def test_a_close_from_an_older_gateway_closes_whatever_is_open() -> None:
    p = partition()
    p.handle(NOW, crisis())
    p.handle(NOW, crisis())
    [closed] = events(p.handle(NOW, close(None, None)))
    assert closed["type"] == "kindred.safety.episode-closed.v1"
    assert not p.handle(NOW, close(None, None))  # nothing open: nothing to do, as before


@pytest.mark.parametrize("close_first", [False, True], ids=["check-in first", "close first"])
def test_a_crisis_check_in_and_a_close_in_one_batch_never_close_the_new_alert_away(
    close_first: bool,
) -> None:
    p = partition()
    reviewed = alert_of(p.handle(NOW, crisis()))["data"]
    request = close(reviewed["episode_id"], reviewed["alert_id"])
    new = crisis()
    batch = (request, new) if close_first else (new, request)
    changes = p.handle(NOW, *batch)
    new_alert = alert_of(changes)["data"]
    after = member_from(p.stored[MEMBERS.collection]["m1"])
    assert after.episode is not None
    # The new alert is in the member's open episode, for a human to review.
    assert after.episode.last_alert_id == new_alert["alert_id"]
    assert after.episode.episode_id == new_alert["episode_id"]
    if close_first:
        # The reviewed episode closed; the new alert opened a new one.
        assert len(events(changes, "safety.episode-closed")) == 1
        assert new_alert["episode_id"] != reviewed["episode_id"]
        assert len(events(changes, "safety.episode-opened")) == 1
    else:
        assert events(changes, "safety.episode-closed") == []
        [refused] = events(changes, "safety.episode-close-refused")
        assert refused["data"]["reason"] == "newer-alert"
        assert refused["data"]["newest_alert_id"] == new_alert["alert_id"]


def test_an_episode_stored_before_alert_ids_were_kept_closes_by_its_id() -> None:
    legacy = member_from(
        {
            "_id": "m1",
            "moods": [5],
            "who5": [],
            "episode": {"id": "e1", "opened_at": NOW.replace(tzinfo=None), "alerts": 3},
        }
    )
    assert legacy.episode == Episode("e1", NOW, 3, ())
    assert (legacy.country, legacy.profile_at, legacy.closed) == (None, None, ())
    assert isinstance(close_episode(legacy, "e1", "a-unknown"), Closed)
    refused = close_episode(legacy, "e2", "a-unknown")
    assert isinstance(refused, Refused) and refused.reason is CloseRefusal.ANOTHER_EPISODE
    # Its next alert is kept, and from then on the newest alert must be named.
    checked = check_in(crisis().data, legacy, NOW)
    assert checked.alert is not None and checked.member.episode is not None
    assert checked.member.episode.alerts == 4
    refused = close_episode(checked.member, "e1", None)
    assert isinstance(refused, Refused) and refused.reason is CloseRefusal.NEWER_ALERT


def test_an_episode_keeps_a_bounded_number_of_alert_ids_and_counts_them_all() -> None:
    state = MemberState("m1")
    for _ in range(safety.EPISODE_ALERT_IDS + 3):
        state = check_in(crisis().data, state, NOW).member
    assert state.episode is not None
    assert state.episode.alerts == safety.EPISODE_ALERT_IDS + 3
    assert len(state.episode.alert_ids) == safety.EPISODE_ALERT_IDS


# ---------------------------------------------------------------- the history rules


def test_the_history_rules_get_the_earlier_scores_even_just_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[tuple[list[int], list[int]]] = []

    def history(
        answers: CheckinAnswers,
        *,
        previous_moods: Sequence[int] = (),
        previous_who5_raw: Sequence[int] = (),
    ) -> list[Trigger]:
        calls.append((list(previous_moods), list(previous_who5_raw)))
        return []

    monkeypatch.setattr(safety, "evaluate_history", history)
    p = partition()
    p.handle(NOW, checkin_submitted("m1", mood=8, note="", who5=[4, 4, 4, 4, 4]))
    p.handle(NOW, checkin_submitted("m1", mood=2, note="", who5=[1, 1, 1, 1, 1]))
    assert calls == [([], []), ([8], [20])]


def test_a_decline_over_two_check_ins_alerts_with_an_episode_and_the_country(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With thresholds that count a decline over two check-ins (the rules' own change), the
    history alert is like any other: an episode, the member's country."""

    def two_check_ins(
        answers: CheckinAnswers,
        *,
        previous_moods: Sequence[int] = (),
        previous_who5_raw: Sequence[int] = (),
    ) -> list[Trigger]:
        assert answers.mood is not None
        found = rules.sharp_decline(previous_moods, answers.mood, min_history=1)
        return [found] if found else []

    monkeypatch.setattr(safety, "evaluate_history", two_check_ins)
    p = partition()
    p.handle(NOW, profile_submitted("m1", country="NZ"))
    assert not events(
        p.handle(NOW, checkin_submitted("m1", mood=8, note="")), "safety.alert-raised"
    )
    changes = p.handle(NOW, checkin_submitted("m1", mood=2, note=""))
    alert = alert_of(changes)["data"]
    assert alert["triggers"] == [{"rule": Rule.SHARP_DECLINE.value, "severity": "high"}]
    assert alert["country"] == "NZ"
    [opened] = events(changes, "safety.episode-opened")
    assert opened["data"]["episode_id"] == alert["episode_id"]


def _checkin_record(value: bytes, key: bytes | None, offset: int = 7) -> Any:
    return ConsumerRecord(
        topic=f"{NAMESPACE}.checkin.submitted",
        partition=0,
        offset=offset,
        timestamp=int(NOW.timestamp() * 1000),
        timestamp_type=0,
        key=key,
        value=value,
        checksum=None,
        serialized_key_size=len(key or b""),
        serialized_value_size=len(value),
        headers=[],
    )


def test_a_check_in_nobody_can_read_still_raises_an_urgent_alert_for_its_member() -> None:
    runner = partition()
    """A newer gateway's format, a record cut short: it goes to its dead-letter topic, and the
    member its key names gets an urgent evaluation_failed alert in a new episode."""
    processor = runner.processor
    assert isinstance(processor, Checkins)
    unreadable = b'{"data": {"checkin_id": "c-future", "mood_v2": {"scale": 11}}}'
    changes = runner.changes(NOW)
    processor.failed(0, Failed(_checkin_record(unreadable, b"m1"), ValueError("no")), changes)
    runner.commit(changes)
    [alert] = [e["data"] for e in events(changes, "safety.alert-raised")]
    assert (alert["member_id"], alert["checkin_id"]) == ("m1", "c-future")
    assert alert["severity"] == "urgent"
    assert [t["rule"] for t in alert["triggers"]] == [Rule.EVALUATION_FAILED]
    assert [r.topic for r in changes.urgent] == [r.topic for r in changes.records]  # urgent
    [opened] = [e["data"] for e in events(changes, "safety.episode-opened")]
    assert opened["episode_id"] == alert["episode_id"]
    state = runner.tables[MEMBERS].get("m1")
    assert state is not None and state.episode is not None

    # Not even JSON, and another member: its id from the key, the check-in id from the offset.
    changes = runner.changes(NOW)
    processor.failed(0, Failed(_checkin_record(b"\xff\x00", b"m2", 9), ValueError()), changes)
    [alert] = [e["data"] for e in events(changes, "safety.alert-raised")]
    assert alert["member_id"] == "m2" and alert["checkin_id"]


def test_a_check_in_whose_handling_raises_alerts_like_an_unreadable_one() -> None:
    runner = partition()
    processor = runner.processor
    assert isinstance(processor, Checkins)
    submitted = checkin_submitted("m1", mood=5, note="")
    changes = runner.changes(NOW)
    failure = Failed(_checkin_record(b"{}", b"m1"), RuntimeError("a bug"), submitted)
    processor.failed(0, failure, changes)
    [alert] = [e["data"] for e in events(changes, "safety.alert-raised")]
    assert alert["checkin_id"] == submitted.data.checkin_id
    assert datetime.fromisoformat(alert["accepted_at"]) == submitted.time
