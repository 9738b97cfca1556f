"""Fuzz of experiment 4 (normalization): generated configs (in range, at the edges, or with
one field replaced by any value) raise ValueError/TypeError or run to finite findings."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from neuroattn.experiments.normalization import NormalizationConfig, run

from ._strategies import FUZZ, NUMBERS

WILD = st.one_of(NUMBERS, st.booleans(), st.none(), st.text(max_size=4))
WIDTH = st.floats(0.05, 80.0)
FIELDS = {
    "n_contrasts": st.integers(3, 12),
    "min_contrast": st.floats(1e-8, 0.2),
    "fig2a_stimulus_width": WIDTH,
    "fig2a_attention_width": WIDTH,
    "fig2b_stimulus_width": WIDTH,
    "fig2b_attention_width": WIDTH,
    "tolerance": st.floats(0.0, 1.0),
}


@FUZZ
@given(
    values=st.fixed_dictionaries(FIELDS),
    wild=st.none() | st.tuples(st.sampled_from(sorted(FIELDS)), WILD),
)
def test_normalization_config_keeps_its_promise(values: dict[str, Any], wild: Any) -> None:
    if wild is not None:
        values[wild[0]] = wild[1]
    try:
        cfg = NormalizationConfig(**values, space_step=4.0, orientation_step=30.0)
        res = run(cfg)
    except (ValueError, TypeError):
        return
    assert all(math.isfinite(f.model) for f in res.findings)
    assert res.variables["response"].values.shape == (2, 2, cfg.n_contrasts)
