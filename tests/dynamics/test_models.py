"""The models: equations as written, equilibria, Jacobians, neural-field convolutions."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import softmax

from neuroattn.dynamics import (
    Competition,
    Dopri5,
    LateralInhibition,
    NeuralField,
    Shunting,
    mexican_hat,
    ring,
    shunting_equilibrium,
    sigmoid,
    simulate,
    steady_state,
    uniform,
)


def test_competition_rhs_follows_the_source_equation(rng):
    n = 5
    W = rng.uniform(0, 1, (n, n))
    model = Competition(W, beta=0.8, activation="relu", tau=2.0, g=rng.uniform(0.5, 2, n))
    u = rng.normal(size=n)
    I = rng.normal(size=n)
    f = np.maximum(u, 0)
    expected = np.empty(n)
    for i in range(n):
        exc = sum(W[i, j] * f[j] for j in range(n) if j != i)  # skips j = i
        inh = 0.8 * sum(W[i, j] * f[i] for j in range(n))  # runs over every j
        expected[i] = (-u[i] + exc - inh + model.g[i] * I[i]) / 2.0
    got = model.bind().rhs(u, I)
    np.testing.assert_allclose(got, expected, rtol=1e-13)
    # batched β takes the unfolded path and gives the same numbers
    batched = model.replace(beta=np.array([0.8, 0.8]))
    np.testing.assert_allclose(batched.bind().rhs(u, I), np.stack([expected] * 2), rtol=1e-13)


def test_lateral_inhibition_rhs(rng):
    n = 4
    model = LateralInhibition(n, alpha=0.3, beta=1.2, activation="relu")
    u = rng.normal(size=n)
    I = rng.normal(size=n)
    f = np.maximum(u, 0)
    expected = -u + 0.3 * f - 1.2 * (f.sum() - f) + I
    np.testing.assert_allclose(model.bind().rhs(u, I), expected, rtol=1e-13)


def test_lateral_inhibition_selects_the_largest_input():
    model = LateralInhibition(5, alpha=0.5, beta=2.0, activation="relu")
    I = np.array([0.9, 1.0, 0.95, 0.3, 0.5])
    traj = simulate(model, I, t_span=(0, 60))
    r = traj.final_rates
    assert traj.winner() == 1
    assert r[1] > 0 and np.all(np.delete(r, 1) == 0)


def test_shunting_equilibrium_matches_simulation(rng):
    I = rng.uniform(0, 3, (3, 6))
    model = Shunting(6, A=0.5, B=2.0)
    traj = simulate(model, I, t_span=(0, 50), method=Dopri5(rtol=1e-10, atol=1e-12))
    np.testing.assert_allclose(traj.final, shunting_equilibrium(I, A=0.5, B=2.0), atol=1e-9)
    np.testing.assert_allclose(model.equilibrium(I), 2.0 * I / (0.5 + I.sum(-1, keepdims=True)))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-20, 20), min_size=2, max_size=12))
def test_shunting_with_exponential_input_is_softmax(z):
    z = np.array(z)
    x = shunting_equilibrium(np.exp(z), A=0.0, B=1.0)
    np.testing.assert_allclose(x, softmax(z), rtol=1e-12, atol=1e-300)
    # A → 0: the equilibrium converges to the softmax, monotonically in A
    errs = [np.abs(shunting_equilibrium(np.exp(z), A=a) - softmax(z)).max() for a in (1e-2, 1e-6)]
    assert errs[1] <= errs[0] + 1e-15


def test_shunting_dynamics_settle_on_softmax():
    z = np.array([0.5, 2.0, -1.0, 1.0])
    traj = simulate(Shunting(4, A=0.0, B=1.0), np.exp(z), t_span=(0, 20), dt=0.01, method="rk4")
    np.testing.assert_allclose(traj.final, softmax(z), atol=1e-10)


@pytest.mark.parametrize("boundary", ["periodic", "zero"])
@pytest.mark.parametrize("shape", [(40,), (9, 12)])
def test_field_fft_equals_direct_sum(shape, boundary, rng):
    kw = dict(a_exc=1.5, sigma_exc=1.5, a_inh=0.7, sigma_inh=4.0, boundary=boundary, h=-0.2)
    fft = NeuralField(shape, method="fft", **kw).bind()
    direct = NeuralField(shape, method="direct", **kw).bind()
    u = rng.normal(size=(3, *shape))
    I = rng.normal(size=shape)
    np.testing.assert_allclose(fft.rhs(u, I), direct.rhs(u, I), atol=1e-12)


def test_field_direct_sum_matches_the_integral():
    # 1-D zero boundary: lateral input at x_i = Σ_j w(x_i − x_j) f(u_j) dx
    n, dx = 15, 0.5
    field = NeuralField(
        n,
        a_exc=1.0,
        sigma_exc=1.0,
        a_inh=0.4,
        sigma_inh=3.0,
        dx=dx,
        boundary="zero",
        activation="linear",
        method="fft",
    )
    r = np.linspace(-1, 1, n)
    x = np.arange(n) * dx
    w = lambda d: np.exp(-(d**2) / 2) - 0.4 * np.exp(-(d**2) / 18)  # noqa: E731
    expected = np.array([sum(w(x[i] - x[j]) * r[j] * dx for j in range(n)) for i in range(n)])
    got = field.bind().rhs(r, 0.0) + r  # rhs = −u + L f(u) with u = r (linear f)
    np.testing.assert_allclose(got, expected, atol=1e-12)


def test_field_forms_a_bump_at_the_strongest_input():
    n = 100
    x = np.arange(n)
    I = 1.5 * np.exp(-((x - 30) ** 2) / 18) + 1.2 * np.exp(-((x - 70) ** 2) / 18)
    field = NeuralField(
        n, a_exc=0.6, sigma_exc=2.0, a_inh=0.2, sigma_inh=40.0, h=-1.0, activation=sigmoid(gain=5.0)
    )
    traj = simulate(field, I, t_span=(0, 40))
    assert abs(int(traj.winner()) - 30) <= 1
    assert traj.final_rates[70] < 0.2 * traj.final_rates[30]


def test_2d_field_runs_in_batches():
    field = NeuralField((16, 20), a_exc=1.0, sigma_exc=1.5, a_inh=0.5, sigma_inh=5.0, h=-0.5)
    I = np.zeros((2, 16, 20))
    I[0, 4, 5] = I[1, 10, 15] = 3.0
    traj = simulate(field, I, t_span=(0, 20))
    assert traj.final.shape == (2, 16, 20)
    np.testing.assert_array_equal(traj.winner(), [4 * 20 + 5, 10 * 20 + 15])


MODELS = [
    Competition(mexican_hat(6, sigma_exc=1.0, sigma_inh=2.0), beta=0.7, activation="tanh"),
    Competition(ring(6, width=1.5), beta=np.array([0.2, 1.5]), tau=np.array([1.0, 2.0])),
    LateralInhibition(6, alpha=0.4, beta=np.array([0.5, 1.0]), activation="sigmoid"),
    NeuralField(6, sigma_exc=1.0, sigma_inh=2.5, tau=0.5),
    NeuralField((3, 4), sigma_exc=1.0, sigma_inh=2.5),
    Shunting(6, A=np.array([0.5, 1.0]), B=2.0, tau=np.array([1.0, 3.0])),
]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: type(m).__name__)
def test_jacobian_matches_finite_differences(model, rng):
    state = model.state_shape
    u = rng.normal(size=(2, *state))
    I = rng.uniform(0, 1, size=state)
    bound = model.bind()
    J = model.jacobian(u, I) + np.zeros((2, model.n, model.n))
    eps = 1e-6
    num = np.empty((2, model.n, model.n))
    for j in range(model.n):
        e = np.zeros(model.n)
        e[j] = eps
        e = e.reshape(state)
        num[..., j] = ((bound.rhs(u + e, I) - bound.rhs(u - e, I)) / (2 * eps)).reshape(2, -1)
    np.testing.assert_allclose(J, num, atol=1e-7)


def test_steady_state_agrees_with_simulation_and_is_stable(rng):
    model = Competition(uniform(4, 0.4), beta=np.array([0.5, 1.5, 3.0]))
    I = rng.uniform(0, 2, (3, 4))
    ss = steady_state(model, I)
    traj = simulate(model, I, t_span=(0, 80))
    assert ss.converged.all() and ss.stable.all()
    np.testing.assert_allclose(ss.u, traj.final, atol=1e-7)
    fp = steady_state(model, I, method="fixed_point", tol=1e-10, max_iter=5000)
    np.testing.assert_allclose(fp.u, ss.u, atol=1e-8)


def test_symmetric_winner_take_all_state_is_unstable():
    # equal inputs: Newton from the symmetric point finds the symmetric fixed point, which
    # strong mutual inhibition makes a saddle; the simulation breaks the symmetry
    model = LateralInhibition(2, alpha=0.0, beta=2.0, activation="linear")
    ss = steady_state(model, np.array([1.0, 1.0]))
    np.testing.assert_allclose(ss.u, [1 / 3, 1 / 3])
    assert ss.converged and not ss.stable
    np.testing.assert_allclose(np.sort(ss.eigenvalues.real), [-3.0, 1.0])
    weak = steady_state(model.replace(beta=0.5), np.array([1.0, 1.0]))
    assert weak.stable
