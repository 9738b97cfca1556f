r"""Stage 1, encoding (A1): a waveform → a cochleagram (or a log-mel spectrogram).

**Gammatone cochleagram.** ``n_channels`` 4th-order gammatone filters with centre
frequencies equally spaced on the ERB-number scale between ``fmin`` and ``fmax`` and
bandwidths b = 1.019 ERB(f_c) (Glasberg & Moore 1990; Patterson et al. 1992; Slaney 1993;
see :mod:`._scales`). Each channel's output power is averaged over frames of ``frame_ms``
(periodic Hann weighting) every ``hop_ms``, and its RMS amplitude a = √P is compressed,

.. math::

    C(c, t) = a(c, t)^{p}, \qquad p = 0.3

(``compression="power"``; a power law between the cube root of loudness and the ~0.2–0.3 of
basilar-membrane compression), or ``"log"`` (20 log10(a + 10⁻⁵) dB) or ``"none"``.

Two ways to compute the frame powers:

* ``method="fft"`` (default, fast): P(c, t) = Σ_k W_c(f_k) |X_t(f_k)|², X_t the STFT, with
  W_c = |H_c|² normalised so that a pure tone of amplitude A at f_c gives exactly A²/2 (ours:
  the weighting of the power spectrum follows Ellis's gammatone-like spectrogram; the
  normalisation through the window's spectrum is ours). Filters narrower than the window's
  resolution (low channels) are widened to it.
* ``method="filter"`` (exact, slower): each channel is the all-pole gammatone of Holdsworth et
  al. (1988) — the signal shifted to baseband by e^{−2πi f_c t}, four cascaded one-pole
  low-passes with pole e^{−2π b / sr} (``scipy.signal.lfilter``, one call per channel), whose
  response (1 + i (f − f_c)/b)^{−4} is the gammatone's; P = 2|y|² averaged over the frame.

**Log-mel** (``kind="mel"``): Slaney's mel filters on the power spectrum |X|², in dB
(10 log10(max(P, 10⁻¹⁰)), no top-dB clipping), with librosa's framing (centred frames,
periodic Hann), so that it matches ``librosa.feature.melspectrogram`` followed by
``power_to_db(top_db=None)``.

Signals are arrays (..., N) — leading axes are a batch — with a sample rate in Hz.

References
----------
Glasberg, B. R. & Moore, B. C. J. (1990). Derivation of auditory filter shapes from
notched-noise data. Hearing Research 47, 103–138.
Patterson, R. D., Robinson, K., Holdsworth, J., McKeown, D., Zhang, C. & Allerhand, M.
(1992). Complex sounds and auditory images. Auditory Physiology and Perception, 429–446.
Holdsworth, J., Nimmo-Smith, I., Patterson, R. & Rice, P. (1988). Implementing a gammatone
filter bank. MRC APU report, annex C.
Slaney, M. (1993). An efficient implementation of the Patterson–Holdsworth auditory filter
bank. Apple Computer Technical Report 35.
Ellis, D. P. W. (2009). Gammatone-like spectrograms. Web resource, Columbia University.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import scipy.signal

from ..dynamics.checks import check_choice, check_finite_array, check_integer, check_number
from ._scales import GT_BANDWIDTH, erb, erb_space, gammatone_power_response, mel_filters
from ._stft import hann, istft, n_frames, stft

__all__ = ["COMPRESSIONS", "KINDS", "METHODS", "Cochleagram", "Encoder", "cochleagram", "log_mel"]

KINDS = ("gammatone", "mel")
METHODS = ("fft", "filter")
COMPRESSIONS = ("power", "log", "none")
MAX_RATE = 384_000.0
MAX_SAMPLE = 1e30  # powers of larger samples overflow float64 sums


@dataclass(frozen=True)
class Cochleagram:
    """The encoding of a batch of signals.

    Attributes
    ----------
    data : ndarray, shape (..., C, T)
        The compressed cochleagram (dB for the log-mel spectrogram).
    amplitude : ndarray, shape (..., C, T)
        Uncompressed RMS amplitude √P of every channel and frame (the drive of stage 4).
    cf : ndarray, shape (C,)
        Centre frequencies in Hz.
    sr : float
        Sample rate of the signal in Hz.
    hop : int
        Frame step in samples.
    kind : str
        ``"gammatone"`` or ``"mel"``.
    """

    data: np.ndarray
    amplitude: np.ndarray
    cf: np.ndarray
    sr: float
    hop: int
    kind: str

    @property
    def frame_rate(self) -> float:
        """Frames per second."""
        return self.sr / self.hop

    @property
    def times(self) -> np.ndarray:
        """Centre time of every frame in seconds, shape (T,)."""
        return np.arange(self.data.shape[-1]) * self.hop / self.sr


def check_signal(signal: Any, sr: Any, name: str = "signal") -> tuple[np.ndarray, float]:
    """A finite float64 array (..., N) with N ≥ 1 samples of magnitude at most
    :data:`MAX_SAMPLE` and a sample rate in (0, 384 kHz]."""
    x = check_finite_array(signal, name)
    if x.ndim == 0 or x.shape[-1] == 0:
        raise ValueError(f"{name} must be an array (..., N) with N >= 1 samples, got {x.shape}")
    if x.size and np.abs(x).max() > MAX_SAMPLE:
        raise ValueError(
            f"{name} must have samples of magnitude at most {MAX_SAMPLE:g}, got {np.abs(x).max():g}"
        )
    rate = check_number(sr, "sr", gt=0, le=MAX_RATE)
    return x, rate


@dataclass(frozen=True)
class Encoder:
    """Stage 1 settings: the filterbank, its compression and its frames (see the module doc).

    Parameters
    ----------
    kind : {"gammatone", "mel"}
        ERB-spaced gammatone cochleagram, or a log-mel spectrogram.
    n_channels : int
        Number of channels (gammatone filters or mel bands).
    fmin, fmax : float
        Lowest and highest centre frequency (Hz, gammatone) or band edge (mel); ``fmax``
        None means min(8000, 0.45 sr) for gammatone and sr / 2 for mel.
    method : {"fft", "filter"}
        Gammatone frame powers from the power spectrum (fast) or by the all-pole filters.
    compression : {"power", "log", "none"}
        Compressive nonlinearity of the gammatone cochleagram (mel is always in dB).
    exponent : float
        p of the power-law compression a^p.
    frame_ms, hop_ms : float
        Frame length and step in milliseconds (25 and 10).
    """

    kind: str = "gammatone"
    n_channels: int = 64
    fmin: float = 100.0
    fmax: float | None = None
    method: str = "fft"
    compression: str = "power"
    exponent: float = 0.3
    frame_ms: float = 25.0
    hop_ms: float = 10.0

    def __post_init__(self) -> None:
        check_choice(self.kind, "encode.kind", KINDS)
        check_choice(self.method, "encode.method", METHODS)
        check_choice(self.compression, "encode.compression", COMPRESSIONS)
        check_integer(self.n_channels, "encode.n_channels", ge=1, le=1024)
        check_number(self.fmin, "encode.fmin", ge=0)
        if self.fmax is not None:
            check_number(self.fmax, "encode.fmax", gt=self.fmin)
        check_number(self.exponent, "encode.exponent", gt=0, le=1)
        check_number(self.frame_ms, "encode.frame_ms", gt=0, le=1000)
        check_number(self.hop_ms, "encode.hop_ms", gt=0, le=self.frame_ms)

    def frames(self, sr: float) -> tuple[int, int, int]:
        """(window, hop, n_fft) in samples at ``sr``."""
        win = max(2, round(self.frame_ms * sr / 1000.0))
        hop = max(1, round(self.hop_ms * sr / 1000.0))
        return win, hop, 1 << (win - 1).bit_length()

    def band(self, sr: float) -> tuple[float, float]:
        """(fmin, fmax) in Hz at ``sr``; ValueError when they do not fit below sr / 2."""
        top = self.fmax
        if top is None:
            top = min(8000.0, 0.45 * sr) if self.kind == "gammatone" else sr / 2
        if top > sr / 2 or self.fmin >= top:
            raise ValueError(
                f"encode.fmax must be above fmin ({self.fmin:g} Hz) and at most sr / 2 "
                f"({sr / 2:g} Hz), got {top:g}"
            )
        return self.fmin, top

    def weights(self, sr: float) -> tuple[np.ndarray, np.ndarray]:
        """(W, cf): power weights (C, n_fft // 2 + 1) on the STFT bins and centre frequencies."""
        win, _, n_fft = self.frames(sr)
        lo, hi = self.band(sr)
        return _weights(self.kind, self.n_channels, lo, hi, float(sr), win, n_fft)

    def spectrum(self, signal: np.ndarray, sr: float) -> np.ndarray:
        """The STFT (..., T, F) the encoding and the resynthesis share."""
        win, hop, n_fft = self.frames(sr)
        return stft(signal, n_fft, hop, hann(win, n_fft))

    def resynthesize(
        self, spec: np.ndarray, sr: float, gains: np.ndarray | None, length: int
    ) -> np.ndarray:
        """Waveform from the STFT ``spec`` under channel gains (..., C, T) (None: unchanged).

        Each bin takes the W-weighted mean of the channel gains, Σ_c W_c(f) g_c / Σ_c W_c(f)
        (bins outside every channel keep gain 1 only when ``gains`` is None, else 0); the
        inverse is the least-squares overlap-add, exact when ``gains`` is None.
        """
        win, hop, n_fft = self.frames(sr)
        if gains is not None:
            w, _ = self.weights(sr)
            total = w.sum(0)
            bin_gain = np.matmul(np.swapaxes(gains, -1, -2), w) / np.maximum(total, 1e-12)
            spec = spec * np.where(total > 1e-6 * total.max(), bin_gain, 0.0)
        return istft(spec, n_fft, hop, hann(win, n_fft), length)

    def __call__(self, signal: Any, sr: float) -> Cochleagram:
        """Encode ``signal`` (..., N) sampled at ``sr`` Hz."""
        x, rate = check_signal(signal, sr)
        _, hop, _ = self.frames(rate)
        w, cf = self.weights(rate)
        if self.kind == "gammatone" and self.method == "filter":
            power = _filter_power(x, rate, cf, *self.frames(rate))
        else:
            spec = self.spectrum(x, rate)
            power = np.matmul(w, (spec.real**2 + spec.imag**2).swapaxes(-1, -2))  # (..., C, T)
        power = np.maximum(power, 0.0)
        amp = np.sqrt(power)
        if self.kind == "mel":
            data = 10.0 * np.log10(np.maximum(power, 1e-10))
        elif self.compression == "power":
            data = amp**self.exponent
        elif self.compression == "log":
            data = 20.0 * np.log10(amp + 1e-5)
        else:
            data = amp
        return Cochleagram(data, amp, cf, rate, hop, self.kind)


@lru_cache(maxsize=16)
def _weights(
    kind: str, n: int, lo: float, hi: float, sr: float, win: int, n_fft: int
) -> tuple[np.ndarray, np.ndarray]:
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sr)
    if kind == "mel":
        from ._scales import hz_to_mel, mel_to_hz

        w = mel_filters(sr, n_fft, n, lo, hi)
        cf = mel_to_hz(np.linspace(hz_to_mel(lo), hz_to_mel(hi), n + 2))[1:-1]
        return w, cf
    cf = erb_space(max(lo, 1e-3), hi, n)
    h2 = gammatone_power_response(cf, freqs)
    # |Ŵ(ν)|², the window's power spectrum, on a fine grid (periodic in sr)
    fine = 64 * n_fft
    spec_w = np.abs(np.fft.fft(hann(win, n_fft), fine)) ** 2
    grid = np.arange(fine) * sr / fine
    leak = np.interp((freqs[None, :] - cf[:, None]) % sr, grid, spec_w, period=sr)
    w = 2.0 * h2 / np.sum(h2 * leak, axis=1, keepdims=True)
    w.setflags(write=False)
    return w, cf


