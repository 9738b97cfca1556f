"""Fuzz of issue 10's quitting and drive (``neuroattn.vision._quitting``, the competition's
``priority_drive``/``quit_threshold``/``peak``): ValueError/TypeError or a sound result."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from neuroattn.vision import WinnerTakeAll
from neuroattn.vision._quitting import adapted_threshold

from ._strategies import FUZZ, NUMBERS

WILD = st.one_of(NUMBERS, st.booleans(), st.none(), st.text(max_size=4))


@FUZZ
@given(
    priorities=st.one_of(st.lists(st.one_of(NUMBERS, st.floats(0, 1)), max_size=6), WILD),
    miss_rate=st.one_of(st.floats(-0.1, 0.7), WILD),
)
def test_adapted_threshold_keeps_its_promise(priorities: Any, miss_rate: Any) -> None:
    try:
        thr = adapted_threshold(priorities, miss_rate=miss_rate)
    except (ValueError, TypeError):
        return
    p = np.asarray(priorities, float)
    assert p.min() <= thr <= p.max() and np.mean(p < thr) <= miss_rate


@FUZZ
@given(
    drive=st.one_of(st.floats(0, 100), WILD),
    quit_=st.one_of(st.floats(0, 2), WILD),
    peak=st.one_of(st.floats(0, 10), WILD),
    seed=st.integers(0, 100),
)
def test_competition_with_drive_and_threshold_keeps_its_promise(
    drive: Any, quit_: Any, peak: Any, seed: int
) -> None:
    sal = np.random.default_rng(seed).random((8, 8)) ** 4
    try:
        wta = WinnerTakeAll(priority_drive=drive, quit_threshold=quit_, max_latency=20.0)
        ((fixations, trace),) = wta(sal, n_fixations=3, peak=peak)
    except (ValueError, TypeError):
        return
    assert 0 <= len(fixations) <= 3 and np.isfinite(trace.rates).all()
    assert all(np.isfinite([f.x, f.y, f.onset, f.duration]).all() for f in fixations)
