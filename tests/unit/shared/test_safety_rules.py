"""Safety rules: every trigger, each rule on its own, the fail-safe, history rules."""

from typing import Any

import pytest

from kindred.instruments import CheckinAnswers
from kindred.safety import rules
from kindred.safety.rules import (
    Concern,
    Priority,
    ReviewReason,
    Rule,
    Severity,
    Trigger,
    evaluate,
    evaluate_history,
    max_severity,
    review,
    sharp_decline,
    who5_decline,
)

ASQ_NO = {"q1": False, "q2": False, "q3": False, "q4": False}
PRIVATE = "tonight I will kill myself with the pills"


def answers(**fields: Any) -> CheckinAnswers:
    return CheckinAnswers.model_validate(fields)


def fired(found: list[Trigger]) -> dict[Rule, Severity]:
    return {t.rule: t.severity for t in found}


def phq9(item9: int, others: int = 0) -> list[int]:
    return [others] * 8 + [item9]


# --- each stateless rule -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("item9", "severity"),
    [(0, None), (1, Severity.HIGH), (2, Severity.URGENT), (3, Severity.URGENT)],
)
def test_phq9_item9(item9: int, severity: Severity | None) -> None:
    found = fired(evaluate(answers(phq9=phq9(item9))))
    assert found.get(Rule.PHQ9_ITEM9) == severity


def test_item9_fires_whatever_the_total() -> None:
    # a total of 1 (minimal) with item 9 at 1 still fires
    assert fired(evaluate(answers(phq9=phq9(1)))) == {Rule.PHQ9_ITEM9: Severity.HIGH}


def test_item9_at_0_is_not_safe_the_other_rules_still_run() -> None:
    found = fired(
        evaluate(answers(phq9=phq9(0, others=3), asq={**ASQ_NO, "q1": True}, note=PRIVATE))
    )
    assert found == {Rule.ASQ_POSITIVE: Severity.HIGH, Rule.FREE_TEXT_PLAN: Severity.URGENT}


@pytest.mark.parametrize(
    ("asq", "expected"),
    [
        (ASQ_NO, {}),
        ({**ASQ_NO, "q5": False}, {}),
        ({**ASQ_NO, "q1": True}, {Rule.ASQ_POSITIVE: Severity.HIGH}),
        ({**ASQ_NO, "q2": True, "q5": False}, {Rule.ASQ_POSITIVE: Severity.HIGH}),
        ({**ASQ_NO, "q3": True}, {Rule.ASQ_POSITIVE: Severity.HIGH}),
        ({**ASQ_NO, "q4": True}, {Rule.ASQ_POSITIVE: Severity.HIGH}),
        (
            {**ASQ_NO, "q4": True, "q5": True},
            {Rule.ASQ_POSITIVE: Severity.HIGH, Rule.ASQ_ACUTE: Severity.URGENT},
        ),
    ],
)
def test_asq(asq: dict[str, bool], expected: dict[Rule, Severity]) -> None:
    assert fired(evaluate(answers(asq=asq))) == expected


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("I am going to hurt myself tonight", {Rule.FREE_TEXT_PLAN: Severity.URGENT}),
        ("I want to kill myself", {Rule.FREE_TEXT_INTENT: Severity.HIGH}),
        ("I am not going to hurt myself", {}),
        ("had a good day", {}),
    ],
)
def test_free_text(note: str, expected: dict[Rule, Severity]) -> None:
    assert fired(evaluate(answers(note=note))) == expected


def test_details_never_quote_the_note() -> None:
    found = evaluate(answers(note=PRIVATE, phq9=phq9(3), asq={**ASQ_NO, "q3": True, "q5": True}))
    assert len(found) == 4
    for trigger in found:
        for word in ("tonight", "kill", "pills", "myself"):
            assert word not in trigger.detail.lower()


