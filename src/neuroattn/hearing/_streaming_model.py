"""The source's competition equation with slow adaptation, composed for auditory streaming.

The source's equation (section 4; :class:`~neuroattn.dynamics.Competition`) is

    τ du_i/dt = −u_i + Σ_{j≠i} w_ij f(u_j) − β Σ_j w_ij f(u_i) + I_i,

and this module adds to it nothing but a slow adaptation current, as in every rate model of
perceptual bistability (Laing & Chow 2002, J Comput Neurosci 12:39; Moreno-Bote, Rinzel &
Rubin 2007, J Neurophysiol 98:1125; Rankin, Sussman & Rinzel 2015, PLoS Comput Biol
11:e1004555):

    τ du_i/dt   = −u_i + Σ_{j≠i} w_ij f(u_j) − β Σ_j w_ij f(u_i) + I_i − k a_i  (+ σ ξ_i)
    τ_a da_i/dt = −a_i + f(u_i).

The first line is :class:`~neuroattn.dynamics.Competition`'s own right-hand side with the
input I − k a (several adaptation variables with their own τ_a and k may be stacked); the
state is ``(u, a)`` stacked on a leading axis, so
:func:`~neuroattn.dynamics.simulate` integrates both (its Euler–Maruyama noise enters each
variable scaled by that variable's own time constant, σ/τ for u and σ/τ_a for a).

Optionally a slow recurrent excitation q (NMDA-like; Rankin, Sussman & Rinzel 2015 use one
as a local temporal memory across the gaps between tones) joins the input:

    τ du_i/dt   = … − k a_i + Σ_j m_ij q_j,      τ_q dq_i/dt = −q_i + f(u_i).

Ours: the composition and its parameter names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..dynamics import Competition, Model
from ..dynamics._base import Bound
from ..dynamics.checks import check_finite_array, check_number

__all__ = ["AdaptingCompetition"]


def _as_tuple(value: Any, name: str) -> tuple[Any, ...]:
    """One number or a non-empty sequence of numbers, as a tuple."""
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be a number or a sequence of numbers, got {value!r}")
    out = tuple(value) if isinstance(value, (tuple, list, np.ndarray)) else (value,)
    if not 1 <= len(out) <= 4:
        raise ValueError(f"{name} must hold 1 to 4 values, got {len(out)}")
    return out


@dataclass(frozen=True, eq=False)
class AdaptingCompetition(Model):
    """:class:`~neuroattn.dynamics.Competition` plus a slow adaptation a of every unit.

    Parameters
    ----------
    competition : Competition
        The source's equation (weights, β, f, τ); its parameters must be scalars.
    tau_a : float or tuple of float
        τ_a > τ, the adaptation's time constant(s), in the model's time units; several give
        several adaptation variables a⁽ᵐ⁾, each subtracted with its own strength.
    strength : float or tuple of float
        k ≥ 0 for each τ_a: how much adaptation is subtracted from the input.
    memory_tau : float, optional
        τ_q > τ of the slow recurrent excitation q (None: none).
    memory_weights : array_like, shape (N, N), optional
        m, the weights of q onto u (given with ``memory_tau``).

    Notes
    -----
    The state has shape ``(1 + M [+ 1], N)`` for M adaptation variables: ``state[0]`` is u,
    ``state[1:1 + M]`` are the a⁽ᵐ⁾ and ``state[-1]`` is q when there is one. Inputs must
    be given as ``(*batch, 1, N)`` (they drive u only). ``tau_a`` and ``strength`` become
    tuples when checked.
    """

    competition: Competition
    tau_a: Any
    strength: Any
    memory_tau: Any = None
    memory_weights: Any = None

    state_vars = ("u_and_a",)
    output_vars = ("rate",)
    network_params = ()
    neuron_params = ()

    def __post_init__(self) -> None:
        if not isinstance(self.competition, Competition):
            raise TypeError(
                f"competition must be a Competition, got {type(self.competition).__name__}"
            )
        for name in ("beta", "tau", "g"):
            if np.ndim(getattr(self.competition, name)) != 0:
                raise ValueError(f"competition.{name} must be a scalar here, got an array")
        tau = float(self.competition.tau)
        taus = _as_tuple(self.tau_a, "tau_a")
        ks = _as_tuple(self.strength, "strength")
        if len(ks) != len(taus):
            raise ValueError(f"strength must have one value per tau_a ({len(taus)}), got {len(ks)}")
        taus = tuple(check_number(x, "tau_a", gt=tau, le=1e6) for x in taus)
        ks = tuple(check_number(x, "strength", ge=0, le=1e3) for x in ks)
        object.__setattr__(self, "tau_a", taus)
        object.__setattr__(self, "strength", ks)
        if (self.memory_tau is None) != (self.memory_weights is None):
            raise ValueError("memory_tau and memory_weights must be given together, got one")
        if self.memory_tau is not None:
            n = self.competition.n
            object.__setattr__(
                self, "memory_tau", check_number(self.memory_tau, "memory_tau", gt=tau, le=1e6)
            )
            w = check_finite_array(self.memory_weights, "memory_weights")
            if w.shape != (n, n):
                raise ValueError(f"memory_weights must have shape ({n}, {n}), got {w.shape}")
            object.__setattr__(self, "memory_weights", w)

    @property
    def _n_memory(self) -> int:
        return 0 if self.memory_tau is None else 1

    @property
    def state_shape(self) -> tuple[int, ...]:
        return (1 + len(self.tau_a) + self._n_memory, self.competition.n)

    def eval_cost(self) -> float:
        """The competition's cost and one more pass over the units."""
        return self.competition.eval_cost() + 2.0 * self.competition.n

    def decay_rates(self, inputs: Any = None) -> np.ndarray | None:
        """1/τ, as for the competition (a decays more slowly, at 1/τ_a)."""
        return self.competition.decay_rates(inputs)

    def params(self) -> dict[str, Any]:
        return {
            "model": type(self).__name__,
            "competition": self.competition.params(),
            "tau_a": self.tau_a,
            "strength": self.strength,
        }

    def _bind(self, torch_: bool, dtype: Any, device: Any) -> Bound:
        if torch_:
            raise TypeError("AdaptingCompetition runs in numpy only, got torch tensors")
        inner = self.competition.bind(False, dtype, device)
        k = np.asarray(self.strength, dtype=dtype)[:, None]  # (m, 1)
        inv_tau_a = 1.0 / np.asarray(self.tau_a, dtype=dtype)[:, None]  # (m, 1)
        rate = inner.rates
        m = len(self.tau_a)
        mem = self.memory_tau is not None
        w_t = np.asarray(self.memory_weights, dtype=dtype).T if mem else None  # (N, N)
        inv_tau_m = 1.0 / float(self.memory_tau) if mem else 0.0

        def rhs(s: Any, inputs: Any) -> Any:
            u, a = s[..., 0, :], s[..., 1 : 1 + m, :]  # (*batch, N), (*batch, m, N)
            out = np.empty_like(s)
            drive = inputs[..., 0, :] - (k * a).sum(-2)
            f = rate(u)
            if w_t is not None:  # slow recurrent excitation
                drive = drive + s[..., -1, :] @ w_t
                out[..., -1, :] = (f - s[..., -1, :]) * inv_tau_m
            out[..., 0, :] = inner.rhs(u, drive)
            out[..., 1 : 1 + m, :] = (f[..., None, :] - a) * inv_tau_a
            return out

        def rates(s: Any) -> Any:
            return rate(s[..., 0, :])

        taus = [float(self.competition.tau), *self.tau_a]
        taus += [float(self.memory_tau)] if mem else []
        tau = np.array([[x] for x in taus], dtype=dtype)
        return Bound(rhs=rhs, rates=rates, tau=tau)
