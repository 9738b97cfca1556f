"""Estimating model parameters from a target trajectory or steady state."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import least_squares

from ._base import Model
from ._fit_torch import fit_torch
from ._limits import check_iterations
from ._simulate import simulate
from ._steady import steady_state
from .checks import check_choice, check_finite_array, check_integer, check_number, to_numpy

_LOWER = {"beta": 0.0, "tau": 1e-6, "A": 0.0, "B": 1e-6, "w_scale": -np.inf}


@dataclass(frozen=True)
class FitResult:
    """Result of :func:`fit`.

    Attributes
    ----------
    estimates : dict of str to float
        Fitted value of each parameter.
    residual : float
        Root-mean-square difference between model and target at the estimates.
    success : bool
        Whether the optimiser reported convergence.
    nfev : int
        Model evaluations (simulations or steady-state solves).
    message : str
        The optimiser's message.
    model : Model
        The model with the fitted parameters.
    """

    estimates: dict[str, float]
    residual: float
    success: bool
    nfev: int
    message: str
    model: Model


def _with(model: Model, names: list[str], values: Any) -> Model:
    changes: dict[str, Any] = {}
    for name, v in zip(names, values, strict=True):
        if name == "w_scale":
            changes["W"] = model.W * v  # type: ignore[attr-defined]
        else:
            changes[name] = v
    return model.replace(**changes)


def _observe(model: Model, inputs: Any, kind: str, observable: str, sim: dict[str, Any]) -> Any:
    if kind == "steady":
        ss = steady_state(model, inputs, u0=sim.get("u0"))
        return ss.rates if observable == "rates" else ss.u
    traj = simulate(model, inputs, **sim)
    return traj.rates if observable == "rates" else traj.u


def _rms(x: np.ndarray) -> float:
    """Root mean square without overflow for huge residuals (scaled by the largest)."""
    big = float(np.max(np.abs(x))) if x.size else 0.0
    return big * float(np.sqrt(np.mean(np.square(x / big)))) if big > 0 else 0.0


def _start(model: Model, names: list[str], x0: Any) -> list[float]:
    """Starting values: ``x0[name]`` (checked finite) or the model's current values."""
    if x0 is not None and not isinstance(x0, dict):
        raise TypeError(f"x0 must be a dict of starting values, got {type(x0).__name__}")
    given = x0 or {}
    return [
        check_number(given[p], f"x0[{p!r}]")
        if p in given
        else float(1.0 if p == "w_scale" else np.mean(to_numpy(getattr(model, p))))
        for p in names
    ]


def fit(
    model: Model,
    inputs: Any,
    target: Any,
    *,
    params: tuple[str, ...] | list[str] = ("beta",),
    kind: str = "steady",
    observable: str = "u",
    x0: dict[str, float] | None = None,
    backend: str = "scipy",
    steps: int = 200,
    **sim: Any,
) -> FitResult:
    r"""Estimate scalar parameters so that the model reproduces a target.

    Minimises Σ (model − target)² over the chosen parameters, each a single number shared
    by the batch, with ``scipy.optimize.least_squares`` (trust-region reflective, with
    bounds β ≥ 0, τ > 0), or with torch L-BFGS through the differentiable simulation.

    Parameters
    ----------
    model : Model
        Starting model; the fitted parameters are replaced.
    inputs : array_like
        Input used for the target.
    target : array_like or Trajectory
        ``kind="steady"``: the fixed point (shape ``(*batch, *state)``);
        ``kind="trajectory"``: an array ``(T, *batch, *state)`` at the saved times of
        ``simulate(model, inputs, **sim)``, or a :class:`Trajectory`.
    params : sequence of str
        Names among the model's parameters (``beta``, ``tau``, ``g``, …) and ``w_scale``
        (a factor on W).
    kind : {"steady", "trajectory"}
        Fit the fixed point or the whole trajectory.
    observable : {"u", "rates"}
        Compare states or rates.
    x0 : dict, optional
        Starting values; default the model's current values (1 for ``w_scale``).
    backend : {"scipy", "torch"}
        Optimiser; ``"torch"`` needs ``kind="trajectory"``.
    steps : int
        L-BFGS iterations (torch backend), at least 1 and at most
        ``LIMITS.max_iterations``.
    **sim
        Arguments of :func:`simulate` (``t_span``, ``dt``, ``method``, ``save_every``…).

    Returns
    -------
    FitResult
    """
    if not isinstance(model, Model):
        raise TypeError(f"model must be a neuroattn Model, got {type(model).__name__}")
    if isinstance(params, str) or not all(isinstance(p, str) for p in params):
        raise TypeError(f"params must be a sequence of parameter names, got {params!r}")
    names = list(params)
    valid = set(model.param_names()) | ({"w_scale"} if hasattr(model, "W") else set())
    unknown = [p for p in names if p not in valid]
    if not names or unknown:
        raise ValueError(
            f"cannot fit {unknown or 'nothing'}; choose among {', '.join(sorted(valid))}"
        )
    check_choice(kind, "kind", ("steady", "trajectory"))
    check_choice(observable, "observable", ("u", "rates"))
    check_choice(backend, "backend", ("scipy", "torch"))
    check_integer(steps, "steps", ge=1)
    check_iterations(steps, "steps")
    tgt = getattr(target, observable if observable == "u" else "rates", target)
    tgt = check_finite_array(tgt, "target")
    start = _start(model, names, x0)
    if backend == "torch":
        if kind != "trajectory":
            raise ValueError("the torch backend fits trajectories; use kind='trajectory'")
        est, resid, ok, nfev, msg = fit_torch(
            model, inputs, tgt, names, start, observable, steps, sim, _LOWER
        )
        return FitResult(est, resid, ok, nfev, msg, _with(model, names, list(est.values())))

    def residuals(x: np.ndarray) -> np.ndarray:
        out = _observe(_with(model, names, x), inputs, kind, observable, sim)
        out = np.asarray(out)
        if out.shape != tgt.shape:
            raise ValueError(f"target has shape {tgt.shape} but the model gives {out.shape}")
        return (out - tgt).ravel()

    lower = [_LOWER.get(p, -np.inf) for p in names]
    x_start = np.maximum(start, np.asarray(lower) + 1e-9)
    with np.errstate(over="ignore"):  # a huge target overflows the cost; reported as such
        sol = least_squares(residuals, x_start, bounds=(lower, np.inf), x_scale="jac")
    est = {p: float(v) for p, v in zip(names, sol.x, strict=True)}
    rms = _rms(sol.fun)
    return FitResult(
        est, rms, bool(sol.success), int(sol.nfev), str(sol.message), _with(model, names, sol.x)
    )
