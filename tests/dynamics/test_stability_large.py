"""The stability check after a fixed-step run covers large systems (issue 8: above
2 · members · n³ = 65536 only the decay 1/τ was checked, so a step unstable through the
lateral weights could end finite and wrong). References: numpy.linalg.eigvals and the
closed-form spectra of uniform and circulant matrices."""

import numpy as np
import pytest

from neuroattn.dynamics import (
    Competition,
    Dopri5,
    LateralInhibition,
    NeuralField,
    Shunting,
    Status,
    _stability,
    mexican_hat,
    random_weights,
    simulate,
    uniform,
)
from neuroattn.dynamics._krylov import arnoldi_ritz
from neuroattn.dynamics._stability import _outer_eigenvalues

N = 2000
INPUT = 1.0 + 0.01 * np.random.default_rng(0).uniform(size=N)
# relu, every unit active: J = (W0 − β diag(Σ_j w_ij) − I) / τ has the eigenvalue
# −1 − w − 2 = −3.001 (n − 1 times) and −1.002: dt = 1.2 puts −3.6 outside RK4's interval
# [−2.785, 0]; the decay alone (dt/τ = 1.2) is inside it
DENSE = Competition(uniform(N, 0.001), beta=1.0, activation="relu")


def test_a_large_network_unstable_through_its_weights_is_flagged():
    span = (0, 36)  # e^(−1.002 · 36) < 1e-15: at the fixed point (I − L) u = I
    c, w = 1 + 0.001 + 1.0 * N * 0.001, 0.001  # I − L = c I − w 1 1ᵀ (Sherman–Morrison)
    exact = (INPUT + w * INPUT.sum() / (c - N * w)) / c
    bad = simulate(DENSE, INPUT, t_span=span, dt=1.2, method="rk4", throw=False)
    assert bad.status is Status.UNSTABLE_STEP
    assert "eigenvalue -3 decays" in bad.stats["message"]
    assert np.isfinite(bad.final).all() and np.abs(bad.final - exact).max() > 1.0  # and wrong
    good = simulate(DENSE, INPUT, t_span=span, dt=0.8, method="rk4")  # −2.4: inside
    np.testing.assert_allclose(good.final, exact, atol=1e-9)


def test_a_large_winner_take_all_network_unstable_through_its_weights_is_flagged():
    # L = (α + β) I − β 1 1ᵀ: the uniform mode decays at α − 1 − (n − 1) β = −2.499
    model = LateralInhibition(N, alpha=0.5, beta=0.001, activation="relu")
    bad = simulate(model, INPUT, t_span=(0, 100), dt=1.2, method="rk4", throw=False)
    assert bad.status is Status.UNSTABLE_STEP
    assert simulate(model, INPUT, t_span=(0, 100), dt=1.1, method="rk4").status == "success"


def test_a_large_shunting_network_with_an_input_that_changes():
    # no decay can be checked before the run (the input changes); J = −(A + Σ I) / τ
    model = Shunting(3000, A=1.0)
    inputs = lambda t: np.full(3000, 1e-3 * (1 + np.sin(t)))  # noqa: E731
    bad = simulate(model, inputs, t_span=(0, 50), dt=1.0, method="rk4", throw=False)
    assert bad.status is Status.UNSTABLE_STEP
    assert simulate(model, inputs, t_span=(0, 50), dt=0.5, method="rk4").status == "success"


def test_a_field_on_a_large_ring_bounded_by_its_kernels_fourier_transform(monkeypatch):
    # strong inhibition: the kernel's spectrum reaches −25, the uniform state's slope
    # 0.081 puts J's eigenvalue at −3.0; dt = 0.8 is stable by the Fourier bound alone
    field = NeuralField(4096, a_inh=2.0)
    exact = simulate(field, 0.0, t_span=(0, 50), method=Dopri5(rtol=1e-9)).final

    def no_arnoldi(*args, **kwargs):
        raise AssertionError("the bound should have settled it")

    monkeypatch.setattr(_stability, "arnoldi_ritz", no_arnoldi)
    good = simulate(field, 0.0, t_span=(0, 50), dt=0.8, method="rk4")
    np.testing.assert_allclose(good.final, exact, atol=1e-9)
    monkeypatch.undo()
    bad = simulate(field, 0.0, t_span=(0, 50), dt=1.0, method="rk4", throw=False)
    assert bad.status is Status.UNSTABLE_STEP


def _eigvals_and_estimate(model, u):
    exact = np.linalg.eigvals(model.jacobian(u))
    estimate = _outer_eigenvalues(model, u, 0.0)
    return exact, estimate


def _rank_one_inhibition(n=200):
    """Non-symmetric: inhibition from each unit in proportion to a random strength, plus
    random weights (an outlying eigenvalue beside a cloud)."""
    strength = np.random.default_rng(5).uniform(0, 2, n)
    noise = random_weights(n, mean=0.0, std=0.5, seed=2, nonnegative=False)
    return -3 * np.outer(np.ones(n), strength) / n + noise


