"""Synaptic depression (Tsodyks & Markram 1997, rate form), solved exactly for stepwise
rates: held against scipy's integration of the same equation and its steady state."""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from neuroattn.dynamics import SynapticDepression


def _reference(dep, breaks, rates, d0, t):
    """dd/dt = (1 − d)/τ_rec − U d r(t), integrated by scipy piece by piece."""
    out, d, times = [], np.atleast_1d(np.asarray(d0, float)), np.r_[breaks, np.inf]
    for k in range(len(breaks)):
        r = np.asarray(rates[k], float)
        sel = t[(t >= times[k]) & (t < times[k + 1])]
        end = min(times[k + 1], t.max())
        if end <= times[k]:
            break
        sol = solve_ivp(lambda _, x, r=r: (1 - x) / dep.tau_rec - dep.use * x * r, (times[k], end),
                        d, t_eval=sel, rtol=1e-10, atol=1e-12, dense_output=True)  # fmt: skip
        out.append(sol.y.T)
        d = sol.sol(end)
    return np.concatenate(out)


def test_matches_scipy_for_a_cue_like_step():
    dep = SynapticDepression(tau_rec=20.0, use=0.05)
    breaks = np.array([0.0, 3.0, 10.0, 40.0])
    rates = np.array([[0.1, 0.1], [2.1, 0.1], [0.1, 0.1], [1.1, 0.1]])
    t = np.linspace(0, 80, 321)
    got = dep.efficacy(t, breaks=breaks, rates=rates, initial=dep.steady_state(0.1))
    want = _reference(dep, breaks, rates, dep.steady_state([0.1, 0.1]), t)
    np.testing.assert_allclose(got, want, atol=1e-8)
    assert got.shape == (321, 2)


def test_steady_state_recovery_and_order():
    dep = SynapticDepression(tau_rec=10.0, use=0.1)
    assert dep.steady_state(1.0) == pytest.approx(0.5)  # 1 / (1 + τ U r)
    # from 1 at rate 0 nothing happens; recovery from 0.2 follows 1 − 0.8 e^{−t/τ}
    t = np.array([5.0, 0.0, 20.0])  # any order
    d = dep.efficacy(t, breaks=[0.0], rates=[0.0], initial=0.2)
    np.testing.assert_allclose(d, 1 - 0.8 * np.exp(-t / 10.0))
    # before the first break: the initial value
    assert dep.efficacy(-3.0, breaks=[0.0], rates=[5.0], initial=0.7) == pytest.approx(0.7)
    # a huge rate empties the synapse, never NaN
    assert np.isfinite(dep.efficacy([0.0, 1.0], breaks=[0.0], rates=[1e300])).all()


@pytest.mark.parametrize(
    ("kwargs", "call", "match"),
    [
        ({"tau_rec": 0, "use": 0.1}, None, "tau_rec must be a finite number > 0"),
        ({"tau_rec": 1, "use": -1}, None, "use must be a finite number >= 0"),
        ({"tau_rec": 1, "use": True}, None, "use must be"),
        ({"tau_rec": 1, "use": 1}, {"breaks": [1.0, 0.0], "rates": [1, 1]}, "increasing"),
        ({"tau_rec": 1, "use": 1}, {"breaks": [0.0], "rates": [-1.0]}, "rates must be >= 0"),
        ({"tau_rec": 1, "use": 1}, {"breaks": [0.0, 1.0], "rates": [1.0]}, "one row per break"),
        ({"tau_rec": 1, "use": 1}, {"breaks": [], "rates": []}, "non-empty 1-D"),
        ({"tau_rec": 1, "use": 1}, {"breaks": [0.0], "rates": [1.0], "initial": 2}, "initial"),
        ({"tau_rec": 1, "use": 1}, {"breaks": [np.nan], "rates": [1.0]}, "breaks"),
    ],
)
def test_bad_inputs_say_what(kwargs, call, match):
    with pytest.raises(ValueError, match=match):
        dep = SynapticDepression(**kwargs)
        dep.efficacy([0.0], **call)