def _filter_power(
    x: np.ndarray, sr: float, cf: np.ndarray, win: int, hop: int, n_fft: int
) -> np.ndarray:
    """Frame powers of the all-pole gammatone channels (Holdsworth et al. 1988), (..., C, T)."""
    n = x.shape[-1]
    t_frames = n_frames(n, hop)
    kernel = hann(win, n_fft) ** 2
    kernel /= kernel.sum()
    out = np.empty((*x.shape[:-1], len(cf), t_frames))
    phase = 2.0 * np.pi * np.arange(n) / sr
    shape = (1,) * (x.ndim - 1) + kernel.shape
    for c, f in enumerate(cf):
        a = np.exp(-2.0 * np.pi * GT_BANDWIDTH * erb(f) / sr)
        y = scipy.signal.lfilter([(1.0 - a) ** 4], np.poly([a] * 4), x * np.exp(-1j * f * phase))
        p = 2.0 * (y.real**2 + y.imag**2)
        p = np.pad(p, [(0, 0)] * (x.ndim - 1) + [(0, hop)])  # the last frame is centred on N
        smooth = scipy.signal.fftconvolve(p, kernel.reshape(shape), mode="same", axes=-1)
        out[..., c, :] = smooth[..., ::hop][..., :t_frames]
    return out


