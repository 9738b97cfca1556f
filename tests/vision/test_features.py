"""Stage 2: centre–surround, N(·), the iterative normalisation, combination."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neuroattn.vision import Encoder, FeatureExtractor, combine, normalize
from neuroattn.vision.encode import Pyramid
from neuroattn.vision.features import centre_surround, iterative_normalization, maxnorm


def test_centre_surround_of_a_constant_is_zero():
    pyr = Pyramid(tuple(np.full((256 >> k, 256 >> k), 0.7, np.float32) for k in range(2, 9)), 2)
    maps = centre_surround(pyr)
    assert maps.shape == (6, 16, 16)
    np.testing.assert_allclose(maps, 0.0, atol=1e-6)


def test_maxnorm_by_hand():
    m = np.zeros((2, 9, 9), np.float32)
    m[0, 2, 2], m[0, 6, 6] = 4.0, 2.0  # peaks 1 and 0.5 after scaling: × (1 − 0.5)²
    m[1, 4, 4] = 3.0  # a single peak: × 1
    out = maxnorm(m)
    assert out[0, 2, 2] == pytest.approx(0.25) and out[0, 6, 6] == pytest.approx(0.125)
    assert out[1, 4, 4] == pytest.approx(1.0)
    # two equal peaks cancel: (M − m̄)² = 0
    m[0, 6, 6] = 4.0
    assert maxnorm(m)[0].max() == pytest.approx(0.0)


def test_maxnorm_without_rescaling_keeps_amplitude():
    m = np.zeros((9, 9), np.float32)
    m[2, 2], m[6, 6] = 0.2, 0.1
    out = maxnorm(m, rescale=False)
    assert out[2, 2] == pytest.approx(0.2 * 0.25)


def _dots(n: int, size: int = 32, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    m = np.zeros((size, size), np.float32)
    idx = rng.choice(size * size, n, replace=False)
    m.flat[idx] = 1.0
    return m


def test_iterative_normalization_keeps_a_lone_peak_and_kills_texture():
    lone = _dots(1)
    texture = np.zeros((32, 32), np.float32)
    texture[1::4, 1::4] = 1.0  # 64 equal dots
    ratios = []
    for iterations in (1, 3, 5, 8):
        out = iterative_normalization(np.stack([lone, texture]), iterations=iterations)
        assert (out >= 0).all()
        ratios.append(out[0].max() / out[1].max())
    # the lone peak excites itself, the texture inhibits itself: the gap widens
    assert np.all(np.diff(ratios) > 0) and ratios[-1] > 2.5


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 4), st.floats(0.1, 10.0))
def test_normalizations_are_scale_free(iterations, scale):
    m = _dots(5, seed=iterations)
    for method in ("hybrid", "iterative", "maxnorm", "none"):
        a = normalize(m, method, iterations=iterations)
        b = normalize(m * np.float32(scale), method, iterations=iterations)
        np.testing.assert_allclose(a, b, atol=1e-5)


def test_unknown_normalization():
    with pytest.raises(ValueError, match="normalization must be one of"):
        normalize(np.zeros((4, 4)), "softmax")
    with pytest.raises(ValueError, match="normalization must be one of"):
        FeatureExtractor(normalization="softmax")


def _features(image):
    return FeatureExtractor()(Encoder()(image))


def test_feature_maps_and_groups():
    img = np.full((256, 256, 3), 128, np.uint8)
    img[100:120, 60:70] = (255, 0, 0)
    f = _features(img)
    assert set(f.groups) == {"intensity", "colour", "orientation", "size"}
    assert f.groups["size"] == ("size_smaller", "size_larger")
    assert f.groups["colour"] == ("red", "green", "blue", "yellow")
    assert all(m.shape == (16, 16) for m in f.feature_maps.values())
    # the red patch is the peak of the red map; the grey around it is not "green"
    red = f.feature_maps["red"]
    assert np.unravel_index(red.argmax(), red.shape) in {(6, 4), (6, 3), (7, 4), (7, 3)}
    assert f.feature_maps["green"].max() < 0.05 * red.max()


def test_combine_weights_and_gains():
    img = np.full((256, 256, 3), 128, np.uint8)
    img[40:60, 40:50] = (255, 0, 0)  # red, left
    img[180:200, 180:220] = (250, 250, 250)  # bright, horizontal, right
    f = _features(img)
    cons, sal = combine(f)
    assert sal.max() == pytest.approx(1.0) and sal.min() >= 0
    # only colour counts → the red patch wins; only intensity → the bright one
    _, colour_only = combine(f, weights={"intensity": 0, "orientation": 0})
    _, bright_only = combine(f, weights={"colour": 0, "orientation": 0})
    assert np.unravel_index(colour_only.argmax(), sal.shape)[1] < 8
    assert np.unravel_index(bright_only.argmax(), sal.shape)[1] >= 8
    # a gain of zero on every colour map silences the colour conspicuity map
    cons0, _ = combine(f, gains={m: 0.0 for m in f.groups["colour"]})
    assert cons0["colour"].max() == 0 and cons["colour"].max() > 0


def test_blank_image_has_zero_saliency():
    _, sal = combine(_features(np.zeros((64, 64, 3), np.uint8)))
    assert sal.shape == (4, 4) and not sal.any()
