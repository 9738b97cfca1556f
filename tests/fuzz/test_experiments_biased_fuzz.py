"""Fuzz of experiment 3 (biased): generated configs (in range, at the edges, or with one
field replaced by any value) raise ValueError/TypeError or run to finite findings."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from neuroattn.experiments.biased import BiasedConfig, run

from ._strategies import FUZZ, NUMBERS

WILD = st.one_of(NUMBERS, st.booleans(), st.none(), st.text(max_size=4))
FIELDS = {
    "separation": st.floats(0.0, 25.0),
    "stimulus_width": st.floats(0.0, 25.0),
    "poor_orientation": st.sampled_from([20.0, 30.0, 45.0, 60.0, 90.0, 150.0, 180.0]),
    "contrast": st.floats(0.0, 1.5),
    "attention_width": st.floats(0.0, 120.0),
    "attention_orientation_width": st.floats(0.0, 400.0),
    "attention_peak": st.floats(0.5, 20.0),
    "away": st.floats(-200.0, -40.0),
}


@FUZZ
@given(
    values=st.fixed_dictionaries(FIELDS),
    wild=st.none() | st.tuples(st.sampled_from(sorted(FIELDS)), WILD),
)
def test_biased_config_keeps_its_promise(values: dict[str, Any], wild: Any) -> None:
    if wild is not None:
        values[wild[0]] = wild[1]
    try:
        cfg = BiasedConfig(**values, space_step=2.0, orientation_step=10.0)
        res = run(cfg)
    except (ValueError, TypeError):
        return
    assert all(math.isfinite(f.model) for f in res.findings)
    assert res.responses.shape == (3, 3)
