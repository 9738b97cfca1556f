"""Fuzz of issue 10's threshold of least cost and the items' priorities
(``neuroattn.vision._quitting.costed_threshold``, ``item_priorities``): ValueError/TypeError
or a sound result."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from neuroattn.vision._quitting import costed_threshold, item_priorities

from ._strategies import FUZZ, NUMBERS

WILD = st.one_of(NUMBERS, st.booleans(), st.none(), st.text(max_size=4))
PRIORITIES = st.one_of(st.lists(st.floats(0, 1), min_size=1, max_size=5), WILD,
                       st.lists(st.one_of(NUMBERS, WILD), max_size=3))  # fmt: skip
DISPLAY = st.tuples(PRIORITIES, st.one_of(st.integers(-1, 5), WILD))


@FUZZ
@given(
    present=st.one_of(st.lists(DISPLAY, max_size=4), WILD),
    absent=st.one_of(st.lists(PRIORITIES, max_size=3), WILD),
    miss_cost=st.one_of(st.floats(-1, 20), WILD),
)
def test_costed_threshold_keeps_its_promise(present: Any, absent: Any, miss_cost: Any) -> None:
    try:
        theta = costed_threshold(present, absent, miss_cost=miss_cost)
    except (ValueError, TypeError):
        return
    values = np.concatenate([np.asarray(p, float) for p, _ in present] + [[0.0]])
    assert theta == 0.0 or theta in values  # 0 or one of the block's priorities
    assert 0.0 <= theta <= values.max()


@FUZZ
@given(
    shape=st.tuples(st.integers(1, 40), st.integers(1, 40)),
    map_shape=st.tuples(st.integers(1, 6), st.integers(1, 6)),
    n_items=st.integers(0, 5),
    seed=st.integers(0, 1000),
    dtype=st.sampled_from([np.int32, np.int64, np.uint8, np.float64, bool]),
)
def test_item_priorities_keep_their_promise(
    shape: tuple[int, int], map_shape: tuple[int, int], n_items: int, seed: int, dtype: Any
) -> None:
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, n_items + 1, size=shape).astype(dtype)
    s = rng.random(map_shape)
    result = SimpleNamespace(conspicuity={"a": s}, gain=np.ones(map_shape))
    try:
        got = item_priorities(labels, result)
    except (ValueError, TypeError):
        return
    assert got.shape == (int(np.max(labels)),)
    present = np.isin(np.arange(1, got.size + 1), labels)
    assert np.isnan(got[~present]).all()
    assert (got[present] >= s.min()).all() and (got[present] <= s.max()).all()
