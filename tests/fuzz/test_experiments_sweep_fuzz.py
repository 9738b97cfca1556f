"""Fuzz of ``neuroattn.experiments.sweep``: configs built from generated values, and TOML
documents of any content.

The promise: a ValueError or TypeError naming what is wrong, or a dataset over the grid's
axes whose every network either ran (finite rates in [0, 1], a winner among the units) or
is marked ``failed``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from neuroattn.experiments.sweep import SWEEPABLE, SweepConfig, parse_sweep_config, run_sweep

from ._strategies import FUZZ, NUMBERS, TOML_VALUES
from .test_vision_fuzz import WILD

ERRORS = (ValueError, TypeError)
WORK = 2e7  # most (points × N² × steps) run per example: the rest are only checked
# each draw is valid nine times in ten (so that most reach the simulation), else anything
BAD_NAMES = st.sampled_from(["n", "t_end", "bogus", "", "1x"])
GOOD_AXIS = st.lists(st.floats(0, 3), min_size=1, max_size=3, unique=True)
BAD_AXIS = st.one_of(
    st.lists(st.one_of(st.floats(-3, 3), NUMBERS), max_size=3), st.lists(WILD, max_size=2), WILD
)
FIXED: dict[str, st.SearchStrategy[Any]] = {
    "n": st.one_of(st.integers(-1, 8), WILD),
    "t_end": st.one_of(st.sampled_from([0.5, 2.0, 5.0]), NUMBERS),
    "dt": st.one_of(st.sampled_from([0.01, 0.1, 0.5]), NUMBERS),
    "window": st.one_of(st.sampled_from([0.1, 1.0]), NUMBERS),
    "method": st.one_of(st.sampled_from(["auto", "euler", "rk4", "dopri5"]), WILD),
    "noise": st.one_of(st.sampled_from([0.0, 0.1]), NUMBERS),
    "weight": NUMBERS,
    "gain": NUMBERS,
}


@st.composite
def configs(draw: Any) -> dict[str, Any]:
    def valid() -> bool:
        return draw(st.integers(0, 9)) > 0

    grid = {}
    for _ in range(draw(st.integers(1, 3))):
        name = draw(st.sampled_from(SWEEPABLE) if valid() else BAD_NAMES)
        grid[name] = draw(GOOD_AXIS if valid() else BAD_AXIS)
    names = draw(st.lists(st.sampled_from(sorted(FIXED)), max_size=3, unique=True))
    fixed = {"t_end": 2.0, "dt": 0.1, "window": 1.0, "n": 4}
    fixed |= {n: draw(FIXED[n]) for n in names}
    options: dict[str, Any] = {"chunk_size": draw(st.integers(1, 5))}
    if not valid():
        options["chunk_size"] = draw(st.one_of(st.integers(-1, 0), WILD))
    if not valid():
        options["seed"] = draw(st.one_of(st.integers(-1, 2**64), WILD))
    if not valid():
        options["target"] = draw(st.one_of(st.sampled_from(["competition", "nope"]), WILD))
    return {"grid": grid, "fixed": fixed, **options}


def _work(cfg: SweepConfig) -> float:
    spec = cfg.network()
    return cfg.n_points * spec.n**2 * spec.t_end / spec.dt


@FUZZ
@given(kw=configs())
def test_sweep_configs_keep_their_promise(kw: dict[str, Any]) -> None:
    try:
        cfg = SweepConfig(kw.pop("grid"), **kw)
    except ERRORS as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    if cfg.target != "competition" or _work(cfg) > WORK:
        return
    ds = run_sweep(cfg)
    n = cfg.network().n
    assert tuple(ds["rate"].dims) == (*cfg.grid, "unit") and ds.sizes["unit"] == n
    failed = ds["failed"].values
    rate = ds["rate"].values[~failed]
    assert np.isfinite(rate).all() and (rate >= 0).all() and (rate <= 1).all()
    winner = ds["winner"].values
    assert ((winner >= 0) & (winner < n))[~failed].all() and (winner[failed] == -1).all()
    assert not math.isnan(float(np.nansum(ds["drift"].values)))


@FUZZ
@given(
    doc=st.dictionaries(
        st.sampled_from(["sweep", "fixed", "grid", "other"]),
        st.one_of(st.dictionaries(st.sampled_from([*SWEEPABLE, "target", "num"]), TOML_VALUES,
                                  max_size=3), TOML_VALUES),
        max_size=3,
    )
)  # fmt: skip
def test_parsed_documents_are_a_config_or_one_clear_error(doc: dict[str, Any]) -> None:
    try:
        cfg = parse_sweep_config(doc)
    except ERRORS as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert cfg.n_points >= 1 and cfg.n_chunks >= 1
