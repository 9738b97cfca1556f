"""The objects that configure simulate: Solver, SaveAt, stopping rules, progress, Status."""

import itertools
import json
import math
import warnings

import numpy as np
import pytest

from neuroattn.dynamics import (
    RK4,
    Competition,
    Dopri5,
    Euler,
    EulerMaruyama,
    Heun,
    ProgressMeter,
    SaveAt,
    Shunting,
    SimulationError,
    Solver,
    Status,
    Steady,
    StoppingRule,
    Trajectory,
    available_methods,
    random_weights,
    simulate,
    uniform,
)
from neuroattn.dynamics.checks import check_numbers

from .conftest import random_system

# --- SaveAt ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "time_dependent"),
    [("rk4", False), ("heun", False), ("euler", False), ("euler", True)],
)
def test_saveat_times_equal_the_saves_of_every_step_at_those_times(method, time_dependent, rng):
    model, I, u0 = random_system(rng, n=5)
    inputs = (lambda t: I) if time_dependent else I
    kw = dict(t_span=(0, 2), dt=0.01, u0=u0, method=method)
    ts = [0.0, 0.3, 1.0, 1.7, 2.0]
    picked = simulate(model, inputs, saveat=SaveAt(ts=ts), **kw)
    every = simulate(model, inputs, save_every=0.01, **kw)
    assert picked.stats["fast_path"] == (method == "euler" and not time_dependent)
    np.testing.assert_allclose(picked.t, ts, rtol=0, atol=1e-12)
    rows = [round(t / 0.01) for t in ts]
    np.testing.assert_array_equal(picked.u, every.u[rows])
    np.testing.assert_array_equal(picked.rates, every.rates[rows])


def test_saveat_times_need_not_include_the_ends(rng):
    model, I, u0 = random_system(rng, n=4)
    kw = dict(t_span=(0, 2), dt=0.01, u0=u0, method="rk4")
    picked = simulate(model, I, saveat=SaveAt(ts=[1.5, 0.5]), **kw)
    full = simulate(model, I, save_every=0.5, **kw)
    np.testing.assert_allclose(picked.t, [0.5, 1.5])
    np.testing.assert_array_equal(picked.u, full.u[[1, 3]])
    assert picked.stats["steps"] == 200  # the run still integrates to t1


def test_adaptive_saveat_lands_exactly_on_the_times(rng):
    model, I, u0 = random_system(rng, n=5)
    ts = [0.1, 0.25, 1.0, 1.9]
    ad = simulate(
        model, I, t_span=(0, 2), u0=u0, method=Dopri5(rtol=1e-10, atol=1e-12), saveat=SaveAt(ts=ts)
    )
    assert ad.t.tolist() == ts  # no interpolation: a step lands on each time
    ref = simulate(model, I, t_span=(0, 2), dt=1e-3, u0=u0, method="rk4", save_every=1e-3)
    rows = [round(t / 1e-3) for t in ts]
    np.testing.assert_allclose(ad.u, ref.u[rows], atol=1e-9)


def test_saveat_every_is_save_every():
    model = Competition(uniform(3, 0.4), beta=1.0)
    for method in ["rk4", "euler", "dopri5"]:
        a = simulate(
            model, [1.0, 0.5, 0.2], t_span=(0, 3), dt=0.01, method=method, saveat=SaveAt(every=0.25)
        )
        b = simulate(model, [1.0, 0.5, 0.2], t_span=(0, 3), dt=0.01, method=method, save_every=0.25)
        np.testing.assert_array_equal(a.t, b.t)
        np.testing.assert_array_equal(a.u, b.u)


def test_saveat_normalises_its_times():
    assert SaveAt(ts=np.array([2.0, 0.5, 2.0])).ts == (0.5, 2.0)
    assert SaveAt() == SaveAt(every=None, ts=None)


# --- stopping rules ----------------------------------------------------------------------


