r"""Stage 3 on sound: competition between auditory streams (ABA– sequences, issue 13).

Two populations of the source's equation compete for the organisation of an ABA– sequence:
*one stream* (the A and B tones bound: the tonotopic populations at A's and at B's place
co-active) and *two streams* (each place following its own tones). With u = (u₁, u₂), the
rates f(u) and a slow adaptation a (:class:`AdaptingCompetition`),

.. math::

    τ \frac{du_i}{dt} = -u_i + \sum_{j \ne i} w_{ij} f(u_j) - β \sum_j w_{ij} f(u_i)
                         + I_i(t) - k a_i + σ ξ_i(t), \qquad
    τ_a \frac{da_i}{dt} = -a_i + f(u_i),

w₁₂ = w₂₁ = −c (cross-inhibition; the β term is then self-excitation β c f(u_i)), f a
sigmoid, I₁ = g e(t) and I₂ = g θ s(t): e is the running mean of the co-activation of the
two tonotopic places and s that of the sound (:mod:`._streaming_input`), θ a fixed
criterion. Both inputs grow with the fraction of time a tone sounds, so at slow tempi the
competition is driven less and adaptation and noise widen the ambiguous range. τ is the
competition's time constant, 7 ms in the experiments (``experiments.TAU_MS``).

**Readout** (ours): in each ABA– cycle (4 TRT) the percept is *one stream* when population 1's
mean rate over the cycle exceeds population 2's, else *two streams*.

Published (what the model is held against): one stream at small Δf and slow tempo, two at
large Δf and fast tempo, the temporal coherence boundary rising with the TRT and the fission
boundary below it (van Noorden 1975, thesis, Eindhoven); between them the percept switches,
the first percept is usually one stream and segregation builds up over the first seconds,
and phase durations are unimodal and right-skewed like those of visual rivalry (Pressnitzer
& Hupé 2006, Curr Biol 16:1351; Anstis & Saida 1985, J Exp Psychol HPP 11:257). The
rivalry structure — mutual inhibition, recurrent excitation, slow adaptation and noise — is
that of Laing & Chow 2002 (J Comput Neurosci 12:39) and Moreno-Bote, Rinzel & Rubin 2007 (J
Neurophysiol 98:1125), used for streaming by Rankin, Sussman & Rinzel 2015 (PLoS Comput Biol
11:e1004555). Ours: the two-population form fed by the co-activation, the readout, and
every parameter value (:class:`StreamingModel`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..dynamics import Competition, TimeSeries, sigmoid, simulate
from ..dynamics.checks import (
    check_fields,
    check_finite_array,
    check_number,
    check_seed,
)
from ._streaming_input import coactivation
from ._streaming_model import AdaptingCompetition

__all__ = ["StreamingModel", "StreamingResult", "gamma_shape", "simulate_streaming"]

_MAX_MEMBERS = 4096
_MAX_SECONDS = 600.0


@dataclass(frozen=True)
class StreamingModel:
    """Parameters of the streaming model (all ours unless said; see the module docstring).

    Parameters
    ----------
    spread : float
        λ in semitones: a tone drives the other place with ε = exp(−Δf/λ) (8).
    tone_ms : float
        Tone duration in ms (40).
    fast_recovery_ms, fast_use : float
        Forward suppression: τ_rec in ms and U per ms of the fast depression (250, 0.01).
    slow_recovery_ms, slow_use : float
        Adaptation over seconds: τ_rec and U of the slow depression (5000, 0.0002).
    evidence_ms : float
        τ_e of the running mean of the co-activation (300).
    gain, criterion : float
        g and θ: I₁ = g e, I₂ = g θ s (36, 0.2).
    inhibition, beta : float
        c > 0 and β ≥ 0 of the source's equation (1.5, 0.3).
    slope, threshold : float
        The sigmoid f(u) = 1 / (1 + exp(−slope (u − threshold))) (4, 1).
    adaptation_ms, adaptation : float
        τ_a in ms and the strength k of the slow adaptation (8000, 1).
    noise : float
        σ of the Euler–Maruyama noise (0.25).
    tau_ms : float
        τ of the competition in ms: the experiments pass ``TAU_MS`` (7 ms), which is never
        re-tuned here.
    dt : float
        Step in units of τ (0.5).
    """

    spread: float = 8.0
    tone_ms: float = 40.0
    fast_recovery_ms: float = 250.0
    fast_use: float = 0.01
    slow_recovery_ms: float = 5000.0
    slow_use: float = 0.0002
    evidence_ms: float = 300.0
    gain: float = 36.0
    criterion: float = 0.2
    inhibition: float = 1.5
    beta: float = 0.3
    slope: float = 4.0
    threshold: float = 1.0
    adaptation_ms: float = 8000.0
    adaptation: float = 1.0
    noise: float = 0.25
    tau_ms: float = 7.0
    dt: float = 0.5

    def __post_init__(self) -> None:
        pos = {"gt": 0.0, "le": 1e6}
        check_fields(
            self,
            [("spread", {"gt": 0.0, "le": 1e3}), ("tone_ms", {"gt": 0.0, "le": 1e4}),
             ("fast_recovery_ms", pos), ("fast_use", {"ge": 0.0, "le": 1e3}),
             ("slow_recovery_ms", pos), ("slow_use", {"ge": 0.0, "le": 1e3}),
             ("evidence_ms", pos), ("gain", {"gt": 0.0, "le": 1e3}),
             ("criterion", {"ge": 0.0, "le": 10.0}), ("inhibition", {"gt": 0.0, "le": 1e3}),
             ("beta", {"ge": 0.0, "le": 1e3}), ("slope", {"gt": 0.0, "le": 1e3}),
             ("threshold", {"ge": -1e3, "le": 1e3}), ("adaptation_ms", pos),
             ("adaptation", {"ge": 0.0, "le": 1e3}), ("noise", {"ge": 0.0, "le": 100.0}),
             ("tau_ms", {"gt": 0.0, "le": 1e3}), ("dt", {"gt": 0.0, "le": 1.0})],
        )  # fmt: skip
        if not self.adaptation_ms > self.tau_ms:
            raise ValueError(
                f"adaptation_ms must be > tau_ms ({self.tau_ms:g}), got {self.adaptation_ms!r}"
            )

    def network(self) -> AdaptingCompetition:
        """The two competing populations with their slow adaptation."""
        c = self.inhibition
        comp = Competition(
            np.array([[0.0, -c], [-c, 0.0]]),
            beta=self.beta,
            activation=sigmoid(self.slope, self.threshold),
        )
        return AdaptingCompetition(comp, tau_a=self.adaptation_ms / self.tau_ms,
                                   strength=self.adaptation)  # fmt: skip


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
    evidence : ndarray, shape (*batch, C)
        Mean co-activation e over each cycle (the running mean, per ms of the model's
        input; NaN after the last).
    """

    delta_f: np.ndarray
    trt_ms: np.ndarray
    percept: np.ndarray
    cycle_s: np.ndarray
    evidence: np.ndarray

    def __post_init__(self) -> None:
        for name in ("delta_f", "trt_ms", "percept", "cycle_s", "evidence"):
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


