"""Who may support whom, and in which order to ask them.

Hard rules: not oneself, speaks the request's language, shares at least one topic the
supporter has not opted out of, has free capacity. Order: most shared topics first, then the
least loaded (relative to capacity), then the id, so the result is deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass

from kindred.events.vocabulary import Topic


@dataclass(frozen=True)
class OpenRequest:
    request_id: str
    seeker_id: str
    topics: frozenset[Topic]
    language: str


@dataclass(frozen=True)
class Candidate:
    member_id: str
    topics: frozenset[Topic]
    opted_out_topics: frozenset[Topic]
    languages: frozenset[str]
    capacity: int
    load: int

    def shared_topics(self, request: OpenRequest) -> frozenset[Topic]:
        return (self.topics - self.opted_out_topics) & request.topics


def suits(request: OpenRequest, candidate: Candidate) -> bool:
    """The rules about who, leaving capacity aside."""
    return (
        candidate.member_id != request.seeker_id
        and request.language in candidate.languages
        and bool(candidate.shared_topics(request))
    )


def eligible(request: OpenRequest, candidate: Candidate) -> bool:
    return suits(request, candidate) and candidate.load < candidate.capacity


def rank_key(request: OpenRequest, c: Candidate) -> tuple[int, float, str]:
    return (-len(c.shared_topics(request)), c.load / c.capacity, c.member_id)


def rank(request: OpenRequest, candidates: list[Candidate]) -> list[Candidate]:
    fitting = [c for c in candidates if eligible(request, c)]
    return sorted(fitting, key=lambda c: rank_key(request, c))
