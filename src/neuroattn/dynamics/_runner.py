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
from ._base import Bound, Model
from ._diagnose import explain_failure
from ._inputs import InputFn
from ._integrate import LoopState, Ops, fast_euler_loop, fixed_loop
from ._limits import Budget, within
from ._noise import AdditiveNoise
from ._options import SaveAt, Status, StoppingRule
from ._params import expand_network
from ._solvers import Solver
from ._stability import check_decay, check_final
from .checks import to_numpy
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
    model: Model
    budget: Budget


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
        explain_failure(st, run.model, run.inp, str(getattr(u, "dtype", "")).removeprefix("torch."))
        if st.status == Status.SUCCESS:
            meter.update(1.0)
    finally:
        meter.close()
    return u, st, meta, wall


def fixed_grid(t0: float, t1: float, dt: float | None, max_steps: int) -> tuple[int, float]:
    """Number of steps and the step h ≤ dt (default 0.01) that span [t0, t1] exactly.

    :class:`~._limits.LimitError` (a ValueError) when that is more than ``max_steps``: the
    count is checked as a float, before any integer or array is made of it.
    """
    dt = 0.01 if dt is None else float(dt)
    steps = (t1 - t0) / dt - 1e-9
    within(steps, max_steps, f"t_span of length {t1 - t0:.3g} in steps of dt = {dt:.3g}",
           "max_steps", "steps")  # fmt: skip
    n_steps = max(1, math.ceil(steps))
    return n_steps, (t1 - t0) / n_steps


def _unstable(st: LoopState, message: str) -> LoopState:
    """Mark a run whose step lies outside the method's stability region."""
    st.status = Status.UNSTABLE_STEP
    st.message = message
    return st


def _run_fixed(
    run: Run, u: Any, meter: ProgressMeter | None
) -> tuple[Any, LoopState, dict[str, Any]]:
    """The fixed-step run: the solver's in-place fast path when it offers one (and no
    stopping rule needs the derivative), else :func:`fixed_loop` with its step."""
    n_steps, h = fixed_grid(run.t0, run.t1, run.dt, run.max_steps)
    const = run.inp.value if run.inp.constant else None
    refused = check_decay(run.solver, h, run.model.decay_rates(const))
    if refused is not None:  # the run could only amplify errors: keep the initial state
        st = LoopState(ts=[run.t0], us=[run.ops.copy(u)])
        return u, _unstable(st, refused), {"dt": h, "fast_path": False}
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
        return u, _check_end(run, st, u, h), {"dt": h, "fast_path": True}
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
    return u, _check_end(run, st, u, h), {"dt": h, "fast_path": False}


def _check_end(run: Run, st: LoopState, u: Any, h: float) -> LoopState:
    """After a successful numpy run, the step against the Jacobian at the final state
    (:func:`~._stability.check_final`: exact or bounded-cost, nothing per step)."""
    if st.status != Status.SUCCESS or run.torch_:
        return st
    inputs = to_numpy(run.inp.at(run.t1))
    message = check_final(run.solver, h, run.model, u, inputs, run.f, run.t1)
    return st if message is None else _unstable(st, message)


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
    if st.status == Status.MAX_STEPS and run.max_steps < run.budget.max_steps:
        st.message = (
            f"stopped after {st.steps} steps: max_work = {run.budget.max_work:.3g} allows no "
            "more for this batch; raise max_work= if this is intended"
        )
    return (
        u,
        st,
        {"rtol": getattr(run.solver, "rtol", None), "atol": getattr(run.solver, "atol", None)},
    )
