"""Fuzz of ``neuroattn.vision``: saliency, attend, search arrays, targets, image files and
the metrics, called with generated images (any small shape, dtype and content: NaN, inf,
huge, empty, complex, bool) and options (valid, extreme or of the wrong kind).

The promise checked, for every call: it raises ValueError or TypeError, or returns a result
of the documented shape with no NaN or inf in it, within :data:`CALL_SECONDS`.
"""

from __future__ import annotations

import math
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from neuroattn import vision
from neuroattn.vision import metrics

from ._strategies import FUZZ, NUMBERS, arrays

ERRORS = (ValueError, TypeError)
CALL_SECONDS = 10.0

WILD = st.one_of(
    NUMBERS,
    st.booleans(),
    st.none(),
    st.text(max_size=5),
    st.sampled_from([1j, [], [math.nan], (0.0, 45.0), {"intensity": math.inf}, "hybrid"]),
)
# options of saliency() with a valid range each; a draw is valid, extreme or wild
OPTIONS: dict[str, st.SearchStrategy[Any]] = {
    "levels": st.integers(-1, 12),
    "first_level": st.integers(-1, 6),
    "map_level": st.integers(-1, 12),
    "centres": st.lists(st.integers(-1, 8), max_size=4).map(tuple),
    "deltas": st.lists(st.integers(-1, 6), max_size=3).map(tuple),
    "normalization": st.sampled_from(["hybrid", "iterative", "maxnorm", "none", "other"]),
    "iterations": st.integers(-1, 10**9),
    "min_contrast": st.floats(allow_nan=True, allow_infinity=True),
    "orientations": st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=5).map(tuple),
    "weights": st.dictionaries(
        st.sampled_from(["intensity", "colour", "orientation", "motion"]),
        st.floats(allow_nan=True, allow_infinity=True),
        max_size=3,
    ),
    "gabor_wavelength": NUMBERS,
    "max_side": st.integers(-1, 10**6),
    "preset": st.sampled_from(["itti1998", "nope"]),
    "channel_axis": st.sampled_from([-1, 0, None, 2, 5]),
}


@st.composite
def images(draw: Any) -> Any:
    """Mostly small real images (grey or RGB, any dtype and content), sometimes anything."""
    if draw(st.integers(0, 3)) == 0:
        return draw(st.one_of(arrays(max_dims=4, max_side=12), WILD))
    h, w = draw(st.integers(1, 48)), draw(st.integers(1, 48))
    shape = (h, w) if draw(st.booleans()) else (h, w, draw(st.sampled_from([1, 3, 4])))
    img = draw(arrays(max_dims=0))  # a dtype and fill pattern, applied below
    rng = np.random.default_rng(draw(st.integers(0, 999)))
    base = rng.uniform(0, 1, shape)
    kind = draw(st.sampled_from(["float", "uint8", "bool", "constant", "nan", "huge"]))
    out = {
        "float": base,
        "uint8": (base * 255).astype(np.uint8),
        "bool": base > 0.5,
        "constant": np.full(shape, 0.3),
        "nan": np.where(base > 0.9, np.nan, base),
        "huge": base * 1e300,
    }[kind]
    del img
    return out


@st.composite
def options(draw: Any) -> dict[str, Any]:
    names = draw(st.lists(st.sampled_from(sorted(OPTIONS)), max_size=2, unique=True))
    return {n: draw(st.one_of(OPTIONS[n], WILD)) for n in names}


def timed(fn: Callable[[], Any]) -> tuple[Any, BaseException | None]:
    start = time.perf_counter()
    try:
        result, error = fn(), None
    except ERRORS as exc:
        result, error = None, exc
    took = time.perf_counter() - start
    assert took < CALL_SECONDS, f"took {took:.1f} s"
    return result, error


def assert_finite_map(m: Any) -> None:
    m = np.asarray(m)
    assert m.ndim == 2 and m.size > 0, m.shape
    assert np.isfinite(m).all()


@FUZZ
@given(image=images(), opts=options())
def test_saliency_keeps_its_promise(image: Any, opts: dict[str, Any]) -> None:
    result, error = timed(lambda: vision.saliency(image, **opts))
    if error is None:
        maps = result if isinstance(result, list) else [result]
        for m in maps:
            assert_finite_map(m)


@FUZZ
@given(
    image=images(),
    task=st.one_of(st.none(), st.sampled_from(["red", "orientation=45", "bright", "x=1"]), WILD),
    n=st.one_of(st.integers(-1, 8), WILD),
)
def test_attend_keeps_its_promise(image: Any, task: Any, n: Any) -> None:
    result, error = timed(lambda: vision.attend(image, task=task, n_fixations=n))
    if error is None:
        results = result if isinstance(result, list) else [result]
        for r in results:
            assert_finite_map(r.saliency)
            for f in r.fixations:
                values = (f.x, f.y, f.onset, f.duration, f.latency)
                assert all(math.isfinite(v) for v in values), f


@FUZZ
@given(
    kind=st.one_of(st.sampled_from(["colour", "orientation", "size", "conjunction"]), WILD),
    set_size=st.one_of(st.integers(-1, 60), WILD),
    size=st.one_of(
        st.tuples(st.integers(-1, 600), st.integers(-1, 600)),
        st.sampled_from([(40000, 40000), (0, 0)]),
        WILD,
    ),
    item_length=st.one_of(st.none(), NUMBERS),
    seed=st.one_of(st.integers(0, 99), WILD),
)
def test_search_array_keeps_its_promise(
    kind: Any, set_size: Any, size: Any, item_length: Any, seed: Any
) -> None:
    result, error = timed(
        lambda: vision.search_array(kind, set_size, size=size, item_length=item_length, seed=seed)
    )
    if error is None:
        img = np.asarray(result.image)
        assert img.shape[:2] == tuple(size) and np.isfinite(img).all()
        assert result.target_mask.shape == img.shape[:2]


@FUZZ
@given(spec=st.one_of(st.text(max_size=30), WILD))
def test_parse_target_keeps_its_promise(spec: Any) -> None:
    timed(lambda: vision.parse_target(spec))


@FUZZ
@given(data=st.binary(max_size=200), suffix=st.sampled_from([".png", ".npy", ".jpg", ".tif"]))
def test_read_image_on_random_bytes(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"x{suffix}"
        path.write_bytes(data)
        result, error = timed(lambda: vision.io.read_image(path))
        if error is None:
            assert np.isfinite(np.asarray(result, dtype=float)).all()


MAP_METRICS = ("cc", "kld", "sim")
FIXATION_METRICS = ("nss", "auc_judd", "auc_borji")


@FUZZ
@given(
    a=st.one_of(arrays(max_dims=3, max_side=8), WILD),
    b=st.one_of(arrays(max_dims=3, max_side=8), WILD),
    name=st.sampled_from(MAP_METRICS),
)
def test_map_metrics_keep_their_promise(a: Any, b: Any, name: str) -> None:
    result, error = timed(lambda: getattr(metrics, name)(a, b))
    if error is None:
        assert math.isfinite(result), (name, result)


@FUZZ
@given(
    sal=st.one_of(arrays(max_dims=3, max_side=8), WILD),
    fix=st.one_of(
        arrays(max_dims=2, max_side=5),
        st.lists(st.tuples(NUMBERS, NUMBERS), max_size=4),
        WILD,
    ),
    name=st.sampled_from(FIXATION_METRICS),
)
def test_fixation_metrics_keep_their_promise(sal: Any, fix: Any, name: str) -> None:
    result, error = timed(lambda: getattr(metrics, name)(sal, fix))
    if error is None:
        assert math.isfinite(result), (name, result)
