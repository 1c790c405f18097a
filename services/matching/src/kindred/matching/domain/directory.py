"""The replica's view of every supporter, to choose whom to ask.

Supporters live in other partitions, owned by other replicas: this view is a copy, refreshed
from MongoDB every few seconds and nudged by this replica's own asks and answers. A stale view
costs a declined ask and the next candidate, never a wrong match: the supporter's own partition
decides (see `supporters`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from kindred.matching.domain.matching import Candidate, OpenRequest, eligible, rank_key


@dataclass
class Directory:
    # Candidates considered per request: the best of a window, the window moving each time so
    # that asks spread over everyone who fits.
    window: int = 200
    supporters: dict[str, Candidate] = field(default_factory=dict)
    by_language: dict[str, list[str]] = field(default_factory=dict)
    _listed: set[tuple[str, str]] = field(default_factory=set)  # (language, member id)
    _start: dict[str, int] = field(default_factory=dict)

    def refresh(self, supporters: Iterable[Candidate]) -> None:
        self.supporters = {c.member_id: c for c in supporters}
        # Only those with room are worth going through; a full one comes back at a refresh.
        self.by_language, self._listed = {}, set()
        for member_id in sorted(self.supporters):
            self._list(self.supporters[member_id])

    def _list(self, candidate: Candidate) -> None:
        if candidate.load >= candidate.capacity:
            return
        for language in candidate.languages:
            if (language, candidate.member_id) not in self._listed:
                self._listed.add((language, candidate.member_id))
                self.by_language.setdefault(language, []).append(candidate.member_id)

    def learn(self, candidate: Candidate) -> None:
        """A supporter this replica saw itself (its profile, in a partition it owns)."""
        self.supporters[candidate.member_id] = candidate
        self._list(candidate)

    def forget(self, member_id: str) -> None:
        self.supporters.pop(member_id, None)

    def best(self, request: OpenRequest, exclude: set[str]) -> Candidate | None:
        members = self.by_language.get(request.language, [])
        if not members:
            return None
        start = self._start.get(request.language, 0) % len(members)
        best: Candidate | None = None
        seen = looked = 0
        for looked in range(1, len(members) + 1):
            c = self.supporters.get(members[(start + looked - 1) % len(members)])
            if c is None or c.member_id in exclude or not eligible(request, c):
                continue
            seen += 1
            if best is None or rank_key(request, c) < rank_key(request, best):
                best = c
            if seen >= self.window:
                break
        self._start[request.language] = start + looked
        return best

    def asked(self, member_id: str) -> None:
        """This replica asked them for a slot: count it until the next refresh says better."""
        c = self.supporters.get(member_id)
        if c is not None:
            self.supporters[member_id] = replace(c, load=c.load + 1)

    def full(self, member_id: str) -> None:
        """They declined for lack of room."""
        c = self.supporters.get(member_id)
        if c is not None:
            self.supporters[member_id] = replace(c, load=max(c.load, c.capacity))
