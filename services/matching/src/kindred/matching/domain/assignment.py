"""The global, capacity-aware assignment of open requests to supporters with room.

`assign` works in two steps.

Candidates. Requests are grouped by language and each group is scored against the supporters
who speak it, a block of requests at a time, with numpy. The rules of `constraints.violation`
are applied to whole blocks: topics as bit masks, the age rule as a penalty table built from
`constraints.age_allowed`, then each request's exclusions and its seeker's own supporter entry.
The pair's fit (the topics, text and availability parts of `scoring.score`) is one matrix
product plus a lookup in a table of the block's distinct week masks. Each request keeps the
`candidates_per_request` supporters that fit it best (ties spread: each request takes tied
supporters from its own place in the list on), found without sorting whole rows: the k-th best
of a sample of columns bounds the row's k-th best from below. Blocks are scored on a few
threads at once (numpy lets go of the GIL in these operations).

The supporter's own parts of the score (load, fairness) are added after that choice, not
before: they shift every request's ranking the same way, so ranking by them would send every
request's few candidates to the same least-busy supporters and leave the others out of the
flow. Who gets those supporters is what the flow decides.

Flow. A min-cost flow (OR-Tools) picks the proposals: source -> request (capacity 1) ->
candidate supporter (cost: minus the request's priority and the pair's score) -> sink, through
one unit arc per free slot of the supporter, each slot costing what the load part of the score
loses by it, so work spreads when scores are close. The flow is a maximum flow of least cost:

1. as many requests as possible are matched;
2. then urgent requests: an urgent request weighs ten score points more than the others, so
   it wins a contested slot over normal ones (and an urgent request still left out afterwards
   takes a free eligible slot, or a normal request's, before the rounds below);
3. then normal before low, and the longer a request has waited the more it weighs, by at most
   a tenth of a score point: between close scores the oldest request goes first;
4. then the total score.

A request whose candidates all went to others may still fit a supporter outside its best few:
the flow runs again for the requests left over against the supporters left with room, until a
round adds nothing. Whatever is still unmatched gets a reason: no supporter with room speaks
the language, some do but none passes the pair rules, or eligible ones existed but their slots
went to others.

The result depends on the input alone (requests and supporters are sorted by id first), never
breaks a rule of `constraints.violation` and never gives a supporter more than their room.
Proposals carry the reference `scoring.score` of the pair and its parts. `optimum` solves the
same objective on every eligible pair instead of the best few, for benchmarks and tests.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow  # type: ignore[import-untyped]
from threadpoolctl import ThreadpoolController  # type: ignore[import-untyped]

from kindred.events.vocabulary import Urgency
from kindred.matching.domain import constraints, scoring
from kindred.matching.domain.model import (
    NO_CAPACITY,
    NO_ELIGIBLE,
    NO_LANGUAGE,
    EngineConfig,
    Offering,
    Outcome,
    Proposal,
    Rules,
    Seeking,
    Weights,
)

Ints = npt.NDArray[np.int64]
Indices = npt.NDArray[np.int32]
Floats = npt.NDArray[np.float32]
Mask = npt.NDArray[np.bool_]

# A score of 1.0 in the flow's integer costs.
SCORE_UNITS = 1000
# Priority of waiting, in score units: waited / (waited + an hour), times this.
WAIT_WEIGHT = 0.1
WAIT_SCALE_SECONDS = 3600.0
# What an urgent request weighs over the others, in score points: more than any request's
# score and soft priority many times over. (`_urgent_first` then makes sure that no urgent
# request is left out while a normal one holds a slot it could take.)
URGENT_BONUS = 10.0
# A normal request goes before a low one when their scores are this close.
NORMAL_OVER_LOW = 0.05
# Pairs scored per block (a block of requests by the supporters of their language).
BLOCK_PAIRS = 1 << 19
# Threads scoring blocks at once.
WORKERS = max(1, min(4, os.cpu_count() or 1))
# Rounds of the flow for requests whose candidates all went to others.
MAX_ROUNDS = 8

_N_TOPICS = len(constraints.TOPICS_ORDER)
_N_BANDS = len(constraints.BANDS)


@dataclass(frozen=True)
class Candidates:
    """Scored eligible pairs, as parallel arrays of request and supporter positions."""

    request: Indices
    supporter: Indices
    score: Floats

    def __len__(self) -> int:
        return len(self.request)


# Scores are in [0, 1]; an ineligible pair is pushed below this.
_INELIGIBLE = np.float32(-0.5)
_PENALTY = np.float32(4.0)


def _age_penalty(rules: Rules) -> Floats:
    """-4 where the age rule forbids [seeker band, supporter band * 2 + cleared], else 0:
    built from the scalar rule, and applied through the score's matrix product."""
    table = np.zeros((_N_BANDS, _N_BANDS * 2), dtype=np.float32)
    for i, seeker in enumerate(constraints.BANDS):
        for j, supporter in enumerate(constraints.BANDS):
            for cleared in (False, True):
                if not constraints.age_allowed(seeker, supporter, cleared, rules):
                    table[i, 2 * j + cleared] = -_PENALTY
    return table


