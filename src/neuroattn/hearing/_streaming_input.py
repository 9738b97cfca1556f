"""Auditory streaming, the tonotopic front end: ABA– sequences and the A–B co-activation.

An ABA– sequence repeats the triplet A B A and a silent slot; every slot lasts one tone
repetition time (TRT, onset to onset) and holds a tone of ``tone_ms`` (the slot is filled
when the TRT is shorter). B lies Δf semitones above A.

Two tonotopic populations, at A's and at B's place, receive each tone through their tuning:
the A place is driven with rate 1 by an A tone and with ε = exp(−Δf/λ) by a B tone (and the
B place the other way round). Each place's input synapses depress (Tsodyks & Markram 1997,
solved exactly by :class:`~neuroattn.dynamics.SynapticDepression` for these stepwise
rates) with a fast component (forward suppression, recovering in a few hundred ms) and a slow
one (adaptation over seconds); the efficacy is their product. The **co-activation** of the
two populations is the response of each place to the *other* tone,

    x(t) = ε (d_A(t) [B on] + d_B(t) [A on]),

and the evidence for one stream is its running mean, beside that of the sound itself,

    e(t) = (h ∗ x)(t),    s(t) = (h ∗ [a tone on])(t),    h(t) = e^{−t/τ_e} / τ_e.

Per tone, the co-activation falls with Δf (through ε) and with tempo (a faster sequence
leaves the synapses less time to recover between tones), and over the first seconds (the
slow depression); per second, both e and s grow with the fraction of time a tone sounds,
so a slow sequence drives the competition less.

Published: responses of primary auditory cortex at the A tone's place to B tones fall as Δf
and the presentation rate grow, and over the first seconds of a sequence, and thresholding
them predicts the streaming percept and its build-up (Fishman, Reser, Arezzo & Steinschneider
2001, Hear Res 151:167; Micheyl, Tian, Carlyon & Rauschecker 2005, Neuron 48:139; the
"peripheral channelling" account, Beauvois & Meddis 1996, J Acoust Soc Am 99:2270). Ours:
the exponential tuning, the two depression factors and their product, the running mean and
every parameter value.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.signal import lfilter

from ..dynamics import SynapticDepression

__all__ = ["aba_schedule", "coactivation"]

SILENT, TONE_A, TONE_B = 0, 1, 2
_PATTERN = (TONE_A, TONE_B, TONE_A, SILENT)  # A B A –


def aba_schedule(trt_ms: float, duration_ms: float, tone_ms: float) -> tuple[np.ndarray, ...]:
    """Break times (ms) and what sounds from each: ``(breaks, state)``, state 0/1/2 for
    silence, tone A, tone B; the last state holds to the end."""
    n_slots = int(np.ceil(duration_ms / trt_ms))
    slots = np.arange(n_slots)
    kinds = np.asarray(_PATTERN)[slots % 4]
    if tone_ms < trt_ms:  # a tone then a gap in every slot
        breaks = np.stack([slots * trt_ms, slots * trt_ms + tone_ms], -1).ravel()
        state = np.stack([kinds, np.zeros_like(kinds)], -1).ravel()
    else:
        breaks, state = slots * float(trt_ms), kinds
    return breaks.astype(np.float64), state.astype(np.int8)


def _state_at(t_ms: np.ndarray, breaks: np.ndarray, state: np.ndarray) -> np.ndarray:
    """What sounds at each time (0 silent, 1 A, 2 B)."""
    i = np.clip(np.searchsorted(breaks, t_ms, side="right") - 1, 0, breaks.size - 1)
    return state[i]


def _efficacy(model: Any, t_ms: np.ndarray, breaks: np.ndarray, rates: np.ndarray) -> np.ndarray:
    """Product of the fast and slow depression factors at ``t_ms``, (T, members)."""
    fast = SynapticDepression(model.fast_recovery_ms, model.fast_use)
    slow = SynapticDepression(model.slow_recovery_ms, model.slow_use)
    start = np.ones(rates.shape[1:])
    return fast.efficacy(t_ms, breaks=breaks, rates=rates, initial=start) * slow.efficacy(
        t_ms, breaks=breaks, rates=rates, initial=start
    )


def _running_mean(x: np.ndarray, dt_ms: float, tau_ms: float) -> np.ndarray:
    """h ∗ x along axis 0 for samples held over each step (exact one-pole recursion)."""
    a = float(np.exp(-dt_ms / tau_ms))
    return lfilter([1.0 - a], [1.0, -a], x, axis=0)


def coactivation(
    delta_f: np.ndarray, trt_ms: np.ndarray, t_ms: np.ndarray, model: Any
) -> tuple[np.ndarray, np.ndarray]:
    """The running means e(t) of the co-activation and s(t) of the sound, both ``(T, M)``.

    Parameters
    ----------
    delta_f, trt_ms : ndarray, shape (M,)
        Δf in semitones and the TRT in ms of each member.
    t_ms : ndarray, shape (T,)
        Equally spaced sample times from 0, in ms.
    model : StreamingModel
        The parameters (``spread``, ``tone_ms``, the depression and ``evidence_ms``).
    """
    eps = np.exp(-delta_f / model.spread)  # (M,)
    dt = float(t_ms[1] - t_ms[0]) if t_ms.size > 1 else 1.0
    cross = np.zeros((t_ms.size, delta_f.size))
    sound = np.zeros_like(cross)
    for trt in np.unique(trt_ms):  # members of one tempo share their break times
        sel = np.flatnonzero(trt_ms == trt)
        breaks, state = aba_schedule(float(trt), float(t_ms[-1]) + dt, model.tone_ms)
        is_a = (state == TONE_A)[:, None]
        is_b = (state == TONE_B)[:, None]
        e = eps[sel][None, :]
        d_a = _efficacy(model, t_ms, breaks, is_a + e * is_b)  # A's place: A at 1, B at ε
        d_b = _efficacy(model, t_ms, breaks, is_b + e * is_a)
        now = _state_at(t_ms, breaks, state)[:, None]
        cross[:, sel] = e * (d_a * (now == TONE_B) + d_b * (now == TONE_A))
        sound[:, sel] = now != SILENT
    return _running_mean(cross, dt, model.evidence_ms), _running_mean(sound, dt, model.evidence_ms)
