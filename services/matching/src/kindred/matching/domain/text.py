"""Free text as a small vector, computed locally and without state.

`embed` hashes each text's character n-grams (3 to 5 characters inside word boundaries, so
"griev" in "grieving" and "grief" meet, and a typo costs a few n-grams rather than the word)
into 2**14 indicators (an n-gram is there or not), L2-normalises them, and projects them down
to `TEXT_DIM` dimensions with a fixed Gaussian matrix drawn from a constant seed (a
Johnson-Lindenstrauss projection: it keeps cosines up to a small noise). Nothing is fitted on a
corpus and nothing is downloaded, so a text's vector is the same whichever process computes it
(a pool rebuilt on another replica embeds the texts again and gets the same vectors), and one
text takes a fraction of a millisecond.

The vectors carry the words people use, not what they mean: two texts about the same
experience in different words score low, and common n-grams ("the", "ing") lift every pair a
little (unrelated texts have cosines around 0.2). Centring the vectors on the batch's mean
would remove that lift, but on the benchmark (`kindred.devtools.bench.engine`) it gained only
about half a percent of hidden affinity, and it would make a pair's score depend on who else is
in the batch, so the engine does not centre. (128 dimensions instead of 64 gained one to two
percent, for a matrix product almost twice as wide.) That is good enough for a soft score
among supporters who already pass every hard rule; similarity never decides anything about
safety.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np
import numpy.typing as npt
from sklearn.feature_extraction.text import HashingVectorizer  # type: ignore[import-untyped]

from kindred.matching.domain.model import Vector

TEXT_DIM = 64

_N_FEATURES = 2**14
# The projection is part of the vectors' definition: changing the seed, the dimensions or
# the n-grams changes every vector (none is stored: a rebuild embeds the texts again).
_SEED = 0x6B696E64  # "kind"

_hasher = HashingVectorizer(
    analyzer="char_wb",
    ngram_range=(3, 5),
    n_features=_N_FEATURES,
    alternate_sign=False,
    binary=True,  # an n-gram counts once: repeated words do not swamp the rest
    norm="l2",
    dtype=np.float32,
)


@cache
def _projection() -> npt.NDArray[np.float32]:
    rng = np.random.default_rng(_SEED)
    matrix = rng.standard_normal((_N_FEATURES, TEXT_DIM), dtype=np.float32)
    matrix /= np.float32(np.sqrt(TEXT_DIM))
    return matrix


def embed(texts: Sequence[str]) -> Vector:
    """One L2-normalised row of `TEXT_DIM` float32 per text; a zero row for an empty text."""
    if not texts:
        return np.zeros((0, TEXT_DIM), dtype=np.float32)
    counts = _hasher.transform(list(texts))
    projected: Vector = np.asarray(counts @ _projection(), dtype=np.float32)
    return normalise(projected)


def embed_one(text: str) -> Vector:
    """`embed` of a single text, as a 1-d vector."""
    vector: Vector = embed([text])[0]
    return vector


def normalise(rows: Vector) -> Vector:
    """Rows scaled to unit length; zero rows stay zero."""
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    out = np.zeros_like(rows)
    np.divide(rows, norms, out=out, where=norms > 0)
    return out


def similarity(a: Vector, b: Vector) -> float:
    """Cosine of two `embed` vectors, in [-1, 1]; 0 when either is empty (all zeros)."""
    return max(-1.0, min(1.0, float(np.dot(a, b))))
