"""Training a click model: the recommendation :class:`~neuroattn.apps._trainer.Job`.

The loop, budget, early stopping, checkpoints and resume are the shared trainer's
(:func:`neuroattn.apps._trainer.fit`: AdamW, warm-up, gradient clipping, a dev evaluation
every ``eval_every`` steps, patience). This module says what is particular to click
prediction: the data (generated or a CSV), batches of shuffled examples (a function of
(seed, step), so a resumed run takes the same steps), the loss -- the mean binary
cross-entropy of the click logits -- and the dev scores (AUC, which selects ``best.pt``,
and GAUC).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from ...dynamics.progress import ProgressArg
from .. import _configio
from .._checkpoint import checkpoint_path, damaged_contents, read_checkpoint
from .._schedule_fields import RESUMABLE_FIELDS
from .._trainer import Schedule, fit
from ._config import RecommendConfig
from ._csv import read_csv
from ._data import Examples, Splits, generate
from ._metrics import auc, gauc
from ._models import Batch, Recommender, build_model

__all__ = [
    "FORMAT",
    "RESUMABLE",
    "TrainResult",
    "load_data",
    "load_recommender",
    "model_from_config",
    "predict",
    "scores",
    "to_batch",
    "train",
]

FORMAT = "neuroattn-recommend"
# settings that may change when a run resumes: they do not alter the steps taken
RESUMABLE = RESUMABLE_FIELDS
EVAL_BATCH = 4096


def load_data(config: RecommendConfig) -> Splits:
    """The splits of ``config``: generated, or read from its CSV."""
    if config.generated:
        return generate(
            users=config.users,
            categories=config.categories,
            styles=config.styles,
            items_per_style=config.items_per_style,
            interests=config.interests,
            max_history=config.max_history,
            candidates=config.candidates,
            noise=config.noise,
            dev_fraction=config.dev_fraction,
            test_fraction=config.test_fraction,
            seed=config.seed,
        )
    return read_csv(
        config.data,
        max_history=config.max_history,
        dev_fraction=config.dev_fraction,
        test_fraction=config.test_fraction,
        seed=config.seed,
    )


def to_batch(examples: Examples, index: Any = slice(None)) -> Batch:
    """The examples at ``index`` as tensors, the history cut to its longest real length."""
    length = examples.length[index]  # (B,)
    longest = int(length.max(initial=0))
    return Batch(
        torch.from_numpy(examples.history[index, :longest]),  # (B, T)
        torch.from_numpy(examples.history_category[index, :longest]),  # (B, T)
        torch.from_numpy(length),  # (B,)
        torch.from_numpy(examples.item[index]),  # (B,)
        torch.from_numpy(examples.category[index]),  # (B,)
    )


def predict(model: Recommender, examples: Examples, *, batch_size: int = EVAL_BATCH) -> np.ndarray:
    """Click probabilities (N,) of ``model`` (put in eval mode) for ``examples``."""
    model.eval()
    out = []
    with torch.no_grad():
        for start in range(0, len(examples), batch_size):
            index = np.arange(start, min(start + batch_size, len(examples)))
            out.append(torch.sigmoid(model(to_batch(examples, index))).numpy())  # (b,)
    return np.concatenate(out) if out else np.zeros(0)


def scores(model: Recommender, examples: Examples) -> dict[str, float]:
    """AUC and GAUC of ``model`` on ``examples`` (NaN where one class is missing)."""
    p = predict(model, examples)
    both = bool(examples.label.min(initial=1) < examples.label.max(initial=0))
    return {
        "auc": auc(p, examples.label) if both else math.nan,
        "gauc": gauc(p, examples.label, examples.user),
    }


def model_from_config(config: RecommendConfig, n_items: int, n_categories: int) -> Recommender:
    """The model of ``config`` for a catalogue of this size."""
    return build_model(
        config.model,
        n_items,
        n_categories,
        embed_dim=config.embed_dim,
        hidden=(config.hidden1, config.hidden2),
        activation=config.activation,
    )


class RecommendJob:
    """A click model, its batches, its loss and its dev scores (a trainer ``Job``)."""

    def __init__(self, config: RecommendConfig, splits: Splits) -> None:
        self.config, self.splits = config, splits
        self.model = model_from_config(config, splits.n_items, splits.n_categories)
        self.examples = 0  # examples trained on in this call (throughput)
        self._epoch, self._order = -1, np.zeros(0, dtype=np.int64)

    def batch(self, step: int) -> tuple[Batch, Tensor]:
        train, size = self.splits.train, self.config.batch_size
        per_epoch = math.ceil(len(train) / size)
        epoch, k = divmod(step, per_epoch)
        if self._epoch != epoch:
            self._order = np.random.default_rng([self.config.seed, 2, epoch]).permutation(
                len(train)
            )
            self._epoch = epoch
        index = self._order[k * size : (k + 1) * size]  # (B,)
        return to_batch(train, index), torch.from_numpy(train.label[index])  # ..., (B,)

    def loss(self, batch: tuple[Batch, Tensor]) -> Tensor:
        inputs, labels = batch  # ..., (B,)
        self.examples += int(labels.shape[0])
        logits = self.model(inputs)  # (B,)
        return F.binary_cross_entropy_with_logits(logits, labels)  # ()

    def evaluate(self) -> dict[str, float]:
        return scores(self.model, self.splits.dev)

    def identity(self) -> dict[str, Any]:
        return {
            "config": self.config.to_dict(),
            "n_items": self.splits.n_items,
            "n_categories": self.splits.n_categories,
        }

    def check_resume(self, saved: dict[str, Any], where: Path) -> None:
        config = config_of(saved, where)
        _configio.check_same_settings(config, self.config, where, resumable=RESUMABLE)
        if (saved.get("n_items"), saved.get("n_categories")) != (
            self.splits.n_items,
            self.splits.n_categories,
        ):
            raise ValueError(f"{where}: the data no longer give the saved catalogue")


def config_of(payload: dict[str, Any], where: str | os.PathLike[str]) -> RecommendConfig:
    """The config stored in a checkpoint payload; ValueError if it is not a valid one."""
    try:
        return RecommendConfig(**payload["config"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{where}: damaged checkpoint contents ({exc})") from None


@dataclass(frozen=True)
class TrainResult:
    """What :func:`train` returns: the model with the best dev AUC, the data and the run.

    ``history`` has one entry per evaluation (step, seconds, loss, dev_auc, dev_gauc);
    ``examples`` counts the training examples of this call (not across resumes).
    """

    model: Recommender
    config: RecommendConfig
    splits: Splits
    step: int
    seconds: float
    best_dev: float
    stopped: str
    history: tuple[dict[str, float], ...]
    resumed_from: int = 0
    examples: int = 0


def train(
    config: RecommendConfig,
    *,
    splits: Splits | None = None,
    run_dir: str | os.PathLike[str] | None = None,
    resume: bool = True,
    progress: ProgressArg = None,
    log: Callable[[str], None] | None = None,
) -> TrainResult:
    """Train the model of ``config`` on its data; checkpoints go to ``run_dir``.

    Parameters
    ----------
    config : RecommendConfig
    splits : Splits, optional
        The data; by default :func:`load_data` of ``config``.
    run_dir : path, optional
        Where ``last.pt`` and ``best.pt`` are written (atomically) at every evaluation;
        None keeps everything in memory.
    resume : bool
        Continue from ``run_dir/last.pt`` if it exists (same settings, except those in
        :data:`RESUMABLE`); False starts afresh.
    progress : bool, callable or ProgressMeter
        Progress over ``max_steps`` (:class:`~neuroattn.apps._trainer.TrainingBar` shows
        the loss and the dev AUC).
    log : callable, optional
        One line per event (thread count, resume, evaluations, the end).

    Raises
    ------
    ValueError
        For bad data, or a run directory whose checkpoint is damaged or from other settings.
    """
    if not isinstance(config, RecommendConfig):
        raise TypeError(f"config must be a RecommendConfig, got {type(config).__name__}")
    splits = load_data(config) if splits is None else splits
    if not isinstance(splits, Splits) or not len(splits.train) or not len(splits.dev):
        raise ValueError("splits must be a Splits with train and dev examples")
    done = fit(
        lambda: RecommendJob(config, splits),
        Schedule.from_config(config, score="auc"),
        fmt=FORMAT,
        run_dir=run_dir,
        resume=resume,
        progress=progress,
        log=log,
    )
    job = done.job
    return TrainResult(
        job.model,
        config,
        splits,
        done.step,
        done.seconds,
        done.best,
        done.stopped,
        done.history,
        done.resumed_from,
        job.examples,
    )


def load_recommender(path: str | os.PathLike[str]) -> tuple[Recommender, RecommendConfig]:
    """The model of a run directory's ``best.pt`` (else ``last.pt``) or of a checkpoint file,
    in eval mode, and its config.

    Raises
    ------
    ValueError
        For a missing, corrupt or foreign checkpoint.
    """
    file = checkpoint_path(path)
    data = read_checkpoint(file, fmt=FORMAT)
    config = config_of(data, file)
    with damaged_contents(file):
        model = model_from_config(config, int(data["n_items"]), int(data["n_categories"]))
        model.load_state_dict(data["model"])
    model.eval()
    return model, config
