"""Integration methods as small strategy objects (the diffrax habit).

Fixed-step methods expose ``step(f, t, u, dt)``; the adaptive method exposes
``attempt(f, t, u, dt, k1)`` returning the fifth-order solution, an error estimate and the
derivative at the new point (first-same-as-last). All work on numpy arrays and on torch
tensors alike; ``t`` and ``dt`` may be floats or arrays broadcastable against ``u``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ._backend import Array

RHS = Callable[[Any, Array], Array]


@dataclass(frozen=True)
class Euler:
    """Forward Euler, u ← u + dt f(t, u). Order 1."""

    name = "euler"
    order = 1
    stages = 1  # right-hand-side evaluations per step
    adaptive = False
    stochastic = True

    def step(self, f: RHS, t: Any, u: Array, dt: Any) -> Array:
        return u + dt * f(t, u)


@dataclass(frozen=True)
class EulerMaruyama(Euler):
    """Euler–Maruyama for additive noise, u ← u + dt f(t, u) + (σ/τ) √dt ξ. Strong order 1/2
    (order 1 for additive noise); the noise term is added by :func:`simulate`."""

    name = "euler_maruyama"


@dataclass(frozen=True)
class Heun:
    """Heun's method (explicit trapezoidal rule). Order 2."""

    name = "heun"
    order = 2
    stages = 2
    adaptive = False
    stochastic = False

    def step(self, f: RHS, t: Any, u: Array, dt: Any) -> Array:
        k1 = f(t, u)
        k2 = f(t + dt, u + dt * k1)
        return u + (0.5 * dt) * (k1 + k2)


@dataclass(frozen=True)
class RK4:
    """The classical fourth-order Runge–Kutta method. Order 4."""

    name = "rk4"
    order = 4
    stages = 4
    adaptive = False
    stochastic = False

    def step(self, f: RHS, t: Any, u: Array, dt: Any) -> Array:
        k1 = f(t, u)
        k2 = f(t + 0.5 * dt, u + (0.5 * dt) * k1)
        k3 = f(t + 0.5 * dt, u + (0.5 * dt) * k2)
        k4 = f(t + dt, u + dt * k3)
        return u + (dt / 6.0) * (k1 + 2 * k2 + 2 * k3 + k4)


# Dormand–Prince 5(4) tableau (Dormand & Prince 1980, J. Comput. Appl. Math. 6, 19–26).
_C = (0.0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1.0, 1.0)
_A = (
    (),
    (1 / 5,),
    (3 / 40, 9 / 40),
    (44 / 45, -56 / 15, 32 / 9),
    (19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729),
    (9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656),
    (35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84),
)
# difference between the fifth- and fourth-order weights
_E = (
    71 / 57600,
    0.0,
    -71 / 16695,
    71 / 1920,
    -17253 / 339200,
    22 / 525,
    -1 / 40,
)


@dataclass(frozen=True)
class Dopri5:
    """Dormand–Prince 5(4) with per-member step-size control.

    A step of member m is accepted when the RMS over its state of
    ``err / (atol + rtol · max(|u|, |u_new|))`` is at most one; each member of a batch keeps
    its own step size and time.

    Parameters
    ----------
    rtol, atol : float
        Relative and absolute tolerances.
    safety, min_factor, max_factor : float
        Step-size controller: ``dt ← dt · clip(safety · err^(-1/5), min_factor, max_factor)``.
    dt_min : float
        Smallest step before the integration is declared failed.

    References
    ----------
    Dormand, J. R. & Prince, P. J. (1980). A family of embedded Runge–Kutta formulae.
    J. Comput. Appl. Math. 6, 19–26. Hairer, Nørsett & Wanner (1993), Solving ODEs I, II.4.
    """

    rtol: float = 1e-6
    atol: float = 1e-9
    safety: float = 0.9
    min_factor: float = 0.2
    max_factor: float = 10.0
    dt_min: float = 1e-12

    name = "dopri5"
    order = 5
    adaptive = True
    stochastic = False

    def __post_init__(self) -> None:
        if not (self.rtol > 0 and self.atol >= 0):
            raise ValueError(f"rtol must be > 0 and atol >= 0, got {self.rtol}, {self.atol}")

    def attempt(self, f: RHS, t: Any, u: Array, dt: Any, k1: Array) -> tuple[Array, Array, Array]:
        """One trial step: ``(u_new, error_estimate, f(t + dt, u_new))``."""
        ks = [k1]
        for i in range(1, 6):
            incr = sum(a * k for a, k in zip(_A[i], ks, strict=True) if a != 0.0)
            ks.append(f(t + _C[i] * dt, u + dt * incr))
        u_new = u + dt * sum(a * k for a, k in zip(_A[6], ks, strict=True) if a != 0.0)
        k7 = f(t + dt, u_new)
        ks.append(k7)
        err = dt * sum(e * k for e, k in zip(_E, ks, strict=True) if e != 0.0)
        return u_new, err, k7


METHODS: dict[str, type] = {
    "euler": Euler,
    "euler_maruyama": EulerMaruyama,
    "heun": Heun,
    "rk4": RK4,
    "dopri5": Dopri5,
    "adaptive": Dopri5,
}

Method = Euler | Heun | RK4 | Dopri5


def get_method(spec: Any, noise: bool) -> Any:
    """Resolve a method name or object; ``"auto"`` is Dopri5, or Euler–Maruyama with noise."""
    if spec is None or spec == "auto":
        return EulerMaruyama() if noise else Dopri5()
    if isinstance(spec, str):
        try:
            return METHODS[spec]()
        except KeyError:
            raise ValueError(
                f"unknown method {spec!r}; choose one of auto, {', '.join(sorted(METHODS))}"
            ) from None
    if hasattr(spec, "step") or hasattr(spec, "attempt"):
        return spec
    raise TypeError(f"method must be a name or a solver object, got {type(spec).__name__}")