def test_details() -> None:
    found = {
        t.rule: t.detail
        for t in evaluate(
            answers(note=PRIVATE, phq9=phq9(2), asq={**ASQ_NO, "q1": True, "q3": True, "q5": True})
        )
    }
    assert found[Rule.PHQ9_ITEM9] == (
        "PHQ-9 item 9 (thoughts of being better off dead or of self-harm) answered 2 of 3"
    )
    assert found[Rule.ASQ_POSITIVE] == "ASQ positive screen: yes to q1, q3"
    assert (
        found[Rule.ASQ_ACUTE] == "ASQ acute positive screen: yes to thoughts of suicide right now"
    )
    assert found[Rule.FREE_TEXT_PLAN] == (
        "Note has plan, method, means or preparation language (categories: intent, means, time)"
    )


def test_a_check_in_without_risk_gives_nothing() -> None:
    assert evaluate(answers(mood=8, who5=[4] * 5, phq2=[0, 0], phq9=[0] * 9, asq=ASQ_NO)) == []


def test_mood_alone_never_fires_statelessly() -> None:
    assert evaluate(answers(mood=1)) == []


def test_every_rule_fires_together() -> None:
    found = fired(
        evaluate(answers(phq9=phq9(2), asq={**ASQ_NO, "q1": True, "q5": True}, note=PRIVATE))
    )
    assert found == {
        Rule.PHQ9_ITEM9: Severity.URGENT,
        Rule.ASQ_ACUTE: Severity.URGENT,
        Rule.ASQ_POSITIVE: Severity.HIGH,
        Rule.FREE_TEXT_PLAN: Severity.URGENT,
    }


# --- the fail-safe -------------------------------------------------------------------------


def broken(_: CheckinAnswers) -> list[Trigger]:
    raise RuntimeError("boom: " + PRIVATE)


