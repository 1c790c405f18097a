"""The supporter roster: each supporter's standing (granted or withdrawn, paused, suspended) with
who changed it and why, and their load (active matches, pending proposals, the last matches).

Match steps reach the supporter's partition through `casework.input`, one per step; steps of one
match may arrive out of order across topics, so a step never replaces a later one.
Each function returns the supporter changed, or None when the event was applied already.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

RECENT_MATCHES = 10
# Matches over that a supporter's entry remembers by id: a late step of one never revives it.
_OVER_KEPT = 500
_ORDER = {"proposed": 0, "accepted": 1, "declined": 1, "expired": 1, "ended": 2}
_LIVE = {"proposed", "accepted"}


@dataclass(frozen=True)
class MatchLine:
    match_id: str
    seeker_id: str
    step: str
    at: datetime


@dataclass(frozen=True)
class Standing:
    what: str
    staff_id: str
    at: datetime
    note: str = ""
    ref: str = ""  # the event or action that made the step


@dataclass(frozen=True)
class Supporter:
    member_id: str
    granted: bool = False
    minors_cleared: bool = False
    paused: bool = False
    suspended_supporting: bool = False
    suspended_matching: bool = False
    matches: tuple[MatchLine, ...] = ()  # the live ones and the last RECENT_MATCHES, newest last
    standing: tuple[Standing, ...] = ()
    over: tuple[str, ...] = ()  # the ids of the matches over, lately

    @property
    def active_matches(self) -> int:
        return sum(m.step == "accepted" for m in self.matches)

    @property
    def pending_proposals(self) -> int:
        return sum(m.step == "proposed" for m in self.matches)

    @property
    def recent(self) -> tuple[MatchLine, ...]:
        return self.matches[-RECENT_MATCHES:]

    @property
    def seeker_ids(self) -> list[str]:
        return sorted({m.seeker_id for m in self.matches})


def _stood(supporter: Supporter, step: Standing) -> bool:
    return any(s.ref == step.ref for s in supporter.standing)


def role_set(
    supporter: Supporter, granted: bool, minors_cleared: bool, step: Standing
) -> Supporter | None:
    if _stood(supporter, step):
        return None
    return replace(
        supporter,
        granted=granted,
        minors_cleared=minors_cleared and granted,
        standing=(*supporter.standing, step),
    )


def pause_set(supporter: Supporter, paused: bool, step: Standing) -> Supporter | None:
    if _stood(supporter, step):
        return None
    return replace(supporter, paused=paused, standing=(*supporter.standing, step))


def moderated(
    supporter: Supporter, matching: bool, supporting: bool, step: Standing | None
) -> Supporter | None:
    """The member's standing after a moderation (`step`: the one to show, if any)."""
    if step is not None and _stood(supporter, step):
        return None
    standing = supporter.standing if step is None else (*supporter.standing, step)
    after = replace(
        supporter, suspended_matching=matching, suspended_supporting=supporting, standing=standing
    )
    return None if after == supporter else after


def match_step(supporter: Supporter, line: MatchLine) -> Supporter | None:
    """A match's step: it replaces an earlier step of the match, never a later one."""
    current = next((m for m in supporter.matches if m.match_id == line.match_id), None)
    if current is not None and _ORDER[current.step] >= _ORDER[line.step]:
        return None
    if current is None and line.match_id in supporter.over:
        return None
    others = [m for m in supporter.matches if m.match_id != line.match_id]
    lines = sorted([*others, line], key=lambda m: m.at)
    # Keep every live match and the newest ones that are over.
    over = [m for m in lines if m.step not in _LIVE][-RECENT_MATCHES:]
    kept = [m for m in lines if m.step in _LIVE or m in over]
    ended = supporter.over
    if line.step not in _LIVE and line.match_id not in ended:
        ended = (*ended, line.match_id)[-_OVER_KEPT:]
    return replace(supporter, matches=tuple(kept), over=ended)
