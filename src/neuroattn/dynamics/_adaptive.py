"""The adaptive (Dormand–Prince) loop: every batch member with its own time and step."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._backend import Array
from ._integrate import LoopState, Ops, mark_blowup, mask_like
from ._options import Status, StoppingRule
from .checks import to_numpy
from .progress import ProgressMeter

_EXPONENT = -1.0 / 5.0  # step-size exponent of a fifth-order pair


@dataclass
class _Members:
    """Per-member integration state; ``t`` and ``h`` have shape (*batch, 1, …)."""

    u: Array
    k1: Array  # f(t, u), reused as the first stage (first-same-as-last)
    t: Array  # always float64: float32 times cannot land on every save time
    h: Array
    zero: Array  # zeros in the working dtype
    zero64: Array  # zeros in float64


def _initial_step(method: Any, m: _Members, span: float, ops: Ops, axes: tuple[int, ...]) -> Any:
    """Hairer–Nørsett–Wanner's first guess h = 0.01 ‖u‖ / ‖f(u)‖, clipped to the span."""
    z = m.zero
    scale = ops.amax(m.u, axes) * method.rtol + method.atol
    d0 = ops.rms(m.u / scale, axes) if axes else abs(m.u / scale)
    d1 = ops.rms(m.k1 / scale, axes) if axes else abs(m.k1 / scale)
    h = ops.where((d0 > 1e-5) & (d1 > 1e-5), 0.01 * d0 / (d1 + 1e-300), z + 1e-6)
    h = ops.where(h > span, z + span, h)
    return ops.where(h < 1e-6 * span, z + 1e-6 * span, h)


def _trial(
    method: Any,
    f: Callable[[Any, Array], Array],
    m: _Members,
    T: float,
    active: Any,
    shared_time: bool,
    ops: Ops,
    axes: tuple[int, ...],
) -> Any:
    """One trial step of every active member towards T; updates ``m``; returns ``accept``."""
    z = m.zero
    remaining = ops.cast(T - m.t, z)
    clipped = m.h >= remaining  # the step is shortened to land on the save time
    h_try = ops.where(active, ops.where(clipped, remaining, m.h), z)
    tt: Any = m.t
    if shared_time:  # time-dependent input: all active members share one time and step
        a = to_numpy(active)
        tt = float(to_numpy(m.t)[a].min())
        h_try = ops.where(active, z + float(to_numpy(h_try)[a].min()), z)
    u_new, err, k7 = method.attempt(f, tt, m.u, h_try, m.k1)
    sc = method.atol + method.rtol * ops.maximum(abs(m.u), abs(u_new))
    enorm = ops.rms(err / sc, axes) if axes else abs(err / sc)
    enorm = ops.where(enorm == enorm, enorm, z + np.inf)  # NaN → reject
    if shared_time:
        enorm = z + float(to_numpy(enorm).max())
    accept = active & (enorm <= 1.0)
    m.u = ops.where(accept, u_new, m.u)
    m.k1 = ops.where(accept, k7, m.k1)
    # a step shortened to a save time lands on it exactly
    m.t = ops.where(accept, ops.where(clipped, m.zero64 + T, m.t + h_try), m.t)
    # controller: dt ← dt · clip(safety · err^(-1/5)), never growing after a rejection
    fac = method.safety * ops.maximum(enorm, z + 1e-10) ** _EXPONENT
    fac = ops.where(fac > method.max_factor, z + method.max_factor, fac)
    fac = ops.where(fac < method.min_factor, z + method.min_factor, fac)
    fac = ops.where(accept, fac, ops.where(fac > 1.0, z + 1.0, fac))
    # a step shortened only to land on a save time does not shrink the next one
    h_next = ops.where(accept & clipped, ops.maximum(m.h, h_try * fac), h_try * fac)
    m.h = ops.where(active, h_next, m.h)
    return accept


def _settle(
    m: _Members,
    st: LoopState,
    accept: Any,
    stop: StoppingRule,
    t_end: float,
    ops: Ops,
    axes: tuple[int, ...],
) -> None:
    """Record members the stopping rule declares done (on |du/dt| after an accepted step)
    and move them to the end time."""
    speed = to_numpy(ops.amax(m.k1, axes))
    now = stop.reached(speed) & to_numpy(accept) & np.isnan(st.t_settle)
    if now.any():
        st.t_settle[now] = to_numpy(m.t)[now]
        m.t = ops.where(mask_like(now, m.u, ops), m.zero64 + t_end, m.t)


def adaptive_loop(
    *,
    method: Any,
    f: Callable[[Any, Array], Array],
    u: Array,
    save_times: np.ndarray,
    save_mask: np.ndarray,
    dt0: float | None,
    ops: Ops,
    state_axes: tuple[int, ...],
    shared_time: bool,
    stop: StoppingRule | None,
    max_steps: int,
    progress: ProgressMeter | None,
) -> tuple[Array, LoopState]:
    """Dormand–Prince integration with a time and step size per batch member.

    Every member advances from ``save_times[0]`` to each later time in turn (its last step
    clipped to land on it); the state is saved at the times where ``save_mask`` is true.
    With ``shared_time`` (time-dependent input) all members take the same step, accepted
    only when every member's error is within tolerance. With a stopping rule, members it
    declares done jump to the end time, and the run ends once all are done.
    """
    st = LoopState()
    t0, t_end = float(save_times[0]), float(save_times[-1])
    if save_mask[0]:
        st.ts.append(t0)
        st.us.append(ops.copy(u))
    span = t_end - t0
    zero = ops.amax(u, state_axes) * 0  # (*batch, 1, …): one scalar per member
    zero64 = ops.cast(zero, 0.0)
    m = _Members(u=u, k1=f(t0, u), t=zero64 + t0, h=zero, zero=zero, zero64=zero64)
    m.h = _initial_step(method, m, span, ops, state_axes) if dt0 is None else zero + dt0
    st.rhs_evals = 1
    if stop is not None:
        st.t_settle = np.full(np.shape(zero), np.nan)
    for T, save in zip(save_times[1:], save_mask[1:], strict=True):
        while ops.any(active := m.t < T - 1e-12 * max(1.0, abs(T))):
            if st.steps >= max_steps:
                st.status = Status.MAX_STEPS
                st.message = f"stopped after max_steps = {max_steps} steps at t < {T:.6g}"
                return m.u, st
            accept = _trial(method, f, m, float(T), active, shared_time, ops, state_axes)
            st.rhs_evals += method.stages
            st.steps += 1
            st.rejected += int(to_numpy(active & ~accept).sum())
            if stop is not None:
                _settle(m, st, accept, stop, t_end, ops, state_axes)
            if ops.any(active & (m.h < method.dt_min)):
                st.status = Status.DT_TOO_SMALL
                st.message = (
                    f"the step size fell below dt_min = {method.dt_min:g} near t = "
                    f"{ops.item_min(m.t):.6g}; the system may be stiff or blowing up"
                )
                return m.u, st
            if progress is not None and st.steps % 20 == 0:
                progress.update(min(1.0, (ops.item_min(m.t) - t0) / span))
        if not ops.finite(m.u):
            mark_blowup(st, st.steps, float(T), float(to_numpy(m.h).min()))
            return m.u, st
        if save:
            st.ts.append(float(T))
            st.us.append(ops.copy(m.u))
        if stop is not None and not np.isnan(st.t_settle).any():
            break
    return m.u, st
