"""Stage 1: channels by hand, pyramid sizes, Gabor orientation selectivity."""

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neuroattn.vision import Encoder, gabor_kernels, gaussian_pyramid, intensity, opponent_channels
from neuroattn.vision.encode import orientation_energy
from neuroattn.vision.stimuli import bar_polygon


def test_intensity_is_the_channel_mean(rng):
    img = rng.uniform(0, 1, (5, 6, 3)).astype(np.float32)
    np.testing.assert_allclose(intensity(img), img.mean(axis=-1), rtol=1e-6)


@pytest.mark.parametrize(
    ("rgb", "rg", "by"),
    [
        # r' = 3, g' = b' = 0: R = 3, G = B = Y = 0
        ((1.0, 0.0, 0.0), 3.0, 0.0),
        ((0.0, 1.0, 0.0), -3.0, 0.0),
        ((0.0, 0.0, 1.0), 0.0, 3.0),
        # yellow: r' = g' = 1.5, b' = 0 → R = G = 0.75, B = 0, Y = 1.5
        ((1.0, 1.0, 0.0), 0.0, -1.5),
        ((0.5, 0.5, 0.5), 0.0, 0.0),
        # orange (1, 0.5, 0): I = 0.5, r' = 2, g' = 1 → R = 1.5, G = 0, B = 0, Y = 1
        ((1.0, 0.5, 0.0), 1.5, -1.0),
    ],
)
def test_opponent_channels_by_hand(rgb, rg, by):
    img = np.zeros((4, 4, 3), np.float32)
    img[:] = rgb
    img[0, 0] = 1.0  # a white pixel fixes max intensity at 1
    RG, BY = opponent_channels(img)
    assert RG[2, 2] == pytest.approx(rg, abs=1e-5)
    assert BY[2, 2] == pytest.approx(by, abs=1e-5)


def test_hue_is_undefined_below_a_tenth_of_max_intensity():
    img = np.zeros((4, 4, 3), np.float32)
    img[0, 0] = 1.0
    img[2, 2] = (0.05, 0.0, 0.0)  # I = 0.0167 < 0.1
    img[3, 3] = (0.4, 0.0, 0.0)  # I = 0.133 > 0.1
    RG, _ = opponent_channels(img)
    assert RG[2, 2] == 0 and RG[3, 3] == pytest.approx(3.0)


def test_pyramid_levels_halve_the_size():
    pyr = gaussian_pyramid(np.ones((100, 70), np.float32), 8)
    assert [p.shape for p in pyr[:4]] == [(100, 70), (50, 35), (25, 18), (13, 9)]
    assert pyr[-1].shape == (1, 1)
    np.testing.assert_allclose(pyr[3], 1.0, atol=1e-6)  # the blur keeps a constant


def test_gabor_kernels_ignore_uniform_regions():
    even, odd = gabor_kernels(30.0)
    assert abs(even.sum()) < 1e-6 and abs(odd.sum()) < 1e-6
    assert np.abs(even).sum() == pytest.approx(1.0, rel=1e-5)


def _bar_image(theta: float, size: int = 64) -> np.ndarray:
    img = np.zeros((size, size), np.float32)
    pts = np.round(bar_polygon((size / 2, size / 2), 40, 3, theta) * 16).astype(np.int32)
    cv2.fillConvexPoly(img, pts, 1.0, lineType=cv2.LINE_AA, shift=4)
    return img


@settings(max_examples=20, deadline=None)
@given(st.sampled_from([0.0, 45.0, 90.0, 135.0]), st.floats(-10, 10))
def test_a_bar_excites_the_gabor_of_its_orientation_most(theta, jitter):
    img = _bar_image(theta + jitter)
    energy = {
        t: orientation_energy(img, gabor_kernels(t))[24:40, 24:40].sum()
        for t in (0.0, 45.0, 90.0, 135.0)
    }
    assert max(energy, key=energy.get) == theta


def test_encoder_channels_for_colour_and_grey():
    rgb = np.zeros((128, 96, 3), np.uint8)
    enc = Encoder()(rgb)
    assert set(enc.channels) == {"intensity", "rg", "by"} | {
        f"orientation_{t}" for t in (0, 45, 90, 135)
    }
    assert enc.colour and enc.shape == (128, 96)
    assert enc.channels["intensity"][2].shape == (32, 24)
    grey = Encoder(orientations=(0.0, 90.0))(np.zeros((128, 96), np.float32))
    assert set(grey.channels) == {"intensity", "orientation_0", "orientation_90"}
    assert not grey.colour


def test_uint8_and_float_images_encode_alike(rng):
    img = rng.integers(0, 256, (96, 128, 3), dtype=np.uint8)
    a = Encoder()(img).channels["rg"][3]
    b = Encoder()(img.astype(np.float32) / 255).channels["rg"][3]
    np.testing.assert_allclose(a, b, atol=0.02)


def test_encoder_checks_its_levels():
    with pytest.raises(ValueError, match="colour_level <= first_level <= levels"):
        Encoder(first_level=5, levels=4)
