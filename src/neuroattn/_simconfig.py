"""TOML configuration of ``neuroattn simulate``, checked once into typed dataclasses.

Every error names the offending field (``model.beta must be a finite number >= 0, got -1``)
so that the command line can print one line and exit with code 2; the words are those of
:mod:`neuroattn.dynamics.checks`, as in the library.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from . import dynamics as dyn
from .dynamics.checks import check_integer, check_number

EXAMPLE = """\
# neuroattn simulate — example configuration (TOML).
# Run:  neuroattn simulate this.toml -o results/

[model]
type = "competition"        # competition | lateral_inhibition | shunting | neural_field
n = 6                       # number of neurons (neural_field: n or [height, width])
beta = 0.2                  # inhibition factor β ≥ 0 (competition, lateral_inhibition)
tau = 1.0                   # time constant τ > 0
activation = "relu"         # sigmoid | relu | tanh | linear
# activation_gain = 4.0     # sigmoid slope (sigmoid only)
# activation_threshold = 0.5  # sigmoid midpoint (sigmoid only)
# alpha = 0.5               # self-excitation (lateral_inhibition)
# A = 1.0  B = 1.0          # decay and ceiling (shunting)
# a_exc, sigma_exc, a_inh, sigma_inh, h, dx, boundary  (neural_field)

[model.connectivity]        # competition only: W[i, j] from neuron j onto neuron i
kind = "uniform"            # uniform | random | ring | mexican_hat | file
weight = -0.4               # uniform, ring: weight (negative: cross-inhibition)
# seed = 0                  # random
# width = 2.0               # ring
# path = "W.npy"            # file: a square .npy or .csv matrix

[inputs]
values = [1.0, 0.9, 0.7, 0.5, 0.3, 0.1]   # external input I_i, one per neuron (or one number)
g = 1.0                     # top-down gain g_i on the input (number or one per neuron)

[time]
t_end = 40.0                # simulate from t = 0 to t_end (units of τ)
dt = 0.01                   # step size (fixed-step methods)
method = "rk4"              # euler | heun | rk4 | dopri5 | euler_maruyama
save_every = 0.1            # interval between saved states
noise = 0.0                 # σ of additive noise (needs euler or euler_maruyama)
seed = 0                    # seed of the noise

# Optional: a grid over one or two parameters (beta, tau, alpha, A, B, h, noise,
# input_scale), each a list or {start, stop, num}. Writes heat maps of the winner and
# of the selectivity (top rate / second rate).
[sweep]
beta = { start = 0.0, stop = 0.3, num = 31 }
input_scale = { start = 0.2, stop = 2.0, num = 19 }

