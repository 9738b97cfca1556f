"""The normalisation model of attention (Reynolds & Heeger 2009): the shared function against a
slow explicit reference, the gain map, dtypes, bad inputs; the standalone model's Fig. 2A/2B."""

from __future__ import annotations

import math

import numpy as np
import pytest

from neuroattn.dynamics import (
    attention_modulation,
    attention_normalization,
    suppressive_pool,
)


def _reference_pool(x: np.ndarray, widths: list[float | None], modes: list[str]) -> np.ndarray:
    """S by explicit sums over every output and input sample (slow, independent of the FFT).

    Kernel: exp(-t²/2w²) / Σ_t exp(-t²/2w²) over all integer offsets t (the sum taken to
    |t| <= 2000); "zero" drops samples off the edge, "circular" wraps them, "reflect" mirrors
    them (d c b a | a b c d); ``inf`` is the mean over the axis.
    """
    out = np.array(x, dtype=np.float64)
    first = x.ndim - len(widths)
    for k, (w, mode) in enumerate(zip(widths, modes, strict=True)):
        if w is None:
            continue
        ax = first + k
        n = out.shape[ax]
        moved = np.moveaxis(out, ax, -1)
        new = np.zeros_like(moved)
        if math.isinf(w):
            new[...] = moved.mean(axis=-1, keepdims=True)
        else:
            ts = range(-2000, 2001)
            z = sum(math.exp(-t * t / (2 * w * w)) for t in ts)
            for i in range(n):
                for t in ts:
                    j = i - t
                    if mode == "zero" and not 0 <= j < n:
                        continue
                    if mode == "circular":
                        j %= n
                    elif mode == "reflect":
                        j %= 2 * n
                        j = j if j < n else 2 * n - 1 - j
                    new[..., i] += math.exp(-t * t / (2 * w * w)) / z * moved[..., j]
        out = np.moveaxis(new, -1, ax)
    return out


@pytest.mark.parametrize(
    ("widths", "modes"),
    [
        ([60.0, 5.0], ["circular", "zero"]),
        ([2.5, 1.5], ["circular", "reflect"]),
        ([math.inf, 3.0, None], ["circular", "zero", "reflect"]),
        ([None, 40.0], ["zero", "zero"]),
        ([0.7, 300.0], ["reflect", "circular"]),
    ],
)
def test_pool_and_response_follow_the_explicit_reference(widths, modes, rng) -> None:
    shape = (2, 6, 9, 5)[-len(widths) - 1 :]  # one batch axis in front
    e = rng.random(shape)
    a = 1 + rng.random(shape[-len(widths) :])  # broadcast over the batch axis
    s_ref = _reference_pool(a * e, widths, modes)
    s = suppressive_pool(e, a, pool=widths, boundary=modes)
    np.testing.assert_allclose(s, s_ref, rtol=1e-10, atol=1e-13)
    r = attention_normalization(e, a, pool=widths, sigma=0.01, boundary=modes)
    np.testing.assert_allclose(r, a * e / (s_ref + 0.01), rtol=1e-10)


def test_no_attention_no_pooling_is_e_over_e_plus_sigma(rng) -> None:
    e = rng.random((3, 7)) * 10.0 ** rng.integers(-6, 2, (3, 7))
    r = attention_normalization(e, pool=[None, None], sigma=1e-3)
    expected = np.array([[v / (v + 1e-3) for v in row] for row in e])
    np.testing.assert_allclose(r, expected, rtol=1e-12)
    ones = attention_normalization(e, np.ones_like(e), pool=(None, None), sigma=1e-3)
    np.testing.assert_array_equal(ones, r)


def test_a_flat_drive_under_a_global_pool_is_half_saturated() -> None:
    # S = E everywhere, so R = E / (E + σ) = 1/2 when E = σ
    r = attention_normalization(np.full((4, 8), 0.25), pool=(math.inf, math.inf), sigma=0.25)
    np.testing.assert_allclose(r, 0.5)


def test_modulation_is_the_ratio_of_the_responses(rng) -> None:
    e = rng.random((4, 12, 10))
    e[:, :3] = 0.0  # no drive: the ratio of responses is 0/0 there, the gain is not
    a = 1 + np.exp(-((np.arange(10) - 6.0) ** 2) / 8)[None, None, :]
    opts = dict(pool=(math.inf, 2.0, 3.0), sigma=1e-3)
    r_a = attention_normalization(e, a, **opts)
    r_1 = attention_normalization(e, **opts)
    m = attention_modulation(e, a, **opts)
    assert m.shape == e.shape and np.all(np.isfinite(m)) and np.all(m > 0)
    np.testing.assert_allclose(r_a, m * r_1, rtol=1e-12, atol=1e-300)
    live = e > 0
    np.testing.assert_allclose(r_a[live], e[live] * m[live] * r_1[live] / e[live], rtol=1e-12)
    np.testing.assert_array_equal(attention_modulation(e, np.ones_like(e), **opts), 1.0)


