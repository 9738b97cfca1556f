"""``simulate``: the one entry point that integrates any neuroattn model.

It checks the arguments, binds the model to a backend, resolves the configuration objects
(:class:`Solver`, :class:`SaveAt`, a :class:`StoppingRule`, a :class:`ProgressMeter`) and
hands them to a loop: the fixed-step loop (or the solver's in-place fast path) or the
adaptive one. It never imports a terminal library: progress goes to the meter.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._backend import any_torch
from ._base import Bound, Model
from ._diagnose import check_params_representable
from ._inputs import InputFn
from ._integrate import LoopState, Ops, SimulationError
from ._limits import Budget, check_budget, within
from ._options import SaveAt, Status, StoppingRule, resolve_saveat, resolve_until
from ._params import broadcast_batch, check_scalar_param, check_torch_finite, neuron_batch_shape
from ._runner import Run, fixed_grid, run_loop
from ._solvers import Solver, get_method, needs_noise_support
from ._stability import fewest_steps, real_limit
from ._trajectory import Trajectory
from .checks import (
    check_finite_array,
    check_integer,
    check_number,
    check_seed,
    is_torch,
    to_numpy,
)
from .progress import ProgressArg, as_progress


def _resolve_dtype(dtype: Any, torch_: bool, candidates: tuple[Any, ...]) -> Any:
    """The working dtype: float64 unless asked for float32 (torch: the tensors' own)."""
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
        resolved = np.dtype(dtype)
    except TypeError:
        raise ValueError(f"dtype must be float32 or float64, got {dtype}") from None
    if resolved not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64, got {resolved}")
    return resolved.type


def _check_span(t_span: Any) -> tuple[float, float]:
    """``(t0, t1)`` as floats: two finite numbers (not booleans) with a finite t1 − t0 > 0."""
    if isinstance(t_span, (str, bytes)) or not hasattr(t_span, "__len__") or len(t_span) != 2:
        raise ValueError(f"t_span must be a pair (t0, t1), got {t_span!r}")
    try:
        t0, t1 = (check_number(x, "t_span") for x in t_span)
    except ValueError:
        raise ValueError(f"t_span must be finite numbers with t1 > t0, got {t_span!r}") from None
    if not (t1 > t0 and math.isfinite(t1 - t0)):
        raise ValueError(f"t_span must be finite with t1 > t0, got ({t0}, {t1})")
    return t0, t1


def simulate(
    model: Model,
    inputs: Any = 0.0,
    *,
    t_span: tuple[float, float] = (0.0, 100.0),
    dt: float | None = None,
    u0: Any = None,
    method: str | Solver = "auto",
    noise: Any = 0.0,
    seed: int | np.random.Generator | Any = None,
    saveat: SaveAt | None = None,
    save_every: float | None = None,
    until: str | StoppingRule | None = None,
    tol: float | None = None,
    dtype: Any = None,
    max_steps: int = 10_000_000,
    max_work: float = 1e11,
    max_memory: float = 2**32,
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
    method : str or Solver
        A name of :data:`METHODS` (``"euler"``, ``"heun"``, ``"rk4"``, ``"dopri5"`` or
        ``"adaptive"``, ``"euler_maruyama"``) or a :class:`Solver` such as
        ``Dopri5(rtol=1e-9)``. ``"auto"`` (default) is Dopri5, or Euler–Maruyama when
        ``noise > 0``.
    noise : float or array of shape (*batch,)
        σ of additive white noise: τ du = F dt + σ dW, integrated by Euler–Maruyama
        (``"euler"`` with noise runs as Euler–Maruyama).
    seed : int, numpy.random.Generator or torch.Generator, optional
        Randomness of the noise; the global seed is never used.
    saveat : SaveAt, optional
        When to save: ``SaveAt(every=…)`` or ``SaveAt(ts=[…])``. Default: at most about
        1000 saves (fixed-step) or 100 intervals (adaptive).
    save_every : float, optional
        Shorthand for ``saveat=SaveAt(every=save_every)``.
    until : {None, "steady"} or StoppingRule
        ``"steady"`` (or ``Steady(tol)``) stops each batch member once max |du/dt| < tol;
        the run ends when all have (their settling times are in ``stats["t_settle"]``).
    tol : float, optional
        Tolerance of ``until="steady"`` (default 1e-6). An adaptive method holds |du/dt|
        only to about its own error tolerance, so pair a small ``tol`` with a small ``rtol``.
    dtype : {None, "float64", "float32"}
        Working precision (float64 by default; torch tensors keep their own).
    max_steps : int
        Most solver steps: a fixed-step run needing more is refused before it starts
        (:class:`LimitError`, a ValueError); the adaptive method stops there
        (``Status.MAX_STEPS``). Default 10⁷.
    max_work : float
        Most operations, estimated up front as steps × right-hand-side evaluations per
        step × batch members × :meth:`Model.eval_cost` (≈ n, or n² with a dense ``W``):
        a fixed-step run above it is refused, the adaptive method stops there. Default
        10¹¹ (minutes on one core); ``math.inf`` lifts it.
    max_memory : float
        Most bytes for the saved states (held three times: as saved, stacked, and as
        rates) and the working arrays, estimated before anything is allocated. Default
        2³² (4 GiB); fewer saves (``saveat``) or a smaller batch need less.
    throw : bool
        Raise :class:`SimulationError` on failure (default), or return the trajectory
        so far with ``stats["status"]`` (a :class:`Status`) naming the failure.
    progress : bool, callable or ProgressMeter
        ``True`` shows a progress bar (:class:`~neuroattn.dynamics.progress.RichProgress`),
        a callable is called with the fraction done, a meter receives ``update(fraction)``
        (monotone, ending at 1 on success).

    Returns
    -------
    Trajectory

    Raises
    ------
    ValueError
        For a bad argument (one line naming it); :class:`LimitError` when the run would
        exceed ``max_steps``, ``max_work`` or ``max_memory``; :class:`SimulationError`
        (with ``throw=True``) when it fails: a non-finite state, the adaptive step
        collapsing or running out of steps, or a fixed step outside the method's
        stability region (``Status.UNSTABLE_STEP``, checked before the run on the decay
        at rate 1/τ and after it on the Jacobian at the final state).
    TypeError
        For an argument of the wrong kind (complex or boolean arrays, a bool ``dt``).

    Notes
    -----
    Leading batch dimensions of the model parameters, ``inputs``, ``u0`` and ``noise``
    broadcast, so many networks are integrated as one vectorised system. When any of
    them is a torch tensor the whole integration runs in torch and is differentiable.
    Every check runs once, before or after the run; none costs anything per step.

    Examples
    --------
    >>> from neuroattn.dynamics import Competition, SaveAt, Steady, simulate, uniform
    >>> model = Competition(uniform(3, -0.4), beta=0.2, activation="relu")
    >>> traj = simulate(model, [1.0, 0.8, 0.5], t_span=(0, 50), dt=0.05, method="rk4",
    ...                 saveat=SaveAt(every=5.0), until=Steady(1e-8))
    >>> traj.status == "success", int(traj.winner()), float(traj.t[-1]) < 50
    (True, 0, True)
    """
    if not isinstance(model, Model):
        raise TypeError(f"model must be a neuroattn Model, got {type(model).__name__}")
    t0, t1 = _check_span(t_span)
    noise = check_scalar_param(noise, "noise", nonnegative=True)
    noisy = bool(np.any(to_numpy(noise) > 0))
    solver = get_method(method, noisy)
    budget = _check_options(solver, noisy, dt, seed, max_steps, max_work, max_memory)
    n_steps = None if solver.adaptive else fixed_grid(t0, t1, dt, max_steps)[0]
    save = resolve_saveat(saveat, save_every)
    save.check_span(t0, t1)
    stop = resolve_until(until, tol)
    meter = as_progress(progress)
    torch_ = model.uses_torch() or any_torch(inputs, u0, noise)
    given = (u0, inputs, *[getattr(model, p) for p in model.param_names()])
    work_dtype = _resolve_dtype(dtype, torch_, given)
    # the device of the first tensor given (a GPU where one is used), else the CPU
    device = next((x.device for x in given if is_torch(x)), None)
    inp = InputFn(inputs, model.state_shape, torch_, work_dtype, device)
    batch, u0 = _batch(model, inp, u0, noise)
    if solver.adaptive:
        _check_adaptive_span(solver, t0, t1, model, inp, budget)
    cap = check_budget(budget, n_steps=n_steps, stages=solver.stages,
                       members=math.prod(batch), eval_cost=model.eval_cost(),
                       state_size=model.n, n_saves=save.count(t0, t1, n_steps, dt),
                       itemsize=_itemsize(work_dtype))  # fmt: skip
    with np.errstate(over="ignore", invalid="ignore"):  # float32 sums: explained if they fail
        system = model.bind(torch_, work_dtype, device)
    u = _allocate(batch + model.state_shape, u0, torch_, work_dtype, device)
    _check_representable(u, inp, work_dtype)
    check_params_representable(model, dtype_name(work_dtype))
    run = Run(solver=solver, f=lambda t, x: system.rhs(x, inp.at(t)), t0=t0, t1=t1, dt=dt,
              saveat=save, ops=Ops(torch_), axes=tuple(range(-len(model.state_shape), 0)),
              inp=inp, system=system, noise=noise if noisy else None, seed=seed, stop=stop,
              max_steps=cap, torch_=torch_, model=model, budget=budget)  # fmt: skip
    u, st, meta, wall = run_loop(run, u, meter)
    if st.status != Status.SUCCESS and throw:
        raise SimulationError(st.message)
    stats = {"steps": st.steps, "rejected": st.rejected,
             "rhs_evals": st.rhs_evals or st.steps * solver.stages, "wall_time": wall,
             "status": st.status, "message": st.message, "method": solver.name,
             "t_settle": st.t_settle, **meta}  # fmt: skip
    params = {**model.params(), "t_span": [t0, t1], "noise": _jsonable(noise),
              "until": None if stop is None else stop.name,
              "dtype": str(np.dtype(work_dtype)) if not torch_ else str(work_dtype)}  # fmt: skip
    return _trajectory(st, system, torch_, work_dtype, params, stats, model)


def _check_options(
    solver: Solver,
    noisy: bool,
    dt: Any,
    seed: Any,
    max_steps: Any,
    max_work: Any,
    max_memory: Any,
) -> Budget:
    """Checks of the step size, the seed and the noise against the solver; the budget."""
    if noisy and not solver.stochastic:
        raise ValueError(needs_noise_support(solver))
    if dt is not None:
        check_number(dt, "dt", gt=0)
    check_seed(seed)
    return Budget(
        max_steps=check_integer(max_steps, "max_steps", ge=1),
        max_work=_check_limit(max_work, "max_work"),
        max_memory=_check_limit(max_memory, "max_memory"),
    )


def _check_adaptive_span(
    solver: Solver, t0: float, t1: float, model: Model, inp: InputFn, budget: Budget
) -> None:
    """LimitError when even the longest stable steps of the adaptive method could not
    cover ``t_span`` within ``max_steps`` (``t_span = (0, 1e300)`` stops here, not after
    ``max_steps`` steps)."""
    rates = model.decay_rates(to_numpy(inp.value) if inp.constant else None)
    steps = fewest_steps(solver, t1 - t0, rates)
    what = f"t_span of length {t1 - t0:.3g} with {solver.name} (its step stays below about "
    what += f"{real_limit(solver):.2g} τ, the stability limit of the decay at 1/τ)"
    within(steps, budget.max_steps, what, "max_steps", "steps at least")


def _check_limit(value: Any, name: str) -> float:
    """A bound: a number > 0, ``math.inf`` (no bound) included; not a bool or NaN."""
    if isinstance(value, (float, np.floating)) and value == math.inf:
        return math.inf
    try:
        return check_number(value, name, gt=0)
    except ValueError:
        raise ValueError(
            f"{name} must be a number > 0 (math.inf: no limit), got {value!r}"
        ) from None


def is_torch_dtype(dtype: Any) -> bool:
    """True for a ``torch.dtype`` (recognised without importing torch)."""
    return type(dtype).__module__.startswith("torch")


def _itemsize(dtype: Any) -> int:
    """Bytes per element of a numpy or torch dtype."""
    if is_torch_dtype(dtype):
        return int(dtype.itemsize)
    return int(np.dtype(dtype).itemsize)


def _batch(model: Model, inp: InputFn, u0: Any, noise: Any) -> tuple[tuple[int, ...], Any]:
    """The broadcast batch shape of every batched argument, and u0 checked (nothing is
    allocated, so that the run's memory can be checked first)."""
    state = model.state_shape
    u0_batch: tuple[int, ...] = ()
    if u0 is not None:
        if is_torch(u0):
            check_torch_finite(u0, "u0")
        else:
            u0 = check_finite_array(u0, "u0")
        u0_batch = neuron_batch_shape(u0, state, "u0")
    noise_batch = tuple(noise.shape) if is_torch(noise) else tuple(np.shape(noise))
    batch = broadcast_batch(model.batch_shape(), inp.batch_shape, u0_batch, noise_batch)
    if 0 in batch:
        raise ValueError(
            f"the batch is empty: the parameters, inputs, u0 and noise broadcast to {batch}"
        )
    return batch, u0


def _check_representable(u: Any, inp: InputFn, dtype: Any) -> None:
    """ValueError when u0 or a constant input overflows the working dtype (1e300 is finite
    in float64, infinite in float32)."""
    ops = Ops(is_torch(u))
    for name, x in (("u0", u), ("inputs", inp.value)):
        if x is not None and not isinstance(x, float) and not ops.finite(x):
            wider = " or dtype='float64'" if dtype_name(dtype) == "float32" else ""
            raise ValueError(f"{name} overflows {dtype_name(dtype)}: give smaller values{wider}")


def dtype_name(dtype: Any) -> str:
    """``float32`` for numpy's and torch's float32 alike."""
    return str(dtype).removeprefix("torch.") if is_torch_dtype(dtype) else np.dtype(dtype).name


def _allocate(shape: tuple[int, ...], u0: Any, torch_: bool, dtype: Any, device: Any) -> Any:
    """Zeros of ``shape`` (plus u0, broadcast), on the backend."""
    if torch_:
        import torch

        u = torch.zeros(shape, dtype=dtype, device=device)
        return u if u0 is None else u + torch.as_tensor(u0, dtype=dtype, device=device)
    u_np = np.zeros(shape, dtype=dtype)
    if u0 is not None:
        with np.errstate(over="ignore"):  # a u0 beyond float32 is refused after this
            u_np += u0
    return u_np


def initial_state(
    model: Model, inp: InputFn, u0: Any, noise: Any, torch_: bool, dtype: Any, device: Any
) -> Any:
    """Zeros (or u0) over the broadcast batch shape of every batched argument."""
    batch, u0 = _batch(model, inp, u0, noise)
    return _allocate(batch + model.state_shape, u0, torch_, dtype, device)


def _trajectory(
    st: LoopState,
    system: Bound,
    torch_: bool,
    dtype: Any,
    params: dict[str, Any],
    stats: dict[str, Any],
    model: Model,
) -> Trajectory:
    """Stack the saved states and compute the rates, named as the model names them."""
    if torch_:
        import torch

        U: Any = torch.stack(st.us)
        ts: Any = torch.as_tensor(st.ts, dtype=dtype)
    else:
        U = np.stack(st.us)
        ts = np.asarray(st.ts)
    with np.errstate(over="ignore", invalid="ignore"):
        rates = system.rates(U)
    return Trajectory(
        t=ts,
        u=U,
        rates=rates,
        params=params,
        stats=stats,
        state_shape=model.state_shape,
        state_vars=tuple(model.state_vars),
        output_vars=tuple(model.output_vars),
    )


def _jsonable(x: Any) -> Any:
    """A number or nested list for the JSON metadata (tensors and arrays as lists)."""
    return to_numpy(x).tolist() if is_torch(x) or isinstance(x, np.ndarray) else x