# Optional: bounds on one run, checked before it starts (a mistyped n, dt or t_end is
# refused in one line instead of running for hours or filling the memory). The defaults:
# [limits]
# max_units = 4096          # neurons (neural_field: height × width); a competition
#                           # network's dense W allows at most 16384
# max_steps = 1000000       # solver steps (t_end / dt)
# max_work = 1e10           # steps × stages × sweep points × cost per network (≈ n²)
# max_memory = 2147483648   # bytes of saved states and working arrays (2 GiB)
"""

_MODEL_TYPES = ("competition", "lateral_inhibition", "shunting", "neural_field")
_MODEL_KEYS = {
    "competition": {"beta", "tau", "activation", "activation_gain", "activation_threshold",
                    "n", "connectivity"},
    "lateral_inhibition": {"alpha", "beta", "tau", "activation", "activation_gain",
                           "activation_threshold", "n"},
    "shunting": {"A", "B", "tau", "n"},
    "neural_field": {"a_exc", "sigma_exc", "a_inh", "sigma_inh", "h", "tau", "activation",
                     "activation_gain", "activation_threshold", "n", "dx", "boundary"},
}  # fmt: skip


class ConfigError(ValueError):
    """A configuration field is missing or wrong; the message names the field."""


@dataclass(frozen=True)
class LimitsConfig:
    """``[limits]``: bounds on one run, smaller than the library's (a command should answer
    in seconds to minutes); each can be raised in the config."""

    max_units: int = 4096  # neurons, or height × width of a field
    max_steps: int = 1_000_000  # solver steps
    max_work: float = 1e10  # operations (simulate's estimate)
    max_memory: float = 2.0**31  # bytes of saved states and working arrays


def _limits(sec: dict[str, Any]) -> LimitsConfig:
    """The ``[limits]`` table: positive integers (units, steps) and numbers (work, bytes)."""
    _check_keys(sec, set(LimitsConfig.__dataclass_fields__), "limits")
    d = LimitsConfig()
    ints = [_int(sec, k, "limits", getattr(d, k)) or 0 for k in ("max_units", "max_steps")]
    for k, v in zip(("max_units", "max_steps"), ints, strict=True):
        if v < 1:
            raise ConfigError(f"limits.{k} must be a positive integer, got {v}")
    work, memory = (_num(sec, k, "limits", getattr(d, k), positive=True)
                    for k in ("max_work", "max_memory"))  # fmt: skip
    return LimitsConfig(max_units=ints[0], max_steps=ints[1], max_work=work, max_memory=memory)


def _check_size(n: int, limits: LimitsConfig) -> None:
    """ConfigError when the network has more units than ``[limits] max_units``."""
    if n > limits.max_units:
        raise ConfigError(
            f"model.n: {n} units is more than [limits] max_units = {limits.max_units}; "
            "raise it in the config ([limits] max_units = …) if this is intended"
        )


@dataclass(frozen=True)
class TimeConfig:
    t_end: float = 40.0  # end time (units of τ)
    dt: float = 0.01  # step size
    method: str = "rk4"  # integration method
    save_every: float | None = None  # interval between saved states
    noise: float = 0.0  # σ of the additive noise
    seed: int | None = 0  # seed of the noise


@dataclass(frozen=True)
class SimConfig:
    """A checked configuration: the model, its inputs, time settings and an optional sweep."""

    model: dyn.Model
    inputs: np.ndarray
    time: TimeConfig
    sweep: dict[str, np.ndarray] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)
    limits: LimitsConfig = field(default_factory=LimitsConfig)


def _num(
    sec: dict[str, Any],
    key: str,
    where: str,
    default: Any = None,
    *,
    positive: bool = False,
    nonneg: bool = False,
) -> Any:
    """``sec[key]`` as a finite float (``> 0`` or ``>= 0`` if asked); ``default`` if absent."""
    if key not in sec:
        if default is None:
            raise ConfigError(f"{where}.{key}: missing")
        return default
    try:
        return check_number(
            sec[key], f"{where}.{key}", gt=0.0 if positive else None, ge=0.0 if nonneg else None
        )
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def _int(sec: dict[str, Any], key: str, where: str, default: int | None) -> int | None:
    """``sec[key]`` as an integer (``true`` is not one); ``default`` if absent."""
    if key not in sec:
        return default
    try:
        return check_integer(sec[key], f"{where}.{key}")
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def _table(data: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    """The sub-table ``data[key]`` (empty if absent); a value that is not a table is an error."""
    value = data.get(key, {})
    if not isinstance(value, dict):
        name = f"{where}.{key}" if where else key
        raise ConfigError(f"{name}: must be a table ([{name}]), got {value!r}")
    return value


def _vector(v: Any, where: str, n: int | None) -> np.ndarray:
    """A number or a flat list of numbers; a list must have ``n`` values (any if None)."""
    arr = np.asarray(v, dtype=object)
    if arr.ndim > 1 or not all(
        isinstance(x, (int, float)) and not isinstance(x, bool) for x in np.atleast_1d(arr)
    ):
        raise ConfigError(f"{where}: must be a number or a list of numbers")
    out = np.asarray(v, dtype=np.float64)
    if not np.all(np.isfinite(out)):
        raise ConfigError(f"{where}: contains NaN or inf")
    if n is not None and out.ndim == 1 and out.size != n:
        raise ConfigError(f"{where}: has {out.size} values but the model has {n} neurons")
    return out


def _check_keys(sec: dict[str, Any], allowed: set[str], where: str) -> None:
    extra = sorted(set(sec) - allowed)
    if extra:
        raise ConfigError(
            f"{where}.{extra[0]}: unknown field (allowed: {', '.join(sorted(allowed))})"
        )


def _activation(sec: dict[str, Any], where: str) -> Any:
    name = sec.get("activation", "sigmoid")
    if name not in dyn.available_activations():
        raise ConfigError(
            f"{where}.activation: unknown {name!r}; choose one of "
            + ", ".join(dyn.available_activations())
        )
    if name == "sigmoid":
        return dyn.sigmoid(
            gain=_num(sec, "activation_gain", where, 1.0, positive=True),
            threshold=_num(sec, "activation_threshold", where, 0.0),
        )
    for k in ("activation_gain", "activation_threshold"):
        if k in sec:
            raise ConfigError(f"{where}.{k}: only the sigmoid activation takes it")
    return name


def _connectivity(sec: dict[str, Any], n: int, base: Path) -> np.ndarray:
    where = "model.connectivity"
    kind = sec.get("kind", "uniform")
    keys = {
        "uniform": {"weight"},
        "random": {"mean", "std", "seed"},
        "ring": {"weight", "width"},
        "mexican_hat": {"a_exc", "sigma_exc", "a_inh", "sigma_inh"},
        "file": {"path"},
    }
    if kind not in keys:
        raise ConfigError(f"{where}.kind: unknown {kind!r}; choose one of {', '.join(keys)}")
    _check_keys(sec, keys[kind] | {"kind"}, where)
    params = {k: _num(sec, k, where) for k in keys[kind] - {"path", "seed"} if k in sec}
    if kind == "uniform":
        return dyn.uniform(n, params.get("weight", 1.0 / n))
    if kind == "random":
        return dyn.random_weights(n, seed=_int(sec, "seed", where, 0), **params)
    if kind == "ring":
        return dyn.ring(n, **params)
    if kind == "mexican_hat":
        return dyn.mexican_hat(n, **params)
    if "path" not in sec:
        raise ConfigError(f"{where}.path: missing")
    path = base / str(sec["path"])
    try:
        W = np.load(path) if path.suffix == ".npy" else np.loadtxt(path, delimiter=",")
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{where}.path: cannot read {path}: {exc}") from None
    if W.shape != (n, n):
        raise ConfigError(f"{where}.path: W has shape {W.shape}, expected ({n}, {n})")
    return W


def _shape(sec: dict[str, Any], kind: str, limits: LimitsConfig) -> Any:
    """``model.n``: a positive integer (a field: or ``[height, width]``) within the limits."""
    if "n" not in sec:
        raise ConfigError("model.n: missing")
    n_raw = sec["n"]

    def positive(x: Any) -> bool:
        return isinstance(x, int) and not isinstance(x, bool) and x > 0

    if kind == "neural_field" and isinstance(n_raw, list):
        if len(n_raw) not in (1, 2) or not all(positive(x) for x in n_raw):
            raise ConfigError("model.n: must be a positive integer or [height, width]")
        _check_size(int(np.prod(n_raw)), limits)
        return tuple(n_raw)
    if not positive(n_raw):
        raise ConfigError(f"model.n: must be a positive integer, got {n_raw!r}")
    _check_size(n_raw, limits)
    return n_raw


def _model(sec: dict[str, Any], base: Path, limits: LimitsConfig) -> dyn.Model:
    where = "model"
    kind = sec.get("type")
    if kind not in _MODEL_TYPES:
        raise ConfigError(f"model.type: must be one of {', '.join(_MODEL_TYPES)}, got {kind!r}")
    _check_keys(sec, _MODEL_KEYS[kind] | {"type"}, where)
    shape = _shape(sec, kind, limits)
    tau = _num(sec, "tau", where, 1.0, positive=True)
    if kind == "competition":
        W = _connectivity(_table(sec, "connectivity", "model"), shape, base)
        return dyn.Competition(W, beta=_num(sec, "beta", where, 1.0, nonneg=True), tau=tau,
                               activation=_activation(sec, where))  # fmt: skip
    if kind == "lateral_inhibition":
        return dyn.LateralInhibition(
            shape, alpha=_num(sec, "alpha", where, 0.5), tau=tau,
            beta=_num(sec, "beta", where, 1.0, nonneg=True), activation=_activation(sec, where),
        )  # fmt: skip
    if kind == "shunting":
        return dyn.Shunting(shape, A=_num(sec, "A", where, 1.0, nonneg=True),
                            B=_num(sec, "B", where, 1.0, positive=True), tau=tau)  # fmt: skip
    kw: dict[str, Any] = {k: _num(sec, k, where) for k in ("a_exc", "a_inh", "h") if k in sec}
    kw |= {k: _num(sec, k, where, positive=True) for k in ("sigma_exc", "sigma_inh", "dx")
           if k in sec}  # fmt: skip
    boundary = sec.get("boundary", "periodic")
    if boundary not in ("periodic", "zero"):
        raise ConfigError(f"model.boundary: must be periodic or zero, got {boundary!r}")
    return dyn.NeuralField(shape, tau=tau, activation=_activation(sec, where),
                           boundary=boundary, **kw)  # fmt: skip


def _grid(v: Any, where: str) -> np.ndarray:
    if isinstance(v, dict):
        _check_keys(v, {"start", "stop", "num"}, where)
        num = v.get("num")
        if not isinstance(num, int) or num < 1 or num > 1000:
            raise ConfigError(f"{where}.num: must be an integer in 1..1000")
        return np.linspace(_num(v, "start", where), _num(v, "stop", where), num)
    grid = _vector(v, where, None) if isinstance(v, list) and v else None
    if grid is None or grid.ndim != 1:
        raise ConfigError(f"{where}: must be a non-empty list or {{start, stop, num}}")
    return grid


def parse_config(data: dict[str, Any], base: Path = Path(".")) -> SimConfig:
    """Check a parsed TOML document and build the model, inputs and settings."""
    _check_keys(data, {"model", "inputs", "time", "sweep", "limits"}, "config")
    if "model" not in data:
        raise ConfigError("model: missing section [model]")
    limits = _limits(_table(data, "limits", ""))
    model = _model(_table(data, "model", ""), base, limits)
    inp = _table(data, "inputs", "")
    _check_keys(inp, {"values", "g"}, "inputs")
    if "values" not in inp:
        raise ConfigError("inputs.values: missing")
    state = model.state_shape
    inputs = _vector(inp["values"], "inputs.values", int(np.prod(state))).reshape(
        state if np.ndim(inp["values"]) else ()
    )
    if "g" in inp:
        model = model.replace(g=_vector(inp["g"], "inputs.g", int(np.prod(state))).reshape(
            state if np.ndim(inp["g"]) else ()))  # fmt: skip
    tsec = _table(data, "time", "")
    _check_keys(tsec, set(TimeConfig.__dataclass_fields__), "time")
    method = tsec.get("method", "rk4")
    if method not in dyn.available_methods():
        raise ConfigError(
            f"time.method: unknown {method!r}; choose one of {', '.join(dyn.available_methods())}"
        )
    seed = _int(tsec, "seed", "time", 0)
    time = TimeConfig(
        t_end=_num(tsec, "t_end", "time", 40.0, positive=True),
        dt=_num(tsec, "dt", "time", 0.01, positive=True),
        method=method,
        save_every=_num(tsec, "save_every", "time", positive=True) if "save_every" in tsec
        else None,
        noise=_num(tsec, "noise", "time", 0.0, nonneg=True),
        seed=seed,
    )  # fmt: skip
    sweep_sec = _table(data, "sweep", "")
    if len(sweep_sec) > 2:
        raise ConfigError("sweep: at most two parameters")
    sweep = {}
    for name, v in sweep_sec.items():
        allowed = set(model.network_params) | {"noise", "input_scale"}
        if name not in allowed:
            raise ConfigError(
                f"sweep.{name}: cannot sweep it; choose among {', '.join(sorted(allowed))}"
            )
        sweep[name] = _grid(v, f"sweep.{name}")
    return SimConfig(model=model, inputs=inputs, time=time, sweep=sweep, raw=data, limits=limits)


def load_config(path: str | Path) -> SimConfig:
    """Read and check a TOML configuration file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    try:
        return parse_config(data, path.parent)
    except ConfigError:
        raise
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{path}: {exc}") from None
