"""Synthetic populations with a hidden ground truth, the load of the matching engine's
benchmark (see `kindred.devtools.bench.engine`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt

from kindred.events.vocabulary import AgeBand, Topic, Urgency
from kindred.matching.domain import constraints
from kindred.matching.domain.assignment import Candidates
from kindred.matching.domain.model import (
    ANY_TIME,
    WEEK_HOURS,
    EngineConfig,
    Offering,
    Proposal,
    Seeking,
)
from kindred.matching.domain.text import embed

Floats = npt.NDArray[np.float64]

LANGUAGES = ("en", "es", "fr", "de", "pt", "it", "nl", "pl")
LANGUAGE_SHARE = (0.60, 0.20, 0.08, 0.05, 0.04, 0.015, 0.01, 0.005)
TOPICS = tuple(Topic)
TOPIC_SHARE = tuple(1.0 / (i + 1) ** 1.1 for i in range(len(TOPICS)))
# The "oversubscribed" population: a third of requests are about this topic (alone, or with
# one other), which few supporters cover.
OVERSUBSCRIBED = "oversubscribed"
HOT_TOPIC = Topic.JOB_LOSS
# The "identical" population: every request alike but for its wait (a campaign's template).
IDENTICAL = "identical"
ADULT_BANDS = tuple(b for b in AgeBand if b != AgeBand.A13_17)
ADULT_SHARE = (0.18, 0.27, 0.22, 0.15, 0.11, 0.07)

THEMES: dict[str, str] = {
    "hospital": "hospital ward nurses surgery diagnosis scans waiting room oncology chemo visits",
    "nights": "night shifts insomnia awake tired exhausted sleepless dark hours coffee dawn",
    "faith": "church prayer faith god belief spiritual mosque temple meaning hope",
    "moving": "moved abroad new country immigrant visa homesick language far family",
    "money": "debt bills rent money mortgage savings broke loans eviction budget",
    "kids": "toddler baby newborn nappies teenager school kids daughter son parenting",
    "work": "boss layoff redundancy career office interview resume colleagues fired unemployed",
    "body": "pain fatigue wheelchair mobility medication flare symptoms doctor therapy chronic",
    "drink": "alcohol drinking sober sobriety meetings relapse cravings bottle recovery sponsor",
    "partner": "husband wife partner marriage separation custody lawyer divorce breakup ex",
    "elders": "father mother dementia care home elderly parents caring memory nursing",
    "alone": "alone lonely isolated friends nobody silence empty weekends quiet evenings",
}
FILLER = [
    "i",
    "me",
    "my",
    "the",
    "a",
    "and",
    "to",
    "of",
    "it",
    "that",
    "is",
    "was",
    "have",
    "been",
    "feel",
    "feeling",
    "really",
    "just",
    "lately",
    "so",
    "very",
    "with",
    "for",
    "about",
    "but",
    "not",
    "know",
    "think",
    "want",
    "need",
    "some",
    "time",
    "day",
    "days",
    "week",
    "things",
    "going",
    "hard",
    "much",
    "more",
    "still",
    "always",
    "never",
]
N_THEMES = len(THEMES)
_THEME_WORDS = [words.split() for words in THEMES.values()]

# Weekly habits in local time: (days, first hour, hours).
HABITS = (
    (range(7), 18, 5),  # evenings
    (range(5, 7), 9, 12),  # weekends
    (range(5), 12, 2),  # weekday lunches
    (range(7), 7, 3),  # mornings
    (range(7), 22, 4),  # late nights
    (range(7), 9, 12),  # most of the day
)
UTC_OFFSETS = (-8, -6, -5, -3, 0, 1, 2, 3, 5, 8, 10)
OFFSET_SHARE = (0.10, 0.06, 0.14, 0.06, 0.14, 0.24, 0.10, 0.04, 0.06, 0.03, 0.03)


@dataclass
class Population:
    name: str
    requests: list[Seeking]  # in arrival order (the longest waiting first)
    supporters: list[Offering]  # in a fixed order (by id)
    request_themes: npt.NDArray[np.float32]
    supporter_themes: npt.NDArray[np.float32]
    request_hours: list[int]  # their true hours, whatever they told us
    supporter_hours: list[int]
    # The eligible pairs and their scores once computed (`baselines.eligible`), and for which
    # config.
    eligible: tuple[EngineConfig, Candidates] | None = None
    request_at: dict[str, int] = field(default_factory=dict)
    supporter_at: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.request_at = {r.request_id: i for i, r in enumerate(self.requests)}
        self.supporter_at = {s.member_id: i for i, s in enumerate(self.supporters)}

    @property
    def slots(self) -> int:
        return sum(s.capacity - s.load for s in self.supporters)


def _hours(rng: np.random.Generator) -> int:
    """A true weekly availability in UTC: one or two habits in a time zone."""
    offset = int(rng.choice(UTC_OFFSETS, p=OFFSET_SHARE))
    mask = 0
    for h in rng.choice(len(HABITS), size=int(rng.integers(1, 3)), replace=False):
        days, first, length = HABITS[int(h)]
        for day in days:
            for hour in range(first, first + length):
                mask |= 1 << ((day * 24 + hour - offset) % WEEK_HOURS)
    return mask


def _themes(rng: np.random.Generator, n: int) -> npt.NDArray[np.float32]:
    mix = rng.dirichlet(np.full(N_THEMES, 0.25), size=n)
    unit: npt.NDArray[np.float32] = (mix / np.linalg.norm(mix, axis=1, keepdims=True)).astype(
        np.float32
    )
    return unit


def _text(
    rng: np.random.Generator, themes: npt.NDArray[np.float32], topics: Sequence[Topic]
) -> str:
    if rng.random() < 0.05:
        return ""
    weights = themes**2 / float((themes**2).sum())
    words: list[str] = []
    for _ in range(int(rng.integers(10, 40))):
        draw = rng.random()
        if draw < 0.45:
            words.append(FILLER[int(rng.integers(len(FILLER)))])
        elif draw < 0.55 and topics:
            words.append(str(topics[int(rng.integers(len(topics)))]).replace("-", " "))
        else:
            vocabulary = _THEME_WORDS[int(rng.choice(N_THEMES, p=weights))]
            words.append(vocabulary[int(rng.integers(len(vocabulary)))])
    return " ".join(words)


def _topics(
    rng: np.random.Generator, sizes: Sequence[int], share: Sequence[float]
) -> frozenset[Topic]:
    count = int(rng.choice(sizes, p=share))
    p = np.asarray(TOPIC_SHARE) / sum(TOPIC_SHARE)
    return frozenset(
        TOPICS[int(i)] for i in rng.choice(len(TOPICS), size=count, replace=False, p=p)
    )


def _language(rng: np.random.Generator) -> str:
    return str(rng.choice(LANGUAGES, p=LANGUAGE_SHARE))


def _adult(rng: np.random.Generator) -> AgeBand:
    return ADULT_BANDS[int(rng.choice(len(ADULT_BANDS), p=ADULT_SHARE))]


def population(name: str, n_requests: int, n_supporters: int, seed: int) -> Population:
    """A synthetic population (see `kindred.devtools.bench.engine`). `name` "scarce" gives
    supporters who are mostly busy already, so that free slots are about 0.57 times the
    requests."""
    rng = np.random.default_rng(seed)
    scarce = name == "scarce"

    supporter_themes = _themes(rng, n_supporters)
    supporter_hours = [_hours(rng) for _ in range(n_supporters)]
    texts: list[str] = []
    staged: list[dict[str, object]] = []
    for i in range(n_supporters):
        languages = {_language(rng)}
        if rng.random() < 0.3:
            languages.add("en")
        if rng.random() < 0.1:
            languages.add(_language(rng))
        topics = _topics(rng, (1, 2, 3, 4), (0.25, 0.35, 0.25, 0.15))
        opted_out = (
            frozenset({sorted(topics)[int(rng.integers(len(topics)))]})
            if len(topics) > 1 and rng.random() < 0.1
            else frozenset()
        )
        capacity = int(rng.choice((1, 2, 3, 4), p=(0.35, 0.35, 0.2, 0.1)))
        if scarce:
            room = 1 if rng.random() < 0.8 else min(2, capacity)
        else:
            room = capacity if rng.random() < 0.7 else int(rng.integers(1, capacity + 1))
        minor = rng.random() < 0.01
        staged.append(
            {
                "languages": frozenset(languages),
                "topics": topics,
                "opted_out": opted_out,
                "age_band": AgeBand.A13_17 if minor else _adult(rng),
                "minors_cleared": rng.random() < 0.08,
                "capacity": capacity,
                "load": capacity - room,
            }
        )
        texts.append(_text(rng, supporter_themes[i], sorted(topics)))
    vectors = embed(texts)
    supporters = [
        Offering(
            member_id=f"m{i:06d}",
            text=vectors[i],
            availability=ANY_TIME if rng.random() < 0.1 else supporter_hours[i],
            recent=int(rng.poisson(1.5)),
            **staged[i],  # type: ignore[arg-type]
        )
        for i in range(n_supporters)
    ]

    request_themes = _themes(rng, n_requests)
    request_hours = [_hours(rng) for _ in range(n_requests)]
    waited = np.sort(rng.exponential(4 * 3600.0, size=n_requests))[::-1]
    speakers: dict[str, list[str]] = {}
    for s in supporters:
        for language in s.languages:
            speakers.setdefault(language, []).append(s.member_id)
    texts = []
    staged = []
    for i in range(n_requests):
        language = _language(rng)
        topics = _topics(rng, (1, 2, 3), (0.5, 0.35, 0.15))
        if name == OVERSUBSCRIBED and rng.random() < 1 / 3:
            topics = frozenset({HOT_TOPIC, *sorted(topics)[: int(rng.integers(0, 2))]})
        pool = speakers.get(language, [])
        blocked = rng.integers(len(pool), size=min(len(pool), int(rng.poisson(2)))) if pool else ()
        seeker = f"m{int(rng.integers(n_supporters)):06d}" if rng.random() < 0.03 else f"s{i:06d}"
        urgency = rng.choice((Urgency.HIGH, Urgency.NORMAL, Urgency.LOW), p=(0.07, 0.73, 0.2))
        staged.append(
            {
                "seeker_id": seeker,
                "language": language,
                "topics": topics,
                "urgency": Urgency(urgency),
                "age_band": AgeBand.A13_17 if rng.random() < 0.03 else _adult(rng),
                "excluded": frozenset(pool[int(b)] for b in blocked),
            }
        )
        texts.append(_text(rng, request_themes[i], sorted(topics)))
    vectors = embed(texts)
    requests = [
        Seeking(
            request_id=f"r{i:06d}",
            text=vectors[i],
            availability=ANY_TIME if rng.random() < 0.1 else request_hours[i],
            waited_seconds=float(waited[i]),
            **staged[i],  # type: ignore[arg-type]
        )
        for i in range(n_requests)
    ]
    if name == IDENTICAL:
        requests, request_themes, request_hours = _identical(requests, request_themes)
    return Population(
        name=name,
        requests=requests,
        supporters=supporters,
        request_themes=request_themes,
        supporter_themes=supporter_themes,
        request_hours=request_hours,
        supporter_hours=supporter_hours,
    )


def _identical(
    requests: list[Seeking], themes: npt.NDArray[np.float32]
) -> tuple[list[Seeking], npt.NDArray[np.float32], list[int]]:
    """Every request as the first one (same words, topic, hours, language, age band, no
    exclusions), each with its own id, seeker and wait."""
    first = replace(
        requests[0],
        language="en",
        topics=frozenset({TOPICS[0]}),
        urgency=Urgency.NORMAL,
        age_band=ADULT_BANDS[1],
        excluded=frozenset(),
    )
    hours = first.availability if first.availability != ANY_TIME else (1 << WEEK_HOURS) - 1
    same = [
        replace(
            first, request_id=r.request_id, seeker_id=f"s{i:06d}", waited_seconds=r.waited_seconds
        )
        for i, r in enumerate(requests)
    ]
    return same, np.repeat(themes[:1], len(requests), axis=0), [hours] * len(requests)


def scarce_supporters(n_requests: int) -> int:
    """Supporters for the scarce population: half as many as requests. With 1 free slot for
    80% of them and up to 2 for the rest (1.13 on average), free slots come to about 0.57
    times the requests (5,661 for 10,000 in the README's run)."""
    return max(1, round(n_requests / 2))


def _overlap(a: int, b: int) -> float:
    return (a & b).bit_count() / min(a.bit_count(), b.bit_count())


def affinity(pop: Population, proposals: Sequence[Proposal]) -> Floats:
    """The hidden affinity of each proposed pair."""
    out = np.zeros(len(proposals))
    for n, p in enumerate(proposals):
        r, s = pop.request_at[p.request_id], pop.supporter_at[p.supporter_id]
        request, supporter = pop.requests[r], pop.supporters[s]
        topics = len(request.topics & constraints.usable_topics(supporter)) / len(request.topics)
        themes = float(pop.request_themes[r] @ pop.supporter_themes[s])
        hours = _overlap(pop.request_hours[r], pop.supporter_hours[s])
        out[n] = 0.3 * topics + 0.5 * themes + 0.2 * hours
    return out
