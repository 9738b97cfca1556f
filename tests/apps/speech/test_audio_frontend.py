"""Audio (noise, reverberation, WAV files) and the front end (log-mel, SpecAugment) against
independent references."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import scipy.signal as ss
import torch
from scipy.io import wavfile

from neuroattn.apps.speech import (
    add_noise,
    features,
    log_mel,
    mel_filterbank,
    read_wav,
    reverberate,
    room_response,
    spec_augment,
)


def _htk_mel_bank(n_mels: int, n_fft: int, rate: int, fmin: float) -> np.ndarray:
    """The textbook construction, written independently: corners from the HTK formula."""
    mel = lambda f: 2595 * math.log10(1 + f / 700)  # noqa: E731
    inv = lambda m: 700 * (10 ** (m / 2595) - 1)  # noqa: E731
    lo, hi = mel(fmin), mel(rate / 2)
    corners = [inv(lo + (hi - lo) * k / (n_mels + 1)) for k in range(n_mels + 2)]
    bank = np.zeros((n_mels, n_fft // 2 + 1))
    for m in range(n_mels):
        a, b, c = corners[m : m + 3]
        for k in range(n_fft // 2 + 1):
            f = k * rate / n_fft
            if a < f <= b:
                bank[m, k] = (f - a) / (b - a)
            elif b < f < c:
                bank[m, k] = (c - f) / (c - b)
    return bank


def test_log_mel_matches_scipy_stft_and_htk_filters() -> None:
    x = np.random.default_rng(0).standard_normal(8000) * 0.1
    x[2000:4000] += 0.5 * np.sin(2 * np.pi * 440 * np.arange(2000) / 16000)
    ours = log_mel(x, n_mels=40)  # (T, 40)
    _, _, z = ss.stft(x, fs=16000, window="hann", nperseg=400, noverlap=240, nfft=512,
                      boundary=None, padded=False)  # fmt: skip
    power = (np.abs(z) * ss.get_window("hann", 400).sum()) ** 2  # undo scipy's 1/sum(w)
    ref = np.log(_htk_mel_bank(40, 512, 16000, 20.0) @ power + 1e-6).T
    assert ours.shape == ref.shape == (1 + (8000 - 400) // 160, 40)
    np.testing.assert_allclose(ours, ref, rtol=1e-4, atol=1e-4)


def test_a_tone_peaks_in_its_mel_channel() -> None:
    t = np.arange(16000) / 16000
    spec = log_mel(np.sin(2 * np.pi * 1000 * t), n_mels=40)
    bank = mel_filterbank(40)
    k = round(1000 * 512 / 16000)
    assert spec.mean(axis=0).argmax() == bank[:, k].argmax()


@pytest.mark.parametrize("frontend", ["logmel", "cochleagram"])
def test_features_are_normalised(frontend: str) -> None:
    x = np.random.default_rng(1).standard_normal(4000)
    f = features(x, frontend=frontend, n_mels=24)
    assert f.shape[1] == 24 and abs(f.shape[0] - 4000 / 160) <= 2
    np.testing.assert_allclose(f.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(f.std(axis=0), 1, atol=1e-3)


def test_cochleagram_front_end_puts_a_tone_in_its_channel() -> None:
    from neuroattn.hearing import cochleagram

    t = np.arange(8000) / 16000
    x = np.sin(2 * np.pi * 1000 * t) + 0.01 * np.random.default_rng(0).standard_normal(8000)
    cf = cochleagram(x, 16000, n_channels=32, fmin=100.0).cf
    raw = features(x, frontend="cochleagram", n_mels=32)
    assert raw.shape[1] == 32 and np.isfinite(raw).all()
    loud = cochleagram(x, 16000, n_channels=32, fmin=100.0).data.mean(axis=1).argmax()
    assert abs(cf[loud] - 1000) / 1000 < 0.15


def test_features_refuse_bad_input() -> None:
    x = np.random.default_rng(1).standard_normal(4000)
    with pytest.raises(ValueError, match="frontend must be"):
        features(x, frontend="mfcc")
    with pytest.raises(ValueError, match="audio must be one waveform"):
        log_mel(np.zeros((2, 400)))


@pytest.mark.parametrize("snr", [0.0, 10.0, 20.0])
def test_add_noise_reaches_the_snr(snr: float) -> None:
    x = np.sin(np.arange(160000) * 0.05).astype(np.float32)
    y = add_noise(x, snr, seed=3)
    measured = 10 * np.log10(np.mean(x.astype(float) ** 2) / np.mean((y - x).astype(float) ** 2))
    assert abs(measured - snr) < 0.1
    assert np.array_equal(y, add_noise(x, snr, seed=3))
    assert np.array_equal(add_noise(x, math.inf), x)


def test_room_response_decays_by_60_db_in_rt60() -> None:
    h = room_response(0.3, seed=0).astype(float)
    assert h.size == int(0.3 * 16000) and h[0] == np.abs(h).max()
    energy = np.convolve(h[1:] ** 2, np.ones(400) / 400, mode="valid")  # smoothed envelope
    t = np.arange(energy.size) / 16000
    slope = np.polyfit(t, 10 * np.log10(energy), 1)[0]  # dB per second
    assert -60 / 0.3 * 1.15 < slope < -60 / 0.3 * 0.85


def test_reverberate_keeps_length_and_rms() -> None:
    x = np.random.default_rng(2).standard_normal(8000).astype(np.float32)
    y = reverberate(x, 0.2, seed=1)
    assert y.shape == x.shape
    assert abs(np.sqrt(np.mean(y**2)) - np.sqrt(np.mean(x**2))) < 1e-3
    assert not np.allclose(y, x)


def _tone(rate: int, seconds: float = 0.5) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return (0.3 * np.sin(2 * np.pi * 300 * t) * 32767).astype(np.int16)


def test_read_wav_resamples_and_says_so(tmp_path: Path) -> None:
    wavfile.write(tmp_path / "a.wav", 16000, _tone(16000))
    wavfile.write(tmp_path / "b.wav", 22050, np.stack([_tone(22050)] * 2, axis=1))
    notes: list[str] = []
    a = read_wav(tmp_path / "a.wav", notes=notes)
    b = read_wav(tmp_path / "b.wav", notes=notes)
    assert a.dtype == np.float32 and a.size == 8000 and abs(a.max() - 0.3) < 0.01
    assert b.size == 8000 and len(notes) == 1 and "22050 Hz to 16000 Hz" in notes[0]
    np.testing.assert_allclose(b[200:-200], a[200:-200], atol=0.02)  # the same tone


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b"not a wav at all", "not a readable WAV"),
        (None, "no such WAV"),
        ("silent", "silent"),
        ("short", "shorter than 0.1 s"),
    ],
)
def test_read_wav_refuses_bad_files(tmp_path: Path, content: object, match: str) -> None:
    path = tmp_path / "x.wav"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content == "silent":
        wavfile.write(path, 16000, np.zeros(16000, np.int16))
    elif content == "short":
        wavfile.write(path, 16000, _tone(16000, 0.05))
    with pytest.raises(ValueError, match=match):
        read_wav(path)


def test_spec_augment_masks_within_lengths() -> None:
    x = torch.ones(3, 50, 20)
    lengths = torch.tensor([50, 30, 10])
    gen = torch.Generator().manual_seed(0)
    y = spec_augment(x, lengths, generator=gen, freq_masks=2, freq_width=5, time_masks=2,
                     time_width=10)  # fmt: skip
    assert torch.equal(x, torch.ones(3, 50, 20))  # not in place
    again = spec_augment(x, lengths, generator=torch.Generator().manual_seed(0), freq_masks=2,
                         freq_width=5, time_masks=2, time_width=10)  # fmt: skip
    assert torch.equal(y, again)
    assert (y == 0).any()
    for b, n in enumerate(lengths.tolist()):
        assert bool((y[b, n:] == 1).all())  # padding frames untouched
        masked_frames = int((y[b, :n] == 0).all(dim=1).sum())
        assert masked_frames <= 2 * min(10, n // 5)
        masked_channels = int((y[b, :n] == 0).all(dim=0).sum())
        assert masked_channels <= 10
    off = spec_augment(x, lengths, generator=gen, freq_masks=0, time_masks=0)
    assert torch.equal(off, x)