@pytest.mark.parametrize(
    "name", ["check_phq9_item9", "check_asq_acute", "check_asq_positive", "check_free_text"]
)
def test_a_rule_that_raises_escalates_and_the_others_still_run(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    broken.__name__ = name
    monkeypatch.setattr(rules, name, broken)
    found = evaluate(answers(phq9=phq9(2), asq={**ASQ_NO, "q1": True, "q5": True}, note=PRIVATE))
    failed = [t for t in found if t.rule is Rule.EVALUATION_FAILED]
    assert len(failed) == 1
    assert failed[0].severity is Severity.URGENT
    assert name in failed[0].detail
    # the three other rules still fired
    assert len({t.rule for t in found} - {Rule.EVALUATION_FAILED}) == 3
    assert max_severity(found) is Severity.URGENT
    # the log names the rule and the error's type, never its text
    assert name in caplog.text and "RuntimeError" in caplog.text
    assert "pills" not in caplog.text


def test_a_failing_rule_escalates_even_when_nothing_else_fires(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(rules, "check_free_text", broken)
    found = evaluate(answers(mood=9, note="lovely day"))
    assert fired(found) == {Rule.EVALUATION_FAILED: Severity.URGENT}


def test_every_rule_failing_gives_one_failure_each(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("check_phq9_item9", "check_asq_acute", "check_asq_positive", "check_free_text"):
        monkeypatch.setattr(rules, name, broken)
    found = evaluate(answers(mood=5))
    assert [t.rule for t in found] == [Rule.EVALUATION_FAILED] * 4


# --- max_severity --------------------------------------------------------------------------


def test_max_severity() -> None:
    high = Trigger(Rule.ASQ_POSITIVE, Severity.HIGH, "x")
    urgent = Trigger(Rule.ASQ_ACUTE, Severity.URGENT, "x")
    assert max_severity([]) is None
    assert max_severity([high]) is Severity.HIGH
    assert max_severity([high, urgent, high]) is Severity.URGENT
    assert max_severity(iter([urgent])) is Severity.URGENT


def test_rule_names_are_stable() -> None:
    assert [r.value for r in Rule] == [
        "phq9_item9",
        "asq_acute",
        "asq_positive",
        "free_text_plan",
        "free_text_intent",
        "sharp_decline",
        "who5_decline",
        "evaluation_failed",
    ]
    assert [s.value for s in Severity] == ["urgent", "high"]


# --- sharp decline -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("previous", "mood", "fires"),
    [
        ([], 1, False),  # no history
        ([8], 2, True),  # a decline over two check-ins: 8 -> 2
        ([8], 3, True),  # 5 below with one earlier mood
        ([8], 4, False),  # 4 below is not enough with fewer than 3 earlier moods
        ([6], 2, True),  # 2 after 6
        ([5], 1, False),  # 4 below, and after a mean under 6
        ([8, 8], 1, True),
        ([8, 7], 3, False),  # mean 7.5: 4.5 below
        ([7, 8], 2, True),  # 2 after a mean of 7.5
        ([8, 8, 8], 4, True),  # exactly 4 below the mean
        ([8, 8, 8], 5, False),  # 3 below
        ([7, 8, 9], 4, True),  # mean 8
        ([7, 8, 8], 4, False),  # mean 7.67: 3.67 below
        ([6, 6, 6], 2, True),  # 2 after a mean of 6 (and 4 below)
        ([5, 6, 6], 2, False),  # mean 5.67: below 6, and 3.67 below
        ([6, 6, 7], 2, True),
        ([6, 6, 6], 3, False),  # 3 is above the floor, 3 below
        ([9, 9, 9, 9, 9, 9, 9, 3, 3, 3], 5, False),  # older than 7 check-ins do not count
        ([3, 3, 3, 9, 9, 9, 9, 9, 9, 9], 5, True),  # the last 7 are 9s
        ([10, 10, 10], 6, True),
        ([1, 1, 1], 1, False),  # already low: no decline
    ],
)
def test_sharp_decline(previous: list[int], mood: int, fires: bool) -> None:
    found = sharp_decline(previous, mood)
    assert (found is not None) is fires
    if found:
        assert found.rule is Rule.SHARP_DECLINE
        assert found.severity is Severity.HIGH


def test_sharp_decline_detail() -> None:
    found = sharp_decline([7, 8, 9], 3)
    assert found is not None
    assert found.detail == "Mood 3 against a mean of 8.0 over the last 3 check-ins"


def test_sharp_decline_thresholds_are_parameters() -> None:
    assert sharp_decline([8, 8], 5, min_history=2, drop=3) is not None
    assert sharp_decline([8, 8], 5, drop=3) is None  # fewer than 3: the short-history drop
    assert sharp_decline([8], 4, short_drop=4) is not None
    assert who5_decline([20], 12, short_drop=8) is not None
    assert sharp_decline([8, 8, 8], 4, drop=5) is None
    assert sharp_decline([5, 5, 5], 2, floor_after_mean=5, drop=9) is not None
    assert sharp_decline([9, 9, 1, 1, 1], 2, window=3) is None


@pytest.mark.parametrize(
    ("previous", "mood"), [([8, 8, 11], 5), ([8, 8, 8], 0), ([8, True, 8], 5), ([8, 8.0, 8], 5)]
)
def test_sharp_decline_refuses_bad_data(previous: list[Any], mood: int) -> None:
    with pytest.raises(ValueError, match="1 to 10"):
        sharp_decline(previous, mood)


@pytest.mark.parametrize(("window", "min_history"), [(0, 0), (3, 4), (3, 0)])
def test_sharp_decline_refuses_bad_parameters(window: int, min_history: int) -> None:
    with pytest.raises(ValueError, match="min_history"):
        sharp_decline([5, 5, 5], 5, window=window, min_history=min_history)


@pytest.mark.parametrize(
    ("previous", "raw", "fires"),
    [
        ([], 0, False),  # no history
        ([20], 10, True),  # a decline over two check-ins: 10 below one earlier score
        ([20], 11, False),  # 9 below is not enough with one earlier score
        ([13], 7, True),  # 7 (28%) after 13
        ([12], 7, False),
        ([20, 20], 12, True),  # 8 below
        ([20, 20], 13, False),  # 7 below
        ([13, 13], 7, True),  # 6 below, but 7 (28%) after a mean of 13
        ([14, 14], 7, True),
        ([13, 13], 8, False),  # 5 below and above the floor
        ([12, 13], 6, False),  # 6.5 below, mean under 13
        ([15, 15], 7, True),  # 8 below
        ([25, 25, 25, 25, 0, 0], 12, False),  # last 4: mean 12.5
    ],
)
def test_who5_decline(previous: list[int], raw: int, fires: bool) -> None:
    found = who5_decline(previous, raw)
    assert (found is not None) is fires
    if found:
        assert found.rule is Rule.WHO5_DECLINE
        assert found.severity is Severity.HIGH


def test_who5_floor_after_a_good_mean() -> None:
    assert who5_decline([13, 13], 7, drop=99) is not None
    assert who5_decline([12, 13], 7, drop=99) is None
    assert who5_decline([13, 13], 8, drop=99) is None


def test_who5_decline_refuses_bad_data() -> None:
    with pytest.raises(ValueError, match="0 to 25"):
        who5_decline([26, 20], 5)


def test_evaluate_history() -> None:
    found = evaluate_history(
        answers(mood=2, who5=[1, 1, 1, 1, 1]),
        previous_moods=[8, 8, 8],
        previous_who5_raw=[20, 20],
    )
    assert fired(found) == {Rule.SHARP_DECLINE: Severity.HIGH, Rule.WHO5_DECLINE: Severity.HIGH}
    assert evaluate_history(answers(note="hi"), previous_moods=[9, 9, 9]) == []
    assert evaluate_history(answers(mood=9), previous_moods=[9, 9, 9]) == []


def test_evaluate_history_escalates_on_bad_history() -> None:
    found = evaluate_history(
        answers(mood=5, who5=[3] * 5), previous_moods=[8, 99, 8], previous_who5_raw=[-1, 3]
    )
    assert [(t.rule, t.severity) for t in found] == [
        (Rule.EVALUATION_FAILED, Severity.URGENT),
        (Rule.EVALUATION_FAILED, Severity.URGENT),
    ]
    assert "sharp_decline" in found[0].detail
    assert "who5_decline" in found[1].detail


def test_a_decline_over_two_check_ins_reaches_evaluate_history() -> None:
    found = evaluate_history(answers(mood=2), previous_moods=[8])
    assert [t.rule for t in found] == [Rule.SHARP_DECLINE]
    assert found[0].detail == "Mood 2 against a mean of 8.0 over the last 1 check-ins"


# --- the review tier -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("my brother says he wants to kill himself", [(ReviewReason.THIRD_PARTY, Priority.HIGH)]),
        ("i was suicidal in 2019, doing much better", [(ReviewReason.PAST, Priority.NORMAL)]),
        ("idk whats the point anymore", [(ReviewReason.UNCLEAR, Priority.NORMAL)]),
        ("\U0001f52a", [(ReviewReason.UNCLEAR, Priority.NORMAL)]),
        (
            "my sister tried to kill herself. i tried to kill myself years ago, im better now",
            [(ReviewReason.THIRD_PARTY, Priority.HIGH), (ReviewReason.PAST, Priority.NORMAL)],
        ),
        # calm, negated, hypothetical, prevention: nothing to review
        ("id rather die than do karaoke", []),
        ("never would i hurt myself", []),
        ("if i ever felt suicidal i'd call 988", []),
        ("walked in a suicide prevention 5k", []),
        ("had a good day", []),
        # a trigger covers the check-in: no review on top
        ("I want to kill myself", []),
    ],
)
def test_review(note: str, expected: list[tuple[ReviewReason, Priority]]) -> None:
    found = review(answers(note=note))
    assert [(c.reason, c.priority) for c in found] == expected
    for concern in found:
        assert isinstance(concern, Concern)
        for word in ("brother", "kill", "2019", "point", "whats"):
            assert word not in concern.detail.lower()


def test_review_without_a_note_is_empty() -> None:
    assert review(answers(mood=5)) == []


def test_third_party_concern_is_no_trigger() -> None:
    # someone else's crisis is reviewed; it opens no safety episode for the writer
    note = "my son has a plan to end his life, im terrified"
    assert evaluate(answers(note=note)) == []
    assert [c.reason for c in review(answers(note=note))] == [ReviewReason.THIRD_PARTY]
