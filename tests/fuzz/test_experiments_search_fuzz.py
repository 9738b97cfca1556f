"""Fuzz of the visual-search experiment's config (``neuroattn.experiments.search``): any
generated settings raise ValueError/TypeError or run to a result whose data are finite where
a trial was correct and whose findings never agree without a value."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from neuroattn.experiments.search import SearchConfig, run

from ._strategies import FUZZ, NUMBERS, settings_with_one_wild

WILD = st.one_of(NUMBERS, st.booleans(), st.none(), st.text(max_size=5))
# small set sizes keep a valid run under a second or two; the bounds (1, 2, 49, 50) are
# tried through the bad values
GOOD = {
    "set_sizes": st.lists(st.integers(2, 10), min_size=2, max_size=3, unique=True),
    "n_displays": st.just(1),
    "split": st.sampled_from(["held-out", "tuning"]),
    "start": st.integers(0, 10**6),
    "closed_loop": st.booleans(),
}
BAD = {
    "set_sizes": st.one_of(
        st.lists(st.one_of(st.integers(-1, 2), st.sampled_from([49, 50, 2.0, "9"])), max_size=3),
        WILD,
    ),
    "n_displays": st.one_of(st.integers(-1, 0), st.sampled_from([201, 1.0]), WILD),
    "split": WILD,
    "start": st.one_of(st.sampled_from([-1, 10**6 + 1, 1.0]), WILD),
    "closed_loop": WILD,
    "miss_cost": st.one_of(st.floats(-10, -1e-9), st.sampled_from([1e7, math.inf, math.nan]), WILD),
    "practice": st.one_of(st.integers(-1, 0), st.sampled_from([201, 1.0, "10", None])),
}


def configs() -> st.SearchStrategy[dict[str, Any]]:
    """Valid settings with at most one field (or none) replaced by a wild value."""
    return settings_with_one_wild(GOOD, BAD)


@FUZZ
@given(values=configs())
def test_search_config_keeps_its_promise(values: dict[str, Any]) -> None:
    try:
        config = SearchConfig(**values)
    except (ValueError, TypeError):
        return
    res = run(config)
    rt = res.variables["rt_ms"].values
    correct = res.variables["correct"].values
    assert rt.shape == (9, len(config.set_sizes), config.n_displays)
    assert np.isfinite(rt[correct]).all() and (rt[correct] >= 0).all()
    assert np.isnan(rt[~correct]).all()
    for f in res.findings:
        assert math.isfinite(f.model) or not f.agrees
    assert res.table() and res.to_dict()["name"] == "search"
