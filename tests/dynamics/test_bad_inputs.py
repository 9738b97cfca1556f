"""Bad input gets a clear ValueError or TypeError naming the problem."""

import numpy as np
import pytest

from neuroattn.dynamics import (
    Competition,
    LateralInhibition,
    NeuralField,
    Shunting,
    SimulationError,
    get_activation,
    random_weights,
    ring,
    shunting_equilibrium,
    simulate,
    steady_state,
    uniform,
)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: Competition(np.ones((2, 3))), "square"),
        (lambda: Competition(np.ones(3)), "square"),
        (lambda: Competition([[1, np.nan], [0, 1]]), "NaN"),
        (lambda: Competition(np.eye(2), beta=-1), "beta must be a finite number >= 0, got -1"),
        (lambda: Competition(np.eye(2), tau=0), "tau must be a finite number > 0, got 0"),
        (
            lambda: Competition(np.eye(2), tau=np.array([1.0, -2.0])),
            r"tau must be finite numbers > 0, got -2 \(at index 1\)",
        ),
        (lambda: Competition(np.eye(2), activation="softplus"), "unknown activation 'softplus'"),
        (lambda: Competition(np.eye(2), activation=3), "activation must be"),
        (lambda: Competition([["a", "b"], ["c", "d"]]), "numeric"),
        (lambda: LateralInhibition(0), "n_units"),
        (lambda: Shunting(3, B=0), "B must be a finite number > 0"),
        (lambda: NeuralField((2, 3, 4)), "shape"),
        (lambda: NeuralField(10, boundary="mirror"), "boundary"),
        (lambda: NeuralField(10, sigma_exc=0), "sigma_exc must be a finite number > 0"),
        (lambda: uniform(0), "positive integer"),
        (lambda: ring(5, width=-1), "width"),
        (lambda: random_weights(3, std=-1), "std"),
        (lambda: get_activation("sigmoid", gain=-1), "gain"),
        (lambda: get_activation("relu", gain=2), "takes no parameters"),
        (lambda: shunting_equilibrium([0.0, 0.0], A=0), "undefined"),
    ],
)
def test_bad_model_arguments(make, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make()


MODEL = Competition(uniform(3, 0.5), beta=1.0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(inputs=np.ones(4)), "last axes must match the state shape"),
        (dict(inputs=[1.0, np.inf, 0.0]), "NaN or inf"),
        (dict(u0=np.ones((2, 2))), "u0 has shape"),
        (dict(inputs=np.ones((2, 3)), u0=np.ones((3, 3))), "do not broadcast"),
        (dict(dt=0), "dt must be a finite number > 0, got 0"),
        (dict(dt=-0.1), "dt must be a finite number > 0"),
        (dict(t_span=(5, 1)), "t1 > t0"),
        (dict(t_span=(0, np.inf)), "finite"),
        (dict(t_span=3), "pair"),
        (dict(method="leapfrog"), "unknown method 'leapfrog'"),
        (dict(noise=0.1, method="rk4"), "noise > 0 needs method"),
        (dict(noise=-1.0), "noise must be a finite number >= 0"),
        (dict(until="forever"), "until must be"),
        (dict(dtype="int32"), "float32 or float64"),
        (dict(save_every=0), "save_every"),
        (dict(tol=0), "tol"),
    ],
)
def test_bad_simulate_arguments(kwargs, match):
    kwargs.setdefault("inputs", [1.0, 0.5, 0.2])
    inputs = kwargs.pop("inputs")
    with pytest.raises((ValueError, TypeError), match=match):
        simulate(MODEL, inputs, **kwargs)


def test_model_must_be_a_model():
    with pytest.raises(TypeError, match="neuroattn Model"):
        simulate("competition", 1.0)
    with pytest.raises(TypeError, match="neuroattn Model"):
        steady_state(np.eye(2))


def test_unstable_step_is_refused_before_the_run_with_advice():
    fast = Competition(uniform(3, 0.5), beta=1.0, tau=0.001)  # stiff: Euler needs dt < 0.002
    with pytest.raises(SimulationError, match=r"outside euler's stability region.*dt <= 0\.002"):
        simulate(fast, [1.0, 0.5, 0.2], t_span=(0, 100), dt=0.1, method="euler")


def test_unstable_step_as_a_value_with_throw_false():
    fast = Competition(uniform(3, 0.5), beta=1.0, tau=0.001)
    traj = simulate(fast, [1.0, 0.5, 0.2], t_span=(0, 100), dt=0.1, method="euler", throw=False)
    assert traj.status == "unstable_step"
    assert traj.stats["steps"] == 0 and traj.t.tolist() == [0.0]  # nothing was integrated
    assert "dt <= 0.002" in traj.stats["message"]


def test_a_blow_up_names_the_step_and_advises():
    # self-excitation far beyond the leak: the true solution overflows
    runaway = Competition(uniform(3, 60.0), beta=0.0, activation="relu")
    with pytest.raises(SimulationError, match=r"non-finite by step \d+.*smaller dt"):
        simulate(runaway, [1.0, 0.5, 0.2], t_span=(0, 100), dt=0.1, method="euler")


def test_runaway_adaptive_reports_failure():
    # self-excitation beyond the leak: activity grows without bound
    runaway = Competition(uniform(2, -1.0), beta=5.0, activation="relu")
    traj = simulate(runaway, [1.0, 1.0], t_span=(0, 500), throw=False)
    assert traj.status in ("nonfinite", "dt_too_small", "max_steps")
    with pytest.raises(SimulationError):
        simulate(runaway, [1.0, 1.0], t_span=(0, 500))


def test_steady_state_bad_arguments():
    with pytest.raises(ValueError, match="method must be"):
        steady_state(MODEL, [1.0, 0.5, 0.2], method="bisect")
    with pytest.raises(ValueError, match="constant inputs"):
        steady_state(MODEL, lambda t: 1.0)
    with pytest.raises(ValueError, match="damping"):
        steady_state(MODEL, 1.0, damping=0)
