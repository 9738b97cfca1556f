"""Inputs the fuzz suite (tests/fuzz) found, kept as regression tests."""

import numpy as np
import pytest

from neuroattn.vision.encode import Encoder, gabor_kernels


@pytest.mark.parametrize("wavelength", [1, 2])
def test_gabor_wavelength_at_or_below_nyquist_is_refused(wavelength):
    # at 2 pixels the odd kernel of a horizontal bar is zero everywhere: 0/0 before
    with pytest.raises(ValueError, match="gabor wavelength must be a finite number > 2"):
        gabor_kernels(0.0, wavelength=wavelength)
    with pytest.raises(ValueError, match="gabor wavelength"):
        Encoder(gabor_wavelength=wavelength)


def test_gabor_just_above_nyquist_is_finite():
    even, odd = gabor_kernels(0.0, wavelength=2.01)
    assert np.isfinite(even).all() and np.isfinite(odd).all()
    assert np.abs(odd).sum() == pytest.approx(1.0, rel=1e-5)


def test_gabor_orientation_must_be_finite():
    with pytest.raises(ValueError, match="gabor orientation"):
        gabor_kernels(float("nan"))


@pytest.mark.parametrize("peak", [1e299, 1e-300, 3.4e38])
def test_float_images_beyond_float32_are_rescaled_not_overflowed(peak):
    from neuroattn.vision import saliency

    rng = np.random.default_rng(0)
    base = rng.uniform(0, 1, (32, 32, 3))
    reference = saliency(base)
    s = saliency(base * peak)
    assert np.isfinite(s).all()
    np.testing.assert_allclose(s, reference, atol=1e-4)


def test_a_long_dwell_on_a_tiny_map_is_refused_up_front():
    # 12 units, dwell 1e6 τ: 117 s of per-step overhead before the estimate counted it
    from neuroattn.vision.compete import STEP_OVERHEAD_UNITS, WinnerTakeAll

    wta = WinnerTakeAll(dwell=1e6)
    with pytest.raises(ValueError, match="more than max_work"):
        wta.check_work(2, 12)
    assert WinnerTakeAll().check_work(5, 32 * 32) < 1e7  # the default scan is far inside
    assert STEP_OVERHEAD_UNITS > 0


def test_a_huge_gabor_wavelength_is_refused_before_the_kernel_is_built():
    # Encoder(gabor_wavelength=1e9) failed inside numpy ("array is too big")
    with pytest.raises(ValueError, match="gabor wavelength must be a finite number > 2 and <= 64"):
        Encoder(gabor_wavelength=1e9)
    Encoder(gabor_wavelength=64)
