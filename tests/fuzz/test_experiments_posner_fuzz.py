"""Fuzz of experiment 1 (Posner cueing) and of SynapticDepression: generated settings give
a ValueError/TypeError or a finite result."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from neuroattn.dynamics import SynapticDepression
from neuroattn.experiments.posner import PosnerConfig, run

from ._strategies import FUZZ, NUMBERS

WILD = st.one_of(NUMBERS, st.booleans(), st.none(), st.text(max_size=4))
SOAS = st.one_of(
    st.lists(st.floats(1, 1200), min_size=2, max_size=4).map(lambda v: tuple(sorted(v))),
    st.lists(WILD, max_size=3),
    WILD,
)


@FUZZ
@given(
    soas=SOAS,
    inhibition=st.one_of(st.floats(0.05, 2.0), WILD),
    cue=st.one_of(st.floats(0, 5), WILD),
    depletion=st.one_of(st.floats(0, 0.2), WILD),
    threshold=st.one_of(st.floats(0.1, 3), WILD),
    n=st.one_of(st.integers(1, 5), WILD),
)
def test_posner_config_keeps_its_promise(
    soas: Any, inhibition: Any, cue: Any, depletion: Any, threshold: Any, n: Any
) -> None:
    try:
        cfg = PosnerConfig(soas_ms=soas, inhibition=inhibition, cue_drive=cue, beta=0.1,
                           depletion=depletion, threshold=threshold, n_locations=n,
                           dt=0.25)  # fmt: skip
    except (ValueError, TypeError):
        return
    res = run(cfg)
    assert res.rt_ms.shape == (5, len(cfg.soas_ms))
    finite_or_nan = np.isfinite(res.rt_ms) | np.isnan(res.rt_ms)  # NaN: the target never won
    assert finite_or_nan.all()
    assert all(isinstance(f.model, float) or math.isnan(f.model) for f in res.findings)


@FUZZ
@given(
    tau=st.one_of(st.floats(1e-3, 1e3), WILD),
    use=st.one_of(st.floats(0, 10), WILD),
    rates=st.one_of(
        st.lists(st.floats(0, 1e6), min_size=1, max_size=4), st.lists(WILD, max_size=2)
    ),
    t=st.one_of(st.lists(st.floats(-10, 1e4), max_size=5), WILD),
)
def test_depression_keeps_its_promise(tau: Any, use: Any, rates: Any, t: Any) -> None:
    try:
        dep = SynapticDepression(tau, use)
        breaks = np.arange(len(rates), dtype=float) if isinstance(rates, list) else rates
        d = dep.efficacy(t, breaks=breaks, rates=rates)
    except (ValueError, TypeError):
        return
    assert np.isfinite(d).all() and (d >= 0).all() and (d <= 1 + 1e-12).all()
