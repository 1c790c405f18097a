"""The methods the matching engine is compared with: in arrival order, each request takes
the first eligible supporter with room, or its best-scored one (greedy)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from kindred.devtools.bench.engine.populations import Population
from kindred.matching.domain import scoring
from kindred.matching.domain.assignment import Candidates, scored_pairs
from kindred.matching.domain.model import EngineConfig, Outcome, Proposal


def _proposals(pop: Population, pairs: Sequence[tuple[int, int]], config: EngineConfig) -> Outcome:
    proposals = []
    for r, s in pairs:
        request, supporter = pop.requests[r], pop.supporters[s]
        value, parts = scoring.score(request, supporter, config.weights)
        proposals.append(Proposal(request.request_id, supporter.member_id, value, parts))
    return Outcome(proposals=proposals, unmatched={})


def eligible(pop: Population, config: EngineConfig) -> Candidates:
    """Every eligible pair with its score, positions as in `pop` (sorted by request, then
    supporter); computed once per population and rules."""
    if pop.eligible is None or pop.eligible[0] != config:
        requests, supporters, pairs = scored_pairs(pop.requests, pop.supporters, config)
        req = np.array([pop.request_at[r.request_id] for r in requests], dtype=np.int64)
        sup = np.array([pop.supporter_at[s.member_id] for s in supporters], dtype=np.int64)
        r, s = req[pairs.request], sup[pairs.supporter]
        order = np.argsort(r * len(pop.supporters) + s, kind="stable")
        sorted_pairs = Candidates(
            r[order].astype(np.int32), s[order].astype(np.int32), pairs.score[order]
        )
        pop.eligible = (config, sorted_pairs)
    return pop.eligible[1]


def _arrival_order(pop: Population, config: EngineConfig, best_first: bool) -> Outcome:
    """Each request in arrival order takes one eligible supporter with room: the first in
    supporter order, or the best-scored (`best_first`, ties to the first)."""
    pairs = eligible(pop, config)
    starts = np.searchsorted(pairs.request, np.arange(len(pop.requests) + 1))
    room = np.array([s.capacity - s.load for s in pop.supporters])
    chosen: list[tuple[int, int]] = []
    for r in range(len(pop.requests)):
        options = pairs.supporter[starts[r] : starts[r + 1]]
        free = np.flatnonzero(room[options] > 0)
        if len(free) == 0:
            continue
        if best_first:
            free = free[np.argmax(pairs.score[starts[r] : starts[r + 1]][free]) :]
        s = int(options[free[0]])
        room[s] -= 1
        chosen.append((r, s))
    return _proposals(pop, chosen, config)


def first_available(pop: Population, config: EngineConfig) -> Outcome:
    return _arrival_order(pop, config, best_first=False)


def greedy_best(pop: Population, config: EngineConfig) -> Outcome:
    return _arrival_order(pop, config, best_first=True)
