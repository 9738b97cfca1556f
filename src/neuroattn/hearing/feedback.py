r"""Stage 4, feedback: a listening task → an attention field that re-enters encoding.

**The task** (:func:`parse_task`): ``"high"``/``"low"`` (the high or low tones), a frequency
(``"1000 Hz"``, ``"tones at 1.5 kHz"``) or a voice (``"voice at 220 Hz"``, ``"pitch 220"``).

**The field** A(c, t) over frequency and pitch, 1 where nothing is attended and ``peak`` (2, as
Reynolds & Heeger 2009) at its centre (ours, all of it):

* high / low: 1 + (a − 1) σ(±(E(f_c) − Ē)/w), a logistic over ERB-number E around the sound's
  level-weighted mean Ē, w = ``width_cam``;
* a frequency F: 1 + (a − 1) exp(−(E(f_c) − E(F))² / 2w²);
* a voice at F0: a field over pitch G(p) = exp(−(log2 p/F0)² / 2ρ²) (ρ = ``pitch_width``
  octaves) picks, in every frame, the strongest periodicity near F0 — f̂(t) = argmax_p
  r(p, t) G(p) of the periodicity map (F0 itself where r < 0.3) — so the field follows the
  voice's vibrato; over frequency it is a harmonic comb on that pitch,
  1 + (a − 1) max_k exp(−(E(f_c) − E(k f̂(t)))² / 2w²), k up to ``n_harmonics``.

**Re-entry** (the normalisation model of attention, Reynolds & Heeger 2009, published):
R = A·E / (s ∗ [A·E] + σ), E the cochleagram's amplitude and s a Gaussian pool over channels
and frames (σ ``pool_cam`` = 4 Cams × ``pool_ms`` = 100 ms; ours: wide enough in time that
tones in sequence, such as the A and B tones of ABA–, share a pool — with 20 ms attending the
high tones of ABA– raised their TMR by 0.3 dB, with 100 ms by 2.8 dB — while two simultaneous
voices separate alike with either). As in the vision package, the encoding
handed on is E · R_A / R_1 = E · A (s ∗ E + σ)/(s ∗ [A E] + σ)
(:func:`neuroattn.dynamics.attention_modulation`; A = 1 gives back E exactly), here with
σ = ``sigma`` × max E (ours: relative to the sound's level). The same channel gains act on the
sound itself: each STFT bin takes the filter-weighted mean of the gains of the channels that
cover it and the waveform is resynthesised by least-squares overlap-add
(:meth:`~neuroattn.hearing.Encoder.resynthesize`): the attended stream.

**Target-to-masker ratio.** For a mixture x = target + masker the gains (computed from the
mixture) define a linear operator, so the attended reconstruction is y_T + y_M with y_T the
target and y_M the masker through the same gains; TMR = 10 log10(Σ y_T² / Σ y_M²) in dB.
Without attention the resynthesis is exact and TMR is the input's, 10 log10(Σ T² / Σ M²).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..dynamics import attention_modulation
from ..dynamics.checks import check_integer, check_number
from ._pitch import Periodicity, periodicity
from ._scales import erb_number
from .encode import Cochleagram, Encoder, check_signal

__all__ = ["TASK_KINDS", "AttendedSound", "AuditoryAttention", "Task", "attend", "parse_task"]

TASK_KINDS = ("high", "low", "frequency", "voice")
_FILLER = {"hz", "khz", "k", "tone", "tones", "at", "the", "to", "attend", "listen", "a", "of",
           "frequency", "around"}  # fmt: skip
_NUMBER = re.compile(r"(\d+(?:\.\d*)?|\.\d+)\s*(khz|hz|k)?\b")


@dataclass(frozen=True)
class Task:
    """What to listen for: ``kind`` of :data:`TASK_KINDS` and a ``frequency`` in Hz (F or F0)."""

    kind: str
    frequency: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in TASK_KINDS:
            raise ValueError(f"task.kind must be one of {', '.join(TASK_KINDS)}, got {self.kind!r}")
        if self.kind in ("frequency", "voice"):
            check_number(self.frequency, "task.frequency", gt=0, le=100_000)


def parse_task(spec: Any) -> Task:
    """A task from text: ``"high"``, ``"low"``, ``"1000 Hz"``, ``"voice at 220 Hz"`` …

    Raises
    ------
    ValueError
        When the text names no feature (one line listing what it may name).
    """
    if isinstance(spec, Task):
        return spec
    if not isinstance(spec, str):
        raise TypeError(f"attend must be a text such as 'voice at 220 Hz', got {spec!r}")
    text = spec.strip().lower()
    m = _NUMBER.search(text)
    freq = None
    if m:
        freq = float(m.group(1)) * (1000.0 if m.group(2) in ("khz", "k") else 1.0)
    words = set(re.findall(r"[a-z]+", text))
    if words & {"voice", "pitch", "speaker", "f0"} and freq is not None:
        return Task("voice", freq)
    if freq is not None and not words - _FILLER:
        return Task("frequency", freq)
    if words & {"high", "higher", "highest"} and not words & {"low", "lower", "lowest"}:
        return Task("high")
    if words & {"low", "lower", "lowest"} and not words & {"high", "higher", "highest"}:
        return Task("low")
    raise ValueError(
        "attend must name a feature: 'high', 'low', '<F> Hz' (tones at a frequency) or "
        f"'voice at <F0> Hz', got {spec!r}"
    )


@dataclass(frozen=True)
class AttendedSound:
    """Stage 4's result.

    Attributes
    ----------
    task : Task
    field : ndarray (..., C, T)
        The attention field A.
    gain : ndarray (..., C, T)
        R_A / R_1, the modulation of every channel and frame.
    cochleagram : Cochleagram
        The attended encoding (amplitude E · gain, compressed as the encoder does).
    signal : ndarray (..., N)
        The attended stream, resynthesised.
    pitch : ndarray (..., T) or None
        The attended pitch f̂(t) of a voice task.
    """

    task: Task
    field: np.ndarray
    gain: np.ndarray
    cochleagram: Cochleagram
    signal: np.ndarray
    pitch: np.ndarray | None
    encoder: Encoder

    def reconstruct(self, component: Any, *, attended: bool = True) -> np.ndarray:
        """A component of the mixture (…, N) through the same gains (or, with
        ``attended=False``, through the plain resynthesis, which returns it unchanged)."""
        x, sr = check_signal(component, self.cochleagram.sr, "component")
        spec = self.encoder.spectrum(x, sr)
        return self.encoder.resynthesize(spec, sr, self.gain if attended else None, x.shape[-1])

    def tmr(self, target: Any, masker: Any, *, attended: bool = True) -> float:
        """Target-to-masker ratio in dB of the (attended) reconstruction (module docstring)."""
        yt = self.reconstruct(target, attended=attended)
        ym = self.reconstruct(masker, attended=attended)
        return float(10.0 * np.log10(np.sum(yt**2) / max(np.sum(ym**2), 1e-300)))


@dataclass(frozen=True)
class AuditoryAttention:
    """Stage 4 settings (see the module docstring).

    Parameters
    ----------
    peak : float
        Peak of the attention field on a base of one (2, Reynolds & Heeger 2009).
    width_cam : float
        σ of the field's Gaussians over ERB-number (and the logistic's scale), in Cams.
    pitch_width : float
        σ of the field over pitch, in octaves (1/24: a quarter tone).
    n_harmonics : int
        Harmonics of the attended pitch in the comb.
    pool_cam, pool_ms : float
        σ of the suppressive pool over ERB-number (Cams) and time (ms).
    sigma : float
        Semi-saturation constant relative to the sound's largest channel amplitude.
    """

    peak: float = 2.0
    width_cam: float = 0.5
    pitch_width: float = 1.0 / 24.0
    n_harmonics: int = 12
    pool_cam: float = 4.0
    pool_ms: float = 100.0
    sigma: float = 1e-3

    def __post_init__(self) -> None:
        check_number(self.peak, "attention.peak", ge=1, le=1000)
        check_number(self.width_cam, "attention.width_cam", gt=0, le=100)
        check_number(self.pitch_width, "attention.pitch_width", gt=0, le=4)
        check_integer(self.n_harmonics, "attention.n_harmonics", ge=1, le=200)
        check_number(self.pool_cam, "attention.pool_cam", gt=0, le=100)
        check_number(self.pool_ms, "attention.pool_ms", gt=0, le=10_000)
        check_number(self.sigma, "attention.sigma", gt=0, le=1e6)

    def field(
        self, task: Task, coch: Cochleagram, period: Periodicity | None = None
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """(A (..., C, T), attended pitch (..., T) or None) for ``task`` on ``coch``."""
        e = erb_number(coch.cf)[:, None]  # (C, 1)
        shape = coch.amplitude.shape
        lift = self.peak - 1.0
        if task.kind in ("high", "low"):
            level = coch.amplitude.sum(-1, keepdims=True)  # (..., C, 1)
            mid = (e * level).sum(-2, keepdims=True) / np.maximum(level.sum(-2, keepdims=True),
                                                                  1e-300)  # fmt: skip
            z = (e - mid) / self.width_cam * (1 if task.kind == "high" else -1)
            return np.broadcast_to(1 + lift / (1 + np.exp(-np.clip(z, -50, 50))), shape), None
        if task.kind == "frequency":
            assert task.frequency is not None
            g = np.exp(-0.5 * ((e - erb_number(task.frequency)) / self.width_cam) ** 2)
            return np.broadcast_to(1 + lift * g, shape), None
        assert period is not None and task.frequency is not None
        octave = np.log2(period.grid / task.frequency)
        pitch_field = np.exp(-0.5 * (octave / self.pitch_width) ** 2)[:, None]  # (P, 1)
        weighted = period.map * pitch_field  # (..., P, T)
        best = weighted.argmax(-2)
        strong = np.take_along_axis(period.map, best[..., None, :], -2)[..., 0, :] >= 0.3
        f_hat = np.where(strong & (np.abs(octave[best]) < 3 * self.pitch_width),
                         period.grid[best], task.frequency)  # fmt: skip
        ks = np.arange(1, self.n_harmonics + 1)[:, None, None]  # (K, 1, 1)
        harm = erb_number(ks * f_hat[..., None, None, :])  # (..., K, 1, T)
        comb = np.exp(-0.5 * ((e - harm) / self.width_cam) ** 2).max(-3)  # (..., C, T)
        return np.broadcast_to(1 + lift * comb, shape), f_hat

    def __call__(
        self, task: Task, coch: Cochleagram, signal: np.ndarray, encoder: Encoder
    ) -> AttendedSound:
        """Attend ``task`` in ``signal`` encoded as ``coch`` by ``encoder``."""
        period = None
        if task.kind == "voice":
            period = periodicity(signal, coch.sr, coch.hop, fmin=40.0, fmax=coch.sr / 4)
        field, pitch = self.field(task, coch, period)
        e = coch.amplitude
        cams = erb_number(coch.cf)
        per_cam = 1.0 / max(float(np.mean(np.diff(cams))), 1e-6) if cams.size > 1 else 1.0
        pool = (self.pool_cam * per_cam, self.pool_ms * coch.frame_rate / 1000.0)
        sigma = self.sigma * max(float(e.max()), 1e-12)
        gain = attention_modulation(e, field, pool=pool, sigma=sigma, boundary="reflect")
        amp = e * gain
        plain = replace(encoder, kind="gammatone") if coch.kind == "gammatone" else encoder
        attended = _recompress(coch, amp, plain)
        spec = encoder.spectrum(signal, coch.sr)
        y = encoder.resynthesize(spec, coch.sr, gain, signal.shape[-1])
        return AttendedSound(task, np.asarray(field), gain, attended, y, pitch, encoder)


def _recompress(coch: Cochleagram, amp: np.ndarray, enc: Encoder) -> Cochleagram:
    """The cochleagram of amplitudes ``amp`` under the encoder's compression."""
    if coch.kind == "mel":
        data = 20.0 * np.log10(np.maximum(amp, 1e-5))
    elif enc.compression == "power":
        data = amp**enc.exponent
    elif enc.compression == "log":
        data = 20.0 * np.log10(amp + 1e-5)
    else:
        data = amp
    return replace(coch, data=data, amplitude=amp)


def attend(
    signal: Any,
    sr: float,
    task: str | Task,
    *,
    encoder: Encoder | None = None,
    attention: AuditoryAttention | None = None,
) -> AttendedSound:
    """Listen to ``signal`` (..., N) at ``sr`` Hz for ``task`` (text or :class:`Task`).

    Examples
    --------
    >>> from neuroattn.hearing.stimuli import two_voices
    >>> mix = two_voices(220, 311)
    >>> out = attend(mix.signal, mix.sr, "voice at 220 Hz")
    >>> out.tmr(mix.components["target"], mix.components["masker"]) > 0
    True
    """
    x, rate = check_signal(signal, sr)
    t = parse_task(task)
    enc = encoder or Encoder()
    return (attention or AuditoryAttention())(t, enc(x, rate), x, enc)
