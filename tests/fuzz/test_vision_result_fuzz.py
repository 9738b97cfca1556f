"""Fuzz of an attention result's own entry points: ``saliency_at`` (any shape argument)
and ``to_xarray`` / ``plot`` of results of generated images.

The promise: ValueError or TypeError, or a finite result of the documented shape, within
:data:`~.test_vision_fuzz.CALL_SECONDS`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from neuroattn import vision

from ._strategies import FUZZ, NUMBERS
from .test_vision_fuzz import WILD, images, timed

SIDES = st.one_of(st.integers(-2, 3000), NUMBERS, st.booleans(), st.just(10**12))
SHAPES = st.one_of(
    st.tuples(SIDES, SIDES),
    st.lists(SIDES, max_size=3),
    st.lists(SIDES, min_size=2, max_size=2).map(np.array),
    WILD,
)


@pytest.fixture(scope="module")
def result() -> Any:
    img = np.zeros((96, 128, 3), np.uint8)
    img[40:56, 80:96] = (255, 0, 0)
    return vision.attend(img, n_fixations=2)


@FUZZ
@given(shape=SHAPES)
def test_saliency_at_keeps_its_promise(result: Any, shape: Any) -> None:
    out, error = timed(lambda: result.saliency_at(shape))
    if error is None:
        assert out.shape == tuple(int(n) for n in shape) and np.isfinite(out).all()
        assert out.min() >= 0 and not out.flags.writeable


@FUZZ
@given(image=images())
def test_result_views_keep_their_promise(image: Any) -> None:
    import matplotlib.pyplot as plt

    xr = pytest.importorskip("xarray")
    res, error = timed(lambda: vision.attend(image, n_fixations=2))
    if error is not None:
        return
    for r in res if isinstance(res, list) else [res]:
        ds, _ = timed(r.to_xarray)
        assert isinstance(ds, xr.Dataset) and ds["saliency"].dims == ("y", "x")
        assert all(np.isfinite(ds[v].values).all() for v in ds.data_vars)
        assert all(math.isfinite(v) for v in (ds.attrs["scale"], ds.attrs["level"]))
        fig, _ = timed(lambda r=r: r.plot("overview"))
        plt.close(fig)
