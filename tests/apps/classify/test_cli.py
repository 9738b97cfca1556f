"""``neuroattn classify``: train / evaluate / predict end to end on a tiny config, resume,
and bad input (unknown model, wrong image size or channels, corrupt checkpoint) in one
line with exit code 2 and nothing written."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("sklearn")
cv2 = pytest.importorskip("cv2")

from neuroattn import cli  # noqa: E402
from neuroattn.apps.classify import (  # noqa: E402
    ClassifyConfig,
    evaluation_set,
    load_classifier,
    load_config,
    shifted_test_set,
)

TINY = """\
width = 2
dev_size = 16
test_size = 24
batch_size = 8
max_steps = 6
eval_every = 3
patience = 100
threads = 1
"""


def run(*argv: str) -> tuple[int, str, list[str]]:
    """Exit code, stdout, and the non-blank stderr lines of ``neuroattn ARGV``."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(argv))
    return code, out.getvalue(), [ln for ln in err.getvalue().splitlines() if ln.strip()]


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("classify-cli")
    (folder / "tiny.toml").write_text(TINY, encoding="utf-8")
    code, _, err = run("classify", "train", "--attention", "competitive", "-c",
                       str(folder / "tiny.toml"), "-o", str(folder / "run"), "-q")  # fmt: skip
    assert code == 0, err
    return folder / "run"


def _image(path: Path, array: np.ndarray) -> Path:
    if path.suffix == ".npy":
        np.save(path, array)
    else:
        assert cv2.imwrite(str(path), array)
    return path


def test_train_writes_a_run(trained: Path) -> None:
    assert sorted(p.name for p in trained.iterdir()) == [
        "best.pt", "config.toml", "last.pt", "train.json"]  # fmt: skip
    summary = json.loads((trained / "train.json").read_text())
    assert summary["step"] == 6 and summary["stopped"] == "max_steps"
    assert [h["step"] for h in summary["history"]] == [3, 6]
    assert summary["attention"] == "competitive" and summary["parameters"] > 0
    saved = load_config(trained / "config.toml")
    assert saved.attention == "competitive" and saved.width == 2
    assert load_classifier(trained).config == saved


def test_the_same_command_resumes_with_more_steps(trained: Path, tmp_path: Path) -> None:
    more = tmp_path / "more.toml"
    more.write_text(TINY.replace("max_steps = 6", "max_steps = 9"), encoding="utf-8")
    run_dir = tmp_path / "run"
    import shutil

    shutil.copytree(trained, run_dir)
    code, _, err = run("classify", "train", "--attention", "competitive", "-c", str(more),
                       "-o", str(run_dir), "-q")  # fmt: skip
    assert code == 0, err
    assert any("resumed from" in line and "step 6" in line for line in err)
    summary = json.loads((run_dir / "train.json").read_text())
    assert summary["step"] == 9 and summary["resumed_from"] == 6
    # other settings than the run's are refused before anything is written
    before = (run_dir / "last.pt").read_bytes()
    code, _, err = run("classify", "train", "--attention", "none", "-o", str(run_dir), "-q")
    assert code == 2 and len(err) == 1 and "attention = 'competitive'" in err[0]
    assert (run_dir / "last.pt").read_bytes() == before


def test_evaluate_prints_scores_and_plots(trained: Path, tmp_path: Path) -> None:
    png = tmp_path / "eval.png"
    code, out, err = run("classify", "evaluate", str(trained), "--plot", str(png))
    assert code == 0, err
    assert "on 24 test canvases: accuracy" in out and "confusion" in out
    rows = [ln for ln in out.splitlines() if ln.startswith("  ")]
    counts = np.array([[int(c) for c in row.split()] for row in rows])
    assert counts.shape == (10, 10) and counts.sum() == 24
    # the printed matrix is the classifier's on the regenerated test canvases
    classifier = load_classifier(trained)
    data = evaluation_set(classifier.config, "test")
    np.testing.assert_array_equal(counts, classifier.evaluate(data).confusion)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    code, out, _ = run("classify", "evaluate", str(trained), "--split", "dev")
    assert code == 0 and "16 dev canvases" in out


