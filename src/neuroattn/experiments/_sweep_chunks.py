"""One chunk of a sweep, computed where the task runs (this process or a Dask worker).

A chunk is a range of flat grid indices (C order over the axes). Its result is a list of
:class:`Block` records — labelled arrays over consecutive points — that the caller writes
to a file and gathers (:mod:`._sweep_io`). For the source's equation the chunk is one
batched :func:`~neuroattn.dynamics.simulate` per group of points sharing their weights
and activation; for an experiment, one run per point.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..dynamics import Competition, SaveAt, SimulationError, sigmoid, simulate, uniform
from ._base import ExperimentResult
from ._registry import Experiment
from ._sweep_config import STRUCTURAL, NetworkSpec, SweepConfig

__all__ = ["Block", "chunk_points", "compute_chunk"]

FINDING_VARS = ("finding_model", "finding_agrees")


@dataclass(frozen=True)
class Block:
    """Labelled arrays over the grid points ``start … start + size − 1``.

    ``arrays[name]`` has shape ``(size, *extra)``; ``dims[name]`` names the extra axes and
    ``coords[dim]`` lists their coordinate values (plain scalars).
    """

    start: int
    size: int
    arrays: dict[str, np.ndarray]
    dims: dict[str, tuple[str, ...]]
    coords: dict[str, list[Any]]
    attrs: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)


def chunk_points(config: SweepConfig, k: int) -> tuple[int, dict[str, np.ndarray]]:
    """The first flat index of chunk ``k`` and each axis's value at its points."""
    start = k * config.chunk_size
    stop = min(start + config.chunk_size, config.n_points)
    index = np.unravel_index(np.arange(start, stop), config.shape)
    values = {
        name: np.asarray(axis, dtype=object)[i]
        for (name, axis), i in zip(config.grid.items(), index, strict=True)
    }
    return start, values


def compute_chunk(config: SweepConfig, k: int, experiment: Experiment | None = None) -> list[Block]:
    """Chunk ``k`` of the sweep: the network's batched runs, or the experiment's runs."""
    start, values = chunk_points(config, k)
    if config.target != "competition":
        exp = experiment if experiment is not None else config.experiment
        assert exp is not None
        return _experiment_blocks(config, exp, start, values)
    seeds = np.random.SeedSequence(config.seed, spawn_key=(k,))
    return [_network_block(config.network(), start, values, seeds, _method(config))]


def _method(config: SweepConfig) -> str:
    """The method of every chunk, decided on the whole grid (not per chunk)."""
    spec = config.network()
    if spec.method != "auto":
        return spec.method
    noisy = spec.noise > 0 or any(v > 0 for v in config.grid.get("noise", ()))
    return "euler_maruyama" if noisy else "rk4"


def _network_block(
    spec: NetworkSpec,
    start: int,
    values: dict[str, np.ndarray],
    seeds: np.random.SeedSequence,
    method: str,
) -> Block:
    """Every point of the chunk: final rates, winner, active units, selectivity, drift."""
    m = len(next(iter(values.values())))
    p = {
        name: np.asarray(values[name], dtype=np.float64)
        if name in values
        else np.full(m, float(getattr(spec, name)))
        for name in ("weight", "beta", "tau", "g", "contrast", "spread", "gain", "threshold",
                     "noise")
    }  # fmt: skip
    rates = np.full((m, spec.n), np.nan)
    drift = np.full(m, np.nan)
    failed = np.zeros(m, dtype=bool)
    groups = np.stack([p[name] for name in STRUCTURAL], axis=1)
    keys, which = np.unique(groups, axis=0, return_inverse=True)
    for g, stream in enumerate(seeds.spawn(len(keys))):
        idx = np.flatnonzero(which.reshape(-1) == g)
        sub = {name: v[idx] for name, v in p.items()}
        try:
            final, last = _simulate_group(spec, sub, np.random.default_rng(stream), method)
        except (SimulationError, ValueError, FloatingPointError):
            failed[idx] = True
            continue
        ok = np.isfinite(final).all(1)
        rates[idx] = np.where(ok[:, None], final, np.nan)
        drift[idx] = np.where(ok, last, np.nan)
        failed[idx] = ~ok
    return _network_record(spec, start, m, rates, drift, failed)


