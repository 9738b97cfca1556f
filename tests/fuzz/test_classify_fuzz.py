"""Fuzz of the classification app: its library entry points and ``neuroattn classify``.

The promise checked: every call returns what it documents or raises one ValueError /
TypeError; at the command line, exit 0 with the run's files or exit 2 with exactly one
line, no traceback, and nothing written (no run directory, no staging folder, no PNG).

* ``cluttered_digits`` with generated arguments: canvases of the asked shape in [0, 1];
* ``neuroattn classify train -c`` on generated documents and ``--attention`` values
  (training replaced by a stand-in: the settings are fuzzed; ``config_from_mapping``
  itself in ``test_app_configs_fuzz``);
* ``create_model`` and ``FieldGate`` with generated names and options;
* ``shifted_test_set`` with generated conditions;
* ``accuracy`` / ``confusion_matrix`` on generated arrays;
* ``neuroattn classify predict`` on generated images (any shape, dtype and content);
* ``neuroattn classify evaluate --clutter/--scale/--split`` on generated values.
"""

from __future__ import annotations

import contextlib
import io
import math
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

pytest.importorskip("torch")
pytest.importorskip("sklearn")

from neuroattn import cli
from neuroattn.apps.classify import (
    ClassifyConfig,
    FieldGate,
    _cli,
    accuracy,
    cluttered_digits,
    confusion_matrix,
    create_model,
    shifted_test_set,
)

from ._strategies import FUZZ, NUMBERS, SCALARS, SECONDS, arrays, config_docs, images, to_toml

ERRORS = (ValueError, TypeError)
TINY = {"width": 2, "dev_size": 8, "test_size": 8, "batch_size": 4, "max_steps": 2,
        "eval_every": 1, "threads": 1}  # fmt: skip
_NAMES = st.sampled_from(["none", "spatial", "cbam", "competitive"])
NAME_VALUES = st.one_of(_NAMES, _NAMES, st.sampled_from(["NONE", "", "[red]x", "softmax"]),
                        st.text(max_size=8))  # fmt: skip
NEAR_VALUES = st.one_of(st.integers(-2, 80), st.floats(-0.5, 1.5), _NAMES)
CONFIG_DOCS = config_docs(ClassifyConfig, base=TINY, near=NEAR_VALUES)
WILD = st.one_of(NUMBERS, st.booleans(), st.none(), st.text(max_size=6))


def _run(*argv: str) -> tuple[int, str, list[str], float]:
    out, err = io.StringIO(), io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(argv))
    lines = [ln for ln in err.getvalue().splitlines() if ln.strip()]
    return code, out.getvalue(), lines, time.perf_counter() - start


@FUZZ
@given(
    n=st.one_of(st.integers(0, 5), WILD),
    split=st.one_of(st.sampled_from(["train", "dev", "test"]), WILD),
    size=st.one_of(st.integers(8, 70), WILD),
    scale=st.one_of(st.integers(1, 3), WILD),
    clutter=st.one_of(st.integers(0, 6), WILD),
    fragment=st.one_of(st.integers(1, 10), WILD),
    seed=st.one_of(st.integers(0, 2**32), WILD),
)
def test_cluttered_digits_keeps_its_promise(
    n: Any, split: Any, size: Any, scale: Any, clutter: Any, fragment: Any, seed: Any
) -> None:
    try:
        data = cluttered_digits(n, split, size=size, scale=scale, clutter=clutter,
                                fragment=fragment, seed=seed)  # fmt: skip
    except ERRORS:
        return
    assert data.images.shape == (n, 1, size, size) and data.labels.shape == (n,)
    assert data.images.dtype == np.float32
    assert n == 0 or (0 <= data.images.min() and data.images.max() <= 1)
    assert np.all((0 <= data.labels) & (data.labels <= 9))


@contextlib.contextmanager
def _stand_in() -> Iterator[list[ClassifyConfig]]:
    """``train`` records its config and returns at once."""
    seen: list[ClassifyConfig] = []

    def train(config: ClassifyConfig, **kwargs: Any) -> Any:
        seen.append(config)
        model = create_model(config.attention, **config.model_options())
        return SimpleNamespace(step=0, seconds=0.0, stopped="max_steps", best_dev=math.nan,
                               history=(), classifier=SimpleNamespace(model=model))  # fmt: skip

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_cli, "train", train)
        yield seen


def _promise(folder: Path, code: int, err: list[str], seconds: float) -> None:
    run_dir = folder / "run"
    assert seconds < SECONDS, f"took {seconds:.1f} s"
    assert code in (0, 2), (code, err)
    assert not any("Traceback" in line for line in err), err
    if code == 2:
        assert len(err) == 1 and err[0].startswith("error: "), err
        assert not run_dir.exists()
    else:
        assert sorted(p.name for p in run_dir.iterdir()) == ["config.toml", "train.json"]
    assert not [p.name for p in folder.iterdir() if p.name.startswith(".run.")]


@FUZZ
@given(doc=CONFIG_DOCS, table=st.booleans(), attention=st.one_of(st.none(), NAME_VALUES))
def test_train_on_generated_configs(doc: dict[str, Any], table: bool, attention: Any) -> None:
    with tempfile.TemporaryDirectory(prefix="neuroattn-fuzz-") as tmp, _stand_in() as seen:
        folder = Path(tmp)
        path = folder / "config.toml"
        path.write_text(to_toml({"classify": doc} if table else doc), encoding="utf-8")
        extra = [] if attention is None else ["--attention", attention]
        code, _, err, seconds = _run("classify", "train", "-c", str(path), *extra, "-o",
                                     str(folder / "run"), "-q")  # fmt: skip
        _promise(folder, code, err, seconds)
        if code == 0:
            assert len(seen) == 1 and seen[0] == _cli.load_config(folder / "run" / "config.toml")


