"""Waveforms: resampling, added noise at a set SNR, synthetic room reverberation, WAV files.

Everything here is numpy/scipy on float32 waveforms in [-1, 1] at :data:`SAMPLE_RATE`
(16 kHz, the recogniser's rate). Noise and reverberation are seeded, so a corpus is the
same set of signals every time it is built from the same clean audio.
"""

from __future__ import annotations

import math
import os
import warnings
from math import gcd
from pathlib import Path

import numpy as np
from scipy.io import wavfile
from scipy.signal import fftconvolve, resample_poly

from ...dynamics.checks import check_finite_array, check_integer, check_number

__all__ = ["SAMPLE_RATE", "add_noise", "read_wav", "resample", "reverberate", "room_response"]

SAMPLE_RATE = 16000  # Hz
SILENCE_RMS = 1e-4  # a signal quieter than this (about -80 dBFS) counts as silence
MAX_SAMPLE = 1e6  # full scale is 1; anything beyond this is not audio (and overflows float32)


def waveform(x: object, name: str = "audio") -> np.ndarray:
    """``x`` checked as one finite waveform (N,) with samples within ±:data:`MAX_SAMPLE`,
    as float64 (ValueError/TypeError otherwise)."""
    arr = check_finite_array(x, name, np.float64)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one waveform (N,), got shape {arr.shape}")
    if arr.size and float(np.abs(arr).max()) > MAX_SAMPLE:
        raise ValueError(
            f"{name} must have samples within ±{MAX_SAMPLE:g}, got {np.abs(arr).max():.3g}"
        )
    return arr


def resample(x: np.ndarray, rate: int, *, to: int = SAMPLE_RATE) -> np.ndarray:
    """``x`` at ``rate`` Hz resampled to ``to`` Hz (``scipy.signal.resample_poly``: a
    polyphase FIR with a Kaiser window), as float32."""
    x = waveform(x)
    rate = check_integer(rate, "sample_rate", ge=1000, le=384000)
    if rate == to:
        return x.astype(np.float32)
    g = gcd(rate, to)
    return resample_poly(x, to // g, rate // g).astype(np.float32)


def add_noise(x: np.ndarray, snr_db: float, *, seed: int | np.random.Generator = 0) -> np.ndarray:
    r"""``x`` plus white Gaussian noise at a signal-to-noise ratio of ``snr_db`` decibels.

    SNR = 10 log10(P_s / P_n) with P the mean power over the whole signal, so the noise has
    variance P_s 10^{-SNR/10} (the usual definition; ``inf`` returns ``x`` unchanged).
    """
    x = waveform(x)
    if isinstance(snr_db, (int, float)) and math.isinf(snr_db) and snr_db > 0:
        return x.astype(np.float32)
    snr_db = check_number(snr_db, "snr", ge=-20, le=100)
    rng = np.random.default_rng(seed)
    power = float(np.mean(np.square(x))) if x.size else 0.0
    sigma = math.sqrt(power * 10.0 ** (-snr_db / 10.0))
    return (x + sigma * rng.standard_normal(x.shape)).astype(np.float32)


def room_response(rt60: float, *, rate: int = SAMPLE_RATE, seed: int = 0) -> np.ndarray:
    r"""A synthetic room impulse response: a direct path plus exponentially decaying noise.

    h[n] = δ[n] + g · w[n] · exp(-6.9078 n / (rt60 · rate)) for n ≥ 1 with w white Gaussian,
    so the reverberant energy falls by 60 dB in ``rt60`` seconds (Sabine's reverberation time;
    the decaying-noise model of a late reverberation tail is Polack's, 1993). The gain g
    (ours) makes the tail's energy equal to the direct path's; the response is normalised to
    unit peak. Its length is ``rt60`` seconds.
    """
    rt60 = check_number(rt60, "rt60", gt=0, le=5)
    n = max(int(rt60 * rate), 2)
    rng = np.random.default_rng(seed)
    t = np.arange(1, n)
    tail = rng.standard_normal(n - 1) * np.exp(-math.log(1000.0) * t / (rt60 * rate))
    tail /= math.sqrt(float(np.sum(tail**2))) + 1e-12
    h = np.concatenate([[1.0], tail])
    return (h / np.max(np.abs(h))).astype(np.float32)


def reverberate(x: np.ndarray, rt60: float, *, seed: int = 0) -> np.ndarray:
    """``x`` convolved with :func:`room_response` (``rt60`` seconds), cut to its length and
    scaled back to its RMS."""
    x = waveform(x)
    if x.size == 0:
        return x.astype(np.float32)
    y = fftconvolve(x, room_response(rt60, seed=seed))[: x.size]
    rms_x, rms_y = np.sqrt(np.mean(x**2)), np.sqrt(np.mean(y**2))
    return (y * (rms_x / rms_y if rms_y > 0 else 1.0)).astype(np.float32)


def read_wav(path: str | os.PathLike[str], *, notes: list[str] | None = None) -> np.ndarray:
    """A WAV file as float32 mono at :data:`SAMPLE_RATE` Hz.

    Integer PCM is scaled to [-1, 1]; several channels are averaged; another sample rate is
    resampled (``resample_poly``) and a note saying so is appended to ``notes``.

    Raises
    ------
    ValueError
        For a missing or unreadable file, an unsupported format, non-finite samples, a
        file shorter than 0.1 s or one that is silent; the message names the file.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path}: no such WAV file")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # scipy warns about chunks it skips
            rate, data = wavfile.read(path)
    except Exception as exc:  # scipy raises many kinds for a damaged header (struct.error, …)
        reason = " ".join(str(exc).split())[:100] or type(exc).__name__
        raise ValueError(f"{path}: not a readable WAV file ({reason})") from None
    x = _as_float(data, path)
    if x.ndim == 2:
        x = x.mean(axis=1)
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{path}: the WAV file has non-finite samples")
    if x.size < rate // 10:
        raise ValueError(f"{path}: shorter than 0.1 s ({x.size} samples at {rate} Hz)")
    if rate != SAMPLE_RATE:
        if notes is not None:
            notes.append(f"{path}: resampled from {rate} Hz to {SAMPLE_RATE} Hz")
        x = resample(x, rate)
    if float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) < SILENCE_RMS:
        raise ValueError(f"{path}: the recording is silent")
    return x.astype(np.float32)


def _as_float(data: np.ndarray, path: Path) -> np.ndarray:
    if data.dtype == np.uint8:
        return (data.astype(np.float32) - 128.0) / 128.0
    if data.dtype.kind == "i":
        return data.astype(np.float32) / float(np.iinfo(data.dtype).max + 1)
    if data.dtype.kind == "f":
        return data.astype(np.float32)
    raise ValueError(f"{path}: unsupported sample format {data.dtype}")
