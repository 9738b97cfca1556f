"""Fuzz of the speech app's entry points (its config: ``test_app_configs_fuzz``).

The promise checked: every call either returns what it documents or raises one
ValueError/TypeError; nothing else escapes.

* ``read_transcripts`` on generated file contents: pairs of non-empty fields, or a
  ValueError naming the file (and the line for a malformed one);
* ``features`` / ``log_mel`` / ``add_noise`` / ``resample`` on arrays of any shape, dtype
  and content: finite float32 output, or a ValueError/TypeError;
* ``wer`` / ``cer`` on any texts: non-negative, 0 exactly when the words (characters)
  match, or a ValueError for empty references;
* ``synthesize`` on any text, voice, rate and pitch: int16 samples or a ValueError;
* ``neuroattn speech transcribe`` on generated WAV bytes: exit 0 with one line, or exit 2
  with one line and no plot written.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

pytest.importorskip("torch")

from neuroattn.apps.speech import (
    SpeechConfig,
    add_noise,
    cer,
    features,
    log_mel,
    read_transcripts,
    resample,
    wer,
)

from ._strategies import FUZZ, NUMBERS, arrays

ERRORS = (ValueError, TypeError)
WILD = st.one_of(NUMBERS, st.booleans(), st.none(), st.text(max_size=6))


LINES = st.lists(
    st.one_of(
        st.tuples(st.text(max_size=6), st.text(max_size=6)).map("\t".join),
        st.text(max_size=10),
        st.sampled_from(["file\ttext", "", "#c", "\t", "a\tb\tc", " \t ", "a.wav\tone two"]),
    ),
    max_size=6,
)


@FUZZ
@given(lines=LINES, raw=st.binary(max_size=8))
def test_read_transcripts_keeps_its_promise(lines: list[str], raw: bytes, tmp_path_factory) -> None:
    path = tmp_path_factory.mktemp("tsv") / "transcripts.tsv"
    path.write_bytes("\n".join(lines).encode("utf-8", "surrogatepass") + raw)
    try:
        pairs = read_transcripts(path)
    except ValueError as exc:
        assert str(path) in str(exc)
        assert re.search(r"line \d+|no transcripts|UTF-8|cannot read", str(exc)), str(exc)
        return
    names = [n for n, _ in pairs]
    assert len(set(names)) == len(names)
    for name, text in pairs:
        assert name and text and text == " ".join(text.lower().split())


@FUZZ
@given(x=arrays(max_dims=2, max_side=900), frontend=st.sampled_from(["logmel", "cochleagram", "x"]),
       snr=st.one_of(NUMBERS, WILD), rate=st.one_of(st.integers(-5, 50000), WILD))  # fmt: skip
def test_audio_functions_keep_their_promise(
    x: np.ndarray, frontend: str, snr: Any, rate: Any
) -> None:
    for call in (
        lambda: features(x, frontend=frontend, n_mels=16),
        lambda: log_mel(x, n_mels=8),
        lambda: add_noise(x, snr),
        lambda: resample(x, rate),
    ):
        try:
            out = call()
        except ERRORS:
            continue
        assert out.dtype == np.float32 and np.isfinite(out).all()


WORDS = st.lists(st.sampled_from(["one", "two", "oh", "", " ", "x y"]), max_size=4)


@FUZZ
@given(hyps=WORDS, refs=WORDS)
def test_error_rates_keep_their_promise(hyps: list[str], refs: list[str]) -> None:
    for rate in (wer, cer):
        try:
            value = rate(hyps, refs)
        except ValueError:
            assert len(hyps) != len(refs) or all(not r.split() for r in refs)
            continue
        assert value >= 0
        same = [h.split() for h in hyps] == [r.split() for r in refs]
        assert (value == 0) == same or rate is cer


try:
    import espeakng_loader  # noqa: F401

    HAVE_ESPEAK = True
except ModuleNotFoundError:  # pragma: no cover
    HAVE_ESPEAK = False


@pytest.mark.skipif(not HAVE_ESPEAK, reason="espeakng-loader (extra 'speech') is not installed")
@FUZZ
@given(
    text=st.one_of(st.text(max_size=12), WILD),
    voice=st.one_of(st.sampled_from(["en-us+m1", "en+f2", "en", "zz+zz", "", "en+\x00"]), WILD),
    rate=st.one_of(st.integers(0, 600), WILD),
    pitch=st.one_of(st.integers(-5, 120), WILD),
)
def test_synthesize_keeps_its_promise(text: Any, voice: Any, rate: Any, pitch: Any) -> None:
    from neuroattn.apps.speech import synthesize

    try:
        out = synthesize(text, voice=voice, rate=rate, pitch=pitch)
    except ERRORS:
        return
    assert out.dtype == np.int16 and out.ndim == 1


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny trained run (two steps) on a hand-made folder of tones: enough to transcribe."""
    from scipy.io import wavfile

    from neuroattn.apps.speech import train

    folder = tmp_path_factory.mktemp("tones")
    lines = []
    for i in range(4):
        t = np.arange(4000) / 16000
        wavfile.write(folder / f"t{i}.wav", 16000, (0.3 * np.sin(2 * np.pi * 300 * (i + 1) * t)
                                                   * 32767).astype(np.int16))  # fmt: skip
        lines.append(f"t{i}.wav\ttone {'ab'[i % 2]}")
    (folder / "transcripts.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    cfg = SpeechConfig(task=str(folder), hidden_dim=8, embed_dim=4, pyramid=1, max_steps=2,
                       eval_every=1, batch_size=2, threads=1, dev_size=1, test_size=1)  # fmt: skip
    out = tmp_path_factory.mktemp("run")
    train(cfg, run_dir=out, log=lambda line: None)
    return out


@FUZZ
@given(raw=st.one_of(st.binary(max_size=64), st.sampled_from([b"RIFF\x24\x00\x00\x00WAVEfmt "])),
       rate=st.sampled_from([8000, 16000, 22050, 44100]), n=st.integers(0, 3000),
       kind=st.sampled_from(["raw", "wav"]))  # fmt: skip
def test_transcribe_cli_keeps_its_promise(
    raw: bytes, rate: int, n: int, kind: str, run_dir: Path, tmp_path_factory
) -> None:
    from scipy.io import wavfile

    from neuroattn import cli

    folder = tmp_path_factory.mktemp("wav")
    wav, plot = folder / "in.wav", folder / "p.png"
    if kind == "raw":
        wav.write_bytes(raw)
    else:
        data = np.frombuffer(raw.ljust(2 * n, b"\x01")[: 2 * n], dtype=np.int16)
        wavfile.write(wav, rate, data)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["speech", "transcribe", str(run_dir), str(wav), "--plot", str(plot)])
    lines = [ln for ln in err.getvalue().splitlines() if ln.strip()]
    if code == 0:
        assert len(out.getvalue().splitlines()) == 1 and plot.is_file()
    else:
        assert code == 2 and out.getvalue() == "" and not plot.exists()
        assert len(lines) == 1 and lines[0].startswith("error:")
