"""Fuzz the ``neuroattn`` command: generated bad configs and files for every sub-command.

The promise (design brief §3): bad input gets exit code 2 and exactly one line on stderr,
no traceback, no output folder or staging folder left behind, no NaN in what is written,
and every run ends within a time bound.
"""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from neuroattn import cli

from ._strategies import FUZZ, SECONDS, TOML_VALUES, arrays, to_toml

SIMULATE: dict[str, Any] = {
    "model": {
        "type": "competition",
        "n": 4,
        "beta": 0.5,
        "activation": "relu",
        "_t_connectivity": {"kind": "uniform", "weight": -0.4},
    },
    "inputs": {"values": [1.0, 0.8, 0.6, 0.4]},
    "time": {"t_end": 5.0, "dt": 0.05, "method": "rk4", "save_every": 0.5},
}
MODELS: dict[str, dict[str, Any]] = {
    "competition": SIMULATE["model"],
    "lateral_inhibition": {"type": "lateral_inhibition", "n": 4, "alpha": 0.5, "beta": 1.0},
    "shunting": {"type": "shunting", "n": 4, "A": 1.0, "B": 1.0},
    "neural_field": {
        "type": "neural_field",
        "n": [6, 6],
        "a_exc": 1.0,
        "sigma_exc": 1.0,
        "a_inh": 0.5,
        "sigma_inh": 3.0,
        "h": 0.0,
        "boundary": "periodic",
    },
}
OTHER_KEYS = [
    ("inputs", "values"),
    ("inputs", "g"),
    ("time", "t_end"),
    ("time", "dt"),
    ("time", "method"),
    ("time", "save_every"),
    ("time", "noise"),
    ("time", "seed"),
    ("sweep", "beta"),
    ("sweep", "input_scale"),
    ("sweep", "tau"),
]
ATTEND_KEYS = [
    ("", "max_side"),
    ("weights", "intensity"),
    ("encode", "orientations"),
    ("encode", "levels"),
    ("encode", "first_level"),
    ("encode", "gabor_wavelength"),
    ("features", "centres"),
    ("features", "normalization"),
    ("features", "iterations"),
    ("features", "map_level"),
    ("features", "min_contrast"),
    ("compete", "model"),
    ("compete", "dt"),
    ("compete", "chunk"),
    ("compete", "dwell"),
    ("compete", "max_latency"),
    ("compete", "ior_radius"),
    ("compete", "noise"),
    ("feedback", "weight"),
    ("feedback", "max_gain"),
]


def run_cli(*argv: str) -> tuple[int, list[str], float]:
    """Run the installed entry point in-process; (exit code, stderr lines, seconds)."""
    err = io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = cli.main(list(argv))
    lines = [line for line in err.getvalue().splitlines() if line.strip()]
    return code, lines, time.perf_counter() - start


