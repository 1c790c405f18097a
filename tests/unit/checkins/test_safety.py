"""What a check-in means for a member's safety: alerts, episodes, trends, and escalation when
anything in the assessment fails; what the check-ins processor stores and announces for it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kindred.checkins.domain import safety
from kindred.checkins.domain.safety import Episode, MemberState, assess, check_in, close_episode
from kindred.checkins.handlers import Checkins
from kindred.checkins.repository import CHECKINS, MEMBERS, member_doc, member_from
from kindred.checkins.settings import CheckinsSettings
from kindred.events.envelope import deterministic_id
from kindred.events.safety import SafetyEpisodeCloseRequested, SafetyEpisodeCloseRequestedData
from kindred.observability.metrics import registry
from kindred.safety.rules import Rule
from tests.support.factories import checkin_submitted
from tests.support.partitions import Partition, events, written

pytestmark = pytest.mark.unit

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
PHQ9_ITEM9_TWO = [1, 1, 1, 1, 1, 1, 1, 1, 2]
SETTINGS = CheckinsSettings(kindred_dev_mode=True)


def state(moods: tuple[int, ...] = (), who5: tuple[int, ...] = ()) -> MemberState:
    return MemberState("m1", moods=moods, who5=who5)


def partition() -> Partition:
    return Partition(Checkins(SETTINGS, clock=lambda: NOW))


def close_request(staff: str = "s1") -> SafetyEpisodeCloseRequested:
    return SafetyEpisodeCloseRequested.new(
        subject="m1",
        source="t",
        data=SafetyEpisodeCloseRequestedData(member_id="m1", staff_id=staff, reason="spoke"),
    )


def test_a_calm_check_in_raises_nothing_and_is_remembered() -> None:
    event = checkin_submitted("m1", mood=6, note="a good walk today")
    checked = check_in(event.data, state((6, 7, 6)), NOW)
    assert checked.assessment.triggers == [] and checked.assessment.trends == []
    assert checked.assessment.scores is not None and checked.assessment.scores.mood == 6
    assert checked.alert is None
    assert checked.member.moods == (6, 7, 6, 6)


def test_phq9_item9_raises_an_urgent_alert_and_opens_an_episode() -> None:
    p = partition()
    event = checkin_submitted("m1", mood=None, note="", phq9=PHQ9_ITEM9_TWO)
    changes = p.handle(NOW, event)
    alert, opened, recorded = events(changes)
    assert [alert["type"], opened["type"], recorded["type"]] == [
        "kindred.safety.alert-raised.v1",
        "kindred.safety.episode-opened.v1",
        "kindred.checkin.recorded.v1",
    ]
    assert [r.value for r in changes.urgent] == [r.value for r in changes.records[:2]]
    assert alert["data"]["severity"] == "urgent"
    assert alert["data"]["triggers"] == [{"rule": "phq9_item9", "severity": "urgent"}]
    assert alert["data"]["accepted_at"] == event.time.isoformat().replace("+00:00", "Z")
    assert alert["data"]["episode_id"] == opened["data"]["episode_id"]
    assert alert["causationid"] == event.id
    [member] = written(changes, MEMBERS.collection)
    assert member["episode"]["id"] == alert["data"]["episode_id"]
    # The same check-in again (a replay, on a member with no episode yet) raises the same alert.
    again = partition().handle(NOW, event)
    assert events(again)[0]["id"] == alert["id"]


def test_an_alert_names_rules_never_the_members_words() -> None:
    words = "i have the pills ready and i will take them tonight"
    changes = partition().handle(NOW, checkin_submitted("m1", mood=3, note=words))
    alert, *_ = events(changes, "safety.alert-raised")
    assert Rule.FREE_TEXT_PLAN.value in [t["rule"] for t in alert["data"]["triggers"]]
    payload = b"".join(r.value for r in changes.records)
    assert b"pills" not in payload and b"tonight" not in payload
    # The words stay in this service's own history.
    [stored] = written(changes, CHECKINS.collection)
    assert stored["answers"]["note"] == words
    assert stored["safety_rules"] == [str(t["rule"]) for t in alert["data"]["triggers"]]


def test_a_second_trigger_in_an_open_episode_alerts_again_without_a_second_episode() -> None:
    p = partition()
    first = p.handle(NOW, checkin_submitted("m1", mood=None, note="", phq9=PHQ9_ITEM9_TWO))
    [episode] = events(first, "safety.episode-opened")
    asq = {"q1": True, "q2": False, "q3": False, "q4": False, "q5": True}
    second = p.handle(NOW, checkin_submitted("m1", mood=None, note="", asq=asq))
    assert [e["type"] for e in events(second)][:1] == ["kindred.safety.alert-raised.v1"]
    assert events(second, "safety.episode-opened") == []
    assert events(second)[0]["data"]["episode_id"] == episode["data"]["episode_id"]
    [member] = written(second, MEMBERS.collection)
    assert member["episode"]["alerts"] == 2


def test_a_sharp_decline_against_the_members_history_is_a_trigger_and_a_trend() -> None:
    event = checkin_submitted("m1", mood=2, note="")
    found = assess(event.data, state((8, 8, 7, 8)))
    assert Rule.SHARP_DECLINE in found.rules
    [trend] = found.trends
    assert (trend.measure, trend.value, trend.recent_count) == ("mood", 2, 4)
    assert trend.recent_mean == 7.75


def test_a_trend_is_announced_with_an_id_that_follows_from_the_check_in() -> None:
    p = partition()
    for mood in (7, 7, 7):
        p.handle(NOW, checkin_submitted("m1", mood=mood, note=""))
    event = checkin_submitted("m1", mood=5, note="")
    changes = p.handle(NOW, event)
    [trend] = events(changes, "checkin.trend-worsened")
    assert trend["data"]["measure"] == "mood" and trend["causationid"] == event.id
    assert events(changes, "safety.alert-raised") == []


def test_a_milder_drop_is_a_trend_but_not_an_alert() -> None:
    found = assess(checkin_submitted("m1", mood=5, note="").data, state((7, 7, 7)))
    assert found.triggers == []
    assert [t.measure for t in found.trends] == ["mood"]


def test_too_little_history_is_no_trend() -> None:
    found = assess(checkin_submitted("m1", mood=1, note="").data, state((9, 9)))
    assert found.trends == []


def test_scoring_that_fails_escalates_anyway(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(answers: object) -> object:
        raise ArithmeticError("scoring broke")

    monkeypatch.setattr(safety, "score", broken)
    changes = partition().handle(NOW, checkin_submitted("m1", mood=7, note="fine"))
    [alert] = events(changes, "safety.alert-raised")
    assert alert["data"]["severity"] == "urgent"
    assert alert["data"]["triggers"] == [{"rule": "evaluation_failed", "severity": "urgent"}]
    [recorded] = events(changes, "checkin.recorded")
    assert recorded["data"]["scores"] is None


def test_trend_computation_that_fails_escalates_and_keeps_the_other_triggers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: object) -> object:
        raise KeyError("trend broke")

    monkeypatch.setattr(safety, "_trends", broken)
    event = checkin_submitted("m1", mood=None, note="", phq9=PHQ9_ITEM9_TWO)
    rules = assess(event.data, state()).rules
    assert rules == [Rule.PHQ9_ITEM9, Rule.EVALUATION_FAILED]


def test_corrupt_history_escalates_instead_of_failing() -> None:
    found = assess(checkin_submitted("m1", mood=5, note="").data, state((99, 99, 99)))
    assert Rule.EVALUATION_FAILED in found.rules


def test_closing_an_episode_once_and_a_repeat_does_nothing() -> None:
    p = partition()
    p.handle(NOW, checkin_submitted("m1", mood=None, note="", phq9=PHQ9_ITEM9_TWO))
    changes = p.handle(NOW, close_request())
    [closed] = events(changes)
    assert closed["type"] == "kindred.safety.episode-closed.v1"
    data = closed["data"]
    assert (data["closed_by"], data["alerts"], data["reason"]) == ("s1", 1, "spoke")
    assert written(changes, MEMBERS.collection)[0]["episode"] is None
    assert not p.handle(NOW, close_request("s2"))
    assert close_episode(state()) is None


def test_member_state_round_trips_through_its_document() -> None:
    member = MemberState("m1", (5, 6), (12,), Episode("e1", NOW, 2))
    assert member_from(member_doc(member)) == member


def test_a_new_owner_reads_the_members_history_and_episode_back() -> None:
    p = partition()
    for mood in (8, 8, 7, 8):
        p.handle(NOW, checkin_submitted("m1", mood=mood, note=""))
    p.handle(NOW, checkin_submitted("m1", mood=None, note="", phq9=PHQ9_ITEM9_TWO))
    reborn = p.new_owner(Checkins(SETTINGS, clock=lambda: NOW))
    # The decline is measured against the history stored before the take-over...
    changes = reborn.handle(NOW, checkin_submitted("m1", mood=2, note=""))
    [alert] = events(changes, "safety.alert-raised")
    assert Rule.SHARP_DECLINE.value in [t["rule"] for t in alert["data"]["triggers"]]
    # ...and the alert joins the episode opened before it.
    assert events(changes, "safety.episode-opened") == []


def episodes_open() -> float:
    return registry.get_sample_value("kindred_safety_episodes_open") or 0.0


def test_the_open_episodes_gauge_follows_openings_and_closings() -> None:
    p = partition()
    base = episodes_open()
    trigger = checkin_submitted("m1", mood=None, note="", phq9=PHQ9_ITEM9_TWO)
    changes = p.handle(NOW, trigger, commit=False)
    assert episodes_open() == base  # not before the batch is committed
    p.commit(changes)
    assert episodes_open() == base + 1
    p.handle(NOW, checkin_submitted("m1", mood=None, note="", phq9=PHQ9_ITEM9_TWO))
    assert episodes_open() == base + 1  # a later trigger, same episode
    p.handle(NOW, close_request())
    assert episodes_open() == base
    p.handle(NOW, trigger)
    reborn = p.new_owner()  # the old owner forgets its share, the new one counts it
    assert episodes_open() == base + 1
    reborn.processor.drop(reborn.number)
    assert episodes_open() == base


def test_a_recorded_check_in_announces_scores_and_rule_names_never_the_note() -> None:
    event = checkin_submitted("m1", mood=3, note="private words", phq2=[2, 2])
    changes = partition().handle(NOW, event)
    [recorded] = events(changes, "checkin.recorded")
    assert recorded["id"] == deterministic_id("checkin.recorded", event.data.checkin_id)
    assert recorded["causationid"] == event.id
    assert recorded["correlationid"] == event.correlationid
    scores = recorded["data"]["scores"]
    assert (scores["mood"], scores["phq2_total"], scores["phq2_suggests_phq9"]) == (3, 4, True)
    [stored] = written(changes, CHECKINS.collection)
    assert recorded["data"]["safety_rules"] == stored["safety_rules"]
    assert recorded["data"]["recorded_at"] == NOW.isoformat().replace("+00:00", "Z")
    assert b"private words" not in b"".join(r.value for r in changes.records)
    # The same check-in again (a replay) announces the same event.
    again = partition().handle(NOW, event)
    assert events(again, "checkin.recorded")[0]["id"] == recorded["id"]
