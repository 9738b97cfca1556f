"""``neuroattn attend`` end to end, and its handling of bad input."""

import json

import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

from neuroattn.cli import app
from neuroattn.vision.stimuli import search_array

runner = CliRunner()
FILES = {"saliency.png", "scanpath.png", "maps.png", "fixations.json"}


def _png(path, image):
    cv2.imwrite(str(path), cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
    return path


def _clean(tmp_path, out):
    assert not out.exists()
    assert not list(tmp_path.glob(f".{out.name}.*"))  # no staging folder left behind


def test_default_images(tmp_path):
    out = tmp_path / "out"
    res = runner.invoke(app, ["attend", "-o", str(out), "-n", "3"])
    assert res.exit_code == 0, res.output
    assert {p.name for p in out.iterdir()} == {"astronaut", "search-array", "summary.json"}
    for name in ("astronaut", "search-array"):
        assert {p.name for p in (out / name).iterdir()} == FILES
    info = json.loads((out / "search-array" / "fixations.json").read_text())
    assert len(info["fixations"]) == 3 and info["shape"] == [512, 512]
    # the built-in array is a colour singleton: the first fixation is on the red bar
    a = search_array("colour", 49, seed=0)
    f = info["fixations"][0]
    assert np.argmin(((a.centres - [f["x"], f["y"]]) ** 2).sum(1)) == a.target_index


def test_several_images_a_bad_one_is_skipped(tmp_path):
    good = _png(tmp_path / "good.png", search_array("size", 16, seed=1).image)
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n not really")
    out = tmp_path / "out"
    res = runner.invoke(app, ["attend", str(good), str(bad), "-o", str(out), "-q"])
    assert res.exit_code == 2
    assert "bad.png: cannot read the image" in res.output and "Traceback" not in res.output
    assert {p.name for p in (out / "good").iterdir()} == FILES
    summary = json.loads((out / "summary.json").read_text())
    assert [f["image"] for f in summary["failed"]] == [str(bad)]


def test_a_target_from_the_command_line(tmp_path):
    a = search_array("conjunction", 16, seed=3, target_orientation=90, distractor_orientation=0)
    img = _png(tmp_path / "conj.png", a.image)
    out = tmp_path / "out"
    res = runner.invoke(app, ["attend", str(img), "--target", "red,90", "-o", str(out), "-n", "1"])
    assert res.exit_code == 0, res.output
    info = json.loads((out / "conj" / "fixations.json").read_text())
    f = info["fixations"][0]
    assert np.argmin(((a.centres - [f["x"], f["y"]]) ** 2).sum(1)) == a.target_index
    assert info["task"]["red"] > 1
    # an example patch as the target
    patch = _png(tmp_path / "patch.png", a.image[a.target_mask.any(1)][:, a.target_mask.any(0)])
    res = runner.invoke(app, ["attend", str(img), "-t", str(patch), "-o", str(tmp_path / "p")])
    assert res.exit_code == 0, res.output


def test_huge_image_warns_and_succeeds(tmp_path):
    doubled = np.kron(search_array("colour", 9, seed=2).image, np.ones((2, 2, 1), np.uint8))
    img = _png(tmp_path / "big.png", doubled)
    cfg = tmp_path / "c.toml"
    cfg.write_text("max_side = 600\n")
    out = tmp_path / "out"
    res = runner.invoke(app, ["attend", str(img), "--config", str(cfg), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "warning:" in res.output and "processed at 600×600" in res.output


@pytest.mark.parametrize(
    ("make", "args", "message"),
    [
        (lambda p: p.write_bytes(b"not an image"), [], "cannot read the image"),
        (lambda p: _png(p, np.zeros((20, 50, 3), np.uint8)), [], "50×20 pixels; at least 32×32"),
        (lambda p: np.save(p.with_suffix(".npy"), np.full((40, 40), np.nan)), [], "NaN"),
        (lambda p: np.save(p.with_suffix(".npy"), np.zeros((40, 40, 7))), [], "wrong dimensions"),
        (
            lambda p: _png(p, np.zeros((40, 40, 3), np.uint8)),
            ["-t", "motion=up"],
            "unknown feature 'motion'",
        ),
        (lambda p: _png(p, np.zeros((40, 40, 3), np.uint8)), ["-n", "0"], "--fixations"),
        (lambda p: None, [], "no such file"),
        (lambda p: p.mkdir(), [], "in.png: no image files"),  # a folder: its images
    ],
)
def test_bad_input_exits_2_with_one_line_and_no_output(tmp_path, make, args, message):
    path = tmp_path / "in.png"
    make(path)
    if not path.exists() and path.with_suffix(".npy").exists():
        path = path.with_suffix(".npy")
    out = tmp_path / "out"
    res = runner.invoke(app, ["attend", str(path), "-o", str(out), *args])
    assert res.exit_code == 2, res.output
    assert message in res.output and "Traceback" not in res.output
    assert len(res.output.strip().splitlines()) == 1
    _clean(tmp_path, out)


def test_bad_config_and_example(tmp_path):
    res = runner.invoke(app, ["attend", "--example"])
    assert res.exit_code == 0 and "[compete]" in res.output
    cfg = tmp_path / "c.toml"
    cfg.write_text(res.output.replace("alpha = 0.5", "alpha = 2.0"))
    out = tmp_path / "out"
    res = runner.invoke(app, ["attend", "--config", str(cfg), "-o", str(out)])
    assert res.exit_code == 2 and "compete.alpha" in res.output
    _clean(tmp_path, out)
