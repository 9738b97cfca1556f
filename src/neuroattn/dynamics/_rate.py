"""Rate models of the form τ du/dt = −u + L[f(u)] + g ⊙ I.

L is a linear lateral operator: a weight matrix for the source's competition equation
and for the winner-take-all network, a convolution for the neural fields. The shared
structure gives every such model the same right-hand side, Jacobian and fast Euler step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass
from typing import Any

import numpy as np

from ._activations import Activation, get_activation
from ._backend import Array
from ._base import Bound, FastEuler, Model
from ._connectivity import check_weights
from ._limits import check_units
from ._params import check_array_param, check_scalar_param, check_torch_finite, to_backend
from .checks import check_integer, is_torch, to_numpy

Lateral = Callable[[Array], Array]


class RateModel(Model):
    """Base of models τ du/dt = −u + L[f(u)] + g ⊙ I (+ noise, added by the solver).

    The state is the activity u and the output the rate f(u).
    """

    state_vars = ("u",)
    output_vars = ("rate",)
    activation: Any
    tau: Any
    g: Any

    def _validate_common(self) -> None:
        object.__setattr__(self, "activation", get_activation(self.activation))
        object.__setattr__(self, "tau", check_scalar_param(self.tau, "tau", positive=True))
        object.__setattr__(self, "g", check_array_param(self.g, "g"))

    # --- what subclasses provide -------------------------------------------------------
    def _lateral(self, torch_: bool, dtype: Any, device: Any) -> tuple[Lateral, Any]:
        """Return ``(op, L)``: the operator on rates ``(*batch, *state)`` and its matrix.

        ``L`` (shape ``(n, n)``, ``L[f(u)] = L @ f(u)`` for one network) enables the numpy
        fast Euler path; it is None when the operator is not one shared matrix.
        """
        raise NotImplementedError  # pragma: no cover

    def lateral_matrix(self) -> np.ndarray:
        """Dense matrix of L, shape ``(*batch, n, n)`` with ``L[f(u)]_i = Σ_j L_ij f(u_j)``."""
        raise NotImplementedError  # pragma: no cover

    # --- shared machinery --------------------------------------------------------------
    def _bind(self, torch_: bool, dtype: Any, device: Any) -> Bound:
        act: Activation = self.activation
        tau = self._network_param("tau", torch_, dtype, device)
        g = self._neuron_param("g", torch_, dtype, device)
        lateral, matrix = self._lateral(torch_, dtype, device)

        f = act.f_numpy if (act.f_numpy is not None and not torch_) else act.f
        inv_tau = 1.0 / tau
        cache: list[Any] = [None, None]  # the last input and its drive g ⊙ I / τ

        def rhs(u: Array, inputs: Array) -> Array:
            if inputs is not cache[0]:  # a constant input is scaled once, not every call
                cache[0], cache[1] = inputs, g * inputs * inv_tau
            return (lateral(f(u)) - u) * inv_tau + cache[1]

        euler = None
        if not torch_ and matrix is not None and isinstance(tau, float):
            euler = _euler_factory(act, matrix, tau, g)
        return Bound(rhs=rhs, rates=act.f, tau=tau, euler_factory=euler)

    def decay_rates(self, inputs: Any = None) -> np.ndarray | None:
        """1/τ for the activations with a flat region (``relu``, ``sigmoid``, ``tanh``):
        wherever a unit is silent or saturated (f' = 0) it decays at that rate. None for
        the others (``linear``, callables), whose units may never decay at 1/τ."""
        if self.activation.name not in ("relu", "sigmoid", "tanh"):
            return None
        return 1.0 / np.asarray(to_numpy(self.tau), dtype=np.float64)

    def lateral_eigen_range(self) -> tuple[Any, Any] | None:
        """(smallest, largest) eigenvalue of L when L is symmetric (its spectrum real) and
        they are cheap to know, per network; None otherwise."""
        return None

    def _symmetric_lateral(self) -> bool:
        """True when L is a symmetric matrix."""
        return self.lateral_eigen_range() is not None

    def _linear_lateral(self) -> Lateral:
        """L as a numpy operator on rates ``(*batch, *state)`` (float64, no offsets)."""
        return self._lateral(False, np.float64, None)[0]

    def spectral_operator(
        self, u: np.ndarray, inputs: Any = 0.0
    ) -> Callable[[np.ndarray], np.ndarray]:
        """J v = (L[f'(u) ⊙ v] − v) / τ; for a symmetric L and f' ≥ 0 the similar symmetric
        form (√f' ⊙ L[√f' ⊙ v] − v) / τ (L D and D^½ L D^½ share their eigenvalues, D =
        diag f'). One lateral product per application."""
        u = np.asarray(u, dtype=np.float64)
        with np.errstate(all="ignore"):
            slope = np.asarray(self.activation.df(u), dtype=np.float64)
        lateral = self._linear_lateral()
        tau = self._network_param("tau", False, np.float64, None)
        if self._symmetric_lateral() and np.all(slope >= 0):
            root = np.sqrt(slope)
            return lambda v: (root * lateral(root * v) - v) / tau
        return lambda v: (lateral(slope * v) - v) / tau

    def _abs_lateral(self) -> Lateral | None:
        """d ↦ |L| d (entrywise |L_ij|) as a numpy operator, or None when not offered."""
        return None

    def jacobian_floor(self, u: np.ndarray) -> np.ndarray | None:
        """A lower bound on the eigenvalues of J = (−1 + L D) / τ (D = diag f'(u)) per state,
        when L is symmetric and f' ≥ 0; None otherwise.

        Then L D has the nonzero eigenvalues of the symmetric D^½ L D^½: all real, and at
        least −1 + max(dmax · min(0, λ_min L), −‖L D‖∞) before dividing by τ, the first
        from its Rayleigh quotients (exact when f' is the same at every unit), the second
        from the ∞-norm ‖L D‖∞ = max_i Σ_j |L_ij| f'_j, which bounds the spectral radius
        and is small when few units are active. The bounds are standard; their use here
        is ours."""
        if not self._symmetric_lateral():
            return None
        k = len(self.state_shape)
        u = np.asarray(u, dtype=np.float64)
        with np.errstate(all="ignore"):
            slope = np.asarray(self.activation.df(u), dtype=np.float64)
        if not (np.isfinite(slope).all() and (slope >= 0).all()):
            return None
        flat = slope.reshape(*slope.shape[: slope.ndim - k], -1)
        lows = []
        ends = self.lateral_eigen_range()
        if ends is not None:
            lows.append(flat.max(-1) * np.minimum(0.0, np.asarray(ends[0], dtype=np.float64)))
        absolute = self._abs_lateral()
        if absolute is not None:
            with np.errstate(all="ignore"):
                reach = np.asarray(absolute(slope), dtype=np.float64)
            lows.append(-reach.reshape(*reach.shape[: reach.ndim - k], -1).max(-1))
        if not lows:
            return None
        low = np.maximum(*lows) if len(lows) == 2 else lows[0]
        return np.asarray((-1.0 + low) / np.asarray(to_numpy(self.tau), dtype=np.float64))

    def jacobian(self, u: np.ndarray, inputs: Any = 0.0) -> np.ndarray:
        """J = (−1 + L · diag f'(u)) / τ, shape ``(*batch, n, n)`` (u flattened over state)."""
        u = np.asarray(u, dtype=np.float64)
        k = len(self.state_shape)
        batch = u.shape[: u.ndim - k]
        du = self.activation.df(u).reshape(*batch, 1, self.n)
        L = self.lateral_matrix()
        J = L * du - np.eye(self.n)
        tau = np.asarray(self.tau, dtype=np.float64)
        return J / tau.reshape(tau.shape + (1, 1))


def _euler_factory(
    act: Activation, matrix: np.ndarray, tau: float, g: Any
) -> Callable[[float, Array], FastEuler]:
    """In-place Euler steps u ← (1 − h) u + h (L f(u) + g I), h = dt/τ, for numpy.

    For a sigmoid f(u) = (1 + tanh(s u − c)) / 2 the step runs on z = s u − c, where it is
    z ← (1 − h) z + L' tanh(z) + d' with L' = h s L / 2 and d' = s h (g I + L 1 / 2) − h c:
    one tanh, one matrix–vector product and three in-place updates per step.
    """

    def factory(dt: float, inputs: Array) -> FastEuler:
        h = dt / tau
        drive = h * (g * inputs)
        a = 1.0 - h
        if act.tanh_form is not None:
            s, c = act.tanh_form
            L = matrix * (0.5 * h * s)
            d = s * drive + 0.5 * h * s * matrix.sum(1) - h * c
            f: Callable[[Array], Array] = np.tanh
        else:
            s, c = 1.0, 0.0
            L, d = matrix * h, drive
            f = act.f_numpy or act.f
        # one network runs as the matrix–vector product L @ r on row-major L, which BLAS
        # does faster than r @ Lᵀ; a batch runs as r @ Lᵀ on a row-major copy of Lᵀ
        # (numpy's matmul with a transposed view can be a hundred times slower)
        Lc = np.ascontiguousarray(L, dtype=matrix.dtype)
        LcT = np.ascontiguousarray(Lc.T)
        dc = np.asarray(d, dtype=matrix.dtype)

        def step(z: Array) -> None:
            v = Lc @ f(z) if z.ndim == 1 else f(z) @ LcT
            z *= a
            z += v
            z += dc

        return FastEuler(step=step, scale=s, shift=c)

    return factory


def _row_major(a: Any) -> Any:
    """A C-contiguous copy (numpy or torch): matmul with transposed views is slow."""
    return a.contiguous() if hasattr(a, "contiguous") else np.ascontiguousarray(a)


@dataclass(frozen=True, eq=False)
class Competition(RateModel):
    r"""The source's competition–inhibition network.

    .. math::

        τ \frac{du_i}{dt} = -u_i + \sum_{j \ne i} w_{ij} f(u_j)
                            - β \sum_j w_{ij} f(u_i) + g_i I_i \; (+ σ ξ_i(t))

    The excitation sum skips j = i; the inhibition sum runs over every j, the diagonal
    included, so neuron i is inhibited in proportion to its own rate times its total
    incoming weight. The noise term is added by :func:`simulate` (Euler–Maruyama).

    Parameters
    ----------
    W : array_like, shape (N, N)
        Synaptic weights, ``W[i, j]`` from neuron j onto neuron i (w_ij).
    beta : float or array of shape (*batch,)
        Inhibition factor β ≥ 0: how hard neurons compete.
    activation : str, Activation or callable
        f: ``"sigmoid"`` (default), ``"relu"``, ``"tanh"``, ``"linear"`` or a callable.
        Use :func:`neuroattn.dynamics.sigmoid` for a gain and threshold.
    tau : float or array of shape (*batch,)
        Time constant τ > 0.
    g : float or array of shape (*batch, N)
        Top-down gain g_i on the external input (the feedback stage's hook).

    References
    ----------
    The competition–inhibition equation of the source essay (section 4); compare
    Grossberg, S. (1973), Stud. Appl. Math. 52, 213–257.

    Examples
    --------
    >>> import numpy as np
    >>> from neuroattn.dynamics import Competition, simulate, uniform
    >>> model = Competition(uniform(3, 0.5), beta=2.0, activation="relu")
    >>> traj = simulate(model, [1.0, 0.8, 0.2], t_span=(0, 50), dt=0.01)
    >>> int(traj.winner())
    0
    """

    W: Any
    _: KW_ONLY
    beta: Any = 1.0
    activation: Any = "sigmoid"
    tau: Any = 1.0
    g: Any = 1.0

    network_params = ("beta", "tau")
    neuron_params = ("g",)

    def __post_init__(self) -> None:
        if not is_torch(self.W):
            object.__setattr__(self, "W", check_weights(self.W))
        else:
            # a NaN weight would otherwise surface as "unstable at dt = …"
            check_torch_finite(self.W, "W")
            if self.W.ndim != 2 or self.W.shape[0] != self.W.shape[1] or self.W.shape[0] == 0:
                raise ValueError(
                    f"W must be a square (N, N) matrix with N >= 1, got shape {tuple(self.W.shape)}"
                )
        object.__setattr__(self, "beta", check_scalar_param(self.beta, "beta", nonnegative=True))
        self._validate_common()

    @property
    def state_shape(self) -> tuple[int, ...]:
        return (int(self.W.shape[0]),)

    def eval_cost(self) -> float:
        """n² + n: one product with the dense weight matrix per evaluation."""
        return float(self.n) ** 2 + self.n

    def _lateral(self, torch_: bool, dtype: Any, device: Any) -> tuple[Lateral, Any]:
        W = to_backend(self.W, torch_, dtype, device)
        n = self.n
        if torch_:
            import torch

            eye = torch.eye(n, dtype=dtype, device=device)
            W0 = W * (1 - eye)
        else:
            W0 = W.copy()
            np.fill_diagonal(W0, 0.0)
        rowsum = W.sum(1)  # (N,)  Σ_j w_ij
        beta = self._network_param("beta", torch_, dtype, device)
        if isinstance(beta, float):
            # fold the inhibition into one matrix: L = W0 − β diag(rowsum)
            if torch_:
                L = W0 - torch.diag(beta * rowsum)
            else:
                L = W0
                np.fill_diagonal(L, -beta * rowsum)
            LT = _row_major(L.T)  # (N, N): a batch of rows r (…, N) maps to r @ Lᵀ
            return (lambda r: r @ LT), (None if torch_ else L)
        W0T = _row_major(W0.T)
        inh = beta * rowsum  # (*batch, N): β Σ_j w_ij, computed once
        return (lambda r: r @ W0T - inh * r), None

    def _symmetric_lateral(self) -> bool:
        """L = W0 − β diag(Σ_j w_ij) is symmetric when W is off its diagonal."""
        W = to_numpy(self.W)
        return bool(np.array_equal(W, W.T))

    def _abs_lateral(self) -> Lateral:
        """|L| d = |W0| d + β |Σ_j w_ij| d (one product with the dense |W0|)."""
        W = np.asarray(to_numpy(self.W), dtype=np.float64)
        absT = np.abs(W - np.diag(np.diag(W))).T.copy()
        beta = self._network_param("beta", False, np.float64, None)
        inh = beta * np.abs(W.sum(1))
        return lambda d: d @ absT + inh * d

    def lateral_matrix(self) -> np.ndarray:
        W = np.asarray(self.W, dtype=np.float64)
        W0 = W - np.diag(np.diag(W))
        beta = np.asarray(self.beta, dtype=np.float64)
        return W0 - beta.reshape(beta.shape + (1, 1)) * np.diag(W.sum(1))


@dataclass(frozen=True, eq=False)
class LateralInhibition(RateModel):
    r"""Lateral-inhibition winner-take-all network.

    .. math::

        τ \frac{du_i}{dt} = -u_i + α f(u_i) - β \sum_{j \ne i} f(u_j) + g_i I_i

    Self-excitation α and uniform lateral inhibition β; for β large enough only the unit
    with the largest input stays active. The lateral sum costs O(N), not O(N²).

    Parameters
    ----------
    n : int
        Number of units N.
    alpha : float or array of shape (*batch,)
        Self-excitation α.
    beta : float or array of shape (*batch,)
        Lateral inhibition β ≥ 0.
    activation, tau, g
        As in :class:`Competition`.

    References
    ----------
    Amari, S. & Arbib, M. A. (1977). Competition and cooperation in neural nets. In
    Systems Neuroscience, 119–165. Yuille, A. L. & Grzywacz, N. M. (1989), Neural Comput 1.
    """

    n_units: int
    _: KW_ONLY
    alpha: Any = 0.5
    beta: Any = 1.0
    activation: Any = "relu"
    tau: Any = 1.0
    g: Any = 1.0

    network_params = ("alpha", "beta", "tau")
    neuron_params = ("g",)

    def __post_init__(self) -> None:
        object.__setattr__(self, "n_units", check_integer(self.n_units, "n_units", ge=1))
        check_units(self.n_units, f"n_units = {self.n_units}")
        object.__setattr__(self, "alpha", check_scalar_param(self.alpha, "alpha"))
        object.__setattr__(self, "beta", check_scalar_param(self.beta, "beta", nonnegative=True))
        self._validate_common()

    @property
    def state_shape(self) -> tuple[int, ...]:
        return (int(self.n_units),)

    def _lateral(self, torch_: bool, dtype: Any, device: Any) -> tuple[Lateral, Any]:
        a = self._network_param("alpha", torch_, dtype, device)
        b = self._network_param("beta", torch_, dtype, device)
        return (lambda r: (a + b) * r - b * r.sum(-1, keepdims=True)), None

    def lateral_eigen_range(self) -> tuple[Any, Any]:
        """L = (α + β) I − β 1 1ᵀ is symmetric: eigenvalues α + β (n − 1 times) and
        α − (n − 1) β."""
        a = np.asarray(self.alpha, dtype=np.float64)
        b = np.asarray(self.beta, dtype=np.float64)
        ends = (a + b, a - (self.n - 1) * b) if self.n > 1 else (a, a)
        return np.minimum(*ends), np.maximum(*ends)

    def _abs_lateral(self) -> Lateral:
        """|L| d = |α| d + β (Σ_j d_j − d)."""
        a = np.abs(self._network_param("alpha", False, np.float64, None))
        b = self._network_param("beta", False, np.float64, None)
        return lambda d: a * d + b * (d.sum(-1, keepdims=True) - d)

    def lateral_matrix(self) -> np.ndarray:
        a = np.asarray(self.alpha, dtype=np.float64)
        b = np.asarray(self.beta, dtype=np.float64)
        shape = np.broadcast_shapes(a.shape, b.shape) + (1, 1)
        eye = np.eye(self.n)
        return np.broadcast_to(a, shape[:-2]).reshape(shape) * eye - np.broadcast_to(
            b, shape[:-2]
        ).reshape(shape) * (1 - eye)
