"""N(·) (maxnorm) on plateaus and tied maxima, against a plain reference written here.

The reference follows Itti, Koch & Niebur (1998) word for word: scale to [0, M], find the
local maxima, m̄ = the mean of the local maxima other than the global one, multiply by
(M − m̄)². A local maximum is found the slow way: every connected region of equal values
(8-neighbourhood) is visited and kept when no pixel around it is higher.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import ndimage

from neuroattn.vision._normalize import maxnorm, regional_maxima

EIGHT = np.ones((3, 3), bool)


def reference_maxima(m, low):
    found = []
    h, w = m.shape
    for value in np.unique(m):
        if value < low:
            continue
        labels, n = ndimage.label(m == value, structure=EIGHT)
        for k in range(1, n + 1):
            around = [
                m[y, x]
                for y0, x0 in np.argwhere(labels == k)
                for y in range(max(y0 - 1, 0), min(y0 + 2, h))
                for x in range(max(x0 - 1, 0), min(x0 + 2, w))
                if labels[y, x] != k
            ]
            if not around or max(around) < value:
                found.append(float(value))
    return sorted(found)


def reference_maxnorm(m, M=1.0, min_peak=0.1):
    m = np.asarray(m, np.float64)
    if not m.any():
        return m.copy()
    m = m / m.max() * M
    others = reference_maxima(m, min_peak * M)[:-1]
    mbar = np.mean(others) if others else 0.0
    return m * (M - mbar) ** 2


def test_a_flat_peak_is_one_maximum():
    m = np.zeros((12, 12), np.float32)
    m[4:6, 4:6] = 1.0  # a flat 2×2 peak: once gave an all-zero map
    np.testing.assert_allclose(maxnorm(m), m)
    m[9, 9] = 0.5
    np.testing.assert_allclose(maxnorm(m), m * 0.25, rtol=1e-6)


def test_two_separate_equal_peaks_cancel_as_published():
    m = np.zeros((12, 12), np.float32)
    m[2, 2] = m[9, 9] = 1.0
    assert not maxnorm(m).any()


def test_a_shoulder_is_no_maximum():
    m = np.zeros((12, 12), np.float32)
    m[3:9, 3:9] = 0.6  # a plateau ...
    m[5, 5] = 1.0  # ... on the flank of a higher peak: one maximum only
    assert regional_maxima(m, 0.1).tolist() == [pytest.approx(1.0)]
    np.testing.assert_allclose(maxnorm(m), m)


def _quantised(seed, levels, shape):
    rng = np.random.default_rng(seed)
    m = rng.integers(0, levels, shape).astype(np.float32)
    # smoothing then quantising again gives plateaus of many shapes
    m = np.round(ndimage.uniform_filter(m, 3) * 2) / 2
    return m.astype(np.float32)


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 100_000), st.integers(2, 6), st.integers(3, 14), st.integers(3, 14))
def test_maxnorm_against_the_reference(seed, levels, h, w):
    m = _quantised(seed, levels, (h, w))
    unit = m / max(m.max(), 1)
    assert sorted(regional_maxima(unit, 0.1).tolist()) == reference_maxima(unit, 0.1)
    np.testing.assert_allclose(maxnorm(m), reference_maxnorm(m), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("first", range(0, 60, 6))
def test_a_stack_is_normalised_map_by_map(first):
    maps = np.stack([_quantised(s, 4, (10, 13)) for s in range(first, first + 6)])
    out = maxnorm(maps, M=2.0, min_peak=0.2)
    for m, o in zip(maps, out, strict=True):
        np.testing.assert_allclose(o, reference_maxnorm(m, 2.0, 0.2), rtol=1e-5, atol=1e-6)
    # without rescaling each map keeps its amplitude, times (1 − m̄/max)²
    kept = maxnorm(maps, rescale=False)
    for m, o in zip(maps, kept, strict=True):
        ref = reference_maxnorm(m) * m.max() if m.any() else m
        np.testing.assert_allclose(o, ref, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    ("option", "value"),
    [("M", 0.0), ("M", np.inf), ("min_peak", -0.1), ("min_peak", 1.5), ("floor", np.nan)],
)
def test_bad_maxnorm_options(option, value):
    with pytest.raises(ValueError, match=option):
        maxnorm(np.ones((4, 4)), **{option: value})
