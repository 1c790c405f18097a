"""The detection benchmark: both labelled sets are valid check-ins in known categories with the
counts the evaluation needs, and the report counts alerts, reviews and false alerts as labelled
and lists every miss and every false alert."""

from __future__ import annotations

import json
from collections import Counter
from importlib.resources import files
from types import SimpleNamespace
from typing import Any

import pytest

from kindred.devtools.bench.detection import __main__ as bench
from kindred.devtools.bench.detection.__main__ import (
    MUST_CATCH,
    Case,
    Result,
    cases,
    figures,
    main,
    report,
    run,
)
from kindred.events.checkins import CheckinSubmittedData
from kindred.safety.rules import Concern, Priority, ReviewReason

pytestmark = pytest.mark.unit

ALERT = (
    "wish_to_be_dead",
    "ideation",
    "method",
    "intent",
    "plan",
    "timing",
    "preparation",
    "self_harm",
    "farewell",
    "burden",
    "trapped",
    "place_or_means",
    "instruments",
    "history",
)
REVIEW = ("third_party", "past")
CALM = (
    "idiom_hyperbole",
    "negated",
    "hypothetical",
    "prevention_news",
    "grief_other",
    "physical",
    "everyday",
    "calm_instruments",
)
KIND = {**dict.fromkeys(ALERT, "alert"), **dict.fromkeys(REVIEW, "review")} | dict.fromkeys(
    CALM, "calm"
)


def rows(name: str) -> list[dict[str, Any]]:
    text = files("kindred.devtools.bench.detection").joinpath(name).read_text()
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def kind(row: dict[str, Any]) -> str:
    return "alert" if row["alert"] else "review" if row.get("review") else "calm"


@pytest.mark.parametrize("name", ["cases.jsonl", "holdout.jsonl"])
def test_every_row_is_a_valid_check_in_with_boolean_labels_in_a_known_category(name: str) -> None:
    for n, row in enumerate(rows(name)):
        assert set(row) <= {"category", "alert", "review", "checkin", "history"}, row
        assert type(row["alert"]) is bool, row
        assert type(row.get("review", False)) is bool, row
        assert not (row["alert"] and row.get("review")), row  # a review is never a page
        assert KIND.get(row["category"]) == kind(row), row
        CheckinSubmittedData(checkin_id=f"case-{n}", member_id="m1", **row["checkin"])
        history = row.get("history", {})
        assert set(history) <= {"moods", "who5"}, row
        assert all(type(m) is int and 1 <= m <= 10 for m in history.get("moods", [])), row
        assert all(type(w) is int and 0 <= w <= 25 for w in history.get("who5", [])), row


def test_the_dev_set_has_the_statements_the_evaluation_needs() -> None:
    found = rows("cases.jsonl")
    per = Counter(r["category"] for r in found)
    kinds = Counter(kind(r) for r in found)
    assert kinds["alert"] >= 400
    assert kinds["calm"] >= 150
    assert {c: per[c] for c in KIND if per[c] < 20} == {}


def test_the_holdout_covers_every_category_with_statements_not_in_the_dev_set() -> None:
    dev = rows("cases.jsonl")
    held = rows("holdout.jsonl")
    kinds = Counter(kind(r) for r in held)
    assert kinds["alert"] >= 90
    assert kinds["review"] + kinds["calm"] >= 45
    assert {r["category"] for r in held} == set(KIND)

    def key(r: dict[str, Any]) -> str:
        return json.dumps([r["checkin"], r.get("history")], sort_keys=True)

    seen = {key(r) for r in dev}
    assert [r for r in held if key(r) in seen] == []
    assert len({key(r) for r in held}) == len(held)


def test_cases_reads_each_set_with_its_review_labels() -> None:
    dev, held = cases("dev"), cases("holdout")
    assert (len(dev), len(held)) == (len(rows("cases.jsonl")), len(rows("holdout.jsonl")))
    assert {c.kind for c in dev if c.category in REVIEW} == {"review"}
    assert {c.kind for c in held if c.category in CALM} == {"calm"}


def result(category: str, *, alerted: bool = False, reviewed: bool = False) -> Result:
    kinded = KIND[category]
    case = Case(
        category,
        kinded == "alert",
        {"note": f"{category} {alerted} {reviewed}"},
        {},
        review=kinded == "review",
    )
    rules = ("free_text_intent",) if alerted else ()
    details = ("free_text_intent: a pattern",) if alerted else ()
    return Result(case, alerted, rules, reviewed=reviewed, details=details)


