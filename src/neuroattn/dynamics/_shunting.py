"""Shunting on-centre off-surround competition (Grossberg 1973) and its softmax limit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass
from typing import Any

import numpy as np

from ._backend import Array
from ._base import Bound, Model
from ._limits import check_units
from ._params import check_array_param, check_scalar_param
from .checks import check_finite_array, check_integer, to_numpy


@dataclass(frozen=True, eq=False)
class Shunting(Model):
    r"""Feed-forward shunting on-centre off-surround network.

    .. math::

        τ \frac{dx_i}{dt} = -A x_i + (B - x_i)\, J_i - x_i \sum_{k \ne i} J_k,
        \qquad J_i = g_i I_i

    Activities stay in [0, B] for non-negative inputs, and the equilibrium is the
    divisive normalisation

    .. math:: x_i^* = \frac{B J_i}{A + \sum_k J_k}.

    With J = exp(z) and A → 0 the equilibrium is B · softmax(z): the softmax of every
    attention layer is the steady state of this competition (see :func:`shunting_equilibrium`).

    Parameters
    ----------
    n_units : int
        Number of units.
    A : float or array of shape (*batch,)
        Passive decay rate A ≥ 0.
    B : float or array of shape (*batch,)
        Saturation level B > 0.
    tau : float or array of shape (*batch,)
        Time constant τ > 0.
    g : float or array of shape (*batch, N)
        Top-down gain on the input.

    References
    ----------
    Grossberg, S. (1973). Contour enhancement, short term memory, and constancies in
    reverberating neural networks. Studies in Applied Mathematics 52, 213–257.
    """

    n_units: int
    _: KW_ONLY
    A: Any = 1.0
    B: Any = 1.0
    tau: Any = 1.0
    g: Any = 1.0

    state_vars = ("x",)
    output_vars = ("x",)  # the activity is the output: rates(x) = x
    network_params = ("A", "B", "tau")
    neuron_params = ("g",)

    def __post_init__(self) -> None:
        object.__setattr__(self, "n_units", check_integer(self.n_units, "n_units", ge=1))
        check_units(self.n_units, f"n_units = {self.n_units}")
        object.__setattr__(self, "A", check_scalar_param(self.A, "A", nonnegative=True))
        object.__setattr__(self, "B", check_scalar_param(self.B, "B", positive=True))
        object.__setattr__(self, "tau", check_scalar_param(self.tau, "tau", positive=True))
        object.__setattr__(self, "g", check_array_param(self.g, "g"))

    @property
    def state_shape(self) -> tuple[int, ...]:
        return (int(self.n_units),)

    def _bind(self, torch_: bool, dtype: Any, device: Any) -> Bound:
        A = self._network_param("A", torch_, dtype, device)
        B = self._network_param("B", torch_, dtype, device)
        tau = self._network_param("tau", torch_, dtype, device)
        g = self._neuron_param("g", torch_, dtype, device)

        def rhs(x: Array, inputs: Array) -> Array:
            J = g * inputs + x * 0  # broadcast the drive to the state's batch shape
            total = J.sum(-1, keepdims=True)
            return (B * J - (A + total) * x) / tau

        return Bound(rhs=rhs, rates=lambda x: x, tau=tau)

    def equilibrium(self, inputs: Any) -> np.ndarray:
        """Closed-form equilibrium x* = B g I / (A + Σ_k g_k I_k)."""
        return shunting_equilibrium(
            np.asarray(self.g) * check_finite_array(inputs, "inputs"), A=self.A, B=self.B
        )

    def decay_rates(self, inputs: Any = None) -> np.ndarray | None:
        """(A + Σ_k g_k I_k)/τ, the rate of every mode (the dynamics are linear in x), for a
        constant input; None for an input that changes with time."""
        if inputs is None:
            return None
        A, tau, g, I = (
            np.asarray(to_numpy(v), dtype=np.float64) for v in (self.A, self.tau, self.g, inputs)
        )
        total = (g * I + np.zeros(self.state_shape)).sum(-1)  # (*batch,) as A and τ are
        return np.asarray((A + total) / tau)

    def spectral_operator(
        self, u: np.ndarray, inputs: Any = 0.0
    ) -> Callable[[np.ndarray], np.ndarray]:
        """J v = −(A + Σ_k J_k) v / τ (J itself: it is diagonal)."""
        u = np.asarray(u, dtype=np.float64)
        drive = np.asarray(self.g) * np.asarray(inputs, dtype=np.float64) + np.zeros_like(u)
        A = self._network_param("A", False, np.float64, None)
        tau = self._network_param("tau", False, np.float64, None)
        rate = (A + drive.sum(-1, keepdims=True)) / tau
        return lambda v: -rate * v

    def jacobian(self, u: np.ndarray, inputs: Any = 0.0) -> np.ndarray:
        """J = −diag(A + Σ_k J_k) / τ (the dynamics are linear in x)."""
        J = np.asarray(self.g) * np.asarray(inputs, dtype=np.float64) + np.zeros_like(u)
        rate = (np.asarray(self.A)[..., None] if np.ndim(self.A) else self.A) + J.sum(
            -1, keepdims=True
        )
        tau = np.asarray(self.tau, dtype=np.float64)
        tau = tau[..., None] if tau.ndim else tau
        return -(rate / tau)[..., None] * np.eye(self.n)


def shunting_equilibrium(inputs: Any, *, A: Any = 0.0, B: Any = 1.0) -> np.ndarray:
    r"""Equilibrium of the shunting network, x_i = B I_i / (A + Σ_k I_k).

    With ``inputs = exp(z)`` and ``A = 0`` this is exactly ``B * softmax(z)``
    (Grossberg 1973; the bridge from competition dynamics to attention weights).

    Parameters
    ----------
    inputs : array_like, shape (*batch, N)
        Non-negative inputs I.
    A : float or array of shape (*batch,)
        Decay A ≥ 0.
    B : float or array of shape (*batch,)
        Saturation B > 0.

    Examples
    --------
    >>> import numpy as np
    >>> z = np.array([1.0, 2.0, 3.0])
    >>> x = shunting_equilibrium(np.exp(z), A=0.0)
    >>> bool(np.allclose(x, np.exp(z) / np.exp(z).sum()))
    True
    """
    I = check_finite_array(inputs, "inputs")
    if I.ndim == 0:
        raise ValueError("inputs must have at least one axis (the units)")
    A = check_scalar_param(A, "A", nonnegative=True)
    B = check_scalar_param(B, "B", positive=True)
    A_ = np.asarray(A)[..., None] if np.ndim(A) else A
    B_ = np.asarray(B)[..., None] if np.ndim(B) else B
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        denom = A_ + I.sum(-1, keepdims=True)
        if np.any(denom == 0):
            raise ValueError("A + Σ I is zero: the equilibrium is undefined (give A > 0)")
        x = B_ * (I / denom)
    if not np.isfinite(x).all():
        raise ValueError("the equilibrium overflows: the inputs or B are too large for floats")
    return x
