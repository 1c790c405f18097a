"""The global, capacity-aware assignment of open requests to supporters with room.

`assign` works in three steps.

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
3. then normal before low, and the longer a request has waited the more it weighs: by at most
   a tenth of a score point (between close scores the oldest request goes first), plus the
   aging of normal and low requests, which grows with the square of the wait and reaches the
   urgent weight at `EngineConfig.aging_hours` (never more): a request that waited that long
   counts as urgent everywhere below, so scarce slots do not all go to urgent requests;
4. then the total score.

A request whose candidates all went to others may still fit a supporter outside its best few:
the flow runs again for the requests left over against the supporters left with room, while a
round still matches a fair share of what it could (at most `MAX_ROUNDS`).

Exact pass. The best few are a pruning: requests that rank alike name the same few supporters,
and a request placed on a contested supporter it shares with others could have taken one they
cannot. So the first goal is then made exact on the whole eligibility graph: from the requests
left over, augmenting paths (Hopcroft-Karp phases, a supporter's free slots as its capacity)
move placed requests to other eligible supporters until one has a free slot, which adds a
request and leaves nobody out. Urgent (and aged) requests go first, and may also end a path at
a normal or low request, which they displace: so as many of them are matched as can be, and
one is left out only while urgent requests hold every slot it is eligible for. Then the others,
by priority. The searches compute eligibility only for the requests they reach, one row per
kind of request (language, topics, age band), with the same rules as the candidates. The
requests placed or moved by paths got whichever supporter their path reached; the flow then
runs once more for all matched requests (on the pairs of the earlier flows, the moved requests'
best few among the supporters they hold or with room, and the pairs they hold, so that all
stay matched), which keeps the matched count and re-places them by priority and score. So the
matched count equals `optimum`'s; the proposals' value stays close to it, not equal.

`EngineConfig.solve_budget_seconds` bounds the solve: the clock is read between steps (after the
first flow, between rounds and between exact phases), and once over the budget the later
steps are skipped and the outcome says so (`Outcome.cut_short`). Every step leaves a valid
assignment, so a cut-short one breaks no rule either.

The result depends on the input alone (requests and supporters are sorted by id first), never
breaks a rule of `constraints.violation` and never gives a supporter more than their room.
Whatever is unmatched gets a reason: no supporter with room speaks the language, some do but
none passes the pair rules, or eligible ones existed but their slots went to others.
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
# Rounds of the flow, at most, for requests whose candidates all went to others.
MAX_ROUNDS = 8
# The rounds stop once one matches less than this share of what it could have matched.
ROUND_GAIN = 8
# Rows of eligibility the exact pass keeps for reuse (one per kind of request), at most.
ROWS_KEPT = 4096

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
    age_class: Indices  # 2 * age band + cleared for minors

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
            age_class=np.array(age_class, dtype=np.int32),
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
    urgent: Mask  # urgent, or aged past `EngineConfig.aging_hours`: weighs as urgent
    band: Indices
    kind: Indices  # requests of one kind (language, topics, age band) share their rules

    @classmethod
    def of(cls, requests: Sequence[Seeking], config: EngineConfig, text_dim: int) -> _Demand:
        seekings = sorted(requests, key=lambda r: r.request_id)
        weights = config.weights
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
        high = np.array([r.urgency == Urgency.HIGH for r in seekings], dtype=bool)
        kinds: dict[tuple[str, int, int], int] = {}
        kind = [
            kinds.setdefault((r.language, b, int(n)), len(kinds))
            for r, b, n in zip(seekings, bits, band, strict=True)
        ]
        return cls(
            seekings=seekings,
            topics=np.array(bits, dtype=np.uint16),
            features=features,
            avail=avail,
            avail_bits=scoring.known_hours_bits(masks),
            priority=_priorities(seekings, config.aging_hours),
            urgent=high | _aged(seekings, config.aging_hours),
            band=band.astype(np.int32),
            kind=np.array(kind, dtype=np.int32),
        )


def _waits(seekings: Sequence[Seeking]) -> npt.NDArray[np.float64]:
    return np.array([max(r.waited_seconds, 0.0) for r in seekings], dtype=np.float64)


def _aged(seekings: Sequence[Seeking], aging_hours: float) -> Mask:
    """Normal and low requests that have waited `aging_hours` or more (none when 0)."""
    if aging_hours <= 0:
        return np.zeros(len(seekings), dtype=bool)
    high = np.array([r.urgency == Urgency.HIGH for r in seekings], dtype=bool)
    return ~high & (_waits(seekings) >= aging_hours * 3600.0)


def _priorities(seekings: Sequence[Seeking], aging_hours: float) -> Ints:
    """Each request's priority in flow units. Waiting counts for at most a tenth of a score
    point; an urgent request adds `URGENT_BONUS`. A normal request adds a twentieth of a point
    over a low one, and both age: with f = min(1, (waited / aging_hours)^2) they add
    f * `URGENT_BONUS` + (1 - f) * the normal tier, so the boost is slight for a few hours,
    grows with the wait, and at `aging_hours` makes them weigh exactly as an urgent request
    that waited as long (never more)."""
    wait = _waits(seekings)
    waiting = np.rint(WAIT_WEIGHT * SCORE_UNITS * wait / (wait + WAIT_SCALE_SECONDS))
    bonus = URGENT_BONUS * SCORE_UNITS
    high = np.array([r.urgency == Urgency.HIGH for r in seekings], dtype=bool)
    tier = np.array([r.urgency == Urgency.NORMAL for r in seekings], dtype=np.float64)
    tier *= NORMAL_OVER_LOW * SCORE_UNITS
    if aging_hours > 0:
        aged = np.minimum(wait / (aging_hours * 3600.0), 1.0) ** 2
        tier = aged * bonus + (1.0 - aged) * tier
    return (waiting + np.rint(np.where(high, bonus, tier))).astype(np.int64)


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


# --- The exact pass ------------------------------------------------------------------------


class _Eligible:
    """Each request's eligible supporters, as a row of booleans over every supporter with
    room: the rules of `constraints.violation` checked as the candidates check them (the
    capacity rule aside), a row per kind of request (language, topics, age band) kept for
    reuse, then the request's exclusions and its seeker's own entry taken out."""

    def __init__(self, demand: _Demand, supply: _Supply, config: EngineConfig) -> None:
        self.demand, self.supply = demand, supply
        self.n = len(supply.offerings)
        weights = config.weights
        total = scoring.total_weight(weights) or 1.0
        self.avail_weight = np.float32(weights.availability / total)
        self.age_ok = _age_penalty(config.rules) == 0
        self.rows: dict[int, Mask] = {}
        self.excluded: dict[int, Indices] = {}

    def of_kind(self, r: int) -> Mask:
        kind = int(self.demand.kind[r])
        row = self.rows.get(kind)
        if row is None:
            if len(self.rows) >= ROWS_KEPT:
                self.rows.clear()
            supply, demand = self.supply, self.demand
            row = np.zeros(self.n, dtype=bool)
            speakers = supply.by_language.get(demand.seekings[r].language)
            if speakers is not None:
                row[speakers] = (supply.topics[speakers] & demand.topics[r]) != 0
                row[speakers] &= self.age_ok[demand.band[r], supply.age_class[speakers]]
            self.rows[kind] = row
        return row

    def exclusions(self, r: int) -> Indices:
        out = self.excluded.get(r)
        if out is None:
            request, index = self.demand.seekings[r], self.supply.index
            found = {index[m] for m in (request.seeker_id, *request.excluded) if m in index}
            out = self.excluded[r] = np.array(sorted(found), dtype=np.int32)
        return out

    def row(self, r: int) -> Mask:
        row = self.of_kind(r).copy()
        row[self.exclusions(r)] = False
        return row

    def best_first(self, r: int, cols: Indices) -> Indices:
        """The supporters (eligible for the request), best score first, as the candidates
        score them."""
        demand, supply = self.demand, self.supply
        fit = supply.features[cols] @ demand.features[r]
        hours = scoring.availability_block(
            demand.avail_bits[demand.avail[r : r + 1]], supply.avail_bits[supply.avail[cols]]
        )[0]
        score = fit + self.avail_weight * hours + supply.own[cols]
        return cols[np.argsort(-score, kind="stable")]

    def reach(self, rows: Indices) -> Mask:
        """The supporters eligible for at least one of the requests."""
        out = np.zeros(self.n, dtype=bool)
        kinds = self.demand.kind[rows]
        order = np.argsort(kinds, kind="stable")
        bounds = np.flatnonzero(np.diff(kinds[order])) + 1
        for group in np.split(rows[order], bounds):
            row = self.of_kind(int(group[0]))
            if len(group) == 1:
                out |= self.row(int(group[0]))
                continue
            # Out only where every request of the kind excludes the supporter.
            excluded = np.concatenate([self.exclusions(int(r)) for r in group])
            every = np.flatnonzero(np.bincount(excluded, minlength=self.n) == len(group))
            if len(every):
                row = row.copy()
                row[every] = False
            out |= row
        return out


def _augment(
    demand: _Demand,
    supply: _Supply,
    config: EngineConfig,
    matched: Indices,
    taken: Ints,
    had_candidates: Mask,
    clock: _Clock,
) -> None:
    """Match as many of the requests left over as the whole eligibility graph allows, by
    augmenting paths (Hopcroft-Karp, with a supporter's free slots as its capacity): a request
    left over takes an eligible supporter, whose request moves to another of its eligible
    supporters, and so on until one of them has a free slot. Placed requests change supporter
    but are never left out, except that an urgent (or aged) request left over may also end its
    path at a normal or low request, which it then leaves out: so as many urgent requests are
    matched as can be. Urgent requests go first, then the others, each by priority; the rows
    of eligibility are worked out only for the requests a search reaches."""
    eligible = _Eligible(demand, supply, config)
    for tier, drop in ((demand.urgent, ~demand.urgent), (~demand.urgent, None)):
        while not clock.over():
            left = np.flatnonzero((matched < 0) & had_candidates & tier).astype(np.int32)
            if len(left) == 0:
                break
            order = np.lexsort((left, -demand.priority[left]))
            if not _phase(eligible, supply, demand.priority, left[order], matched, taken, drop):
                break


def _phase(
    eligible: _Eligible,
    supply: _Supply,
    priority: Ints,
    roots: Indices,
    matched: Indices,
    taken: Ints,
    drop: Mask | None,
) -> bool:
    """One phase of Hopcroft-Karp from the roots (requests left over, in the order they are
    served): the layers of a search from them to the nearest supporters with a free slot (or
    holding a request of `drop`), then shortest paths that share no request, followed one
    root at a time. Whether any path was found."""
    paths = _Paths(eligible, supply, priority, matched, taken, drop)
    if not paths.layers(roots):
        return False
    found = False
    for root in roots.tolist():
        found |= paths.follow(root)
    return found


class _Paths:
    """The state of one phase: who holds each supporter, the layers, the dead ends."""

    def __init__(
        self,
        eligible: _Eligible,
        supply: _Supply,
        priority: Ints,
        matched: Indices,
        taken: Ints,
        drop: Mask | None,
    ) -> None:
        self.eligible, self.priority, self.matched, self.taken = eligible, priority, matched, taken
        self.drop = drop
        n_sup = len(supply.offerings)
        self.free = supply.room - taken
        self.holders: list[list[int]] = [[] for _ in range(n_sup)]
        for r in np.flatnonzero(matched >= 0).tolist():
            self.holders[int(matched[r])].append(r)
        self.end = self.free > 0
        if drop is not None:
            self.end |= np.bincount(matched[(matched >= 0) & drop], minlength=n_sup) > 0
        self.sup_layer = np.full(n_sup, -1, dtype=np.int32)
        self.req_layer: dict[int, int] = {}
        self.last = -1
        self.alive = np.zeros(n_sup, dtype=bool)
        self.in_layer: dict[int, Mask] = {}
        self.options: dict[int, Indices] = {}
        self.at: dict[int, int] = {}
        self.next_holder = [0] * n_sup
        self.done: set[int] = set()  # requests on a path found, or with none left

    def layers(self, roots: Indices) -> bool:
        """Roots are at layer 0; a supporter first reached from layer L is at L, the requests
        it holds at L + 1. The search stops at the first layer that holds a path's end."""
        self.req_layer = dict.fromkeys(roots.tolist(), 0)
        frontier, layer = roots, 0
        while len(frontier):
            reached = np.flatnonzero(self.eligible.reach(frontier) & (self.sup_layer < 0))
            if len(reached) == 0:
                return False
            self.sup_layer[reached] = layer
            if self.end[reached].any():
                self.last = layer
                self.alive = (self.sup_layer >= 0) & ((self.sup_layer < layer) | self.end)
                return True
            nxt = [h for s in reached.tolist() for h in self.holders[s]]
            self.req_layer.update(dict.fromkeys(nxt, layer + 1))
            frontier, layer = np.array(nxt, dtype=np.int32), layer + 1
        return False

    def option(self, r: int) -> int | None:
        """The request's first supporter of the next layer still worth trying."""
        if r not in self.options:
            depth = self.req_layer[r]
            if depth not in self.in_layer:
                self.in_layer[depth] = self.sup_layer == depth
            row = self.eligible.row(r) & self.in_layer[depth] & self.alive
            cols = np.flatnonzero(row).astype(np.int32)
            self.options[r], self.at[r] = self.eligible.best_first(r, cols), 0
        mine, i = self.options[r], self.at[r]
        while i < len(mine) and not self.alive[mine[i]]:
            i += 1
        self.at[r] = i
        return int(mine[i]) if i < len(mine) else None

    def holder(self, s: int) -> int | None:
        mine, i = self.holders[s], self.next_holder[s]
        while i < len(mine) and mine[i] in self.done:
            i += 1
        self.next_holder[s] = i
        return mine[i] if i < len(mine) else None

    def victims(self, s: int) -> list[int]:
        """The requests at an end supporter that a path may leave out."""
        if self.drop is None:
            return []
        return [h for h in self.holders[s] if self.drop[h] and h not in self.done]

    def follow(self, root: int) -> bool:
        """A shortest path from the root (depth first through the layers), taken if found."""
        path_r: list[int] = [root]
        path_s: list[int] = []
        while path_r:
            r = path_r[-1]
            s = self.option(r)
            if s is None:  # a dead end: back to the supporter that led here
                self.done.add(r)
                path_r.pop()
                if path_s:
                    path_s.pop()
            elif self.sup_layer[s] == self.last:
                self.take(path_r, [*path_s, s])
                return True
            else:
                h = self.holder(s)
                if h is None:
                    self.alive[s] = False
                else:
                    path_s.append(s)
                    path_r.append(h)
        return False

    def take(self, path_r: list[int], path_s: list[int]) -> None:
        """Everyone along the path moves one supporter on; the end gives a free slot, or
        leaves out its least pressing request that may be."""
        s = path_s[-1]
        if self.free[s] > 0:
            self.free[s] -= 1
            self.taken[s] += 1
        else:
            victim = min(self.victims(s), key=lambda h: (int(self.priority[h]), -h))
            self.matched[victim] = -1
            self.done.add(victim)
        for moved, to in zip(path_r, path_s, strict=True):
            self.matched[moved] = to
        self.done.update(path_r)
        self.alive[s] = self.free[s] > 0 or bool(self.victims(s))


def _refit(
    demand: _Demand,
    supply: _Supply,
    changed: Indices,
    matched: Indices,
    taken: Ints,
    tried: list[Candidates],
    k: int,
    load_weight: float,
    weights: Weights,
) -> None:
    """The requests the exact pass placed or moved got the supporters their paths reached,
    whatever the fit. The flow runs once more for every request now matched, on the pairs the
    earlier flows had, the best few of those requests among the supporters they hold and
    those with a free slot, and the pair each request holds now (so that all stay matched):
    the same requests are matched, to the supporters that serve the objective best."""
    n_sup = len(supply.offerings)
    held = np.bincount(matched[changed], minlength=n_sup)
    fresh = _candidates(demand, supply, changed, supply.room - (taken - held) > 0, k, weights)
    pairs = _union([*tried, fresh], matched)
    rows = np.flatnonzero(matched >= 0).astype(np.int32)
    have = pairs.request.astype(np.int64) * n_sup + pairs.supporter
    now = rows.astype(np.int64) * n_sup + matched[rows]
    missing = rows[~np.isin(now, have)]
    if len(missing):
        scores = [
            scoring.score(demand.seekings[r], supply.offerings[int(matched[r])], weights)[0]
            for r in missing.tolist()
        ]
        pairs = Candidates(
            request=np.concatenate([pairs.request, missing]).astype(np.int32),
            supporter=np.concatenate([pairs.supporter, matched[missing]]).astype(np.int32),
            score=np.concatenate([pairs.score, scores]).astype(np.float32),
        )
    none = np.zeros(n_sup, dtype=np.int64)
    req, sup = _flow(pairs, demand.priority, supply.room, none, supply.capacity, load_weight)
    if len(req) == len(rows):  # always, as the current pairs are a way to match them all
        matched[rows] = -1
        matched[req] = sup
        taken[:] = np.bincount(sup, minlength=n_sup)


def _union(parts: Sequence[Candidates], matched: Indices) -> Candidates:
    """The pairs of the parts whose request is matched, each pair once."""
    request = np.concatenate([p.request for p in parts])
    supporter = np.concatenate([p.supporter for p in parts])
    score = np.concatenate([p.score for p in parts])
    keep = matched[request] >= 0
    request, supporter, score = request[keep], supporter[keep], score[keep]
    key = request.astype(np.int64) * (int(supporter.max(initial=0)) + 1) + supporter
    _, first = np.unique(key, return_index=True)
    return Candidates(request[first], supporter[first], score[first])


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
    demand = _Demand.of(requests, config, supply.text_dim)
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
    urgent = sum(r.urgency == Urgency.HIGH for r in chosen)
    priority = _priorities(chosen, config.aging_hours).sum() if chosen else 0
    soft = (priority - urgent * round(URGENT_BONUS * SCORE_UNITS)) / SCORE_UNITS
    load_weight = config.weights.load / (scoring.total_weight(config.weights) or 1.0)
    new: dict[str, int] = {}
    for p in outcome.proposals:
        new[p.supporter_id] = new.get(p.supporter_id, 0) + 1
    slots = sum(load_weight * n * (n - 1) / 2 / capacity[s] for s, n in new.items())
    value = sum(p.score for p in outcome.proposals) + float(soft) - slots
    return len(chosen), urgent, value


def _solve(
    requests: Sequence[Seeking],
    supporters: Sequence[Offering],
    config: EngineConfig,
    k: int | None,
    timings: dict[str, float] | None,
) -> Outcome:
    clock = _Clock(timings, config.solve_budget_seconds if k is not None else None)
    if not requests:
        return Outcome(proposals=[], unmatched={})
    if not supporters:  # nobody has room: nothing to score
        return Outcome(proposals=[], unmatched=dict.fromkeys(_ids(requests), NO_LANGUAGE))
    weights = config.weights
    supply = _Supply.of(supporters, config)
    demand = _Demand.of(requests, config, supply.text_dim)
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
    tried = [candidates]
    if k is not None and not clock.over():
        _urgent_first(demand, supply, matched, taken, had_candidates, weights)
        clock.lap("flow")
    for _ in range(MAX_ROUNDS if k is not None else 0):
        room = supply.room - taken
        waiting = every[(matched < 0) & had_candidates]
        if len(waiting) == 0 or not room.any() or clock.over():
            break
        more = _candidates(demand, supply, waiting, room > 0, k, weights)
        tried.append(more)
        clock.lap("candidates")
        req, sup = _flow(more, demand.priority, room, taken, supply.capacity, load_weight)
        matched[req] = sup
        np.add.at(taken, sup, 1)
        clock.lap("flow")
        if len(req) * ROUND_GAIN < min(len(waiting), int(room.sum())):
            break  # requests that rank alike name the same few: the exact pass does better

    left = bool(((matched < 0) & had_candidates).any())
    if k is not None and left and not clock.over():
        before = matched.copy()
        _augment(demand, supply, config, matched, taken, had_candidates, clock)
        clock.lap("exact")
        changed = np.flatnonzero(matched != before).astype(np.int32)
        changed = changed[matched[changed] >= 0]
        if len(changed) and not clock.over():
            _refit(demand, supply, changed, matched, taken, tried, k, load_weight, weights)
            clock.lap("exact")

    outcome = _outcome(demand, supply, matched, had_candidates, weights)
    outcome.cut_short = clock.cut_short
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
    goes back to the rounds. A request aged past `EngineConfig.aging_hours` counts as urgent
    here (it may displace, and is not displaced). The exact pass later does the same along
    longer paths, so an urgent request is left unmatched only when every eligible supporter's
    slots went to urgent requests."""
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
    """Adds the time since the last lap to `timings[name]` (when timings are wanted), and
    tells whether the solve has used up its budget (`over`, which then stays true)."""

    def __init__(self, timings: dict[str, float] | None, budget: float | None = None) -> None:
        self.timings = timings
        self.last = time.perf_counter()
        self.deadline = None if budget is None else self.last + budget
        self.cut_short = False

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        if self.timings is not None:
            self.timings[name] = self.timings.get(name, 0.0) + now - self.last
        self.last = now

    def over(self) -> bool:
        if self.deadline is not None and time.perf_counter() >= self.deadline:
            self.cut_short = True
        return self.cut_short
