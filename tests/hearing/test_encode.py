"""Stage 1: ERB scale, gammatone channels, log-mel, resynthesis (hearing.encode)."""

import numpy as np
import pytest
import scipy.signal

from neuroattn.hearing import Encoder, cochleagram, log_mel
from neuroattn.hearing._scales import (
    erb,
    erb_number,
    gammatone_power_response,
    hz_to_mel,
    inverse_erb_number,
)

SR = 16000.0


def _tone(f, seconds=0.5, amp=0.5):
    t = np.arange(int(seconds * SR)) / SR
    return amp * np.sin(2 * np.pi * f * t)


def test_erb_formulas_match_glasberg_moore_1990():
    # ERB(1 kHz) = 24.7 * (4.37 + 1) = 132.639 Hz; E(1 kHz) = 21.4 log10(5.37) = 15.62 Cam
    assert erb(1000.0) == pytest.approx(132.639)
    assert erb_number(1000.0) == pytest.approx(21.4 * np.log10(5.37))
    f = np.geomspace(50, 8000, 30)
    np.testing.assert_allclose(inverse_erb_number(erb_number(f)), f, rtol=1e-12)
    # dE/df = 1 / ERB(f): the scale counts ERBs (to the 0.3 % of the published rounding,
    # 21.4 · 4.37 / (1000 ln 10) = 0.04061 against 1 / 24.7 = 0.04049)
    h = 1e-3
    np.testing.assert_allclose((erb_number(f + h) - erb_number(f - h)) / (2 * h), 1 / erb(f),
                               rtol=4e-3)  # fmt: skip


def test_channel_centres_are_equally_spaced_on_the_erb_scale():
    c = cochleagram(np.zeros(1600), SR, n_channels=40, fmin=100, fmax=6000)
    e = 21.4 * np.log10(4.37 * c.cf / 1000 + 1)  # the formula written out again
    np.testing.assert_allclose(np.diff(e), np.diff(e)[0], rtol=1e-9)
    assert c.cf[0] == pytest.approx(100) and c.cf[-1] == pytest.approx(6000)


@pytest.mark.parametrize("method", ["fft", "filter"])
@pytest.mark.parametrize("freq", [250.0, 1000.0, 3500.0])
def test_a_pure_tone_excites_the_channel_at_its_frequency(method, freq):
    c = cochleagram(_tone(freq), SR, method=method, compression="none")
    col = c.amplitude[:, 25]
    best = int(col.argmax())
    assert abs(erb_number(c.cf[best]) - erb_number(freq)) <= 0.5 * np.diff(erb_number(c.cf))[0]
    # RMS of a tone of amplitude A through the channel: A |H(f)| / sqrt(2), |H(f_c)| = 1
    gain = np.sqrt(gammatone_power_response(c.cf[best : best + 1], np.array([freq]))[0, 0])
    # (the fft method's low channels are widened to the window's resolution: looser there)
    assert col[best] == pytest.approx(
        0.5 * gain / np.sqrt(2), rel=0.03 if method == "filter" else 0.06
    )


def test_filter_method_matches_scipy_gammatone_impulse_response():
    """The all-pole channel against scipy.signal.gammatone's FIR (Slaney's normalisation
    aside): the same centre, bandwidths within 15 %."""
    fc = 1000.0
    b, a = scipy.signal.gammatone(fc, "fir", fs=SR)
    w, h = scipy.signal.freqz(b, a, worN=8192, fs=SR)
    ref = np.abs(h) ** 2 / np.max(np.abs(h) ** 2)
    c = cochleagram(np.zeros(16), SR, n_channels=1, fmin=fc, fmax=fc + 1)
    ours = gammatone_power_response(np.array([fc]), w)[0]
    assert w[ref.argmax()] == pytest.approx(fc, abs=3)
    half_ref = np.ptp(w[ref >= 0.5])
    half_ours = np.ptp(w[ours >= 0.5])
    assert half_ours == pytest.approx(half_ref, rel=0.15)
    assert c.cf[0] == pytest.approx(fc)