def cochleagram(
    signal: Any,
    sr: float,
    *,
    n_channels: int = 64,
    fmin: float = 100.0,
    fmax: float | None = None,
    method: str = "fft",
    compression: str = "power",
    exponent: float = 0.3,
    frame_ms: float = 25.0,
    hop_ms: float = 10.0,
) -> Cochleagram:
    """Gammatone cochleagram of ``signal`` (..., N) at ``sr`` Hz (see the module docstring).

    Returns
    -------
    Cochleagram
        ``data`` (..., n_channels, T) with T = 1 + N // hop.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(16000) / 16000
    >>> c = cochleagram(np.sin(2 * np.pi * 1000 * t), 16000)
    >>> round(float(c.cf[c.data[:, 50].argmax()]), -2)
    1000.0
    """
    enc = Encoder("gammatone", n_channels, fmin, fmax, method, compression, exponent,
                  frame_ms, hop_ms)  # fmt: skip
    return enc(signal, sr)


def log_mel(
    signal: Any,
    sr: float,
    *,
    n_mels: int = 64,
    fmin: float = 0.0,
    fmax: float | None = None,
    frame_ms: float = 25.0,
    hop_ms: float = 10.0,
) -> Cochleagram:
    """Log-mel spectrogram (dB) of ``signal`` (..., N): Slaney mel filters on |STFT|²."""
    enc = Encoder("mel", n_mels, fmin, fmax, frame_ms=frame_ms, hop_ms=hop_ms)
    return enc(signal, sr)
