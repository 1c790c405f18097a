"""What the matching engine works on: open requests and supporters with room, as plain values.

The pool (`pool.py`) keeps members, requests and matches; for each batch it hands the engine the
requests that may be matched now and the supporters who may take one more match now, and gets
back proposals with their score breakdown, and a reason for each request left unmatched. Rules
that are about one side alone (a seeker in a safety episode, a supporter in a cool-down or not
granted the role, a full supporter) are applied by the pool before the engine sees anyone; the
engine applies the rules about a pair (`constraints`) and scores the pairs (`scoring`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from kindred.events.vocabulary import AgeBand, Topic, Urgency

# Hours of the week, Monday 00:00 UTC = bit 0; an availability is a 168-bit int of these.
WEEK_HOURS = 168
ANY_TIME = (1 << WEEK_HOURS) - 1

Vector = npt.NDArray[np.float32]

# Why a request is left unmatched (a gauge of the backlog counts requests by reason).
NO_PROFILE = "no-profile"  # the seeker has no profile yet: age rules cannot be checked
SAFETY_EPISODE = "safety-episode"  # held out of peer matching while a safety episode is open
MINOR = "minor"  # a minor, and MATCH_MINORS is off
NO_LANGUAGE = "no-supporter-for-language"  # no supporter with room speaks the language
NO_ELIGIBLE = "no-eligible-supporter"  # some speak it, none passes the other rules
NO_CAPACITY = "no-capacity"  # eligible supporters exist, their slots went to others


@dataclass(frozen=True)
class Rules:
    """Hard rules about a pair, configurable where the issue allows (ages)."""

    # Minors ("13-17") are matched only when this is on, and then only with supporters
    # cleared for minors (`minors_cleared`); a minor supporter only ever supports minors.
    minors: bool = False
    # The most age bands between seeker and supporter among adults (None: no limit).
    max_age_gap: int | None = None


@dataclass(frozen=True)
class Weights:
    """How the soft score's parts add up; each part is in [0, 1], the score is their
    weighted mean."""

    topics: float = 0.35
    text: float = 0.25
    availability: float = 0.15
    load: float = 0.15
    fairness: float = 0.10


@dataclass(frozen=True)
class EngineConfig:
    rules: Rules = field(default_factory=Rules)
    weights: Weights = field(default_factory=Weights)
    # Candidates kept per request for the global assignment (the best by score).
    candidates_per_request: int = 20
    # A normal or low request's priority grows with its wait until, after this many hours, it
    # weighs as much as an urgent request (never more); 0 turns the aging off.
    aging_hours: float = 48.0
    # The solve stops refining once it has run this long and returns the valid assignment it
    # has (`Outcome.cut_short`); None: no bound.
    solve_budget_seconds: float | None = None


@dataclass(frozen=True)
class Seeking:
    """An open request as the engine sees it."""

    request_id: str
    seeker_id: str
    language: str
    topics: frozenset[Topic]
    urgency: Urgency
    age_band: AgeBand
    availability: int  # UTC week-hour mask; ANY_TIME when not given
    text: Vector  # `text.embed` of what's going on, L2-normalised; zeros when empty
    waited_seconds: float
    # Supporters never to propose for this request: blocks in either direction, pairs that
    # ended with a report, and those who declined it or let its proposal expire.
    excluded: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Offering:
    """A supporter who may take at least one more match now."""

    member_id: str
    languages: frozenset[str]
    topics: frozenset[Topic]
    opted_out: frozenset[Topic]
    age_band: AgeBand
    minors_cleared: bool
    availability: int
    text: Vector  # `text.embed` of their lived experience in their own words
    capacity: int
    load: int  # slots held now (proposed or active matches); < capacity
    recent: int  # proposals they had in the fairness window


@dataclass(frozen=True)
class Proposal:
    request_id: str
    supporter_id: str
    score: float
    breakdown: dict[str, float]  # each part of the score, before weighting


@dataclass
class Outcome:
    proposals: list[Proposal]
    # Request id → why it got no proposal (NO_LANGUAGE, NO_ELIGIBLE, NO_CAPACITY).
    unmatched: dict[str, str]
    # The solve ran out of its time budget and skipped its later steps: every proposal is
    # still valid, but fewer requests may be matched than could be.
    cut_short: bool = False