def test_compression_is_a_power_law():
    x = _tone(1000)
    plain = cochleagram(x, SR, compression="none").data
    comp = cochleagram(x, SR, exponent=0.3).data
    np.testing.assert_allclose(comp, plain**0.3, rtol=1e-12)
    loud = cochleagram(10 * x, SR).data
    # 20 dB more input → 6 dB (0.3 × 20) more output
    k = np.unravel_index(plain.argmax(), plain.shape)
    assert 20 * np.log10(loud[k] / comp[k]) == pytest.approx(6.0, rel=1e-6)


def test_batch_matches_one_by_one():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 4000))
    both = cochleagram(x, SR).data
    assert both.shape[:2] == (2, 3)
    np.testing.assert_allclose(both[1, 2], cochleagram(x[1, 2], SR).data, rtol=1e-10)


def test_log_mel_against_a_plain_reference():
    """Slaney mel filters built by a loop over the triangle formula, on |STFT|² by numpy."""
    rng = np.random.default_rng(2)
    x = rng.standard_normal(4000)
    ours = log_mel(x, SR, n_mels=20, fmax=8000)
    n_fft, hop, win = 512, 160, 400
    w = np.zeros(n_fft)
    w[56:456] = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(win) / win)
    xp = np.pad(x, n_fft // 2)
    frames = np.array([xp[i * hop : i * hop + n_fft] for i in range(1 + len(x) // hop)])
    p = np.abs(np.fft.rfft(frames * w, axis=1)) ** 2
    freqs = np.fft.rfftfreq(n_fft, 1 / SR)
    mels = np.linspace(hz_to_mel(0), hz_to_mel(8000), 22)
    edges = [200 * m / 3 if m < 15 else 1000 * 6.4 ** ((m - 15) / 27) for m in mels]
    ref = np.zeros((20, len(frames)))
    for m in range(20):
        lo, mid, hi = edges[m : m + 3]
        tri = np.clip(np.minimum((freqs - lo) / (mid - lo), (hi - freqs) / (hi - mid)), 0, None)
        ref[m] = (p * tri * 2 / (hi - lo)).sum(1)
    np.testing.assert_allclose(ours.data, 10 * np.log10(np.maximum(ref, 1e-10)), atol=1e-8)


def test_resynthesis_is_exact_and_linear():
    rng = np.random.default_rng(3)
    enc = Encoder()
    x, y = rng.standard_normal((2, 3000))
    spec = enc.spectrum(x, SR)
    np.testing.assert_allclose(enc.resynthesize(spec, SR, None, 3000), x, atol=1e-12)
    gains = rng.uniform(0, 2, (enc.n_channels, spec.shape[-2]))
    both = enc.resynthesize(enc.spectrum(x + y, SR), SR, gains, 3000)
    apart = enc.resynthesize(spec, SR, gains, 3000) + enc.resynthesize(
        enc.spectrum(y, SR), SR, gains, 3000
    )
    np.testing.assert_allclose(both, apart, atol=1e-10)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_channels": 0}, "encode.n_channels"),
        ({"method": "iir"}, "encode.method"),
        ({"compression": "sqrt"}, "encode.compression"),
        ({"exponent": 0}, "encode.exponent"),
        ({"fmin": 500, "fmax": 400}, "encode.fmax"),
        ({"hop_ms": 50}, "encode.hop_ms"),
    ],
)
def test_bad_settings(kwargs, match):
    with pytest.raises(ValueError, match=match):
        cochleagram(np.zeros(100), SR, **kwargs)


@pytest.mark.parametrize(
    ("signal", "sr", "err", "match"),
    [
        (np.array([0.0, np.nan]), SR, ValueError, "NaN"),
        (np.zeros(0), SR, ValueError, "N >= 1"),
        (np.zeros(10), 0, ValueError, "sr must be"),
        (np.zeros(10), SR * 100, ValueError, "sr must be"),
        (np.zeros(10, complex), SR, TypeError, "signal"),
        ("abc", SR, TypeError, "signal"),
        (np.zeros(100), 1000.0, ValueError, "encode.fmax"),  # 8 kHz default above sr / 2? no:
    ],
)
def test_bad_signals(signal, sr, err, match):
    if sr == 1000.0:
        with pytest.raises(ValueError, match=match):
            cochleagram(signal, sr, fmin=600)
        return
    with pytest.raises(err, match=match):
        cochleagram(signal, sr)
