"""A supporter's side: the supporters of one partition, their capacity and who holds a slot.

Only the replica owning a supporter's partition decides whether a request may take one of
their slots, so the capacity check and the hold are one writer's decision, never a race.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from kindred.events.envelope import deterministic_id
from kindred.events.matching import (
    MatchProposed,
    MatchProposedData,
    SlotAnswered,
    SlotAnsweredData,
    SlotRequested,
)
from kindred.matching.domain.matching import Candidate, OpenRequest, suits

Decision = Literal["granted", "held-already", "full", "not-eligible", "unknown-supporter"]


@dataclass
class Supporter:
    # None once they stopped being a supporter; the slots they hold stay held.
    profile: Candidate | None  # its `load` is not used here: `holds` is the truth
    holds: set[str] = field(default_factory=set)


@dataclass
class Supporters:
    """The supporters of one partition, by member id."""

    members: dict[str, Supporter] = field(default_factory=dict)

    def update_profile(self, member_id: str, profile: Candidate | None) -> None:
        """A member's profile changed; None: they are not (or no longer) a supporter."""
        current = self.members.get(member_id)
        if current is not None:
            current.profile = profile
        elif profile is not None:
            self.members[member_id] = Supporter(profile)

    def decide(self, slot: SlotRequested) -> Decision:
        data = slot.data
        supporter = self.members.get(data.supporter_id)
        if supporter is None:
            return "unknown-supporter"
        if data.request_id in supporter.holds:
            return "held-already"  # a replayed question gets the same answer
        request = OpenRequest(
            data.request_id, data.seeker_id, frozenset(data.topics), data.language
        )
        if supporter.profile is None or not suits(request, supporter.profile):
            return "not-eligible"
        if len(supporter.holds) >= supporter.profile.capacity:
            return "full"
        supporter.holds.add(data.request_id)
        return "granted"


def match_id_for(request_id: str) -> str:
    return deterministic_id("match", request_id)


def match_proposed(slot: SlotRequested, supporter: Candidate | None, source: str) -> MatchProposed:
    data = slot.data
    match_id = match_id_for(data.request_id)
    request = OpenRequest(data.request_id, data.seeker_id, frozenset(data.topics), data.language)
    shared = supporter.shared_topics(request) if supporter is not None else request.topics
    return MatchProposed.new(
        id=deterministic_id("match.proposed", match_id),
        subject=match_id,
        source=source,
        caused_by=slot,
        data=MatchProposedData(
            match_id=match_id,
            request_id=data.request_id,
            seeker_id=data.seeker_id,
            supporter_id=data.supporter_id,
            shared_topics=sorted(shared),
            language=data.language,
        ),
    )


def slot_answered(slot: SlotRequested, decision: Decision, source: str) -> SlotAnswered:
    data = slot.data
    granted = decision in ("granted", "held-already")
    return SlotAnswered.new(
        id=deterministic_id("slot.answered", data.request_id, str(data.attempt)),
        subject=data.seeker_id,
        source=source,
        caused_by=slot,
        data=SlotAnsweredData(
            request_id=data.request_id,
            seeker_id=data.seeker_id,
            supporter_id=data.supporter_id,
            attempt=data.attempt,
            granted=granted,
            reason=None if granted else decision,
        ),
    )
