r"""Pitch: a periodicity map from the short-time autocorrelation (Boersma 1993).

For each frame (Hann window of ``frame_ms`` centred on the cochleagram's frame) the
normalised autocorrelation of the windowed signal is divided by that of the window,

.. math::

    r(τ) = \frac{r_{xw}(τ) / r_{xw}(0)}{r_w(τ) / r_w(0)},

which Boersma (1993) shows estimates the signal's own normalised autocorrelation (published).
The periodicity map is r at the lags 1/p of a log-spaced pitch grid p ∈ [``fmin``,
``fmax``] (linear interpolation between samples). Harmonicity h(t) = max_p r(p, t), clipped
to [0, 1]; the pitch is the highest p whose r is within ``tolerance`` of that maximum (ours:
it picks the fundamental over its subharmonics, whose lags are as periodic), and NaN where
the frame is silent.

Reference
---------
Boersma, P. (1993). Accurate short-term analysis of the fundamental frequency and the
harmonics-to-noise ratio of a sampled sound. Proceedings of the Institute of Phonetic
Sciences 17, 97–110.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.fft

from ._stft import hann, n_frames


@dataclass(frozen=True)
class Periodicity:
    """The periodicity map and what is read from it.

    Attributes
    ----------
    grid : ndarray (P,)
        Pitch candidates in Hz (log-spaced).
    map : ndarray (..., P, T)
        r(1/p, t), the window-corrected normalised autocorrelation.
    harmonicity : ndarray (..., T)
        max_p r, clipped to [0, 1].
    pitch : ndarray (..., T)
        The pitch in Hz (NaN in silent frames).
    """

    grid: np.ndarray
    map: np.ndarray
    harmonicity: np.ndarray
    pitch: np.ndarray


def periodicity(
    x: np.ndarray,
    sr: float,
    hop: int,
    *,
    frame_ms: float = 40.0,
    fmin: float = 60.0,
    fmax: float = 2000.0,
    n_pitches: int = 120,
    tolerance: float = 0.05,
) -> Periodicity:
    """The periodicity map of ``x`` (..., N), one frame per ``hop`` samples (see module doc)."""
    win = max(4, round(frame_ms * sr / 1000.0))
    n_fft = scipy.fft.next_fast_len(2 * win - 1, real=True)  # no circular wrap of the lags
    w = hann(win, win)
    pad = win // 2
    xp = np.pad(x, [(0, 0)] * (x.ndim - 1) + [(pad, pad)])
    frames = np.lib.stride_tricks.sliding_window_view(xp, win, axis=-1)[..., ::hop, :]
    frames = frames[..., : n_frames(x.shape[-1], hop), :]
    frames = frames.astype(np.float32)  # float32 FFTs: twice as fast, r within 1e-6
    frames -= frames.mean(-1, keepdims=True)
    spec = scipy.fft.rfft(frames * w.astype(np.float32), n=n_fft, axis=-1)
    acf = scipy.fft.irfft(spec.real**2 + spec.imag**2, n=n_fft, axis=-1)[..., :win]
    acf = acf.astype(np.float64)
    wspec = scipy.fft.rfft(w, n=n_fft)
    acf_w = scipy.fft.irfft(np.abs(wspec) ** 2, n=n_fft)[:win]
    top = min(fmax, sr / 2)
    grid = np.geomspace(fmin, top, n_pitches)
    lags = sr / grid
    lags = lags[lags < win - 1]
    grid = grid[: lags.size]
    i0 = np.floor(lags).astype(int)
    frac = lags - i0
    energy = acf[..., :1]
    safe = np.where(energy > 0, energy, 1.0)
    rx = (acf[..., i0] * (1 - frac) + acf[..., i0 + 1] * frac) / safe
    rw = (acf_w[i0] * (1 - frac) + acf_w[i0 + 1] * frac) / acf_w[0]
    r = np.where(energy > 1e-12 * win, rx / rw, 0.0)  # (..., T, P)
    h = np.clip(r.max(-1), 0.0, 1.0)
    near = r >= (r.max(-1, keepdims=True) - tolerance)
    best = grid.size - 1 - np.argmax(near[..., ::-1], axis=-1)
    pitch = np.where(h > 0, grid[best], np.nan)
    return Periodicity(grid, np.moveaxis(r, -1, -2), h, pitch)
