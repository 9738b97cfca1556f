"""Fuzz of the search-display family (``neuroattn.vision._family``): any kind, seed, set
size and count raises ValueError/TypeError or returns displays of the family's size."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from neuroattn.vision._family import FAMILY_KINDS, HELD_OUT, TUNING

from ._strategies import FUZZ, NUMBERS

WILD = st.one_of(NUMBERS, st.booleans(), st.none(), st.text(max_size=5))


@FUZZ
@given(
    kind=st.one_of(st.sampled_from(FAMILY_KINDS), WILD),
    seed=st.one_of(st.integers(0, 10**9), WILD),
    set_size=st.one_of(st.none(), st.integers(-1, 60), WILD),
    held_out=st.booleans(),
)
def test_draw_keeps_its_promise(kind: Any, seed: Any, set_size: Any, held_out: bool) -> None:
    fam = HELD_OUT if held_out else TUNING
    try:
        a = fam.draw(kind, seed, set_size=set_size)
    except (ValueError, TypeError):
        return
    assert a.image.shape == (*fam.size, 3) and np.isfinite(a.centres).all()
    assert a.target_mask.any()


@FUZZ
@given(count=st.one_of(st.integers(-2, 3), WILD), start=st.one_of(st.integers(-2, 5), WILD))
def test_sample_keeps_its_promise(count: Any, start: Any) -> None:
    try:
        arrays = TUNING.sample("colour", count, start=start, set_size=9)
    except (ValueError, TypeError):
        return
    assert len(arrays) == count
