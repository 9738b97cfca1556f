"""Auditory streaming, the result: percepts cycle by cycle and their analysis."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..dynamics.checks import check_finite_array

__all__ = ["StreamingResult", "gamma_shape"]


@dataclass(frozen=True)
class StreamingResult:
    """Percepts of ABA– sequences, cycle by cycle (read-only arrays).

    Attributes
    ----------
    delta_f, trt_ms : ndarray, shape (*batch,)
        Δf (semitones) and TRT (ms) of each sequence.
    percept : ndarray of int8, shape (*batch, C)
        1 = one stream, 0 = two streams in each ABA– cycle; −1 after a sequence's last
        complete cycle (faster sequences have more cycles).
    cycle_s : ndarray, shape (*batch,)
        Length of one ABA– cycle in seconds (4 TRT).
    bridge : ndarray, shape (*batch, C)
        The readout's bridge b of every cycle (how far up each tone's activity reaches
        halfway between A and B, relative to its peak; one stream when b ≥ ρ); NaN after
        the last cycle.
    """

    delta_f: np.ndarray
    trt_ms: np.ndarray
    percept: np.ndarray
    cycle_s: np.ndarray
    bridge: np.ndarray

    def __post_init__(self) -> None:
        for name in ("delta_f", "trt_ms", "percept", "cycle_s", "bridge"):
            arr = np.asarray(getattr(self, name))
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)

    @property
    def valid(self) -> np.ndarray:
        """Which cycles exist, shape (*batch, C)."""
        return self.percept >= 0

    def one_stream_fraction(self) -> np.ndarray:
        """Fraction of cycles heard as one stream, shape (*batch,)."""
        return (self.percept == 1).sum(-1) / np.maximum(self.valid.sum(-1), 1)

    def switches(self) -> np.ndarray:
        """Number of changes of percept, shape (*batch,)."""
        p, v = self.percept, self.valid
        return ((p[..., 1:] != p[..., :-1]) & v[..., 1:]).sum(-1)

    def first_percept(self) -> np.ndarray:
        """The percept of the first cycle (1 one stream, 0 two), shape (*batch,)."""
        return self.percept[..., 0]

    def phase_durations(self) -> np.ndarray:
        """Durations in s of every complete phase, pooled over the batch (the first phase,
        which starts with the sound, and the last, cut by its end, are left out)."""
        out: list[np.ndarray] = []
        flat = self.percept.reshape(-1, self.percept.shape[-1])
        for p, cyc in zip(flat, self.cycle_s.reshape(-1), strict=True):
            p = p[p >= 0]
            change = np.flatnonzero(p[1:] != p[:-1]) + 1
            out.append(np.diff(change) * cyc)
        return np.concatenate(out) if out else np.zeros(0)

    def two_stream_probability(self, edges_s: Any) -> np.ndarray:
        """P(two streams) in time bins ``edges_s`` (s) from the start, over the batch: the
        build-up curve. Shape (len(edges_s) − 1,); NaN for an empty bin."""
        edges = check_finite_array(edges_s, "edges_s")
        if edges.ndim != 1 or edges.size < 2 or np.any(np.diff(edges) <= 0):
            raise ValueError("edges_s must be an increasing 1-D array of at least 2 times")
        start = np.arange(self.percept.shape[-1]) * self.cycle_s[..., None]  # (*batch, C)
        out = np.full(edges.size - 1, np.nan)
        for k in range(edges.size - 1):
            sel = self.valid & (start >= edges[k]) & (start < edges[k + 1])
            if sel.any():
                out[k] = float(np.mean(self.percept[sel] == 0))
        return out


def gamma_shape(durations: Any) -> tuple[float, float]:
    """Maximum-likelihood gamma fit (location 0) of phase durations: ``(shape, scale)``.

    A shape of 1 is the exponential distribution of memoryless switching; rivalry's phase
    durations have shapes above 1 (unimodal, right-skewed). Needs at least 3 positive
    durations.
    """
    from scipy import stats

    d = check_finite_array(durations, "durations").ravel()
    if d.size < 3 or np.any(d <= 0):
        raise ValueError(f"durations must hold at least 3 positive values, got {d.size}")
    if np.allclose(d, d[0]):
        return float("inf"), 0.0
    shape, _, scale = stats.gamma.fit(d, floc=0.0)
    return float(shape), float(scale)
