"""Fuzz of ``neuroattn.dynamics``: every public entry point called with generated values
(arrays of any small shape, dtype and content — NaN, inf, huge, empty, complex, bool —,
numbers a user might type, wrong kinds), numpy or torch.

The promise checked, for every call:

* it raises ValueError or TypeError (``SimulationError`` and ``LimitError`` are
  ValueErrors), or returns a result of the documented shape with no NaN or inf in it;
* it ends within :data:`CALL_SECONDS`. The module's bounds make that true: the fuzz runs
  with small ``LIMITS`` (a fixture) and passes ``simulate`` a small ``max_steps`` and
  ``max_work``; a huge size or span must be refused up front, never computed.

The default profile runs ``FUZZ`` (15 examples per test, the same ones every run);
``NEUROATTN_FUZZ_EXAMPLES=2000`` runs a long one.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from neuroattn import dynamics as dyn

from ._strategies import FUZZ, NUMBERS, arrays

torch = pytest.importorskip("torch")

ERRORS = (ValueError, TypeError)
CALL_SECONDS = 5.0
BUDGET = dict(max_steps=2000, max_work=1e7, max_memory=2**26)  # what the fuzz allows a run

# anything a user might pass for a number, an array, a name
WILD = st.one_of(
    NUMBERS,
    st.booleans(),
    st.none(),
    st.text(max_size=4),
    st.sampled_from([1j, [1.0, 2.0], [[1.0]], {"a": 1}, "rk4", "sigmoid", (0, 1), np.int8(3)]),
    arrays(max_dims=2, max_side=4),
)
SMALL_INT = st.integers(-2, 6)
POSITIVE = st.sampled_from([0.1, 0.5, 1.0, 2.0, 3.0])


@st.composite
def chaos(draw: Any) -> int:
    """Per example, the percentage of arguments drawn from :data:`WILD`: most examples are
    all valid or nearly (they reach deepest), some are wild throughout."""
    return draw(st.sampled_from([0, 0, 0, 5, 15, 50]))


class Pick:
    """Draws each argument valid, or wild at the example's chaos rate."""

    def __init__(self, data: Any) -> None:
        self.data = data
        self.rate = data.draw(chaos(), label="chaos %")

    def __call__(self, valid: st.SearchStrategy[Any], label: str) -> Any:
        if self.data.draw(st.integers(0, 99), label=f"{label} wild?") < self.rate:
            return self.data.draw(WILD, label=label)
        return self.data.draw(valid, label=label)


