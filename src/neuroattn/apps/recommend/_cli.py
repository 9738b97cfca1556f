"""``neuroattn recommend``: the command-line side of the recommendation application.

``_cli_recommend.py`` declares the commands ``train`` and ``evaluate``; this module does
the work and hands back plain summaries to print. It settles the run's settings (a TOML
file, else the run directory's own ``config.toml`` when it resumes, else the defaults;
then ``--model``), checks everything that can be checked before anything is written (the
settings, the data, a resumed run's checkpoint), and only then writes ``config.toml`` and
trains. Checkpoints are written atomically by the shared trainer, so Ctrl-C (or a kill)
leaves the last complete one and the same command resumes from it.

Files in a run directory: ``config.toml`` (the settings, a CSV as an absolute path),
``last.pt`` (resumable state), ``best.pt`` (the best dev weights) and ``train.json`` (the
run's summary and dev history, written when training ends).
"""

from __future__ import annotations

import dataclasses
import functools
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..._atomic import save_png
from .._checkpoint import checkpoint_path, read_checkpoint
from .._rundir import (
    CONFIG,
    SUMMARY,
    check_resumable,
    check_run_dir,
    finish,
    settings,
    summary,
    train_into,
)
from ._config import EXAMPLE_TOML, GENERATED, RecommendConfig, load_config
from ._data import Splits
from ._plot import plot_history_attention
from ._train import FORMAT, RESUMABLE, config_of, load_data, load_recommender, scores, to_batch
from ._train import train as train_model

__all__ = ["CONFIG", "SUMMARY", "example", "run_evaluate", "run_train", "train_config"]

Report = Callable[[str], None]


def example() -> str:
    """The commented TOML config with every default."""
    return EXAMPLE_TOML


def train_config(
    run_dir: Path, *, config: Path | None = None, model: str | None = None
) -> RecommendConfig:
    """The settings of ``train``: ``config`` (else ``run_dir/config.toml`` of an earlier
    run, else the defaults), with ``model`` in place of its model when given; a CSV path
    made absolute (so a resumed run or ``evaluate`` finds it)."""
    base = settings(run_dir, config, load_config, RecommendConfig)
    if model is not None:
        base = dataclasses.replace(base, model=model)
    if base.data != GENERATED:
        base = dataclasses.replace(base, data=str(Path(base.data).expanduser().resolve()))
    return base


def run_train(
    run_dir: Path, config: RecommendConfig, *, progress: bool = True, report: Report = print
) -> dict[str, Any]:
    """Train ``config`` into ``run_dir`` (resuming a run there); return a summary.

    Everything is checked before the directory is touched; ``report`` receives the log
    lines (thread count, each evaluation, the end). On Ctrl-C it says from which step the
    same command resumes, then lets the interrupt go on.
    """
    check_run_dir(run_dir)
    splits = load_data(config)
    read = functools.partial(read_checkpoint, fmt=FORMAT)
    resumed = check_resumable(
        run_dir, config, read=read, saved_config=config_of, resumable=RESUMABLE
    )

    def timed(bar: Any, say: Callable[[str], None]) -> tuple[Any, float]:
        say(f"model {config.model}; {_describe(splits)}")
        began = time.monotonic()
        done = train_model(config, splits=splits, run_dir=run_dir, progress=bar, log=say)
        return done, time.monotonic() - began  # this call's seconds, evaluations included

    result, elapsed = train_into(
        run_dir, config, timed, progress=progress, report=report, read=read
    )
    head = {
        "data": config.data,
        "model": config.model,
    }
    tail = {
        "threads": config.threads or torch.get_num_threads(),
        "examples_per_second": round(result.examples / max(elapsed, 1e-9), 1),
    }
    return finish(run_dir, summary(head, result, score="auc", resumed=resumed, tail=tail))


def _describe(splits: Splits) -> str:
    users = [len(np.unique(p.user)) for p in (splits.train, splits.dev, splits.test)]
    return (
        f"{splits.n_items - 1} items in {splits.n_categories - 1} categories; examples "
        f"train/dev/test {'/'.join(map(str, splits.sizes()))} of {'/'.join(map(str, users))} "
        "users"
    )


def run_evaluate(
    run_dir: Path, *, split: str = "test", plot: Path | None = None, example: int = -1
) -> dict[str, Any]:
    """AUC and GAUC of the run's best model on its ``split`` (regenerated from the saved
    settings, or re-read from the CSV); with ``plot``, a PNG of the attention weights over
    one example's history (``example``: its index in the split; -1 the first click with
    the longest history), written only when everything else succeeded."""
    if split not in ("test", "dev"):
        raise ValueError(f"split must be one of 'test', 'dev', got {split!r}")
    file = checkpoint_path(run_dir)
    model, config = load_recommender(file)
    splits = load_data(config)
    if (splits.n_items, splits.n_categories) != (
        model.item_embedding.num_embeddings,
        model.category_embedding.num_embeddings,
    ):
        raise ValueError(f"{file}: the data no longer give the catalogue the model was trained on")
    examples = splits.test if split == "test" else splits.dev
    if not -1 <= example < len(examples):
        raise ValueError(f"example must be -1 or an index below {len(examples)}, got {example}")
    info: dict[str, Any] = {
        "checkpoint": str(file),
        "data": config.data,
        "model": config.model,
        "split": split,
        "examples": len(examples),
        "scores": scores(model, examples),
    }
    if plot is not None:
        info["example"] = _save_plot(model, splits, examples, example, plot)
        info["plot"] = str(plot)
    return info


def _save_plot(model: Any, splits: Splits, examples: Any, index: int, path: Path) -> int:
    if index < 0:
        clicked = np.flatnonzero(examples.label == 1)
        pool = clicked if clicked.size else np.arange(len(examples))
        index = int(pool[np.argmax(examples.length[pool])])
    with torch.no_grad():
        weights = model.attention(to_batch(examples, np.array([index])))[0]  # (T,)
    n = int(examples.length[index])
    hist = examples.history[index, :n]
    cats = examples.history_category[index, :n]
    fig = plot_history_attention(
        weights[:n].numpy(),
        [splits.item_names[i] for i in hist],
        highlight=cats == examples.category[index],
        candidate=f"{splits.item_names[examples.item[index]]} "
        f"({splits.category_names[examples.category[index]]}, "
        f"{'clicked' if examples.label[index] == 1 else 'not clicked'})",
    )
    save_png(fig, path, dpi=110)
    return index
