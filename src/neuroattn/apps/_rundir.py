"""What every application's command side does with a run directory.

A run directory holds ``config.toml`` (the settings), ``last.pt`` and ``best.pt`` (the
checkpoints of :mod:`neuroattn.apps._checkpoint`) and ``train.json`` (the run's summary).
Each application's ``_cli.py`` settles its settings, then asks here whether the directory
can be resumed with them (:func:`check_resumable`), writes its text files atomically
(:func:`write_files`), shows the training bar on stderr (:class:`StderrBar`) and, on
Ctrl-C, says from which step the same command resumes (:func:`last_step`). Nothing here is
published; it is the house's run-directory pattern (``docs/architecture.md``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import Any, TypeVar

from .._atomic import staged_dir
from ._checkpoint import BEST, LAST
from ._trainer import TrainingBar

__all__ = [
    "CONFIG",
    "SUMMARY",
    "StderrBar",
    "check_resumable",
    "finish",
    "interrupted",
    "last_step",
    "settings",
    "shorten",
    "summary",
    "train_into",
    "write_files",
]

CONFIG = "config.toml"
SUMMARY = "train.json"
Report = Callable[[str], None]
ReadCheckpoint = Callable[[Path], dict[str, Any]]
_C = TypeVar("_C")
_R = TypeVar("_R")


class StderrBar(TrainingBar):
    """The training bar (loss and dev score in its text) on stderr; :meth:`log` prints a
    line above it while it runs."""

    def __init__(self, write: Report) -> None:
        super().__init__()
        self._write = write

    def start(self, description: str, total: float) -> None:
        from rich.console import Console
        from rich.progress import Progress

        self.total = float(total) if total > 0 else 1.0
        self._bar = Progress(console=Console(stderr=True), transient=True)
        self._task = self._bar.add_task(description, total=self.total)
        self._bar.start()

    def log(self, text: str) -> None:
        if self._bar is not None:
            self._bar.console.print(text, highlight=False, markup=False, soft_wrap=True)
        else:
            self._write(text)


def shorten(text: str, width: int = 60) -> str:
    """``repr(text)``, cut to about ``width`` characters with an ellipsis."""
    return repr(text if len(text) <= width else text[: width - 1] + "…")


def settings(
    run_dir: Path, config: Path | None, load: Callable[[Path], _C], default: Callable[[], _C]
) -> _C:
    """The settings a ``train`` command starts from: the file ``config`` when given, else
    ``run_dir/config.toml`` of an earlier run, else ``default()``."""
    saved = run_dir / CONFIG
    if config is not None:
        return load(config)
    if saved.is_file():
        return load(saved)
    return default()


def check_run_dir(run_dir: Path) -> None:
    """ValueError when ``run_dir`` exists and is not a directory (checked before any data is
    built, so a wrong path costs nothing)."""
    if run_dir.exists() and not run_dir.is_dir():
        raise ValueError(f"{run_dir}: exists and is not a directory")


def check_resumable(
    run_dir: Path,
    config: Any,
    *,
    read: ReadCheckpoint,
    saved_config: Callable[[dict[str, Any], Path], Any],
    resumable: Collection[str],
) -> int:
    """The step a run in ``run_dir`` resumes from (0: a fresh run).

    ``read`` reads one of the application's checkpoints, ``saved_config`` gives the config a
    payload was trained with; every field outside ``resumable`` must equal ``config``'s.

    Raises
    ------
    ValueError
        When ``last.pt`` or ``best.pt`` is damaged, or the run was trained with other settings.
    """
    last = run_dir / LAST
    if not last.is_file():
        return 0
    data = read(last)
    saved = saved_config(data, last)
    for name in saved.to_dict():
        if name not in resumable and getattr(saved, name) != getattr(config, name):
            raise ValueError(
                f"{run_dir}: the run there was trained with {name} = {getattr(saved, name)!r}, "
                f"not {getattr(config, name)!r}; resume with the same settings or use a new "
                "directory"
            )
    if (run_dir / BEST).is_file():
        read(run_dir / BEST)  # a damaged best.pt is refused before anything runs
    step = data.get("step")
    return int(step) if isinstance(step, int) else 0


def write_files(run_dir: Path, files: Mapping[str, str]) -> None:
    """Write each ``name: text`` of ``files`` into ``run_dir`` atomically (staged, renamed)."""
    with staged_dir(run_dir) as tmp:
        for name, text in files.items():
            (tmp / name).write_text(text, encoding="utf-8")


def last_step(run_dir: Path, read: ReadCheckpoint) -> int | None:
    """The step of ``run_dir/last.pt``; None when there is none or it cannot be read."""
    try:
        step = read(run_dir / LAST).get("step")
    except ValueError:
        return None
    return int(step) if isinstance(step, int) else None


def train_into(
    run_dir: Path,
    config: Any,
    train: Callable[[StderrBar | None, Report], _R],
    *,
    progress: bool,
    report: Report,
    read: ReadCheckpoint | None,
) -> _R:
    """Write ``config.toml`` (``config.to_toml()``) into ``run_dir``, then return
    ``train(bar, say)``: ``bar`` the stderr bar (None without ``progress``), ``say`` what
    prints a log line (above the bar). On Ctrl-C, ``report`` says from which step the same
    command resumes (the step of ``last.pt`` read with ``read``; with None, "the last
    checkpoint") and the interrupt goes on."""
    write_files(run_dir, {CONFIG: config.to_toml()})
    bar = StderrBar(report) if progress else None
    say = bar.log if bar is not None else report
    try:
        return train(bar, say)
    except KeyboardInterrupt:
        if read is None:
            report("interrupted; the same command resumes from the last checkpoint")
        else:
            report(interrupted(last_step(run_dir, read)))
        raise


def summary(
    head: Mapping[str, Any],
    result: Any,
    *,
    score: str,
    resumed: int,
    tail: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The summary ``train.json`` holds, in this order: ``head``, the run's ``step``,
    ``seconds`` (rounded to 0.01 s), ``stopped``, ``best_dev_<score>`` (None when never
    evaluated), ``resumed_from``, then ``tail`` and the dev ``history``, from an
    application's training ``result`` (with ``step``, ``seconds``, ``stopped``,
    ``best_dev`` and ``history``)."""
    return {
        **head,
        "step": result.step,
        "seconds": round(result.seconds, 2),
        "stopped": result.stopped,
        f"best_dev_{score}": None if math.isnan(result.best_dev) else result.best_dev,
        "resumed_from": resumed,
        **(tail or {}),
        "history": list(result.history),
    }


def finish(run_dir: Path, summary: Mapping[str, Any]) -> dict[str, Any]:
    """Write ``summary`` as ``run_dir/train.json``; return it with ``files``, the names of
    the files now in ``run_dir``."""
    write_files(run_dir, {SUMMARY: json.dumps(summary, indent=1) + "\n"})
    return {**summary, "files": sorted(p.name for p in run_dir.iterdir() if not p.is_dir())}


def interrupted(step: int | None) -> str:
    """The line printed on Ctrl-C: from which step the same command resumes."""
    where = f"step {step}" if step is not None else "the start (no checkpoint yet)"
    return f"interrupted; the same command resumes from {where}"
