"""From a checked :func:`simulate` call to a loop: the run's plan, noise and fast path.

:class:`Run` holds everything :func:`simulate` resolved; :func:`run_loop` picks the loop the
solver asks for (the solver's in-place fast path, the fixed-step loop or the adaptive one),
gives it the save plan of the :class:`SaveAt`, and reports to the progress meter.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._adaptive import adaptive_loop
from ._base import Bound
from ._inputs import InputFn
from ._integrate import LoopState, Ops, fast_euler_loop, fixed_loop
from ._noise import AdditiveNoise
from ._options import SaveAt, Status, StoppingRule
from ._params import expand_network
from ._solvers import Solver
from .progress import NoProgress, ProgressMeter


@dataclass(frozen=True)
class Run:
    """Everything a loop needs, resolved and validated by :func:`simulate`."""

    solver: Solver
    f: Callable[[Any, Any], Any]
    t0: float
    t1: float
    dt: float | None
    saveat: SaveAt
    ops: Ops
    axes: tuple[int, ...]
    inp: InputFn
    system: Bound
    noise: Any
    seed: Any
    stop: StoppingRule | None
    max_steps: int
    torch_: bool


def run_loop(
    run: Run, u: Any, meter: ProgressMeter
) -> tuple[Any, LoopState, dict[str, Any], float]:
    """Run the loop the solver asks for, reporting to ``meter``; also the wall time."""
    meter.start("simulating", 1.0)
    try:
        start = time.perf_counter()
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            runner = _run_adaptive if run.solver.adaptive else _run_fixed
            # a meter that shows nothing costs the loops nothing
            u, st, meta = runner(run, u, None if type(meter) is NoProgress else meter)
        wall = time.perf_counter() - start
        if st.status == Status.SUCCESS:
            meter.update(1.0)
    finally:
        meter.close()
    return u, st, meta, wall


def fixed_grid(t0: float, t1: float, dt: float | None) -> tuple[int, float]:
    """Number of steps and the step h ≤ dt (default 0.01) that span [t0, t1] exactly.

    ValueError when the span needs more steps than an int64 can count (a run that could
    never end).
    """
    dt = 0.01 if dt is None else float(dt)
    n_steps = max(1, math.ceil((t1 - t0) / dt - 1e-9))
    if n_steps >= 2**62:
        raise ValueError(f"t_span {t1 - t0:g} long in steps of dt = {dt:g} is too many steps")
    return n_steps, (t1 - t0) / n_steps


def _run_fixed(
    run: Run, u: Any, meter: ProgressMeter | None
) -> tuple[Any, LoopState, dict[str, Any]]:
    """The fixed-step run: the solver's in-place fast path when it offers one (and no
    stopping rule needs the derivative), else :func:`fixed_loop` with its step."""
    n_steps, h = fixed_grid(run.t0, run.t1, run.dt)
    save_steps = run.saveat.fixed_steps(run.t0, run.t1, n_steps, h)
    solver = run.solver
    if run.noise is not None:
        scale = expand_network(run.noise, len(run.axes)) / run.system.tau  # σ/τ
        solver = solver.with_noise(AdditiveNoise(scale, run.seed, run.torch_))
    fast = solver.in_place(run.system, run.inp, h) if run.stop is None else None
    if fast is not None:
        u, st = fast_euler_loop(
            fast=fast,
            u=np.array(u, copy=True),
            t0=run.t0,
            n_steps=n_steps,
            dt=h,
            save_steps=save_steps,
            progress=meter,
        )
        return u, st, {"dt": h, "fast_path": True}
    u, st = fixed_loop(
        method=solver,
        f=run.f,
        u=u,
        t0=run.t0,
        n_steps=n_steps,
        dt=h,
        save_steps=save_steps,
        ops=run.ops,
        state_axes=run.axes,
        stop=run.stop,
        progress=meter,
    )
    return u, st, {"dt": h, "fast_path": False}


def _run_adaptive(
    run: Run, u: Any, meter: ProgressMeter | None
) -> tuple[Any, LoopState, dict[str, Any]]:
    """The adaptive run: :func:`adaptive_loop` landing on every time of the save plan."""
    save_times, save_mask = run.saveat.adaptive_times(run.t0, run.t1)
    u, st = adaptive_loop(
        method=run.solver,
        f=run.f,
        u=u,
        save_times=save_times,
        save_mask=save_mask,
        dt0=run.dt,
        ops=run.ops,
        state_axes=run.axes,
        shared_time=not run.inp.constant,
        stop=run.stop,
        max_steps=run.max_steps,
        progress=meter,
    )
    return (
        u,
        st,
        {"rtol": getattr(run.solver, "rtol", None), "atol": getattr(run.solver, "atol", None)},
    )
