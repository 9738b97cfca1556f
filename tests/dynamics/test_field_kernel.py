"""The neural field's lateral integral on a ring or torus: the plane's kernel summed over the
periodic images (issue 8: it was cut at half the ring), against plain references."""

import numpy as np
import pytest

from neuroattn.dynamics import NeuralField, dog_kernel
from neuroattn.dynamics._fields import periodic_gaussian

KW = dict(a_exc=1.0, sigma_exc=2.0, a_inh=0.5, sigma_inh=6.0)


def circulant_reference(shape, dx, a_exc, sigma_exc, a_inh, sigma_inh, images=40):
    """The dense matrix Σ_k w(x_i − x_j + k P) · cell, summing every image k by hand (2-D:
    every pair of images, the plane's radial kernel, no separability used)."""
    grids = np.meshgrid(*[np.arange(s) for s in shape], indexing="ij")
    pts = np.stack([g.ravel() for g in grids], -1).astype(float) * dx  # (n, dim)
    diff = pts[:, None, :] - pts[None, :, :]  # (n, n, dim)
    period = np.asarray(shape, dtype=float) * dx
    ks = np.arange(-images, images + 1)
    offsets = np.stack(np.meshgrid(*[ks] * len(shape), indexing="ij"), -1).reshape(-1, len(shape))
    total = np.zeros(diff.shape[:2])
    for off in offsets:
        d = diff + off * period
        d2 = (d**2).sum(-1)
        total += a_exc * np.exp(-d2 / (2 * sigma_exc**2)) - a_inh * np.exp(-d2 / (2 * sigma_inh**2))
    return total * dx ** len(shape)


def lateral(field, r):
    """L f(u) of the field for rates r, read off the right-hand side (linear f, h = 0)."""
    return field.bind().rhs(r, 0.0) + r


def test_the_issue_reproducer_20_unit_ring():
    # a 20-unit ring with σ_inh = 6: cut at half the ring, the lateral input was off by 0.45
    ref = circulant_reference((20,), 1.0, **KW)
    r = np.random.default_rng(0).uniform(0, 1, 20)
    for method in ("direct", "fft"):
        field = NeuralField(20, activation="linear", method=method, **KW)
        np.testing.assert_allclose(field.lateral_matrix(), ref, atol=1e-13)
        np.testing.assert_allclose(lateral(field, r), ref @ r, atol=1e-12)


@pytest.mark.parametrize("method", ["direct", "fft"])
@pytest.mark.parametrize(
    ("shape", "dx", "sigmas"),
    [
        ((20,), 1.0, (2.0, 6.0)),
        ((13,), 0.7, (0.3, 25.0)),  # wider than the ring: many images
        ((7,), 1.0, (1e-3, 4.0)),  # a spike: one image
        ((5, 6), 1.0, (1.5, 4.0)),
        ((4, 7), 0.5, (0.5, 3.0)),
    ],
)
def test_periodic_kernel_equals_the_sum_over_images(shape, dx, sigmas, method, rng):
    kw = dict(a_exc=1.3, sigma_exc=sigmas[0], a_inh=0.6, sigma_inh=sigmas[1])
    field = NeuralField(shape, dx=dx, activation="linear", method=method, **kw)
    ref = circulant_reference(shape, dx, images=60, **kw)
    r = rng.normal(size=(3, *shape))
    expected = (r.reshape(3, -1) @ ref.T).reshape(r.shape)
    np.testing.assert_allclose(lateral(field, r), expected, atol=1e-11)


def test_zero_boundary_is_unchanged(rng):
    # zero activity outside the grid: no images, the plain kernel of the distance
    kw = dict(a_exc=1.0, sigma_exc=1.0, a_inh=0.4, sigma_inh=3.0)
    field = NeuralField(9, boundary="zero", activation="linear", **kw)
    x = np.arange(9.0)
    ref = dog_kernel((x[:, None] - x[None, :]) ** 2, 1.0, 1.0, 0.4, 3.0)
    np.testing.assert_allclose(field.lateral_matrix(), ref, atol=1e-14)


def test_periodic_gaussian_both_forms_agree_at_the_switch():
    d = np.linspace(0, 10, 11)
    for r in (0.999, 1.001):  # image sum below σ = P, Poisson sum above
        sigma = 10 * r
        ks = np.arange(-200, 201)
        ref = np.exp(-((d[:, None] + 10 * ks) ** 2) / (2 * sigma**2)).sum(1)
        np.testing.assert_allclose(periodic_gaussian(d, sigma, 10.0), ref, rtol=1e-13)


@pytest.mark.parametrize("sigma", [1e-300, 1e300])
def test_extreme_widths_give_finite_kernels_quickly(sigma):
    field = NeuralField(20, sigma_inh=sigma, activation="linear")
    L = field.lateral_matrix()
    assert np.isfinite(L).all()
    zero = NeuralField(20, sigma_inh=sigma, boundary="zero", activation="linear")
    assert np.isfinite(zero.lateral_matrix()).all()


@pytest.mark.parametrize(
    "kw",
    [
        dict(shape=(20, 20), sigma_inh=1e300, dx=1.0),  # (√(2π) σ / P)² overflows
        dict(shape=(20, 20), dx=1e300),  # the cell dx² overflows
        dict(shape=10, a_exc=np.nan),
        dict(shape=10, sigma_exc=np.inf),
        dict(shape=10, a_inh=[1.0, 2.0]),
        dict(shape=True),
        dict(shape=(3.0,)),
    ],
)
def test_kernels_that_overflow_or_bad_parameters_are_refused(kw):
    with pytest.raises((ValueError, TypeError)):
        NeuralField(**kw)


def test_dog_kernel_checks_its_arguments():
    np.testing.assert_allclose(dog_kernel(np.array([0.0]), 1.0, 2.0, 0.5, 6.0), [0.5])
    for args in [
        (np.array([np.nan]), 1, 2, 0.5, 6),
        (np.array([-1.0]), 1, 2, 0.5, 6),
        (np.array([1.0]), np.nan, 2, 0.5, 6),
        (np.array([1.0]), 1, 0, 0.5, 6),
        (np.array([1.0]), 1e308, 2, -1e308, 6),
    ]:
        with pytest.raises((ValueError, TypeError)):
            dog_kernel(*args)
    with pytest.raises(TypeError, match="complex"):
        dog_kernel(np.array([1.0 + 1j]), 1, 2, 0.5, 6)
