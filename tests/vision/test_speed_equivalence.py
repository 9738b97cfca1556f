"""The fast paths of the feature stage against plain reference implementations.

Centre–surround maps of many pyramids at once (:mod:`neuroattn.vision._centre`) against
``cv2.resize`` applied map by map, as published (resize the surround to the centre,
subtract, resize to the map level).
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from neuroattn.vision._centre import centre_surround_stack
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