@FUZZ
@given(name=NAME_VALUES, width=st.one_of(st.integers(-1, 6), WILD),
       kernel=st.one_of(st.integers(-1, 9), WILD),
       pool=st.one_of(st.sampled_from(["gated", "mean"]), WILD))  # fmt: skip
def test_create_model_keeps_its_promise(name: Any, width: Any, kernel: Any, pool: Any) -> None:
    try:
        model = create_model(name, width=width, kernel_size=kernel, pool=pool)
    except ERRORS:
        return
    import torch

    assert model(torch.rand(1, 1, 16, 16)).shape == (1, 10)


@FUZZ
@given(steps=st.one_of(st.integers(-1, 5), WILD), dt=st.one_of(st.floats(-1, 2), WILD),
       a_exc=SCALARS, sigma_exc=SCALARS, a_inh=SCALARS, sigma_inh=SCALARS)  # fmt: skip
def test_field_gate_keeps_its_promise(
    steps: Any, dt: Any, a_exc: Any, sigma_exc: Any, a_inh: Any, sigma_inh: Any
) -> None:
    import torch

    try:
        gate = FieldGate(3, steps=steps, dt=dt, a_exc=a_exc, sigma_exc=sigma_exc, a_inh=a_inh,
                         sigma_inh=sigma_inh)  # fmt: skip
        out = gate.attention_map(torch.rand(2, 3, 5, 6))
    except ERRORS:
        return
    assert out.shape == (2, 1, 5, 6)


@FUZZ
@given(clutter=st.one_of(st.none(), st.integers(-1, 66), WILD),
       scale=st.one_of(st.none(), st.integers(0, 9), WILD),
       fragment=st.one_of(st.none(), st.integers(0, 40), WILD))  # fmt: skip
def test_shifted_test_set_keeps_its_promise(clutter: Any, scale: Any, fragment: Any) -> None:
    config = ClassifyConfig(**{**TINY, "test_size": 3})
    try:
        data = shifted_test_set(config, clutter=clutter, scale=scale, fragment=fragment)
    except ERRORS:
        return
    assert data.images.shape == (3, 1, 60, 60) and data.images.dtype == np.float32
    side = 8 * (config.scale if scale is None else scale)
    assert np.all(data.boxes[:, 2] - data.boxes[:, 0] == side)


@FUZZ
@given(predicted=arrays(max_dims=2, max_side=5), true=arrays(max_dims=2, max_side=5),
       classes=st.one_of(st.integers(-1, 12), WILD))  # fmt: skip
def test_metrics_keep_their_promise(predicted: Any, true: Any, classes: Any) -> None:
    try:
        value = accuracy(predicted, true)
    except ERRORS:
        value = None
    assert value is None or 0.0 <= value <= 1.0
    try:
        matrix = confusion_matrix(predicted, true, classes=classes)
    except ERRORS:
        return
    assert matrix.shape == (classes, classes) and matrix.sum() == len(true)


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("classify-fuzz")
    config = folder / "tiny.toml"
    config.write_text(to_toml(TINY), encoding="utf-8")
    code, _, err, _ = _run("classify", "train", "--attention", "spatial", "-c", str(config),
                           "-o", str(folder / "run"), "-q")  # fmt: skip
    assert code == 0, err
    return folder / "run"


@FUZZ
@given(image=images(60, (59, 60)), plot=st.booleans())
def test_predict_on_generated_images(trained: Path, image: np.ndarray, plot: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="neuroattn-fuzz-") as tmp:
        path = Path(tmp) / "image.npy"
        np.save(path, image, allow_pickle=image.dtype == object)
        png = Path(tmp) / "map.png"
        extra = ["--plot", str(png)] if plot else []
        code, out, err, seconds = _run("classify", "predict", str(trained), str(path), *extra)
        assert seconds < SECONDS and code in (0, 2), (code, err)
        if code == 2:
            assert len(err) == 1 and err[0].startswith("error: "), err
            assert out == "" and not png.exists()
        else:
            assert out.split()[0] in [str(d) for d in range(10)]
            assert png.exists() == plot
        assert {p.name for p in Path(tmp).iterdir()} <= {"image.npy", "map.png"}


@FUZZ
@given(clutter=st.one_of(st.none(), st.integers(-2, 70)), scale=st.one_of(st.none(),
       st.integers(-1, 10)), split=st.sampled_from(["test", "dev", "train"]))  # fmt: skip
def test_evaluate_held_out_conditions(trained: Path, clutter: Any, scale: Any, split: str) -> None:
    extra = [] if clutter is None else ["--clutter", str(clutter)]
    extra += [] if scale is None else ["--scale", str(scale)]
    code, out, err, seconds = _run("classify", "evaluate", str(trained), "--split", split, *extra)
    assert seconds < SECONDS and code in (0, 2), (code, err)
    if code == 2:
        assert len(err) == 1 and err[0].startswith("error: ") and out == "", err
    else:
        assert "canvases: accuracy" in out