def test_figures_count_recall_must_catch_false_alerts_and_review_coverage() -> None:
    results = [
        result("plan", alerted=True),
        result("plan"),  # a must-catch miss
        result("burden", alerted=True),
        result("burden", alerted=True),
        result("third_party", alerted=True),  # an alert for the writer: false
        result("third_party", reviewed=True),
        result("past"),  # read by nobody
        result("negated", alerted=True),
        result("negated", reviewed=True),  # staff read it: not a false alert
        result("everyday"),
    ]
    f = figures(results)
    assert (f["recall"]["caught"], f["recall"]["of"]) == (3, 4)
    assert (f["must_catch"]["caught"], f["must_catch"]["of"]) == (1, 2)
    assert (f["false_alerts"]["alerted"], f["false_alerts"]["of"]) == (2, 6)
    assert f["review_coverage"] == {"reviewed": 1, "seen": 2, "of": 3, "rate": 1 / 3}
    assert f["categories"]["third_party"] == {
        "kind": "review",
        "cases": 2,
        "alerts": 1,
        "reviews": 1,
        "seen": 2,
    }
    assert f["categories"]["negated"]["reviews"] == 1
    assert f["categories"]["burden"]["recall"] == 1.0
    assert [m["category"] for m in f["missed"]] == ["plan"]
    assert [m["category"] for m in f["false_alerted"]] == ["third_party", "negated"]
    assert set(MUST_CATCH) == {
        "plan",
        "method",
        "intent",
        "timing",
        "preparation",
        "place_or_means",
    }


def test_the_report_names_each_category_and_every_miss_false_alert_and_unread_review() -> None:
    results = [run(case, n) for n, case in enumerate(cases("dev"))]
    text = report(results, "== dev")
    assert text.startswith("== dev\n")
    for category in KIND:
        assert f"\n{category} " in text
    for r in results:
        wrong = r.alerted != r.case.alert
        unread = r.case.kind == "review" and not r.alerted and not r.reviewed
        if wrong or unread:
            assert f"[{r.case.category}] {r.case.describe()}" in text
    caught = sum(r.alerted for r in results if r.case.alert)
    assert f"recall: {caught}/" in text
    assert "must-catch recall" in text and "false-alert rate" in text and "review coverage" in text


def test_a_case_alerts_as_the_service_would() -> None:
    urgent = Case("instruments", True, {"phq9": [0, 0, 0, 0, 0, 0, 0, 0, 2]}, {})
    calm = Case("everyday", False, {"note": "a walk helped"}, {})
    fired = run(urgent, 0)
    assert (fired.alerted, fired.rules, fired.reviewed) == (True, ("phq9_item9",), False)
    assert fired.details[0].startswith("phq9_item9: ")
    assert run(calm, 1) == Result(calm, False, (), reviewed=False, details=())


CONCERN = Concern(ReviewReason.THIRD_PARTY, Priority.HIGH, "someone else's crisis")


def test_a_review_comes_from_the_rules_when_no_trigger_fired(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bench, "review", lambda answers: [CONCERN])
    calm = run(Case("third_party", False, {"note": "my friend is low"}, {}, review=True), 0)
    assert calm.reviewed and not calm.alerted
    assert calm.details == ("review third_party (high): someone else's crisis",)
    # A trigger's alert covers the check-in: no review is asked of the rules.
    urgent = run(Case("instruments", True, {"phq9": [0, 0, 0, 0, 0, 0, 0, 0, 2]}, {}), 1)
    assert urgent.alerted and not urgent.reviewed
    assert not any(d.startswith("review") for d in urgent.details)


def test_a_review_comes_from_the_check_in_when_it_carries_reviews(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def checked(data: Any, state: Any, now: Any) -> Any:
        assessment = SimpleNamespace(triggers=[])
        return SimpleNamespace(assessment=assessment, alert=None, reviews=[CONCERN])

    monkeypatch.setattr(bench, "check_in", checked)
    monkeypatch.setattr(bench, "review", lambda answers: pytest.fail("rules asked"))
    assert run(Case("past", False, {"note": "years ago"}, {}, review=True), 0).reviewed


def test_the_command_prints_one_set_or_both_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--set", "holdout"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("== holdout: holdout.jsonl") and "== dev" not in out
    assert main([]) == 0
    out = capsys.readouterr().out
    assert out.index("== dev: cases.jsonl") < out.index("== holdout: holdout.jsonl")
    assert main(["--json", "--set", "all"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert set(printed) == {"dev", "holdout"}
    assert printed["dev"]["cases"] == len(rows("cases.jsonl"))
    assert printed["holdout"]["must_catch"]["target"] == 1.0
