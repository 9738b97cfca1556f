"""Trajectory persistence and labelled output, helpers, and parameter fitting."""

import numpy as np
import pytest

from neuroattn.dynamics import (
    Competition,
    Trajectory,
    fit,
    selectivity,
    simulate,
    uniform,
    winner,
)


@pytest.fixture
def traj():
    model = Competition(uniform(3, -0.4), beta=np.array([0.0, 0.6]), activation="relu")
    return simulate(
        model, [1.0, 0.8, 0.5], t_span=(0, 60), dt=0.01, method="rk4", save_every=0.5, until=None
    )


def test_save_load_round_trip(traj, tmp_path):
    path = traj.save(tmp_path / "run")
    assert path.suffix == ".npz" and not list(tmp_path.glob("*.tmp"))
    back = Trajectory.load(path)
    np.testing.assert_array_equal(back.u, traj.u)
    np.testing.assert_array_equal(back.rates, traj.rates)
    np.testing.assert_array_equal(back.t, traj.t)
    assert back.params["beta"] == [0.0, 0.6]
    assert back.stats["steps"] == traj.stats["steps"]
    np.testing.assert_array_equal(back.winner(), traj.winner())


def test_load_rejects_other_files(tmp_path):
    bad = tmp_path / "x.npz"
    np.savez(bad, a=np.zeros(2))
    with pytest.raises(ValueError, match="not a neuroattn trajectory"):
        Trajectory.load(bad)
    with pytest.raises(ValueError, match="not a neuroattn trajectory"):
        Trajectory.load(tmp_path / "missing.npz")


def test_to_xarray_has_named_dims(traj):
    pytest.importorskip("xarray")
    ds = traj.to_xarray()
    assert ds["u"].dims == ("time", "batch_0", "neuron")
    np.testing.assert_allclose(ds["time"].values, traj.t)
    np.testing.assert_array_equal(ds["rate"].values, traj.rates)


def test_winner_selectivity_and_settling(traj):
    np.testing.assert_array_equal(traj.winner(), [0, 0])
    sel = traj.selectivity()
    assert 1 < sel[0] < np.inf and sel[1] == np.inf  # β = 0.6: the runner-up is silent
    np.testing.assert_array_equal(winner(np.array([[0.1, 0.7, 0.2]])), [1])
    np.testing.assert_allclose(selectivity(np.array([0.1, 0.8, 0.4])), 2.0)
    settle = traj.time_to_settle(tol=1e-3)
    assert np.all((settle > 0) & (settle < 50))
    with pytest.raises(ValueError, match="at least two"):
        selectivity(np.array([1.0]))


def test_plot_returns_a_figure(traj):
    import matplotlib

    matplotlib.use("Agg")
    fig = traj.plot(member=(1,))
    assert len(fig.axes[0].lines) == 3


def test_fit_recovers_beta_and_tau_from_a_trajectory():
    W = uniform(4, 0.4)
    I = np.array([1.0, 0.5, 0.3, 0.1])
    sim = dict(t_span=(0, 10), dt=0.05, method="rk4", save_every=0.5)
    target = simulate(Competition(W, beta=1.7, tau=0.8), I, **sim)
    res = fit(
        Competition(W, beta=0.5, tau=2.0),
        I,
        target,
        params=["beta", "tau"],
        kind="trajectory",
        **sim,
    )
    assert res.success
    assert res.estimates["beta"] == pytest.approx(1.7, rel=1e-6)
    assert res.estimates["tau"] == pytest.approx(0.8, rel=1e-6)
    assert res.residual < 1e-8


def test_fit_recovers_w_scale_and_gain_from_a_steady_state():
    W = uniform(3, 0.5)
    I = np.array([1.0, 0.6, 0.2])
    from neuroattn.dynamics import steady_state

    target = steady_state(Competition(W * 1.3, beta=0.9, g=1.0), I).u
    res = fit(Competition(W, beta=0.9), I, target, params=["w_scale"], kind="steady")
    assert res.estimates["w_scale"] == pytest.approx(1.3, rel=1e-6)


def test_fit_with_torch_backend():
    pytest.importorskip("torch")
    W = uniform(4, 0.4)
    I = np.array([1.0, 0.5, 0.3, 0.1])
    sim = dict(t_span=(0, 8), dt=0.05, method="rk4", save_every=0.5)
    target = simulate(Competition(W, beta=1.2), I, **sim)
    res = fit(
        Competition(W, beta=0.3),
        I,
        target,
        params=["beta"],
        kind="trajectory",
        backend="torch",
        **sim,
    )
    assert res.estimates["beta"] == pytest.approx(1.2, rel=1e-5)


def test_fit_bad_arguments():
    model = Competition(uniform(2, 0.5))
    with pytest.raises(ValueError, match="cannot fit"):
        fit(model, [1.0, 0.5], np.zeros(2), params=["gamma"])
    with pytest.raises(ValueError, match="kind must be"):
        fit(model, [1.0, 0.5], np.zeros(2), kind="spectrum")
    with pytest.raises(ValueError, match="target has shape"):
        fit(model, [1.0, 0.5], np.zeros(3))
    with pytest.raises(ValueError, match="torch backend fits trajectories"):
        fit(model, [1.0, 0.5], np.zeros(2), backend="torch")
