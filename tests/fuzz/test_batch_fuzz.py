"""Fuzz of ``neuroattn.vision.batch`` (in this process; the Dask path runs the same
per-image function, see tests/vision/test_batch_dask.py): ``attend_many`` on lists of
generated images, paths and junk, with any options, and ``image_files`` on any folder.

The promise: a ValueError or TypeError, or one entry per image in order — a result with
finite maps and fixations, or (``errors="return"``) that image's ValueError, TypeError or
OSError — within :data:`CALL_SECONDS`.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from neuroattn.vision import batch
from neuroattn.vision._result import AttentionResult

from ._strategies import FUZZ
from .test_vision_fuzz import WILD, assert_finite_map, images, timed

ITEMS = st.one_of(images(), st.sampled_from(["missing.png", Path("nowhere.jpg"), ""]), WILD)
OPTIONS: dict[str, st.SearchStrategy[Any]] = {
    "n_fixations": st.one_of(st.integers(-1, 4), WILD),
    "chunk_size": st.one_of(st.integers(-1, 4), WILD),
    "errors": st.one_of(st.sampled_from(batch.ERRORS), WILD),
    "seed": st.one_of(st.integers(-2, 2**64), WILD),
    "task": st.one_of(st.sampled_from(["red", "orientation=45", "x=1"]), WILD),
    "max_pixels": st.one_of(st.integers(-1, 10**6), WILD),
    "preset": st.one_of(st.just("itti1998"), WILD),
}


@st.composite
def options(draw: Any) -> dict[str, Any]:
    names = draw(st.lists(st.sampled_from(sorted(OPTIONS)), max_size=3, unique=True))
    return {n: draw(OPTIONS[n]) for n in names}


@FUZZ
@given(items=st.one_of(st.lists(ITEMS, max_size=3), WILD), opts=options())
def test_attend_many_keeps_its_promise(items: Any, opts: dict[str, Any]) -> None:
    result, error = timed(lambda: batch.attend_many(items, **opts))
    if error is not None:
        return
    assert isinstance(result, list) and len(result) == len(items)
    for r in result:
        if isinstance(r, BaseException):
            assert opts.get("errors") == "return"
            assert isinstance(r, (ValueError, TypeError, OSError)) and str(r)
            continue
        assert isinstance(r, AttentionResult)
        assert_finite_map(r.saliency)
        for f in r.fixations:
            assert all(math.isfinite(v) for v in (f.x, f.y, f.onset, f.duration, f.latency))


@FUZZ
@given(
    names=st.lists(st.text(min_size=1, max_size=12).filter(lambda s: "/" not in s), max_size=5),
    folder_arg=st.one_of(st.none(), WILD),
)
def test_image_files_keeps_its_promise(names: list[str], folder_arg: Any) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            try:
                (Path(tmp) / name).write_bytes(b"x")
            except (OSError, ValueError):  # names the file system refuses
                pass
        target = tmp if folder_arg is None else folder_arg
        result, error = timed(lambda: batch.image_files(target))
        if error is None:
            assert result == sorted(result) and result
            assert all(p.suffix.lower() in batch.IMAGE_SUFFIXES for p in result)
