"""Solvers against analytic solutions and scipy, and their orders of convergence."""

import numpy as np
import pytest
from scipy.integrate import solve_ivp
from scipy.linalg import expm
from scipy.special import expit

from neuroattn.dynamics import Competition, Dopri5, simulate

from .conftest import random_system


def reference_rhs(model, inputs):
    """The seed equation written out plainly, independent of the library's operators."""
    W = np.asarray(model.W)
    n = W.shape[0]

    def rhs(t, u):
        f = expit(u)
        exc = np.array([sum(W[i, j] * f[j] for j in range(n) if j != i) for i in range(n)])
        inh = model.beta * W.sum(1) * f
        return (-u + exc - inh + model.g * inputs) / model.tau

    return rhs


def scipy_final(model, inputs, u0, t1):
    sol = solve_ivp(
        reference_rhs(model, inputs), (0, t1), u0, method="DOP853", rtol=1e-12, atol=1e-12
    )
    return sol.y[:, -1]


def test_linear_model_matches_matrix_exponential(rng):
    n = 4
    W = rng.normal(0, 0.3, (n, n))
    model = Competition(W, beta=0.7, activation="linear", tau=1.5)
    I = rng.normal(size=n)
    u0 = rng.normal(size=n)
    # τ u' = A u + I with A = −1 + W0 − β diag(rowsum)
    A = (-np.eye(n) + W - np.diag(np.diag(W)) - 0.7 * np.diag(W.sum(1))) / 1.5
    b = I / 1.5
    t1 = 3.0
    ustar = -np.linalg.solve(A, b)
    exact = expm(A * t1) @ (u0 - ustar) + ustar
    for method, kw in [("rk4", {"dt": 1e-3}), (Dopri5(rtol=1e-11, atol=1e-13), {})]:
        traj = simulate(model, I, t_span=(0, t1), u0=u0, method=method, **kw)
        np.testing.assert_allclose(traj.final, exact, rtol=0, atol=1e-10)


@pytest.mark.parametrize("seed", range(3))
def test_rk4_and_dopri5_match_solve_ivp(seed):
    rng = np.random.default_rng(seed)
    model, I, u0 = random_system(rng, n=6)
    ref = scipy_final(model, I, u0, 5.0)
    rk4 = simulate(model, I, t_span=(0, 5), dt=2e-3, u0=u0, method="rk4").final
    dp = simulate(model, I, t_span=(0, 5), u0=u0, method=Dopri5(rtol=1e-10, atol=1e-12)).final
    np.testing.assert_allclose(rk4, ref, rtol=1e-10, atol=1e-11)
    np.testing.assert_allclose(dp, ref, rtol=1e-10, atol=1e-11)


@pytest.mark.parametrize(("method", "order"), [("euler", 1), ("heun", 2), ("rk4", 4)])
def test_measured_convergence_order(method, order, rng):
    model, I, u0 = random_system(rng, n=4)
    ref = scipy_final(model, I, u0, 2.0)
    dts = np.array([0.1, 0.05, 0.025, 0.0125])
    errs = [
        np.abs(simulate(model, I, t_span=(0, 2), dt=h, u0=u0, method=method).final - ref).max()
        for h in dts
    ]
    slope = np.polyfit(np.log(dts), np.log(errs), 1)[0]
    assert abs(slope - order) < 0.25, (method, slope, errs)


def test_fast_euler_path_equals_generic_step(rng):
    model, I, u0 = random_system(rng, n=8)
    fast = simulate(model, I, t_span=(0, 3), dt=0.01, u0=u0, method="euler")
    assert fast.stats["fast_path"]
    # a time-dependent input of constant value forces the generic loop
    slow = simulate(model, lambda t: I, t_span=(0, 3), dt=0.01, u0=u0, method="euler")
    assert not slow.stats["fast_path"]
    np.testing.assert_allclose(fast.u, slow.u, rtol=1e-12, atol=1e-13)


def test_dt_is_adjusted_to_span_whole_steps():
    model = Competition(np.eye(2) * 0.1, beta=1.0)
    traj = simulate(model, 1.0, t_span=(0, 1), dt=0.3, method="euler")
    assert traj.stats["steps"] == 4
    assert traj.stats["dt"] == pytest.approx(0.25)
    assert traj.t[-1] == pytest.approx(1.0)


def test_save_every_controls_saved_times():
    model = Competition(np.eye(2) * 0.1, beta=1.0)
    traj = simulate(model, 1.0, t_span=(0, 2), dt=0.01, method="rk4", save_every=0.5)
    np.testing.assert_allclose(traj.t, [0, 0.5, 1.0, 1.5, 2.0])
    ad = simulate(model, 1.0, t_span=(0, 2), save_every=0.5)
    np.testing.assert_allclose(ad.t, [0, 0.5, 1.0, 1.5, 2.0])
    np.testing.assert_allclose(ad.u, traj.u, atol=1e-7)


def test_time_series_input_is_interpolated(rng):
    from neuroattn.dynamics import TimeSeries

    model = Competition(np.zeros((2, 2)), beta=0.0, activation="linear")
    ts = TimeSeries([0.0, 1.0, 2.0], [[0.0, 1.0], [1.0, 1.0], [1.0, 1.0]])
    traj = simulate(model, ts, t_span=(0, 2), dt=1e-3, method="rk4")

    # u' = −u + I(t); I_0(t) = min(t, 1): closed form at t = 2
    def exact0(t):
        u1 = 1 - 1 + np.exp(-1.0)  # ∫0^1 e^{-(1-s)} s ds = e^{-1}
        return u1 * np.exp(-(t - 1)) + (1 - np.exp(-(t - 1)))

    assert traj.final[0] == pytest.approx(exact0(2.0), abs=1e-9)
    assert traj.final[1] == pytest.approx(1 - np.exp(-2.0), abs=1e-9)


@pytest.mark.parametrize("method", ["euler", "rk4", "dopri5"])
def test_float32_runs_land_on_every_save_time(method):
    # float32 times cannot represent 0.01, 0.03…; the adaptive clock must still reach them
    model = Competition(np.full((16, 16), 0.5), beta=1.0)
    traj = simulate(
        model, np.ones(16), t_span=(0, 1), dt=0.01, method=method, dtype="float32", max_steps=5000
    )
    assert traj.final.dtype == np.float32
    np.testing.assert_allclose(traj.t, np.linspace(0, 1, 101), atol=1e-12)
    ref = simulate(model, np.ones(16), t_span=(0, 1), dt=0.01, method="rk4")
    np.testing.assert_allclose(traj.final, ref.final, atol=2e-3 if method == "euler" else 1e-5)


def test_stats_count_right_hand_side_evaluations():
    model = Competition(np.eye(2) * 0.1, beta=1.0)
    rk4 = simulate(model, 1.0, t_span=(0, 1), dt=0.1, method="rk4")
    heun = simulate(model, 1.0, t_span=(0, 1), dt=0.1, method="heun")
    assert rk4.stats["steps"] == 10 and rk4.stats["rhs_evals"] == 40
    assert heun.stats["rhs_evals"] == 20