@pytest.mark.parametrize(
    "model",
    [
        Competition(mexican_hat(200, a_inh=0.8, sigma_inh=20.0), beta=0.5, activation="tanh"),
        Competition(_rank_one_inhibition(), beta=0.5, activation="tanh"),
        NeuralField((15, 20), a_inh=2.0, boundary="zero"),
    ],
)
def test_the_estimate_agrees_with_eigvals_on_mid_size_jacobians(model):
    u = np.random.default_rng(0).normal(0, 1, (2, *model.state_shape))
    exact, estimate = _eigvals_and_estimate(model, u)
    assert estimate.shape == (2, 24)
    lowest = np.nanmin(estimate.real, axis=1)  # the converged Ritz values furthest left
    np.testing.assert_allclose(lowest, exact.real.min(axis=1), rtol=1e-5)


def test_an_unconverged_cloud_claims_nothing_wrong():
    # random dense weights: the spectrum's edge is a cloud, most Ritz values have not
    # converged after 24 steps; those reported are eigenvalues (to 1e-3), the rest NaN
    model = Competition(random_weights(300, std=2.0, seed=1, nonnegative=False), beta=2.0)
    u = np.random.default_rng(0).normal(0, 1, (2, 300))
    exact, estimate = _eigvals_and_estimate(model, u)
    for b in range(2):
        for theta in estimate[b][np.isfinite(estimate[b])]:
            assert np.abs(exact[b] - theta).min() <= 1e-3 * abs(theta)


@pytest.mark.parametrize("boundary", ["periodic", "zero"])
def test_the_fields_bound_against_eigvals(boundary):
    field = NeuralField(64, a_inh=2.0, boundary=boundary)
    u = np.stack([np.full(64, -2.0), np.random.default_rng(1).normal(-2, 1, 64)])
    exact = np.linalg.eigvals(field.jacobian(u))
    floor = field.jacobian_floor(u)
    assert np.all(np.abs(exact.imag) < 1e-9)  # a symmetric kernel, slopes >= 0: real
    assert np.all(floor <= exact.real.min(axis=1) + 1e-12)
    if boundary == "periodic":  # a uniform state: the circulant's spectrum itself
        assert floor[0] == pytest.approx(exact[0].real.min(), rel=1e-12)


def test_the_winner_take_all_spectrum_in_closed_form():
    model = LateralInhibition(50, alpha=0.3, beta=np.array([0.1, 0.5]), activation="relu")
    ends = model.lateral_eigen_range()
    for b, beta in enumerate((0.1, 0.5)):
        L = model.lateral_matrix()[b]
        eig = np.linalg.eigvalsh(L)
        assert ends[0][b] == pytest.approx(eig.min()) and ends[1][b] == pytest.approx(eig.max())
        assert ends[0][b] == pytest.approx(0.3 - 49 * beta)


def test_arnoldi_against_eigvals():
    rng = np.random.default_rng(2)
    A = rng.standard_normal((3, 200, 200)) / np.sqrt(200)
    A[0, 0, 0] -= 8.0  # an outlier near −8
    A[1] = A[1] + A[1].T  # symmetric: Ritz values stay inside the spectrum
    A[2] = -2.0 * np.eye(200)  # invariant after one step: one exact value, zeros after
    theta, residual = arnoldi_ritz(lambda X: np.einsum("bij,bj->bi", A, X), 3, 200, 24)
    exact = np.linalg.eigvals(A)
    np.testing.assert_allclose(theta[0][np.argmin(theta[0].real)], exact[0][np.argmin(
        exact[0].real)], rtol=1e-10)  # fmt: skip
    assert residual[0].min() < 1e-8
    assert exact[1].real.min() <= theta[1].real.min() and theta[1].real.max() <= exact[1].real.max()
    assert theta[2][np.argmin(theta[2].real)] == pytest.approx(-2.0)
    assert np.all((np.abs(theta[2] + 2) < 1e-12) | (theta[2] == 0))


@pytest.mark.parametrize(
    "model",
    [
        LateralInhibition(80, alpha=0.4, beta=0.3, activation="relu"),
        Competition(mexican_hat(60, a_inh=0.8, sigma_inh=9.0), beta=0.5, activation="sigmoid"),
        NeuralField((6, 9), a_inh=2.0, sigma_inh=30.0, boundary="zero", activation="relu"),
    ],
)
def test_the_floor_is_below_every_eigenvalue_and_tight_when_few_units_are_active(model):
    rng = np.random.default_rng(4)
    u = rng.normal(-1.0, 1.0, (20, *model.state_shape))  # a few units above 0
    floor = model.jacobian_floor(u)
    exact = np.linalg.eigvals(model.jacobian(u))
    assert np.all(np.abs(exact.imag) < 1e-8)
    assert np.all(floor <= exact.real.min(axis=1) + 1e-10)
    if model.activation.name == "relu":  # the ∞-norm sees only the active units
        active = (u > 0).reshape(20, -1).sum(1)
        assert np.all(floor >= -1 - 3.0 * active)  # |w| <= a_exc + a_inh = 3
