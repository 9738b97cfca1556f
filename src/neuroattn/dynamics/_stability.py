"""Is a fixed step inside the method's region of absolute stability?

An explicit Runge–Kutta method applied to the linear mode du/dt = λ u multiplies it by
R(dt λ) per step, R the method's stability polynomial (1 + z for Euler, the Taylor
polynomial of e^z to order 4 for RK4). A mode that decays (Re λ < 0) but has |R(dt λ)| > 1
grows by the step alone: the numbers can stay finite (−3e231 after ten RK4 steps of
dt = 1e6) and still mean nothing. :func:`simulate` checks this twice, at no cost per step:

* before a fixed-step run, on the decay every state shows (:meth:`Model.decay_rates`:
  λ = −1/τ for the rate models, whose units decay at that rate wherever they are silent
  or saturated; −(A + Σ g I)/τ, the whole spectrum, for the shunting network);
* after it, on the Jacobian's eigenvalues at the final state and one step further. First
  a bound, when the model has one (:meth:`Model.jacobian_floor`: L symmetric and f' ≥ 0;
  the field's kernel from its Fourier transform, the WTA network's two eigenvalues, the
  ∞-norm of L diag f'); when it leaves the question open, small batches of Jacobians
  (``2 × members × n³ ≤`` :data:`EIG_BUDGET`, or n ≤ 48) are decomposed exactly, and on
  larger systems :data:`KRYLOV_STEPS` Arnoldi steps on J v products
  (:meth:`Model.spectral_operator`, :func:`~._krylov.arnoldi_ritz`), batched over the
  members, estimate the outermost eigenvalues, and a Ritz value within 0.1 % of an
  eigenvalue (by its residual) that lies outside the region is reported. That costs
  ``2 × KRYLOV_STEPS`` applications of J to the whole batch, about as much as 12 RK4 steps,
  and ``KRYLOV_STEPS + 1`` copies of the state (the basis is cut to at most
  :data:`KRYLOV_MEMORY` bytes). What it can miss: decaying modes of small |λ| near the
  imaginary axis that lie outside the region while the outer ones do not (Arnoldi finds
  the outer ones first), and eigenvalues whose Ritz values have not converged in the
  steps taken (clustered outer spectra, e.g. random dense weights).

The second check also catches a run that ended on a fixed point of the method that the
equation does not have (the step leaves the state in place although du/dt is not small).
Any finding ends the run with ``Status.UNSTABLE_STEP``.

The Jacobian at the initial state is not used: a steep sigmoid at its threshold gives large
eigenvalues that the state leaves in a step or two, and refusing those runs would refuse
good ones.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._base import Model
from ._krylov import arnoldi_ritz
from ._solvers import Solver
from .checks import to_numpy

EIG_BUDGET = 2**16
"""Largest ``members × n³`` for which the final state's Jacobians are decomposed (≈ 1 ms)."""

KRYLOV_STEPS = 24
"""Arnoldi steps per Jacobian on larger systems (each one J v product for the whole batch)."""

KRYLOV_MEMORY = 2**28
"""Most bytes of the Arnoldi basis; fewer steps are taken when it would need more."""

_RITZ_TOL = 1e-3  # a Ritz value counts when its residual is below this fraction of |θ|

_SLACK = 1e-6  # |R| above 1 + this counts as growth (rounding puts |R| a hair above 1)


def amplification(solver: Solver, z: Any) -> np.ndarray | None:
    """|R(z)| of the solver's stability polynomial, or None when it declares none."""
    poly = getattr(solver, "stability_poly", None)
    if poly is None:
        return None
    z = np.asarray(z, dtype=np.complex128)
    with np.errstate(over="ignore", invalid="ignore"):
        return np.abs(np.polynomial.polynomial.polyval(z, poly))


def real_limit(solver: Solver) -> float:
    """The largest x with |R(−y)| ≤ 1 for every y in (0, x]: the stable dt·rate of a decay."""
    poly = np.asarray(getattr(solver, "stability_poly", None) or (1.0, 1.0))
    # R(−x) = ±1 at the ends of the stable interval; the smallest positive real root
    roots = []
    for sign in (1.0, -1.0):
        shifted = poly * (-1.0) ** np.arange(poly.size)  # coefficients of R(−x)
        shifted[0] -= sign
        r = np.polynomial.polynomial.polyroots(shifted)
        roots += [x.real for x in r if abs(x.imag) < 1e-9 and x.real > 1e-9]
    return float(min(roots)) if roots else np.inf


def fewest_steps(solver: Solver, span: float, rates: Any) -> float:
    """A lower bound on the steps an adaptive run over ``span`` takes: its step is held
    within the stability region of the fastest decay (0 when no decay is known).

    Once the error estimate no longer limits the step, rounding errors in a decaying mode
    grow whenever dt × rate leaves the region, the estimate grows with them and the step
    is cut back: over a long span the step stays near ``real_limit / rate``.
    """
    if rates is None or getattr(solver, "stability_poly", None) is None:
        return 0.0
    fastest = float(np.max(np.asarray(to_numpy(rates), dtype=np.float64), initial=0.0))
    return span * fastest / real_limit(solver)


