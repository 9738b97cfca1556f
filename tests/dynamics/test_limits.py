"""Bounded work: one argument cannot ask for unbounded time or memory (issue 8). Each refusal
comes up front, in one line that says how to raise the bound."""

import math
import time

import numpy as np
import pytest

from neuroattn import dynamics as dyn
from neuroattn.dynamics import (
    LIMITS,
    Competition,
    LateralInhibition,
    LimitError,
    NeuralField,
    SaveAt,
    Shunting,
    simulate,
    steady_state,
    uniform,
)

MODEL = Competition(uniform(3, -0.4), beta=0.2, activation="relu")


def refused(fn, match):
    start = time.perf_counter()
    with pytest.raises(LimitError, match=match) as info:
        fn()
    assert time.perf_counter() - start < 1.0  # refused before any work
    assert "raise" in str(info.value) and "\n" not in str(info.value)
    return info.value


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(t_span=(0, 100), dt=1e-12, method="rk4"), "1e\\+14 steps.*max_steps = 1e\\+07"),
        (dict(t_span=(0, 1e300), dt=0.05, method="rk4"), "more than max_steps"),
        (dict(t_span=(0, 1e300), dt=1e-300, method="euler"), "more than max_steps"),
        (dict(t_span=(0, 1e300)), "with dopri5 .* needs 3.02e\\+299 steps at least"),
        (dict(t_span=(0, 1), save_every=1e-300), "saved states.*max_memory"),
        (dict(t_span=(0, 1e4), dt=0.01, method="rk4", max_work=1e4), "max_work = 1e\\+04"),
    ],
)
def test_runs_beyond_a_bound_are_refused_up_front(kwargs, match):
    err = refused(lambda: simulate(MODEL, 1.0, **kwargs), match)
    assert err.needed > err.allowed


def test_a_1000_by_1000_sweep_is_refused_for_its_memory():
    grid = np.linspace(0, 0.3, 1000)[:, None] * np.ones(1000)  # (1000, 1000) β
    model = MODEL.replace(beta=grid)
    err = refused(lambda: simulate(model, 1.0, t_span=(0, 40), dt=0.01, method="rk4"), "max_memory")
    assert err.limit == "max_memory" and err.needed > 1e10
    # the same sweep with two saves fits in memory, but not in the default work
    refused(
        lambda: simulate(
            model, 1.0, t_span=(0, 4000), dt=0.01, method="rk4", saveat=SaveAt(ts=[4000])
        ),
        "max_work",
    )


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: uniform(100_000), "100000 × 100000 weight matrix.*LIMITS.max_weights"),
        (lambda: dyn.random_weights(2**62), "LIMITS.max_weights"),
        (lambda: LateralInhibition(10**9), "LIMITS.max_units"),
        (lambda: Shunting(2**63 - 1), "LIMITS.max_units"),
        (lambda: NeuralField((100_000, 100_000)), "LIMITS.max_units"),
        (lambda: NeuralField(100_000, method="direct"), "direct kernel.*LIMITS.max_weights"),
        (lambda: steady_state(MODEL, 1.0, max_iter=10**9), "LIMITS.max_iterations"),
        (lambda: dyn.fit(MODEL, 1.0, np.ones(3), steps=10**9), "LIMITS.max_iterations"),
    ],
)
def test_sizes_beyond_the_module_limits_are_refused(make, match):
    refused(make, match)


def test_limits_can_be_raised():
    old = LIMITS.max_units
    try:
        LIMITS.max_units = 4
        with pytest.raises(LimitError, match=r"max_units = 4; raise neuroattn\.dynamics\.LIMITS"):
            LateralInhibition(5)
        LIMITS.max_units = 5
        assert LateralInhibition(5).n == 5
    finally:
        LIMITS.max_units = old
    # simulate's bounds are arguments; math.inf lifts one
    run = simulate(MODEL, 1.0, t_span=(0, 1), dt=0.1, method="rk4", max_work=math.inf)
    assert run.status == "success"
    with pytest.raises(LimitError):
        simulate(MODEL, 1.0, t_span=(0, 1), dt=0.1, method="rk4", max_steps=9)
    assert (
        simulate(MODEL, 1.0, t_span=(0, 1), dt=0.1, method="rk4", max_steps=10).stats["steps"] == 10
    )


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(max_work=0), "max_work must be a number > 0"),
        (dict(max_work=math.nan), "max_work"),
        (dict(max_memory=True), "max_memory"),
        (dict(max_memory="1GB"), "max_memory"),
        (dict(max_steps=1.5), "max_steps"),
    ],
)
def test_bad_bounds(kwargs, match):
    with pytest.raises(ValueError, match=match):
        simulate(MODEL, 1.0, t_span=(0, 1), dt=0.1, **kwargs)


def test_the_adaptive_method_stops_at_its_work_and_says_so():
    traj = simulate(MODEL, 1.0, t_span=(0, 1000), max_work=1e4, throw=False)
    assert traj.status == "max_steps"
    assert "max_work = 1e+04" in traj.stats["message"]
    assert traj.stats["steps"] * 6 * 12 <= 1e4 + 72  # steps × stages × n² + n


def test_estimates_count_the_dense_weights():
    assert MODEL.eval_cost() == 12.0  # n² + n
    assert LateralInhibition(3).eval_cost() == 3.0
    assert NeuralField(20).eval_cost() == 400.0  # direct: n²
    assert NeuralField(1000).eval_cost() < 1e5  # FFT: about 10 n log₂ n
