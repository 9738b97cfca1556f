"""Fuzz of the regimes experiment's config (``neuroattn.experiments.regimes``): generated
settings raise ValueError/TypeError or run to a result with finite data and findings."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from neuroattn.experiments.regimes import RegimesConfig, run

from ._strategies import FUZZ, NUMBERS

WILD = st.one_of(NUMBERS, st.booleans(), st.none(), st.text(max_size=5))
# small grids and short runs keep a valid run well under a second
GOOD = {
    "n_units": st.integers(2, 6),
    "inhibition": st.floats(0.05, 2.0),
    "beta_steps": st.integers(2, 6),
    "contrast_steps": st.integers(2, 4),
    "contrast_max": st.floats(0.01, 1.0),
    "noise_levels": st.lists(st.floats(0.0, 2.0), max_size=2, unique=True).map(
        lambda xs: (0.0, *[x for x in xs if x > 0])
    ),
    "duration": st.floats(4.0, 40.0),
    "dt": st.floats(0.05, 0.2),
    "threshold": st.floats(1e-3, 0.5),
    "refine": st.integers(2, 3),
    "seed": st.integers(0, 2**31),
}
BAD = {k: WILD for k in GOOD} | {
    "noise_levels": st.one_of(WILD, st.lists(NUMBERS, max_size=9)),
    "beta_max": st.one_of(WILD, st.floats(0.0, 10.0)),
    "drive": WILD,
}


@st.composite
def configs(draw: st.DrawFn) -> dict[str, Any]:
    """Valid settings (beta_max below the runaway) with at most one field replaced."""
    values = {k: draw(v) for k, v in GOOD.items()}
    runaway = 1.0 / (values["n_units"] * values["inhibition"])
    values["beta_max"] = draw(st.floats(0.05, 0.95)) * runaway
    bad = draw(st.sampled_from([None, *BAD]))
    if bad is not None:
        values[bad] = draw(BAD[bad])
    return values


@FUZZ
@given(values=configs())
def test_regimes_config_keeps_its_promise(values: dict[str, Any]) -> None:
    try:
        result = run(RegimesConfig(**values))
    except (ValueError, TypeError):
        return
    for v in result.variables.values():
        assert np.isfinite(v.values).all()
    for f in result.findings:
        assert math.isfinite(f.model) or not f.agrees
