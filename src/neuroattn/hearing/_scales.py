r"""Frequency scales and filterbank weights: the ERB scale, gammatone responses, mel filters.

Published formulas:

* ERB of the auditory filter (Glasberg & Moore 1990, eq. 3):
  ERB(f) = 24.7 (4.37 f / 1000 + 1) Hz;
* ERB-number ("Cam") scale (Glasberg & Moore 1990, eq. 4):
  E(f) = 21.4 log10(4.37 f / 1000 + 1), so that dE/df = 1 / ERB(f);
* gammatone impulse response (Patterson et al. 1992; Slaney 1993):
  g(t) = t^{n−1} e^{−2π b t} cos(2π f_c t), n = 4, b = 1.019 ERB(f_c). Its analytic
  (positive-frequency) part has the transfer function ∝ (1 + i (f − f_c)/b)^{−n}, so
  |H(f)|² = (1 + ((f − f_c)/b)²)^{−n} with unit gain at f_c;
* Slaney's mel scale (Auditory Toolbox; librosa's default, ``htk=False``): linear below
  1 kHz (3 f / 200 mel) and logarithmic above (15 + 27 ln(f / 1000) / ln 6.4), with
  triangular filters normalised to unit area (2 / (f_hi − f_lo)).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "erb",
    "erb_number",
    "erb_space",
    "gammatone_power_response",
    "hz_to_mel",
    "inverse_erb_number",
    "mel_filters",
    "mel_to_hz",
]

GT_ORDER = 4
GT_BANDWIDTH = 1.019  # b = 1.019 ERB(f_c) for a 4th-order gammatone (Patterson et al. 1992)


def erb(f: np.ndarray | float) -> np.ndarray:
    """ERB(f) = 24.7 (4.37 f / 1000 + 1) in Hz (Glasberg & Moore 1990)."""
    return 24.7 * (4.37 * np.asarray(f, dtype=np.float64) / 1000.0 + 1.0)


def erb_number(f: np.ndarray | float) -> np.ndarray:
    """E(f) = 21.4 log10(4.37 f / 1000 + 1), in Cams (Glasberg & Moore 1990)."""
    return 21.4 * np.log10(4.37 * np.asarray(f, dtype=np.float64) / 1000.0 + 1.0)


def inverse_erb_number(e: np.ndarray | float) -> np.ndarray:
    """f(E) = (10^{E / 21.4} − 1) · 1000 / 4.37 Hz, the inverse of :func:`erb_number`."""
    return (10.0 ** (np.asarray(e, dtype=np.float64) / 21.4) - 1.0) * 1000.0 / 4.37


def erb_space(fmin: float, fmax: float, n: int) -> np.ndarray:
    """``n`` centre frequencies from ``fmin`` to ``fmax`` equally spaced in ERB-number."""
    return inverse_erb_number(np.linspace(erb_number(fmin), erb_number(fmax), n))


def gammatone_power_response(cf: np.ndarray, freqs: np.ndarray) -> np.ndarray:
    """|H_c(f)|² = (1 + ((f − f_c)/b_c)²)^{−4}, shape (C, F): 4th-order gammatone, unit at f_c."""
    b = GT_BANDWIDTH * erb(cf)[:, None]
    x = (np.asarray(freqs, dtype=np.float64)[None, :] - np.asarray(cf)[:, None]) / b
    return (1.0 + x * x) ** (-GT_ORDER)


def hz_to_mel(f: np.ndarray | float) -> np.ndarray:
    """Slaney's mel scale: 3 f / 200 below 1 kHz, 15 + 27 ln(f / 1000) / ln 6.4 above."""
    f = np.asarray(f, dtype=np.float64)
    lin = 3.0 * f / 200.0
    log = 15.0 + 27.0 * np.log(np.maximum(f, 1e-12) / 1000.0) / np.log(6.4)
    return np.where(f >= 1000.0, log, lin)


def mel_to_hz(m: np.ndarray | float) -> np.ndarray:
    """The inverse of :func:`hz_to_mel`."""
    m = np.asarray(m, dtype=np.float64)
    lin = 200.0 * m / 3.0
    log = 1000.0 * np.exp(np.log(6.4) * (m - 15.0) / 27.0)
    return np.where(m >= 15.0, log, lin)


def mel_filters(sr: float, n_fft: int, n_mels: int, fmin: float, fmax: float) -> np.ndarray:
    """Triangular mel filters on the rfft bins, shape (n_mels, n_fft // 2 + 1), unit area."""
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sr)
    edges = mel_to_hz(np.linspace(hz_to_mel(fmin), hz_to_mel(fmax), n_mels + 2))
    lo, mid, hi = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rise = (freqs[None, :] - lo) / (mid - lo)
    fall = (hi - freqs[None, :]) / (hi - mid)
    weights = np.maximum(0.0, np.minimum(rise, fall))
    return weights * (2.0 / (hi - lo))
