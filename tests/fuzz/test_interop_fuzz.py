"""Fuzz of ``neuroattn.vision.interop.pysaliency_model`` with any options: a ValueError,
TypeError or (pysaliency missing or broken) ImportError, or a model whose map of a small
image is finite and of the image's shape."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from neuroattn.vision import interop, search_array

from ._strategies import FUZZ
from .test_vision_fuzz import WILD

OPTIONS: dict[str, st.SearchStrategy[Any]] = {
    "config": WILD,
    "preset": st.one_of(st.just("itti1998"), WILD),
    "task": st.one_of(st.sampled_from(["red", "orientation=45", "bright", "x=1"]), WILD),
    "caching": st.one_of(st.booleans(), WILD),
}
IMAGE = search_array("colour", 9, seed=0, size=(64, 80)).image


@FUZZ
@given(names=st.lists(st.sampled_from(sorted(OPTIONS)), max_size=3, unique=True), data=st.data())
def test_pysaliency_model_keeps_its_promise(names: list[str], data: Any) -> None:
    opts = {n: data.draw(OPTIONS[n]) for n in names}
    try:
        model = interop.pysaliency_model(**opts)
    except (ValueError, TypeError, ImportError) as exc:
        assert str(exc)
        return
    out = model.saliency_map(IMAGE)
    assert out.shape == IMAGE.shape[:2] and np.isfinite(out).all()
