"""The integration loops behind :func:`simulate`: fixed-step and adaptive (per member)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._backend import Array


class SimulationError(ValueError):
    """The integration failed (non-finite state, step size collapse, step limit)."""


@dataclass
class LoopState:
    """Mutable bookkeeping shared by the loops; turned into ``Trajectory.stats``."""

    steps: int = 0
    rejected: int = 0
    rhs_evals: int = 0
    status: str = "success"
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


def _blowup(st: LoopState, step: int, t: float, dt: float) -> None:
    st.status = "nonfinite"
    st.message = (
        f"the state became non-finite by step {step} (t = {t:.6g}); "
        f"the system is unstable at dt = {dt:.3g}: try a smaller dt or an adaptive method"
    )


def fixed_loop(
    *,
    method: Any,
    f: Callable[[Any, Array], Array],
    u: Array,
    t0: float,
    n_steps: int,
    dt: float,
    stride: int,
    ops: Ops,
    state_axes: tuple[int, ...],
    noise: Callable[[Array], Array] | None,
    steady_tol: float | None,
    progress: Callable[[float], None] | None,
) -> tuple[Array, LoopState]:
    """Fixed-step integration; saves every ``stride`` steps and at the end."""
    st = LoopState()
    st.ts.append(t0)
    st.us.append(ops.copy(u))
    active = None
    if steady_tol is not None:
        st.t_settle = np.full(np.shape(ops.amax(u, state_axes)), np.nan)
    check_every = 10
    report = max(1, n_steps // 100)
    for k in range(1, n_steps + 1):
        t = t0 + (k - 1) * dt
        new = method.step(f, t, u, dt)
        if noise is not None:
            new = new + noise(u)
        u = new if active is None else ops.where(active, new, u)
        st.steps = k
        tk = t0 + k * dt
        if steady_tol is not None and k % check_every == 0:
            speed = ops.amax(f(tk, u), state_axes)
            done_now = np.asarray(_to_np(speed) < steady_tol) & np.isnan(st.t_settle)
            st.t_settle[done_now] = tk
            conv = ~np.isnan(st.t_settle)
            if conv.all():
                st.ts.append(tk)
                st.us.append(ops.copy(u))
                break
            active = _mask_like(~conv, u, ops)
        if k % stride == 0 or k == n_steps:
            if not ops.finite(u):
                _blowup(st, k, tk, dt)
                break
            st.ts.append(tk)
            st.us.append(ops.copy(u))
        elif k % 64 == 0 and not ops.finite(u):
            _blowup(st, k, tk, dt)
            break
        if progress is not None and k % report == 0:
            progress(k / n_steps)
    return u, st


def fast_euler_loop(
    *,
    step: Callable[[Array], None],
    u: np.ndarray,
    t0: float,
    n_steps: int,
    dt: float,
    stride: int,
    noise: Callable[[Array], Array] | None,
    progress: Callable[[float], None] | None,
) -> tuple[np.ndarray, LoopState]:
    """Euler steps done in place on a numpy state, in chunks between saves.

    The chunks are at most 64 steps long; finiteness is checked after each chunk.
    """
    st = LoopState()
    st.ts.append(t0)
    st.us.append(u.copy())
    k = 0
    report = max(1, n_steps // 100)
    while k < n_steps:
        m = min(64, n_steps - k, stride - k % stride)
        if noise is None:
            for _ in range(m):
                step(u)
        else:
            for _ in range(m):
                step(u)
                u += noise(u)
        k += m
        st.steps = k
        if not np.isfinite(u).all():
            _blowup(st, k, t0 + k * dt, dt)
            break
        if k % stride == 0 or k == n_steps:
            st.ts.append(t0 + k * dt)
            st.us.append(u.copy())
        if progress is not None and k % report < m:
            progress(k / n_steps)
    return u, st


def _to_np(x: Any) -> np.ndarray:
    return x.detach().cpu().numpy() if hasattr(x, "detach") else np.asarray(x)


def _mask_like(mask: np.ndarray, u: Any, ops: Ops) -> Any:
    if ops.torch_:
        import torch

        return torch.as_tensor(mask, device=u.device)
    return mask


def adaptive_loop(
    *,
    method: Any,
    f: Callable[[Any, Array], Array],
    u: Array,
    t0: float,
    save_times: np.ndarray,
    dt0: float | None,
    ops: Ops,
    state_axes: tuple[int, ...],
    shared_time: bool,
    steady_tol: float | None,
    max_steps: int,
    progress: Callable[[float], None] | None,
) -> tuple[Array, LoopState]:
    """Dormand–Prince integration with a time and step size per batch member.

    Every member advances to each save time in turn (its last step clipped to land on it).
    With ``shared_time`` (time-dependent input) all members take the same step, accepted
    only when every member's error is within tolerance.
    """
    st = LoopState()
    st.ts.append(t0)
    st.us.append(ops.copy(u))
    span = float(save_times[-1] - t0)
    k1 = f(t0, u)
    st.rhs_evals = 1
    zero = ops.amax(u, state_axes) * 0  # (*batch, 1, ...) per-member scalars
    t = zero + t0
    if dt0 is None:
        scale = ops.amax(u, state_axes) * method.rtol + method.atol
        d0 = ops.rms(u / scale, state_axes) if state_axes else abs(u / scale)
        d1 = ops.rms(k1 / scale, state_axes) if state_axes else abs(k1 / scale)
        h = ops.where((d0 > 1e-5) & (d1 > 1e-5), 0.01 * d0 / (d1 + 1e-300), zero + 1e-6)
        h = ops.where(h > span, zero + span, h)
        h = ops.where(h < 1e-6 * span, zero + 1e-6 * span, h)
    else:
        h = zero + dt0
    if steady_tol is not None:
        st.t_settle = np.full(np.shape(zero), np.nan)
    expo = -1.0 / 5.0
    for T in save_times[1:]:
        while True:
            active = t < T - 1e-12 * max(1.0, abs(T))
            if not ops.any(active):
                break
            if st.steps >= max_steps:
                st.status = "max_steps"
                st.message = f"stopped after max_steps = {max_steps} steps at t < {T:.6g}"
                return u, st
            remaining = T - t
            clipped = h >= remaining
            h_try = ops.where(clipped, remaining, h)
            h_try = ops.where(active, h_try, zero + 0.0)
            tt = t
            if shared_time:  # all active members share one time and one step
                a = _to_np(active)
                tt = float(_to_np(t)[a].min())
                h_try = ops.where(active, zero + float(_to_np(h_try)[a].min()), zero)
            u_new, err, k7 = method.attempt(f, tt, u, h_try, k1)
            st.rhs_evals += 6
            st.steps += 1
            sc = method.atol + method.rtol * ops.maximum(abs(u), abs(u_new))
            enorm = ops.rms(err / sc, state_axes) if state_axes else abs(err / sc)
            enorm = ops.where(enorm == enorm, enorm, zero + np.inf)  # NaN → reject
            if shared_time:
                enorm = zero + float(_to_np(enorm).max())
            accept = active & (enorm <= 1.0)
            st.rejected += int(_to_np(active & ~accept).sum())
            u = ops.where(accept, u_new, u)
            k1 = ops.where(accept, k7, k1)
            t = ops.where(accept, t + h_try, t)
            fac = method.safety * ops.maximum(enorm, zero + 1e-10) ** expo
            fac = ops.where(fac > method.max_factor, zero + method.max_factor, fac)
            fac = ops.where(fac < method.min_factor, zero + method.min_factor, fac)
            fac = ops.where(accept, fac, ops.where(fac > 1.0, zero + 1.0, fac))
            # a step shortened only to land on a save time does not shrink the next one
            h_next = ops.where(accept & clipped, ops.maximum(h, h_try * fac), h_try * fac)
            h = ops.where(active, h_next, h)
            if steady_tol is not None:
                speed = _to_np(ops.amax(k1, state_axes))
                now = (speed < steady_tol) & _to_np(accept) & np.isnan(st.t_settle)
                if now.any():
                    st.t_settle[now] = _to_np(t)[now]
                    t = ops.where(_mask_like(now, u, ops), zero + float(save_times[-1]), t)
            if ops.any(active & (h < method.dt_min)):
                st.status = "dt_too_small"
                st.message = (
                    f"the step size fell below dt_min = {method.dt_min:g} near t = "
                    f"{ops.item_min(t):.6g}; the system may be stiff or blowing up"
                )
                return u, st
            if progress is not None and st.steps % 20 == 0:
                progress(min(1.0, (ops.item_min(t) - t0) / span))
        if not ops.finite(u):
            _blowup(st, st.steps, float(T), float(_to_np(h).min()))
            return u, st
        st.ts.append(float(T))
        st.us.append(ops.copy(u))
        if steady_tol is not None and not np.isnan(st.t_settle).any():
            break
    return u, st
