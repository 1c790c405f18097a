"""The detection benchmark: its labelled cases are valid check-ins in known categories, and its
report gives every category and lists every miss and every false alert."""

from __future__ import annotations

import pytest

from kindred.devtools.bench.detection.__main__ import Case, Result, cases, report, run

pytestmark = pytest.mark.unit


def test_every_case_is_a_valid_check_in_labelled_in_a_category_with_both_kinds() -> None:
    found = cases()
    assert len(found) >= 100
    by_category: dict[str, set[bool]] = {}
    for case in found:
        by_category.setdefault(case.category, set()).add(case.alert)
    assert all(len(kinds) == 1 for kinds in by_category.values())  # a category is one kind
    assert {True, False} == {k for kinds in by_category.values() for k in kinds}


def test_the_report_names_each_category_and_every_miss_and_false_alert() -> None:
    results = [run(case, n) for n, case in enumerate(cases())]
    text = report(results)
    for category in {r.case.category for r in results}:
        assert f"\n{category} " in text
    misses = [r for r in results if r.case.alert and not r.alerted]
    false = [r for r in results if not r.case.alert and r.alerted]
    for r in [*misses, *false]:
        assert r.case.describe() in text
    caught = sum(r.alerted for r in results if r.case.alert)
    assert f"recall: {caught}/" in text


def test_a_case_alerts_as_the_service_would() -> None:
    urgent = Case("instruments", True, {"phq9": [0, 0, 0, 0, 0, 0, 0, 0, 2]}, {})
    calm = Case("calm", False, {"note": "a walk helped"}, {})
    assert run(urgent, 0) == Result(urgent, True, ("phq9_item9",))
    assert run(calm, 1) == Result(calm, False, ())
