"""``neuroattn speech``: train / evaluate / transcribe end to end on a tiny config, a user's
folder, and bad input in one line with exit code 2 and nothing half-written."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import numpy as np
import pytest
from scipy.io import wavfile
from scipy.signal import resample_poly

from neuroattn import cli
from neuroattn.apps.speech import Corpus, SpeechConfig

from .conftest import TINY_FIELDS, needs_espeak

pytestmark = needs_espeak


def run(*argv: str) -> tuple[int, str, list[str]]:
    """Exit code, stdout, and the non-blank stderr lines of ``neuroattn ARGV``."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(argv))
    return code, out.getvalue(), [ln for ln in err.getvalue().splitlines() if ln.strip()]


@pytest.fixture(scope="module")
def tiny_toml(tmp_path_factory: pytest.TempPathFactory, tiny_config: SpeechConfig) -> Path:
    path = tmp_path_factory.mktemp("cfg") / "tiny.toml"
    fields = {**TINY_FIELDS, "cache_dir": tiny_config.cache_dir}
    path.write_text(
        "".join(f"{k} = {json.dumps(v)}\n" for k, v in fields.items()), encoding="utf-8"
    )
    return path


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory, tiny_toml: Path) -> Path:
    out = tmp_path_factory.mktemp("runs") / "digits"
    code, stdout, err = run("speech", "train", "--task", "digits", "-c", str(tiny_toml),
                            "-o", str(out), "-q")  # fmt: skip
    assert code == 0, err
    assert "wrote" in stdout and (out / "best.pt").is_file()
    return out


def _wav(path: Path, audio: np.ndarray, rate: int = 16000) -> Path:
    if rate != 16000:
        audio = resample_poly(audio, rate, 16000)
    wavfile.write(path, rate, (np.clip(audio, -1, 1) * 32767).astype(np.int16))
    return path


def test_train_evaluate_transcribe(run_dir: Path, tiny_corpus: Corpus, tmp_path: Path) -> None:
    summary = json.loads((run_dir / "train.json").read_text())
    assert summary["step"] == 4 and summary["model"] == "las"
    assert (run_dir / "config.toml").is_file()
    code, out, err = run("speech", "evaluate", str(run_dir), "--show", "1")
    assert code == 0, err
    assert "WER" in out and "CER" in out and "at 20.0 dB" in out
    wav = _wav(tmp_path / "x.wav", tiny_corpus.test[0].audio, rate=22050)
    plot = tmp_path / "align.png"
    code, out, err = run("speech", "transcribe", str(run_dir), str(wav), "--plot", str(plot))
    assert code == 0, err
    assert len(out.splitlines()) == 1
    assert any("resampled from 22050 Hz" in line for line in err)
    assert plot.read_bytes()[:4] == b"\x89PNG"


def test_example_config_reads_back(tmp_path: Path) -> None:
    code, out, _ = run("speech", "train", "--example")
    assert code == 0
    path = tmp_path / "example.toml"
    path.write_text(out, encoding="utf-8")
    from neuroattn.apps.speech import load_config

    assert load_config(path) == SpeechConfig()


def _folder(tmp_path: Path, corpus: Corpus, lines: list[str]) -> Path:
    folder = tmp_path / "mine"
    folder.mkdir()
    for i, u in enumerate(corpus.train[:6]):
        _wav(folder / f"u{i}.wav", u.audio)
    (folder / "transcripts.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_a_users_folder_trains(tiny_corpus: Corpus, tiny_toml: Path, tmp_path: Path) -> None:
    lines = ["file\ttext"] + [f"u{i}.wav\t{u.text}" for i, u in enumerate(tiny_corpus.train[:6])]
    folder = _folder(tmp_path, tiny_corpus, lines)
    out = tmp_path / "run"
    code, _, err = run("speech", "train", "--task", str(folder), "-c", str(tiny_toml),
                       "-o", str(out), "-q")  # fmt: skip
    assert code == 0, err
    assert (out / "best.pt").is_file()


def test_bad_transcripts_name_the_line(
    tiny_corpus: Corpus, tiny_toml: Path, tmp_path: Path
) -> None:
    lines = [f"u{i}.wav\t{u.text}" for i, u in enumerate(tiny_corpus.train[:6])]
    odd = int(np.random.default_rng(0).permutation(6)[0])  # the seeded split's dev recording
    lines[odd] = f"u{odd}.wav\tnine ñ 9"  # characters that no training transcript has
    folder = _folder(tmp_path, tiny_corpus, lines)
    out = tmp_path / "run"
    code, _, err = run("speech", "train", "--task", str(folder), "-c", str(tiny_toml),
                       "-o", str(out), "-q")  # fmt: skip
    assert code == 2 and len(err) == 1, err
    assert f"line {odd + 1}" in err[0] and "'ñ'" in err[0] and "'9'" in err[0]
    assert not out.exists()
    (folder / "transcripts.tsv").write_text("u0.wav one two\n", encoding="utf-8")
    code, _, err = run("speech", "train", "--task", str(folder), "-o", str(out), "-q")
    assert code == 2 and "line 1" in err[0] and not out.exists()


@pytest.mark.parametrize("kind", ["garbage", "silent", "missing"])
def test_bad_wavs_are_one_line(run_dir: Path, tmp_path: Path, kind: str) -> None:
    wav = tmp_path / "bad.wav"
    if kind == "garbage":
        wav.write_bytes(b"RIFF....WAVEjunk")
    elif kind == "silent":
        wavfile.write(wav, 16000, np.zeros(8000, np.int16))
    code, out, err = run("speech", "transcribe", str(run_dir), str(wav), "--plot",
                         str(tmp_path / "p.png"))  # fmt: skip
    assert code == 2 and out == "" and len(err) == 1 and err[0].startswith("error:")
    assert not (tmp_path / "p.png").exists()


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["speech", "train", "--task", "letters", "-o", "{tmp}/r"], "task must be"),
        (["speech", "train", "--task", "digits"], "-o RUN_DIR"),
        (["speech", "evaluate", "{tmp}/none"], "no such checkpoint"),
        (["speech", "evaluate", "{run}", "--split", "train"], "split must be"),
        (["speech", "transcribe", "{run}", "{tmp}/none.wav"], "no such WAV"),
    ],
)
def test_bad_arguments_are_one_line(
    run_dir: Path, tmp_path: Path, argv: list[str], match: str
) -> None:
    args = [a.format(tmp=tmp_path, run=run_dir) for a in argv]
    code, _, err = run(*args)
    assert code == 2 and len(err) == 1 and match in err[0]
    assert not (tmp_path / "r").exists()


def test_the_same_command_resumes(run_dir: Path) -> None:
    code, _, err = run("speech", "train", "-o", str(run_dir), "-q")  # settings from config.toml
    assert code == 0, err
    summary = json.loads((run_dir / "train.json").read_text())
    assert summary["resumed_from"] == 4 and summary["step"] == 4
    other = run_dir.parent / "other.toml"
    other.write_text(
        (run_dir / "config.toml").read_text().replace("hidden_dim = 16", "hidden_dim = 24")
    )
    code, _, err = run("speech", "train", "-c", str(other), "-o", str(run_dir), "-q")
    assert code == 2 and len(err) == 1 and "hidden_dim = 16" in err[0]
