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
        ([0.7, 0.3], ["zero", "zero"]),  # kernels shorter than the axes (FFT length n + reach)
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


# ---------------------------------------------------------------- the standalone model


def _circulant(n: int, sd: float, wrap: bool) -> np.ndarray:
    """K[i, j] = unit-sum Gaussian weight of offset i - j (summed over images if ``wrap``)."""
    ts = range(-2000, 2001)
    z = sum(math.exp(-t * t / (2 * sd * sd)) for t in ts)
    k = np.zeros((n, n))
    for i in range(n):
        for t in ts:
            j = i - t
            if wrap:
                k[i, j % n] += math.exp(-t * t / (2 * sd * sd)) / z
            elif 0 <= j < n:
                k[i, j] += math.exp(-t * t / (2 * sd * sd)) / z
    return k


def test_model_respond_follows_matrix_reference() -> None:
    from neuroattn.dynamics import NormalizationModel

    m = NormalizationModel(space_extent=30, space_step=2.0, orientation_step=10.0)
    assert m.x.size == 31 and m.theta.size == 36 and m.theta[0] == -180 and m.theta[-1] == 170
    stim = m.stimulus(6.0, 4.0, orientation=20.0, orientation_width=15.0, contrast=0.3)
    stim = stim + m.stimulus(-10.0, 2.0, orientation=-90.0, orientation_width=15.0)
    att = m.attention_field(position=6.0, width=8.0, orientation=20.0, orientation_width=30.0)
    # E = Kθ · stim · Kxᵀ, S = Sθ · (A E) · Sxᵀ with widths in samples (x by 2, θ by 10°)
    e = _circulant(36, 6.0, True) @ stim @ _circulant(31, 2.5, False).T
    s = _circulant(36, 36.0, True) @ (att * e) @ _circulant(31, 10.0, False).T
    pop = m.respond(stim, att)
    np.testing.assert_allclose(pop.drive, e, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(pop.suppression, s, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(pop.response, att * e / (s + 1e-6), rtol=1e-9)
    assert pop.at(6.0, 20.0) == pop.response[20, 18]
    assert not pop.response.flags.writeable and not pop.attention.flags.writeable
    # the authors' attention field: base + (peak - base) at the peak, base far away
    assert att[20, 18] == pytest.approx(2.0) and att[2, 0] == pytest.approx(1.0, abs=1e-3)


def test_contrast_response_fits_are_the_analytic_naka_rushton() -> None:
    # at one neuron R(c) = c·A·E0 / (c·S0 + σ): Rmax = A·E0/S0, c50 = σ/S0, n = 1 exactly
    from neuroattn.dynamics import NormalizationModel

    m = NormalizationModel()
    cr = m.contrast_response(stimulus_width=3.0, attention_width=30.0)
    pair = m.stimulus(100, 3.0) + m.stimulus(-100, 3.0)
    pop = m.respond(pair, m.attention_field(position=100, width=30.0))
    j, i = 180, 300  # θ = 0, x = 100
    a_e0, s0 = pop.attention[j, i] * pop.drive[j, i], pop.suppression[j, i]
    np.testing.assert_allclose(cr.attended, cr.contrasts * a_e0 / (cr.contrasts * s0 + 1e-6))
    assert cr.attended_fit.rmax == pytest.approx(a_e0 / s0, rel=1e-6)
    assert cr.attended_fit.c50 == pytest.approx(1e-6 / s0, rel=1e-6)
    assert cr.attended_fit.n == pytest.approx(1.0, rel=1e-6)
    np.testing.assert_allclose(cr.attended_fit(cr.contrasts), cr.attended, rtol=1e-6)


def test_fig2a_small_stimulus_large_field_is_contrast_gain() -> None:
    """Fig. 2A (stimulus width 3, attention field 30, the authors' other defaults).

    Measured: c50 0.000997 -> 0.000503 (shift 1.98x to the left), Rmax 8.55 -> 8.62
    (+0.86 %), n = 1.00 in both fits; attentional modulation 99 % at c = 1e-5 and 0.9 %
    at c = 1: contrast gain.
    """
    from neuroattn.dynamics import NormalizationModel

    cr = NormalizationModel().contrast_response(stimulus_width=3.0, attention_width=30.0)
    assert cr.contrasts.size == 25 and cr.contrasts[0] == pytest.approx(1e-5)
    assert 1.8 < cr.c50_shift < 2.1
    assert abs(cr.rmax_ratio - 1) < 0.03
    assert cr.attended[-1] / cr.unattended[-1] < 1.02  # no modulation at full contrast
    assert cr.attended[0] / cr.unattended[0] > 1.9  # A = 2 at the lowest contrast


def test_fig2b_large_stimulus_small_field_is_response_gain() -> None:
    """Fig. 2B (stimulus width 5, attention field 3).

    Measured: Rmax 7.18 -> 10.18 (x1.42), c50 0.000609 -> 0.000432 (shift 1.41x, against
    1.98x in Fig. 2A), n = 1.00; modulation 99 % at c = 1e-5 and still 42 % at c = 1: the
    change is mostly one of Rmax (response gain). In this model a field narrower than the
    pool raises S a little (S_A/S_1 = 1.41) so c50 moves too.
    """
    from neuroattn.dynamics import NormalizationModel

    cr = NormalizationModel().contrast_response(stimulus_width=5.0, attention_width=3.0)
    assert 1.3 < cr.rmax_ratio < 1.6
    assert cr.c50_shift < 1.6
    assert cr.attended[-1] / cr.unattended[-1] > 1.3  # modulation survives at full contrast
    fig2a = NormalizationModel().contrast_response(stimulus_width=3.0, attention_width=30.0)
    assert cr.rmax_ratio - 1 > 10 * (fig2a.rmax_ratio - 1)
    assert cr.c50_shift < fig2a.c50_shift - 0.4


def test_model_float32_population_matches_float64() -> None:
    from neuroattn.dynamics import NormalizationModel

    m = NormalizationModel(space_extent=60)
    stim = m.stimulus(10.0, 5.0, contrast=0.5)
    att = m.attention_field(position=10.0, width=3.0)
    e = m.drive(stim)
    opts = dict(pool=(360.0, 20.0), sigma=1e-6, boundary=("circular", "zero"))
    r64 = attention_normalization(e, att, **opts)
    r32 = attention_normalization(e.astype(np.float32), att.astype(np.float32), **opts)
    np.testing.assert_allclose(r32, r64, rtol=1e-4, atol=1e-6 * r64.max())


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda M: M(excitatory_width=0), "excitatory_width must be a finite number > 0"),
        (lambda M: M(suppressive_width=-3), "suppressive_width must be a finite number > 0"),
        (lambda M: M(sigma=0), "sigma must be a finite number > 0"),
        (lambda M: M(attention_peak=0.5), "attention_peak must be a finite number >= 1"),
        (lambda M: M(orientation_step=7), "orientation_step must divide 360"),
        (lambda M: M(space_extent=1e9), "space_extent / space_step be <= 50000"),
        (lambda M: M(space_step=float("nan")), "space_step must be a finite number > 0"),
        (lambda M: M().stimulus(0, 0), "width must be a finite number > 0"),
        (lambda M: M().stimulus(0, 3, contrast=-1), "contrast must be a finite number >= 0"),
        (lambda M: M().attention_field(position=0, width=-1), "width must be a finite"),
        (lambda M: M().attention_field(peak=0.5, position=0), "peak must be a finite number >="),
        (lambda M: M().respond(np.ones((3, 4))), r"stimulus must have shape \(\.\.\., 360, 401\)"),
        (lambda M: M().respond(-M().stimulus(0, 3)), "drive must be >= 0"),
        (lambda M: M().respond(M().stimulus(0, 3), np.ones((2, 2))), "attention must broadcast"),
        (lambda M: M().contrast_response([0.1, 0.0, 1.0]), "contrasts must be >= 3 numbers > 0"),
        (lambda M: M().contrast_response(stimulus_width=0), "width must be a finite number > 0"),
    ],
)
def test_model_bad_inputs_are_clear_errors(make, words) -> None:
    from neuroattn.dynamics import NormalizationModel

    with pytest.raises(ValueError, match=words):
        make(NormalizationModel)


def test_results_are_immutable() -> None:
    import dataclasses

    from neuroattn.dynamics import NakaRushton, NormalizationModel

    m = NormalizationModel(space_extent=40)
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.sigma = 1.0  # type: ignore[misc]
    cr = m.contrast_response(position=20, away=-20, contrasts=np.logspace(-4, 0, 6))
    with pytest.raises(ValueError, match="read-only"):
        cr.attended[0] = 1.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        cr.attended_fit.rmax = 1.0  # type: ignore[misc]
    with pytest.raises(ValueError, match="as many"):
        NakaRushton.fit([0.1, 1.0], [1.0, 2.0])
