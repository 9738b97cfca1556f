"""What a sweep runs: a grid of axes over the source's equation or an experiment's config.

:class:`SweepConfig` is the checked, immutable description (its hash keys the resumable
output folder); :class:`NetworkSpec` the source's competition equation as a sweep runs it;
:func:`load_sweep_config` reads the TOML file of ``neuroattn sweep`` into a SweepConfig and
:data:`EXAMPLE` is its commented example. Nothing here is from a paper: the equation is the
source's (section 4), the defaults of the network are ours (stated per field).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np

from ..dynamics.checks import check_choice, check_fields, check_integer, check_number
from ._registry import Experiment, available, get

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = [
    "EXAMPLE",
    "MAX_AXIS",
    "MAX_POINTS",
    "NETWORK",
    "NetworkSpec",
    "SweepConfig",
    "load_sweep_config",
]

NETWORK = "competition"
"""The target name of the source's equation (any other target is an experiment's name)."""
MAX_POINTS = 10_000_000
"""Most grid points of one sweep."""
MAX_AXIS = 100_000
"""Most values on one axis."""
METHODS = ("auto", "euler", "heun", "rk4", "euler_maruyama")
"""Fixed-step methods only: a network's result never depends on its chunk-mates (without
noise), as it would with a step size adapted to the whole batch."""
STRUCTURAL = ("weight", "gain", "threshold")
"""Network fields that change the shared weight matrix or activation: the points of a chunk
are grouped by them, one batched simulation per group."""

_BOUNDS: dict[str, dict[str, float]] = {
    "weight": {}, "beta": {"ge": 0.0}, "tau": {"gt": 0.0}, "g": {}, "contrast": {},
    "spread": {}, "gain": {"gt": 0.0}, "threshold": {}, "noise": {"ge": 0.0},
    "t_end": {"gt": 0.0}, "dt": {"gt": 0.0}, "window": {"gt": 0.0}, "active": {},
}  # fmt: skip
SWEEPABLE = ("weight", "beta", "tau", "g", "contrast", "spread", "gain", "threshold", "noise")


@dataclass(frozen=True)
class NetworkSpec:
    r"""The source's competition equation as a sweep runs it, one network per grid point.

    .. math::

        τ \frac{du_i}{dt} = -u_i + \sum_{j \ne i} w f(u_j) - β \sum_j w f(u_i) + g I_i
                            \; (+ σ ξ_i), \qquad I_i = c \, (1 - s \, i / (N - 1))

    with uniform weights w, a sigmoid f(u) = 1 / (1 + exp(−k (u − θ))) and a ramp of inputs
    (unit 0 the strongest) of contrast c and spread s, from u = 0 to ``t_end``
    (:class:`neuroattn.dynamics.Competition`, :func:`neuroattn.dynamics.simulate`). The
    equation is the source's (section 4); the input ramp and every default are ours.
    Fields named in :data:`SWEEPABLE` can be grid axes; the others are fixed.
    """

    n: int = 16  # units N (issue 10's S1 benchmark: N = 16)
    weight: float = -0.25  # uniform w (< 0: cross-inhibition; β then self-excites) — ours
    beta: float = 1.0  # inhibition factor β ≥ 0 (source §4); 1 — ours
    tau: float = 1.0  # τ (model time unit)
    g: float = 1.0  # top-down gain on every input
    contrast: float = 1.0  # c, scale of the input ramp — ours
    spread: float = 0.2  # s: the weakest input is (1 − s)·c — ours
    gain: float = 4.0  # sigmoid slope k — ours
    threshold: float = 0.5  # sigmoid midpoint θ — ours
    noise: float = 0.0  # σ of additive white noise
    t_end: float = 40.0  # end of the run, in τ — ours (the defaults settle by ~20)
    dt: float = 0.05  # fixed step — ours (RK4 error < 1e-6 here)
    method: str = "auto"  # auto: rk4 without noise, euler_maruyama with noise
    window: float = 5.0  # drift = max |Δu| over the last window of the run — ours
    active: float = 0.5  # a unit is active when its final rate exceeds this — ours

    def __post_init__(self) -> None:
        object.__setattr__(self, "n", check_integer(self.n, "n", ge=2, le=4096))
        check_fields(self, _BOUNDS.items())
        check_choice(self.method, "method", METHODS)
        if self.window < self.dt or self.window > self.t_end:
            raise ValueError(
                f"window must be between dt and t_end ({self.dt:g}, {self.t_end:g}), "
                f"got {self.window:g}"
            )
        if self.t_end / self.dt > 1_000_000:
            raise ValueError(f"t_end / dt must be at most 10⁶ steps, got {self.t_end / self.dt:g}")


@dataclass(frozen=True)
class SweepConfig:
    """A checked grid: its axes, what runs at each point, and how the points are chunked.

    Parameters
    ----------
    grid : mapping of str to sequence
        One axis per field, in order (the dataset's dims): numbers for the network, or
        scalars (numbers, booleans, strings) of an experiment's config field.
    target : str
        ``"competition"`` (:data:`NETWORK`): the source's equation, one batched simulation
        per chunk; or the name of a registered experiment, run once per point.
    fixed : mapping
        Fields held constant: :class:`NetworkSpec` fields, or the experiment's config fields.
    chunk_size : int
        Grid points per chunk: one task on a cluster, one resumable file.
    seed : int
        Root of the noise: chunk k draws from ``SeedSequence(seed, spawn_key=(k,))``, so the
        result is the same wherever and in whatever order the chunks run.

    Raises
    ------
    ValueError, TypeError
        One line naming the field (``grid.beta must be …, got …``).
    """

    grid: Mapping[str, Sequence[Any]]
    target: str = NETWORK
    fixed: Mapping[str, Any] = field(default_factory=dict)
    chunk_size: int = 1000
    seed: int = 0

    def __post_init__(self) -> None:
        names = [NETWORK, *available()]
        if not isinstance(self.target, str) or self.target not in names:
            raise ValueError(f"target must be one of {', '.join(names)}; got {self.target!r}")
        check_integer(self.chunk_size, "chunk_size", ge=1, le=MAX_POINTS)
        check_integer(self.seed, "seed", ge=0)
        if not isinstance(self.fixed, Mapping) or not all(isinstance(k, str) for k in self.fixed):
            raise TypeError(f"fixed must be a mapping of field names, got {self.fixed!r}")
        object.__setattr__(self, "fixed", MappingProxyType(_frozen(dict(self.fixed))))
        object.__setattr__(self, "grid", MappingProxyType(_axes(self.grid)))
        if self.n_points > MAX_POINTS:
            raise ValueError(f"grid must have at most {MAX_POINTS} points, got {self.n_points}")
        self._check_fields()

    @property
    def shape(self) -> tuple[int, ...]:
        """Values per axis."""
        return tuple(len(v) for v in self.grid.values())

    @property
    def n_points(self) -> int:
        return math.prod(self.shape)

    @property
    def n_chunks(self) -> int:
        return -(-self.n_points // self.chunk_size)

    @property
    def experiment(self) -> Experiment | None:
        """The registered experiment swept, or None for the network."""
        return None if self.target == NETWORK else get(self.target)

    def network(self) -> NetworkSpec:
        """The network's fixed fields (the target must be :data:`NETWORK`)."""
        return NetworkSpec(**self.fixed)

    def base_config(self) -> Any:
        """The experiment's config with the fixed fields (the target must be one)."""
        exp = get(self.target)
        return exp.config(**self.fixed)

    def as_dict(self) -> dict[str, Any]:
        """Everything that decides the result, JSON-friendly (axes as ``[name, values]``)."""
        return {
            "target": self.target,
            "grid": [[k, list(v)] for k, v in self.grid.items()],
            "fixed": {k: _jsonable(v) for k, v in sorted(self.fixed.items())},
            "chunk_size": self.chunk_size,
            "seed": self.seed,
        }

    def digest(self) -> str:
        """SHA-256 of :meth:`as_dict`: the key of a resumable output folder."""
        text = json.dumps({"version": 1, **self.as_dict()}, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()

    def _check_fields(self) -> None:
        if self.target == NETWORK:
            _known(self.fixed, [f.name for f in dataclasses.fields(NetworkSpec)], "fixed")
            _known(self.grid, SWEEPABLE, "grid")
            base = _build(lambda **kw: NetworkSpec(**kw), dict(self.fixed), "fixed")
            noisy = base.noise > 0 or any(v > 0 for v in self.grid.get("noise", ()))
            if noisy and base.method in ("heun", "rk4"):
                raise ValueError(
                    f"fixed.method {base.method!r} cannot integrate noise; use 'auto', "
                    "'euler' or 'euler_maruyama'"
                )
            make: Any = lambda **kw: NetworkSpec(**kw)  # noqa: E731
        else:
            exp = get(self.target)
            _known(self.fixed, [f.name for f in dataclasses.fields(exp.config)], "fixed")
            _known(self.grid, [f.name for f in dataclasses.fields(exp.config)], "grid")
            _build(exp.config, dict(self.fixed), "fixed")
            make = exp.config
        for name, values in self.grid.items():
            for value in values:  # each value alone, over the fixed fields
                _build(make, {**self.fixed, name: value}, f"grid.{name}")


def _build(make: Any, fields: dict[str, Any], where: str) -> Any:
    """``make(**fields)``; its ValueError/TypeError names the field as ``where.field``
    (``grid.beta must be …``) or, when it names none, is prefixed by ``where``."""
    try:
        return make(**fields)
    except (ValueError, TypeError) as exc:
        text = str(exc)
        head = text.split(" ", 1)[0]
        if head in fields:
            raise type(exc)(f"{where.split('.')[0]}.{text}") from None
        raise type(exc)(f"{where}: {text}") from None


def _known(keys: Mapping[str, Any], allowed: Any, where: str) -> None:
    extra = sorted(set(keys) - set(allowed))
    if extra:
        raise ValueError(
            f"{where}.{extra[0]}: unknown field; choose among {', '.join(sorted(allowed))}"
        )


def _axes(grid: Any) -> dict[str, tuple[Any, ...]]:
    """The axes as tuples of plain scalars, each non-empty, without repeats."""
    if not isinstance(grid, Mapping) or not grid:
        raise ValueError(f"grid must be a non-empty mapping of axes, got {grid!r}")
    out = {}
    for name, values in grid.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"grid axis names must be identifiers, got {name!r}")
        if isinstance(values, (str, bytes, Mapping)) or not hasattr(values, "__iter__"):
            raise TypeError(f"grid.{name} must be a list of values, got {values!r}")
        axis = tuple(_scalar(v, f"grid.{name}") for v in values)
        if not 1 <= len(axis) <= MAX_AXIS:
            raise ValueError(f"grid.{name} must have 1 to {MAX_AXIS} values, got {len(axis)}")
        if len(set(axis)) != len(axis):
            raise ValueError(f"grid.{name} must not repeat a value, got {list(axis)}")
        out[name] = axis
    return out


def _scalar(value: Any, where: str) -> Any:
    """A grid value as a plain Python scalar (a number, a bool or a string)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{where} must be finite values, got {value!r}")
    if isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"{where} must be numbers, booleans or strings, got {value!r}")


def _frozen(value: Any) -> Any:
    """Lists (TOML arrays) as tuples, recursively, so that configs stay hashable."""
    if isinstance(value, dict):
        return {k: _frozen(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(v) for v in value)
    return value


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


EXAMPLE = """\
# neuroattn sweep — a parameter grid (TOML). Run:  neuroattn sweep this.toml -o sweep-out/
# Add --workers 2 (a local Dask cluster) or --scheduler tcp://host:8786 to spread the chunks.
# An interrupted sweep run again with the same file and folder resumes from its chunks.

[sweep]
target = "competition"      # the source's equation; or an experiment (neuroattn experiment --list)
chunk_size = 500            # grid points per chunk (one Dask task, one resumable file)
seed = 0                    # root of the noise (chunk k: SeedSequence(seed, spawn_key=(k,)))

[fixed]                     # fields held constant (an experiment: its config fields)
n = 16                      # units N
weight = -0.25              # uniform weight w (< 0: cross-inhibition)
t_end = 40.0                # run from u = 0 to t_end (units of τ)
dt = 0.05                   # fixed step
# gain = 4.0  threshold = 0.5  tau = 1.0  g = 1.0  spread = 0.2  window = 5.0  active = 0.5
# method = "auto"           # auto | euler | heun | rk4 | euler_maruyama

[grid]                      # one axis per field: a list, or {start, stop, num[, log = true]}
beta = { start = 0.0, stop = 3.0, num = 31 }
contrast = { start = 0.1, stop = 2.0, num = 20 }
noise = [0.0, 0.05, 0.1]
"""


def _axis_values(v: Any, where: str) -> list[Any]:
    """A TOML axis: a list, or ``{start, stop, num}`` (``log = true``: geometric)."""
    if not isinstance(v, dict):
        if not isinstance(v, list):
            raise ValueError(f"{where} must be a list or {{start, stop, num}}, got {v!r}")
        return v
    _known(v, ("start", "stop", "num", "log"), where)
    for key in ("start", "stop", "num"):
        if key not in v:
            raise ValueError(f"{where}.{key}: missing")
    num = check_integer(v["num"], f"{where}.num", ge=1, le=MAX_AXIS)
    log = v.get("log", False)
    if not isinstance(log, bool):
        raise ValueError(f"{where}.log must be true or false, got {log!r}")
    gt = 0.0 if log else None
    start = check_number(v["start"], f"{where}.start", gt=gt)
    stop = check_number(v["stop"], f"{where}.stop", gt=gt)
    values = np.geomspace(start, stop, num) if log else np.linspace(start, stop, num)
    return [float(x) for x in values]


def parse_sweep_config(data: Mapping[str, Any]) -> SweepConfig:
    """A parsed TOML document (tables ``[sweep]``, ``[fixed]``, ``[grid]``) as a SweepConfig."""
    _known(data, ("sweep", "fixed", "grid"), "config")
    tables = {}
    for key in ("sweep", "fixed", "grid"):
        value = data.get(key, {})
        if not isinstance(value, dict):
            raise ValueError(f"{key}: must be a table ([{key}]), got {value!r}")
        tables[key] = value
    if not tables["grid"]:
        raise ValueError("grid: missing; give at least one axis in [grid]")
    _known(tables["sweep"], ("target", "chunk_size", "seed"), "sweep")
    grid = {k: _axis_values(v, f"grid.{k}") for k, v in tables["grid"].items()}
    options = {k: v for k, v in tables["sweep"].items()}
    try:
        return SweepConfig(grid=grid, fixed=tables["fixed"], **options)
    except (ValueError, TypeError) as exc:
        text = str(exc)
        if text.startswith(("target", "chunk_size", "seed")):
            raise type(exc)(f"sweep.{text}") from None
        raise


def load_sweep_config(path: str | os.PathLike[str]) -> SweepConfig:
    """Read and check a ``neuroattn sweep`` TOML file; a ValueError naming the field."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: cannot read: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: not valid TOML: {exc}") from None
    return parse_sweep_config(data)
