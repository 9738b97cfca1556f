"""Generated sounds (seeded): tone sequences, oddballs, tones in noise, two voices.

Every generator returns a :class:`Sound`: the waveform, its sample rate, the events it
contains (onset, offset, frequency, label) and, for mixtures, the components it is the sum
of (so that a target-to-masker ratio can be measured after processing). Tones have raised-
cosine ramps; voices are harmonic complexes (1/k amplitudes, random starting phases) whose
fundamental moves with sinusoidal vibrato f0(t) = f0 (1 + d sin(2π r t + φ)).

The ABA– sequence is van Noorden's (1975): A B A and a silent slot, repeated; the oddball
sequence is a run of standards with one deviant in frequency (the auditory oddball paradigm).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..dynamics.checks import check_integer, check_number, check_seed

__all__ = [
    "Event",
    "Sound",
    "aba_sequence",
    "harmonic_complex",
    "oddball_sequence",
    "tone",
    "tones_in_noise",
    "two_voices",
]


@dataclass(frozen=True)
class Event:
    """A sound event: ``onset`` and ``offset`` in seconds, ``frequency`` (Hz; f0 for a voice)."""

    onset: float
    offset: float
    frequency: float
    label: str


@dataclass(frozen=True)
class Sound:
    """A generated sound: ``signal`` (N,), ``sr`` (Hz), its ``events`` and ``components``."""

    signal: np.ndarray
    sr: float
    events: tuple[Event, ...] = ()
    components: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return self.signal.shape[-1] / self.sr


def _ramped(n: int, sr: float, ramp_ms: float) -> np.ndarray:
    """Raised-cosine on/off envelope of ``n`` samples."""
    env = np.ones(n)
    k = min(n // 2, round(ramp_ms * sr / 1000.0))
    if k > 0:
        rise = 0.5 - 0.5 * np.cos(np.pi * np.arange(k) / k)
        env[:k] = rise
        env[n - k :] = rise[::-1]
    return env


def tone(
    frequency: float,
    duration: float,
    sr: float = 16000.0,
    *,
    amplitude: float = 0.1,
    ramp_ms: float = 5.0,
    phase: float = 0.0,
) -> np.ndarray:
    """A pure tone A sin(2π f t + φ) with raised-cosine ramps, ``duration`` seconds."""
    sr = check_number(sr, "sr", gt=0)
    f = check_number(frequency, "frequency", gt=0, lt=sr / 2)
    n = max(1, round(check_number(duration, "duration", gt=0, le=600) * sr))
    t = np.arange(n) / sr
    return amplitude * np.sin(2 * np.pi * f * t + phase) * _ramped(n, sr, ramp_ms)


MAX_SECONDS = 600.0


def _check_length(seconds: float, what: str) -> None:
    if seconds > MAX_SECONDS:
        raise ValueError(f"{what} must last at most {MAX_SECONDS:g} s, got {seconds:g} s")


def _place(total: np.ndarray, piece: np.ndarray, start: int) -> None:
    end = min(total.size, start + piece.size)
    total[start:end] += piece[: end - start]


def aba_sequence(
    f_a: float = 500.0,
    df_semitones: float = 6.0,
    *,
    tone_ms: float = 50.0,
    soa_ms: float = 125.0,
    n_triplets: int = 10,
    sr: float = 16000.0,
    amplitude: float = 0.1,
) -> Sound:
    """van Noorden's ABA– sequence: B = A · 2^(Δf/12); a tone every ``soa_ms``, every 4th silent."""
    n_triplets = check_integer(n_triplets, "n_triplets", ge=1, le=10_000)
    f_b = check_number(f_a, "f_a", gt=0) * 2 ** (check_number(df_semitones, "df_semitones") / 12)
    soa = check_number(soa_ms, "soa_ms", gt=0) / 1000.0
    dur = check_number(tone_ms, "tone_ms", gt=0, le=soa_ms) / 1000.0
    _check_length(4 * n_triplets * soa, "aba_sequence")
    x = np.zeros(round(4 * n_triplets * soa * sr))
    events = []
    for k in range(n_triplets):
        for j, (f, lab) in enumerate(((f_a, "A"), (f_b, "B"), (f_a, "A"))):
            onset = (4 * k + j) * soa
            _place(x, tone(f, dur, sr, amplitude=amplitude), round(onset * sr))
            events.append(Event(onset, onset + dur, f, lab))
    return Sound(x, float(sr), tuple(events))


def oddball_sequence(
    standard: float = 1000.0,
    deviant: float = 1500.0,
    *,
    n_tones: int = 12,
    deviant_index: int = 7,
    tone_ms: float = 100.0,
    soa_ms: float = 300.0,
    sr: float = 16000.0,
    amplitude: float = 0.1,
    noise_db: float | None = None,
    seed: int | np.random.Generator | None = 0,
) -> Sound:
    """Standards at ``standard`` Hz with one ``deviant`` at position ``deviant_index``.

    ``noise_db`` adds white noise at that level relative to the tones' RMS (None: silence).
    """
    n_tones = check_integer(n_tones, "n_tones", ge=1, le=10_000)
    idx = check_integer(deviant_index, "deviant_index", ge=0, le=n_tones - 1)
    soa = check_number(soa_ms, "soa_ms", gt=0) / 1000.0
    dur = check_number(tone_ms, "tone_ms", gt=0, le=soa_ms) / 1000.0
    _check_length(n_tones * soa + 0.1, "oddball_sequence")
    x = np.zeros(round((n_tones * soa + 0.1) * sr))
    events = []
    for k in range(n_tones):
        f, lab = (deviant, "deviant") if k == idx else (standard, "standard")
        onset = 0.05 + k * soa
        _place(x, tone(f, dur, sr, amplitude=amplitude), round(onset * sr))
        events.append(Event(onset, onset + dur, f, lab))
    if noise_db is not None:
        level = amplitude / np.sqrt(2) * 10 ** (check_number(noise_db, "noise_db") / 20)
        x = x + level * np.random.default_rng(check_seed(seed)).standard_normal(x.size)
    return Sound(x, float(sr), tuple(events))


