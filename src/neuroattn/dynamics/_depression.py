"""Short-term synaptic depression of an input pathway, solved exactly for stepwise inputs.

Published (Tsodyks & Markram 1997, PNAS 94:719-723; Abbott, Varela, Sen & Nelson 1997,
Science 275:220-224), in the rate form: the efficacy d ∈ (0, 1] of a synapse driven by a
presynaptic rate r(t) follows

    dd/dt = (1 − d) / τ_rec − U d r(t),

recovering towards 1 with the time constant τ_rec and used up in proportion to U and to the
rate; the transmitted drive is d(t) r(t). At a constant rate the steady state is
d∞ = 1 / (1 + τ_rec U r). For a rate that is constant between break points the equation is
linear on each piece, so it is solved there exactly:

    d(t) = d∞ + (d(t_k) − d∞) exp(−(t − t_k)(1/τ_rec + U r_k)),     t_k ≤ t < t_{k+1}.

Ours: the exact piecewise solution (no time step) and the batch layout. The experiments use
it for inhibition of return (Satel, Wang, Trappenberg & Klein 2011, Vision Research
51:987-996, modelled IOR as depression of the sensory input to the superior colliculus).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .checks import check_finite_array, check_number

__all__ = ["SynapticDepression"]


def _breaks_and_rates(breaks: Any, rates: Any) -> tuple[np.ndarray, np.ndarray]:
    """``breaks`` (K,) strictly increasing and ``rates`` (K, ...) finite and ≥ 0."""
    b = check_finite_array(breaks, "breaks")
    if b.ndim != 1 or b.size == 0:
        raise ValueError(f"breaks must be a non-empty 1-D array of times, got shape {b.shape}")
    if np.any(np.diff(b) <= 0):
        raise ValueError("breaks must be strictly increasing, got repeated or falling times")
    r = check_finite_array(rates, "rates")
    if r.ndim == 0 or r.shape[0] != b.size:
        raise ValueError(
            f"rates must have one row per break ({b.size}) along axis 0, got shape {r.shape}"
        )
    if np.any(r < 0):
        raise ValueError(f"rates must be >= 0, got {float(r.min()):g}")
    return b, r


@dataclass(frozen=True)
class SynapticDepression:
    """A depressing synapse in rate form (Tsodyks & Markram 1997), solved exactly.

    Parameters
    ----------
    tau_rec : float
        Recovery time constant τ_rec > 0, in the model's time units.
    use : float
        U ≥ 0, the fraction of efficacy used per unit of presynaptic rate and time.

    Examples
    --------
    >>> dep = SynapticDepression(tau_rec=10.0, use=0.1)
    >>> float(dep.steady_state(1.0))  # 1 / (1 + 10 · 0.1 · 1)
    0.5
    >>> d = dep.efficacy([0.0, 1e6], breaks=[0.0], rates=[1.0], initial=1.0)
    >>> [round(float(x), 6) for x in d]
    [1.0, 0.5]
    """

    tau_rec: float
    use: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "tau_rec", check_number(self.tau_rec, "tau_rec", gt=0))
        object.__setattr__(self, "use", check_number(self.use, "use", ge=0))

    def steady_state(self, rate: Any) -> np.ndarray:
        """d∞ = 1 / (1 + τ_rec U r) at a constant rate r ≥ 0 (any shape)."""
        r = check_finite_array(rate, "rate")
        if np.any(r < 0):
            raise ValueError(f"rate must be >= 0, got {float(r.min()):g}")
        return 1.0 / (1.0 + self.tau_rec * self.use * r)

    def efficacy(self, t: Any, *, breaks: Any, rates: Any, initial: Any = None) -> np.ndarray:
        """The efficacy d(t) under a presynaptic rate that steps at ``breaks``.

        Parameters
        ----------
        t : array_like, shape (T,) or scalar
            Times to evaluate (any order).
        breaks : array_like, shape (K,)
            Strictly increasing times where the rate changes; ``rates[k]`` holds from
            ``breaks[k]`` to ``breaks[k + 1]`` (the last one forever). Before ``breaks[0]``
            the rate is ``rates[0]`` and d is at ``initial``.
        rates : array_like, shape (K, ...)
            Presynaptic rates r ≥ 0; the trailing axes (synapses, batch) are kept.
        initial : array_like, optional
            d at ``breaks[0]``, broadcastable to ``rates[0]``, in [0, 1]; by default the
            steady state of ``rates[0]`` (a synapse that has seen that rate for long).

        Returns
        -------
        numpy.ndarray
            d, shape ``(*t.shape, *rates.shape[1:])``, in (0, 1].
        """
        b, r = _breaks_and_rates(breaks, rates)
        times = check_finite_array(t, "t")
        d0 = self.steady_state(r[0]) if initial is None else check_finite_array(initial, "initial")
        if np.any((d0 < 0) | (d0 > 1)):
            raise ValueError("initial must lie in [0, 1]")
        d_start = np.broadcast_to(d0, r.shape[1:]).astype(np.float64)
        starts = [d_start]
        for k in range(b.size - 1):  # d at each later break, piece by piece
            starts.append(self._piece(starts[-1], r[k], b[k + 1] - b[k]))
        flat = times.reshape(-1)
        piece = np.clip(np.searchsorted(b, flat, side="right") - 1, 0, b.size - 1)
        elapsed = np.maximum(flat - b[piece], 0.0).reshape((-1,) + (1,) * (r.ndim - 1))
        out = self._piece(np.stack(starts)[piece], r[piece], elapsed)  # every time at once
        return out.reshape(times.shape + r.shape[1:])

    def _piece(self, d: np.ndarray, rate: np.ndarray, elapsed: Any) -> np.ndarray:
        """d after ``elapsed`` time at the constant ``rate``, from ``d``."""
        elapsed = np.asarray(elapsed, dtype=np.float64)
        with np.errstate(over="ignore", invalid="ignore"):  # huge rates: d∞ = 0, instantly
            inf = 1.0 / (1.0 + self.tau_rec * self.use * rate)
            speed = 1.0 / self.tau_rec + self.use * rate
            decay = np.where(elapsed > 0, np.exp(-elapsed * speed), 1.0)
        return inf + (d - inf) * decay
