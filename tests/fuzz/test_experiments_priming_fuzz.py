"""Fuzz of experiment 6 (priming of pop-out): generated settings give a ValueError/TypeError
or a finite result (runs are kept tiny: two repetitions, one probe)."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from neuroattn.experiments.priming import PrimingConfig, run

from ._strategies import FUZZ, NUMBERS

WILD = st.one_of(NUMBERS, st.booleans(), st.none(), st.text(max_size=4))


@FUZZ
@given(
    split=st.one_of(st.sampled_from(["held-out", "tuning"]), WILD),
    family_seed=st.one_of(st.integers(0, 50), WILD),
    set_size=st.one_of(st.integers(1, 50), WILD),
    decay=st.one_of(st.floats(0, 1), WILD),
    boost=st.one_of(st.floats(0, 3), WILD),
    n_fixations=st.one_of(st.integers(0, 3), WILD),
)
def test_priming_config_keeps_its_promise(
    split: Any, family_seed: Any, set_size: Any, decay: Any, boost: Any, n_fixations: Any
) -> None:
    try:
        cfg = PrimingConfig(split=split, family_seed=family_seed, set_size=set_size,
                            history_decay=decay, history_boost=boost, n_fixations=n_fixations,
                            repetitions=2, probes=1)  # fmt: skip
    except (ValueError, TypeError):
        return
    res = run(cfg)
    assert res.rt_ms.shape == (2, 3) and res.found.shape == (2, 3)
    assert (np.isfinite(res.rt_ms) | (res.found == 0)).all()  # NaN only when nothing found
    assert ((res.found >= 0) & (res.found <= 1)).all()
