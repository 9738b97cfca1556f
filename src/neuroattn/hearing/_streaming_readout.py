"""Auditory streaming, the readout: which tones each cycle's activity groups together.

In every ABA– cycle the rates of the tonotopic units are summed separately over the slots
of the A tones and over the slot of the B tone (each slot from the tone's onset to the next
onset, so the response's decay is counted with its tone): two profiles over the places,
p_A(x) and p_B(x). The **bridge** of the cycle is

    b = min( p_A(Δf/2) / max_x p_A,  p_B(Δf/2) / max_x p_B ),

how far up each tone's activity reaches at the place halfway between A and B (linear
interpolation between units). The cycle is heard as **one stream** when b ≥ ρ (the
activity of both tones spreads over the middle, so A and B drive one connected group of
units, cycle after cycle) and as **two streams** otherwise (A's and B's groups are
separate and alternate). Ours: this rule and ρ; the idea that integration is read from
whether the population between the two places responds to both tones is that of Rankin,
Sussman & Rinzel 2015 (PLoS Comput Biol 11:e1004555), whose A/AB/B populations are three
places of this axis.
"""

from __future__ import annotations

import numpy as np

from ._streaming_places import PATTERN, TONE_A, TONE_B

__all__ = ["CycleSums", "bridge"]

_PATTERN = np.asarray(PATTERN)


class CycleSums:
    """Per-cycle sums of the rates over the A slots and over the B slot.

    ``add(t_ms, rates)`` takes the saved times (T,) and rates (T, M, N) of one chunk; the
    sums are ``a`` and ``b``, each (C, M, N), C the most complete cycles of any member.
    """

    def __init__(self, trt_ms: np.ndarray, duration_ms: float, n_units: int) -> None:
        self.trt = trt_ms
        self.n_cycles = np.floor(duration_ms / (4.0 * trt_ms) + 1e-9).astype(int)  # (M,)
        shape = (int(self.n_cycles.max()), trt_ms.size, n_units)
        self.a = np.zeros(shape)
        self.b = np.zeros(shape)

    def add(self, t_ms: np.ndarray, rates: np.ndarray) -> None:
        """Add one chunk's rates (saved at ``t_ms``)."""
        for trt in np.unique(self.trt):
            members = np.flatnonzero(self.trt == trt)
            slot = np.floor(t_ms / trt + 1e-9).astype(np.int64)  # (T,)
            starts = np.flatnonzero(np.r_[True, slot[1:] != slot[:-1]])
            sums = np.add.reduceat(rates[:, members], starts, axis=0)  # (R, M_g, N)
            run_slot = slot[starts]
            cycle, kind = run_slot // 4, _PATTERN[run_slot % 4]
            keep = cycle < self.n_cycles[members].max()
            for acc, which in ((self.a, TONE_A), (self.b, TONE_B)):
                sel = keep & (kind == which)
                np.add.at(acc, (cycle[sel][:, None], members[None, :]), sums[sel])


def _at(x: np.ndarray, profile: np.ndarray, where: np.ndarray) -> np.ndarray:
    """Linear interpolation of ``profile`` (..., M, N) over the uniform places ``x`` at
    ``where`` (M,), shape (..., M)."""
    pos = np.clip((where - x[0]) / (x[1] - x[0]) if x.size > 1 else 0 * where, 0, x.size - 1)
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, x.size - 1)
    w = pos - lo
    m = np.arange(where.size)
    return profile[..., m, lo] * (1 - w) + profile[..., m, hi] * w


def bridge(sums: CycleSums, x: np.ndarray, delta_f: np.ndarray) -> np.ndarray:
    """The bridge b of every complete cycle, (M, C); NaN after a member's last cycle."""
    mid = 0.5 * delta_f
    ratios = []
    for acc in (sums.a, sums.b):
        top = acc.max(-1)  # (C, M)
        with np.errstate(invalid="ignore", divide="ignore"):
            ratios.append(np.where(top > 0, _at(x, acc, mid) / top, 0.0))
    b = np.minimum(*ratios).T  # (M, C)
    b[np.arange(b.shape[1])[None, :] >= sums.n_cycles[:, None]] = np.nan
    return b