@pytest.mark.parametrize("method", ["rk4", "euler", Dopri5(rtol=1e-10, atol=1e-12)])
def test_steady_stops_and_equals_until_steady(method, rng):
    model = Competition(uniform(4, 0.3), beta=np.array([0.5, 2.0]), tau=np.array([0.5, 3.0]))
    I = rng.uniform(0, 1, (2, 4))
    kw = dict(t_span=(0, 200), dt=0.01, method=method)
    rule = simulate(model, I, until=Steady(1e-9), **kw)
    words = simulate(model, I, until="steady", tol=1e-9, **kw)
    assert rule.t[-1] < 100 and np.all(np.isfinite(rule.stats["t_settle"]))
    assert rule.params["until"] == "steady" and rule.status == Status.SUCCESS
    np.testing.assert_array_equal(rule.u, words.u)
    np.testing.assert_array_equal(rule.stats["t_settle"], words.stats["t_settle"])
    speed = np.abs(model.bind().rhs(rule.final, I)).max(-1)
    assert np.all(speed < 1e-8)


def test_a_stopping_rule_of_ones_own():
    class Slower(StoppingRule):
        name = "slower"

        def __init__(self, speed):
            self.speed = speed

        def reached(self, speed):
            return speed < self.speed

    model = Competition(uniform(3, 0.3), beta=1.0)
    loose = simulate(
        model, [1.0, 0.5, 0.2], t_span=(0, 100), dt=0.01, method="rk4", until=Slower(1e-2)
    )
    tight = simulate(
        model, [1.0, 0.5, 0.2], t_span=(0, 100), dt=0.01, method="rk4", until=Steady(1e-8)
    )
    assert loose.params["until"] == "slower"
    assert loose.t[-1] < tight.t[-1] < 100


# --- progress ----------------------------------------------------------------------------


class Recorder(ProgressMeter):
    def __init__(self):
        self.calls = []

    def start(self, description, total):
        super().start(description, total)
        self.calls.append(("start", description, total))

    def update(self, completed):
        self.calls.append(("update", completed))

    def close(self):
        self.calls.append(("close",))

    @property
    def updates(self):
        return [c[1] for c in self.calls if c[0] == "update"]


@pytest.mark.parametrize(
    ("method", "inputs", "until"),
    [
        ("rk4", [1.0, 0.5, 0.2], None),
        ("euler", [1.0, 0.5, 0.2], None),  # the in-place fast path
        ("dopri5", [1.0, 0.5, 0.2], None),
        ("rk4", lambda t: np.array([1.0, 0.5, 0.2]), "steady"),
        (Dopri5(rtol=1e-9), [1.0, 0.5, 0.2], "steady"),
    ],
)
def test_a_progress_meter_gets_monotone_updates_ending_at_one(method, inputs, until):
    meter = Recorder()
    model = Competition(uniform(3, 0.3), beta=1.0)
    simulate(model, inputs, t_span=(0, 40), dt=0.013, method=method, until=until, progress=meter)
    assert meter.calls[0] == ("start", "simulating", 1.0) and meter.calls[-1] == ("close",)
    ups = meter.updates
    assert len(ups) >= 2 and ups[-1] == 1.0
    assert all(0 <= a <= b <= 1 for a, b in itertools.pairwise(ups))


def test_progress_callable_and_meter_closed_on_failure():
    seen = []
    model = Competition(uniform(3, 0.3), beta=1.0)
    simulate(model, 1.0, t_span=(0, 10), dt=0.01, method="rk4", progress=seen.append)
    assert seen[-1] == 1.0 and seen == sorted(seen)
    meter = Recorder()
    unstable = Competition(uniform(3, 0.5), beta=1.0, tau=0.001)
    with pytest.raises(SimulationError):
        simulate(unstable, 1.0, t_span=(0, 100), dt=0.1, method="euler", progress=meter)
    assert meter.calls[-1] == ("close",)
    assert 1.0 not in meter.updates  # a failed run does not report completion


# --- Status ------------------------------------------------------------------------------


def test_status_is_a_string_enum():
    assert [s.value for s in Status] == [
        "success",
        "nonfinite",
        "dt_too_small",
        "max_steps",
        "unstable_step",
    ]
    assert Status.SUCCESS == "success" and str(Status.DT_TOO_SMALL) == "dt_too_small"
    assert json.dumps({"status": Status.NONFINITE}) == '{"status": "nonfinite"}'
    assert Status("max_steps") is Status.MAX_STEPS
    with pytest.raises(ValueError):
        Status("exploded")


