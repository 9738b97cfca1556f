r"""Stage 2, features: centre–surround maps of the cochleagram, pitch, timbre, and saliency.

**Kayser et al. (2005)** (published: the three features and their centre–surround form; their
filters were applied to the "auditory spectrogram" as an image, at several scales, with the
normalisation and across-scale sum of Itti, Koch & Niebur 1998):

* intensity I = |G_c ∗ X − G_s ∗ X|, a Gaussian centre minus a wider surround in time and
  frequency;
* frequency contrast F = |G_c ∗ X − G_{c,s_f} ∗ X|, the surround wider along frequency only
  (excitatory centre with inhibitory side bands);
* temporal contrast T = [G_c ∗ X − H_s ∗ X]_+, the surround H_s an exponentially weighted
  mean over the *preceding* frames only (an inhibitory region before the excitatory one:
  onsets).

X is the compressed cochleagram (channels × frames). Ours: the scales in physical units —
centres σ_t ∈ {20, 40, 80} ms and σ_f ∈ {0.5, 1, 2} Cam, surrounds 4 and 8 times wider —
computing them without down-sampling (a cochleagram is small), the wide Gaussians as three
box passes of the same variance (Wells 1986) and the past surround's time constant equal to
its σ.

**Pitch and timbre** (ours, after the features named in the source essay): pitch contrast
P(t) = h(t) · min(1, |log2 f0(t) − ⟨log2 f0⟩_s|) + [h(t) − ⟨h⟩_s]_+, h the harmonicity and
f0 the pitch of :mod:`._pitch`, ⟨·⟩_s a Gaussian surround in time (σ 0.5 s) weighted by h
and by the frame's level; timbre contrast S(t) = |κ(t) − ⟨κ⟩_s| / 4 + |φ(t) − ⟨φ⟩_s|, κ the
spectral centroid in Cams and φ the spectral flatness (geometric over arithmetic mean of the
channel powers), weighted by the frame's level. Each 1-D map is spread over the channels by
the frame's spectral profile X(c, t) / max_c X(·, t).

**Saliency.** Every map goes through Itti et al.'s N(·) — rescaled to [0, 1] and multiplied
by (1 − m̄)², m̄ the mean of its other local maxima (3 × 3 neighbourhoods) — the
maps of a feature are summed and normalised again (its conspicuity), and the saliency map is
the weighted mean of the conspicuities; the saliency over time is its maximum over channels.
The whole sound is one map (as in Kayser et al., offline).

References
----------
Kayser, C., Petkov, C. I., Lippert, M. & Logothetis, N. K. (2005). Mechanisms for allocating
auditory attention: an auditory saliency map. Current Biology 15, 1943–1947.
Itti, L., Koch, C. & Niebur, E. (1998). IEEE PAMI 20(11), 1254–1259.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.ndimage as ndi
import scipy.signal

from ..dynamics.checks import check_number
from ._pitch import Periodicity, periodicity
from ._scales import erb_number
from .encode import Cochleagram, Encoder, check_signal

__all__ = ["FEATURES", "FeatureExtractor", "Features", "features", "normalize"]

FEATURES = ("intensity", "frequency_contrast", "temporal_contrast", "pitch", "timbre")
CENTRES_MS = (20.0, 40.0, 80.0)
CENTRES_CAM = (0.5, 1.0, 2.0)
SURROUNDS = (4.0, 8.0)


@dataclass(frozen=True)
class Features:
    """Stage 2's result for a batch of sounds.

    Attributes
    ----------
    cochleagram : Cochleagram
        The encoding the maps were computed from.
    conspicuity : dict of str → ndarray (..., C, T)
        One normalised map per feature of :data:`FEATURES`.
    periodicity : Periodicity
        The periodicity map, harmonicity and pitch track.
    saliency_map : ndarray (..., C, T)
        Weighted mean of the conspicuity maps.
    saliency : ndarray (..., T)
        Saliency over time: the map's maximum over channels.
    """

    cochleagram: Cochleagram
    conspicuity: dict[str, np.ndarray]
    periodicity: Periodicity
    saliency_map: np.ndarray
    saliency: np.ndarray


def _peaks(x: np.ndarray) -> np.ndarray:
    """Local maxima over the 3 × 3 neighbourhood of the last two axes (edges padded low)."""
    pad = np.pad(x, [(0, 0)] * (x.ndim - 2) + [(1, 1), (1, 1)], constant_values=-np.inf)
    h, w = x.shape[-2:]
    peak = np.ones(x.shape, dtype=bool)
    for di in (0, 1, 2):
        for dj in (0, 1, 2):
            if di != 1 or dj != 1:
                peak &= x >= pad[..., di : di + h, dj : dj + w]
    return peak


def normalize(m: np.ndarray) -> np.ndarray:
    """Itti et al.'s N(·) over the last two axes: rescale to [0, 1], multiply by (1 − m̄)²,
    m̄ the mean of the local maxima (3 × 3 neighbourhoods, above 0.05) other than the top."""
    top = m.max(axis=(-2, -1), keepdims=True)
    x = m / np.where(top > 0, top, 1.0)
    peaks = _peaks(x) & (x > 0.05)
    count = peaks.sum(axis=(-2, -1), keepdims=True)
    total = np.where(peaks, x, 0.0).sum(axis=(-2, -1), keepdims=True)
    others = np.where(count > 1, (total - 1.0) / np.maximum(count - 1, 1), 0.0)
    return x * (1.0 - others) ** 2


def _smooth1d(x: np.ndarray, sigma: float, axis: int) -> np.ndarray:
    """Gaussian smoothing of width ``sigma`` samples along ``axis``: exact below 3 samples,
    else three passes of a box of width √(4σ² + 1) (same variance; Wells 1986), O(1) per
    sample whatever the width."""
    if sigma <= 0:
        return x
    if sigma < 3.0:
        return ndi.gaussian_filter1d(x, sigma, axis=axis, mode="nearest", truncate=3.0)
    width = max(1, round(float(np.sqrt(4 * sigma * sigma + 1))) | 1)
    for _ in range(3):
        x = ndi.uniform_filter1d(x, width, axis=axis, mode="nearest")
    return x


def _blur(x: np.ndarray, sig_f: float, sig_t: float) -> np.ndarray:
    return _smooth1d(_smooth1d(x, sig_f, -2), sig_t, -1)


def _past(x: np.ndarray, tau: float) -> np.ndarray:
    """Exponentially weighted mean over the preceding frames (time constant ``tau`` frames)."""
    a = np.exp(-1.0 / max(tau, 1e-6))
    first = x[..., :1]
    y = scipy.signal.lfilter([1 - a], [1, -a], x - first, axis=-1) + first
    return np.concatenate([first, y[..., :-1]], axis=-1)  # frame t sees t−1, t−2, …


def _surround_mean(v: np.ndarray, weight: np.ndarray, sig_t: float) -> np.ndarray:
    """Weighted Gaussian mean of ``v`` over time (σ ``sig_t`` frames)."""
    num = _smooth1d(v * weight, sig_t, -1)
    den = _smooth1d(weight, sig_t, -1)
    return num / np.maximum(den, 1e-12)


@dataclass(frozen=True)
class FeatureExtractor:
    """Stage 2 settings (see the module docstring).

    Parameters
    ----------
    weights : dict of str → float
        Weight of each feature in the saliency map (default 1 each); 0 leaves one out.
    surround_s : float
        σ of the pitch and timbre surrounds in seconds (0.5).
    pitch_range : (float, float)
        Pitch candidates in Hz (60, 2000).
    """

    weights: dict[str, float] = field(default_factory=lambda: dict.fromkeys(FEATURES, 1.0))
    surround_s: float = 0.5
    pitch_range: tuple[float, float] = (60.0, 2000.0)

    def __post_init__(self) -> None:
        if not isinstance(self.weights, dict):
            raise TypeError(f"features.weights must be a dict, got {self.weights!r}")
        for name, w in self.weights.items():
            if name not in FEATURES:
                raise ValueError(f"features.weights must name {', '.join(FEATURES)}, got {name!r}")
            check_number(w, f"features.weights.{name}", ge=0)
        if sum(self.weights.values()) <= 0:
            raise ValueError(f"features.weights must have a weight > 0, got {self.weights!r}")
        check_number(self.surround_s, "features.surround_s", gt=0, le=60)
        lo = check_number(self.pitch_range[0], "features.pitch_range[0]", gt=0)
        check_number(self.pitch_range[1], "features.pitch_range[1]", gt=lo)

    def kayser_maps(self, coch: Cochleagram) -> dict[str, np.ndarray]:
        """The conspicuity maps of intensity, frequency contrast and temporal contrast."""
        x = coch.data.astype(np.float32)  # maps in float32: half the memory traffic
        cams = erb_number(coch.cf)
        per_cam = 1.0 / max(float(np.mean(np.diff(cams))), 1e-6) if cams.size > 1 else 1.0
        per_ms = coch.frame_rate / 1000.0
        out: dict[str, list[np.ndarray]] = {k: [] for k in FEATURES[:3]}
        for c_ms, c_cam in zip(CENTRES_MS, CENTRES_CAM, strict=True):
            sf, st = c_cam * per_cam, c_ms * per_ms
            centre = _blur(x, sf, st)
            for k in SURROUNDS:
                out["intensity"].append(np.abs(centre - _blur(x, k * sf, k * st)))
                out["frequency_contrast"].append(np.abs(centre - _blur(x, k * sf, st)))
                past = _past(_blur(x, sf, 0.0), k * st)
                out["temporal_contrast"].append(np.maximum(centre - past, 0.0))
        return {k: normalize(np.sum([normalize(m) for m in v], axis=0))
                for k, v in out.items()}  # fmt: skip

    def spectral_maps(self, coch: Cochleagram, period: Periodicity) -> dict[str, np.ndarray]:
        """The conspicuity maps of pitch and timbre contrast (1-D over time, spread over C)."""
        x = coch.data
        sig = self.surround_s * coch.frame_rate
        level = x.mean(-2)
        level = level / max(float(level.max()), 1e-12)
        h = period.harmonicity
        f0 = np.log2(np.nan_to_num(period.pitch, nan=1.0))
        hw = h * level + 1e-9
        pitch = h * np.minimum(1.0, np.abs(f0 - _surround_mean(f0, hw, sig)))
        pitch = pitch + np.maximum(h - _surround_mean(h, level + 1e-9, sig), 0.0)
        power = np.maximum(coch.amplitude, 1e-12) ** 2
        cams = erb_number(coch.cf)[:, None]
        centroid = (cams * power).sum(-2) / power.sum(-2)
        flat = np.exp(np.log(power).mean(-2)) / power.mean(-2)
        lw = level + 1e-9
        timbre = np.abs(centroid - _surround_mean(centroid, lw, sig)) / 4.0
        timbre = (timbre + np.abs(flat - _surround_mean(flat, lw, sig))) * level
        profile = x / np.maximum(x.max(-2, keepdims=True), 1e-12)
        return {
            "pitch": normalize((pitch * level)[..., None, :] * profile),
            "timbre": normalize(timbre[..., None, :] * profile),
        }

    def __call__(self, coch: Cochleagram, signal: np.ndarray) -> Features:
        """The feature maps and saliency of ``coch``, the encoding of ``signal`` (..., N)."""
        period = periodicity(signal, coch.sr, coch.hop, fmin=self.pitch_range[0],
                             fmax=self.pitch_range[1])  # fmt: skip
        maps = {**self.kayser_maps(coch), **self.spectral_maps(coch, period)}
        w = {k: float(self.weights.get(k, 0.0)) for k in FEATURES}
        total = sum(w.values())
        sal = sum(w[k] * maps[k] for k in FEATURES if w[k] > 0) / total
        sal = np.asarray(sal)
        return Features(coch, maps, period, sal, sal.max(-2))


def features(
    signal: Any,
    sr: float,
    *,
    encoder: Encoder | None = None,
    extractor: FeatureExtractor | None = None,
) -> Features:
    """Encode ``signal`` (..., N) at ``sr`` Hz and extract its feature maps and saliency.

    Examples
    --------
    >>> from neuroattn.hearing.stimuli import oddball_sequence
    >>> s = oddball_sequence()
    >>> f = features(s.signal, s.sr)
    >>> f.saliency_map.shape[-2:] == f.cochleagram.data.shape[-2:]
    True
    """
    x, rate = check_signal(signal, sr)
    coch = (encoder or Encoder())(x, rate)
    return (extractor or FeatureExtractor())(coch, x)
