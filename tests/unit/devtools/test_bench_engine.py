"""The matching engine's benchmark: its populations and comparison still run (on a tiny
population)."""

from __future__ import annotations

import pytest

from kindred.devtools.bench.engine import report
from kindred.devtools.bench.engine.populations import (
    HOT_TOPIC,
    IDENTICAL,
    OVERSUBSCRIBED,
    population,
    scarce_supporters,
)
from kindred.matching.domain.model import EngineConfig, Rules

pytestmark = pytest.mark.unit

CONFIG = EngineConfig(rules=Rules(minors=True, max_age_gap=3))


@pytest.mark.parametrize(
    ("name", "supporters"),
    [("ample", 300), ("scarce", scarce_supporters(300)), (OVERSUBSCRIBED, 300), (IDENTICAL, 300)],
)
def test_the_quick_comparison_runs_without_violations(name: str, supporters: int) -> None:
    pop = population(name, 300, supporters, seed=3)
    rows = {row.method: row for row in report.compare(pop, CONFIG)}
    assert set(rows) == {report.ENGINE, report.FIRST, report.GREEDY, report.OPTIMUM}
    assert all(row.violations == 0 for row in rows.values())
    assert rows[report.ENGINE].affinity >= rows[report.FIRST].affinity
    assert rows[report.ENGINE].matched == rows[report.OPTIMUM].matched
    table = report.comparison_table(pop, list(rows.values()))
    assert "engine" in table
    assert f"optimum {rows[report.OPTIMUM].matched:,} (equal)" in table


def test_the_identical_requests_are_alike_but_for_their_waits() -> None:
    pop = population(IDENTICAL, 40, 40, seed=5)
    kinds = {(r.language, r.topics, r.urgency, r.age_band, r.availability) for r in pop.requests}
    assert len(kinds) == 1
    assert all((r.text == pop.requests[0].text).all() for r in pop.requests)
    assert len({r.waited_seconds for r in pop.requests}) == 40


def test_a_third_of_the_oversubscribed_requests_are_about_one_topic() -> None:
    pop = population(OVERSUBSCRIBED, 600, 300, seed=5)
    share = sum(HOT_TOPIC in r.topics for r in pop.requests) / len(pop.requests)
    assert 0.3 < share < 0.45


def test_the_timing_row_runs() -> None:
    pop = population("timing", 50, 50, seed=4)
    row = report.timing_row(pop.requests, pop.supporters, CONFIG, repeats=1)
    assert row[0] == "50"
    assert "open requests" in report.timing_table([row])
