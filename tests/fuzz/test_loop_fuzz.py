"""Fuzz of the closed loop: ``attend(cue=…)``, ``Pipeline.run_trials`` and the field's
settings, with generated images, cues, targets, states and TopDown options.

The promise: a ValueError or TypeError, or results whose fixations and maps are finite and
inside the image, within :data:`CALL_SECONDS`.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from neuroattn.vision import AttentionField, LoopState, Pipeline, Spot, TopDown

from ._strategies import FUZZ, NUMBERS

ERRORS = (ValueError, TypeError)
CALL_SECONDS = 20.0

CUES = st.one_of(
    st.none(),
    st.tuples(NUMBERS, NUMBERS),
    st.lists(st.tuples(st.floats(-50, 150), st.floats(-50, 150)), max_size=3),
    st.sampled_from(["left", [1, 2, 3], [[1, 2, 3]], {"x": 1}, 5, [], [[]]]),
)
SETTINGS = st.fixed_dictionaries(
    {},
    optional={
        "loop": st.one_of(st.booleans(), NUMBERS),
        "field_peak": st.one_of(NUMBERS, st.floats(1, 5)),
        "field_width": st.one_of(NUMBERS, st.floats(0.01, 1)),
        "pool_width": st.one_of(NUMBERS, st.floats(0.01, 1)),
        "history_decay": st.one_of(NUMBERS, st.floats(0, 1)),
        "history_boost": st.one_of(NUMBERS, st.floats(0, 3)),
    },
)
HISTORY = st.dictionaries(
    st.sampled_from(["red", "green", "orientation_0", "intensity_on", "nonsense"]),
    st.one_of(NUMBERS, st.floats(0.1, 5)),
    max_size=3,
)


def _image(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    img = np.full((64, 96, 3), int(rng.integers(0, 256)), np.uint8)
    for _ in range(int(rng.integers(0, 4))):
        x, y = int(rng.integers(0, 90)), int(rng.integers(0, 58))
        img[y : y + 6, x : x + 4] = rng.integers(0, 256, 3)
    return img


def _check(results: Any, shape: tuple[int, int]) -> None:
    for r in results:
        assert np.isfinite(r.saliency_map).all()
        for f in r.fixations:
            assert all(math.isfinite(v) for v in (f.x, f.y, f.onset, f.latency, f.duration))
            assert -1 <= f.x <= shape[1] + 1 and -1 <= f.y <= shape[0] + 1


@FUZZ
@given(settings=SETTINGS, cue=CUES, history=HISTORY, seed=st.integers(0, 3))
def test_attend_with_a_field(settings: dict[str, Any], cue: Any, history: Any, seed: int) -> None:
    start = time.perf_counter()
    try:
        pipe = Pipeline(feedback=TopDown(**settings))
        state = LoopState(history)
        result = pipe.attend(_image(seed), n_fixations=3, cue=cue, state=state)
    except ERRORS:
        return
    finally:
        assert time.perf_counter() - start < CALL_SECONDS
    _check([result], (64, 96))


@FUZZ
@given(
    n=st.integers(0, 3),
    targets=st.one_of(
        st.none(),
        st.lists(st.sampled_from([None, "mask", "empty", "wrong", 3]), min_size=0, max_size=4),
    ),
    cues=st.one_of(st.none(), st.lists(CUES, max_size=4)),
    state=st.one_of(st.none(), HISTORY.map(LoopState), st.sampled_from([{}, 1, "x"])),
)
def test_run_trials(n: int, targets: Any, cues: Any, state: Any) -> None:
    images = [_image(k) for k in range(n)]
    masks = {
        "mask": np.pad(np.ones((8, 8), bool), ((20, 36), (40, 48))),
        "empty": np.zeros((64, 96), bool),
        "wrong": np.ones((3, 3), bool),
    }
    if targets is not None:
        targets = [masks.get(t, t) if isinstance(t, str) else t for t in targets]
    start = time.perf_counter()
    try:
        trials = Pipeline().run_trials(
            images, targets=targets, cues=cues, state=state, n_fixations=2
        )
    except ERRORS:
        return
    finally:
        assert time.perf_counter() - start < CALL_SECONDS
    assert len(trials) == n == len(trials.states)
    _check(trials.results, (64, 96))
    assert all(math.isfinite(g) and g > 0 for g in trials.state.history.values())


@FUZZ
@given(
    spots=st.lists(st.tuples(NUMBERS, NUMBERS, NUMBERS, NUMBERS), max_size=3),
    gains=HISTORY,
)
def test_attention_fields(spots: Any, gains: Any) -> None:
    try:
        field = AttentionField(tuple(Spot(*s) for s in spots), gains)
    except ERRORS:
        return
    a = field.spatial((8, 12), (64, 96))
    assert a.shape == (8, 12) and np.isfinite(a).all() and (a > 0).all()
