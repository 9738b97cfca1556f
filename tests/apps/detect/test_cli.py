"""``neuroattn detect``: train / evaluate / predict end to end on a tiny config, and bad
input in one line with exit code 2 and nothing written."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("sklearn")
cv2 = pytest.importorskip("cv2")

from neuroattn import cli  # noqa: E402
from neuroattn.apps.detect import digit_canvases, load_config  # noqa: E402

TINY = """\
size = 64
width = 2
dev_size = 4
test_size = 3
canvases = 2
max_steps = 4
eval_every = 2
patience = 100
threads = 1
max_seconds = 0.0
fixations = 4
"""


def run(*argv: str) -> tuple[int, str, list[str]]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(argv))
    return code, out.getvalue(), [ln for ln in err.getvalue().splitlines() if ln.strip()]


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("detect-cli")
    (folder / "tiny.toml").write_text(TINY, encoding="utf-8")
    code, _, err = run("detect", "train", "-c", str(folder / "tiny.toml"),
                       "-o", str(folder / "run"), "-q")  # fmt: skip
    assert code == 0, err
    return folder / "run"


def test_train_writes_a_run(trained: Path) -> None:
    assert sorted(p.name for p in trained.iterdir()) == [
        "best.pt", "config.toml", "last.pt", "train.json"]  # fmt: skip
    summary = json.loads((trained / "train.json").read_text())
    assert summary["step"] == 4 and summary["classes"] == 11
    assert load_config(trained / "config.toml").fixations == 4


def test_evaluate_prints_both_detectors(trained: Path) -> None:
    code, out, err = run("detect", "evaluate", str(trained), "--json")
    assert code == 0, err
    info = json.loads(out)
    assert info["canvases"] == 3 and set(info["methods"]) == {"look", "slide"}
    # 4 fixations, 10 glimpses each: 4 first, 2 zooms and 4 shifts (the defaults)
    assert info["methods"]["look"]["calls_per_image"] <= 4 * 10
    code, out, _ = run("detect", "evaluate", str(trained), "--split", "dev", "--canvases", "2")
    assert code == 0 and "mAP@0.5" in out and "look / slide" in out


def test_predict_lists_boxes_and_draws_them(trained: Path, tmp_path: Path) -> None:
    image = digit_canvases(1, "test", size=64, seed=9).images[0]
    png = tmp_path / "canvas.png"
    assert cv2.imwrite(str(png), (image * 255).astype(np.uint8))
    code, out, err = run("detect", "predict", str(trained), str(png), "--plot",
                         str(tmp_path / "boxes.png"))  # fmt: skip
    assert code == 0, err
    assert out.strip().splitlines()[-1].endswith("classifier calls")
    assert (tmp_path / "boxes.png").stat().st_size > 1000
    np.save(tmp_path / "canvas.npy", image)
    code, out, _ = run("detect", "predict", str(trained), str(tmp_path / "canvas.npy"),
                       "--method", "slide")  # fmt: skip
    assert code == 0 and "classifier calls" in out


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["evaluate", "{run}", "--split", "val"], "split must be one of"),
        (["evaluate", "{tmp}/nowhere"], "no such checkpoint"),
        (["predict", "{run}", "{tmp}/missing.png"], "missing.png"),
        (["predict", "{run}", "{tmp}/rgb.png"], "must be a grey image"),
        (["predict", "{run}", "{tmp}/tiny.png"], "must be 16 to 1024 pixels"),
        (["predict", "{run}", "{tmp}/canvas.npy", "--method", "x"], "method must be one of"),
        (["predict", "{bad}", "{tmp}/canvas.npy"], "corrupt or truncated checkpoint"),
        (["train", "-o", "{tmp}/new", "-c", "{tmp}/bad.toml"], "fixations must be"),
        (["train"], "give a run directory"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    trained: Path, tmp_path: Path, argv: list[str], words: str
) -> None:
    cv2.imwrite(str(tmp_path / "rgb.png"), np.zeros((64, 64, 3), np.uint8) + 40)
    cv2.imwrite(str(tmp_path / "tiny.png"), np.zeros((8, 8), np.uint8))
    np.save(tmp_path / "canvas.npy", np.zeros((64, 64), np.float32))
    (tmp_path / "bad.toml").write_text("fixations = 0\n", encoding="utf-8")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "best.pt").write_bytes(b"junk")
    subs = {"run": str(trained), "tmp": str(tmp_path), "bad": str(tmp_path / "bad")}
    code, out, err = run("detect", *(a.format(**subs) for a in argv))
    assert code == 2 and out == "" and len(err) == 1 and words in err[0], err
    assert not (tmp_path / "new").exists()


def test_example_prints_the_defaults() -> None:
    code, out, _ = run("detect", "train", "--example")
    assert code == 0 and "quit_threshold" in out and "nms_iou" in out