def test_evaluate_a_held_out_condition(trained: Path) -> None:
    code, out, err = run("classify", "evaluate", str(trained), "--clutter", "8")
    assert code == 0, err
    assert "on 24 test (clutter 8, scale 3) canvases" in out
    classifier = load_classifier(trained)
    scores = classifier.evaluate(shifted_test_set(classifier.config, clutter=8))
    assert f"error {100 * scores.error:.2f} %" in out
    code, out, _ = run("classify", "evaluate", str(trained), "--scale", "2")
    assert code == 0 and f"(clutter {classifier.config.clutter}, scale 2)" in out
    bad = [(["--scale", "8"], "size must be at least"), (["--scale", "9"], "scale must be"),
           (["--clutter", "-1"], "clutter must be"),
           (["--clutter", "8", "--split", "dev"], "split must be 'test'")]  # fmt: skip
    for argv, words in bad:
        code, out, err = run("classify", "evaluate", str(trained), *argv)
        assert code == 2 and len(err) == 1 and words in err[0], err


@pytest.mark.parametrize("suffix", [".png", ".npy"])
def test_predict_one_image(trained: Path, tmp_path: Path, suffix: str) -> None:
    classifier = load_classifier(trained)
    canvas = evaluation_set(classifier.config, "test").images[0, 0]
    array = (canvas * 255).round().astype(np.uint8)
    image = _image(tmp_path / f"digit{suffix}", array)
    png = tmp_path / "map.png"
    code, out, err = run("classify", "predict", str(trained), str(image), "--plot", str(png))
    assert code == 0, err
    expected = int(classifier.predict(array.astype(np.float32) / 255).labels[0])
    assert out.startswith(f"{expected} (p = ")
    assert png.is_file()


def _nothing_new(folder: Path, before: set[str]) -> None:
    assert {p.name for p in folder.iterdir()} == before


@pytest.mark.parametrize(
    ("array", "words"),
    [
        (np.zeros((60, 60, 3), np.uint8), "grey image (1 channel), got 3 channels"),
        (np.zeros((30, 60), np.uint8), "must be 60x60 pixels"),
        (np.zeros((64, 64), np.uint8), "must be 60x60 pixels"),
    ],
)
def test_predict_refuses_wrong_size_or_channels(
    trained: Path, tmp_path: Path, array: np.ndarray, words: str
) -> None:
    image = _image(tmp_path / "bad.png", array)
    before = {p.name for p in tmp_path.iterdir()}
    code, out, err = run("classify", "predict", str(trained), str(image), "--plot",
                         str(tmp_path / "map.png"))  # fmt: skip
    assert code == 2 and out == "" and len(err) == 1 and words in err[0]
    _nothing_new(tmp_path, before)


def test_bad_input_is_one_line_and_writes_nothing(trained: Path, tmp_path: Path) -> None:
    out_dir = tmp_path / "run"
    code, _, err = run("classify", "train", "--attention", "bogus", "-o", str(out_dir))
    assert code == 2 and len(err) == 1 and "'none', 'spatial', 'cbam', 'competitive'" in err[0]
    assert not out_dir.exists()
    bad = tmp_path / "bad.toml"
    bad.write_text("width = 0\n", encoding="utf-8")
    code, _, err = run("classify", "train", "-c", str(bad), "-o", str(out_dir))
    assert code == 2 and len(err) == 1 and "width must be" in err[0]
    assert not out_dir.exists()
    corrupt = tmp_path / "corrupt"
    corrupt.mkdir()
    (corrupt / "best.pt").write_bytes((trained / "best.pt").read_bytes()[:200])
    before = {p.name for p in corrupt.iterdir()}
    for argv in (["evaluate", str(corrupt)], ["predict", str(corrupt), str(tmp_path / "x.png")],
                 ["evaluate", str(tmp_path / "missing")]):  # fmt: skip
        code, out, err = run("classify", *argv)
        assert code == 2 and out == "" and len(err) == 1, (argv, err)
    _nothing_new(corrupt, before)
    code, _, err = run("classify", "evaluate", str(trained), "--split", "train")
    assert code == 2 and "split must be" in err[0]


def test_example_config_is_the_defaults() -> None:
    code, out, _ = run("classify", "train", "--example")
    assert code == 0
    path_free = {k: v for k, v in ClassifyConfig().to_dict().items()}
    import tomllib

    assert tomllib.loads(out) == path_free
