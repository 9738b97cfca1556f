"""``neuroattn speech``: the command-line side of the speech application.

``_cli_speech.py`` declares ``train``, ``evaluate`` and ``transcribe``; this module does
the work and hands back plain summaries. Everything that can be checked is checked before
anything is written (the settings, the data, the transcripts' characters, a resumed
run's checkpoint); then ``config.toml`` is written and training runs, with atomic
checkpoints (Ctrl-C leaves the last complete one; the same command resumes).

Files in a run directory: ``config.toml``, ``last.pt``, ``best.pt`` and ``train.json``.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .._rundir import (
    CONFIG,
    check_resumable,
    check_run_dir,
    finish,
    settings,
    shorten,
    summary,
    train_into,
)
from ..translate._vocab import Vocab
from ._audio import read_wav
from ._checkpoint import load_recognizer, read_checkpoint, recognizer_from_payload
from ._config import EXAMPLE_TOML, SpeechConfig, load_config
from ._corpus import TASKS
from ._data import SpeechSplits, load_splits
from ._train import RESUMABLE, train

__all__ = [
    "CONFIG",
    "example",
    "run_evaluate",
    "run_train",
    "run_transcribe",
    "shorten",
    "train_config",
]

Report = Callable[[str], None]


def example() -> str:
    """The commented TOML config with every default."""
    return EXAMPLE_TOML


def train_config(
    run_dir: Path, *, config: Path | None = None, task: str | None = None
) -> SpeechConfig:
    """``config`` (else ``run_dir/config.toml`` of an earlier run, else the defaults), with
    ``task`` in place of its own when given (a folder made absolute)."""
    base = settings(run_dir, config, load_config, SpeechConfig)
    if task is not None:
        if not task.strip():
            raise ValueError("task must be digits, commands or a folder, got ''")
        if task not in TASKS:
            folder = Path(task).expanduser()
            if not folder.is_dir():
                raise ValueError(f"task must be digits, commands or a folder, got {task!r}")
            task = str(folder.resolve())
        base = dataclasses.replace(base, task=task)
    return base


def _check_coverage(splits: SpeechSplits) -> None:
    """Every dev and test transcript must be writable in the training characters."""
    vocab = Vocab.build(s.text for s in splits.train)
    for name, samples in (("dev", splits.dev), ("test", splits.test)):
        for s in samples:
            missing = vocab.missing(s.text)
            if missing:
                where = f" ({s.origin})" if s.origin.startswith("transcripts") else ""
                raise ValueError(
                    f"a {name} transcript{where} has characters outside the training "
                    f"vocabulary: {', '.join(repr(c) for c in missing)} (in {shorten(s.text)})"
                )


def _saved_config(data: dict[str, Any], where: Path) -> SpeechConfig:
    return recognizer_from_payload(data, str(where)).config


def run_train(
    run_dir: Path, config: SpeechConfig, *, progress: bool = True, report: Report = print
) -> dict[str, Any]:
    """Train ``config`` into ``run_dir`` (resuming a run there); return a summary."""
    check_run_dir(run_dir)
    notes: list[str] = []
    splits = load_splits(config, notes=notes)
    for note in notes[:5]:
        report(note)
    _check_coverage(splits)
    resumed = check_resumable(
        run_dir, config, read=read_checkpoint, saved_config=_saved_config, resumable=RESUMABLE
    )
    result = train_into(
        run_dir,
        config,
        lambda bar, say: train(config, splits=splits, run_dir=run_dir, progress=bar, log=say),
        progress=progress,
        report=report,
        read=None,
    )
    head = {
        "task": config.task,
        "model": config.model,
        "encoder": config.encoder,
        "attention": config.attention,
    }
    return finish(run_dir, summary(head, result, score="word_accuracy", resumed=resumed))


def run_evaluate(
    run_dir: Path,
    *,
    split: str = "test",
    beam: int | None = None,
    snr: float | None = None,
    show: int = 5,
) -> dict[str, Any]:
    """WER, CER and exact share of the run's best model on its task's ``split`` (rebuilt
    from the saved settings; ``snr`` overrides the dev/test SNR) and wrong examples."""
    if split not in ("test", "dev"):
        raise ValueError(f"split must be one of 'test', 'dev', got {split!r}")
    recognizer = load_recognizer(run_dir)
    config = recognizer.config
    splits = load_splits(config, test_snr=snr, train=False)
    samples = splits.test if split == "test" else splits.dev
    hyps = recognizer.transcribe([s.audio for s in samples], beam=beam)
    from ._metrics import error_rates

    rates = error_rates(hyps, [s.text for s in samples])
    wrong = [(s.origin, h, s.text) for s, h in zip(samples, hyps, strict=True) if h != s.text]
    return {
        "task": config.task,
        "model": config.model,
        "split": split,
        "snr": config.test_snr if snr is None else snr,
        "beam": config.beam if beam is None else beam,
        "rates": rates,
        "wrong": len(wrong),
        "examples": wrong[: max(0, show)],
    }


def run_transcribe(
    run_dir: Path, wav: Path, *, beam: int | None = None, plot: Path | None = None
) -> dict[str, Any]:
    """The transcript of ``wav`` by the run's best model (notes say what was resampled);
    with ``plot``, the attention alignment over the spectrogram as a PNG."""
    recognizer = load_recognizer(run_dir)
    notes: list[str] = []
    audio = read_wav(wav, notes=notes)
    began = time.perf_counter()
    text = recognizer.transcribe(audio, beam=beam)
    seconds = time.perf_counter() - began
    if plot is not None:
        import matplotlib

        matplotlib.use("Agg")
        from ._plot import save_alignment

        save_alignment(recognizer.alignment(audio, beam=beam), plot)
    return {
        "text": text,
        "notes": notes,
        "plot": plot,
        "real_time_factor": (audio.size / 16000) / max(seconds, 1e-9),
    }
