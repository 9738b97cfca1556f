"""The ring builders sum the kernel over the ring's periodic images, as the periodic neural
field does (issue 8: they used the shortest distance only), against plain references."""

import numpy as np
import pytest

from neuroattn.dynamics import NeuralField, mexican_hat, ring


def images_reference(n, amplitudes_and_widths, images=200):
    """Σ_k Σ_a a exp(−(i − j + k n)² / 2σ²), every image k summed by hand (the displacement
    i − j itself, not the shortest distance)."""
    i = np.arange(n, dtype=float)
    diff = i[:, None] - i[None, :]
    total = np.zeros((n, n))
    for k in range(-images, images + 1):
        for a, sigma in amplitudes_and_widths:
            total += a * np.exp(-((diff + k * n) ** 2) / (2 * sigma**2))
    return total


@pytest.mark.parametrize(
    ("n", "width"), [(20, 2.0), (20, 6.0), (7, 30.0), (12, 0.3), (1, 2.0), (2, 5.0)]
)
def test_ring_sums_the_images(n, width):
    expected = images_reference(n, [(1.7, width)])
    np.testing.assert_allclose(ring(n, weight=1.7, width=width), expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(("n", "sigmas"), [(20, (2.0, 6.0)), (9, (1.0, 12.0)), (16, (0.5, 3.0))])
def test_mexican_hat_sums_the_images(n, sigmas):
    kw = dict(a_exc=1.2, sigma_exc=sigmas[0], a_inh=0.7, sigma_inh=sigmas[1])
    expected = images_reference(n, [(1.2, sigmas[0]), (-0.7, sigmas[1])])
    np.testing.assert_allclose(mexican_hat(n, **kw), expected, atol=1e-12)


@pytest.mark.parametrize("method", ["direct", "fft"])
@pytest.mark.parametrize(("n", "sigmas"), [(20, (2.0, 6.0)), (11, (0.7, 25.0))])
def test_mexican_hat_equals_the_periodic_fields_kernel(n, sigmas, method):
    kw = dict(a_exc=1.0, sigma_exc=sigmas[0], a_inh=0.5, sigma_inh=sigmas[1])
    field = NeuralField(n, boundary="periodic", activation="linear", method=method, **kw)
    W = mexican_hat(n, **kw)
    np.testing.assert_allclose(field.lateral_matrix(), W, atol=1e-14)
    r = np.random.default_rng(3).uniform(0, 1, (2, n))
    lateral = field.bind().rhs(r, 0.0) + r  # L f(u) with f linear, h = 0, τ = 1
    np.testing.assert_allclose(lateral, r @ W.T, atol=1e-12)


def test_a_wide_kernel_on_a_small_ring_differs_from_the_shortest_distance_form():
    # σ_inh = 6 on 20 units: the images add inhibition that the shortest distance misses
    wrapped, shortest = mexican_hat(20), mexican_hat(20, wrap="shortest")
    assert np.abs(wrapped - shortest).max() == pytest.approx(0.1247, abs=1e-4)
    i = np.arange(20.0)
    d = np.minimum(np.abs(i[:, None] - i[None, :]), 20 - np.abs(i[:, None] - i[None, :]))
    plain = np.exp(-(d**2) / 8) - 0.5 * np.exp(-(d**2) / 72)
    np.testing.assert_allclose(shortest, plain, atol=1e-15)  # the kept form, as written
    np.testing.assert_allclose(ring(10, width=0.5, wrap="shortest"), ring(10, width=0.5),
                               atol=1e-21)  # fmt: skip


def test_a_very_wide_kernel_folds_to_nearly_equal_weights():
    # σ ≫ n: the plane's Gaussian folded onto the ring is flat at √(2π) σ / n
    W = ring(8, width=1e6)
    np.testing.assert_allclose(W, np.sqrt(2 * np.pi) * 1e6 / 8, rtol=1e-12)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: ring(5, wrap="periodic"), "wrap must be one of 'images', 'shortest'"),
        (lambda: mexican_hat(5, wrap=None), "wrap must be one of"),
        (lambda: ring(5, weight=1e300, width=1e300), "widths summed over the ring's images"),
        (lambda: mexican_hat(5, a_inh=1e300, sigma_inh=1e200), "weights overflow"),
    ],
)
def test_bad_wraps_and_overflowing_images(call, match):
    with pytest.raises(ValueError, match=match):
        call()
