"""The matching engine's benchmark: its populations and comparison still run (on a tiny
population)."""

from __future__ import annotations

import pytest

from kindred.devtools.bench import engine as bench
from kindred.matching.domain.model import EngineConfig, Rules

pytestmark = pytest.mark.unit

CONFIG = EngineConfig(rules=Rules(minors=True, max_age_gap=3))


@pytest.mark.parametrize(
    ("name", "supporters"), [("ample", 300), ("scarce", bench.scarce_supporters(300))]
)
def test_the_quick_comparison_runs_without_violations(name: str, supporters: int) -> None:
    pop = bench.population(name, 300, supporters, seed=3)
    rows = {row.method: row for row in bench.compare(pop, CONFIG)}
    assert set(rows) == {bench.ENGINE, bench.FIRST, bench.GREEDY, bench.OPTIMUM}
    assert all(row.violations == 0 for row in rows.values())
    assert rows[bench.ENGINE].affinity >= rows[bench.FIRST].affinity
    assert rows[bench.ENGINE].matched == rows[bench.OPTIMUM].matched
    assert "engine" in bench.comparison_table(pop, list(rows.values()))


def test_the_timing_row_runs() -> None:
    pop = bench.population("timing", 50, 50, seed=4)
    row = bench.timing_row(pop.requests, pop.supporters, CONFIG, repeats=1)
    assert row[0] == "50"
    assert "open requests" in bench.timing_table([row])
