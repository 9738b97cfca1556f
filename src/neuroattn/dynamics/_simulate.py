"""``simulate``: the one entry point that integrates any neuroattn model."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._adaptive import adaptive_loop
from ._backend import any_torch, as_float_array, is_torch
from ._base import Bound, Model
from ._inputs import InputFn
from ._integrate import (
    LoopState,
    Ops,
    SimulationError,
    fast_euler_loop,
    fixed_loop,
)
from ._params import broadcast_batch, check_scalar_param, expand_network, neuron_batch_shape
from ._solvers import get_method
from ._trajectory import Trajectory

ProgressArg = bool | Callable[[float], None]


def _resolve_dtype(dtype: Any, torch_: bool, candidates: tuple[Any, ...]) -> Any:
    if torch_:
        import torch

        if dtype is None:
            found = [c.dtype for c in candidates if is_torch(c) and c.is_floating_point()]
            return found[0] if found else torch.float64
        table = {"float32": torch.float32, "float64": torch.float64}
        key = str(np.dtype(dtype)) if not isinstance(dtype, torch.dtype) else str(dtype)[6:]
        if key not in table:
            raise ValueError(f"dtype must be float32 or float64, got {dtype}")
        return table[key]
    if dtype is None:
        return np.float64
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise ValueError(f"dtype must be float32 or float64, got {dtype}") from None
    if dt not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64, got {dt}")
    return dt.type


def _check_span(t_span: Any) -> tuple[float, float]:
    try:
        t0, t1 = (float(x) for x in t_span)
    except (TypeError, ValueError):
        raise ValueError(f"t_span must be a pair (t0, t1), got {t_span!r}") from None
    if not (math.isfinite(t0) and math.isfinite(t1)) or t1 <= t0:
        raise ValueError(f"t_span must be finite with t1 > t0, got ({t0}, {t1})")
    return t0, t1


def _progress_callback(progress: ProgressArg) -> tuple[Callable[[float], None] | None, Any]:
    if progress is False or progress is None:
        return None, None
    if callable(progress) and progress is not True:
        return progress, None
    from rich.progress import Progress

    bar = Progress(transient=True)
    task = bar.add_task("simulating", total=1.0)
    bar.start()
    return (lambda frac: bar.update(task, completed=frac)), bar


def simulate(
    model: Model,
    inputs: Any = 0.0,
    *,
    t_span: tuple[float, float] = (0.0, 100.0),
    dt: float | None = None,
    u0: Any = None,
    method: Any = "auto",
    noise: Any = 0.0,
    seed: int | np.random.Generator | Any = None,
    save_every: float | None = None,
    until: str | None = None,
    tol: float = 1e-6,
    dtype: Any = None,
    max_steps: int = 10_000_000,
    throw: bool = True,
    progress: ProgressArg = False,
) -> Trajectory:
    r"""Integrate a model's dynamics τ du/dt = F(u, I(t)) (+ σ dW) over ``t_span``.

    Parameters
    ----------
    model : Model
        :class:`Competition`, :class:`LateralInhibition`, :class:`Shunting`,
        :class:`NeuralField`, or any :class:`Model`.
    inputs : array_like, TimeSeries or callable
        External input I: a constant broadcastable to ``(*batch, *state)``; a
        :class:`TimeSeries`; or a callable ``I(t)`` of a float time.
    t_span : (float, float)
        Start and end time, in units of the model's τ.
    dt : float, optional
        Step size of fixed-step methods (default 0.01; shortened so that a whole number of
        steps spans ``t_span``); the first trial step of the adaptive method.
    u0 : array_like, optional
        Initial state, broadcastable to ``(*batch, *state)``; zeros by default.
    method : str or solver
        ``"euler"``, ``"heun"``, ``"rk4"``, ``"dopri5"`` (``"adaptive"``),
        ``"euler_maruyama"``, or a solver object such as ``Dopri5(rtol=1e-9)``. ``"auto"``
        (default) is Dopri5, or Euler–Maruyama when ``noise > 0``.
    noise : float or array of shape (*batch,)
        σ of additive white noise: τ du = F dt + σ dW (Euler–Maruyama).
    seed : int, numpy.random.Generator or torch.Generator, optional
        Randomness of the noise; the global seed is never used.
    save_every : float, optional
        Interval between saved times (rounded to whole steps for fixed-step methods).
        Default: at most about 1000 saves (fixed) or 100 intervals (adaptive).
    until : {None, "steady"}
        ``"steady"`` stops each batch member once max |du/dt| < ``tol``; the run ends when
        all have (their settling times are in ``stats["t_settle"]``).
    tol : float
        Steady-state tolerance on max |du/dt|. An adaptive method holds |du/dt| only to
        about its own error tolerance, so pair a small ``tol`` with a small ``rtol``.
    dtype : {None, "float64", "float32"}
        Working precision (float64 by default; torch tensors keep their own).
    max_steps : int
        Step limit of the adaptive method.
    throw : bool
        Raise :class:`SimulationError` on failure (default), or return the trajectory
        so far with ``stats["status"]`` naming the failure.
    progress : bool or callable
        Show a progress bar, or call ``progress(fraction_done)``.

    Returns
    -------
    Trajectory

    Notes
    -----
    Leading batch dimensions of the model parameters, ``inputs``, ``u0`` and ``noise``
    broadcast, so many networks are integrated as one vectorised system. When any of
    them is a torch tensor the whole integration runs in torch and is differentiable.
    """
    if not isinstance(model, Model):
        raise TypeError(f"model must be a neuroattn Model, got {type(model).__name__}")
    t0, t1 = _check_span(t_span)
    noise = check_scalar_param(noise, "noise", nonnegative=True)
    noisy = bool(np.any(np.asarray(noise.detach() if is_torch(noise) else noise) > 0))
    solver = get_method(method, noisy)
    _check_options(solver, noisy, until, tol, dt, save_every)
    torch_ = model.uses_torch() or any_torch(inputs, u0, noise)
    given = (u0, inputs, *[getattr(model, p) for p in model.param_names()])
    dt_ = _resolve_dtype(dtype, torch_, given)
    # the device of the first tensor given (a GPU where one is used), else the CPU
    device = next((x.device for x in given if is_torch(x)), None)
    bound = model.bind(torch_, dt_, device)
    inp = InputFn(inputs, model.state_shape, torch_, dt_, device)
    u = initial_state(model, inp, u0, noise, torch_, dt_, device)

    run = _Run(
        solver=solver, f=lambda t, x: bound.rhs(x, inp.at(t)), t0=t0, t1=t1, dt=dt,
        save_every=save_every, ops=Ops(torch_), axes=tuple(range(-len(model.state_shape), 0)),
        inp=inp, bound=bound, noise=noise if noisy else None, seed=seed,
        steady_tol=tol if until == "steady" else None, max_steps=max_steps, torch_=torch_,
    )  # fmt: skip
    callback, bar = _progress_callback(progress)
    start = time.perf_counter()
    try:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            runner = _run_adaptive if solver.adaptive else _run_fixed
            u, st, meta = runner(run, u, callback)
    finally:
        if bar is not None:
            bar.stop()
    wall = time.perf_counter() - start
    if st.status != "success" and throw:
        raise SimulationError(st.message)
    evals = st.rhs_evals or st.steps * getattr(solver, "stages", 1)
    stats = {
        "steps": st.steps, "rejected": st.rejected, "rhs_evals": evals,
        "wall_time": wall, "status": st.status, "message": st.message, "method": solver.name,
        "t_settle": st.t_settle, **meta,
    }  # fmt: skip
    params = {
        **model.params(), "t_span": [t0, t1], "noise": _jsonable(noise), "until": until,
        "dtype": str(np.dtype(dt_)) if not torch_ else str(dt_),
    }  # fmt: skip
    return _trajectory(st, bound, torch_, dt_, params, stats, model.state_shape)


def _check_options(
    solver: Any, noisy: bool, until: Any, tol: float, dt: Any, save_every: Any
) -> None:
    if noisy and not solver.stochastic:
        raise ValueError(
            f"noise > 0 needs method 'euler_maruyama' (or 'euler'), not {solver.name!r}"
        )
    if until not in (None, "steady"):
        raise ValueError(f"until must be None or 'steady', got {until!r}")
    if not tol > 0:
        raise ValueError(f"tol must be > 0, got {tol}")
    if dt is not None and not (isinstance(dt, (int, float)) and math.isfinite(dt) and dt > 0):
        raise ValueError(f"dt must be a positive number, got {dt!r}")
    if save_every is not None and not save_every > 0:
        raise ValueError(f"save_every must be > 0, got {save_every!r}")


def initial_state(
    model: Model, inp: InputFn, u0: Any, noise: Any, torch_: bool, dtype: Any, device: Any
) -> Any:
    """Zeros (or u0) over the broadcast batch shape of every batched argument."""
    state = model.state_shape
    u0_batch: tuple[int, ...] = ()
    if u0 is not None:
        u0 = u0 if is_torch(u0) else as_float_array(u0, "u0")
        u0_batch = neuron_batch_shape(u0, state, "u0")
    noise_batch = tuple(noise.shape) if is_torch(noise) else tuple(np.shape(noise))
    batch = broadcast_batch(model.batch_shape(), inp.batch_shape, u0_batch, noise_batch)
    if torch_:
        import torch

        u = torch.zeros(batch + state, dtype=dtype, device=device)
        return u if u0 is None else u + torch.as_tensor(u0, dtype=dtype, device=device)
    u_np = np.zeros(batch + state, dtype=dtype)
    if u0 is not None:
        u_np += u0
    return u_np


def _trajectory(
    st: LoopState, bound: Bound, torch_: bool, dtype: Any, params: dict[str, Any],
    stats: dict[str, Any], state: tuple[int, ...],
) -> Trajectory:  # fmt: skip
    """Stack the saved states and compute the rates."""
    if torch_:
        import torch

        U: Any = torch.stack(st.us)
        ts: Any = torch.as_tensor(st.ts, dtype=dtype)
    else:
        U = np.stack(st.us)
        ts = np.asarray(st.ts)
    with np.errstate(over="ignore", invalid="ignore"):
        rates = bound.rates(U)
    return Trajectory(t=ts, u=U, rates=rates, params=params, stats=stats, state_shape=state)


def _jsonable(x: Any) -> Any:
    if is_torch(x):
        x = x.detach().cpu().numpy()
    return x.tolist() if isinstance(x, np.ndarray) else x


@dataclass(frozen=True)
class _Run:
    """Everything a loop needs, resolved and validated by :func:`simulate`."""

    solver: Any
    f: Callable[[Any, Any], Any]
    t0: float
    t1: float
    dt: float | None
    save_every: float | None
    ops: Ops
    axes: tuple[int, ...]
    inp: InputFn
    bound: Bound
    noise: Any
    seed: Any
    steady_tol: float | None
    max_steps: int
    torch_: bool


def _noise_fn(run: _Run, h: float) -> Callable[[Any], Any] | None:
    """Increment (σ/τ) √h ξ of the Euler–Maruyama scheme, ξ standard normal."""
    if run.noise is None:
        return None
    scale = expand_network(run.noise, len(run.axes)) / run.bound.tau * math.sqrt(h)
    if run.torch_:
        import torch

        gen = run.seed
        if not isinstance(gen, torch.Generator):
            gen = torch.Generator().manual_seed(
                int(np.random.default_rng(run.seed).integers(2**62))
            )
        return lambda x: scale * torch.randn(x.shape, generator=gen, dtype=x.dtype)
    rng = np.random.default_rng(run.seed)
    return lambda x: scale * rng.standard_normal(x.shape, dtype=x.dtype)


def _run_fixed(
    run: _Run, u: Any, callback: Callable[[float], None] | None
) -> tuple[Any, LoopState, dict[str, Any]]:
    dt = 0.01 if run.dt is None else float(run.dt)
    n_steps = max(1, math.ceil((run.t1 - run.t0) / dt - 1e-9))
    h = (run.t1 - run.t0) / n_steps
    stride = max(1, round(run.save_every / h)) if run.save_every else max(1, n_steps // 1000)
    noise = _noise_fn(run, h)
    if (
        run.bound.euler_factory is not None
        and run.solver.name in ("euler", "euler_maruyama")
        and run.inp.constant
        and run.steady_tol is None
        and not run.torch_
    ):
        fast = run.bound.euler_factory(h, run.inp.value)
        u, st = fast_euler_loop(fast=fast, u=np.array(u, copy=True), t0=run.t0,
                                n_steps=n_steps, dt=h, stride=stride, noise=noise,
                                progress=callback)  # fmt: skip
        return u, st, {"dt": h, "fast_path": True}
    u, st = fixed_loop(
        method=run.solver, f=run.f, u=u, t0=run.t0, n_steps=n_steps, dt=h, stride=stride,
        ops=run.ops, state_axes=run.axes, noise=noise, steady_tol=run.steady_tol,
        progress=callback,
    )  # fmt: skip
    return u, st, {"dt": h, "fast_path": False}


def _run_adaptive(
    run: _Run, u: Any, callback: Callable[[float], None] | None
) -> tuple[Any, LoopState, dict[str, Any]]:
    every = run.save_every if run.save_every else (run.t1 - run.t0) / 100
    n = max(1, math.ceil((run.t1 - run.t0) / every - 1e-9))
    save_times = np.minimum(run.t0 + every * np.arange(n + 1), run.t1)
    save_times[-1] = run.t1
    u, st = adaptive_loop(
        method=run.solver, f=run.f, u=u, t0=run.t0, save_times=save_times, dt0=run.dt,
        ops=run.ops, state_axes=run.axes, shared_time=not run.inp.constant,
        steady_tol=run.steady_tol, max_steps=run.max_steps, progress=callback,
    )  # fmt: skip
    return u, st, {"rtol": run.solver.rtol, "atol": run.solver.atol}