def check_decay(solver: Solver, dt: float, rates: Any) -> str | None:
    """The message when dt × some decay rate lies outside the stability region, else None."""
    if rates is None:
        return None
    rates = np.asarray(to_numpy(rates), dtype=np.float64)
    amp = amplification(solver, -dt * rates)
    if amp is None or not np.any(amp > 1 + _SLACK):
        return None
    worst = float(np.max(np.where(amp > 1 + _SLACK, rates, 0.0)))
    return (
        f"dt = {dt:.4g} is outside {solver.name}'s stability region for the decay at rate "
        f"{worst:.3g} (1/τ): every step multiplies an error by {float(np.max(amp)):.4g}; "
        f"take dt <= {real_limit(solver) / worst:.3g} or method='dopri5'"
    )


def check_final(
    solver: Solver, dt: float, model: Model, u: Any, inputs: Any, f: Any, t: float
) -> str | None:
    """The message when the step amplifies a decaying mode of the Jacobian at the final
    state ``u`` (numpy) or at the state one step further, else None (None too when the
    model offers no Jacobian). The second state catches a run that alternates between two
    regions, e.g. silent and active rectified units, and ended in the calm one.
    """
    if getattr(solver, "stability_poly", None) is None:
        return None
    with np.errstate(all="ignore"):
        after = solver.step(f, t, u, dt)
        states = np.stack([u, after]).astype(np.float64)
        eig = _eigenvalues(solver, dt, model, states, inputs)
        amp = amplification(solver, dt * eig)
        bad = (eig.real < 0) & (amp > 1 + _SLACK)  # type: ignore[operator]
        if not bad.any():
            return _spurious_fixed_point(solver, dt, u, after, f(t, u))
    worst = float(np.max(amp[bad]))  # type: ignore[index]
    lam = eig[bad][np.argmax(amp[bad])]  # type: ignore[index]
    return (
        f"dt = {dt:.4g} is outside {solver.name}'s stability region at the final state: the "
        f"Jacobian's eigenvalue {lam:.3g} decays, but every step multiplies it by "
        f"{worst:.4g}; the result is not to be trusted: take dt below about "
        f"{real_limit(solver) / abs(lam):.3g} or method='dopri5'"
    )


def _eigenvalues(
    solver: Solver, dt: float, model: Model, states: np.ndarray, inputs: Any
) -> np.ndarray:
    """Nothing when the model's floor settles it, else the eigenvalues of the Jacobians
    (all of them where they are few, :data:`EIG_BUDGET`, or n ≤ 2 · KRYLOV_STEPS and the
    matrices take at most 32 MiB) or their outermost ones."""
    floor = model.jacobian_floor(states)
    if floor is not None and dt * -float(np.min(floor)) <= real_limit(solver) * (1 - 1e-9):
        return np.zeros(1, dtype=np.complex128)  # all real, in [−limit/dt, ∞): no decay grows
    n = model.n
    members = states.size // max(1, n)
    if members * float(n) ** 3 <= EIG_BUDGET or (
        n <= 2 * KRYLOV_STEPS and members * n * n <= 2**22
    ):
        return _exact_eigenvalues(model, states, inputs)
    return _outer_eigenvalues(model, states, inputs)


def _exact_eigenvalues(model: Model, states: np.ndarray, inputs: Any) -> np.ndarray:
    """Every eigenvalue of the Jacobians at ``states`` (none when there is no Jacobian)."""
    try:
        return np.linalg.eigvals(model.jacobian(states, inputs)).ravel()
    except (NotImplementedError, np.linalg.LinAlgError, ValueError):
        return np.zeros(1)


def _outer_eigenvalues(model: Model, states: np.ndarray, inputs: Any) -> np.ndarray:
    """The converged Ritz values of :data:`KRYLOV_STEPS` Arnoldi steps on each Jacobian
    (shape ``(members, steps)``, NaN for those not converged), or nothing when the model
    has no Jacobian operator or the basis would not fit :data:`KRYLOV_MEMORY`."""
    none = np.zeros(1, dtype=np.complex128)
    n = model.n
    batch = states.size // n
    steps = min(KRYLOV_STEPS, KRYLOV_MEMORY // (8 * batch * n) - 1)
    if steps < 2:
        return none
    try:
        apply = model.spectral_operator(states, inputs)
    except NotImplementedError:
        return none
    shape = states.shape

    def matvec(X: np.ndarray) -> np.ndarray:
        return np.broadcast_to(apply(X.reshape(shape)), shape).reshape(batch, n)

    theta, residual = arnoldi_ritz(matvec, batch, n, steps)
    converged = np.isfinite(theta) & (residual <= _RITZ_TOL * np.abs(theta))
    return np.where(converged, theta, np.nan)  # (batch, steps): NaN where not converged


def _spurious_fixed_point(
    solver: Solver, dt: float, u: np.ndarray, after: np.ndarray, du: np.ndarray
) -> str | None:
    """The message when a step leaves the state in place (to 1e-3 of dt |du/dt|) although
    du/dt is not small: a fixed point of the method that the equation does not have (a
    step at the edge of stability, whose stages jump between regions of the activation)."""
    speed = float(np.max(np.abs(du))) if du.size else 0.0
    moved = float(np.max(np.abs(after - u))) if u.size else 0.0
    scale = 1.0 + float(np.max(np.abs(u))) if u.size else 1.0
    if not (dt * speed > 1e-9 * scale and moved <= 1e-3 * dt * speed):
        return None
    return (
        f"dt = {dt:.4g} is too large for {solver.name}: the run ended on a fixed point of the "
        f"method, not of the equation (|du/dt| = {speed:.3g} there, yet a step does not "
        "move the state); the result is not to be trusted: take a smaller dt or "
        "method='dopri5'"
    )
