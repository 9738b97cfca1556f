"""Fuzz of the size contrast (``neuroattn.vision._size.size_contrast``) with issue 10's
``exclude``: ValueError/TypeError or two finite maps in [0, 1)."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from neuroattn.vision._size import size_contrast

from ._strategies import FUZZ, NUMBERS

WILD = st.one_of(NUMBERS, st.booleans(), st.none(), st.text(max_size=3))


@FUZZ
@given(
    shape=st.tuples(st.integers(1, 12), st.integers(1, 12)),
    seed=st.integers(0, 1000),
    power=st.floats(0.5, 8),
    exclude=st.one_of(st.integers(-2, 20), WILD),
    contrast=st.sampled_from(["weber", "log", "other"]),
)
def test_size_contrast_keeps_its_promise(
    shape: tuple[int, int], seed: int, power: float, exclude: Any, contrast: str
) -> None:
    rng = np.random.default_rng(seed)
    energy = rng.random(shape) ** power
    where = rng.random(shape) ** power
    try:
        maps = size_contrast(energy, where, exclude=exclude, contrast=contrast)
    except (ValueError, TypeError):
        return
    assert maps.shape == (2, *shape) and np.isfinite(maps).all()
    assert (maps >= 0).all() and (maps < 1).all()
