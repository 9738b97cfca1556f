"""Fixed points of the models, their Jacobian spectra and stability."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._base import Model
from ._inputs import InputFn
from ._limits import LIMITS, check_iterations, within
from ._params import broadcast_batch
from ._simulate import initial_state
from .checks import check_choice, check_integer, check_number

_EIG_WORK = 1e11  # most members × n³ whose eigenvalues are computed (minutes at most)


@dataclass(frozen=True)
class SteadyState:
    """Batched fixed points u* with F(u*) = 0.

    Attributes
    ----------
    u : ndarray, shape (*batch, *state)
        The fixed points.
    rates : ndarray, shape (*batch, *state)
        f(u*).
    eigenvalues : ndarray, shape (*batch, n), complex, or None
        Eigenvalues of the Jacobian at u* (None when the grid is too large for a dense
        Jacobian or the model has no analytic one).
    stable : ndarray of bool, shape (*batch,), or None
        True where every eigenvalue has a negative real part.
    converged : ndarray of bool, shape (*batch,)
        Whether max |F(u*)| < tol was reached.
    residual : ndarray, shape (*batch,)
        max |F(u*)| per member (inf where F overflows). A member whose iteration overflowed
        keeps its last finite iterate and is not converged: ``u`` is never NaN.
    iterations : int
        Iterations used.
    """

    u: np.ndarray
    rates: np.ndarray
    eigenvalues: np.ndarray | None
    stable: np.ndarray | None
    converged: np.ndarray
    residual: np.ndarray
    iterations: int


def _resid(F: np.ndarray, k: int) -> np.ndarray:
    """max |F| per member; a NaN (an overflowing F) counts as infinite."""
    r = np.abs(F).reshape(*F.shape[: F.ndim - k], -1).max(-1)
    return np.where(np.isnan(r), np.inf, r)


def _keep_finite(new: np.ndarray, old: np.ndarray, k: int) -> np.ndarray:
    """``new`` where a member's state is finite, else its last finite iterate ``old``: an
    iteration that overflows stops there (not converged) instead of returning NaN."""
    ok = np.isfinite(new).reshape(*new.shape[: new.ndim - k], -1).all(-1)
    return np.where(ok.reshape(ok.shape + (1,) * k), new, old)


def steady_state(
    model: Model,
    inputs: Any = 0.0,
    *,
    u0: Any = None,
    method: str = "newton",
    tol: float = 1e-10,
    max_iter: int = 200,
    damping: float = 0.5,
    eig_max_n: int = 2000,
) -> SteadyState:
    r"""Find fixed points F(u*) = 0 of ``model`` under constant ``inputs``, in batch.

    Parameters
    ----------
    model : Model
        Any neuroattn model (Newton needs its analytic :meth:`~Model.jacobian`).
    inputs : array_like
        Constant input, broadcastable to ``(*batch, *state)``.
    u0 : array_like, optional
        Starting point (zeros by default). Models with several attractors (winner-take-all)
        reach the one of the starting point's basin under ``"fixed_point"``; Newton may also
        converge to unstable fixed points — check ``stable``. Passing ``traj.final`` of a
        simulation polishes the attractor that the dynamics selected.
    method : {"newton", "fixed_point"}
        Batched Newton with backtracking (solves J δ = −F), or damped fixed-point
        iteration u ← u + damping · τ F(u).
    tol : float
        Convergence tolerance on max |F(u)|.
    max_iter : int
        Iteration limit (at most ``LIMITS.max_iterations``).
    damping : float
        Step factor of the fixed-point iteration, in (0, 1].
    eig_max_n : int
        Largest number of units for which the Jacobian's eigenvalues are computed (and
        only while members × n³ ≤ 10¹¹, minutes of work).

    Returns
    -------
    SteadyState
    """
    if not isinstance(model, Model):
        raise TypeError(f"model must be a neuroattn Model, got {type(model).__name__}")
    check_choice(method, "method", ("newton", "fixed_point"))
    if callable(inputs) or not np.ndim(inputs) >= 0:
        raise ValueError("steady_state needs constant inputs, not a function of time")
    check_number(damping, "damping", gt=0, le=1)
    check_number(tol, "tol", gt=0)
    check_iterations(check_integer(max_iter, "max_iter", ge=0), "max_iter")
    check_integer(eig_max_n, "eig_max_n", ge=0)
    if model.uses_torch():
        raise TypeError("steady_state works in numpy; give the model numpy parameters")
    state = model.state_shape
    k = len(state)
    inp = InputFn(inputs, state, False, np.float64)
    I = inp.value
    if method == "newton":  # one dense n × n Jacobian per batch member
        members = math.prod(broadcast_batch(model.batch_shape(), inp.batch_shape))
        what = f"Newton's {members} Jacobian(s) of {model.n} × {model.n} (fixed_point needs none)"
        within(members * float(model.n) ** 2, LIMITS.max_weights, what, "LIMITS.max_weights",
               "matrix entries")  # fmt: skip
    bound = model.bind(False, np.float64)
    u = initial_state(model, inp, u0, 0.0, False, np.float64, None)
    batch = u.shape[: u.ndim - k]
    tau = np.asarray(bound.tau) + np.zeros(batch + (1,) * k)

    def F(x: np.ndarray) -> np.ndarray:
        return bound.rhs(x, I)

    with np.errstate(over="ignore", invalid="ignore"):
        Fu = F(u)
        res = _resid(Fu, k)
        it = 0
        for it in range(1, max_iter + 1):  # noqa: B007
            if np.all(res < tol):
                break
            if method == "fixed_point":
                new = u + damping * tau * Fu
            else:
                new = _backtrack(F, u, _newton_step(model, u, I, Fu), res, k)
            u = _keep_finite(new, u, k)
            Fu = F(u)
            res = _resid(Fu, k)
    eig, stable = _spectrum(model, u, I, eig_max_n)
    return SteadyState(
        u=u,
        rates=np.asarray(bound.rates(u)),
        eigenvalues=eig,
        stable=stable,
        converged=res < tol,
        residual=res,
        iterations=it,
    )


def _jacobian(model: Model, u: np.ndarray, I: Any) -> np.ndarray:
    batch = u.shape[: u.ndim - len(model.state_shape)]
    return model.jacobian(u, I) + np.zeros((*batch, model.n, model.n))


def _newton_step(model: Model, u: np.ndarray, I: Any, Fu: np.ndarray) -> np.ndarray:
    """δ solving J δ = −F (least squares where J is singular), shaped like u."""
    J = _jacobian(model, u, I)
    rhs = -Fu.reshape(*J.shape[:-1], 1)
    try:
        step = np.linalg.solve(J, rhs)[..., 0]
    except np.linalg.LinAlgError:  # singular Jacobian: least-squares step
        step = (np.linalg.pinv(J) @ rhs)[..., 0]
    return step.reshape(u.shape)


def _spectrum(
    model: Model, u: np.ndarray, I: Any, eig_max_n: int
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Jacobian eigenvalues at u and stability (all real parts < 0), where affordable."""
    members = u.size // max(1, model.n)
    if model.n > eig_max_n or members * float(model.n) ** 3 > _EIG_WORK:
        return None, None
    try:
        eig = np.linalg.eigvals(_jacobian(model, u, I))
    except NotImplementedError:
        return None, None
    return eig, np.all(eig.real < 0, axis=-1)


def _backtrack(F: Any, u: np.ndarray, step: np.ndarray, res: np.ndarray, k: int) -> np.ndarray:
    """Halve each member's Newton step until its residual does not grow (at most 20 times)."""
    lam = np.ones(res.shape)
    expand = (...,) + (None,) * k
    for _ in range(20):
        trial = u + lam[expand] * step
        r = _resid(F(trial), k)
        bad = ~(r <= res) & (lam > 1e-6)
        if not bad.any():
            return trial
        lam = np.where(bad, lam / 2, lam)
    return u + lam[expand] * step
