"""Fuzz of the ADHD-hypothesis experiment's config (``neuroattn.experiments.adhd``):
generated settings raise ValueError/TypeError or run to a result whose RTs are finite or NaN
(no decision) and whose findings never agree without a value."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from neuroattn.experiments.adhd import AdhdConfig, run

from ._strategies import FUZZ, NUMBERS, settings_with_one_wild

WILD = st.one_of(NUMBERS, st.booleans(), st.none(), st.text(max_size=5))
# few subjects and trials and short runs keep a valid run well under a second
GOOD = {
    "n_units": st.integers(2, 5),
    "inhibition": st.floats(0.1, 2.0),
    "beta": st.floats(0.0, 1.0),
    "threshold": st.floats(-1.0, 2.0),
    "typical_gain": st.floats(0.5, 10.0),
    "adhd_gain": st.floats(0.5, 10.0),
    "typical_noise": st.floats(0.0, 0.5),
    "adhd_noise": st.floats(0.0, 0.5),
    "margin": st.floats(0.05, 0.95),
    "subjects": st.integers(3, 4),
    "trials": st.integers(10, 12),
    "duration": st.floats(2.0, 20.0),
    "dt": st.floats(0.05, 0.2),
    "seed": st.integers(0, 2**31),
}
BAD = {k: WILD for k in GOOD} | {
    "salient": st.one_of(WILD, st.floats(0.0, 3.0)),
    "top_down": st.one_of(WILD, st.floats(0.0, 3.0)),
}


def configs() -> st.SearchStrategy[dict[str, Any]]:
    """Valid settings with at most one field (or none) replaced by a wild value."""
    return settings_with_one_wild(GOOD, BAD)


@FUZZ
@given(values=configs())
def test_adhd_config_keeps_its_promise(values: dict[str, Any]) -> None:
    try:
        result = run(AdhdConfig(**values))
    except (ValueError, TypeError):
        return
    rt = result.rt_ms
    assert (np.isfinite(rt) == (result.choice >= 0)).all()
    assert (rt[np.isfinite(rt)] >= 0).all()
    for f in result.findings:
        assert math.isfinite(f.model) or not f.agrees
