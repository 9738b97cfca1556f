"""Stages 2–3: pitch, feature maps, saliency and the scan (hearing.features, hearing.compete)."""

import numpy as np
import pytest

from neuroattn.hearing import AuditoryScan, FeatureExtractor, features
from neuroattn.hearing._pitch import periodicity
from neuroattn.hearing.features import normalize
from neuroattn.hearing.stimuli import harmonic_complex, oddball_sequence, tone

SR = 16000.0


@pytest.mark.parametrize("f0", [110.0, 220.0, 311.0])
def test_pitch_of_a_harmonic_complex(f0):
    x = harmonic_complex(f0, 0.4, SR, seed=1)
    p = periodicity(x, SR, 160)
    mid = slice(5, -5)
    # within the grid's half step (0.5 semitone)
    assert np.median(np.abs(np.log2(p.pitch[mid] / f0))) < 1 / 24
    assert np.median(p.harmonicity[mid]) > 0.9


def test_noise_is_not_harmonic():
    x = np.random.default_rng(0).standard_normal(8000)
    assert np.median(periodicity(x, SR, 160).harmonicity) < 0.4


def test_normalize_promotes_a_single_peak():
    one = np.zeros((9, 60))
    one[4, 30] = 1.0
    many = np.zeros((9, 60))
    many[4, 5::10] = 1.0
    assert normalize(one).max() == pytest.approx(1.0)
    # (1 − m̄)² with m̄ = 1: a map of equal peaks is silenced
    assert normalize(many).max() == pytest.approx(0.0)
    # one peak of 1 and three of 0.5: m̄ = 0.5, the map is scaled by 0.25
    mixed = one.copy()
    mixed[2, 5::20] = 0.5
    assert normalize(mixed).max() == pytest.approx(0.25)


def _event_saliency(sal, times, sound):
    return np.array(
        [sal[(times >= e.onset) & (times <= e.offset + 0.05)].max() for e in sound.events]
    )


@pytest.mark.parametrize("index", [2, 7, 10])
def test_the_oddball_is_the_most_salient_event(index):
    s = oddball_sequence(n_tones=12, deviant_index=index)
    f = features(s.signal, s.sr)
    ev = _event_saliency(f.saliency, f.cochleagram.times, s)
    assert int(ev.argmax()) == index
    assert ev[index] > 1.3 * np.delete(ev, index).max()


def test_the_oddball_captures_attention_with_a_latency():
    s = oddball_sequence(n_tones=12, deviant_index=7)
    f = features(s.signal, s.sr)
    (scan,) = AuditoryScan()(f.saliency_map, f.cochleagram.cf, f.cochleagram.frame_rate)
    dev = s.events[7]
    hits = [c for c in scan.captures if dev.onset <= c.onset <= dev.offset + 0.1]
    assert hits, scan.captures
    first = hits[0]
    assert abs(np.log2(first.frequency / dev.frequency)) < 0.25  # the deviant's band
    assert 0.005 < first.latency < 0.1
    # the network did it: the winner's rate crossed the threshold at the onset
    k = int(np.searchsorted(scan.times, first.onset))
    assert scan.rates[first.band, k] >= AuditoryScan().rate_threshold - 1e-9


def test_stronger_events_win_sooner():
    """Latency falls with the input: two tones alone, the louder captured first/faster."""
    x = np.zeros(int(1.0 * SR))
    x[1600:4800] += tone(500, 0.2, SR, amplitude=0.05)
    x[9600:12800] += tone(3000, 0.2, SR, amplitude=0.2)
    f = features(x, SR)
    (scan,) = AuditoryScan()(f.saliency_map, f.cochleagram.cf, f.cochleagram.frame_rate)
    assert len(scan.captures) == 2
    quiet, loud = scan.captures
    assert quiet.frequency < 1000 < loud.frequency
    assert loud.saliency > quiet.saliency
    assert loud.latency < quiet.latency


def test_batch_of_sounds_and_bad_inputs():
    s = oddball_sequence(n_tones=4, deviant_index=1)
    both = features(np.stack([s.signal, s.signal[::-1]]), s.sr)
    assert both.saliency.shape[0] == 2
    scans = AuditoryScan()(both.saliency_map, both.cochleagram.cf, 100.0)
    assert len(scans) == 2
    with pytest.raises(ValueError, match=r"saliency_map"):
        AuditoryScan()(np.ones((3, 5)), np.ones(4), 100.0)
    with pytest.raises(ValueError, match=r"saliency_map"):
        AuditoryScan()(-np.ones((4, 5)), np.arange(1, 5) * 100.0, 100.0)
    with pytest.raises(ValueError, match=r"scan.rate_threshold"):
        AuditoryScan(rate_threshold=5.0)
    with pytest.raises(ValueError, match=r"scan.alpha"):
        AuditoryScan(alpha=1.0)
    with pytest.raises(ValueError, match=r"features.weights"):
        FeatureExtractor(weights={"colour": 1.0})
    with pytest.raises(ValueError, match=r"features.weights"):
        FeatureExtractor(weights={"pitch": 0.0})
