"""Integration methods as small strategy objects (the diffrax habit).

Every method is a :class:`Solver` with one step interface, ``step(f, t, u, dt)``, that the
fixed-step loop calls; the adaptive method adds ``attempt(f, t, u, dt, k1)`` returning the
fifth-order solution, an error estimate and the derivative at the new point
(first-same-as-last). All work on numpy arrays and on torch tensors alike; ``t`` and ``dt``
may be floats or arrays broadcastable against ``u``.

Two capabilities belong to the solver, not to :func:`simulate`: noise
(:meth:`Solver.with_noise`; Euler–Maruyama adds its own increments) and an in-place numpy
fast path (:meth:`Solver.in_place`; forward Euler on a model that offers one).
:data:`METHODS` is the one registry of method names.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from ._backend import Array
from ._noise import AdditiveNoise
from .checks import check_number

if TYPE_CHECKING:
    from ._base import Bound, FastEuler
    from ._inputs import InputFn

RHS = Callable[[Any, Array], Array]


class Solver:
    """Base class of the integration methods: an explicit one-step scheme for du/dt = f(t, u).

    Subclasses set the class attributes and implement :meth:`step`; an adaptive method
    (``adaptive = True``) also implements ``attempt`` and carries its tolerances.

    Attributes
    ----------
    name : str
        The method's name (a key of :data:`METHODS` for the built-in ones).
    order : int
        Order of convergence.
    stages : int
        Right-hand-side evaluations per step.
    adaptive : bool
        Integrated by the adaptive loop (step-size control) rather than the fixed-step one.
    stochastic : bool
        Accepts additive noise (:meth:`with_noise`).
    stability_poly : tuple of float or None
        Coefficients (ascending) of the stability polynomial R(z): one step multiplies the
        mode du/dt = λ u by R(dt λ). :func:`simulate` uses it to refuse a fixed step outside
        the region |R| ≤ 1 (``Status.UNSTABLE_STEP``); None (a solver of your own, unless
        it sets one) skips that check.
    """

    name: ClassVar[str] = "solver"
    order: ClassVar[int] = 1
    stages: ClassVar[int] = 1
    adaptive: ClassVar[bool] = False
    stochastic: ClassVar[bool] = False
    stability_poly: ClassVar[tuple[float, ...] | None] = None

    def step(self, f: RHS, t: Any, u: Array, dt: Any) -> Array:
        """The state after one step of size ``dt`` from ``(t, u)``."""
        raise NotImplementedError  # pragma: no cover - abstract

    def with_noise(self, noise: AdditiveNoise) -> Solver:
        """This solver with additive noise: each step adds ``noise(u, dt)``.

        Raises ValueError unless the solver is ``stochastic``.
        """
        raise ValueError(needs_noise_support(self))

    def in_place(self, system: Bound, inputs: InputFn, dt: float) -> FastEuler | None:
        """An in-place numpy stepper for this run, or None when the solver has none.

        The fixed-step loop uses it instead of :meth:`step` when it is given, with the same
        numbers (to rounding) at a fraction of the cost.
        """
        return None


def needs_noise_support(solver: Solver) -> str:
    """The message for noise given to a solver that takes none."""
    return f"noise > 0 needs method 'euler_maruyama' (or 'euler'), not {solver.name!r}"


@dataclass(frozen=True)
class Euler(Solver):
    """Forward Euler, u ← u + dt f(t, u). Order 1.

    With noise it runs as :class:`EulerMaruyama`. On a model with a fast Euler step (the
    rate models with one weight matrix) and a constant input it steps in place on numpy
    arrays (:meth:`in_place`).
    """

    name = "euler"
    order = 1
    stages = 1
    adaptive = False
    stochastic = True
    stability_poly = (1.0, 1.0)  # R(z) = 1 + z

    def step(self, f: RHS, t: Any, u: Array, dt: Any) -> Array:
        """u + dt f(t, u)."""
        return u + dt * f(t, u)

    def with_noise(self, noise: AdditiveNoise) -> Solver:
        """:class:`EulerMaruyama` adding ``noise``."""
        return EulerMaruyama(noise=noise)

    def in_place(self, system: Bound, inputs: InputFn, dt: float) -> FastEuler | None:
        """The model's in-place Euler stepper when it has one and the input is constant."""
        if system.euler_factory is None or not inputs.constant:
            return None
        return system.euler_factory(dt, inputs.value)


@dataclass(frozen=True)
class EulerMaruyama(Euler):
    """Euler–Maruyama for additive noise, u ← u + dt f(t, u) + (σ/τ) √dt ξ, ξ ~ N(0, 1).

    Strong order 1/2 in general, 1 for additive noise. Without noise it is forward Euler.

    Parameters
    ----------
    noise : AdditiveNoise, optional
        The increments it adds (one seeded stream); :func:`simulate` sets them from its
        ``noise`` and ``seed`` arguments.
    """

    noise: AdditiveNoise | None = field(default=None, repr=False, compare=False)

    name = "euler_maruyama"

    def step(self, f: RHS, t: Any, u: Array, dt: Any) -> Array:
        """u + dt f(t, u) + (σ/τ) √dt ξ."""
        new = u + dt * f(t, u)
        if self.noise is None:
            return new
        return new + self.noise(u, dt)

    def with_noise(self, noise: AdditiveNoise) -> Solver:
        """A copy adding ``noise``."""
        return dataclasses.replace(self, noise=noise)

    def in_place(self, system: Bound, inputs: InputFn, dt: float) -> FastEuler | None:
        """Euler's in-place stepper followed by the noise increment, in place."""
        fast = super().in_place(system, inputs, dt)
        if fast is None or self.noise is None:
            return fast
        deterministic, s, noise = fast.step, fast.scale, self.noise

        def noisy_step(z: Array) -> None:  # z = s u − c, so dz = s du
            deterministic(z)
            z += s * noise(z, dt)

        return dataclasses.replace(fast, step=noisy_step)


