"""Bad and huge inputs of the vision package: one clear error, bounded work (issue 8).

Each reproducer of the issue is here twice where it can reach both: the library raises a
ValueError naming what is wrong; ``neuroattn attend`` exits with code 2 and one line.
"""

import re
import struct
import time
import zlib

import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

from neuroattn.cli import app
from neuroattn.vision import WinnerTakeAll, attend, io, saliency, search_array
from neuroattn.vision.config import config_from_toml

runner = CliRunner()


def _png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` × ``height`` pixels (and holds almost none)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 16))
        + chunk(b"IEND", b"")
    )


def _jpeg_header(width: int, height: int) -> bytes:
    """A JPEG whose start-of-frame claims ``width`` × ``height`` pixels."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof + b"\xff\xd9"


def _files(tmp_path):
    """The bad files of the issue, by name."""
    np.save(tmp_path / "four.npy", np.zeros((2, 40, 40, 3)))
    (tmp_path / "empty.npy").write_bytes(b"")
    (tmp_path / "empty.png").write_bytes(b"")
    (tmp_path / "huge.png").write_bytes(_png_header(100_000, 100_000))
    (tmp_path / "huge.jpg").write_bytes(_jpeg_header(60_000, 60_000))
    np.save(tmp_path / "complex.npy", np.ones((40, 40), complex))
    np.save(tmp_path / "text.npy", np.full((40, 40), "a"))
    return tmp_path


BAD_FILES = [
    ("four.npy", "shape (2, 40, 40, 3) is not one image"),
    ("empty.npy", "is empty (0 bytes)"),
    ("empty.png", "is empty (0 bytes)"),
    ("huge.png", "100000×100000 pixels is more than max_pixels"),
    ("huge.jpg", "60000×60000 pixels is more than max_pixels"),
    ("complex.npy", "complex128 is not an image"),
    ("text.npy", "<U1 is not an image"),
]


@pytest.mark.parametrize(("name", "match"), BAD_FILES)
def test_bad_files_are_one_value_error(tmp_path, name, match):
    path = _files(tmp_path) / name
    start = time.perf_counter()
    with pytest.raises(ValueError, match=re.escape(match)) as err:
        io.read_image(path)
    assert str(path) in str(err.value) and "\n" not in str(err.value)
    assert time.perf_counter() - start < 1.0  # from the header: nothing was decoded


@pytest.mark.parametrize(("name", "match"), BAD_FILES[:5])
def test_bad_files_at_the_command_line(tmp_path, name, match):
    path = _files(tmp_path) / name
    out = tmp_path / "out"
    res = runner.invoke(app, ["attend", str(path), "-o", str(out), "-q"])
    assert res.exit_code == 2, res.output
    assert match in res.output and len(res.output.strip().splitlines()) == 1
    assert not out.exists()


def test_max_pixels_is_the_documented_limit_and_can_be_raised(tmp_path):
    path = tmp_path / "wide.png"
    cv2.imwrite(str(path), np.zeros((40, 100), np.uint8))
    with pytest.raises(ValueError, match="100×40 pixels is more than max_pixels = 3999"):
        io.read_image(path, max_pixels=3999)
    assert io.read_image(path, max_pixels=4000).shape == (40, 100)
    assert io.MAX_PIXELS == 8192 * 8192
    assert config_from_toml("max_pixels = 5000\n").max_pixels == 5000
    with pytest.raises(ValueError, match="max_pixels"):
        config_from_toml("max_pixels = 10\n")


def test_opencv_prints_nothing_of_its_own(tmp_path, capfd):
    path = tmp_path / "broken.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n")  # OpenCV logs "[ WARN:0@…] … incomplete"
    with pytest.raises(ValueError, match="cannot read the image"):
        io.read_image(path)
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == ""


def test_boolean_images_are_read_as_zero_and_one(tmp_path):
    mask = np.zeros((64, 64), bool)
    mask[20:40, 20:30] = True
    np.save(tmp_path / "mask.npy", mask)
    image = io.read_image(tmp_path / "mask.npy")
    assert image.dtype == bool
    result = attend(image, n_fixations=1)
    f = result.fixations[0]
    assert 18 <= f.x <= 32 and 18 <= f.y <= 42  # the bar is the only salient thing
    # atol: the encoder (cv2.filter2D) itself differs by ~1e-8 between calls on equal input
    np.testing.assert_allclose(saliency(image), saliency(mask.astype(np.float32)), atol=1e-6)


def test_an_all_constant_image_has_no_fixations_and_still_plots_and_saves(tmp_path):
    result = attend(np.full((64, 64, 3), 128, np.uint8))
    assert result.fixations == () and result.trace.rates.shape[0] == 0
    for kind in ("overview", "maps", "scanpath", "trace"):
        result.plot(kind)
    result.save(tmp_path / "out")
    assert {p.name for p in (tmp_path / "out").iterdir()} == set(io.RESULT_FILES)


def test_an_all_constant_image_at_the_command_line(tmp_path):
    path = tmp_path / "grey.png"
    cv2.imwrite(str(path), np.full((64, 64, 3), 128, np.uint8))
    res = runner.invoke(app, ["attend", str(path), "-o", str(tmp_path / "out"), "-q"])
    assert res.exit_code == 0, res.output
    assert "grey.png: 0 fixations" in " ".join(res.output.split())


BAD_SETTINGS = [
    ({"map_level": 0}, "[features]\nmap_level = 0", "features.map_level must be an integer >= 2"),
    ({"map_level": 99}, "[features]\nmap_level = 99", "features.map_level must be an integer"),
    ({"min_contrast": float("nan")}, "[features]\nmin_contrast = nan", "features.min_contrast"),
    ({"iterations": 10**9}, "[features]\niterations = 1000000000", "features.iterations"),
    ({"levels": 10**9}, "[encode]\nlevels = 1000000000", "encode.levels must be an integer"),
    ({"orientations": (float("nan"),)}, "[encode]\norientations = [nan]", "orientation"),
    ({"weights": {"intensity": float("inf")}}, "[weights]\nintensity = inf", "weights.intensity"),
]


@pytest.mark.parametrize(("kwargs", "toml", "match"), BAD_SETTINGS)
def test_settings_that_gave_blank_maps_or_no_end_are_refused(kwargs, toml, match):
    image = np.zeros((64, 64, 3), np.uint8)
    with pytest.raises(ValueError, match=match):
        saliency(image, **kwargs)
    with pytest.raises(ValueError, match=match):
        config_from_toml(toml + "\n")


@pytest.mark.parametrize(("toml", "match"), [(t, m) for _, t, m in BAD_SETTINGS])
def test_bad_settings_at_the_command_line(tmp_path, toml, match):
    cfg = tmp_path / "bad.toml"
    cfg.write_text(toml + "\n")
    res = runner.invoke(app, ["attend", "--config", str(cfg), "-o", str(tmp_path / "o")])
    assert res.exit_code == 2 and match in res.output
    assert len(res.output.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"size": (40_000, 40_000)}, "size 40000×40000 is 1.6e\\+09 pixels, more than max_pixels"),
        ({"item_length": 1e9}, "item_length must be a finite number >= 1 and <= 73.1"),
        ({"kind": "size", "size_ratio": 1e9}, "size_ratio must be a finite number > 0"),
        ({"grid": (0, 7)}, "grid must be two whole numbers of at least 1"),
        ({"size": (float("nan"), 64)}, "size must be two whole numbers of at least 32"),
        ({"target_orientation": float("nan")}, "target_orientation must be a finite number"),
    ],
)
def test_search_arrays_are_bounded_and_never_blank(kwargs, match):
    start = time.perf_counter()
    with pytest.raises(ValueError, match=match):
        search_array(**kwargs)
    assert time.perf_counter() - start < 0.5
    assert search_array(size=(96, 96), grid=(2, 2), set_size=4).image.std() > 0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"dwell": 1e9}, "may need up to .* unit-steps, more than max_work"),
        ({"max_latency": 1e12}, "more than max_work"),
    ],
)
def test_scanpaths_that_could_run_for_ever_are_refused_up_front(kwargs, match):
    start = time.perf_counter()
    with pytest.raises(ValueError, match=match):
        WinnerTakeAll(**kwargs)(np.ones((8, 8)), n_fixations=5)
    with pytest.raises(ValueError, match="more than max_work"):
        WinnerTakeAll()(np.ones((64, 64)), n_fixations=10**9)
    assert time.perf_counter() - start < 0.5


@pytest.mark.parametrize(
    ("toml", "match"),
    [
        ("[compete]\nchunk = 1e-6", "compete.chunk 1e-06 must be at least save_dt"),
        ("[compete]\nbeta = 1e9", "above 30"),
        ("[compete]\nmethod = 'euler'", "too coarse for method 'euler'"),
        ("[compete]\nnoise = 0.1\nmethod = 'rk4'", "noise > 0 needs"),
    ],
)
def test_competition_settings_that_cannot_work_are_refused(tmp_path, toml, match):
    with pytest.raises(ValueError, match=match):
        config_from_toml(toml + "\n")
    cfg = tmp_path / "bad.toml"
    cfg.write_text(toml + "\n")
    res = runner.invoke(app, ["attend", "--config", str(cfg), "-o", str(tmp_path / "o")])
    assert res.exit_code == 2 and len(res.output.strip().splitlines()) == 1


def test_dwell_for_ever_at_the_command_line(tmp_path):
    cfg = tmp_path / "dwell.toml"
    cfg.write_text("[compete]\ndwell = 1e9\n")
    path = tmp_path / "a.png"
    cv2.imwrite(str(path), search_array("colour", 9, grid=(3, 3), size=(96, 96)).image)
    res = runner.invoke(app, ["attend", str(path), "--config", str(cfg), "-o", str(tmp_path / "o")])
    assert res.exit_code == 2 and "raise compete.max_work" in res.output
    assert len(res.output.strip().splitlines()) == 1


class _BigResult:
    """A result of a huge image (a 20000-pixel image used to write its full map)."""

    image_shape = (3000, 5000)

    def saliency_at(self, shape):
        return np.zeros(shape, np.float32)

    def plot(self, kind="overview", **kwargs):
        import matplotlib.pyplot as plt

        return plt.figure(figsize=(1, 1))

    def to_dict(self):
        return {}


def test_the_saliency_file_is_written_at_a_bounded_size(tmp_path):
    io.write_result_files(_BigResult(), tmp_path / "out")
    written = cv2.imread(str(tmp_path / "out" / "saliency.png"))
    assert max(written.shape[:2]) == io.MAX_WRITE_SIDE
    assert written.shape[:2] == (1229, 2048)  # the aspect ratio is kept


def test_run_attend_takes_max_pixels(tmp_path):
    from neuroattn.vision._cli import run_attend

    path = tmp_path / "wide.png"
    cv2.imwrite(str(path), search_array("colour", 4, grid=(2, 2), size=(64, 100)).image)
    kwargs = {"target": None, "n_fixations": 1, "config": None, "progress": False}
    with pytest.raises(ValueError, match="100×64 pixels is more than max_pixels = 6000"):
        run_attend([path], tmp_path / "a", report=print, max_pixels=6000, **kwargs)
    summary = run_attend([path], tmp_path / "b", report=print, max_pixels=6400, **kwargs)
    assert summary["images"][0]["fixations"] == 1
    with pytest.raises(ValueError, match="--max-pixels must be an integer >= 1024"):
        run_attend([path], tmp_path / "c", report=print, max_pixels=10, **kwargs)
