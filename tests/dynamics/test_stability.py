"""A fixed step outside the method's stability region is flagged, not reported as success
(issue 8: rk4 at dt = 1e6 overflowed to −3e231 and said "success")."""

import numpy as np
import pytest

from neuroattn.dynamics import (
    RK4,
    Competition,
    Dopri5,
    Euler,
    Heun,
    SimulationError,
    Solver,
    Status,
    simulate,
    uniform,
)
from neuroattn.dynamics._stability import amplification, real_limit

COMPETE = Competition(uniform(3, -0.4), beta=0.2, activation="relu")
LEAK = Competition(np.zeros((2, 2)), activation="relu")  # du/dt = −u + I: the decay alone


def test_the_reproducer_rk4_at_dt_1e6_is_refused():
    with pytest.raises(SimulationError, match=r"outside rk4's stability region.*dt <= 2\.79"):
        simulate(COMPETE, [1.0, 0.8, 0.5], t_span=(0, 1e7), dt=1e6, method="rk4")
    traj = simulate(COMPETE, [1.0, 0.8, 0.5], t_span=(0, 1e7), dt=1e6, method="rk4", throw=False)
    assert traj.status is Status.UNSTABLE_STEP and traj.stats["steps"] == 0
    assert np.isfinite(traj.u).all()  # the initial state only, nothing overflowed


@pytest.mark.parametrize(("method", "limit"), [("euler", 2.0), ("heun", 2.0), ("rk4", 2.7853)])
def test_just_stable_and_just_unstable_steps_of_the_decay(method, limit):
    below, above = 0.998 * limit, 1.002 * limit
    ok = simulate(LEAK, [1.0, 2.0], t_span=(0, 4000 * below), dt=below, method=method)
    assert ok.status == "success"
    np.testing.assert_allclose(ok.final, [1.0, 2.0], rtol=1e-6)  # slow, but it converges
    bad = simulate(LEAK, [1.0, 2.0], t_span=(0, 100 * above), dt=above, method=method, throw=False)
    assert bad.status is Status.UNSTABLE_STEP


def test_the_stable_interval_of_each_method():
    assert real_limit(Euler()) == pytest.approx(2.0)
    assert real_limit(Heun()) == pytest.approx(2.0)
    assert real_limit(RK4()) == pytest.approx(2.785293563405, rel=1e-10)
    assert real_limit(Dopri5()) == pytest.approx(3.3066, rel=1e-3)
    # R(z) is e^z to the method's order: |R(−0.1)| ≈ e^(−0.1)
    assert amplification(RK4(), -0.1) == pytest.approx(np.exp(-0.1), rel=1e-6)


def test_a_step_unstable_only_through_the_weights_is_caught_at_the_final_state():
    # the decay alone is stable at dt = 1.786 (z = −1.786), but with every unit active the
    # Jacobian has λ = −1.56, and dt λ = −2.79 lies just outside RK4's region
    traj = simulate(COMPETE, [1.0, 0.9, 0.8], t_span=(0, 200), dt=1.8, method="rk4", throw=False)
    assert traj.status is Status.UNSTABLE_STEP
    assert "eigenvalue -1.56" in traj.stats["message"]
    good = simulate(COMPETE, [1.0, 0.9, 0.8], t_span=(0, 200), dt=1.7, method="rk4")
    exact = simulate(COMPETE, [1.0, 0.9, 0.8], t_span=(0, 200), method=Dopri5(rtol=1e-10))
    np.testing.assert_allclose(good.final, exact.final, atol=1e-8)


def test_a_fixed_point_of_the_method_but_not_of_the_equation_is_caught():
    # at dt = 2 the RK4 stages jump between silent and active units and the state stops
    # at u = (−0.40, −0.54, −0.68), where du/dt = 1.4: no equilibrium of the equation
    traj = simulate(COMPETE, [1.0, 0.9, 0.8], t_span=(0, 200), dt=2.0, method="rk4", throw=False)
    assert traj.status is Status.UNSTABLE_STEP
    assert "fixed point of the method" in traj.stats["message"]


def test_models_without_a_known_decay_and_own_solvers_are_not_second_guessed():
    linear = Competition(-0.9 * np.eye(2), beta=1.0, activation="linear")  # J = −0.1 (diagonal)
    traj = simulate(linear, [1.0, 1.0], t_span=(0, 100), dt=5.0, method="rk4")
    assert traj.status == "success"  # dt λ = −0.5: fine, although dt/τ = 5

    class Mine(Solver):
        name = "mine"

        def step(self, f, t, u, dt):
            return u + dt * f(t, u)

    assert simulate(LEAK, 1.0, t_span=(0, 1), dt=0.5, method=Mine()).status == "success"


def test_the_checks_cost_nothing_per_step_and_keep_good_runs():
    model = Competition(uniform(16, 0.5), beta=np.linspace(0.0, 3.0, 50))  # as benchmark D2
    I = np.random.default_rng(0).uniform(0, 2, (50, 16))
    traj = simulate(model, I, t_span=(0, 100), dt=0.5, method="rk4")
    assert traj.status == "success"
