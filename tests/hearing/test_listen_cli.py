"""``neuroattn listen``: files written, the attended stream, and one-line errors (exit 2)."""

import json

import numpy as np
import pytest
import scipy.io.wavfile
from typer.testing import CliRunner

from neuroattn.cli import app
from neuroattn.hearing import read_wav
from neuroattn.hearing.stimuli import oddball_sequence, two_voices

runner = CliRunner()
SR = 16000


def _wav(path, x, dtype=np.int16):
    data = np.round(x * 32767).astype(dtype) if dtype == np.int16 else x.astype(dtype)
    scipy.io.wavfile.write(path, SR, data)
    return path


def test_listen_to_a_file_and_attend(tmp_path):
    mix = two_voices(220, 311, duration=0.6)
    wav = _wav(tmp_path / "mix.wav", mix.signal)
    out = tmp_path / "out"
    res = runner.invoke(app, ["listen", str(wav), "--attend", "voice at 220 Hz", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "mix:" in res.output
    files = {p.name for p in (out / "mix").iterdir()}
    assert {"cochleagram.png", "saliency.png", "scan.json", "attended.wav",
            "attended_cochleagram.png", "attention.json"} <= files  # fmt: skip
    y, sr = read_wav(out / "mix" / "attended.wav")
    assert sr == SR and y.shape == mix.signal.shape
    att = json.loads((out / "mix" / "attention.json").read_text())
    assert att["task"] == {"kind": "voice", "frequency_hz": 220.0}
    assert "tmr_db" not in att  # a file has no known components


def test_oddball_file_scan_names_the_deviant(tmp_path):
    s = oddball_sequence(n_tones=6, deviant_index=4)
    wav = _wav(tmp_path / "odd.wav", s.signal, np.float32)
    res = runner.invoke(app, ["listen", str(wav), "-o", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    scan = json.loads((tmp_path / "o" / "odd" / "scan.json").read_text())
    first = scan["captures"][0]
    dev = s.events[4]
    assert dev.onset <= first["onset_s"] <= dev.offset + 0.1
    assert first["latency_ms"] > 0


def test_builtin_sounds_report_the_tmr(tmp_path):
    out = tmp_path / "b"
    res = runner.invoke(app, ["listen", "-a", "voice at 220 Hz", "-o", str(out)])
    assert res.exit_code == 0, res.output
    att = json.loads((out / "voices" / "attention.json").read_text())
    assert att["tmr_db"]["gain"] > 1.5
    assert {p.name for p in out.iterdir()} == {"oddball", "aba", "voices", "summary.json"}


def _bad(tmp_path, kind):
    p = tmp_path / "bad.wav"
    if kind == "text":
        p.write_text("hello")
    elif kind == "empty":
        scipy.io.wavfile.write(p, SR, np.zeros(0, np.int16))
    elif kind == "nan":
        scipy.io.wavfile.write(p, SR, np.array([0.1, np.nan, 0.2], np.float32))
    elif kind == "int64":
        scipy.io.wavfile.write(p, SR, np.zeros(8, np.int64))
    elif kind == "missing":
        pass
    return p


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("text", "not a readable WAV"),
        ("empty", "no samples"),
        ("nan", "NaN"),
        ("int64", "WAV"),
        ("missing", "no such file"),
    ],
)
def test_bad_wav_files_exit_2_with_one_line(tmp_path, kind, message):
    out = tmp_path / "out"
    res = runner.invoke(app, ["listen", str(_bad(tmp_path, kind)), "-o", str(out)])
    assert res.exit_code == 2, res.output
    assert message in res.output
    assert "Traceback" not in res.output and len(res.output.strip().splitlines()) == 1
    assert not out.exists()


def test_a_spec_naming_no_feature_exits_2(tmp_path):
    out = tmp_path / "out"
    res = runner.invoke(app, ["listen", "--attend", "the red one", "-o", str(out)])
    assert res.exit_code == 2
    assert "attend must name a feature" in res.output
    assert len(res.output.strip().splitlines()) == 1
    assert not out.exists()
