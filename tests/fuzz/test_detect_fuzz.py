"""Fuzz of the detection app: its library entry points and ``neuroattn detect``.

The promise checked: every call returns what it documents or raises one ValueError /
TypeError; at the command line, exit 0 or exit 2 with exactly one line, no traceback, and
nothing written on failure.

* ``digit_canvases`` with generated arguments: canvases of the asked shape in [0, 1];
* ``dev_family`` with generated sizes and clutter lists;
* ``look`` / ``slide`` on generated images and options with a stand-in classifier;
* ``detection_scores`` on generated arrays;
* ``neuroattn detect predict`` on generated images (any shape, dtype and content).

The config's fuzz is ``test_app_configs_fuzz`` (every application's, one test).
"""

from __future__ import annotations

import contextlib
import io
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

pytest.importorskip("torch")
pytest.importorskip("sklearn")

from neuroattn import cli
from neuroattn.apps.detect import (
    NOTHING,
    DetectConfig,
    detection_scores,
    dev_family,
    digit_canvases,
    look,
    slide,
)

from ._strategies import FUZZ, NUMBERS, SECONDS, arrays, images, to_toml

ERRORS = (ValueError, TypeError)
TINY = {"size": 48, "max_scale": 3, "max_window": 24, "width": 2, "dev_size": 2,
        "test_size": 2, "canvases": 2, "max_steps": 2, "eval_every": 1, "threads": 1,
        "max_seconds": 0.0, "fixations": 3}  # fmt: skip
WILD = st.one_of(NUMBERS, st.booleans(), st.none(), st.text(max_size=6))


class Uniform:
    """A stand-in classifier: every class equally likely but a digit slightly ahead."""

    def probabilities(self, image: np.ndarray, boxes: np.ndarray) -> np.ndarray:
        out = np.full((len(boxes), NOTHING + 1), 1.0 / (NOTHING + 1))
        out[:, 3] += 0.01
        return out


def _run(*argv: str) -> tuple[int, str, list[str], float]:
    out, err = io.StringIO(), io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(argv))
    lines = [ln for ln in err.getvalue().splitlines() if ln.strip()]
    return code, out.getvalue(), lines, time.perf_counter() - start


@FUZZ
@given(
    n=st.one_of(st.integers(0, 3), WILD),
    size=st.one_of(st.integers(10, 70), WILD),
    digits=st.one_of(st.tuples(st.integers(-1, 6), st.integers(-1, 6)), WILD),
    scales=st.one_of(st.lists(st.integers(0, 9), max_size=3), WILD),
    clutter=st.one_of(st.integers(-1, 10), WILD),
    fragment=st.one_of(st.integers(0, 30), WILD),
    seed=st.one_of(st.integers(0, 2**32), WILD),
)
def test_digit_canvases_keeps_its_promise(
    n: Any, size: Any, digits: Any, scales: Any, clutter: Any, fragment: Any, seed: Any
) -> None:
    try:
        data = digit_canvases(n, "dev", size=size, digits=digits, scales=scales,
                              clutter=clutter, fragment=fragment, seed=seed)  # fmt: skip
    except ERRORS:
        return
    assert data.images.shape == (n, size, size) and data.images.dtype == np.float32
    assert n == 0 or (0 <= data.images.min() and data.images.max() <= 1)
    for boxes, labels in zip(data.boxes, data.labels, strict=True):
        assert boxes.shape == (len(labels), 4) and (boxes >= 0).all() and (boxes <= size).all()


@FUZZ
@given(
    sizes=st.one_of(st.lists(st.integers(-4, 70), max_size=2), WILD),
    clutter=st.one_of(st.lists(st.integers(-2, 12), max_size=2), WILD),
)
def test_dev_family_keeps_its_promise(sizes: Any, clutter: Any) -> None:
    config = DetectConfig(size=48, max_scale=3, max_window=24)
    try:
        family = dev_family(config, 1, sizes=sizes, clutter=clutter)
    except ERRORS:
        return
    assert len(family) == len(sizes) * len(clutter)
    for data, side in zip(family, [s for s in sizes for _ in clutter], strict=True):
        assert data.images.shape == (1, side, side)
        assert 0 <= data.images.min() and data.images.max() <= 1


