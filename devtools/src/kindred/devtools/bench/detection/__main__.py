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
from kindred.safety.rules import review

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)

SETS = {"dev": "cases.jsonl", "holdout": "holdout.jsonl"}

# Warning signs that must never be missed: a plan, a means, intent, a time, preparation, a place.
MUST_CATCH = ("plan", "method", "intent", "timing", "preparation", "place_or_means")
TARGET_RECALL = 0.97
TARGET_MUST_CATCH = 1.0
TARGET_FALSE_ALERTS = 0.03


@dataclass(frozen=True)
class Case:
    category: str
    alert: bool  # what a human reader expects: page someone, or not
    checkin: dict[str, Any]
    history: dict[str, list[int]]
    review: bool = False  # must not page anyone, but a human on staff should read it

    @property
    def kind(self) -> str:
        """ "alert" (a warning sign), "review" (for staff, not a page) or "calm"."""
        return "alert" if self.alert else "review" if self.review else "calm"

    def describe(self) -> str:
        shown = self.checkin.get("note") or json.dumps(self.checkin)
        return f"{shown}  (history {self.history})" if self.history else shown


@dataclass(frozen=True)
class Result:
    case: Case
    alerted: bool
    rules: tuple[str, ...]
    reviewed: bool = False  # a staff review item was raised (and no alert)
    details: tuple[str, ...] = ()  # each trigger's rule and detail, then each review's reason

    def fired(self) -> str:
        return "; ".join(self.details) or "nothing fired"


def _case(row: dict[str, Any]) -> Case:
    return Case(
        category=row["category"],
        alert=row["alert"],
        checkin=row["checkin"],
        history=row.get("history", {}),
        review=row.get("review", False),
    )


def cases(name: str = "dev") -> list[Case]:
    """The labelled check-ins of one set ("dev" or "holdout")."""
    text = files("kindred.devtools.bench.detection").joinpath(SETS[name]).read_text()
    return [_case(json.loads(line)) for line in text.splitlines() if line.strip()]


def run(case: Case, number: int, label: str = "case") -> Result:
    data = CheckinSubmittedData(checkin_id=f"{label}-{number}", member_id="m1", **case.checkin)
    state = MemberState(
        "m1", moods=tuple(case.history.get("moods", ())), who5=tuple(case.history.get("who5", ()))
    )
    checked = check_in(data, state, NOW)
    triggers = checked.assessment.triggers
    # The service's own review items when it has them; else the rules' review, meaningful only
    # when no trigger fired.
    concerns: Sequence[Any] | None = getattr(checked, "reviews", None)
    if concerns is None:
        concerns = [] if triggers else review(data.answers())
    alerted = checked.alert is not None
    details = (
        *(f"{t.rule}: {t.detail}" for t in triggers),
        *(f"review {c.reason} ({c.priority}): {c.detail}" for c in concerns),
    )
    return Result(
        case,
        alerted,
        tuple(str(t.rule) for t in triggers),
        reviewed=bool(concerns) and not alerted,
        details=details,
    )


def run_set(name: str) -> list[Result]:
    return [run(case, n, name) for n, case in enumerate(cases(name))]


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _pct(part: int, whole: int) -> str:
    return f"{part}/{whole} = {part / whole:.1%}" if whole else f"{part}/0"


def figures(results: Sequence[Result]) -> dict[str, Any]:
    """The set's figures, per category and overall (what `--json` prints)."""
    by_category: dict[str, dict[str, Any]] = {}
    for r in results:
        row = by_category.setdefault(
            r.case.category, {"kind": r.case.kind, "cases": 0, "alerts": 0, "reviews": 0}
        )
        row["cases"] += 1
        row["alerts"] += r.alerted
        row["reviews"] += r.reviewed
    for row in by_category.values():
        if row["kind"] == "alert":
            row["recall"] = _ratio(row["alerts"], row["cases"])
        elif row["kind"] == "review":
            row["seen"] = row["alerts"] + row["reviews"]
    positives = [r for r in results if r.case.alert]
    must = [r for r in positives if r.case.category in MUST_CATCH]
    negatives = [r for r in results if not r.case.alert]
    for_review = [r for r in results if r.case.kind == "review"]
    caught = sum(r.alerted for r in positives)
    must_caught = sum(r.alerted for r in must)
    false = sum(r.alerted for r in negatives)
    reviewed = sum(r.reviewed for r in for_review)
    seen = sum(r.reviewed or r.alerted for r in for_review)
    return {
        "cases": len(results),
        "categories": by_category,
        "recall": {"caught": caught, "of": len(positives), "rate": _ratio(caught, len(positives))},
        "must_catch": {
            "categories": list(MUST_CATCH),
            "caught": must_caught,
            "of": len(must),
            "rate": _ratio(must_caught, len(must)),
            "target": TARGET_MUST_CATCH,
        },
        "false_alerts": {
            "alerted": false,
            "of": len(negatives),
            "rate": _ratio(false, len(negatives)),
        },
        "review_coverage": {
            "reviewed": reviewed,
            "seen": seen,
            "of": len(for_review),
            "rate": _ratio(reviewed, len(for_review)),
        },
        "targets": {
            "recall": TARGET_RECALL,
            "must_catch": TARGET_MUST_CATCH,
            "false_alerts": TARGET_FALSE_ALERTS,
        },
        "missed": [
            {"category": r.case.category, "text": r.case.describe(), "fired": list(r.details)}
            for r in positives
            if not r.alerted
        ],
        "false_alerted": [
            {"category": r.case.category, "text": r.case.describe(), "fired": list(r.details)}
            for r in negatives
            if r.alerted
        ],
    }


