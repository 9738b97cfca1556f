"""The simulation behind experiment 1 (Posner cueing): inputs, the competition, the RTs.

Every trial is one member of a batch of :class:`~neuroattn.dynamics.Competition` networks
(one unit per location), all integrated in one :func:`~neuroattn.dynamics.simulate` call
over a precomputed input (:class:`~neuroattn.dynamics.TimeSeries` on the solver's grid).
The drive of location i at time t is

    E_i(t) = p + c·[cue at i, 0 ≤ t < T_cue] + s·[target at i, t ≥ SOA]
    D_i(t) = d_i(t) E_i(t)                       (synaptic depression, driven by E_i)
    I_i(t) = m_i(t) D_i(t),   m = R(A)/R(1)       (the attention field A through eq. 1 of
                                                   Reynolds & Heeger 2009, pooled over
                                                   the locations)

with p the placeholders (the boxes are always on screen), c the cue, s the target. See
:mod:`.posner` for the published facts and which parts are ours.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..dynamics import (
    RK4,
    Competition,
    SaveAt,
    SynapticDepression,
    TimeSeries,
    attention_modulation,
    simulate,
    uniform,
)
from ._timescale import TAU_MS

CONDITIONS = ("exogenous valid", "exogenous invalid", "endogenous valid",
              "endogenous invalid", "neutral")  # fmt: skip
#: (SOA ms, invalid − valid ms): one study's figures in Samuel & Kat 2003 (design brief §4)
PUBLISHED_EFFECTS = ((105.0, 57.0), (1005.0, -21.0))


@dataclass(frozen=True)
class Trials:
    """The batch: one member per (condition, SOA), in ms and model time."""

    kind: np.ndarray  # (B,) 0 exogenous, 1 endogenous, 2 neutral (no cue)
    target: np.ndarray  # (B,) target location
    soa: np.ndarray  # (B,) model time
    n_soa: int


def trials(soas_ms: tuple[float, ...]) -> Trials:
    """Members in the order of :data:`CONDITIONS` × SOAs; the cue is always at location 0."""
    soas = np.asarray(soas_ms, dtype=np.float64) / TAU_MS
    kinds = np.repeat([0, 0, 1, 1, 2], soas.size)
    target = np.repeat([0, 1, 0, 1, 0], soas.size)
    return Trials(kinds, target, np.tile(soas, 5), soas.size)


def field_gain(t: np.ndarray, kind: np.ndarray, cfg: Any) -> np.ndarray:
    """The attention field's value at the cued location, (T, B): 1 + (a − 1) α(t).

    Exogenous: a transient, α = (t/t_p) e^{1 − t/t_p} from the cue's onset (peak at t_p).
    Endogenous: a sustained rise, α = 1 − e^{−t/τ_endo}, that stays. Neutral: α = 0.
    """
    tp = cfg.exogenous_peak_ms / TAU_MS
    x = np.maximum(t, 0.0)[:, None] / tp
    exo = x * np.exp(1.0 - x)
    endo = 1.0 - np.exp(-np.maximum(t, 0.0)[:, None] * TAU_MS / cfg.endogenous_tau_ms)
    alpha = np.where(kind == 0, exo, np.where(kind == 1, endo, 0.0))
    return 1.0 + (cfg.field_peak - 1.0) * alpha


def drives(t: np.ndarray, tr: Trials, cfg: Any) -> tuple[np.ndarray, np.ndarray]:
    """Stimulus drive E (T, B, n) and depression efficacy d (T, B, n) on the grid ``t``."""
    n, cue_end = cfg.n_locations, cfg.cue_ms / TAU_MS
    peripheral = (tr.kind == 0)[:, None] & (np.arange(n) == 0)  # (B, n): the cued box
    at_target = tr.target[:, None] == np.arange(n)  # (B, n)

    def drive(times: np.ndarray) -> np.ndarray:
        tt = times[:, None, None]
        cue = (tt >= 0) & (tt < cue_end) & peripheral
        target = (tt >= tr.soa[:, None]) & at_target
        return cfg.placeholder + cfg.cue_drive * cue + cfg.target_drive * target

    # the rate is constant between these break points for every member: d is exact there
    breaks = np.unique(np.r_[0.0, cue_end, tr.soa])
    dep = SynapticDepression(cfg.recovery_ms / TAU_MS, cfg.depletion)
    d = dep.efficacy(t, breaks=breaks, rates=drive(breaks),
                     initial=dep.steady_state(cfg.placeholder))  # fmt: skip
    return drive(t), d


def competition_input(tr: Trials, cfg: Any, t_end: float) -> tuple[np.ndarray, np.ndarray]:
    """The time grid (model time, step ``cfg.dt``) and the competition's input I (T, B, n)."""
    t = np.arange(0.0, t_end + cfg.dt / 2, cfg.dt)
    e, d = drives(t, tr, cfg)
    gain = field_gain(t, tr.kind, cfg)  # (T, B)
    attention = np.ones_like(e)
    attention[..., 0] = gain
    transmitted = d * e
    m = attention_modulation(transmitted, attention, pool=np.inf, sigma=cfg.sigma)
    return t, m * transmitted


def simulate_rts(cfg: Any) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """RT (ms, without the non-decision time) of every condition × SOA, shape (5, n_soa),
    and the cued location's efficacy and field over time (for the figure)."""
    tr = trials(cfg.soas_ms)
    window = cfg.response_window_ms / TAU_MS
    t_end = float(tr.soa.max()) + window
    t, drive = competition_input(tr, cfg, t_end)
    model = Competition(uniform(cfg.n_locations, -cfg.inhibition), beta=cfg.beta,
                        activation="relu")  # fmt: skip
    traj = simulate(model, TimeSeries(t, drive), t_span=(0.0, float(t[-1])), dt=cfg.dt,
                    method=RK4(), saveat=SaveAt(every=cfg.dt))  # fmt: skip
    rts = np.array([_rt(traj.t, traj.rates[:, b], tr.target[b], tr.soa[b], cfg.threshold)
                    for b in range(tr.soa.size)])  # fmt: skip
    shown = t[t <= tr.soa.max()]  # until the last target: the cue's after-effects alone
    _, d = drives(shown, trials(cfg.soas_ms[-1:]), cfg)
    traces = {
        "time_ms": shown * TAU_MS,
        "efficacy": d[:, 0, 0],
        "exogenous_field": field_gain(shown, np.array([0]), cfg)[:, 0],
        "endogenous_field": field_gain(shown, np.array([1]), cfg)[:, 0],
    }
    return rts.reshape(5, tr.n_soa) * TAU_MS, traces


def _rt(t: np.ndarray, rates: np.ndarray, target: int, soa: float, theta: float) -> float:
    """Model time from the target's onset until its unit is the most active and at or above
    ``theta`` (linearly interpolated between saves); NaN when it never wins."""
    r = rates[:, target]
    won = (t >= soa) & (r >= theta) & (r >= rates.max(axis=1))
    k = np.flatnonzero(won)
    if k.size == 0:
        return float("nan")
    i = int(k[0])
    if i > 0 and t[i - 1] >= soa and r[i] > r[i - 1] and r[i - 1] < theta:
        frac = (theta - r[i - 1]) / (r[i] - r[i - 1])
        return float(t[i - 1] + frac * (t[i] - t[i - 1]) - soa)
    return float(t[i] - soa)
