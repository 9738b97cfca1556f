"""``neuroattn translate``: the command-line side of the translation application.

``cli.py`` declares the commands ``train``, ``evaluate`` and ``predict``; this module does
the work and hands back plain summaries to print. It adds nothing to the library's
numerics: it settles the run's settings (a TOML file, the run directory's own
``config.toml`` when it resumes, then ``--task`` and ``--model``), checks everything that
can be checked before anything is written (the settings, the data, the vocabulary of the
held-out sources, a resumed run's checkpoint), and only then writes ``config.toml`` and
trains. Checkpoints are written atomically by the library, so Ctrl-C (or a kill) leaves
the last complete one and the same command resumes from it.

Files in a run directory: ``config.toml`` (the settings, a TSV task as an absolute path),
``last.pt`` (resumable state), ``best.pt`` (the best dev weights) and ``train.json`` (the
run's summary and dev history, written when training ends).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .._rundir import (
    CONFIG,
    StderrBar,
    check_resumable,
    check_run_dir,
    finish,
    settings,
    shorten,
    summary,
    train_into,
)
from ._checkpoint import checkpoint_path, read_checkpoint, translator_from_payload
from ._config import EXAMPLE_TOML, TranslateConfig, load_config
from ._data import TASKS, Splits, load_task
from ._metrics import score
from ._train import RESUMABLE, train
from ._vocab import Vocab

__all__ = [
    "CONFIG",
    "StderrBar",
    "example",
    "run_evaluate",
    "run_predict",
    "run_train",
    "shorten",
    "train_config",
]

Report = Callable[[str], None]


def example() -> str:
    """The commented TOML config with every default."""
    return EXAMPLE_TOML


def _task_value(task: str) -> str:
    """A task name as is; a file path made absolute (so a resumed run finds it)."""
    if task in TASKS:
        return task
    path = Path(task).expanduser()
    if path.exists() or path.suffix.lower() in (".tsv", ".txt"):
        return str(path.resolve())
    return task


def train_config(
    run_dir: Path,
    *,
    config: Path | None = None,
    task: str | None = None,
    model: str | None = None,
) -> TranslateConfig:
    """The settings of ``train``: ``config`` (else ``run_dir/config.toml`` of an earlier run,
    else the defaults), with ``task`` and ``model`` in place of theirs when given."""
    base = settings(run_dir, config, load_config, TranslateConfig)
    changes: dict[str, Any] = {}
    if task is not None:
        if not task.strip():
            raise ValueError("task must be a task name or a TSV path, got ''")
        changes["task"] = task
    if model is not None:
        changes["model"] = model
    cfg = dataclasses.replace(base, **changes)
    return dataclasses.replace(cfg, task=_task_value(cfg.task))


def _check_coverage(splits: Splits) -> None:
    """Every dev and test source must be writable in the training vocabulary."""
    vocab = Vocab.build(p.source for p in splits.train)
    for name, pairs in (("dev", splits.dev), ("test", splits.test)):
        missing = list(dict.fromkeys(c for p in pairs for c in vocab.missing(p.source)))
        if missing:
            shown = ", ".join(repr(c) for c in missing[:10])
            raise ValueError(
                f"the {name} sources have characters that no training source has: {shown}; "
                "add training pairs that use them (or more pairs)"
            )


def _saved_config(data: dict[str, Any], where: Path) -> TranslateConfig:
    return translator_from_payload(data, str(where)).config


def run_train(
    run_dir: Path,
    config: TranslateConfig,
    *,
    progress: bool = True,
    report: Report = print,
) -> dict[str, Any]:
    """Train ``config`` into ``run_dir`` (resuming a run there); return a summary.

    Everything is checked before the directory is touched; ``report`` receives the
    library's log lines (thread count, each evaluation, the end). On Ctrl-C it says from
    which step the same command resumes, then lets the interrupt go on.
    """
    check_run_dir(run_dir)
    splits = load_task(config.task, seed=config.seed, sizes=config.sizes)
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
        read=read_checkpoint,
    )
    head = {
        "task": config.task,
        "model": config.model,
        "attention": config.attention,
    }
    return finish(run_dir, summary(head, result, score="exact_match", resumed=resumed))


def run_evaluate(
    run_dir: Path, *, split: str = "test", beam: int | None = None, show: int = 5
) -> dict[str, Any]:
    """Scores of the run's best model on its task's ``split`` (regenerated from the saved
    seed and sizes, or re-read from the TSV), and up to ``show`` wrong translations."""
    if split not in ("test", "dev"):
        raise ValueError(f"split must be one of 'test', 'dev', got {split!r}")
    file = checkpoint_path(run_dir)
    translator = translator_from_payload(read_checkpoint(file), str(file))
    config = translator.config
    splits = load_task(config.task, seed=config.seed, sizes=config.sizes)
    pairs = splits.test if split == "test" else splits.dev
    hyps = translator.translate([p.source for p in pairs], beam=beam)
    scores = score(hyps, [p.target for p in pairs])
    wrong = [(p.source, h, p.target) for p, h in zip(pairs, hyps, strict=True) if h != p.target]
    return {
        "checkpoint": str(file),
        "task": config.task,
        "model": config.model,
        "split": split,
        "beam": config.beam if beam is None else beam,
        "scores": scores,
        "wrong": len(wrong),
        "examples": wrong[: max(0, show)],
    }


def run_predict(
    run_dir: Path, texts: Sequence[str], *, beam: int | None = None, plot: Path | None = None
) -> dict[str, Any]:
    """Translations of ``texts`` by the run's best model; with ``plot``, their attention
    alignments as one PNG (written only when every text translated)."""
    from ._checkpoint import load_translator

    if not texts:
        raise ValueError("give at least one text to translate")
    translator = load_translator(run_dir)
    translations = translator.translate(list(texts), beam=beam)
    if plot is not None:
        import matplotlib

        matplotlib.use("Agg")
        from ._plot import save_alignments

        save_alignments(translator, list(texts), plot, beam=beam)
    return {"translations": translations, "plot": plot, "checkpoint": str(checkpoint_path(run_dir))}
