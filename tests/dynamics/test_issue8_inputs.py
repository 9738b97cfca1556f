"""NaN and silently wrong results from bad input (issue 8): every reproducer is refused with
a clear ValueError or TypeError; corrupt files and half-precision tensors as well."""

import math
import zipfile

import numpy as np
import pytest

from neuroattn.dynamics import (
    Competition,
    LateralInhibition,
    NeuralField,
    Shunting,
    TimeSeries,
    Trajectory,
    fit,
    mexican_hat,
    random_weights,
    ring,
    shunting_equilibrium,
    simulate,
    steady_state,
    uniform,
)
from neuroattn.dynamics.checks import check_finite_array, check_numbers, check_seed, to_numpy

torch = pytest.importorskip("torch")

MODEL = Competition(uniform(3, -0.4), beta=0.2, activation="relu")
RUN = dict(t_span=(0, 1), dt=0.1, method="rk4")


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: uniform(3, math.nan), "weight must be a finite number, got nan"),
        (lambda: uniform(3, 1.0, self_weight=math.inf), "self_weight"),
        (lambda: ring(3, width=math.nan), "width must be a finite number > 0, got nan"),
        (lambda: ring(3, weight=math.nan), "weight"),
        (lambda: random_weights(3, std=math.nan), "std must be a finite number >= 0, got nan"),
        (lambda: random_weights(3, mean=math.inf), "mean"),
        (lambda: random_weights(3, nonnegative="no"), "nonnegative must be True or False"),
        (lambda: random_weights(3, seed=True), "seed must be None, an integer"),
        (lambda: mexican_hat(5, a_exc=math.nan), "a_exc must be a finite number"),
        (lambda: mexican_hat(5, a_inh=-math.inf), "a_inh"),
        (lambda: mexican_hat(5, sigma_exc=math.nan), "sigma_exc"),
        (lambda: uniform(True), "n must be a positive integer"),
    ],
)
def test_builders_refuse_non_finite_parameters(make, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make()


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: Competition(uniform(3, -0.4) + 1j), "W must be real, got complex"),
        (lambda: simulate(MODEL, np.array([1, 2, 3]) + 1j, **RUN), "inputs must be real"),
        (lambda: simulate(MODEL, 1.0, u0=np.ones(3) + 0.5j, **RUN), "u0 must be real"),
        (lambda: simulate(MODEL, [1.0, 2j, 3.0], **RUN), "inputs must be real"),
        (lambda: Competition(torch.eye(3, dtype=torch.complex64)), "W must be real"),
        (lambda: simulate(MODEL, torch.ones(3) * 1j, **RUN), "inputs must be real"),
        (lambda: Competition(np.eye(3), g=np.ones(3) * 1j), "g must be real"),
        (lambda: Competition(np.eye(3), tau=[1j]), "tau must be real"),
        (lambda: shunting_equilibrium(np.array([1.0, 2.0]) + 1j), "inputs must be real"),
        (lambda: TimeSeries([0.0, 1.0], np.ones((2, 3)) * 1j), "inputs.values must be real"),
    ],
)
def test_complex_arrays_are_refused_not_truncated(call, match):
    with pytest.raises(TypeError, match=match):
        call()


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: simulate(MODEL, 1.0, t_span=(0, 1), dt=True), "dt must be a finite number"),
        (lambda: simulate(MODEL, 1.0, t_span=(False, True), dt=0.1), "t_span"),
        (lambda: simulate(MODEL, 1.0, **RUN, noise=True), "noise"),
        (lambda: simulate(MODEL, 1.0, t_span=(0, 1), dt=0.1, noise=0.1, seed=True), "seed"),
        (lambda: simulate(MODEL, np.array([True, False, True]), **RUN), "inputs must be numbers"),
        (lambda: simulate(MODEL, 1.0, u0=[True, False, True], **RUN), "u0 must be numbers"),
        (lambda: Competition(np.eye(3, dtype=bool)), "W must be numbers, got booleans"),
        (lambda: Competition(np.eye(3), beta=True), "beta"),
        (lambda: LateralInhibition(True), "n_units"),
        (lambda: Shunting(3, A=np.array([True])), "A must be numbers"),
        (lambda: simulate(MODEL, 1.0, **RUN, max_steps=True), "max_steps"),
    ],
)
def test_booleans_are_not_numbers(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: Competition(np.ones((0, 0))), "N >= 1"),
        (lambda: Competition(torch.ones((0, 0))), "N >= 1"),
        (lambda: steady_state(MODEL, 1.0, tol=-1), "tol must be a finite number > 0, got -1"),
        (lambda: steady_state(MODEL, 1.0, max_iter=-1), "max_iter"),
        (lambda: steady_state(MODEL, 1.0, eig_max_n=1.5), "eig_max_n"),
        (lambda: fit(MODEL, 1.0, np.ones(3), steps=-1), "steps must be a positive integer"),
        (lambda: fit(MODEL, 1.0, np.ones(3), steps=0), "steps"),
        (lambda: fit(MODEL, 1.0, np.ones(3), x0={"beta": math.nan}), "x0\\['beta'\\]"),
        (lambda: fit(MODEL, 1.0, np.ones(3), params="beta"), "params must be a sequence"),
        (lambda: fit("model", 1.0, np.ones(3)), "model must be a neuroattn Model"),
        (lambda: TimeSeries([0.0], 1.0), "inputs.values"),
    ],
)
def test_degenerate_and_negative_settings(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def test_a_nan_torch_weight_is_named_not_blamed_on_dt():
    W = torch.tensor(uniform(3, -0.4))
    W[0, 1] = float("nan")
    with pytest.raises(ValueError, match="W contains NaN or inf"):
        simulate(Competition(W, beta=0.2), 1.0, t_span=(0, 1), dt=0.05, method="rk4")
    with pytest.raises(ValueError, match="inputs contains NaN"):
        simulate(MODEL, torch.tensor([1.0, float("nan"), 0.0]), **RUN)


def test_trajectory_load_of_a_corrupt_file_is_a_value_error_naming_it(tmp_path):
    good = simulate(MODEL, 1.0, **RUN).save(tmp_path / "good.npz")
    raw = good.read_bytes()
    corrupt = bytearray(raw)
    corrupt[200:260] = b"\0" * 60
    zip_of_other = tmp_path / "other.npz"
    with zipfile.ZipFile(zip_of_other, "w") as zf:
        zf.writestr("x.txt", "hello")
    cases = {
        "empty.npz": b"",  # EOFError in numpy
        "half.npz": raw[: len(raw) // 2],  # BadZipFile
        "corrupt.npz": bytes(corrupt),  # BadZipFile or zlib.error
        "text.npz": b"not a trajectory\n",
        "npy.npz": b"\x93NUMPY\x01\x00garbage",
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
    for path in [*(tmp_path / n for n in cases), zip_of_other, tmp_path / "missing.npz"]:
        with pytest.raises(ValueError, match=f"{path.name}: not a neuroattn trajectory file"):
            Trajectory.load(path)
    assert Trajectory.load(good).t[-1] == pytest.approx(1.0)


def test_checks_to_numpy_reads_half_precision_tensors_as_float32():
    for dtype in (torch.bfloat16, torch.float16):
        x = torch.tensor([1.5, -2.0], dtype=dtype, requires_grad=True)
        out = to_numpy(x)
        assert out.dtype == np.float32 and out.tolist() == [1.5, -2.0]
    assert to_numpy(torch.ones(2, dtype=torch.float64)).dtype == np.float64
    assert to_numpy(np.ones(2, dtype=np.float16)).dtype == np.float16  # numpy arrays as given
    np.testing.assert_array_equal(check_numbers(torch.ones(2, dtype=torch.bfloat16), "w"), [1, 1])


def test_checks_refuse_complex_and_boolean_arrays_and_seeds():
    with pytest.raises(TypeError, match="x must be real, got complex"):
        check_finite_array([1.0, 1j], "x")
    with pytest.raises(TypeError, match="x must be numbers, got booleans"):
        check_finite_array(np.array([True]), "x")
    with pytest.raises(TypeError, match="x must be numeric, got list"):
        check_finite_array(["a"], "x")
    with pytest.raises(TypeError, match="tau must be real"):
        check_numbers(np.array([1.0 + 2j]), "tau")
    assert check_seed(None) is None and check_seed(3) == 3
    gen = np.random.default_rng(0)
    assert check_seed(gen) is gen
    assert check_seed(torch.Generator()) is not None
    for bad, error in [(True, TypeError), (1.5, TypeError), ("0", TypeError), (-1, ValueError)]:
        with pytest.raises(error, match="seed"):
            check_seed(bad)


def test_huge_finite_values_flow_through_without_nan():
    # finite but huge weights: the result is the equation's own (huge, finite) or a refusal
    field = NeuralField(20, a_exc=1e300, activation="sigmoid")
    traj = simulate(field, 0.5, t_span=(0, 1), dt=0.1, method="rk4")
    assert np.isfinite(traj.u).all()


# found by tests/fuzz/test_dynamics_fuzz.py --------------------------------------------------


def test_fuzz_findings_are_clear_errors_or_finite_results():
    from neuroattn.dynamics import sigmoid

    with pytest.raises(ValueError, match="the equilibrium overflows"):
        shunting_equilibrium(np.array([1e308, -1e308, 1.0]), A=0.0, B=10.0)
    with pytest.raises(ValueError, match="sigmoid gain × threshold overflows"):
        sigmoid(gain=1e300, threshold=1e9)
    with pytest.raises(ValueError, match="the batch is empty"):
        simulate(MODEL, 0.5, u0=np.zeros((0, 1)), **RUN)
    with pytest.raises(ValueError, match="u0 overflows float32"):
        simulate(MODEL, 0.5, u0=1.26e299, dtype="float32", **RUN)
    with pytest.raises(ValueError, match="inputs overflows float32"):
        simulate(MODEL, 1e300, dtype="float32", **RUN)
    # an iteration that overflows keeps its last finite iterate, not converged
    ss = steady_state(Shunting(3), 1.26e299, method="fixed_point", max_iter=50)
    assert np.isfinite(ss.u).all() and not ss.converged.any() and not np.isnan(ss.residual).any()
    # a huge target: the residual is reported without overflowing
    res = fit(MODEL, np.array([1.0, 0.8, 0.5]), np.array([1e299, -1e299, 6e299]))
    assert math.isfinite(res.residual) and res.residual > 1e298