def harmonic_complex(
    f0: float,
    duration: float,
    sr: float = 16000.0,
    *,
    n_harmonics: int = 10,
    vibrato_depth: float = 0.0,
    vibrato_rate: float = 5.0,
    amplitude: float = 0.1,
    seed: int | np.random.Generator | None = 0,
) -> np.ndarray:
    """Σ_k (1/k) sin(2π k ∫f0 + φ_k), harmonics below 0.45 sr, RMS ≈ ``amplitude`` / √2."""
    f0 = check_number(f0, "f0", gt=0, lt=sr / 2)
    depth = check_number(vibrato_depth, "vibrato_depth", ge=0, lt=1)
    n = max(1, round(check_number(duration, "duration", gt=0, le=600) * sr))
    rng = np.random.default_rng(check_seed(seed))
    t = np.arange(n) / sr
    inst = f0 * (1 + depth * np.sin(2 * np.pi * vibrato_rate * t + rng.uniform(0, 2 * np.pi)))
    phase = 2 * np.pi * np.cumsum(inst) / sr
    ks = np.arange(1, check_integer(n_harmonics, "n_harmonics", ge=1, le=200) + 1)
    ks = ks[ks * f0 * (1 + depth) < 0.45 * sr]
    phis = rng.uniform(0, 2 * np.pi, ks.size)
    x = np.zeros(n)
    for k, phi in zip(ks, phis, strict=True):
        x += np.sin(k * phase + phi) / k
    rms = np.sqrt(np.mean(x**2)) if n > 1 else 1.0
    return amplitude / np.sqrt(2) * x / max(rms, 1e-12) * _ramped(n, sr, 10.0)


def tones_in_noise(
    frequencies: Any = (1000.0,),
    *,
    snr_db: float = 0.0,
    harmonic: bool = False,
    duration: float = 1.0,
    sr: float = 16000.0,
    seed: int | np.random.Generator | None = 0,
) -> Sound:
    """Tones (or harmonic complexes on these f0s) from 0.3 to 0.7 of ``duration`` in white noise.

    ``snr_db`` is each tone's RMS relative to the noise's RMS over the whole band.
    """
    rng = np.random.default_rng(check_seed(seed))
    n = round(check_number(duration, "duration", gt=0, le=600) * sr)
    noise = 0.05 * rng.standard_normal(n)
    level = 0.05 * 10 ** (check_number(snr_db, "snr_db") / 20) * np.sqrt(2)
    x = np.zeros(n)
    events = []
    on, off = 0.3 * duration, 0.7 * duration
    for f in np.atleast_1d(np.asarray(frequencies, dtype=float)):
        piece = (
            harmonic_complex(f, off - on, sr, amplitude=level, seed=rng)
            if harmonic
            else tone(f, off - on, sr, amplitude=level)
        )
        _place(x, piece, round(on * sr))
        events.append(Event(on, off, float(f), "harmonic" if harmonic else "tone"))
    return Sound(x + noise, float(sr), tuple(events), {"target": x, "masker": noise})


def two_voices(
    f0_target: float = 220.0,
    f0_masker: float = 311.0,
    *,
    tmr_db: float = 0.0,
    duration: float = 1.0,
    vibrato_depth: float = 0.02,
    vibrato_rates: tuple[float, float] = (5.0, 6.3),
    sr: float = 16000.0,
    seed: int | np.random.Generator | None = 0,
) -> Sound:
    """Two "voices" mixed: harmonic complexes with different f0 and vibrato, at ``tmr_db``.

    ``components`` holds ``"target"`` and ``"masker"`` (their sum is ``signal``); the input
    target-to-masker ratio 10 log10(Σ target² / Σ masker²) is ``tmr_db``.
    """
    rng = np.random.default_rng(check_seed(seed))
    tmr = check_number(tmr_db, "tmr_db", ge=-60, le=60)
    target = harmonic_complex(f0_target, duration, sr, vibrato_depth=vibrato_depth,
                              vibrato_rate=vibrato_rates[0], seed=rng)  # fmt: skip
    masker = harmonic_complex(f0_masker, duration, sr, vibrato_depth=vibrato_depth,
                              vibrato_rate=vibrato_rates[1], seed=rng)  # fmt: skip
    masker *= np.sqrt(np.sum(target**2) / max(np.sum(masker**2), 1e-30)) * 10 ** (-tmr / 20)
    events = (
        Event(0.0, duration, float(f0_target), "target"),
        Event(0.0, duration, float(f0_masker), "masker"),
    )
    return Sound(target + masker, float(sr), events, {"target": target, "masker": masker})