def test_runs_report_their_status(tmp_path):
    model = Competition(uniform(3, 0.3), beta=1.0)
    ok = simulate(model, 1.0, t_span=(0, 1), dt=0.1, method="rk4")
    assert ok.stats["status"] is Status.SUCCESS and ok.status == "success"
    capped = simulate(model, 1.0, t_span=(0, 5), max_steps=3, throw=False)
    assert capped.status is Status.MAX_STEPS
    blown = simulate(
        Competition(uniform(3, 60.0), beta=0.0, activation="relu"),
        1.0,
        t_span=(0, 100),
        dt=0.1,
        method="euler",
        throw=False,
    )
    assert blown.status is Status.NONFINITE
    back = Trajectory.load(blown.save(tmp_path / "blown"))
    assert back.status is Status.NONFINITE and back.stats["status"] == "nonfinite"


# --- solvers -----------------------------------------------------------------------------


def _old_euler_maruyama(W, beta, I, sigma, tau, h, n_steps, seed):
    """The stream of the former loop: u ← u + h F(u) + (σ/τ) √h ξ, ξ from default_rng(seed)."""
    rng = np.random.default_rng(seed)
    W0 = W - np.diag(np.diag(W))
    L = W0 - beta * np.diag(W.sum(1))
    u = np.zeros_like(I)
    out = [u]
    for _ in range(n_steps):
        xi = rng.standard_normal(u.shape)
        u = u + h * ((-u + L @ u + I) / tau) + (sigma / tau * math.sqrt(h)) * xi
        out.append(u)
    return np.array(out)


