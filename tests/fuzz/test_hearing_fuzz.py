"""Fuzz of ``neuroattn.hearing``: encoding, features, the scan, tasks, attention, WAV files
and ``neuroattn listen``, with generated signals (any small shape, dtype and content),
settings (valid, extreme or of the wrong kind), texts and bytes.

The promise checked, for every call: it raises ValueError or TypeError, or returns a result
of the documented shape with no NaN or inf in it, within :data:`CALL_SECONDS`.
"""

from __future__ import annotations

import math
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from neuroattn import hearing
from neuroattn.cli import app

from ._strategies import FUZZ, NUMBERS, arrays

ERRORS = (ValueError, TypeError)
CALL_SECONDS = 10.0
WILD = st.one_of(NUMBERS, st.booleans(), st.none(), st.text(max_size=5),
                 st.sampled_from([1j, [], [math.nan], "fft", "mel"]))  # fmt: skip
ENCODER = {
    "kind": st.sampled_from(["gammatone", "mel", "other"]),
    "n_channels": st.integers(-1, 80),
    "fmin": st.sampled_from([0.0, 50.0, 100.0, 3000.0, -1.0]),
    "fmax": st.sampled_from([None, 500.0, 4000.0, 8000.0, 1e6]),
    "method": st.sampled_from(["fft", "filter", "x"]),
    "compression": st.sampled_from(["power", "log", "none", "cube"]),
    "exponent": st.sampled_from([0.3, 1.0, 0.0, 2.0]),
    "frame_ms": st.sampled_from([25.0, 5.0, 0.0, 100.0]),
    "hop_ms": st.sampled_from([10.0, 1.0, 0.0, 60.0]),
}


@st.composite
def encoders(draw: Any) -> dict[str, Any]:
    opts = {k: draw(v) for k, v in ENCODER.items() if draw(st.booleans())}
    if draw(st.booleans()) and ENCODER:
        opts[draw(st.sampled_from(sorted(ENCODER)))] = draw(WILD)
    return opts


def _finite(x: np.ndarray) -> None:
    assert np.isfinite(x).all()


def _timed(fn: Any) -> Any:
    start = time.perf_counter()
    try:
        return fn()
    finally:
        assert time.perf_counter() - start < CALL_SECONDS


@FUZZ
@given(x=arrays(max_dims=2, max_side=6), sr=st.sampled_from([8000.0, 16000.0, 0.0, 1e9, math.nan]))
def test_encode_any_array(x, sr):
    try:
        c = _timed(lambda: hearing.cochleagram(x, sr, n_channels=8))
    except ERRORS:
        return
    assert c.data.shape[:-2] == x.shape[:-1] and c.data.shape[-2] == 8
    _finite(c.data)


@FUZZ
@given(opts=encoders(), seed=st.integers(0, 100))
def test_encoder_settings(opts, seed):
    x = np.random.default_rng(seed).standard_normal(1600)
    try:
        enc = hearing.Encoder(**opts)
        c = _timed(lambda: enc(x, 16000.0))
    except ERRORS:
        return
    assert c.data.shape[-2] == enc.n_channels
    _finite(c.data)
    _finite(c.amplitude)


@FUZZ
@given(x=arrays(max_dims=1, max_side=6), n=st.integers(1, 3000), seed=st.integers(0, 50))
def test_features_and_scan(x, n, seed):
    rng = np.random.default_rng(seed)
    signal = rng.standard_normal(n) * rng.choice([0.0, 1e-8, 1.0, 1e6])
    try:
        f = _timed(lambda: hearing.features(signal, 16000.0))
    except ERRORS:
        return
    _finite(f.saliency_map)
    (scan,) = _timed(
        lambda: hearing.AuditoryScan()(f.saliency_map, f.cochleagram.cf, f.cochleagram.frame_rate)
    )
    _finite(scan.rates)
    for c in scan.captures:
        assert c.latency >= 0 and 0 <= c.band < 16
    try:
        hearing.AuditoryScan()(x, np.arange(1, x.shape[0] + 1) * 100.0 if x.ndim else x, 100.0)
    except ERRORS:
        pass


