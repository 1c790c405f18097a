"""Safety rules: fixed, readable thresholds that decide when a human must look at a check-in.

Rules first, never similarity models. Each rule runs on its own: one firing or failing does not
stop another, and a PHQ-9 item 9 of 0 proves nothing about the note or the ASQ. If a rule raises,
`evaluate` still returns the others' triggers plus an urgent `evaluation_failed` one: a failure
escalates, it never hides a risk.

Stateless rules (`evaluate`), on one check-in:
- `phq9_item9`: PHQ-9 item 9 of 1 -> high; 2 or 3 -> urgent.
- `asq_acute`: ASQ question 5 yes -> urgent.
- `asq_positive`: ASQ yes to any of questions 1-4 -> high.
- `free_text_plan`: a plan, method, means, preparation, or intent with a time, a place or a
  condition in the note (see `phrases`) -> urgent.
- `free_text_intent`: other first-person ideation (wish to be dead, suicidal thoughts),
  self-harm, being a burden, feeling trapped or in unbearable pain, farewell language -> high.

The review tier (`review`), for a check-in no rule fired on: what the phrase rules found but
could not clear becomes a staff review item, never silence (see `ReviewReason`): someone else's
crisis (high priority), the member's past with nothing said of now, and crisis vocabulary the
rules neither confirm nor clear (normal priority). Negations, hypotheticals, idioms, prevention
and news need no review.

Stateful rules, on the member's history (the check-ins service applies them):
- `sharp_decline` (`sharp_decline()`): with at least 3 earlier moods, mood at least 4 points
  below the mean of the last (up to) 7, or mood 2 or lower after a mean of 6 or more. With 1 or
  2 earlier moods only a large drop counts: at least 5 points below their mean, or mood 2 or
  lower after a mean of 6 or more (so 8 -> 2 over two check-ins fires) -> high.
- `who5_decline` (`who5_decline()`): with at least 2 earlier raw scores, WHO-5 raw at least 8
  points below the mean of the last (up to) 4, or raw 7 or lower (28%, the "likely depression"
  line) after a mean of 13 or more. With 1 earlier score only a large drop counts: at least 10
  points below it, or raw 7 or lower after 13 or more -> high.

A trigger's detail is a short text for safety staff; it never quotes the member's words.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from kindred.instruments import CheckinAnswers
from kindred.safety import phrases
from kindred.safety.phrases import ReviewReason as ReviewReason  # re-exported

log = logging.getLogger(__name__)


class Severity(StrEnum):
    URGENT = "urgent"
    HIGH = "high"


class Rule(StrEnum):
    """Stable machine names of the rules."""

    PHQ9_ITEM9 = "phq9_item9"
    ASQ_ACUTE = "asq_acute"
    ASQ_POSITIVE = "asq_positive"
    FREE_TEXT_PLAN = "free_text_plan"
    FREE_TEXT_INTENT = "free_text_intent"
    SHARP_DECLINE = "sharp_decline"
    WHO5_DECLINE = "who5_decline"
    EVALUATION_FAILED = "evaluation_failed"


@dataclass(frozen=True, slots=True)
class Trigger:
    rule: Rule
    severity: Severity
    detail: str


_RANK = {Severity.HIGH: 1, Severity.URGENT: 2}


def max_severity(triggers: Iterable[Trigger]) -> Severity | None:
    """The highest severity among the triggers; None when there are none."""
    return max((t.severity for t in triggers), key=_RANK.__getitem__, default=None)


# --- stateless rules -----------------------------------------------------------------------

PHQ9_ITEM9_URGENT_AT = 2


def check_phq9_item9(answers: CheckinAnswers) -> list[Trigger]:
    """PHQ-9 item 9 above 0 -> high; at 2 or more -> urgent."""
    if answers.phq9 is None:
        return []
    item9 = answers.phq9[8]
    if item9 <= 0:
        return []
    severity = Severity.URGENT if item9 >= PHQ9_ITEM9_URGENT_AT else Severity.HIGH
    return [
        Trigger(
            Rule.PHQ9_ITEM9,
            severity,
            f"PHQ-9 item 9 (thoughts of being better off dead or of self-harm) "
            f"answered {item9} of 3",
        )
    ]


def check_asq_acute(answers: CheckinAnswers) -> list[Trigger]:
    """ASQ question 5 yes -> urgent."""
    if answers.asq is None or answers.asq.q5 is not True:
        return []
    return [
        Trigger(
            Rule.ASQ_ACUTE,
            Severity.URGENT,
            "ASQ acute positive screen: yes to thoughts of suicide right now",
        )
    ]


def check_asq_positive(answers: CheckinAnswers) -> list[Trigger]:
    """ASQ yes to any of questions 1-4 -> high."""
    asq = answers.asq
    if asq is None:
        return []
    yes = [name for name in ("q1", "q2", "q3", "q4") if getattr(asq, name) is True]
    if not yes:
        return []
    return [
        Trigger(
            Rule.ASQ_POSITIVE,
            Severity.HIGH,
            f"ASQ positive screen: yes to {', '.join(yes)}",
        )
    ]


def check_free_text(answers: CheckinAnswers) -> list[Trigger]:
    """Plan, method, means, preparation or timed intent -> urgent; other warning signs -> high."""
    finding = phrases.assess(answers.note)
    if finding.level is None:
        return []
    categories = ", ".join(sorted(finding.categories))
    if finding.level is phrases.Level.PLAN:
        return [
            Trigger(
                Rule.FREE_TEXT_PLAN,
                Severity.URGENT,
                f"Note has plan, method, means or preparation language (categories: {categories})",
            )
        ]
    return [
        Trigger(
            Rule.FREE_TEXT_INTENT,
            Severity.HIGH,
            f"Note has suicide, self-harm or crisis language (categories: {categories})",
        )
    ]


StatelessRule = Callable[[CheckinAnswers], list[Trigger]]


def stateless_rules() -> tuple[StatelessRule, ...]:
    """The rules `evaluate` runs, looked up at call time (so a test can replace one)."""
    return (check_phq9_item9, check_asq_acute, check_asq_positive, check_free_text)


def _failed(name: str, error: BaseException) -> Trigger:
    # Only the exception's type is logged: its text could carry part of the note.
    log.error("safety rule %s failed (%s); escalating", name, type(error).__name__)
    return Trigger(
        Rule.EVALUATION_FAILED,
        Severity.URGENT,
        f"The {name} rule could not be evaluated: a human must review this check-in",
    )


def evaluate(answers: CheckinAnswers) -> list[Trigger]:
    """Run every stateless rule, each on its own; a rule that raises adds `evaluation_failed`."""
    triggers: list[Trigger] = []
    for rule in stateless_rules():
        name = getattr(rule, "__name__", "safety")
        try:
            triggers.extend(rule(answers))
        except Exception as error:  # a failure escalates; it never hides the other rules
            triggers.append(_failed(name, error))
    return triggers


# --- the review tier -----------------------------------------------------------------------


class Priority(StrEnum):
    HIGH = "high"
    NORMAL = "normal"


@dataclass(frozen=True, slots=True)
class Concern:
    """A reason for a staff review. Like a trigger's detail, never the member's words."""

    reason: ReviewReason
    priority: Priority
    detail: str


_CONCERNS = {
    ReviewReason.THIRD_PARTY: (
        Priority.HIGH,
        "Note speaks of someone else's suicide, self-harm or crisis",
    ),
    ReviewReason.PAST: (
        Priority.NORMAL,
        "Note speaks of suicide or self-harm in the member's past, nothing of now",
    ),
    ReviewReason.UNCLEAR: (
        Priority.NORMAL,
        "Note has crisis language the rules can neither confirm nor clear",
    ),
}


def review(answers: CheckinAnswers) -> list[Concern]:
    """What a human should read although no rule fired. Meaningful only when `evaluate`
    returned no trigger (a trigger's alert covers the check-in already).

    One concern per reason the phrase rules give (`phrases.TextFinding.reviews`), highest
    priority first: someone else's crisis (high), the member's past, vague crisis language
    (normal). A note the rules grade (a trigger) or clear (negation, idiom, prevention) gives
    none. Never the member's words.
    """
    finding = phrases.assess(answers.note)
    if finding.level is not None:
        return []
    return [
        Concern(reason, *_CONCERNS[reason]) for reason in _CONCERNS if reason in finding.reviews
    ]


# --- stateful rules ------------------------------------------------------------------------


def _decline(
    previous: Sequence[int],
    current: int,
    *,
    low: int,
    high: int,
    window: int,
    min_history: int,
    drop: float,
    floor: int,
    floor_after_mean: float,
    short_drop: float,
) -> tuple[float, int] | None:
    """(mean, count) when `current` dropped by `drop` (`short_drop` with fewer than
    `min_history` earlier scores, at least one) or fell to `floor` after a high mean."""
    if window < 1 or not 1 <= min_history <= window:
        raise ValueError("need 1 <= min_history <= window")
    values = [*previous, current]
    if any(isinstance(v, bool) or not isinstance(v, int) or not low <= v <= high for v in values):
        raise ValueError(f"scores must be integers from {low} to {high}")
    recent = list(previous)[-window:]
    if not recent:
        return None
    needed = drop if len(recent) >= min_history else short_drop
    total, count = sum(recent), len(recent)
    # Compared as totals, not means, so the thresholds are exact.
    dropped = total - current * count >= needed * count
    fell = current <= floor and total >= floor_after_mean * count
    return (total / count, count) if dropped or fell else None


def sharp_decline(
    previous_moods: Sequence[int],
    mood: int,
    *,
    window: int = 7,
    min_history: int = 3,
    drop: float = 4.0,
    floor: int = 2,
    floor_after_mean: float = 6.0,
    short_drop: float = 5.0,
) -> Trigger | None:
    """A sharp drop of mood against the member's recent history (oldest first).

    Fires (high) when `mood` is `drop` points or more below the mean of the last `window`
    earlier moods (`short_drop` points when there are fewer than `min_history` of them, at
    least one: a decline over two check-ins counts, only a large one), or is `floor` or lower
    while that mean is `floor_after_mean` or more. Moods outside 1-10 raise ValueError (the
    caller escalates).
    """
    found = _decline(
        previous_moods,
        mood,
        low=1,
        high=10,
        window=window,
        min_history=min_history,
        drop=drop,
        floor=floor,
        floor_after_mean=floor_after_mean,
        short_drop=short_drop,
    )
    if found is None:
        return None
    mean, count = found
    return Trigger(
        Rule.SHARP_DECLINE,
        Severity.HIGH,
        f"Mood {mood} against a mean of {mean:.1f} over the last {count} check-ins",
    )


def who5_decline(
    previous_raw: Sequence[int],
    raw: int,
    *,
    window: int = 4,
    min_history: int = 2,
    drop: float = 8.0,
    floor: int = 7,
    floor_after_mean: float = 13.0,
    short_drop: float = 10.0,
) -> Trigger | None:
    """A sharp drop of the WHO-5 raw score (0-25) against earlier ones (oldest first).

    Fires (high) when `raw` is `drop` points or more below the mean of the last `window`
    earlier scores (`short_drop` points when there are fewer than `min_history` of them, at
    least one), or is `floor` or lower (28%) while that mean is `floor_after_mean` or more.
    Scores outside 0-25 raise ValueError.
    """
    found = _decline(
        previous_raw,
        raw,
        low=0,
        high=25,
        window=window,
        min_history=min_history,
        drop=drop,
        floor=floor,
        floor_after_mean=floor_after_mean,
        short_drop=short_drop,
    )
    if found is None:
        return None
    mean, count = found
    return Trigger(
        Rule.WHO5_DECLINE,
        Severity.HIGH,
        f"WHO-5 raw score {raw} against a mean of {mean:.1f} over the last {count} check-ins",
    )


def evaluate_history(
    answers: CheckinAnswers,
    *,
    previous_moods: Sequence[int] = (),
    previous_who5_raw: Sequence[int] = (),
) -> list[Trigger]:
    """The stateful rules with their defaults, fail-safe like `evaluate`.

    Histories are oldest first and exclude this check-in. A rule that raises (bad history data
    included) gives an urgent `evaluation_failed` trigger.
    """
    triggers: list[Trigger] = []
    if answers.mood is not None:
        try:
            if found := sharp_decline(previous_moods, answers.mood):
                triggers.append(found)
        except Exception as error:
            triggers.append(_failed("sharp_decline", error))
    if answers.who5 is not None:
        try:
            if found := who5_decline(previous_who5_raw, sum(answers.who5)):
                triggers.append(found)
        except Exception as error:
            triggers.append(_failed("who5_decline", error))
    return triggers
