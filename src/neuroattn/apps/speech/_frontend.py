"""The front end: log-mel spectrograms (numpy) and SpecAugment masking (torch).

:func:`log_mel` frames a 16 kHz waveform with a periodic Hann window (25 ms, hop 10 ms),
takes the power spectrum |FFT|², sums it in triangular filters equally spaced on the HTK
mel scale m = 2595 log10(1 + f / 700) (Young et al., *The HTK Book*) and takes
log(· + 1e-6). :func:`normalize` then removes each channel's mean and divides by its
standard deviation over the utterance (per-utterance CMVN, ours).

:func:`spec_augment` masks, in training only, ``freq_masks`` bands of up to ``freq_width``
mel channels and ``time_masks`` spans of up to ``time_width`` frames, each width drawn
uniformly from [0, W] and its start uniformly where it fits (Park et al. 2019,
"SpecAugment", §2; no time warping). Masked values are set to 0, the mean after CMVN.

``frontend="cochleagram"`` uses the hearing package's A1 encoding instead
(:func:`neuroattn.hearing.cochleagram`: an ERB-spaced gammatone filterbank from 100 Hz with
power-law compression, exponent 0.3, 25 ms frames every 10 ms), ``n_mels`` channels,
through the same per-utterance normalisation.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import torch
from torch import Tensor

from ...dynamics.checks import check_choice, check_integer
from ._audio import SAMPLE_RATE, waveform

__all__ = ["FRONTENDS", "features", "log_mel", "mel_filterbank", "normalize", "spec_augment"]

FRONTENDS = ("logmel", "cochleagram")
WIN, HOP, NFFT = 400, 160, 512  # 25 ms, 10 ms at 16 kHz


def hz_to_mel(f: np.ndarray | float) -> np.ndarray:
    """The HTK mel scale: 2595 log10(1 + f / 700)."""
    return 2595.0 * np.log10(1.0 + np.asarray(f, dtype=np.float64) / 700.0)


def mel_to_hz(m: np.ndarray | float) -> np.ndarray:
    """The inverse of :func:`hz_to_mel`."""
    return 700.0 * (10.0 ** (np.asarray(m, dtype=np.float64) / 2595.0) - 1.0)


@lru_cache(maxsize=8)
def mel_filterbank(
    n_mels: int, *, n_fft: int = NFFT, rate: int = SAMPLE_RATE, fmin: float = 20.0
) -> np.ndarray:
    """Triangular filters (n_mels, n_fft // 2 + 1) with corners equally spaced in mel
    between ``fmin`` and rate / 2 (HTK's shape, peak 1, not area-normalised)."""
    n_mels = check_integer(n_mels, "n_mels", ge=1, le=256)
    corners = mel_to_hz(np.linspace(hz_to_mel(fmin), hz_to_mel(rate / 2), n_mels + 2))
    freqs = np.arange(n_fft // 2 + 1) * rate / n_fft
    lo, mid, hi = corners[:-2, None], corners[1:-1, None], corners[2:, None]
    up = (freqs - lo) / (mid - lo)
    down = (hi - freqs) / (hi - mid)
    bank = np.maximum(0.0, np.minimum(up, down))
    bank.setflags(write=False)
    return bank


def log_mel(audio: np.ndarray, *, n_mels: int = 40) -> np.ndarray:
    """The log-mel spectrogram (T, n_mels), float32, of 16 kHz ``audio`` (N,).

    T = 1 + (N - 400) // 160 frames (an utterance shorter than one window is padded to it).
    """
    x = waveform(audio)
    if x.size < WIN:
        x = np.pad(x, (0, WIN - x.size))
    frames = np.lib.stride_tricks.sliding_window_view(x, WIN)[::HOP]  # (T, WIN)
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(WIN) / WIN)  # periodic Hann
    power = np.abs(np.fft.rfft(frames * window, n=NFFT)) ** 2  # (T, NFFT/2 + 1)
    return np.log(power @ mel_filterbank(n_mels).T + 1e-6).astype(np.float32)  # (T, M)


def normalize(feats: np.ndarray) -> np.ndarray:
    """Each channel of ``feats`` (T, F) to zero mean and unit variance over time."""
    mean = feats.mean(axis=0, keepdims=True)
    std = feats.std(axis=0, keepdims=True)
    return ((feats - mean) / np.maximum(std, 1e-3)).astype(np.float32)


def features(audio: np.ndarray, *, frontend: str = "logmel", n_mels: int = 40) -> np.ndarray:
    """The recogniser's input (T, F): the normalised log-mel spectrogram or cochleagram."""
    check_choice(frontend, "frontend", FRONTENDS)
    if frontend == "cochleagram":
        from ...hearing import cochleagram

        x = waveform(audio)
        if x.size == 0:
            raise ValueError("audio must not be empty")
        n_mels = check_integer(n_mels, "n_mels", ge=1, le=256)
        coch = cochleagram(x, SAMPLE_RATE, n_channels=n_mels, fmin=100.0)
        return normalize(np.ascontiguousarray(coch.data.T, dtype=np.float32))  # (T, C)
    return normalize(log_mel(audio, n_mels=n_mels))


def spec_augment(
    feats: Tensor,
    lengths: Tensor,
    *,
    generator: torch.Generator,
    freq_masks: int = 2,
    freq_width: int = 8,
    time_masks: int = 2,
    time_width: int = 10,
) -> Tensor:
    """A copy of the batch ``feats`` (B, T, F) with SpecAugment's frequency and time masks
    (Park et al. 2019, §2: widths uniform in [0, W], starts uniform where they fit), drawn
    from ``generator``. Masks stay within each utterance's ``lengths`` (B,); a time mask is
    at most a fifth of the utterance (ours, for short utterances)."""
    if not isinstance(feats, Tensor) or feats.ndim != 3 or not feats.is_floating_point():
        raise ValueError(f"feats must be a (B, T, F) float tensor, got {feats!r:.60}")
    B, T, F = feats.shape
    if not isinstance(lengths, Tensor) or lengths.shape != (B,) or bool((lengths > T).any()):
        raise ValueError(f"lengths must be a ({B},) tensor of lengths <= {T}, got {lengths!r:.60}")
    if not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator, got {type(generator).__name__}")
    for name, value in (("freq_masks", freq_masks), ("freq_width", freq_width),
                        ("time_masks", time_masks), ("time_width", time_width)):  # fmt: skip
        check_integer(value, name, ge=0)
    out = feats.clone()  # (B, T, F)
    for b in range(B):
        n = int(lengths[b])
        for _ in range(freq_masks):
            w = int(torch.randint(0, min(freq_width, F) + 1, (1,), generator=generator))
            f0 = int(torch.randint(0, F - w + 1, (1,), generator=generator))
            out[b, :n, f0 : f0 + w] = 0.0
        limit = min(time_width, n // 5)
        for _ in range(time_masks):
            w = int(torch.randint(0, limit + 1, (1,), generator=generator))
            t0 = int(torch.randint(0, n - w + 1, (1,), generator=generator))
            out[b, t0 : t0 + w, :] = 0.0
    return out