@FUZZ
@given(
    text=st.one_of(
        st.text(max_size=30),
        WILD,
        st.sampled_from(["voice at 0 Hz", "voice 1e400", "high low", "5 khz"]),
    )
)
def test_tasks_and_attention(text):
    mix = hearing.stimuli.two_voices(duration=0.2)
    try:
        out = _timed(lambda: hearing.attend(mix.signal, mix.sr, text))
    except ERRORS:
        return
    assert out.signal.shape == mix.signal.shape
    _finite(out.signal)
    _finite(out.gain)


@FUZZ
@given(
    opts=st.dictionaries(
        st.sampled_from(
            ["peak", "width_cam", "pitch_width", "n_harmonics", "pool_cam", "pool_ms", "sigma"]
        ),
        st.one_of(NUMBERS, WILD),
        max_size=3,
    )
)
def test_attention_settings(opts):
    mix = hearing.stimuli.two_voices(duration=0.2)
    try:
        att = hearing.AuditoryAttention(**opts)
        out = _timed(lambda: hearing.attend(mix.signal, mix.sr, "voice 220", attention=att))
    except ERRORS:
        return
    _finite(out.gain)


@FUZZ
@given(data=st.binary(max_size=200), header=st.booleans())
def test_wav_bytes(data, header):
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "x.wav"
        p.write_bytes((b"RIFF\x24\x00\x00\x00WAVEfmt " if header else b"") + data)
        try:
            x, sr = hearing.read_wav(p)
        except ValueError:
            return
        _finite(x)
        assert sr > 0


@FUZZ
@given(attend=st.one_of(st.none(), st.text(max_size=20),
                        st.sampled_from(["high", "voice at 220 Hz", "[red]x"])))  # fmt: skip
def test_listen_command(attend):
    runner = CliRunner()
    with tempfile.TemporaryDirectory() as d:
        wav = Path(d) / "a.wav"
        hearing.write_wav(wav, hearing.stimuli.tone(1000, 0.3), 16000)
        out = Path(d) / "out"
        args = ["listen", str(wav), "-o", str(out)] + ([] if attend is None else ["-a", attend])
        res = runner.invoke(app, args)
        assert res.exit_code in (0, 2), res.output
        assert "Traceback" not in res.output
        if res.exit_code == 2:
            assert len(res.output.strip().splitlines()) == 1
            assert not out.exists()
        else:
            assert (out / "a" / "scan.json").exists()


GENERATORS = {
    "aba_sequence": ["f_a", "df_semitones", "tone_ms", "soa_ms", "n_triplets", "amplitude"],
    "oddball_sequence": ["standard", "deviant", "n_tones", "deviant_index", "tone_ms",
                         "soa_ms", "noise_db", "seed"],
    "tones_in_noise": ["frequencies", "snr_db", "harmonic", "duration", "seed"],
    "two_voices": ["f0_target", "f0_masker", "tmr_db", "duration", "vibrato_depth", "seed"],
}  # fmt: skip


@FUZZ
@given(
    name=st.sampled_from(sorted(GENERATORS)),
    data=st.data(),
)
def test_stimuli(name, data):
    keys = data.draw(st.lists(st.sampled_from(GENERATORS[name]), max_size=2, unique=True))
    small = st.sampled_from([0.05, 0.5, 3, 7, 220.0, 1000.0, -3.0])
    opts = {k: data.draw(st.one_of(small, WILD)) for k in keys}
    if name in ("tones_in_noise", "two_voices"):
        opts.setdefault("duration", 0.3)
    try:
        s = _timed(lambda: getattr(hearing.stimuli, name)(**opts))
    except ERRORS:
        return
    assert s.signal.ndim == 1 and s.signal.size > 0
    _finite(s.signal)
