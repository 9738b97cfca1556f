r"""Auditory streaming, the tonotopic front end: ABA– sequences driving N tonotopic places.

An ABA– sequence repeats the triplet A B A and a silent slot; every slot lasts one tone
repetition time (TRT, onset to onset) and holds a tone of ``tone_ms`` (the slot is filled
when the TRT is shorter). B lies Δf semitones above A.

Places x_j (semitones above A, every ``spacing`` from −``margin`` to the largest Δf +
``margin``) carry the afferent input of the tonotopic population. The afferent at x_j is
driven by each tone through a narrow peripheral tuning,

.. math::

    r_j(t) = e^{-|x_j|/λ_p} [A \text{ on}] + e^{-|x_j - Δf|/λ_p} [B \text{ on}],

and its synapses depress (Tsodyks & Markram 1997, solved exactly for these stepwise rates
by :class:`~neuroattn.dynamics.SynapticDepression`) with a fast factor (forward suppression,
recovering within a second) and a slow one (over seconds); the efficacy d_j is their
product. The units receive two pathways: each afferent directly at its own place
(undepressed, the *core*), and the depressed afferents spread over the axis,

.. math::

    I_k(t) = g_c\, r_k(t) + g \sum_j K_{kj}\, d_j(t)\, r_j(t), \qquad
    K_{kj} \propto e^{-|x_k - x_j|/λ},

K scaled so that a single undepressed tone drives the unit at its own place with g. Per
tone, the drive falls with the distance from the tone's place; the broad, depressing part
also falls with tempo (a faster sequence leaves the synapses less time to recover) and over
the first seconds (the slow depression), the core does not: at fast tempi each tone's drive
narrows towards its own place.

Published: responses of primary auditory cortex to tones are tonotopically tuned and
forward-suppressed, less so at slow presentation rates, and adapt over the first seconds of
a sequence, and responses away from the best frequency are suppressed more than those at
it as the rate grows (Fishman, Reser, Arezzo & Steinschneider 2001, Hear Res 151:167;
Micheyl, Tian, Carlyon & Rauschecker 2005, Neuron 48:139); an input of this kind (tuned
inputs with depression to tonotopic units) is that of Rankin, Sussman & Rinzel 2015 (PLoS
Comput Biol 11:e1004555). Ours: the exponential tunings, the two pathways, the two
depression factors and their product, the normalisation of K and every parameter value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..dynamics import SynapticDepression

__all__ = ["PATTERN", "TonotopicDrive", "aba_schedule", "tonotopic_axis"]

SILENT, TONE_A, TONE_B = 0, 1, 2
PATTERN = (TONE_A, TONE_B, TONE_A, SILENT)  # A B A –


def aba_schedule(trt_ms: float, duration_ms: float, tone_ms: float) -> tuple[np.ndarray, ...]:
    """Break times (ms) and what sounds from each: ``(breaks, state)``, state 0/1/2 for
    silence, tone A, tone B; the last state holds to the end."""
    n_slots = int(np.ceil(duration_ms / trt_ms))
    slots = np.arange(n_slots)
    kinds = np.asarray(PATTERN)[slots % 4]
    if tone_ms < trt_ms:  # a tone then a gap in every slot
        breaks = np.stack([slots * trt_ms, slots * trt_ms + tone_ms], -1).ravel()
        state = np.stack([kinds, np.zeros_like(kinds)], -1).ravel()
    else:
        breaks, state = slots * float(trt_ms), kinds
    return breaks.astype(np.float64), state.astype(np.int8)


def state_at(t_ms: np.ndarray, breaks: np.ndarray, state: np.ndarray) -> np.ndarray:
    """What sounds at each time (0 silent, 1 A, 2 B)."""
    i = np.clip(np.searchsorted(breaks, t_ms, side="right") - 1, 0, breaks.size - 1)
    return state[i]


def tonotopic_axis(top: float, spacing: float, margin: float) -> np.ndarray:
    """Places in semitones above A: every ``spacing`` from −margin to ``top`` + margin
    (both rounded outwards to the grid; A's place 0 is always on it)."""
    below = int(np.ceil(margin / spacing - 1e-9))
    above = int(np.ceil((top + margin) / spacing - 1e-9))
    return np.arange(-below, above + 1) * float(spacing)


def projection(x: np.ndarray, spread: float, tuning: float) -> np.ndarray:
    """K (N, N), K_kj ∝ exp(−|x_k − x_j|/λ), scaled so that the afferent profile of one tone
    at a place (its tuning, λ_p) drives the unit there with 1."""
    K = np.exp(-np.abs(x[:, None] - x[None, :]) / spread)
    centre = int(np.argmin(np.abs(x)))
    peak = float(K[centre] @ np.exp(-np.abs(x) / tuning))
    return K / peak


@dataclass(frozen=True)
class _Group:
    """The members of one tempo: one cycle's breaks and afferent rates, and per depression
    factor the affine map d ↦ A d + B of a whole cycle."""

    members: np.ndarray  # (M_g,)
    cycle_ms: float
    breaks: np.ndarray  # (K,) within one cycle
    rates: np.ndarray  # (K, M_g, N)
    maps: tuple[tuple[np.ndarray, np.ndarray], ...]  # per factor (A, B), each (M_g, N)


class TonotopicDrive:
    """The input I(t) of every unit, ``(T, M, N)``, evaluated chunk by chunk.

    The sequence repeats every cycle (4 TRT), and over any stretch of constant rate the
    depression is affine in its starting value; so over a cycle it is d ↦ A d + B, and at
    time t of cycle c it is P(t) + Q(t) d_c with d_c = d* + (1 − d*) Aᶜ (from d = 1 at the
    start, d* = B / (1 − A)). A, B, P and Q are read off
    :meth:`~neuroattn.dynamics.SynapticDepression.efficacy` started at 0 and at 1: the same
    exact solution, evaluated once per cycle rather than once per tone.

    Parameters
    ----------
    delta_f, trt_ms : ndarray, shape (M,)
        Δf in semitones and the TRT in ms of each member.
    x : ndarray, shape (N,)
        The places (semitones above A).
    model : StreamingModel
        ``tone_ms``, ``tuning``, ``spread``, the depression, ``gain`` and ``core``.
    """

    def __init__(self, delta_f: np.ndarray, trt_ms: np.ndarray, x: np.ndarray, model: Any) -> None:
        self.x, self.core = x, model.core
        pairs, self.inverse = np.unique(
            np.stack([delta_f, trt_ms], -1), axis=0, return_inverse=True
        )
        self.inverse = self.inverse.ravel()
        delta_f, trt_ms = pairs[:, 0], pairs[:, 1]  # each distinct sequence once
        self.kernel_t = np.ascontiguousarray(
            model.gain * projection(x, model.spread, model.tuning).T
        )
        self.factors = (
            SynapticDepression(model.fast_recovery_ms, model.fast_use),
            SynapticDepression(model.slow_recovery_ms, model.slow_use),
        )
        tune_a = np.exp(-np.abs(x) / model.tuning)  # (N,)
        self.groups: list[_Group] = []
        for trt in np.unique(trt_ms):  # members of one tempo share their break times
            sel = np.flatnonzero(trt_ms == trt)
            cycle = 4.0 * float(trt)
            breaks, state = aba_schedule(float(trt), cycle, model.tone_ms)
            tune_b = np.exp(-np.abs(x[None, :] - delta_f[sel, None]) / model.tuning)
            rates = (state == TONE_A)[:, None, None] * tune_a + (state == TONE_B)[
                :, None, None
            ] * tune_b  # (K, M_g, N)
            maps = []
            for dep in self.factors:
                b = dep.efficacy([cycle], breaks=breaks, rates=rates, initial=0.0)[0]
                a = dep.efficacy([cycle], breaks=breaks, rates=rates, initial=1.0)[0] - b
                maps.append((a, b))
            self.groups.append(_Group(sel, cycle, breaks, rates, tuple(maps)))

    def __call__(self, t_ms: np.ndarray) -> np.ndarray:
        """I at the increasing times ``t_ms`` (T,), shape (T, M, N) (computed once for each
        distinct (Δf, TRT))."""
        out = np.empty((t_ms.size, self.inverse.max() + 1, self.x.size))
        for g in self.groups:
            cycle = np.floor(t_ms / g.cycle_ms + 1e-12)
            rel = np.maximum(t_ms - cycle * g.cycle_ms, 0.0)
            cycles, which = np.unique(cycle, return_inverse=True)
            d = np.ones((t_ms.size, g.members.size, self.x.size))
            for dep, (a, b) in zip(self.factors, g.maps, strict=True):
                p = dep.efficacy(rel, breaks=g.breaks, rates=g.rates, initial=0.0)
                q = dep.efficacy(rel, breaks=g.breaks, rates=g.rates, initial=1.0) - p
                with np.errstate(divide="ignore", invalid="ignore"):
                    fixed = np.where(a < 1.0, b / (1.0 - a), 1.0)  # d*, (M_g, N)
                start = fixed + (1.0 - fixed) * a ** cycles[:, None, None]  # (C, M_g, N)
                d *= p + q * start[which]
            piece = np.clip(np.searchsorted(g.breaks, rel, side="right") - 1, 0, None)
            r = g.rates[piece]  # (T, M_g, N)
            out[:, g.members] = self.core * r + (d * r) @ self.kernel_t
        return out[:, self.inverse]
