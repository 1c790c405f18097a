"""The hard rules about a pair: may this supporter be proposed for this request?

`violation` is the reference, one pair at a time: the name of the first rule the pair breaks,
or None. The engine (`assignment`) checks the same rules for whole blocks of pairs at once with
numpy, built from the helpers here (topics as bit masks, the age rule as a small table filled
by `age_allowed`), and the tests hold the two to agreeing on random populations.

The rules, in the order they are checked:

- self: nobody supports their own request;
- language: the supporter speaks the request's language;
- topics: they share a topic the supporter has not opted out of;
- age: a minor ("13-17") seeker only when `Rules.minors` is on and the supporter is cleared for
  minors; a minor supporter only supports minors; between adults, at most `Rules.max_age_gap`
  age bands apart when that is set;
- excluded: the supporter is not in the request's exclusions (blocks, reports, declines);
- capacity: the supporter has a free slot.
"""

from __future__ import annotations

from collections.abc import Iterable

from kindred.events.vocabulary import AgeBand, Topic
from kindred.matching.domain.model import Offering, Rules, Seeking

SELF = "self"
LANGUAGE = "language"
TOPICS = "topics"
AGE = "age"
EXCLUDED = "excluded"
CAPACITY = "capacity"

MINOR_BAND = AgeBand.A13_17
BANDS: tuple[AgeBand, ...] = tuple(AgeBand)
BAND_INDEX: dict[AgeBand, int] = {band: i for i, band in enumerate(BANDS)}
TOPICS_ORDER: tuple[Topic, ...] = tuple(Topic)
TOPIC_BIT: dict[Topic, int] = {topic: 1 << i for i, topic in enumerate(TOPICS_ORDER)}


def topic_bits(topics: Iterable[Topic]) -> int:
    """The topics as a bit mask (bit i for the i-th `Topic`)."""
    bits = 0
    for topic in topics:
        bits |= TOPIC_BIT[topic]
    return bits


def usable_topics(supporter: Offering) -> frozenset[Topic]:
    """The topics a supporter may be matched on: theirs, less those they opted out of."""
    return supporter.topics - supporter.opted_out


def age_allowed(seeker: AgeBand, supporter: AgeBand, minors_cleared: bool, rules: Rules) -> bool:
    seeker_minor = seeker == MINOR_BAND
    supporter_minor = supporter == MINOR_BAND
    if seeker_minor:
        return rules.minors and minors_cleared
    if supporter_minor:
        return False
    if rules.max_age_gap is None:
        return True
    return abs(BAND_INDEX[seeker] - BAND_INDEX[supporter]) <= rules.max_age_gap


def violation(request: Seeking, supporter: Offering, rules: Rules) -> str | None:
    """The first hard rule the pair breaks, or None when the supporter may be proposed."""
    if request.seeker_id == supporter.member_id:
        return SELF
    if request.language not in supporter.languages:
        return LANGUAGE
    if not request.topics & usable_topics(supporter):
        return TOPICS
    if not age_allowed(request.age_band, supporter.age_band, supporter.minors_cleared, rules):
        return AGE
    if supporter.member_id in request.excluded:
        return EXCLUDED
    if supporter.load >= supporter.capacity:
        return CAPACITY
    return None
