"""Fuzz of experiment 7, autism hypotheses: generated configs (in range, at the edges, or
with one field replaced by any value) raise ValueError/TypeError or run to finite findings."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from neuroattn.experiments.autism import AutismConfig, run

from ._strategies import FUZZ, NUMBERS

WILD = st.one_of(NUMBERS, st.booleans(), st.none(), st.text(max_size=4))
WIDTH = st.floats(0.0, 60.0)
FIELDS = {
    "sigma": st.floats(0.0, 1.0),
    "weak_suppressive_gain": st.floats(0.0, 1.2),
    "narrow_field_width": WIDTH,
    "reference_field_width": WIDTH,
    "small_size": st.floats(0.0, 3.0),
    "medium_size": st.floats(0.5, 6.0),
    "large_size": st.floats(2.0, 60.0),
    "low_contrast": st.floats(0.0, 0.5),
    "high_contrast": st.floats(0.1, 1.1),
    "readout_radius": st.integers(-1, 12),
    "field_peak": st.floats(0.5, 10.0),
}


@FUZZ
@given(
    values=st.fixed_dictionaries(FIELDS),
    wild=st.none() | st.tuples(st.sampled_from(sorted(FIELDS)), WILD),
)
def test_autism_config_keeps_its_promise(values: dict[str, Any], wild: Any) -> None:
    if wild is not None:
        values[wild[0]] = wild[1]
    try:
        cfg = AutismConfig(**values, space_step=4.0, orientation_step=6.0)
        res = run(cfg)
    except (ValueError, TypeError):
        return
    assert all(math.isfinite(f.model) for f in res.findings)
    assert res.thresholds.shape == (3, 2, 3)
