"""Issue 8, bounded memory for in-memory images: max_pixels for arrays, shrink before
converting, and a result that keeps the map level only (saliency at image size is lazy)."""

from __future__ import annotations

import warnings

import cv2
import numpy as np
import pytest

from neuroattn.vision import AttentionResult, attend, io
from neuroattn.vision._image import as_rgb, resize_map


def _reference_at_image_size(saliency_map, shape):
    """The map at image size as the result held it before (cv2 bilinear, clipped at 0)."""
    out = cv2.resize(saliency_map, (shape[1], shape[0]), interpolation=cv2.INTER_LINEAR)
    return np.clip(out, 0, None)


@pytest.fixture
def photo_640x480():
    rng = np.random.default_rng(8)
    small = (rng.random((60, 80, 3)) * 255).astype(np.uint8)
    return cv2.resize(small, (640, 480), interpolation=cv2.INTER_CUBIC)


# --- max_pixels for arrays -------------------------------------------------------------------
def test_arrays_over_max_pixels_are_refused_with_the_limit_and_how_to_raise_it():
    img = np.zeros((100, 300), np.uint8)
    with pytest.raises(ValueError) as info:
        as_rgb(img, max_pixels=29_999)
    msg = str(info.value)
    assert "300×100 pixels is more than max_pixels = 29999" in msg
    assert "raise max_pixels" in msg
    assert as_rgb(img, max_pixels=30_000).shape == (100, 300)
    assert as_rgb(img, max_pixels=None).shape == (100, 300)


def test_the_default_limit_is_the_files_and_is_checked_before_any_copy():
    # a broadcast view: 9000 × 9000 × 3 float64 would be 1.9 GB if anything copied it
    huge = np.broadcast_to(np.float64(0.5), (9000, 9000, 3))
    with pytest.raises(
        ValueError, match=f"9000×9000 pixels is more than max_pixels = {io.MAX_PIXELS}"
    ):
        as_rgb(huge)
    with pytest.raises(ValueError, match="max_pixels"):
        attend(huge)


# --- shrink first, then convert --------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float64, np.uint16, np.int16, np.float32])
def test_shrinking_in_the_input_dtype_matches_converting_first(dtype):
    rng = np.random.default_rng(3)
    top = 1.0 if np.dtype(dtype).kind == "f" else np.iinfo(dtype).max
    img = (rng.random((300, 200, 3)) * top).astype(dtype)
    with pytest.warns(UserWarning, match="processed at 64×96"):
        got = as_rgb(img, max_side=96)
    scale = 1.0 if np.dtype(dtype).kind == "f" else 1.0 / top
    ref = cv2.resize(
        img.astype(np.float32) * np.float32(scale), (64, 96), interpolation=cv2.INTER_AREA
    )
    assert got.image.dtype == np.float32 and got.image.shape == (96, 64, 3)
    # integers are averaged in their dtype: rounded to the input's step (one unit)
    np.testing.assert_allclose(got.image, ref, rtol=1e-5, atol=max(scale, 1e-6))
    assert got.scale == pytest.approx(96 / 300) and got.shape == (300, 200)


@pytest.mark.parametrize("dtype", [np.bool_, np.int32, np.int64, np.uint32, np.float16])
def test_dtypes_opencv_cannot_resize_are_converted_then_shrunk(dtype):
    img = np.zeros((300, 200), dtype)
    img[100:200, 50:150] = 1
    with pytest.warns(UserWarning):
        got = as_rgb(img, max_side=60)
    scale = 1.0 if np.dtype(dtype).kind in "bf" else 1.0 / np.iinfo(dtype).max
    ref = cv2.resize(
        img.astype(np.float32) * np.float32(scale), (40, 60), interpolation=cv2.INTER_AREA
    )
    np.testing.assert_allclose(got.image, ref, rtol=1e-6)


