"""The integration loops behind :func:`simulate`: fixed-step and adaptive (per member)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._backend import Array
from ._base import FastEuler
from ._options import Status, StoppingRule
from ._solvers import Solver
from .checks import to_numpy
from .progress import ProgressMeter


class SimulationError(ValueError):
    """The integration failed (non-finite state, step size collapse, step limit)."""


@dataclass
class LoopState:
    """Mutable bookkeeping shared by the loops; turned into ``Trajectory.stats``."""

    steps: int = 0
    rejected: int = 0
    rhs_evals: int = 0
    status: Status = Status.SUCCESS
    message: str = ""
    ts: list[float] = field(default_factory=list)
    us: list[Array] = field(default_factory=list)
    t_settle: Any = None


@dataclass(frozen=True)
class Ops:
    """The handful of array operations whose numpy and torch spellings differ."""

    torch_: bool

    def where(self, c: Any, a: Any, b: Any) -> Any:
        if self.torch_:
            import torch

            return torch.where(c, a, b)
        return np.where(c, a, b)

    def amax(self, x: Any, axes: tuple[int, ...]) -> Any:
        if not axes:
            return abs(x)
        return (
            x.abs().amax(dim=axes, keepdim=True)
            if self.torch_
            else np.abs(x).max(axis=axes, keepdims=True)
        )

    def rms(self, x: Any, axes: tuple[int, ...]) -> Any:
        if self.torch_:
            return (x * x).mean(dim=axes, keepdim=True).sqrt()
        return np.sqrt((x * x).mean(axis=axes, keepdims=True))

    def cast(self, x: Any, like: Any) -> Any:
        """``x`` in the dtype of ``like`` (a float ``like`` means float64)."""
        if isinstance(like, float):
            return x.double() if self.torch_ else np.asarray(x, dtype=np.float64)
        return x.to(like.dtype) if self.torch_ else np.asarray(x, dtype=like.dtype)

    def finite(self, x: Any) -> bool:
        return bool(x.isfinite().all()) if self.torch_ else bool(np.isfinite(x).all())

    def any(self, x: Any) -> bool:
        return bool(x.any())

    def copy(self, x: Any) -> Any:
        return x.clone() if self.torch_ else x.copy()

    def item_min(self, x: Any) -> float:
        return float(x.min())

    def maximum(self, a: Any, b: Any) -> Any:
        if self.torch_:
            import torch

            return torch.maximum(a, b)
        return np.maximum(a, b)


def mark_blowup(st: LoopState, step: int, t: float, dt: float) -> None:
    """Record a non-finite state found by ``step`` (time ``t``, step size ``dt``)."""
    st.status = Status.NONFINITE
    st.message = (
        f"the state became non-finite by step {step} (t = {t:.6g}); "
        f"the system is unstable at dt = {dt:.3g}: try a smaller dt or an adaptive method"
    )


def fixed_loop(
    *,
    method: Solver,
    f: Callable[[Any, Array], Array],
    u: Array,
    t0: float,
    n_steps: int,
    dt: float,
    save_steps: np.ndarray,
    ops: Ops,
    state_axes: tuple[int, ...],
    stop: StoppingRule | None,
    progress: ProgressMeter | None,
) -> tuple[Array, LoopState]:
    """Fixed-step integration with ``method.step``; saves after the steps in ``save_steps``.

    ``save_steps`` holds sorted step indices in 0 … ``n_steps`` (0: the initial state).
    The state is checked for finiteness at each save, at the end and every 64 steps. With a
    stopping rule, every 10 steps the members it declares done are frozen, and the run ends
    (saving the state) once all are.
    """
    st = LoopState()
    saves = [int(k) for k in save_steps if k > 0] + [-1]  # -1: no further save
    if save_steps[0] == 0:
        st.ts.append(t0)
        st.us.append(ops.copy(u))
    next_save, i_save = saves[0], 0
    active = None
    if stop is not None:
        st.t_settle = np.full(np.shape(ops.amax(u, state_axes)), np.nan)
    check_every = 10
    report = max(1, n_steps // 100)
    step = method.step
    for k in range(1, n_steps + 1):
        t = t0 + (k - 1) * dt
        new = step(f, t, u, dt)
        u = new if active is None else ops.where(active, new, u)
        st.steps = k
        tk = t0 + k * dt
        if stop is not None and k % check_every == 0:
            speed = ops.amax(f(tk, u), state_axes)
            done_now = stop.reached(to_numpy(speed)) & np.isnan(st.t_settle)
            st.t_settle[done_now] = tk
            conv = ~np.isnan(st.t_settle)
            if conv.all():
                st.ts.append(tk)
                st.us.append(ops.copy(u))
                break
            active = mask_like(~conv, u, ops)
        if k == next_save or k == n_steps:
            if not ops.finite(u):
                mark_blowup(st, k, tk, dt)
                break
            if k == next_save:
                st.ts.append(tk)
                st.us.append(ops.copy(u))
                i_save += 1
                next_save = saves[i_save]
        elif k % 64 == 0 and not ops.finite(u):
            mark_blowup(st, k, tk, dt)
            break
        if progress is not None and k % report == 0:
            progress.update(k / n_steps)
    return u, st


def fast_euler_loop(
    *,
    fast: FastEuler,
    u: np.ndarray,
    t0: float,
    n_steps: int,
    dt: float,
    save_steps: np.ndarray,
    progress: ProgressMeter | None,
) -> tuple[np.ndarray, LoopState]:
    """Steps of a solver's in-place stepper (:meth:`Solver.in_place`) on a numpy state.

    The steps run in chunks of at most 64, ending at each save; finiteness is checked after
    each chunk. ``save_steps`` as in :func:`fixed_loop`.
    """
    st = LoopState()
    if save_steps[0] == 0:
        st.ts.append(t0)
        st.us.append(u.copy())
    saved = {int(k) for k in save_steps if k > 0}
    ends = sorted(saved | {n_steps})  # each chunk ends at or before the next of these
    z = fast.enter(u)
    step = fast.step
    k = 0
    report = max(1, n_steps // 100)
    for end in ends:
        save = end in saved
        while k < end:
            m = min(64, end - k)
            for _ in range(m):
                step(z)
            k += m
            st.steps = k
            if not np.isfinite(z).all():
                mark_blowup(st, k, t0 + k * dt, dt)
                return fast.leave(z), st
            if save and k == end:
                st.ts.append(t0 + k * dt)
                st.us.append(fast.leave(z))
            if progress is not None and k % report < m:
                progress.update(k / n_steps)
    return fast.leave(z), st


def mask_like(mask: np.ndarray, u: Any, ops: Ops) -> Any:
    """A boolean member mask on the backend of ``u`` (a torch tensor on its device)."""
    if ops.torch_:
        import torch

        return torch.as_tensor(mask, device=u.device)
    return mask