def test_float32_and_float64_agree(rng) -> None:
    e = rng.random((3, 5, 40, 30))
    a = 1 + rng.random((1, 5, 40, 30))
    opts = dict(pool=(60.0, 4.0, 4.0), sigma=1e-3, boundary=("circular", "reflect", "zero"))
    r64 = attention_normalization(e, a, **opts)
    r32 = attention_normalization(e.astype(np.float32), a.astype(np.float32), **opts)
    m32 = attention_modulation(e.astype(np.float32), a, **opts)
    assert r32.dtype == np.float32 and m32.dtype == np.float32 and r64.dtype == np.float64
    np.testing.assert_allclose(r32, r64, rtol=2e-5)
    np.testing.assert_allclose(m32, attention_modulation(e, a, **opts), rtol=2e-5)


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        (dict(drive=-np.ones((2, 3))), ValueError, "drive must be >= 0"),
        (dict(drive=np.full((2, 3), np.nan)), ValueError, "drive contains NaN or inf"),
        (dict(drive=np.full((2, 3), np.inf)), ValueError, "drive contains NaN or inf"),
        (dict(drive=np.ones((2, 3), complex)), TypeError, "drive must be real"),
        (dict(drive="abc"), TypeError, "drive must be numeric"),
        (dict(attention=np.ones((3, 2))), ValueError, "attention must broadcast to the shape"),
        (dict(attention=np.ones((2, 2, 3))), ValueError, "attention must broadcast to the shape"),
        (dict(attention=-np.ones((2, 3))), ValueError, "attention must be >= 0"),
        (dict(attention=np.full(3, np.nan)), ValueError, "attention contains NaN or inf"),
        (dict(pool=(0.0, 1.0)), ValueError, r"pool\[0\] must be None, inf or a number > 0"),
        (dict(pool=(1.0, -2.0)), ValueError, r"pool\[1\] must be None, inf or a number > 0"),
        (dict(pool=(1.0, -np.inf)), ValueError, r"pool\[1\] must be None, inf"),
        (dict(pool=(1.0, np.nan)), ValueError, r"pool\[1\] must be None, inf"),
        (dict(pool=(1.0, True)), ValueError, r"pool\[1\] must be None, inf"),
        (dict(pool=(1.0, 1.0, 1.0)), ValueError, "pool must give at most one width per axis"),
        (dict(pool=()), ValueError, "pool must give at least one width"),
        (dict(pool="wide"), TypeError, "pool must be a width"),
        (dict(sigma=0.0), ValueError, "sigma must be a finite number > 0"),
        (dict(sigma=-1.0), ValueError, "sigma must be a finite number > 0"),
        (dict(boundary="periodic"), ValueError, r"boundary\[0\] must be one of"),
        (dict(boundary=("zero",)), ValueError, "boundary must be one name or 2 names"),
        (dict(boundary=3), TypeError, "boundary must be a name"),
    ],
)
@pytest.mark.parametrize("function", [attention_normalization, attention_modulation])
def test_bad_inputs_are_clear_errors(function, kwargs, error, words) -> None:
    args = dict(drive=np.ones((2, 3)), attention=np.ones((2, 3)), pool=(1.0, 2.0), sigma=1e-3)
    args.update(kwargs)
    drive, attention = args.pop("drive"), args.pop("attention")
    with pytest.raises(error, match=words):
        function(drive, attention, **args)


def test_modulation_needs_an_attention_field() -> None:
    with pytest.raises(TypeError, match="attention must be an array"):
        attention_modulation(np.ones((2, 3)), None, pool=(1.0, 1.0))


def test_extreme_widths_are_finite_and_limits_are_right(rng) -> None:
    e = rng.random((5, 8))
    tiny = suppressive_pool(e, pool=(1e-300, 1e-300))
    np.testing.assert_array_equal(tiny, e)  # a point kernel is the identity
    huge = suppressive_pool(e, pool=(1e300, 1e300), boundary="circular")
    np.testing.assert_allclose(huge, e.mean(), rtol=1e-12)  # periodic and wide: the mean
    zero = suppressive_pool(e, pool=(None, 1e300))
    # the width is clipped at 1e100 (the same to float precision): S ~ 1e-100
    assert np.all(np.isfinite(zero)) and np.all(zero >= 0) and zero.max() < 1e-90
    empty = attention_normalization(np.ones((0, 4)), pool=(2.0, 2.0))
    assert empty.shape == (0, 4)
