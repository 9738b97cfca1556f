"""vision.io: one reader and one writer, used by AttentionResult.save and the CLI alike."""

import json

import cv2
import matplotlib
import numpy as np
import pytest

from neuroattn.vision import attend, io, search_array
from neuroattn.vision._cli import run_attend

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def display():
    return search_array("colour", 16, seed=4).image


@pytest.fixture
def spy(monkeypatch):
    """Record every call of io.write_result_files (and still write)."""
    calls = []
    real = io.write_result_files

    def recording(result, folder, *, label="image"):
        calls.append(label)
        return real(result, folder, label=label)

    monkeypatch.setattr(io, "write_result_files", recording)
    return calls


def test_save_and_the_cli_write_the_same_files_through_io(display, tmp_path, spy):
    png = tmp_path / "display.png"
    cv2.imwrite(str(png), cv2.cvtColor(display, cv2.COLOR_RGB2BGR))
    saved = attend(io.read_image(png), n_fixations=3).save(tmp_path / "lib", label=str(png))
    summary = run_attend(
        [png],
        tmp_path / "cli",
        target=None,
        n_fixations=3,
        config=None,
        report=lambda kind, msg: None,
        progress=False,
    )
    assert spy == [str(png), str(png)]  # the library, then the command: one writer
    from_cli = tmp_path / "cli" / "display"
    assert sorted(p.name for p in saved.iterdir()) == sorted(io.RESULT_FILES)
    assert sorted(p.name for p in from_cli.iterdir()) == sorted(io.RESULT_FILES)
    assert summary["images"][0]["files"] == list(io.RESULT_FILES)
    lib = json.loads((saved / "fixations.json").read_text())
    cli = json.loads((from_cli / "fixations.json").read_text())
    assert lib.keys() == cli.keys() and lib["image"] == cli["image"] == str(png)
    for a, b in zip(lib["fixations"], cli["fixations"], strict=True):
        assert a == pytest.approx(b, rel=1e-5)


def test_read_image_round_trip(display, tmp_path):
    png = tmp_path / "a.png"
    cv2.imwrite(str(png), cv2.cvtColor(display, cv2.COLOR_RGB2BGR))
    np.testing.assert_array_equal(io.read_image(png), display)  # RGB, not OpenCV's BGR
    np.save(tmp_path / "a.npy", display[..., 0])
    np.testing.assert_array_equal(io.read_image(str(tmp_path / "a.npy")), display[..., 0])


def _junk(path, content=b"junk"):
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda d: d / "missing.png", ValueError, "no such file"),
        (lambda d: d, ValueError, "is a folder, not an image file"),
        (lambda d: _junk(d / "x.png"), ValueError, "not an image file, or corrupt"),
        (lambda d: _junk(d / "x.npy"), ValueError, "not a readable .npy array"),
        (lambda d: 42, TypeError, "path must be a path"),
    ],
)
def test_read_image_bad_inputs(tmp_path, make, error, match):
    with pytest.raises(error, match=match):
        io.read_image(make(tmp_path))


def test_save_result_bad_inputs(display, tmp_path):
    result = attend(display, n_fixations=1)
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(ValueError, match="exists and is not a folder"):
        io.save_result(result, blocker)
    with pytest.raises(TypeError, match="result must be an AttentionResult"):
        io.save_result("a result", tmp_path / "out")
    with pytest.raises(TypeError, match="folder must be a path"):
        result.save(3)  # type: ignore[arg-type]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]  # nothing staged is left


def test_a_failed_write_leaves_no_folder(display, tmp_path, monkeypatch):
    result = attend(display, n_fixations=1)

    def broken(self, kind="overview", **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(type(result), "plot", broken)
    with pytest.raises(OSError, match="disk full"):
        io.write_result_files(result, tmp_path / "res")
    with pytest.raises(OSError, match="disk full"):
        result.save(tmp_path / "staged")
    assert list(tmp_path.iterdir()) == []


def test_run_attend_reports_progress_to_a_callback(display, tmp_path):
    png = tmp_path / "a.png"
    cv2.imwrite(str(png), cv2.cvtColor(display, cv2.COLOR_RGB2BGR))
    seen: list[float] = []
    run_attend(
        [png, png],
        tmp_path / "out",
        target=None,
        n_fixations=1,
        config=None,
        report=lambda kind, msg: None,
        progress=seen.append,
    )
    assert seen == [0.5, 1.0]
    assert {p.name for p in (tmp_path / "out").iterdir()} == {"a", "a-2", "summary.json"}
