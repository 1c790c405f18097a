"""The matching engine's benchmark: its populations and comparison still run (on a tiny
population)."""

from __future__ import annotations

import pytest

from kindred.devtools.bench.engine import report
from kindred.devtools.bench.engine.populations import population, scarce_supporters
from kindred.matching.domain.model import EngineConfig, Rules

pytestmark = pytest.mark.unit

CONFIG = EngineConfig(rules=Rules(minors=True, max_age_gap=3))


@pytest.mark.parametrize(
    ("name", "supporters"), [("ample", 300), ("scarce", scarce_supporters(300))]
)
def test_the_quick_comparison_runs_without_violations(name: str, supporters: int) -> None:
    pop = population(name, 300, supporters, seed=3)
    rows = {row.method: row for row in report.compare(pop, CONFIG)}
    assert set(rows) == {report.ENGINE, report.FIRST, report.GREEDY, report.OPTIMUM}
    assert all(row.violations == 0 for row in rows.values())
    assert rows[report.ENGINE].affinity >= rows[report.FIRST].affinity
    assert rows[report.ENGINE].matched == rows[report.OPTIMUM].matched
    assert "engine" in report.comparison_table(pop, list(rows.values()))


def test_the_timing_row_runs() -> None:
    pop = population("timing", 50, 50, seed=4)
    row = report.timing_row(pop.requests, pop.supporters, CONFIG, repeats=1)
    assert row[0] == "50"
    assert "open requests" in report.timing_table([row])
