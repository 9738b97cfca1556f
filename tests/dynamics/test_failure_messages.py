"""A failed run names its cause when the step is not to blame (issue 8: a NaN from the input
function and float32 overflow both said "try a smaller dt")."""

import math

import numpy as np
import pytest

from neuroattn.dynamics import Competition, SimulationError, Status, simulate, uniform

MODEL = Competition(uniform(3, 0.1), activation="relu")


def nan_after(t_bad, value=math.nan):
    def inputs(t):
        return np.full(3, value) if t > t_bad else np.ones(3)

    return inputs


@pytest.mark.parametrize("method", ["euler", "rk4", "dopri5"])
def test_an_input_function_that_turns_nan_is_named(method):
    with pytest.raises(SimulationError, match=r"input function returned a non-finite value \(nan\)"
                       r" at t = 1[.0-9]*;") as info:  # fmt: skip
        simulate(MODEL, nan_after(1.0), t_span=(0, 10), dt=0.1, method=method)
    assert "smaller dt" not in str(info.value)
    t = float(str(info.value).split("at t = ")[1].split(";")[0])
    assert 1.0 <= t <= 1.1  # the first time the run asked for, not where the state blew up


def test_an_infinite_input_as_a_value_with_throw_false():
    traj = simulate(MODEL, nan_after(2.0, -math.inf), t_span=(0, 10), dt=0.1, method="rk4",
                    throw=False)  # fmt: skip
    assert traj.status is Status.NONFINITE
    assert "non-finite value (-inf) at t = 2.05" in traj.stats["message"]
    assert np.isfinite(traj.u).all()  # the saves before the failure


def test_a_blow_up_of_the_dynamics_still_advises_on_the_step():
    runaway = Competition(uniform(3, 60.0), beta=0.0, activation="relu")
    finite_input = lambda t: np.ones(3)  # noqa: E731  a callable, but finite everywhere
    with pytest.raises(SimulationError, match=r"non-finite by step \d+.*smaller dt"):
        simulate(runaway, finite_input, t_span=(0, 100), dt=0.1, method="euler")


def test_weights_beyond_float32_are_refused_before_the_run():
    model = Competition(np.full((3, 3), 1e39), activation="sigmoid")
    with pytest.raises(ValueError, match=r"W overflows float32 .*1e\+39.*dtype='float64'"):
        simulate(model, 1.0, t_span=(0, 1), dt=0.1, dtype="float32")
    simulate(model, 1.0, t_span=(0, 1), dt=0.1, method="rk4", throw=False)  # float64 runs
    with pytest.raises(ValueError, match=r"inputs overflows float32.*dtype='float64'"):
        simulate(MODEL, 1e39, t_span=(0, 1), dt=0.1, dtype="float32")


def test_weights_that_sum_past_float32_say_so():
    # every weight fits float32, their sum over 200 units (2e39) does not
    model = Competition(np.full((200, 200), 1e37), beta=0.0, activation="sigmoid")
    with pytest.raises(SimulationError, match=r"in float32: W \(up to 1e\+37, summed over 200 "
                       r"units\) overflows float32.*dtype='float64'") as info:  # fmt: skip
        simulate(model, 1.0, t_span=(0, 1), dt=0.1, method="rk4", dtype="float32")
    assert "smaller dt" not in str(info.value)
    traj = simulate(model, 1.0, t_span=(0, 1), dt=0.1, method="rk4")
    assert traj.status == "success" and np.isfinite(traj.u).all()
