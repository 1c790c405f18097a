"""The soft score of a pair that passes every hard rule: how good a fit, in [0, 1].

Five parts, each in [0, 1], and the score is their mean weighted by `Weights`:

- topics: the share of the request's topics the supporter can talk about (not opted out);
- text: the cosine of the two `text.embed` vectors mapped from [-1, 1] to [0, 1]; 0.5 (neutral)
  when either side wrote nothing, since an empty text says nothing about fit;
- availability: the hours both are available, over the hours of the one available less; 0.5
  (neutral) when either side gave no hours (`ANY_TIME`, or an empty mask, which the pool never
  sends): "any time" is what we store when a member did not say, not a promise;
- load: 1 - load / capacity, so the less busy are preferred and work spreads;
- fairness: 1 / (1 + proposals in the fairness window), so the same few are not always asked.

`score` is the reference, one pair at a time. The engine computes the same numbers for blocks
of pairs (`availability_block`, `supporter_part`, and a matrix product for the topics and text
parts); the tests hold them to agreeing. Nothing here is a hard rule: a low score only makes a
pair less likely to be proposed, and similarity never decides anything safety-related.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from kindred.matching.domain.constraints import usable_topics
from kindred.matching.domain.model import ANY_TIME, WEEK_HOURS, Offering, Seeking, Vector, Weights
from kindred.matching.domain.text import similarity

PARTS = ("topics", "text", "availability", "load", "fairness")
NEUTRAL = 0.5
_MASK_BYTES = (WEEK_HOURS + 7) // 8


def topics_part(request: Seeking, supporter: Offering) -> float:
    if not request.topics:
        return 0.0
    return len(request.topics & usable_topics(supporter)) / len(request.topics)


def text_part(a: Vector, b: Vector) -> float:
    """(1 + cosine) / 2; an empty text (zero vector) has cosine 0, hence 0.5."""
    return (1.0 + similarity(a, b)) / 2.0


def unknown_hours(mask: int) -> bool:
    """Whether a week mask says nothing: `ANY_TIME` (not given) or empty."""
    return mask in (0, ANY_TIME)


def availability_part(a: int, b: int) -> float:
    if unknown_hours(a) or unknown_hours(b):
        return NEUTRAL
    return (a & b).bit_count() / min(a.bit_count(), b.bit_count())


def load_part(load: int, capacity: int) -> float:
    return max(0.0, 1.0 - load / capacity) if capacity > 0 else 0.0


def fairness_part(recent: int) -> float:
    return 1.0 / (1.0 + max(recent, 0))


def weight_of(weights: Weights) -> dict[str, float]:
    return {
        "topics": weights.topics,
        "text": weights.text,
        "availability": weights.availability,
        "load": weights.load,
        "fairness": weights.fairness,
    }


def total_weight(weights: Weights) -> float:
    return sum(weight_of(weights).values())


def weighted(parts: dict[str, float], weights: Weights) -> float:
    by_part = weight_of(weights)
    total = sum(by_part.values())
    if total <= 0:
        return 0.0
    return sum(w * parts[name] for name, w in by_part.items()) / total


def parts(request: Seeking, supporter: Offering) -> dict[str, float]:
    return {
        "topics": topics_part(request, supporter),
        "text": text_part(request.text, supporter.text),
        "availability": availability_part(request.availability, supporter.availability),
        "load": load_part(supporter.load, supporter.capacity),
        "fairness": fairness_part(supporter.recent),
    }


def score(
    request: Seeking, supporter: Offering, weights: Weights
) -> tuple[float, dict[str, float]]:
    """The weighted score of a pair and its unweighted parts."""
    breakdown = parts(request, supporter)
    return weighted(breakdown, weights), breakdown


# --- The same parts for many pairs at once (used by the engine) ---------------------------


def mask_bits(masks: Sequence[int]) -> npt.NDArray[np.float32]:
    """Week masks as rows of 0/1 floats, one column per hour."""
    raw = b"".join(mask.to_bytes(_MASK_BYTES, "little") for mask in masks)
    packed = np.frombuffer(raw, dtype=np.uint8).reshape(len(masks), _MASK_BYTES)
    bits = np.unpackbits(packed, axis=1, bitorder="little")[:, :WEEK_HOURS]
    return bits.astype(np.float32)


def known_hours_bits(masks: Sequence[int]) -> npt.NDArray[np.float32]:
    """`mask_bits`, with a mask that says nothing (`unknown_hours`) as a row of zeros."""
    bits = mask_bits(masks)
    bits[np.array([unknown_hours(m) for m in masks], dtype=bool)] = 0
    return bits


def availability_block(
    a: npt.NDArray[np.float32], b: npt.NDArray[np.float32]
) -> npt.NDArray[np.float32]:
    """`availability_part` for every pair of rows of `known_hours_bits`, a by b."""
    overlap = a @ b.T
    smaller = np.minimum(a.sum(axis=1)[:, None], b.sum(axis=1)[None, :])
    out = np.full(overlap.shape, NEUTRAL, dtype=np.float32)
    np.divide(overlap, smaller, out=out, where=smaller > 0)
    return out


def supporter_part(supporters: Sequence[Offering], weights: Weights) -> npt.NDArray[np.float32]:
    """The weighted load and fairness parts, which depend on the supporter alone."""
    total = total_weight(weights)
    if total <= 0:
        return np.zeros(len(supporters), dtype=np.float32)
    values = [
        weights.load * load_part(s.load, s.capacity) + weights.fairness * fairness_part(s.recent)
        for s in supporters
    ]
    return np.asarray(values, dtype=np.float32) / np.float32(total)
