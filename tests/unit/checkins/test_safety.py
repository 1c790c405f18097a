"""What a check-in means for a member's safety: alerts, episodes, trends, and escalation when
anything in the assessment fails."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kindred.checkins.domain import safety
from kindred.checkins.domain.safety import (
    MemberState,
    assess,
    close_episode,
    remember,
    safety_events,
    trend_events,
)
from kindred.checkins.members import Members
from kindred.events.safety import (
    SafetyAlertRaised,
    SafetyEpisodeCloseRequested,
    SafetyEpisodeCloseRequestedData,
    SafetyEpisodeOpened,
)
from kindred.observability.metrics import safety_episodes_open
from kindred.partitions.processor import Changes
from kindred.safety.rules import Rule, Severity
from tests.support.factories import checkin_submitted

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
PHQ9_ITEM9_TWO = [1, 1, 1, 1, 1, 1, 1, 1, 2]


def state(moods: list[int] | None = None, who5: list[int] | None = None) -> MemberState:
    return MemberState("m1", 0, moods=moods or [], who5=who5 or [])


def test_a_calm_check_in_raises_nothing_and_is_remembered() -> None:
    member = state([6, 7, 6])
    event = checkin_submitted("m1", mood=6, note="a good walk today")
    found = assess(event, member)
    assert found.triggers == [] and found.trends == []
    assert found.scores is not None and found.scores.mood == 6
    assert safety_events(event, found, member, NOW, "t") == []
    remember(member, found.scores)
    assert member.moods == [6, 7, 6, 6]


def test_phq9_item9_raises_an_urgent_alert_and_opens_an_episode() -> None:
    member = state()
    event = checkin_submitted("m1", mood=None, note="", phq9=PHQ9_ITEM9_TWO)
    found = assess(event, member)
    assert [(t.rule, t.severity) for t in found.triggers] == [(Rule.PHQ9_ITEM9, Severity.URGENT)]
    alert, opened = safety_events(event, found, member, NOW, "t")
    assert isinstance(alert, SafetyAlertRaised) and isinstance(opened, SafetyEpisodeOpened)
    assert alert.data.severity is Severity.URGENT
    assert alert.data.accepted_at == event.time
    assert alert.data.episode_id == opened.data.episode_id == member.episode.episode_id  # type: ignore[union-attr]
    assert alert.causationid == event.id
    # The same check-in again (a replay) raises the same alert id: consumers see one alert.
    again = safety_events(event, assess(event, state()), state(), NOW, "t")
    assert again[0].id == alert.id


def test_an_alert_names_rules_never_the_members_words() -> None:
    words = "i have the pills ready and i will take them tonight"
    event = checkin_submitted("m1", mood=3, note=words)
    found = assess(event, state())
    assert Rule.FREE_TEXT_PLAN in found.rules
    payload = "".join(e.model_dump_json() for e in safety_events(event, found, state(), NOW, "t"))
    assert "pills" not in payload and "tonight" not in payload


def test_a_second_trigger_in_an_open_episode_alerts_again_without_a_second_episode() -> None:
    member = state()
    first = checkin_submitted("m1", mood=None, note="", phq9=PHQ9_ITEM9_TWO)
    safety_events(first, assess(first, member), member, NOW, "t")
    episode = member.episode
    second = checkin_submitted(
        "m1",
        mood=None,
        note="",
        asq={"q1": True, "q2": False, "q3": False, "q4": False, "q5": True},
    )
    events = safety_events(second, assess(second, member), member, NOW, "t")
    assert [type(e) for e in events] == [SafetyAlertRaised]
    assert events[0].data.episode_id == episode.episode_id  # type: ignore[union-attr]
    assert member.episode is episode and episode.alerts == 2  # type: ignore[union-attr]


def test_a_sharp_decline_against_the_members_history_is_a_trigger_and_a_trend() -> None:
    member = state(moods=[8, 8, 7, 8])
    event = checkin_submitted("m1", mood=2, note="")
    found = assess(event, member)
    assert Rule.SHARP_DECLINE in found.rules
    [trend] = trend_events(event, found, "t")
    assert (trend.data.measure, trend.data.value, trend.data.recent_count) == ("mood", 2, 4)
    assert trend.data.recent_mean == 7.75


def test_a_milder_drop_is_a_trend_but_not_an_alert() -> None:
    member = state(moods=[7, 7, 7])
    event = checkin_submitted("m1", mood=5, note="")
    found = assess(event, member)
    assert found.triggers == []
    assert [t.measure for t in found.trends] == ["mood"]


def test_too_little_history_is_no_trend() -> None:
    found = assess(checkin_submitted("m1", mood=1, note=""), state(moods=[9, 9]))
    assert found.trends == []


def test_scoring_that_fails_escalates_anyway(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(answers: object) -> object:
        raise ArithmeticError("scoring broke")

    monkeypatch.setattr(safety, "score", broken)
    member = state()
    event = checkin_submitted("m1", mood=7, note="fine")
    found = assess(event, member)
    assert [(t.rule, t.severity) for t in found.triggers] == [
        (Rule.EVALUATION_FAILED, Severity.URGENT)
    ]
    alert = safety_events(event, found, member, NOW, "t")[0]
    assert isinstance(alert, SafetyAlertRaised) and alert.data.severity is Severity.URGENT


def test_trend_computation_that_fails_escalates_and_keeps_the_other_triggers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: object) -> object:
        raise KeyError("trend broke")

    monkeypatch.setattr(safety, "_trends", broken)
    event = checkin_submitted("m1", mood=None, note="", phq9=PHQ9_ITEM9_TWO)
    rules = assess(event, state()).rules
    assert rules == [Rule.PHQ9_ITEM9, Rule.EVALUATION_FAILED]


def test_corrupt_history_escalates_instead_of_failing() -> None:
    found = assess(checkin_submitted("m1", mood=5, note=""), state(moods=[99, 99, 99]))
    assert Rule.EVALUATION_FAILED in found.rules


def test_closing_an_episode_once_and_a_repeat_does_nothing() -> None:
    member = state()
    event = checkin_submitted("m1", mood=None, note="", phq9=PHQ9_ITEM9_TWO)
    safety_events(event, assess(event, member), member, NOW, "t")
    request = SafetyEpisodeCloseRequested.new(
        subject="m1",
        source="t",
        data=SafetyEpisodeCloseRequestedData(member_id="m1", staff_id="s1", reason="spoke"),
    )
    closed = close_episode(request, member, NOW, "t")
    assert closed is not None
    assert (closed.data.closed_by, closed.data.alerts, closed.data.reason) == ("s1", 1, "spoke")
    assert member.episode is None
    assert close_episode(request, member, NOW, "t") is None


def test_member_state_round_trips_through_its_document() -> None:
    member = state([5, 6], [12])
    event = checkin_submitted("m1", mood=None, note="", phq9=PHQ9_ITEM9_TWO)
    safety_events(event, assess(event, member), member, NOW, "t")
    assert MemberState.from_doc(member.to_doc()) == member


def test_the_open_episodes_gauge_follows_openings_and_closings() -> None:
    members = Members(None)

    def save(member: MemberState) -> None:
        changes = Changes("t", now=NOW)
        members.save(member, changes)
        for callback in changes.after_commit:
            callback()

    member = members.get(0, "m1")
    event = checkin_submitted("m1", mood=None, note="", phq9=PHQ9_ITEM9_TWO)
    safety_events(event, assess(event, member), member, NOW, "t")
    save(member)
    assert safety_episodes_open._value.get() == 1
    save(member)  # a later check-in in the same episode
    assert safety_episodes_open._value.get() == 1
    member.episode = None
    save(member)
    assert safety_episodes_open._value.get() == 0