@dataclass(frozen=True)
class Heun(Solver):
    """Heun's method (explicit trapezoidal rule). Order 2."""

    name = "heun"
    order = 2
    stages = 2
    stability_poly = (1.0, 1.0, 0.5)  # R(z) = 1 + z + z²/2

    def step(self, f: RHS, t: Any, u: Array, dt: Any) -> Array:
        """u + dt/2 (k1 + k2), k1 = f(t, u), k2 = f(t + dt, u + dt k1)."""
        k1 = f(t, u)
        k2 = f(t + dt, u + dt * k1)
        return u + (0.5 * dt) * (k1 + k2)


@dataclass(frozen=True)
class RK4(Solver):
    """The classical fourth-order Runge–Kutta method. Order 4."""

    name = "rk4"
    order = 4
    stages = 4
    stability_poly = (1.0, 1.0, 1 / 2, 1 / 6, 1 / 24)  # e^z to fourth order

    def step(self, f: RHS, t: Any, u: Array, dt: Any) -> Array:
        """u + dt/6 (k1 + 2 k2 + 2 k3 + k4)."""
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
class Dopri5(Solver):
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
    stages = 6  # per attempt: the seventh evaluation is the next attempt's first
    adaptive = True
    # e^z to fifth order plus z⁶/600: bounds the steps a long run takes, up front
    stability_poly = (1.0, 1.0, 1 / 2, 1 / 6, 1 / 24, 1 / 120, 1 / 600)

    def __post_init__(self) -> None:
        check_number(self.rtol, "Dopri5.rtol", gt=0)
        check_number(self.atol, "Dopri5.atol", ge=0)
        check_number(self.safety, "Dopri5.safety", gt=0, le=1)
        check_number(self.min_factor, "Dopri5.min_factor", gt=0, le=1)
        check_number(self.max_factor, "Dopri5.max_factor", ge=1)
        check_number(self.dt_min, "Dopri5.dt_min", gt=0)

    def step(self, f: RHS, t: Any, u: Array, dt: Any) -> Array:
        """The fifth-order solution after one step of size ``dt`` (no step-size control)."""
        return self.attempt(f, t, u, dt, f(t, u))[0]

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


METHODS: dict[str, type[Solver]] = {
    "euler": Euler,
    "euler_maruyama": EulerMaruyama,
    "heun": Heun,
    "rk4": RK4,
    "dopri5": Dopri5,
    "adaptive": Dopri5,
}
"""The one registry of method names: ``simulate(method=name)`` builds ``METHODS[name]()``."""


def available_methods() -> list[str]:
    """Names accepted by ``simulate(method=...)`` besides ``"auto"``, read from METHODS."""
    return sorted(METHODS)


def get_method(spec: Any, noise: bool) -> Solver:
    """Resolve a method name or object; ``"auto"`` is Dopri5, or Euler–Maruyama with noise."""
    if spec is None or (isinstance(spec, str) and spec == "auto"):
        return EulerMaruyama() if noise else Dopri5()
    if isinstance(spec, str):
        try:
            return METHODS[spec]()
        except KeyError:
            raise ValueError(
                f"unknown method {spec!r}; choose one of auto, {', '.join(available_methods())}"
            ) from None
    if isinstance(spec, Solver):
        return spec
    if isinstance(spec, type) and issubclass(spec, Solver):
        raise TypeError(
            f"method must be a name or a Solver, got the class {spec.__name__}: "
            f"pass an instance, {spec.__name__}()"
        )
    if hasattr(spec, "step") or hasattr(spec, "attempt"):
        warnings.warn(
            f"a solver object that is not a neuroattn.dynamics.Solver ({type(spec).__name__}) "
            "is deprecated: subclass Solver",
            DeprecationWarning,
            stacklevel=3,
        )
        return _Foreign(spec)
    raise TypeError(f"method must be a name or a Solver, got {type(spec).__name__}")


class _Foreign(Solver):
    """A solver-like object that does not subclass :class:`Solver` (deprecated), adapted:
    its attributes are read through, and noise is added after its step as it used to be."""

    def __init__(self, obj: Any, noise: AdditiveNoise | None = None) -> None:
        self._obj = obj
        self._noise = noise
        for attr in ("name", "order", "stages", "adaptive", "stochastic"):
            default = getattr(Solver, attr)
            if attr == "stages" and getattr(obj, "adaptive", False):
                default = 6  # what the adaptive loop counted per attempt before Solver
            setattr(self, attr, getattr(obj, attr, default))

    def __getattr__(self, attr: str) -> Any:  # rtol, atol, attempt, … of an adaptive one
        return getattr(self._obj, attr)

    def step(self, f: RHS, t: Any, u: Array, dt: Any) -> Array:
        new = self._obj.step(f, t, u, dt)
        return new if self._noise is None else new + self._noise(u, dt)

    def with_noise(self, noise: AdditiveNoise) -> Solver:
        if not self.stochastic:
            return super().with_noise(noise)
        return _Foreign(self._obj, noise)