def assert_promise(code: int, err: list[str], seconds: float, out: Path) -> None:
    """Exit 0 or 2; on 2 one line, nothing written; never a traceback; within the bound."""
    assert seconds < SECONDS, f"took {seconds:.1f} s"
    assert code in (0, 2), f"exit {code}: {err}"
    assert not any("Traceback" in line for line in err), err
    if code == 2:
        assert len(err) == 1 and err[0].startswith("error: "), err
        assert not out.exists(), "an output folder was left after an error"
    staging = [p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")]
    assert not staging, f"staging folders left behind: {staging}"


def assert_no_nan_written(out: Path) -> None:
    for path in out.rglob("*.json"):
        text = path.read_text()
        assert "NaN" not in text and "Infinity" not in text, path
    for path in out.rglob("*.npz"):
        with np.load(path) as data:
            for key in data.files:
                if data[key].dtype.kind == "f":
                    assert np.isfinite(data[key]).all(), f"{path}:{key}"


@st.composite
def simulate_configs(draw: Any) -> str:
    """The small example with one or two fields (or whole sections) replaced or removed."""
    doc = json.loads(json.dumps(SIMULATE))  # a deep copy
    kind = draw(st.sampled_from(sorted(MODELS)))
    doc["model"] = json.loads(json.dumps(MODELS[kind]))
    if kind == "neural_field":
        doc["inputs"]["values"] = 0.5
    keys = [("model", k) for k in doc["model"]] + OTHER_KEYS
    for _ in range(draw(st.integers(1, 2))):
        section, key = draw(st.sampled_from(keys))
        action = draw(st.sampled_from(["set", "set", "set", "set", "delete", "section"]))
        if action == "section":
            doc[section] = draw(TOML_VALUES)
            continue
        table = doc.setdefault(section, {})
        if not isinstance(table, dict):
            continue
        if action == "delete":
            table.pop(key, None)
        else:
            table[key] = draw(TOML_VALUES)
    return to_toml(doc)


@FUZZ
@given(text=simulate_configs())
def test_simulate_keeps_its_promise_on_any_config(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "c.toml"
        config.write_text(text)
        out = Path(tmp) / "out"
        code, err, seconds = run_cli("simulate", str(config), "-o", str(out), "-q")
        assert_promise(code, err, seconds, out)
        if code == 0:
            assert_no_nan_written(out)


@st.composite
def attend_configs(draw: Any) -> str:
    doc: dict[str, Any] = {}
    for _ in range(draw(st.integers(1, 2))):
        section, key = draw(st.sampled_from(ATTEND_KEYS))
        if section:
            table = doc.setdefault(section, {})
            table[key] = draw(TOML_VALUES)
        else:
            doc[key] = draw(TOML_VALUES)
    return to_toml(doc)


@FUZZ
@given(text=attend_configs())
def test_attend_keeps_its_promise_on_any_config(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        image = Path(tmp) / "img.npy"
        np.save(image, np.random.default_rng(0).uniform(0, 1, (48, 64, 3)))
        config = Path(tmp) / "v.toml"
        config.write_text(text)
        out = Path(tmp) / "out"
        argv = ("attend", str(image), "--config", str(config), "-n", "2", "-o", str(out), "-q")
        code, err, seconds = run_cli(*argv)
        assert_promise(code, err, seconds, out)
        if code == 0:
            assert_no_nan_written(out)


# files a user might give as an image: arrays of any shape and dtype, broken or lying files
BROKEN_FILES = {
    "empty.npy": b"",
    "empty.png": b"",
    "text.png": b"this is not an image\n",
    # a PNG header claiming 100000 x 100000 pixels and nothing after it
    "huge.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01\x86\xa0\x00\x01\x86\xa0\x08\x02"
    b"\x00\x00\x00\x00\x00\x00\x00",
    "trunc.npy": b"\x93NUMPY\x01\x00v\x00{'descr': '<f8', 'fortran_order': False, "
    b"'shape': (100000, 100000, 3), }",
}


@FUZZ
@given(
    image=st.one_of(arrays(max_dims=4, max_side=40), st.sampled_from(sorted(BROKEN_FILES))),
    target=st.one_of(st.none(), st.sampled_from(["red", "[bold]red", "orientation=nan", "", "x"])),
    n=st.sampled_from(["0", "-1", "3", "1000000000"]),
)
def test_attend_keeps_its_promise_on_any_image(image: Any, target: Any, n: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        if isinstance(image, str):
            path = Path(tmp) / image
            path.write_bytes(BROKEN_FILES[image])
        else:
            path = Path(tmp) / "img.npy"
            np.save(path, image, allow_pickle=True)
        out = Path(tmp) / "out"
        argv = ["attend", str(path), "-n", n, "-o", str(out), "-q"]
        argv += ["--target", target] if target is not None else []
        code, err, seconds = run_cli(*argv)
        assert_promise(code, err, seconds, out)
        if code == 0:
            assert_no_nan_written(out)


@FUZZ
@given(name=st.sampled_from(["exists-as-file", "[red]dir", "nested/deeper", "ro/out"]))
def test_output_folder_problems_are_one_line(name: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "c.toml"
        config.write_text(to_toml(SIMULATE))
        out = Path(tmp) / name
        if name == "exists-as-file":
            out.write_text("x")
        if name.startswith("ro/"):
            out.parent.mkdir()
            out.parent.chmod(0o500)
        try:
            code, err, seconds = run_cli("simulate", str(config), "-o", str(out), "-q")
        finally:
            if name.startswith("ro/"):
                out.parent.chmod(0o700)
        assert seconds < SECONDS and code in (0, 2), (code, err)
        if code == 2:
            assert len(err) == 1 and err[0].startswith("error: "), err
            assert ".tmp" not in err[0], f"the error names a temporary path: {err[0]}"