def _table(results: Sequence[Result], kind: str, head: str) -> list[str]:
    lines = [head]
    chosen = [r for r in results if r.case.kind == kind]
    for category in dict.fromkeys(r.case.category for r in chosen):
        mine = [r for r in chosen if r.case.category == category]
        alerts = sum(r.alerted for r in mine)
        reviews = sum(r.reviewed for r in mine)
        if kind == "alert":
            cells = f"{alerts:>8}  {alerts / len(mine):>8.0%}"
        elif kind == "review":
            cells = f"{alerts + reviews:>8}  {alerts:>8}"
        else:
            cells = f"{alerts:>8}  {reviews:>8}"
        lines.append(f"{category:<20} {len(mine):>5}  {cells}")
    return lines


def report(results: Sequence[Result], title: str = "") -> str:
    f = figures(results)
    positives = [r for r in results if r.case.alert]
    negatives = [r for r in results if not r.case.alert]
    for_review = [r for r in results if r.case.kind == "review"]
    must = f["must_catch"]
    coverage = f["review_coverage"]
    lines = [title] if title else []
    lines += [
        *_table(results, "alert", "warning signs        cases    alerts    recall"),
        *_table(results, "review", "for staff review     cases   seen(*)   alerted"),
        *_table(results, "calm", "calm                 cases  false al   reviews"),
        "(*) reviewed or alerted; an alert on someone else's crisis or the past is a false alert",
        "",
        f"recall: {_pct(f['recall']['caught'], len(positives))} (target {TARGET_RECALL:.0%})",
        f"must-catch recall ({', '.join(MUST_CATCH)}): {_pct(must['caught'], must['of'])} "
        f"(target {TARGET_MUST_CATCH:.0%})",
        f"false-alert rate (calm and review statements): "
        f"{_pct(f['false_alerts']['alerted'], len(negatives))} "
        f"(target at most {TARGET_FALSE_ALERTS:.0%})",
        f"review coverage: {_pct(coverage['reviewed'], coverage['of'])} reviewed without an alert; "
        f"{coverage['seen']}/{coverage['of']} seen by staff at all",
        "",
        "missed (a warning sign no rule raised an alert for):",
        *(
            f"  [{r.case.category}] {r.case.describe()}  -> {r.fired()}"
            for r in positives
            if not r.alerted
        ),
        "false alerts (a check-in that would page someone for the writer, wrongly):",
        *(
            f"  [{r.case.category}] {r.case.describe()}  -> {r.fired()}"
            for r in negatives
            if r.alerted
        ),
        "not reviewed (someone else's crisis or the past, which no human would read):",
        *(
            f"  [{r.case.category}] {r.case.describe()}"
            for r in for_review
            if not r.reviewed and not r.alerted
        ),
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kindred.devtools.bench.detection",
        description="Crisis detection on the labelled check-ins kept with this command.",
    )
    parser.add_argument(
        "--set",
        choices=("dev", "holdout", "all"),
        default="all",
        help="dev (cases.jsonl, tuned on), holdout (holdout.jsonl, never tuned on) or all (both, "
        "dev first; the default)",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = parser.parse_args(argv)
    names = list(SETS) if args.set == "all" else [args.set]
    results = {name: run_set(name) for name in names}
    if args.json:
        print(json.dumps({name: figures(rs) for name, rs in results.items()}, indent=2))
        return 0
    print(
        "\n\n".join(
            report(rs, f"== {name}: {SETS[name]} ({len(rs)} check-ins)")
            for name, rs in results.items()
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