@pytest.mark.parametrize("seed", [0, 1, 2024])
def test_euler_maruyama_stream_is_the_old_one(seed):
    W = random_weights(4, seed=5)
    I = np.array([1.0, 0.7, 0.4, 0.2])
    model = Competition(W, beta=0.6, tau=1.5, activation="linear")
    expected = _old_euler_maruyama(W, 0.6, I, 0.3, 1.5, 0.01, 200, seed)
    kw = dict(t_span=(0, 2), dt=0.01, noise=0.3, save_every=0.01)
    fast = simulate(model, I, seed=seed, **kw)  # the in-place path
    slow = simulate(model, lambda t: I, seed=seed, **kw)  # the generic loop
    again = simulate(model, I, seed=np.random.default_rng(seed), **kw)
    assert fast.stats["fast_path"] and not slow.stats["fast_path"]
    assert fast.stats["method"] == "euler_maruyama"
    np.testing.assert_allclose(fast.u, expected, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(slow.u, expected, rtol=1e-12, atol=1e-13)
    np.testing.assert_array_equal(again.u, fast.u)


@pytest.mark.parametrize("seed", [0, 9])
def test_torch_noise_stream_is_seeded_as_before(seed):
    torch = pytest.importorskip("torch")
    I = torch.tensor([1.0, 0.5], dtype=torch.float64)
    model = Competition(torch.zeros(2, 2, dtype=torch.float64), beta=0.0, activation="linear")
    traj = simulate(model, I, t_span=(0, 1), dt=0.01, noise=0.4, seed=seed, save_every=0.01)
    gen = torch.Generator().manual_seed(int(np.random.default_rng(seed).integers(2**62)))
    u = torch.zeros(2, dtype=torch.float64)
    expected = [u]
    for _ in range(100):
        xi = torch.randn(u.shape, generator=gen, dtype=u.dtype)
        u = u + 0.01 * (-u + I) + (0.4 * math.sqrt(0.01)) * xi
        expected.append(u)
    np.testing.assert_allclose(traj.u.numpy(), torch.stack(expected).numpy(), rtol=1e-12)


def test_euler_with_noise_runs_as_euler_maruyama():
    model = Competition(uniform(3, 0.3), beta=1.0)
    kw = dict(t_span=(0, 1), dt=0.01, noise=0.2, seed=4)
    euler = simulate(model, 1.0, method="euler", **kw)
    em = simulate(model, 1.0, method="euler_maruyama", **kw)
    np.testing.assert_array_equal(euler.u, em.u)
    assert euler.stats["method"] == "euler"
    assert isinstance(Euler().with_noise(None), EulerMaruyama)  # type: ignore[arg-type]


def test_euler_maruyama_without_noise_is_euler(rng):
    model, I, u0 = random_system(rng)
    a = simulate(model, I, t_span=(0, 1), dt=0.01, u0=u0, method=EulerMaruyama())
    b = simulate(model, I, t_span=(0, 1), dt=0.01, u0=u0, method=Euler())
    np.testing.assert_array_equal(a.u, b.u)


def test_the_fast_path_is_a_capability_of_the_solver(rng):
    model, I, _ = random_system(rng)
    system = model.bind()
    from neuroattn.dynamics._inputs import InputFn

    const = InputFn(I, model.state_shape, False, np.float64)
    varying = InputFn(lambda t: I, model.state_shape, False, np.float64)
    assert Euler().in_place(system, const, 0.01) is not None
    assert Euler().in_place(system, varying, 0.01) is None
    assert RK4().in_place(system, const, 0.01) is None
    assert Euler().in_place(Shunting(3).bind(), const, 0.01) is None  # no fast step


def test_a_solver_of_ones_own(rng):
    class Midpoint(Solver):
        name = "midpoint"
        order = 2
        stages = 2

        def step(self, f, t, u, dt):
            return u + dt * f(t + dt / 2, u + (dt / 2) * f(t, u))

    model, I, u0 = random_system(rng)
    mid = simulate(model, I, t_span=(0, 2), dt=0.01, u0=u0, method=Midpoint())
    ref = simulate(model, I, t_span=(0, 2), dt=0.01, u0=u0, method="rk4")
    heun = simulate(model, I, t_span=(0, 2), dt=0.01, u0=u0, method=Heun())
    assert mid.stats["method"] == "midpoint" and mid.stats["rhs_evals"] == 400
    np.testing.assert_allclose(mid.final, ref.final, atol=1e-5)
    assert np.abs(mid.final - heun.final).max() > 0  # a different scheme
    with pytest.raises(ValueError, match="noise > 0 needs"):
        simulate(model, I, method=Midpoint(), noise=0.1)


def test_dopri5_step_is_its_fifth_order_solution(rng):
    model, I, u0 = random_system(rng)
    f = model.bind().rhs
    g = lambda t, u: f(u, I)  # noqa: E731
    dp = Dopri5()
    u_new, _err, k7 = dp.attempt(g, 0.0, u0, 0.05, g(0.0, u0))
    np.testing.assert_array_equal(dp.step(g, 0.0, u0, 0.05), u_new)
    np.testing.assert_array_equal(k7, g(0.05, u_new))


def test_foreign_solver_objects_still_work_with_a_deprecation(rng):
    class OldEuler:  # the duck-typed solver of before Solver existed
        name = "old_euler"
        adaptive = False
        stochastic = True

        def step(self, f, t, u, dt):
            return u + dt * f(t, u)

    model, I, u0 = random_system(rng)
    with pytest.warns(DeprecationWarning, match="subclass Solver"):
        old = simulate(
            model, I, t_span=(0, 1), dt=0.01, u0=u0, method=OldEuler(), noise=0.1, seed=3
        )
    new = simulate(
        model, lambda t: I, t_span=(0, 1), dt=0.01, u0=u0, method="euler", noise=0.1, seed=3
    )
    np.testing.assert_allclose(old.u, new.u, rtol=1e-13, atol=1e-14)


def test_methods_registry():
    assert available_methods() == ["adaptive", "dopri5", "euler", "euler_maruyama", "heun", "rk4"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name in available_methods():
            traj = simulate(Competition(uniform(2, 0.3)), 1.0, t_span=(0, 1), dt=0.1, method=name)
            assert traj.stats["method"] == {"adaptive": "dopri5"}.get(name, name)


# --- variable names ----------------------------------------------------------------------


def test_models_name_their_variables(tmp_path):
    rate = simulate(Competition(uniform(3, 0.3)), 1.0, t_span=(0, 1), dt=0.1, method="rk4")
    shunt = simulate(Shunting(3), [1.0, 2.0, 3.0], t_span=(0, 1), dt=0.1, method="rk4")
    assert (rate.state_vars, rate.output_vars) == (("u",), ("rate",))
    assert (shunt.state_vars, shunt.output_vars) == (("x",), ("x",))
    assert list(rate.variables()) == ["u", "rate"] and list(shunt.variables()) == ["x"]
    back = Trajectory.load(shunt.save(tmp_path / "s"))
    assert back.state_vars == ("x",) and back.output_vars == ("x",)
    xr = pytest.importorskip("xarray")
    ds = shunt.to_xarray()
    assert isinstance(ds, xr.Dataset) and list(ds.data_vars) == ["x"]
    np.testing.assert_array_equal(ds["x"].values, shunt.u)


def test_files_without_variable_names_load_with_the_defaults(tmp_path):
    traj = simulate(Competition(uniform(3, 0.3)), 1.0, t_span=(0, 1), dt=0.1, method="rk4")
    meta = {"params": traj.params, "stats": {"status": "success"}, "state_shape": [3]}
    path = tmp_path / "old.npz"
    np.savez(path, t=traj.t, u=traj.u, rates=traj.rates, meta=np.array(json.dumps(meta)))
    back = Trajectory.load(path)
    assert (back.state_vars, back.output_vars) == (("u",), ("rate",))


# --- bad input ---------------------------------------------------------------------------

MODEL = Competition(uniform(3, 0.5), beta=1.0)


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda: SaveAt(every=0), ValueError, "SaveAt.every must be a finite number > 0"),
        (lambda: SaveAt(every="1"), ValueError, "SaveAt.every"),
        (lambda: SaveAt(every=1.0, ts=[1.0]), ValueError, "not both"),
        (lambda: SaveAt(ts=[]), ValueError, "non-empty 1-D"),
        (lambda: SaveAt(ts=[[0.0, 1.0]]), ValueError, "non-empty 1-D"),
        (lambda: SaveAt(ts=[0.0, np.nan]), ValueError, "SaveAt.ts contains NaN"),
        (lambda: SaveAt(ts="0.5"), TypeError, "SaveAt.ts must be a sequence"),
        (lambda: SaveAt(ts=["a"]), TypeError, "SaveAt.ts must be numeric"),
        (lambda: Steady(0), ValueError, "Steady.tol must be a finite number > 0"),
        (lambda: Steady(np.inf), ValueError, "Steady.tol"),
        (lambda: Steady("tight"), ValueError, "Steady.tol"),
        (lambda: Dopri5(rtol=0), ValueError, "Dopri5.rtol must be a finite number > 0"),
        (lambda: Dopri5(atol=-1), ValueError, "Dopri5.atol"),
        (lambda: Dopri5(safety=2.0), ValueError, "Dopri5.safety"),
        (lambda: Dopri5(min_factor=0), ValueError, "Dopri5.min_factor"),
        (lambda: Dopri5(max_factor=0.5), ValueError, "Dopri5.max_factor"),
        (lambda: Heun().with_noise(None), ValueError, "noise > 0 needs"),
        (
            lambda: check_numbers([1.0, -1.0], "w", ge=0),
            ValueError,
            r"w must be finite numbers >= 0",
        ),
        (lambda: check_numbers([[1.0, np.inf]], "w"), ValueError, r"got inf \(at index \(0, 1\)\)"),
        (lambda: check_numbers(["a"], "w"), TypeError, "w must be numeric"),
    ],
)
def test_bad_configuration_objects(make, error, match):
    with pytest.raises(error, match=match):
        make()


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (dict(saveat=SaveAt(ts=[0.5, 3.0]), t_span=(0, 1)), ValueError, "within t_span"),
        (dict(saveat=0.5), TypeError, "saveat must be a SaveAt"),
        (dict(saveat=SaveAt(every=1.0), save_every=1.0), ValueError, "not both"),
        (dict(save_every=-1), ValueError, "save_every must be a finite number > 0"),
        (dict(until=Steady(1e-6), tol=1e-3), ValueError, "tol goes inside"),
        (dict(until=3), ValueError, "until must be None, 'steady' or a stopping rule"),
        (dict(tol=-1.0, until="steady"), ValueError, "tol must be a finite number > 0"),
        (dict(progress="yes"), TypeError, "progress must be a bool, a callable or"),
        (dict(method=object()), TypeError, "method must be a name or a Solver"),
        (dict(method=RK4, dt=0.1), TypeError, "method must be a name or a Solver"),
        (dict(max_steps=0), ValueError, "max_steps must be a positive integer"),
        (dict(max_steps=10.5), ValueError, "max_steps"),
        (dict(t_span=(0, 1e300), method="rk4", dt=0.1), ValueError, "more than max_steps"),
    ],
)
def test_bad_simulate_configuration(kwargs, error, match):
    with pytest.raises(error, match=match):
        simulate(MODEL, [1.0, 0.5, 0.2], **kwargs)
