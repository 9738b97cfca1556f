"""The fast paths of the feature stage against plain reference implementations.

Centre–surround maps of many pyramids at once (:mod:`neuroattn.vision._centre`) against
``cv2.resize`` applied map by map, as published (resize the surround to the centre,
subtract, resize to the map level); the iterative normalisation, whose inhibition runs
through a factored Gaussian, against its equation written out in float64; the
modulator's attended pool (matrices) and its kept spot terms against the suppressive pool
and the attention field.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from neuroattn.dynamics import suppressive_pool
from neuroattn.vision import AttentionField, Modulator, Pipeline, Spot
from neuroattn.vision._centre import centre_surround_stack
from neuroattn.vision._modulate import _pool_matrices
from neuroattn.vision._normalize import _factors, iterative_normalization, positive_part
from neuroattn.vision.encode import Pyramid, gaussian_pyramid
from neuroattn.vision.features import centre_surround


def _cv2_resize(a: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    if a.shape == shape:
        return a
    shrink = a.shape[0] >= shape[0] and a.shape[1] >= shape[1]
    interp = cv2.INTER_AREA if shrink else cv2.INTER_LINEAR
    return cv2.resize(a, (shape[1], shape[0]), interpolation=interp)


def _reference(pyr: Pyramid, centres, deltas, out_shape) -> np.ndarray:
    maps = []
    for c in centres:
        centre = pyr[c]
        for d in deltas:
            surround = _cv2_resize(pyr[min(c + d, pyr.last)], centre.shape)
            maps.append(_cv2_resize(centre - surround, out_shape))
    return np.stack(maps)


def _pyramids(shape: tuple[int, int], k: int, seed: int) -> list[Pyramid]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(k):
        base = cv2.GaussianBlur(rng.random(shape).astype(np.float32), (0, 0), 2.0)
        out.append(Pyramid(tuple(gaussian_pyramid(base, 6)[2:]), 2))
    return out


@pytest.mark.parametrize(
    ("shape", "centres", "deltas", "level"),
    [
        ((480, 640), (2, 3, 4), (3, 4), 4),  # dyadic: integer area factors
        ((400, 600), (2, 3, 4), (3, 4), 4),  # odd level sides (ceil halving)
        ((333, 517), (2, 4), (1, 2), 3),  # a centre below the map level: enlarged
        ((96, 80), (2, 3, 4), (3, 4), 4),  # deepest levels 1 px wide: resized directly
    ],
)
def test_centre_surround_stack_matches_resize_by_resize(shape, centres, deltas, level):
    pyrs = _pyramids(shape, 3, seed=sum(shape))
    out_shape = pyrs[0][level].shape
    got = centre_surround_stack(pyrs, centres, deltas, out_shape)
    assert got.shape == (3, len(centres) * len(deltas), *out_shape)
    assert got.dtype == np.float32
    for k, pyr in enumerate(pyrs):
        want = _reference(pyr, centres, deltas, out_shape)
        np.testing.assert_allclose(got[k], want, rtol=0, atol=5e-7)
        one = centre_surround(pyr, centres, deltas, out_shape=out_shape)
        np.testing.assert_allclose(one, want, rtol=0, atol=5e-7)


def _gauss(n: int, sigma: float) -> np.ndarray:
    """Row-normalised Gaussian matrix, float64 (the truncated unit-mass Gaussian)."""
    i = np.arange(n, dtype=np.float64)
    g = np.exp(-((i[:, None] - i[None, :]) ** 2) / (2 * sigma**2))
    return g / g.sum(axis=1, keepdims=True)


def _dog_reference(m: np.ndarray, iterations: int) -> np.ndarray:
    """Itti & Koch (2000) written out in float64, map by map."""
    h, w = m.shape
    m = m.astype(np.float64) / max(float(m.max()), 0.05)
    exc = (_gauss(h, 0.02 * w), _gauss(w, 0.02 * w))
    inh = (_gauss(h, 0.25 * w), _gauss(w, 0.25 * w))
    for _ in range(iterations):
        dog = 0.25 * exc[0] @ m @ exc[1].T - 2.25 * inh[0] @ m @ inh[1].T
        m = np.maximum(m + dog - 0.02, 0)
    return m


@pytest.mark.parametrize("shape", [(3, 30, 40), (2, 25, 38), (2, 8, 10), (1, 1, 7), (2, 64, 48)])
def test_iterative_normalization_matches_the_equation_in_float64(shape):
    rng = np.random.default_rng(shape[1])
    maps = (rng.random(shape) ** 3).astype(np.float32)
    maps[0] *= 0.02  # below the floor
    got = iterative_normalization(maps, iterations=5, floor=0.05)
    assert got.dtype == np.float32 and got.shape == shape
    for k in range(shape[0]):
        np.testing.assert_allclose(got[k], _dog_reference(maps[k], 5), rtol=0, atol=2e-6)


def test_the_inhibitory_blur_is_factored_to_float32_rounding():
    for n, sigma in [(30, 10.0), (40, 10.0), (25, 9.5), (4, 1.0)]:
        u, vt = _factors(n, sigma)
        assert u.shape[1] == vt.shape[0] <= n
        np.testing.assert_allclose(u @ vt, _gauss(n, sigma), rtol=0, atol=1e-7)
    assert _factors(30, 10.0)[0].shape[1] < 15  # the point of it: a low rank


def test_positive_part_is_max_with_zero_in_place():
    x = np.random.default_rng(0).normal(size=(4, 5, 6)).astype(np.float32)
    want = np.maximum(x, 0)
    assert positive_part(x) is x
    np.testing.assert_array_equal(x, want)
    assert positive_part(np.zeros((0, 3), np.float32)).shape == (0, 3)


def test_the_attended_pool_as_matrices_is_the_suppressive_pool():
    rng = np.random.default_rng(3)
    means = rng.random((3, 15, 20))
    for px in (0.5, 4.0, 30.0):
        py, pxt = _pool_matrices((15, 20), px)
        want = suppressive_pool(means, pool=(px, px), boundary="reflect")
        np.testing.assert_allclose(py @ means @ pxt, want, rtol=0, atol=1e-12)


def test_the_modulator_sums_the_same_spot_terms_as_the_field():
    img = np.random.default_rng(4).random((96, 128, 3)).astype(np.float32)
    mod = Modulator(Pipeline().encode(img))
    spots = (Spot(30, 40, 0.1, 0.5), Spot(100, 20, 0.05, 2.0))
    for n in (1, 2, 1, 2):  # again: the kept terms; last, with room for one spot only
        mod._keep = 1 if n == 2 and len(mod._terms) == 2 else mod._keep
        field = AttentionField(spots[:n])
        got = mod._spatial(field)
        for k, (h, w) in enumerate(mod.shapes):
            np.testing.assert_array_equal(got[k], field.spatial((h, w), (96, 128)))
            y, x = (np.arange(h)[:, None] + 0.5) * 96 / h, (np.arange(w) + 0.5) * 128 / w
            r2 = [(x - s.x) ** 2 + (y - s.y) ** 2 for s in spots[:n]]
            want = 1 + sum(
                (s.peak - 1) * np.exp(-d / (2 * (128 * s.width) ** 2))
                for s, d in zip(spots[:n], r2, strict=True)
            )
            np.testing.assert_allclose(got[k], np.maximum(want, 1e-3), rtol=1e-6)