def _topic_rows(bits: Sequence[int]) -> Floats:
    as_array = np.asarray(bits, dtype=np.int64).reshape(-1)
    return ((as_array[:, None] >> np.arange(_N_TOPICS)) & 1).astype(np.float32)


def _distinct(masks: Sequence[int]) -> tuple[Indices, list[int]]:
    """Each mask's position among the distinct masks, and those masks."""
    seen: dict[int, int] = {}
    index = np.fromiter((seen.setdefault(m, len(seen)) for m in masks), np.int32, len(masks))
    return index, list(seen)


def _text_dim(texts: Sequence[npt.NDArray[np.float32]]) -> int:
    return max((len(t) for t in texts), default=0)


def _stack(texts: Sequence[npt.NDArray[np.float32]], dim: int) -> Floats:
    out = np.zeros((len(texts), dim), dtype=np.float32)
    for i, text in enumerate(texts):
        n = min(dim, len(text))
        out[i, :n] = text[:n]
    return out


# A pair's fit is the product of a request row and a supporter row (weights divided by their
# total), which also carries the age rule as a penalty,
#   [text * w_text / 2 | topics * w_topics / |topics| | seeker band one-hot | 1]
#   . [text | usable topics | age penalty for each seeker band | w_text / 2],
# plus the availability part, looked up in a table of the distinct week masks. The score is
# the fit plus the supporter's own weighted load and fairness parts (`_Supply.own`).


@dataclass
class _Supply:
    offerings: list[Offering]
    index: dict[str, int]
    room: Ints
    capacity: Ints
    topics: npt.NDArray[np.uint16]
    features: Floats
    own: Floats  # the weighted load and fairness parts
    avail: Indices
    avail_bits: Floats
    by_language: dict[str, Indices]

    @classmethod
    def of(cls, supporters: Sequence[Offering], config: EngineConfig) -> _Supply:
        offerings = sorted(
            (s for s in supporters if s.load < s.capacity), key=lambda s: s.member_id
        )
        weights = config.weights
        total = scoring.total_weight(weights) or 1.0
        usable = [constraints.topic_bits(constraints.usable_topics(s)) for s in offerings]
        dim = _text_dim([s.text for s in offerings])
        age_class = [2 * constraints.BAND_INDEX[s.age_band] + s.minors_cleared for s in offerings]
        features = np.concatenate(
            [
                _stack([s.text for s in offerings], dim),
                _topic_rows(usable),
                _age_penalty(config.rules)[:, age_class].T,
                np.full((len(offerings), 1), weights.text / total * scoring.NEUTRAL),
            ],
            axis=1,
            dtype=np.float32,
        )
        avail, masks = _distinct([s.availability for s in offerings])
        languages: dict[str, list[int]] = {}
        for i, s in enumerate(offerings):
            for language in s.languages:
                languages.setdefault(language, []).append(i)
        return cls(
            offerings=offerings,
            index={s.member_id: i for i, s in enumerate(offerings)},
            room=np.array([s.capacity - s.load for s in offerings], dtype=np.int64),
            capacity=np.array([s.capacity for s in offerings], dtype=np.int64),
            topics=np.array(usable, dtype=np.uint16),
            features=features,
            own=scoring.supporter_part(offerings, weights),
            avail=avail,
            avail_bits=scoring.known_hours_bits(masks),
            by_language={k: np.array(v, dtype=np.int32) for k, v in languages.items()},
        )

    @property
    def text_dim(self) -> int:
        return int(self.features.shape[1]) - _N_TOPICS - _N_BANDS - 1