@FUZZ
@given(
    image=arrays(max_dims=3, max_side=40),
    fixations=st.one_of(st.integers(0, 4), WILD),
    sizes=st.one_of(st.lists(st.integers(0, 50), max_size=3), WILD),
    stride=st.one_of(st.floats(0, 1.2), WILD),
    give_up=st.one_of(st.integers(-1, 3), WILD),
    shift=st.one_of(st.floats(-0.1, 0.6), WILD),
    pool=st.one_of(st.sampled_from(["max", "mean", "log", "x"]), WILD),
    per_fixation=st.one_of(st.integers(0, 11), WILD),
)
def test_detectors_keep_their_promise(
    image: np.ndarray,
    fixations: Any,
    sizes: Any,
    stride: Any,
    give_up: Any,
    shift: Any,
    pool: Any,
    per_fixation: Any,
) -> None:
    for call in (
        lambda: look(
            image,
            Uniform(),
            fixations=fixations,
            sizes=sizes,
            give_up=give_up,
            shift=shift,
            pool=pool,
            per_fixation=per_fixation,
        ),
        lambda: slide(image, Uniform(), windows=sizes, stride=stride),
    ):
        try:
            found = call()
        except ERRORS:
            continue
        assert found.boxes.shape == (len(found), 4) and found.calls >= len(found)
        assert np.all((0 <= found.labels) & (found.labels <= 9))


@FUZZ
@given(
    boxes=arrays(max_dims=2, max_side=5),
    labels=arrays(max_dims=1, max_side=5),
    scores=arrays(max_dims=1, max_side=5),
    iou=st.one_of(st.floats(-0.5, 1.5), WILD),
)
def test_detection_scores_keep_their_promise(
    boxes: Any, labels: Any, scores: Any, iou: Any
) -> None:
    truth = [np.array([[0, 0, 10, 10], [5, 5, 20, 20]])]
    try:
        s = detection_scores([(boxes, labels, scores)], truth, [np.array([1, 2])], iou=iou)
    except ERRORS:
        return
    assert 0.0 <= s.map <= 1.0 and 0.0 <= s.recall <= 1.0


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("detect-fuzz")
    config = folder / "tiny.toml"
    config.write_text(to_toml(TINY), encoding="utf-8")
    code, _, err, _ = _run("detect", "train", "-c", str(config), "-o", str(folder / "run"), "-q")
    assert code == 0, err
    return folder / "run"


@FUZZ
@given(
    image=images(48, (20, 60)), plot=st.booleans(), method=st.sampled_from(["look", "slide", "x"])
)
def test_predict_on_generated_images(
    trained: Path, image: np.ndarray, plot: bool, method: str
) -> None:
    with tempfile.TemporaryDirectory(prefix="neuroattn-fuzz-") as tmp:
        path = Path(tmp) / "image.npy"
        np.save(path, image, allow_pickle=image.dtype == object)
        png = Path(tmp) / "boxes.png"
        extra = ["--plot", str(png)] if plot else []
        code, out, err, seconds = _run("detect", "predict", str(trained), str(path),
                                       "--method", method, *extra)  # fmt: skip
        assert seconds < SECONDS and code in (0, 2), (code, err)
        if code == 2:
            assert len(err) == 1 and err[0].startswith("error: "), err
            assert out == "" and not png.exists()
        else:
            assert out.strip().splitlines()[-1].endswith("classifier calls")
            assert png.exists() == plot
        assert {p.name for p in Path(tmp).iterdir()} <= {"image.npy", "boxes.png"}
