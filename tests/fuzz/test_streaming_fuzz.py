"""Fuzz of auditory streaming (``neuroattn.hearing.simulate_streaming``, ``StreamingModel``,
``gamma_shape``) and of the streaming experiment's config: every call raises
ValueError/TypeError or returns a well-formed, finite result."""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from neuroattn.experiments.streaming import StreamingConfig, run
from neuroattn.hearing import StreamingModel, gamma_shape, simulate_streaming

from ._strategies import FUZZ, NUMBERS, SECONDS

WILD = st.one_of(NUMBERS, st.booleans(), st.none(), st.text(max_size=5))
ARRAYS = st.one_of(
    NUMBERS,
    st.lists(NUMBERS, max_size=3),
    st.lists(st.floats(0.0, 20.0), min_size=1, max_size=3),
    st.sampled_from([np.zeros((2, 0)), np.array([1 + 2j]), np.array([True])]),
)
MODEL_FIELDS = [
    "spread", "tone_ms", "fast_recovery_ms", "fast_use", "slow_recovery_ms", "slow_use",
    "gain", "core", "excitation", "excitation_width", "inhibition", "inhibition_width",
    "beta", "slope", "threshold", "spacing", "margin", "tuning", "bridge",
    "adaptation_ms", "adaptation", "noise", "memory_ms", "memory", "drift_ms", "drift",
    "tau_ms", "dt",
]  # fmt: skip


@st.composite
def streaming_calls(draw: st.DrawFn) -> dict[str, Any]:
    """Short valid calls with at most one argument (or model field) replaced."""
    kw: dict[str, Any] = {
        "delta_f": draw(
            st.one_of(st.floats(0.0, 20.0), st.lists(st.floats(0, 20), min_size=1, max_size=3))
        ),
        "trt_ms": draw(st.floats(50.0, 200.0)),
        "duration_s": draw(st.floats(2.0, 4.0)),
        "seed": draw(st.integers(0, 2**31)),
        "model": None,
    }
    bad = draw(st.sampled_from([None, "delta_f", "trt_ms", "duration_s", "seed", "model"]))
    if bad in ("delta_f", "trt_ms"):
        kw[bad] = draw(ARRAYS)
    elif bad in ("duration_s", "seed"):
        kw[bad] = draw(WILD)
    elif bad == "model":
        field = draw(st.sampled_from(MODEL_FIELDS))
        kw["model"] = {field: draw(st.one_of(WILD, st.floats(0.01, 50.0)))}
    return kw


@FUZZ
@given(kw=streaming_calls())
def test_simulate_streaming_keeps_its_promise(kw: dict[str, Any]) -> None:
    start = time.perf_counter()
    try:
        if isinstance(kw["model"], dict):
            kw["model"] = StreamingModel(**kw["model"])
        res = simulate_streaming(kw.pop("delta_f"), kw.pop("trt_ms"), **kw)
    except (ValueError, TypeError):
        return
    assert time.perf_counter() - start < SECONDS
    p = res.one_stream_fraction()
    assert p.shape == res.delta_f.shape and ((p >= 0) & (p <= 1)).all()
    assert set(np.unique(res.percept)) <= {-1, 0, 1}
    assert np.isfinite(res.phase_durations()).all()


@FUZZ
@given(values=st.one_of(ARRAYS, st.lists(st.floats(0.01, 100.0), min_size=3, max_size=20)))
def test_gamma_shape_keeps_its_promise(values: Any) -> None:
    try:
        shape, scale = gamma_shape(values)
    except (ValueError, TypeError):
        return
    assert shape > 0 and scale >= 0


CONFIG_GOOD = {
    "delta_f": st.just((1.0, 8.0, 12.0)),
    "trt_ms": st.lists(st.floats(40.0, 160.0), min_size=2, max_size=2, unique=True).map(
        lambda xs: tuple(sorted(xs))
    ),
    "duration_s": st.floats(4.0, 8.0),
    "trials": st.integers(2, 3),
    "bistable_delta_f": st.floats(0.0, 15.0),
    "bistable_trt_ms": st.floats(50.0, 150.0),
    "buildup_s": st.floats(1.0, 4.0),
    "seed": st.integers(0, 2**31),
}


@st.composite
def configs(draw: st.DrawFn) -> dict[str, Any]:
    values = {k: draw(v) for k, v in CONFIG_GOOD.items()}
    bad = draw(st.sampled_from([None, *CONFIG_GOOD]))
    if bad is not None:
        values[bad] = draw(st.one_of(WILD, st.lists(NUMBERS, max_size=3)))
    return values


@FUZZ
@given(values=configs())
def test_streaming_config_keeps_its_promise(values: dict[str, Any]) -> None:
    try:
        result = run(StreamingConfig(**values))
    except (ValueError, TypeError):
        return
    for name, v in result.variables.items():
        if name not in ("tcb", "fb"):  # NaN: the boundary is not within the grid
            assert np.isfinite(v.values).all()
    for f in result.findings:
        assert math.isfinite(f.model) or not f.agrees