@dataclass
class _Demand:
    seekings: list[Seeking]
    topics: npt.NDArray[np.uint16]
    features: Floats
    avail: Indices
    avail_bits: Floats
    priority: Ints
    urgent: Mask

    @classmethod
    def of(cls, requests: Sequence[Seeking], weights: Weights, text_dim: int) -> _Demand:
        seekings = sorted(requests, key=lambda r: r.request_id)
        total = scoring.total_weight(weights) or 1.0
        bits = [constraints.topic_bits(r.topics) for r in seekings]
        counts = np.array([max(len(r.topics), 1) for r in seekings], dtype=np.float32)
        band = np.array([constraints.BAND_INDEX[r.age_band] for r in seekings], dtype=np.int64)
        features = np.concatenate(
            [
                _stack([r.text for r in seekings], text_dim) * np.float32(weights.text / total / 2),
                _topic_rows(bits) * (np.float32(weights.topics / total) / counts)[:, None],
                np.eye(_N_BANDS, dtype=np.float32)[band],
                np.ones((len(seekings), 1), dtype=np.float32),
            ],
            axis=1,
            dtype=np.float32,
        )
        avail, masks = _distinct([r.availability for r in seekings])
        return cls(
            seekings=seekings,
            topics=np.array(bits, dtype=np.uint16),
            features=features,
            avail=avail,
            avail_bits=scoring.known_hours_bits(masks),
            priority=_priorities(seekings),
            urgent=np.array([r.urgency == Urgency.HIGH for r in seekings], dtype=bool),
        )


def _soft_priorities(seekings: Sequence[Seeking]) -> Ints:
    """Normal over low, and waiting, in flow units (at most 0.15 score points)."""
    normal = round(NORMAL_OVER_LOW * SCORE_UNITS)
    wait = np.array([max(r.waited_seconds, 0.0) for r in seekings], dtype=np.float64)
    waiting = np.rint(WAIT_WEIGHT * SCORE_UNITS * wait / (wait + WAIT_SCALE_SECONDS))
    tier = np.array([normal if r.urgency == Urgency.NORMAL else 0 for r in seekings])
    return waiting.astype(np.int64) + tier.astype(np.int64)


def _priorities(seekings: Sequence[Seeking]) -> Ints:
    """Each request's priority in flow units: urgency, then the soft priority."""
    high = np.array([r.urgency == Urgency.HIGH for r in seekings], dtype=np.int64)
    return _soft_priorities(seekings) + round(URGENT_BONUS * SCORE_UNITS) * high


# --- Candidates ---------------------------------------------------------------------------


def _exclusions(demand: _Demand, supply: _Supply, rows: Indices) -> tuple[Indices, Indices]:
    """(position in rows, supporter) for each supporter the rows' requests must not get:
    their exclusions and the seeker's own supporter entry."""
    at: list[int] = []
    who: list[int] = []
    for i, r in enumerate(rows.tolist()):
        request = demand.seekings[r]
        for member in (request.seeker_id, *request.excluded):
            s = supply.index.get(member)
            if s is not None:
                at.append(i)
                who.append(s)
    return np.array(at, dtype=np.int32), np.array(who, dtype=np.int32)


