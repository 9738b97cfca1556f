"""Stage 4: tasks, attention fields, re-entry into encoding and the TMR (hearing.feedback)."""

import numpy as np
import pytest

from neuroattn.dynamics import attention_normalization
from neuroattn.hearing import AuditoryAttention, Encoder, Task, attend, parse_task
from neuroattn.hearing._scales import erb_number
from neuroattn.hearing.stimuli import aba_sequence, tone, two_voices


@pytest.mark.parametrize(
    ("text", "task"),
    [
        ("high", Task("high")),
        ("attend to the high tones", Task("high")),
        ("LOW tones", Task("low")),
        ("1000 Hz", Task("frequency", 1000.0)),
        ("tones at 1.5 kHz", Task("frequency", 1500.0)),
        ("voice at 220 Hz", Task("voice", 220.0)),
        ("attend to the voice at 220 Hz", Task("voice", 220.0)),
        ("pitch 311", Task("voice", 311.0)),
    ],
)
def test_parse_task(text, task):
    assert parse_task(text) == task


@pytest.mark.parametrize("text", ["", "banana", "high and low", "voice", "the red one", "0 Hz"])
def test_a_spec_naming_no_feature(text):
    with pytest.raises(ValueError, match=r"attend must name a feature|task.frequency"):
        parse_task(text)


def test_parse_task_refuses_non_text():
    with pytest.raises(TypeError, match=r"attend must be a text"):
        parse_task(220)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_attending_a_voice_raises_its_tmr(seed):
    mix = two_voices(220, 311, seed=seed)
    t, m = mix.components["target"], mix.components["masker"]
    to_target = attend(mix.signal, mix.sr, "voice at 220 Hz")
    to_masker = attend(mix.signal, mix.sr, "voice at 311 Hz")
    plain = to_target.tmr(t, m, attended=False)
    assert plain == pytest.approx(0.0, abs=1e-6)  # the resynthesis alone is exact
    assert to_target.tmr(t, m) > plain + 1.5
    assert to_masker.tmr(t, m) < plain - 1.5
    # the field followed each voice's pitch
    assert np.nanmedian(to_target.pitch) == pytest.approx(220, rel=0.03)
    assert np.nanmedian(to_masker.pitch) == pytest.approx(311, rel=0.03)


def test_a_larger_peak_gives_a_larger_gain():
    mix = two_voices(220, 311)
    t, m = mix.components["target"], mix.components["masker"]
    small = attend(mix.signal, mix.sr, "voice 220", attention=AuditoryAttention(peak=1.5))
    large = attend(mix.signal, mix.sr, "voice 220", attention=AuditoryAttention(peak=4.0))
    assert large.tmr(t, m) > small.tmr(t, m) > 0


def test_the_modulation_is_the_normalisation_model():
    """E·gain = E · R(A) / R(1) with R from dynamics.attention_normalization."""
    mix = two_voices(220, 311, duration=0.3)
    att = AuditoryAttention()
    out = attend(mix.signal, mix.sr, "voice 220", attention=att)
    e = Encoder()(mix.signal, mix.sr).amplitude
    per_cam = 1 / np.mean(np.diff(erb_number(Encoder()(mix.signal, mix.sr).cf)))
    pool = (att.pool_cam * per_cam, att.pool_ms / 10.0)
    sigma = att.sigma * e.max()
    r_a = attention_normalization(e, out.field, pool=pool, sigma=sigma, boundary="reflect")
    r_1 = attention_normalization(e, None, pool=pool, sigma=sigma, boundary="reflect")
    big = e > 1e-3 * e.max()
    np.testing.assert_allclose(out.gain[big], (r_a / r_1)[big], rtol=1e-8)
    np.testing.assert_allclose(out.cochleagram.amplitude, e * out.gain, rtol=1e-12)


def test_peak_one_changes_nothing():
    mix = two_voices(duration=0.3)
    out = attend(mix.signal, mix.sr, "high", attention=AuditoryAttention(peak=1.0))
    np.testing.assert_allclose(out.gain, 1.0, rtol=1e-12)
    np.testing.assert_allclose(out.signal, mix.signal, atol=1e-10)


def test_attending_the_high_tones_of_aba():
    s = aba_sequence(500, 12, n_triplets=4)
    a = np.zeros_like(s.signal)
    for e in s.events:
        if e.label == "A":
            i = round(e.onset * s.sr)
            piece = tone(e.frequency, e.offset - e.onset, s.sr)
            a[i : i + piece.size] += piece
    b = s.signal - a
    high = attend(s.signal, s.sr, "high")
    low = attend(s.signal, s.sr, "low")
    assert high.tmr(b, a) > high.tmr(b, a, attended=False) + 1.0
    assert low.tmr(a, b) > low.tmr(a, b, attended=False) + 1.0
    freq = attend(s.signal, s.sr, "1000 Hz")
    assert freq.tmr(b, a) > freq.tmr(b, a, attended=False) + 1.0


def test_bad_settings_and_components():
    with pytest.raises(ValueError, match=r"attention.peak"):
        AuditoryAttention(peak=0.5)
    with pytest.raises(ValueError, match=r"attention.pool_cam"):
        AuditoryAttention(pool_cam=0)
    with pytest.raises(ValueError, match=r"task.kind"):
        Task("colour")
    mix = two_voices(duration=0.2)
    out = attend(mix.signal, mix.sr, "high")
    with pytest.raises(ValueError, match=r"component"):
        out.tmr(np.full(3, np.nan), mix.signal)
