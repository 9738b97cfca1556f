"""Generated sounds: timing, frequencies, levels, seeds and bad arguments (hearing.stimuli)."""

import numpy as np
import pytest

from neuroattn.hearing.stimuli import (
    aba_sequence,
    harmonic_complex,
    oddball_sequence,
    tone,
    tones_in_noise,
    two_voices,
)

SR = 16000.0


def test_tone_frequency_and_level():
    x = tone(1000.0, 0.5, SR, amplitude=0.2, ramp_ms=0.0)
    spec = np.abs(np.fft.rfft(x))
    assert np.fft.rfftfreq(x.size, 1 / SR)[spec.argmax()] == pytest.approx(1000.0)
    assert np.sqrt(np.mean(x**2)) == pytest.approx(0.2 / np.sqrt(2), rel=1e-3)


def test_aba_sequence_follows_van_noorden():
    s = aba_sequence(500.0, 12.0, soa_ms=100.0, n_triplets=3)
    assert s.duration == pytest.approx(1.2)
    labels = "".join(e.label for e in s.events)
    assert labels == "ABA" * 3
    b = [e for e in s.events if e.label == "B"]
    assert b[0].frequency == pytest.approx(1000.0)  # 12 semitones up
    assert [e.onset for e in s.events[:4]] == pytest.approx([0.0, 0.1, 0.2, 0.4])


def test_oddball_sequence_and_its_noise_seed():
    s = oddball_sequence(n_tones=5, deviant_index=3)
    assert [e.label for e in s.events].count("deviant") == 1
    assert s.events[3].frequency == 1500.0
    a = oddball_sequence(noise_db=-10, seed=4).signal
    b = oddball_sequence(noise_db=-10, seed=4).signal
    c = oddball_sequence(noise_db=-10, seed=5).signal
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_two_voices_mix_at_the_asked_tmr():
    mix = two_voices(220.0, 311.0, tmr_db=-6.0, duration=0.5)
    t, m = mix.components["target"], mix.components["masker"]
    np.testing.assert_allclose(t + m, mix.signal)
    assert 10 * np.log10(np.sum(t**2) / np.sum(m**2)) == pytest.approx(-6.0)


def test_harmonic_complex_has_its_harmonics():
    x = harmonic_complex(200.0, 0.5, SR, n_harmonics=5)
    spec = np.abs(np.fft.rfft(x))
    freqs = np.fft.rfftfreq(x.size, 1 / SR)
    peaks = freqs[np.argsort(spec)[-5:]]
    assert sorted(np.round(peaks, -1)) == [200, 400, 600, 800, 1000]


def test_tones_in_noise_components():
    s = tones_in_noise([500.0, 2000.0], snr_db=0.0, duration=0.5)
    np.testing.assert_allclose(s.components["target"] + s.components["masker"], s.signal)
    assert len(s.events) == 2


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: tone(0.0, 1.0), "frequency"),
        (lambda: tone(9000.0, 1.0, 16000.0), "frequency"),
        (lambda: tone(100.0, -1.0), "duration"),
        (lambda: aba_sequence(n_triplets=0), "n_triplets"),
        (lambda: aba_sequence(tone_ms=200.0, soa_ms=100.0), "tone_ms"),
        (lambda: oddball_sequence(n_tones=3, deviant_index=3), "deviant_index"),
        (lambda: oddball_sequence(seed=-1, noise_db=0.0), "seed"),
        (lambda: harmonic_complex(100.0, 1.0, vibrato_depth=1.5), "vibrato_depth"),
        (lambda: two_voices(tmr_db=float("nan")), "tmr_db"),
        (lambda: aba_sequence(n_triplets=10_000, soa_ms=100.0), "at most 600 s"),
        (lambda: oddball_sequence(n_tones=5000), "at most 600 s"),
    ],
)
def test_bad_arguments(call, match):
    with pytest.raises(ValueError, match=match):
        call()
