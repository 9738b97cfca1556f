"""The integration loops behind :func:`simulate`: fixed-step and adaptive (per member)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._backend import Array
from ._base import FastEuler


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
            done_now = np.asarray(to_numpy(speed) < steady_tol) & np.isnan(st.t_settle)
            st.t_settle[done_now] = tk
            conv = ~np.isnan(st.t_settle)
            if conv.all():
                st.ts.append(tk)
                st.us.append(ops.copy(u))
                break
            active = mask_like(~conv, u, ops)
        if k % stride == 0 or k == n_steps:
            if not ops.finite(u):
                mark_blowup(st, k, tk, dt)
                break
            st.ts.append(tk)
            st.us.append(ops.copy(u))
        elif k % 64 == 0 and not ops.finite(u):
            mark_blowup(st, k, tk, dt)
            break
        if progress is not None and k % report == 0:
            progress(k / n_steps)
    return u, st


def fast_euler_loop(
    *,
    fast: FastEuler,
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
    z = fast.enter(u)
    step = fast.step
    k = 0
    report = max(1, n_steps // 100)
    while k < n_steps:
        m = min(64, n_steps - k, stride - k % stride)
        if noise is None:
            for _ in range(m):
                step(z)
        else:
            for _ in range(m):
                step(z)
                z += fast.scale * noise(z)
        k += m
        st.steps = k
        if not np.isfinite(z).all():
            mark_blowup(st, k, t0 + k * dt, dt)
            break
        if k % stride == 0 or k == n_steps:
            st.ts.append(t0 + k * dt)
            st.us.append(fast.leave(z))
        if progress is not None and k % report < m:
            progress(k / n_steps)
    return fast.leave(z), st


def to_numpy(x: Any) -> np.ndarray:
    return x.detach().cpu().numpy() if hasattr(x, "detach") else np.asarray(x)


def mask_like(mask: np.ndarray, u: Any, ops: Ops) -> Any:
    if ops.torch_:
        import torch

        return torch.as_tensor(mask, device=u.device)
    return mask
