"""python -m kindred.devtools.bench.detection: see the package's docstring."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.resources import files
from typing import Any

from kindred.checkins.domain.safety import MemberState, check_in
from kindred.events.checkins import CheckinSubmittedData

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


@dataclass(frozen=True)
class Case:
    category: str
    alert: bool  # what a human reader expects: page someone, or not
    checkin: dict[str, Any]
    history: dict[str, list[int]]

    def describe(self) -> str:
        shown = self.checkin.get("note") or json.dumps(self.checkin)
        return f"{shown}  (history {self.history})" if self.history else shown


@dataclass(frozen=True)
class Result:
    case: Case
    alerted: bool
    rules: tuple[str, ...]


def cases() -> list[Case]:
    text = files("kindred.devtools.bench.detection").joinpath("cases.jsonl").read_text()
    rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    return [Case(r["category"], r["alert"], r["checkin"], r.get("history", {})) for r in rows]


def run(case: Case, number: int) -> Result:
    data = CheckinSubmittedData(checkin_id=f"case-{number}", member_id="m1", **case.checkin)
    state = MemberState(
        "m1", moods=tuple(case.history.get("moods", ())), who5=tuple(case.history.get("who5", ()))
    )
    checked = check_in(data, state, NOW)
    rules = tuple(str(r) for r in checked.assessment.rules)
    return Result(case, checked.alert is not None, rules)


def report(results: Sequence[Result]) -> str:
    lines = ["category             cases  alerts  " + "recall / false alerts"]
    for expected, title in ((True, "warning signs: recall"), (False, "calm: false alerts")):
        lines.append(f"-- {title}")
        chosen = [r for r in results if r.case.alert is expected]
        for category in dict.fromkeys(r.case.category for r in chosen):
            mine = [r for r in chosen if r.case.category == category]
            alerts = sum(r.alerted for r in mine)
            lines.append(f"{category:<20} {len(mine):>5}  {alerts:>6}  {alerts / len(mine):>6.0%}")
    positives = [r for r in results if r.case.alert]
    negatives = [r for r in results if not r.case.alert]
    caught = sum(r.alerted for r in positives)
    false = sum(r.alerted for r in negatives)
    lines += [
        f"recall: {caught}/{len(positives)} = {caught / len(positives):.0%}",
        f"false-alert rate: {false}/{len(negatives)} = {false / len(negatives):.0%}",
        "",
        "missed (a warning sign no rule raised an alert for):",
        *(f"  [{r.case.category}] {r.case.describe()}" for r in positives if not r.alerted),
        "false alerts (a calm check-in that would page someone):",
        *(
            f"  [{r.case.category}] {r.case.describe()}  -> {', '.join(r.rules)}"
            for r in negatives
            if r.alerted
        ),
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kindred.devtools.bench.detection",
        description="Crisis detection on the labelled check-ins kept with this command.",
    )
    parser.parse_args(argv)
    print(report([run(case, n) for n, case in enumerate(cases())]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
