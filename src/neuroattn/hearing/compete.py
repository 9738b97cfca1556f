r"""Stage 3, the saliency scan: which sound events capture attention, in order, and when.

The saliency map S(c, t) of stage 2 is pooled into ``n_bands`` tonotopic bands (the maximum
over each band's channels; bands equal in ERB-number) and drives, frame by frame as the sound
unfolds, a winner-take-all network of :mod:`neuroattn.dynamics` — the lateral-inhibition form
of the source's equation, one unit per band:

.. math::

    τ \frac{du_i}{dt} = -u_i + α f(u_i) - β \sum_{j \ne i} f(u_j) + I_i(t) (1 - R_i(t)),
    \qquad f(u) = \max(u - θ, 0)

(:class:`~neuroattn.dynamics.LateralInhibition`, its vector field integrated by forward Euler
with the step shortened where many units are active: step × (1 − α + β(k − 1)) ≤ 0.5 for k
units above θ). I is S scaled so that the map's maximum is one. When the leading unit's rate
crosses ``rate_threshold`` the band **captures attention** (the onset is interpolated between
frames); the **latency** is the time from the moment its input last rose above θ (the event
became able to drive it) to that onset — long for weak or contested events, short for strong
ones. After ``dwell_ms`` the band receives **inhibition of return** R, a Gaussian over bands
(σ ``ior_spread`` bands) of peak ``ior_strength`` decaying with time constant
``ior_tau_ms``, 1 − Π_k (1 − s e^{−Δt_k/τ_R} G_k) over the past winners; the winner's
activity collapses and the next event can win. Nothing is chosen by an argmax: a capture is a
threshold crossing of the simulated network (ours: the tonotopic units, the pooling and the
auditory time constants; published: the WTA with inhibition of return of Koch & Ullman 1985
and Itti, Koch & Niebur 1998, which the vision package runs over space).

References
----------
Koch, C. & Ullman, S. (1985). Human Neurobiology 4, 219–227.
Itti, L., Koch, C. & Niebur, E. (1998). IEEE PAMI 20(11), 1254–1259.
Kayser, C. et al. (2005). Current Biology 15, 1943–1947.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..dynamics import Activation, LateralInhibition
from ..dynamics.checks import check_finite_array, check_integer, check_number
from ._scales import erb_number, inverse_erb_number

__all__ = ["AuditoryScan", "Capture", "Scan", "relu_threshold"]


def relu_threshold(theta: float) -> Activation:
    """Rate function f(u) = max(u − θ, 0)."""

    def f(u: Any) -> Any:
        return np.maximum(u - theta, 0.0)

    def df(u: Any) -> Any:
        return (u > theta).astype(np.asarray(u).dtype)

    return Activation(f"relu(θ={theta:g})", f, df, f)


@dataclass(frozen=True)
class Capture:
    """One event that captured attention.

    Attributes
    ----------
    onset : float
        Time (s) at which the band's rate crossed the threshold.
    latency : float
        Seconds from its input rising above θ to ``onset``.
    band : int
        Index of the winning band (0 = lowest).
    frequency : float
        Centre frequency of the band in Hz.
    saliency : float
        The band's input at the onset (1 = the map's maximum).
    duration : float
        Seconds attention was held (``dwell_ms``, or less when the sound ended).
    """

    onset: float
    latency: float
    band: int
    frequency: float
    saliency: float
    duration: float


@dataclass(frozen=True)
class Scan:
    """The scan of one sound: ``captures`` in order, the network's ``rates`` and ``inputs``
    (n_bands, T) after inhibition of return, frame ``times`` (s) and band centres ``band_cf``."""

    captures: tuple[Capture, ...]
    times: np.ndarray
    rates: np.ndarray
    inputs: np.ndarray
    band_cf: np.ndarray


@dataclass(frozen=True)
class AuditoryScan:
    """Stage 3 settings (see the module docstring); times in milliseconds.

    Parameters
    ----------
    n_bands : int
        Tonotopic units of the network.
    alpha, beta, threshold : float
        Self-excitation α < 1, lateral inhibition β, threshold θ.
    rate_threshold : float
        Rate at which the leading unit captures attention; below the plateau
        (1 − θ)/(1 − α) of a unit driven at the map's maximum.
    tau_ms, dwell_ms, ior_tau_ms : float
        Time constant of the units, time held before inhibition of return, and its decay.
    ior_strength, ior_spread : float
        Peak of inhibition of return (≤ 1) and its σ in bands.
    max_captures : int
        Most captures per sound.
    """

    n_bands: int = 16
    alpha: float = 0.5
    beta: float = 1.0
    threshold: float = 0.2
    rate_threshold: float = 0.6
    tau_ms: float = 20.0
    dwell_ms: float = 100.0
    ior_tau_ms: float = 2000.0
    ior_strength: float = 1.0
    ior_spread: float = 1.0
    max_captures: int = 50

    def __post_init__(self) -> None:
        check_integer(self.n_bands, "scan.n_bands", ge=1, le=256)
        check_integer(self.max_captures, "scan.max_captures", ge=1, le=10_000)
        check_number(self.alpha, "scan.alpha", ge=0, lt=1)
        for name in ("beta", "threshold", "dwell_ms", "ior_spread"):
            check_number(getattr(self, name), f"scan.{name}", ge=0)
        for name in ("tau_ms", "ior_tau_ms"):
            check_number(getattr(self, name), f"scan.{name}", gt=0, le=1e6)
        check_number(self.ior_strength, "scan.ior_strength", ge=0, le=1)
        plateau = (1 - self.threshold) / (1 - self.alpha)
        check_number(self.rate_threshold, "scan.rate_threshold", gt=0, lt=plateau)

    def bands(self, cf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(band index of every channel, band centre frequencies): equal ERB-number bands."""
        e = erb_number(cf)
        n = min(self.n_bands, cf.size)
        edges = np.linspace(e.min(), e.max() + 1e-9, n + 1)
        idx = np.clip(np.searchsorted(edges, e, side="right") - 1, 0, n - 1)
        return idx, inverse_erb_number(0.5 * (edges[:-1] + edges[1:]))

    def __call__(self, saliency_map: Any, cf: Any, frame_rate: float) -> list[Scan]:
        """Scan the maps ``saliency_map`` (..., C, T) with channel centres ``cf`` (C,) Hz.

        Returns one :class:`Scan` per map (a list even for one map).
        """
        s = check_finite_array(saliency_map, "saliency_map")
        cfs = check_finite_array(cf, "cf")
        if s.ndim < 2 or s.shape[-2] != cfs.size or s.shape[-1] < 1 or (s < 0).any():
            raise ValueError(
                f"saliency_map must be non-negative (..., C, T) with C = {cfs.size}, "
                f"got shape {s.shape}"
            )
        rate = check_number(frame_rate, "frame_rate", gt=0, le=1e5)
        idx, band_cf = self.bands(cfs)
        stack = s.reshape(-1, *s.shape[-2:])
        pooled = np.full((stack.shape[0], band_cf.size, stack.shape[-1]), 0.0)
        for b in range(band_cf.size):
            if (idx == b).any():
                pooled[:, b] = stack[:, idx == b].max(axis=1)
        top = pooled.max(axis=(1, 2), keepdims=True)
        pooled = pooled / np.where(top > 0, top, 1.0)
        return [self._run(p, band_cf, rate) for p in pooled]

    def _run(self, inputs: np.ndarray, band_cf: np.ndarray, frame_rate: float) -> Scan:
        """The network over one sound's pooled input (n, T)."""
        n, n_t = inputs.shape
        system = LateralInhibition(n, alpha=self.alpha, beta=self.beta,
                                   activation=relu_threshold(self.threshold)).bind()  # fmt: skip
        dt = 1000.0 / frame_rate / self.tau_ms  # one frame in units of τ
        u = np.zeros(n)
        rates = np.zeros((n, n_t))
        eff = np.zeros((n, n_t))
        marks: list[tuple[int, float]] = []  # (band, time in frames)
        rise = np.zeros(n)
        captures: list[Capture] = []
        holding: list[Any] | None = None  # [band, onset frame, onset s, rise s, input]
        prev_r = np.zeros(n)
        prev_in = np.zeros(n)
        bands = np.arange(n)
        for t in range(n_t):
            keep = np.ones(n)
            for b, t0 in marks:
                age_ms = (t - t0) * 1000.0 / frame_rate
                amp = self.ior_strength * math.exp(-age_ms / self.ior_tau_ms)
                keep *= 1 - amp * np.exp(-0.5 * ((bands - b) / max(self.ior_spread, 1e-9)) ** 2)
            drive = inputs[:, t] * keep
            rise = np.where((drive > self.threshold) & (prev_in <= self.threshold), t, rise)
            active = int((u > self.threshold).sum())
            decay = 1 - self.alpha + self.beta * max(active - 1, 0)
            steps = max(1, math.ceil(dt * max(decay, 1.0) / 0.5))
            for _ in range(steps):
                u = u + (dt / steps) * system.rhs(u, drive)
            r = np.maximum(u - self.threshold, 0.0)
            rates[:, t], eff[:, t] = r, drive
            holding = self._step(t, r, prev_r, drive, rise, holding, captures, marks,
                                 band_cf, frame_rate)  # fmt: skip
            prev_r, prev_in = r, drive
            if len(captures) >= self.max_captures and holding is None:
                break
        if holding is not None:  # the sound ended while attention was held
            b, t_on, onset, risen, level = holding
            captures.append(Capture(onset, max(onset - risen, 0.0), b, float(band_cf[b]),
                                    level, (n_t - 1 - t_on) / frame_rate))  # fmt: skip
        times = np.arange(n_t) / frame_rate
        return Scan(tuple(captures), times, rates, eff, band_cf)

    def _step(
        self,
        t: int,
        r: np.ndarray,
        prev_r: np.ndarray,
        drive: np.ndarray,
        rise: np.ndarray,
        holding: list[Any] | None,
        captures: list[Capture],
        marks: list[tuple[int, float]],
        band_cf: np.ndarray,
        frame_rate: float,
    ) -> list[Any] | None:
        """Onsets, the dwell and inhibition of return after frame ``t``."""
        thr = self.rate_threshold
        if holding is None:
            # a capture is an upward crossing (a released winner decaying from above is not)
            rising = np.where((r >= thr) & (prev_r < thr), r, -1.0)
            b = int(rising.argmax())
            if rising[b] < 0 or len(captures) >= self.max_captures:
                return None
            frac = (thr - prev_r[b]) / max(r[b] - prev_r[b], 1e-12)
            onset = (t - 1 + min(max(frac, 0.0), 1.0)) / frame_rate
            return [b, t, max(float(onset), 0.0), float(rise[b]) / frame_rate, float(drive[b])]
        b, t_on, onset, risen, level = holding
        if (t - t_on) * 1000.0 / frame_rate >= self.dwell_ms:
            marks.append((b, float(t)))
            duration = (t - t_on) / frame_rate
            captures.append(Capture(onset, max(onset - risen, 0.0), b, float(band_cf[b]),
                                    level, duration))  # fmt: skip
            return None
        return holding
