"""Short-time Fourier transform and its least-squares inverse (centred frames, periodic Hann).

The framing follows the common convention (librosa's ``center=True`` with zero padding):
frame t is centred on sample t·hop of the signal padded by ``n_fft // 2`` zeros on both sides;
the window is a periodic Hann of ``win`` samples centred in ``n_fft``. The inverse is the
weighted overlap-add of Griffin & Lim (1984): x̂ = Σ_t w · irfft(X_t) / Σ_t w², which
reconstructs the signal exactly when X is an unmodified STFT and is the least-squares
estimate from a modified one (a time–frequency gain).
"""

from __future__ import annotations

import numpy as np
import scipy.fft


def hann(win: int, n_fft: int) -> np.ndarray:
    """Periodic Hann window of ``win`` samples, zero-padded (centred) to ``n_fft``."""
    w = 0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(win) / win)
    out = np.zeros(n_fft)
    start = (n_fft - win) // 2
    out[start : start + win] = w
    return out


def n_frames(n_samples: int, hop: int) -> int:
    """Frames of a signal of ``n_samples``: one per hop, the first centred on sample 0."""
    return 1 + n_samples // hop


def stft(x: np.ndarray, n_fft: int, hop: int, window: np.ndarray) -> np.ndarray:
    """STFT of ``x`` (..., N) → complex (..., T, n_fft // 2 + 1), T = 1 + N // hop."""
    pad = n_fft // 2
    xp = np.pad(x, [(0, 0)] * (x.ndim - 1) + [(pad, pad)])
    frames = np.lib.stride_tricks.sliding_window_view(xp, n_fft, axis=-1)[..., ::hop, :]
    frames = frames[..., : n_frames(x.shape[-1], hop), :]
    return scipy.fft.rfft(frames * window, axis=-1)


def istft(spec: np.ndarray, n_fft: int, hop: int, window: np.ndarray, length: int) -> np.ndarray:
    """Weighted overlap-add inverse of :func:`stft` (Griffin & Lim 1984), ``length`` samples."""
    frames = scipy.fft.irfft(spec, n=n_fft, axis=-1) * window  # (..., T, n_fft)
    n_t = frames.shape[-2]
    total = n_fft + hop * (n_t - 1)
    out = np.zeros((*frames.shape[:-2], total))
    norm = np.zeros(total)
    w2 = window * window
    # overlap-add in n_fft / hop passes of non-overlapping frames (vectorised per pass)
    for k in range(-(-n_fft // hop)):
        idx = np.arange(k, n_t, -(-n_fft // hop))
        if idx.size == 0:
            continue
        starts = idx * hop
        span = starts[:, None] + np.arange(n_fft)[None, :]
        valid = span < total
        out[..., span[valid]] += frames[..., idx, :][..., valid]
        norm[span[valid]] += np.broadcast_to(w2, span.shape)[valid]
    pad = n_fft // 2
    short = max(0, pad + length - total)
    out = np.pad(out, [(0, 0)] * (out.ndim - 1) + [(0, short)])[..., pad : pad + length]
    norm = np.pad(norm, (0, short))[pad : pad + length]
    return np.where(norm > 1e-10, out / np.maximum(norm, 1e-10), 0.0)