def _simulate_group(
    spec: NetworkSpec, p: dict[str, np.ndarray], rng: np.random.Generator, method: str
) -> tuple[np.ndarray, np.ndarray]:
    """One batched run of points sharing weight, gain and threshold: final rates
    ``(m, N)`` and drift ``(m,)``, the largest |Δu| over the last ``window``."""
    weight, gain, threshold = (float(p[name][0]) for name in STRUCTURAL)
    ramp = 1.0 - p["spread"][:, None] * np.arange(spec.n) / (spec.n - 1)  # (m, N)
    tau = p["tau"] if np.ptp(p["tau"]) > 0 else float(p["tau"][0])
    model = Competition(
        uniform(spec.n, weight),
        beta=p["beta"],
        tau=tau,
        g=p["g"][:, None],
        activation=sigmoid(gain, threshold),
    )
    noise = p["noise"] if method == "euler_maruyama" else 0.0
    traj = simulate(
        model,
        p["contrast"][:, None] * ramp,
        t_span=(0.0, spec.t_end),
        dt=spec.dt,
        method=method,
        noise=noise,
        seed=rng,
        saveat=SaveAt(ts=[spec.t_end - spec.window, spec.t_end]),
        throw=False,
    )
    if traj.status != "success":
        raise SimulationError(str(traj.stats.get("message", traj.status)))
    u = np.asarray(traj.u)
    return np.asarray(traj.final_rates), np.abs(u[-1] - u[0]).max(-1)


def _network_record(
    spec: NetworkSpec, start: int, m: int, rates: np.ndarray, drift: np.ndarray, failed: Any
) -> Block:
    ok = ~failed
    top2 = np.sort(np.where(ok[:, None], rates, 0.0), axis=1)[:, -2:]
    with np.errstate(divide="ignore", invalid="ignore"):
        sel = np.where(top2[:, 0] > 1e-12, top2[:, 1] / np.maximum(top2[:, 0], 1e-12), np.inf)
    arrays = {
        "rate": rates,
        "winner": np.where(ok, np.argmax(np.where(ok[:, None], rates, 0.0), axis=1), -1),
        "n_active": np.where(ok, (rates > spec.active).sum(1), -1),
        "selectivity": np.where(ok, sel, np.nan),
        "drift": drift,
        "failed": failed,
    }
    dims: dict[str, tuple[str, ...]] = {n: ("unit",) if n == "rate" else () for n in arrays}
    attrs = {
        "rate": {"long_name": "final rate f(u_i) at t_end"},
        "winner": {"long_name": "unit with the largest final rate (-1: failed run)"},
        "n_active": {"long_name": f"units with final rate > {spec.active:g} (-1: failed)"},
        "selectivity": {"long_name": "largest / second-largest final rate (inf: one active)"},
        "drift": {"long_name": f"max |u(t_end) - u(t_end - {spec.window:g})| (0: settled)"},
        "failed": {"long_name": "the run failed (non-finite or unstable step)"},
    }
    arrays["winner"] = arrays["winner"].astype(np.int32)
    arrays["n_active"] = arrays["n_active"].astype(np.int32)
    return Block(start, m, arrays, dims, {"unit": list(range(spec.n))}, attrs)


def _experiment_blocks(
    config: SweepConfig, exp: Experiment, start: int, values: dict[str, np.ndarray]
) -> list[Block]:
    """One run of the experiment per point: its findings, wall time and variables."""
    base = exp.config(**config.fixed)
    m = len(next(iter(values.values())))
    blocks = []
    for i in range(m):
        point = {name: v[i] for name, v in values.items()}
        try:
            cfg = dataclasses.replace(base, **point)
        except (ValueError, TypeError) as exc:
            where = ", ".join(f"{k}={v!r}" for k, v in point.items())
            raise type(exc)(f"grid point {where}: {exc}") from None
        began = time.perf_counter()
        result = exp.run(cfg)
        blocks.append(_result_block(start + i, result, time.perf_counter() - began))
    return blocks


def _result_block(index: int, result: ExperimentResult, seconds: float) -> Block:
    """One point's result: findings along ``measure``, its wall time, its own variables."""
    measures = [f.measure for f in result.findings]
    arrays: dict[str, np.ndarray] = {
        "seconds": np.array([seconds]),
        "finding_model": np.array([[f.model for f in result.findings]], dtype=np.float64),
        "finding_agrees": np.array([[bool(f.agrees) for f in result.findings]], dtype=bool),
    }
    dims: dict[str, tuple[str, ...]] = {name: ("measure",) for name in FINDING_VARS}
    dims["seconds"] = ()
    coords: dict[str, list[Any]] = {"measure": measures}
    attrs: dict[str, dict[str, Any]] = {
        "finding_model": {"long_name": "the model's value of each finding"},
        "finding_agrees": {"long_name": "the finding agrees with the published value"},
        "seconds": {"long_name": "wall time of the run", "units": "s"},
    }
    for name, var in result.variables.items():
        if name in arrays or not np.issubdtype(var.values.dtype, np.number):
            continue
        arrays[name] = np.asarray(var.values)[None]
        dims[name] = tuple(var.dims)
        attrs[name] = {k: v for k, v in var.attrs.items() if isinstance(v, (str, int, float))}
        for dim, n in zip(var.dims, var.values.shape, strict=True):
            given = result.coords.get(dim)
            axis = np.asarray(given).tolist() if given is not None else list(range(n))
            coords.setdefault(dim, axis if len(axis) == n else list(range(n)))
    return Block(index, 1, arrays, dims, coords, attrs)