class _Group:
    """One language: its requests, the supporters who speak it, and what scoring a block of
    those requests against them needs."""

    def __init__(
        self, demand: _Demand, supply: _Supply, rows: Indices, cols: Indices, weight: float
    ) -> None:
        self.demand, self.rows, self.cols = demand, rows, cols
        self.step = max(1, min(len(rows), BLOCK_PAIRS // len(cols)))
        self.col_features = np.ascontiguousarray(supply.features[cols].T)
        self.col_topics = supply.topics[cols]
        distinct, index = np.unique(supply.avail[cols], return_inverse=True)
        self.col_avail = index.astype(np.intp)
        self.col_bits = supply.avail_bits[distinct]
        self.avail_weight = np.float32(weight)
        local = np.full(len(supply.offerings), -1, dtype=np.int32)
        local[cols] = np.arange(len(cols), dtype=np.int32)
        at, who = _exclusions(demand, supply, rows)
        col = local[who]
        self.ex_at, self.ex_col = at[col >= 0], col[col >= 0]

    def starts(self) -> range:
        return range(0, len(self.rows), self.step)

    def block(self, start: int, scratch: _Scratch) -> Floats:
        """The scores of rows[start : start + step] against every column; ineligible < -0.5."""
        rows = self.rows[start : start + self.step]
        shape = (len(rows), len(self.cols))
        scores = scratch.get("scores", np.float32, shape)
        extra = scratch.get("extra", np.float32, shape)
        shared = scratch.get("shared", np.uint16, shape)
        none = scratch.get("none", np.bool_, shape)
        demand = self.demand
        np.matmul(demand.features[rows], self.col_features, out=scores)
        distinct, index = np.unique(demand.avail[rows], return_inverse=True)
        table = scoring.availability_block(demand.avail_bits[distinct], self.col_bits)
        table *= self.avail_weight
        np.take(table[index], self.col_avail, axis=1, out=extra)
        scores += extra
        np.bitwise_and(demand.topics[rows][:, None], self.col_topics[None, :], out=shared)
        np.equal(shared, 0, out=none)
        np.multiply(none, _PENALTY, out=extra)
        scores -= extra
        lo, hi = np.searchsorted(self.ex_at, [start, start + len(rows)])
        scores[self.ex_at[lo:hi] - start, self.ex_col[lo:hi]] = -_PENALTY
        return scores


class _Scratch(threading.local):
    """A worker thread's buffers, reused from block to block (and grown when needed)."""

    def __init__(self) -> None:
        self.buffers: dict[str, npt.NDArray[Any]] = {}

    def get(self, name: str, dtype: type[np.generic], shape: tuple[int, int]) -> npt.NDArray[Any]:
        size = shape[0] * shape[1]
        buffer = self.buffers.get(name)
        if buffer is None or buffer.size < size:
            buffer = self.buffers[name] = np.empty(size, dtype=dtype)
        return buffer[:size].reshape(shape)


def _best(scores: Floats, k: int | None) -> tuple[Indices, Indices, Floats]:
    """The k best eligible pairs of each row (all eligible ones when k is None); a row takes
    columns tied at its k-th best from its own place on (see below). The k-th best of a
    sample of the columns (every 8th, in wide blocks) bounds the row's k-th best from below,
    so only the few pairs above that bound are ranked exactly."""
    n_rows, n_cols = scores.shape
    floor = np.full(n_rows, _INELIGIBLE, dtype=np.float32)
    if k is not None and n_cols > k:
        stride = max(1, min(8, n_cols // (4 * k)))
        sample = scores[:, ::stride]
        bound = np.partition(sample, sample.shape[1] - k, axis=1)[:, sample.shape[1] - k]
        np.maximum(floor, bound, out=floor)
    flat = np.flatnonzero(scores >= floor[:, None])
    values = scores.reshape(-1)[flat]
    i, j = np.divmod(flat, n_cols)
    if k is not None:
        i, j, values = _top_k(i, j, values, n_rows, n_cols, k)
    return i.astype(np.int32), j.astype(np.int32), values


def _top_k(
    i: npt.NDArray[np.intp],
    j: npt.NDArray[np.intp],
    values: Floats,
    n_rows: int,
    n_cols: int,
    k: int,
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], Floats]:
    """Of pairs sorted by row, each row's k best (ties: see below)."""
    counts = np.bincount(i, minlength=n_rows)
    if len(counts) == 0 or counts.max() <= k:
        return i, j, values
    starts = np.cumsum(counts) - counts
    padded = np.full((n_rows, int(counts.max())), -np.inf, dtype=np.float32)
    padded[i, np.arange(len(i)) - starts[i]] = values
    kth = np.partition(padded, padded.shape[1] - k, axis=1)[:, padded.shape[1] - k]
    keep = values >= kth[i]
    i, j, values = i[keep], j[keep], values[keep]
    counts = np.bincount(i, minlength=n_rows)
    if counts.max() <= k:
        return i, j, values
    # Ties at the k-th best (e.g. a request without text or hours, against supporters who
    # share its topics): each row takes the tied columns from its own place on, row r from
    # column r (mod the columns) onwards, so requests that tie over many supporters spread
    # over them instead of all naming the same lowest ids (which would leave the others out
    # of the flow, however many rounds it runs).
    tied = counts[i] > k
    ti, tj, tv = i[tied], j[tied], values[tied]
    order = np.lexsort(((tj - ti) % max(1, n_cols), -tv, ti))
    ti, tj, tv = ti[order], tj[order], tv[order]
    first = np.arange(len(ti)) - np.searchsorted(ti, ti, side="left") < k
    return (
        np.concatenate([i[~tied], ti[first]]),
        np.concatenate([j[~tied], tj[first]]),
        np.concatenate([values[~tied], tv[first]]),
    )


def _candidates(
    demand: _Demand,
    supply: _Supply,
    rows: Indices,
    active: Mask,
    k: int | None,
    weights: Weights,
) -> Candidates:
    """The k best eligible supporters (among `active`) of each request in `rows`."""
    weight = weights.availability / (scoring.total_weight(weights) or 1.0)
    by_language: dict[str, list[int]] = {}
    for r in rows.tolist():
        by_language.setdefault(demand.seekings[r].language, []).append(r)
    blocks: list[tuple[_Group, int]] = []
    for language in sorted(by_language):
        speakers = supply.by_language.get(language)
        if speakers is None:
            continue
        cols = speakers[active[speakers]]
        if len(cols) == 0:
            continue
        group = _Group(demand, supply, np.array(by_language[language], np.int32), cols, weight)
        blocks.extend((group, start) for start in group.starts())
    scratch = _Scratch()

    def best(block: tuple[_Group, int]) -> tuple[Indices, Indices, Floats]:
        group, start = block
        i, j, values = _best(group.block(start, scratch), k)
        values += supply.own[group.cols[j]]
        return group.rows[start + i], group.cols[j], values

    parts = _in_parallel(best, blocks)
    if not parts:
        empty = np.zeros(0, dtype=np.int32)
        return Candidates(empty, empty, np.zeros(0, dtype=np.float32))
    return Candidates(
        request=np.concatenate([p[0] for p in parts]),
        supporter=np.concatenate([p[1] for p in parts]),
        score=np.concatenate([p[2] for p in parts]),
    )


_Item = TypeVar("_Item")
_Result = TypeVar("_Result")


def _in_parallel(work: Callable[[_Item], _Result], items: Sequence[_Item]) -> list[_Result]:
    """`work` on each item, in order, on `WORKERS` threads when there is enough to share. The
    numpy operations release the GIL; the matrix products then use one BLAS thread each, as
    BLAS's own threads would only compete with ours."""
    if WORKERS < 2 or len(items) < 2:
        return [work(item) for item in items]
    with _one_blas_thread(), ThreadPoolExecutor(WORKERS) as pool:
        return list(pool.map(work, items))


@cache
def _blas() -> ThreadpoolController:
    return ThreadpoolController()


def _one_blas_thread() -> AbstractContextManager[object]:
    limited: AbstractContextManager[object] = _blas().limit(limits=1, user_api="blas")
    return limited


# --- Flow ---------------------------------------------------------------------------------


def _flow(
    candidates: Candidates,
    priority: Ints,
    room: Ints,
    taken: Ints,
    capacity: Ints,
    load_weight: float,
) -> tuple[Indices, Indices]:
    """The (request, supporter) pairs of a maximum flow of least cost over the candidates."""
    if len(candidates) == 0:
        empty = np.zeros(0, dtype=np.int32)
        return empty, empty
    requests, request_node = np.unique(candidates.request, return_inverse=True)
    supporters, supporter_node = np.unique(candidates.supporter, return_inverse=True)
    n_req, n_sup = len(requests), len(supporters)
    source, sink = 0, 1
    first_request, first_supporter = 2, 2 + n_req

    # Slots: a supporter's free slots, but no more than they have candidate arcs.
    slots = np.minimum(room[supporters], np.bincount(supporter_node, minlength=n_sup))
    slot_owner = np.repeat(np.arange(n_sup), slots)
    slot_rank = np.arange(len(slot_owner)) - np.repeat(np.cumsum(slots) - slots, slots)
    used = taken[supporters][slot_owner] + slot_rank  # slots already taken in this batch
    slot_cost = np.rint(SCORE_UNITS * load_weight * used / capacity[supporters][slot_owner]).astype(
        np.int64
    )

    pair_cost = -(
        priority[candidates.request] + np.rint(candidates.score * SCORE_UNITS).astype(np.int64)
    )
    tails = np.concatenate(
        [
            np.full(n_req, source),
            first_request + request_node,
            first_supporter + slot_owner,
        ]
    ).astype(np.int32)
    heads = np.concatenate(
        [
            first_request + np.arange(n_req),
            first_supporter + supporter_node,
            np.full(len(slot_owner), sink),
        ]
    ).astype(np.int32)
    capacities = np.ones(len(tails), dtype=np.int64)
    costs = np.concatenate([np.zeros(n_req, dtype=np.int64), pair_cost, slot_cost])

    solver = min_cost_flow.SimpleMinCostFlow()
    solver.add_arcs_with_capacity_and_unit_cost(tails, heads, capacities, costs)
    supplies = np.zeros(2 + n_req + n_sup, dtype=np.int64)
    supplies[source], supplies[sink] = n_req, -n_req
    solver.set_nodes_supplies(np.arange(len(supplies), dtype=np.int32), supplies)
    status = solver.solve_max_flow_with_min_cost()
    if status != solver.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed: {status}")
    pair_arcs = np.arange(n_req, n_req + len(candidates), dtype=np.int32)
    chosen = np.asarray(solver.flows(pair_arcs)) > 0
    return candidates.request[chosen], candidates.supporter[chosen]


# --- The engine ---------------------------------------------------------------------------


def assign(
    requests: Sequence[Seeking],
    supporters: Sequence[Offering],
    config: EngineConfig,
    *,
    timings: dict[str, float] | None = None,
) -> Outcome:
    """Proposals for as many requests as the supporters' room allows (see the module doc)."""
    return _solve(requests, supporters, config, config.candidates_per_request, timings)


def optimum(
    requests: Sequence[Seeking],
    supporters: Sequence[Offering],
    config: EngineConfig,
    *,
    timings: dict[str, float] | None = None,
) -> Outcome:
    """`assign`'s objective solved exactly, on every eligible pair rather than the best few:
    slow and memory-hungry on large inputs, for benchmarks and tests."""
    return _solve(requests, supporters, config, None, timings)


def scored_pairs(
    requests: Sequence[Seeking],
    supporters: Sequence[Offering],
    config: EngineConfig,
    k: int | None = None,
) -> tuple[list[Seeking], list[Offering], Candidates]:
    """Every eligible pair (each request's k best when k is given) with its score, as the
    engine computes them; positions refer to the returned requests and supporters (by id,
    supporters with room only)."""
    supply = _Supply.of(supporters, config)
    demand = _Demand.of(requests, config.weights, supply.text_dim)
    every = np.arange(len(demand.seekings), dtype=np.int32)
    active = np.ones(len(supply.offerings), dtype=bool)
    pairs = _candidates(demand, supply, every, active, k, config.weights)
    return demand.seekings, supply.offerings, pairs


def objective(
    outcome: Outcome,
    requests: Sequence[Seeking],
    supporters: Sequence[Offering],
    config: EngineConfig,
) -> tuple[int, int, float]:
    """What the flow maximises, in order: requests matched, urgent requests matched, and the
    value of the proposals in score points (scores, plus soft priorities, less slot costs)."""
    by_id = {r.request_id: r for r in requests}
    capacity = {s.member_id: s.capacity for s in supporters}
    chosen = [by_id[p.request_id] for p in outcome.proposals]
    soft = _soft_priorities(chosen).sum() / SCORE_UNITS if chosen else 0.0
    load_weight = config.weights.load / (scoring.total_weight(config.weights) or 1.0)
    new: dict[str, int] = {}
    for p in outcome.proposals:
        new[p.supporter_id] = new.get(p.supporter_id, 0) + 1
    slots = sum(load_weight * n * (n - 1) / 2 / capacity[s] for s, n in new.items())
    value = sum(p.score for p in outcome.proposals) + float(soft) - slots
    urgent = sum(r.urgency == Urgency.HIGH for r in chosen)
    return len(chosen), urgent, value


def _solve(
    requests: Sequence[Seeking],
    supporters: Sequence[Offering],
    config: EngineConfig,
    k: int | None,
    timings: dict[str, float] | None,
) -> Outcome:
    clock = _Clock(timings)
    if not requests:
        return Outcome(proposals=[], unmatched={})
    if not supporters:  # nobody has room: nothing to score
        return Outcome(proposals=[], unmatched=dict.fromkeys(_ids(requests), NO_LANGUAGE))
    weights = config.weights
    supply = _Supply.of(supporters, config)
    demand = _Demand.of(requests, weights, supply.text_dim)
    load_weight = weights.load / (scoring.total_weight(weights) or 1.0)
    every = np.arange(len(demand.seekings), dtype=np.int32)
    clock.lap("prepare")

    candidates = _candidates(
        demand, supply, every, np.ones(len(supply.offerings), dtype=bool), k, weights
    )
    clock.lap("candidates")
    taken = np.zeros(len(supply.offerings), dtype=np.int64)
    matched = np.full(len(demand.seekings), -1, dtype=np.int32)
    req, sup = _flow(candidates, demand.priority, supply.room, taken, supply.capacity, load_weight)
    matched[req] = sup
    np.add.at(taken, sup, 1)
    clock.lap("flow")

    had_candidates = np.zeros(len(demand.seekings), dtype=bool)
    had_candidates[candidates.request] = True
    if k is not None:
        _urgent_first(demand, supply, matched, taken, had_candidates, weights)
        clock.lap("flow")
    for _ in range(MAX_ROUNDS if k is not None else 0):
        room = supply.room - taken
        waiting = every[(matched < 0) & had_candidates]
        if len(waiting) == 0 or not room.any():
            break
        more = _candidates(demand, supply, waiting, room > 0, k, weights)
        clock.lap("candidates")
        req, sup = _flow(more, demand.priority, room, taken, supply.capacity, load_weight)
        matched[req] = sup
        np.add.at(taken, sup, 1)
        clock.lap("flow")
        if len(req) == 0:
            break

    outcome = _outcome(demand, supply, matched, had_candidates, weights)
    clock.lap("proposals")
    return outcome


def _ids(requests: Sequence[Seeking]) -> list[str]:
    return [r.request_id for r in requests]


def _urgent_first(
    demand: _Demand,
    supply: _Supply,
    matched: Indices,
    taken: Ints,
    had_candidates: Mask,
    weights: Weights,
) -> None:
    """An urgent request left out because its few candidates went to other urgent requests
    takes any eligible supporter with room, or else the slot of a normal or low request (the
    one of least priority) at the eligible supporter it fits best; the request it displaces
    goes back to the rounds. So an urgent request is left unmatched only when every eligible
    supporter's free slots went to urgent requests."""
    left = np.flatnonzero((matched < 0) & demand.urgent & had_candidates).astype(np.int32)
    if len(left) == 0:
        return
    every = np.ones(len(supply.offerings), dtype=bool)
    options = _candidates(demand, supply, left, every, None, weights)
    order = np.lexsort((options.supporter, -options.score, options.request))
    by_request: dict[int, list[int]] = {}
    for r, s in zip(
        options.request[order].tolist(), options.supporter[order].tolist(), strict=True
    ):
        by_request.setdefault(r, []).append(s)
    holders: dict[int, list[int]] = {}
    for r in np.flatnonzero(matched >= 0).tolist():
        holders.setdefault(int(matched[r]), []).append(r)
    # The most urgent first: by priority, then id (rows are in id order).
    for u in sorted(left.tolist(), key=lambda r: -int(demand.priority[r])):
        choices = by_request.get(u, [])
        free = next((s for s in choices if taken[s] < supply.room[s]), None)
        if free is not None:
            matched[u] = free
            taken[free] += 1
            holders.setdefault(free, []).append(u)
            continue
        for s in choices:
            normal = [r for r in holders.get(s, []) if not demand.urgent[r]]
            if normal:
                victim = min(normal, key=lambda r: (int(demand.priority[r]), -r))
                matched[victim], matched[u] = -1, s
                holders[s].remove(victim)
                holders[s].append(u)
                break


def _outcome(
    demand: _Demand, supply: _Supply, matched: Indices, had_candidates: Mask, weights: Weights
) -> Outcome:
    proposals: list[Proposal] = []
    unmatched: dict[str, str] = {}
    for r, s in enumerate(matched.tolist()):
        request = demand.seekings[r]
        if s >= 0:
            supporter = supply.offerings[s]
            value, parts = scoring.score(request, supporter, weights)
            breakdown = {name: round(v, 3) for name, v in parts.items()}
            proposals.append(
                Proposal(request.request_id, supporter.member_id, round(value, 4), breakdown)
            )
        elif had_candidates[r]:
            unmatched[request.request_id] = NO_CAPACITY
        elif request.language in supply.by_language:
            unmatched[request.request_id] = NO_ELIGIBLE
        else:
            unmatched[request.request_id] = NO_LANGUAGE
    return Outcome(proposals=proposals, unmatched=unmatched)


class _Clock:
    """Adds the time since the last lap to `timings[name]` (when timings are wanted)."""

    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings = timings
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        if self.timings is not None:
            self.timings[name] = self.timings.get(name, 0.0) + now - self.last
        self.last = now
