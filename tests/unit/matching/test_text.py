"""Free text as small local vectors (`text.embed`)."""

from __future__ import annotations

import numpy as np
import pytest

from kindred.matching.domain.text import TEXT_DIM, embed, embed_one, similarity

pytestmark = pytest.mark.unit


def test_each_text_becomes_a_unit_row_of_float32() -> None:
    vectors = embed(["I lost my father in the spring", "night shifts and no sleep"])
    assert vectors.shape == (2, TEXT_DIM)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_an_empty_text_is_a_zero_row_and_no_texts_no_rows() -> None:
    vectors = embed(["", "something"])
    assert not vectors[0].any()
    assert embed([]).shape == (0, TEXT_DIM)
    assert similarity(vectors[0], vectors[1]) == 0.0


def test_the_vectors_depend_on_the_text_alone() -> None:
    text = "caring for my mother with dementia"
    alone = embed_one(text)
    among_others = embed(["something else entirely", text])[1]
    assert np.array_equal(alone, among_others)
    assert np.array_equal(alone, embed_one(text))


def test_texts_about_the_same_experience_are_closer_than_unrelated_ones() -> None:
    grief = embed_one("grieving my mother, the funeral and the grief that followed")
    also_grief = embed_one("my mum died last year and grief still hits me at the funeral home")
    unrelated = embed_one("looking for a new job after the layoff, interviews are hard")
    assert similarity(grief, also_grief) > similarity(grief, unrelated) + 0.1


def test_a_text_is_its_own_nearest() -> None:
    v = embed_one("sober for two years, meetings help")
    assert similarity(v, v) == pytest.approx(1.0, abs=1e-5)