def test_float_peaks_beyond_float32_are_brought_to_one_after_shrinking():
    img = np.full((300, 300), 1e299)
    img[:150] = 0.5e299
    with pytest.warns(UserWarning):
        got = as_rgb(img, max_side=100)
    assert np.isfinite(got.image).all() and got.image.max() == pytest.approx(1.0)
    assert got.image.min() == pytest.approx(0.5)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf, -1.0])
def test_bad_values_are_still_found_anywhere_in_a_large_image(bad, monkeypatch):
    import neuroattn.vision._image as image_module

    monkeypatch.setattr(image_module, "_STRIP", 1000)  # many strips on a small image
    img = np.ones((400, 300, 3))
    img[397, 5, 2] = bad
    match = "pixel values must be >= 0" if bad == -1.0 else "NaN or infinite"
    with pytest.raises(ValueError, match=match):
        as_rgb(img)


# --- the result keeps the map level ----------------------------------------------------------
def test_result_saliency_equals_the_former_full_size_map(photo_640x480):
    r = attend(photo_640x480, n_fixations=2)
    assert r.saliency.shape == (480, 640) and r.saliency.dtype == np.float32
    np.testing.assert_array_equal(r.saliency, _reference_at_image_size(r.saliency_map, (480, 640)))
    assert r.saliency is r.saliency  # made once, then kept
    with pytest.raises(ValueError, match="read-only"):
        r.saliency[0, 0] = 1
    assert r.image_shape == (480, 640) and r.scale == 1.0 and r.level == 4
    assert r.saliency_map.shape == (30, 40)


def test_the_result_holds_no_full_size_float_array():
    img = np.zeros((2400, 3200, 3), np.uint8)
    img[1000:1100, 2000:2100] = 255
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # shrunk to max_side
        r = attend(img, n_fixations=1)
    assert r.image_shape == (2400, 3200) and r.scale == pytest.approx(2048 / 3200)
    held = [v for k, v in vars(r).items() if isinstance(v, np.ndarray) and k != "image"]
    held += [*r.feature_maps.values(), *r.conspicuity.values()]
    assert held and max(a.size for a in held) < 2400 * 3200 / 100
    assert "saliency" not in vars(r)  # not made until asked for
    assert r.saliency_at((24, 32)).shape == (24, 32)
    assert "saliency" not in vars(r)
    assert r.to_dict()["shape"] == [2400, 3200]


def test_resize_map_is_bilinear_and_non_negative():
    m = np.array([[0.0, 1.0], [1.0, 0.0]], np.float32)
    out = resize_map(m, (4, 4))
    np.testing.assert_allclose(out, _reference_at_image_size(m, (4, 4)))
    assert out.min() >= 0 and out.dtype == np.float32


def test_results_built_without_an_image_shape_take_the_maps():
    from neuroattn.vision._records import CompetitionTrace

    trace = CompetitionTrace(np.zeros(0), np.zeros((0, 4, 4)), np.zeros((4, 4)), 0.5)
    r = AttentionResult(
        np.ones((4, 4), np.float32), {}, {}, (), trace, np.ones((4, 4)), None, np.zeros((4, 4))
    )
    assert r.image_shape == (4, 4) and r.saliency.shape == (4, 4)


@pytest.mark.parametrize(
    ("shape", "error", "match"),
    [
        ((0, 5), ValueError, "shape must be a positive integer, got 0"),
        ((5, 2.5), ValueError, "shape must be a positive integer, got 2.5"),
        ((True, 5), ValueError, "shape must be a positive integer, got True"),
        ((5,), TypeError, r"shape must be \(rows, columns\), got \(5,\)"),
        ("ab", TypeError, "shape must be"),
        (
            (10**6, 10**6),
            ValueError,
            "shape must have at most 67108864 pixels, got 1000000×1000000",
        ),
    ],
)
def test_saliency_at_bad_shapes(photo_640x480, shape, error, match):
    r = attend(photo_640x480, n_fixations=1)
    with pytest.raises(error, match=match):
        r.saliency_at(shape)