def maybe(valid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A valid value, or anything one time in ten."""
    return st.integers(0, 9).flatmap(lambda i: WILD if i == 0 else valid)


def as_torch_sometimes(draw: Any, x: Any) -> Any:
    """``x`` as a torch tensor now and then (float arrays only, as torch takes them)."""
    if isinstance(x, np.ndarray) and x.dtype.kind == "f" and draw(st.integers(0, 3)) == 0:
        return torch.from_numpy(np.ascontiguousarray(x))
    return x


@pytest.fixture(autouse=True)
def small_limits(monkeypatch):
    """A huge size drawn by the fuzz must be refused, never allocated."""
    monkeypatch.setattr(dyn.LIMITS, "max_units", 10**4)
    monkeypatch.setattr(dyn.LIMITS, "max_weights", 10**6)
    monkeypatch.setattr(dyn.LIMITS, "max_iterations", 10**4)


def call(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)`` within the time bound; None when it refused (Value/TypeError)."""
    start = time.perf_counter()
    name = getattr(fn, "__name__", "call")
    try:
        result = fn(*args, **kwargs)
    except ERRORS as exc:
        event(f"{name}: {type(exc).__name__}")
        return None
    else:
        event(f"{name}: returned")
        return result
    finally:
        took = time.perf_counter() - start
        assert took < CALL_SECONDS, f"{getattr(fn, '__name__', fn)} took {took:.1f} s"


def finite(*xs: Any) -> None:
    for x in xs:
        a = dyn.checks.to_numpy(x)
        assert a.dtype.kind in "fiu", a.dtype
        assert np.isfinite(a).all(), "NaN or inf in a result"


def check_trajectory(traj: dyn.Trajectory, model: dyn.Model) -> None:
    """A finite, well-shaped trajectory: times increasing, states (T, *batch, *state)."""
    t, u, r = (dyn.checks.to_numpy(x) for x in (traj.t, traj.u, traj.rates))
    finite(t, u, r)
    assert t.ndim == 1 and t.size >= 1 and np.all(np.diff(t) > 0)
    assert u.shape[0] == t.size and u.shape == r.shape
    assert u.shape[u.ndim - len(model.state_shape) :] == model.state_shape
    assert isinstance(traj.status, dyn.Status)


# --- models -------------------------------------------------------------------------------


def short_run(model: dyn.Model) -> None:
    """A model that was accepted runs briefly to a finite result or a clear error."""
    traj = call(dyn.simulate, model, 0.5, t_span=(0, 0.5), dt=0.1, method="rk4", **BUDGET)
    if traj is not None:
        check_trajectory(traj, model)


@st.composite
def weights(draw: Any) -> Any:
    kind = draw(st.sampled_from(["square"] * 6 + ["odd", "any", "wild"]))
    if kind in ("square", "odd"):
        n = draw(st.integers(1, 5) if kind == "square" else st.integers(0, 5))
        base = draw(st.sampled_from([0.0, -0.4, 0.5, 2.0] if kind == "square" else
                                    [1e300, math.nan, math.inf, 1e-300]))  # fmt: skip
        W = np.random.default_rng(draw(st.integers(0, 99))).normal(size=(n, n)) * 0.3 + base
        return as_torch_sometimes(draw, W)
    return draw(arrays(max_dims=3, max_side=5)) if kind == "any" else draw(WILD)


ACTIVATIONS = st.sampled_from(["relu", "sigmoid", "tanh", "linear", dyn.sigmoid(4.0), np.tanh])


@FUZZ
@given(data=st.data())
def test_competition_and_lateral_inhibition(data: Any) -> None:
    pick = Pick(data)
    common = dict(
        activation=pick(ACTIVATIONS, "activation"),
        tau=pick(POSITIVE, "tau"),
        g=pick(st.sampled_from([1.0, 0.5]), "g"),
    )
    beta = pick(st.one_of(POSITIVE, st.just(np.array([0.1, 0.2]))), "beta")
    model = call(dyn.Competition, data.draw(weights(), label="W"), beta=beta, **common)
    if model is not None:
        short_run(model)
    n = pick(st.integers(1, 6), "n_units")
    lat = call(dyn.LateralInhibition, n, alpha=pick(POSITIVE, "alpha"), **common)
    if lat is not None:
        assert lat.state_shape == (n,)
        short_run(lat)


@FUZZ
@given(data=st.data())
def test_shunting_and_its_equilibrium(data: Any) -> None:
    pick = Pick(data)
    n = pick(st.integers(1, 6), "n_units")
    A, B = pick(st.sampled_from([0.0, 1.0]), "A"), pick(POSITIVE, "B")
    model = call(dyn.Shunting, n, A=A, B=B, tau=pick(POSITIVE, "tau"))
    if model is not None:
        short_run(model)
    valid = st.builds(lambda k: np.exp(np.linspace(-1, 1, k)), st.integers(1, 5))
    inputs = pick(st.one_of(valid, arrays(max_dims=3, max_side=5)), "inputs")
    inputs = as_torch_sometimes(data.draw, inputs)
    x = call(dyn.shunting_equilibrium, inputs, A=A, B=B)
    if x is not None:
        finite(x)
        assert np.shape(x)[-1:] == np.shape(inputs)[-1:]


@FUZZ
@given(data=st.data())
def test_neural_fields(data: Any) -> None:
    pick = Pick(data)
    shape = pick(st.sampled_from([5, (4,), (3, 4), (2, 2), 300, (120, 130)]), "shape")
    numbers = st.sampled_from([0.5, 1.0, 2.0, 6.0, 1e-300, 1e300])
    kw = {k: pick(numbers, k) for k in ("a_exc", "sigma_exc", "a_inh", "sigma_inh", "dx")}
    kw["boundary"] = pick(st.sampled_from(["periodic", "zero"]), "boundary")
    kw["method"] = pick(st.sampled_from(["auto", "fft", "direct"]), "method")
    kw["h"] = pick(st.sampled_from([0.0, -0.5]), "h")
    field = call(dyn.NeuralField, shape, **kw)
    if field is not None:
        short_run(field)


@FUZZ
@given(
    data=st.data(), builder=st.sampled_from(["uniform", "ring", "mexican_hat", "random_weights"])
)
def test_connectivity_builders(data: Any, builder: str) -> None:
    pick = Pick(data)
    n = pick(st.integers(1, 6), "n")
    values = [pick(st.sampled_from([0.5, -0.4, 2.0, 6.0, 1e300]), f"v{i}") for i in range(4)]
    wrap = pick(st.sampled_from(["images", "shortest", "other", None]), "wrap")
    kwargs = {
        "uniform": lambda: dict(weight=values[0], self_weight=values[1]),
        "ring": lambda: dict(weight=values[0], width=values[1], wrap=wrap),
        "mexican_hat": lambda: dict(zip(HAT, values, strict=True), wrap=wrap),
        "random_weights": lambda: dict(mean=values[0], std=values[1], seed=pick(st.integers(0, 9),
                                       "seed"), nonnegative=pick(st.booleans(), "nonnegative")),
    }[builder]()  # fmt: skip
    W = call(getattr(dyn, builder), n, **kwargs)
    if W is not None:
        finite(W)
        assert W.shape == (n, n)


HAT = ("a_exc", "sigma_exc", "a_inh", "sigma_inh")

# --- simulate -----------------------------------------------------------------------------

MODELS = [
    dyn.Competition(dyn.uniform(3, -0.4), beta=0.2, activation="relu"),
    dyn.Competition(dyn.uniform(3, 0.5), beta=np.array([0.5, 1.0])),
    dyn.LateralInhibition(4),
    dyn.Shunting(3),
    dyn.NeuralField((3, 4), sigma_inh=3.0),
]
RUN_ARGUMENTS = {
    "t_span": st.tuples(st.sampled_from([0.0, -1.0]), st.sampled_from([0.5, 2.0, 1e6, 1e300])),
    "dt": st.sampled_from([None, 0.05, 0.2, 1.0, 3.0, 1e6, 1e-12]),
    "method": st.sampled_from(["auto", "euler", "heun", "rk4", "dopri5", "euler_maruyama",
                               dyn.Dopri5(rtol=1e-4)]),
    "noise": st.sampled_from([0.0, 0.1, np.array([0.1, 0.0])]),
    "seed": st.sampled_from([None, 0, np.random.default_rng(1)]),
    "saveat": st.sampled_from([None, dyn.SaveAt(every=0.25), dyn.SaveAt(ts=[0.5]),
                               dyn.SaveAt(every=1e-9)]),
    "until": st.sampled_from([None, "steady", dyn.Steady(1e-3)]),
    "dtype": st.sampled_from([None, "float32", "float64"]),
    "throw": st.booleans(),
}  # fmt: skip


@FUZZ
@given(data=st.data(), model=st.sampled_from(MODELS))
def test_simulate(data: Any, model: dyn.Model) -> None:
    pick = Pick(data)
    kw = {k: pick(v, k) for k, v in RUN_ARGUMENTS.items() if data.draw(st.booleans(), label=k)}
    valid = st.sampled_from([0.5, np.full(model.state_shape, 0.7), np.linspace(0.1, 1, model.n)])
    inputs = pick(st.one_of(valid, valid, valid, arrays(max_dims=3, max_side=4)), "inputs")
    inputs = as_torch_sometimes(data.draw, inputs)
    u0 = pick(st.one_of(st.none(), st.none(), arrays(max_dims=3, max_side=4)), "u0")
    traj = call(dyn.simulate, model, inputs, u0=u0, **kw, **BUDGET)
    if traj is not None:
        check_trajectory(traj, model)
        if kw.get("throw", True) is True:
            assert traj.status == "success"


@FUZZ
@given(data=st.data(), model=st.sampled_from(MODELS))
def test_simulate_limits_and_inputs_over_time(data: Any, model: dyn.Model) -> None:
    pick = Pick(data)
    limits = {k: pick(st.sampled_from([1, 10, 1000, 10**6, math.inf]), k) for k in BUDGET}
    bounded = {k: min(v, BUDGET[k]) if isinstance(v, (int, float)) else v
               for k, v in limits.items()}  # fmt: skip
    t = pick(st.sampled_from([[0.0, 1.0], [0.0], [1.0, 0.0], np.arange(3.0)]), "t")
    samples = np.size(t) if isinstance(t, (list, np.ndarray)) else 1
    values = pick(st.just(np.ones((samples, *model.state_shape))), "values")
    series = call(dyn.TimeSeries, t, values)
    inputs = data.draw(st.sampled_from([series, lambda t: 0.5, lambda t: math.nan * t, 0.5]))
    traj = call(dyn.simulate, model, inputs, t_span=(0, 1), dt=0.1, method="rk4", **bounded)
    if traj is not None:
        check_trajectory(traj, model)


# --- steady states, fitting, files, kernels ------------------------------------------------


@FUZZ
@given(data=st.data(), model=st.sampled_from(MODELS[:4]))
def test_steady_state(data: Any, model: dyn.Model) -> None:
    pick = Pick(data)
    inputs = pick(st.one_of(st.sampled_from([0.5, 1.0]), arrays(max_dims=2, max_side=4)), "I")
    ss = call(
        dyn.steady_state,
        model,
        inputs,
        u0=pick(st.one_of(st.none(), arrays(max_dims=2, max_side=4)), "u0"),
        method=pick(st.sampled_from(["newton", "fixed_point"]), "method"),
        tol=pick(st.sampled_from([1e-10, 1e-6]), "tol"),
        max_iter=pick(st.sampled_from([0, 1, 50, 200]), "max_iter"),
        damping=pick(st.sampled_from([0.5, 1.0]), "damping"),
    )
    if ss is not None:
        finite(ss.u, ss.rates)
        assert ss.u.shape[ss.u.ndim - len(model.state_shape) :] == model.state_shape
        assert not np.isnan(ss.residual).any()


@FUZZ
@given(data=st.data())
def test_fit(data: Any) -> None:
    pick = Pick(data)
    model = dyn.Competition(dyn.uniform(3, -0.4), beta=0.2, activation="relu")
    target = pick(st.one_of(st.just(np.array([0.8, 0.5, 0.2])), arrays(max_dims=2, max_side=4)),
                  "target")  # fmt: skip
    result = call(
        dyn.fit,
        model,
        pick(st.just(np.array([1.0, 0.8, 0.5])), "inputs"),
        target,
        params=pick(st.sampled_from([("beta",), ("tau",), ("beta", "w_scale")]), "params"),
        kind="steady",
        observable=pick(st.sampled_from(["u", "rates"]), "observable"),
        x0=pick(st.one_of(st.none(), st.fixed_dictionaries({"beta": maybe(POSITIVE)})), "x0"),
        steps=pick(st.sampled_from([1, 5]), "steps"),
    )
    if result is not None:
        assert all(math.isfinite(v) for v in result.estimates.values())
        assert math.isfinite(result.residual)


@FUZZ
@given(payload=st.binary(max_size=2000), prefix=st.sampled_from([b"", b"PK\x03\x04", b"\x93NUMPY"]))
def test_trajectory_load_of_any_bytes(tmp_path_factory: Any, payload: bytes, prefix: bytes) -> None:
    path = tmp_path_factory.mktemp("load") / "t.npz"
    path.write_bytes(prefix + payload)
    with pytest.raises(ValueError, match="not a neuroattn trajectory file"):
        call_raw(dyn.Trajectory.load, path)


def call_raw(fn: Any, *args: Any) -> Any:
    """``fn(*args)`` within the time bound, exceptions passed on."""
    start = time.perf_counter()
    try:
        return fn(*args)
    finally:
        assert time.perf_counter() - start < CALL_SECONDS


@FUZZ
@given(
    d2=st.one_of(arrays(max_dims=3, max_side=5), WILD),
    params=st.lists(maybe(st.sampled_from([1.0, 2.0, 0.5, 6.0])), min_size=4, max_size=4),
)
def test_dog_kernel(d2: Any, params: list[Any]) -> None:
    w = call(dyn.dog_kernel, d2, *params)
    if w is not None:
        finite(w)
        assert w.shape == np.shape(d2)


@FUZZ
@given(
    every=maybe(POSITIVE),
    ts=st.one_of(st.none(), arrays(max_dims=2, max_side=4)),
    tol=maybe(st.sampled_from([1e-6, 1e-3])),
    rtol=maybe(st.sampled_from([1e-6, 1e-3])),
    gain=maybe(POSITIVE),
)
def test_small_configuration_objects(every: Any, ts: Any, tol: Any, rtol: Any, gain: Any) -> None:
    for make in (
        lambda: dyn.SaveAt(every=every),
        lambda: dyn.SaveAt(ts=ts),
        lambda: dyn.Steady(tol),
        lambda: dyn.Dopri5(rtol=rtol),
        lambda: dyn.sigmoid(gain=gain, threshold=every),
        lambda: dyn.get_activation(every),
    ):
        call(make)


# --- the normalisation model of attention ------------------------------------------------

WIDTHS = st.sampled_from([None, math.inf, 0.5, 2.0, 60.0, 1e-300, 1e300])
BOUNDARY_NAMES = st.sampled_from(["zero", "reflect", "circular"])


@FUZZ
@given(data=st.data(), which=st.sampled_from(["normalization", "modulation", "pool"]))
def test_attention_normalization(data: Any, which: str) -> None:
    """Any drive, field, pool, σ and boundary: a clear error or a finite result of the
    drive's shape (the normalisation, the gain map and the pool alike)."""
    pick = Pick(data)
    drive = pick(arrays(max_dims=4, max_side=5), "drive")
    ndim = np.ndim(drive) if isinstance(drive, np.ndarray) else 1
    n_pool = data.draw(st.integers(1, max(1, min(3, ndim))), label="pooled axes")
    pool = pick(st.lists(WIDTHS, min_size=n_pool, max_size=n_pool), "pool")
    boundary = pick(
        st.one_of(BOUNDARY_NAMES, st.lists(BOUNDARY_NAMES, min_size=n_pool, max_size=n_pool)),
        "boundary",
    )
    shape = np.shape(drive) if isinstance(drive, np.ndarray) else ()
    attention = pick(
        st.one_of(
            st.none(),
            st.just(np.ones(shape)),
            st.sampled_from([0.0, 1.0, 2.0, 1e300]).map(lambda v: np.full(shape[-1:], v)),
        ),
        "attention",
    )
    sigma = pick(st.sampled_from([1e-6, 1e-3, 1.0]), "sigma")
    kwargs = dict(pool=pool, boundary=boundary)
    if which == "normalization":
        out = call(dyn.attention_normalization, drive, attention, sigma=sigma, **kwargs)
    elif which == "modulation":
        out = call(dyn.attention_modulation, drive, attention, sigma=sigma, **kwargs)
    else:
        out = call(dyn.suppressive_pool, drive, attention, **kwargs)
    if out is not None:
        finite(out)
        assert out.shape == np.shape(drive) and np.all(out >= 0)


@FUZZ
@given(data=st.data())
def test_normalization_model(data: Any) -> None:
    """The standalone model: any parameters, stimuli and fields; a clear error or a finite
    population and contrast-response (on a small grid, so each call is quick)."""
    pick = Pick(data)
    params = {
        name: pick(st.sampled_from(values), name)
        for name, values in [
            ("excitatory_width", [5.0, 0.5, 1e-300, math.inf]),
            ("suppressive_orientation_width", [360.0, 20.0, math.inf]),
            ("attention_peak", [2.0, 1.0, 1e6]),
            ("sigma", [1e-6, 1.0, 1e-300]),
            ("space_extent", [20.0, 0.0, 3.0]),
            ("orientation_step", [30.0, 90.0, 360.0]),
        ]
    }
    model = call(dyn.NormalizationModel, **params)
    if model is None:
        return
    stim = call(model.stimulus, pick(POSITIVE, "position"), pick(POSITIVE, "width"))
    att = call(model.attention_field, position=pick(POSITIVE, "at"), width=pick(POSITIVE, "aw"))
    if stim is not None and att is not None:
        pop = call(model.respond, stim, att)
        if pop is not None:
            finite(pop.response, pop.suppression)
            assert pop.response.shape == (model.theta.size, model.x.size)
    contrasts = pick(st.sampled_from([None, [1e-3, 1e-2, 1.0]]), "contrasts")
    cr = call(model.contrast_response, contrasts, position=0.0, away=0.0)
    if cr is not None:
        finite(cr.attended, cr.unattended)