def _check_batch(delta_f: Any, trt_ms: Any, model: StreamingModel) -> tuple[np.ndarray, ...]:
    df = check_finite_array(delta_f, "delta_f")
    trt = check_finite_array(trt_ms, "trt_ms")
    if np.any(df < 0) or np.any(df > 48):
        raise ValueError(f"delta_f must be within [0, 48] semitones, got {df.min():g}…{df.max():g}")
    if np.any(trt < 20) or np.any(trt > 1000):
        raise ValueError(f"trt_ms must be within [20, 1000] ms, got {trt.min():g}…{trt.max():g}")
    try:
        df, trt = np.broadcast_arrays(df, trt)
    except ValueError:
        raise ValueError(
            f"delta_f and trt_ms must broadcast, got shapes {df.shape} and {trt.shape}"
        ) from None
    if not 1 <= df.size <= _MAX_MEMBERS:
        raise ValueError(f"delta_f × trt_ms must hold 1 to {_MAX_MEMBERS} sequences, got {df.size}")
    return df, trt


def simulate_streaming(
    delta_f: Any,
    trt_ms: Any,
    *,
    duration_s: float = 30.0,
    model: StreamingModel | None = None,
    seed: Any = None,
) -> StreamingResult:
    """Simulate the percept of ABA– sequences (one batched :func:`~neuroattn.dynamics.simulate`).

    Parameters
    ----------
    delta_f : float or array_like
        Δf, the semitones from A up to B, in [0, 48].
    trt_ms : float or array_like
        Tone repetition time (onset to onset) in ms, in [20, 1000]; broadcast with ``delta_f``
        (repeat a condition to get independent trials).
    duration_s : float, keyword-only
        Length of every sequence in seconds (at least two cycles, at most 600).
    model : StreamingModel, keyword-only
        The parameters (default :class:`StreamingModel()`).
    seed : int or numpy.random.Generator, keyword-only
        Seed of the noise.

    Returns
    -------
    StreamingResult
    """
    model = StreamingModel() if model is None else model
    if not isinstance(model, StreamingModel):
        raise TypeError(f"model must be a StreamingModel, got {type(model).__name__}")
    df, trt = _check_batch(delta_f, trt_ms, model)
    duration_ms = 1000.0 * check_number(duration_s, "duration_s", gt=0, le=_MAX_SECONDS)
    if duration_ms < 8 * float(trt.max()):
        raise ValueError(
            f"duration_s must cover two ABA– cycles (8 TRT = {8 * trt.max() / 1000:g} s), "
            f"got {duration_s!r}"
        )
    seed = check_seed(seed)
    step_ms = model.dt * model.tau_ms
    t_ms = np.arange(int(duration_ms // step_ms) + 1) * step_ms
    evidence, sound = coactivation(df.ravel(), trt.ravel(), t_ms, model)
    drive = model.gain * np.stack([evidence, model.criterion * sound], -1)  # (T, M, 2)
    traj = simulate(
        model.network(),
        TimeSeries(t_ms / model.tau_ms, drive[:, :, None, :]),
        t_span=(0.0, float(t_ms[-1]) / model.tau_ms),
        dt=model.dt,
        method="euler_maruyama",
        noise=model.noise,
        seed=seed,
        save_every=model.dt,
        max_work=1e12,
    )
    rates = np.asarray(traj.rates)  # (T, M, 2)
    t_saved = np.asarray(traj.t) * model.tau_ms
    percept, mean_e = _readout(t_saved, rates, evidence, t_ms, 4.0 * trt.ravel())
    shape = df.shape
    return StreamingResult(
        delta_f=df.copy(), trt_ms=trt.copy(),
        percept=percept.reshape(shape + percept.shape[-1:]),
        cycle_s=(4.0 * trt / 1000.0).copy(),
        evidence=mean_e.reshape(shape + mean_e.shape[-1:]),
    )  # fmt: skip


def _readout(
    t_ms: np.ndarray, rates: np.ndarray, evidence: np.ndarray, t_in: np.ndarray,
    cycle_ms: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Percept (1 one stream, 0 two, −1 none) and mean evidence per complete cycle, (M, C)."""
    n_cycles = (np.floor(t_ms[-1] / cycle_ms + 1e-9)).astype(int)
    width = int(n_cycles.max())
    percept = np.full((cycle_ms.size, width), -1, dtype=np.int8)
    mean_e = np.full((cycle_ms.size, width), np.nan)
    for m, (cyc, n) in enumerate(zip(cycle_ms, n_cycles, strict=True)):
        idx = np.floor(t_ms / cyc).astype(int)
        keep = idx < n
        one = np.bincount(idx[keep], rates[keep, m, 0], minlength=n)
        two = np.bincount(idx[keep], rates[keep, m, 1], minlength=n)
        percept[m, :n] = one > two
        idx_in = np.floor(t_in / cyc).astype(int)
        keep_in = idx_in < n
        count = np.bincount(idx_in[keep_in], minlength=n)
        mean_e[m, :n] = np.bincount(idx_in[keep_in], evidence[keep_in, m], minlength=n) / count
    return percept, mean_e
