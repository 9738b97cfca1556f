"""Training a translation model: the translation :class:`~neuroattn.apps._trainer.Job`.

The loop, budget, early stopping, checkpoints and resume are the shared trainer's
(:func:`neuroattn.apps._trainer.fit`: AdamW, linear warm-up, gradient clipping, dev
evaluation every ``eval_every`` steps, patience). This module says what is particular to
translation: character vocabularies built from the training pairs, batches of similar
length (a function of (seed, step), so a resumed run takes the same steps), the loss —
the mean cross-entropy of the next character under teacher forcing, padding ignored —
and the dev scores (greedy exact match and chrF).
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch.nn.functional as F
from torch import Tensor

from ...dynamics.progress import ProgressArg
from .. import _configio
from .._schedule_fields import RESUMABLE_FIELDS
from .._trainer import Schedule, TrainingBar, fit
from ._base import Seq2Seq
from ._checkpoint import FORMAT, VERSION, translator_from_payload
from ._config import TranslateConfig
from ._data import Pair, Splits, load_task
from ._metrics import Scores
from ._models import model_from_config
from ._translator import Translator, pad_ids
from ._vocab import BOS, Vocab

__all__ = [
    "TrainResult",
    "TrainingBar",
    "epoch_batches",
    "evaluate",
    "step_loss",
    "train",
]

# settings that may change when a run resumes: they do not alter the steps taken
RESUMABLE = (*RESUMABLE_FIELDS, "beam", "max_len")
BLOCK = 32  # batches sorted by length together (less padding), then shuffled


@dataclass(frozen=True)
class TrainResult:
    """What :func:`train` returns.

    Attributes
    ----------
    translator : Translator
        The model with the best dev exact match (the last weights if never evaluated).
    splits : Splits
    step : int
        Steps taken in total (a resumed run counts the earlier ones).
    seconds : float
        Wall-clock seconds of training in total, across resumes.
    best_dev : float
        Best dev exact match (%), or NaN.
    stopped : str
        ``"max_steps"``, ``"patience"`` or ``"max_seconds"``.
    history : tuple of dict
        One entry per evaluation: step, seconds, loss, dev exact match and chrF.
    resumed_from : int
        The step the run resumed from (0 for a fresh run).
    target_tokens : int
        Target tokens (without padding) trained on in this call (not across resumes).
    """

    translator: Translator
    splits: Splits
    step: int
    seconds: float
    best_dev: float
    stopped: str
    history: tuple[dict[str, float], ...]
    resumed_from: int = 0
    target_tokens: int = 0


def epoch_batches(
    lengths: Sequence[int], batch_size: int, seed: int, epoch: int
) -> list[np.ndarray]:
    """The batches (index arrays) of one epoch: shuffled, sorted by length within blocks of
    :data:`BLOCK` batches, then the batch order shuffled; a function of (seed, epoch)."""
    rng = np.random.default_rng([seed, epoch])
    order = rng.permutation(len(lengths))
    lengths_arr = np.asarray(lengths)
    span = batch_size * BLOCK
    batches: list[np.ndarray] = []
    for start in range(0, len(order), span):
        block = order[start : start + span]
        block = block[np.argsort(lengths_arr[block], kind="stable")]
        batches.extend(block[i : i + batch_size] for i in range(0, len(block), batch_size))
    return [batches[i] for i in rng.permutation(len(batches))]


def _tensors(pairs: Sequence[tuple[list[int], list[int]]]) -> tuple[Tensor, Tensor, Tensor]:
    """src (B, S), tgt_in (B, T) starting with <bos>, tgt_out (B, T) ending with <eos>."""
    src = pad_ids([s for s, _ in pairs])  # (B, S)
    tgt = pad_ids([[BOS, *t] for _, t in pairs])  # (B, T + 1)
    return src, tgt[:, :-1], tgt[:, 1:]


def step_loss(model: Seq2Seq, src: Tensor, tgt_in: Tensor, tgt_out: Tensor) -> Tensor:
    """The mean cross-entropy of tgt_out (B, T) under teacher forcing, padding ignored."""
    logits = model(src, tgt_in)  # (B, T, V)
    return F.cross_entropy(
        logits.reshape(-1, logits.shape[-1]), tgt_out.reshape(-1), ignore_index=0
    )  # ()


def evaluate(translator: Translator, pairs: Sequence[Pair], *, beam: int | None = None) -> Scores:
    """Exact match, chrF and BLEU of ``translator`` on ``pairs`` (see :class:`Translator`)."""
    return translator.evaluate(pairs, beam=beam)


def _check_resume(saved: TranslateConfig, config: TranslateConfig, where: Path) -> None:
    _configio.check_same_settings(saved, config, where, resumable=RESUMABLE)


class TranslationJob:
    """A translation model, its batches, its loss and its dev scores (a trainer ``Job``)."""

    def __init__(self, config: TranslateConfig, splits: Splits) -> None:
        self.config, self.splits = config, splits
        train = splits.train
        self.src_vocab = Vocab.build(p.source for p in train)
        self.tgt_vocab = Vocab.build(p.target for p in train)
        longest = max(len(p.target) for p in train)
        self.max_len = config.max_len or int(1.5 * longest) + 10
        self.data = [
            (self.src_vocab.encode(p.source), self.tgt_vocab.encode(p.target)) for p in train
        ]
        self.model = model_from_config(config, len(self.src_vocab), len(self.tgt_vocab))
        self.tokens = 0  # target tokens trained on (throughput)
        self._epoch, self._batches = -1, list[np.ndarray]()

    def translator(self) -> Translator:
        return Translator(self.model, self.src_vocab, self.tgt_vocab, self.config, self.max_len)

    def batch(self, step: int) -> tuple[Tensor, Tensor, Tensor]:
        cfg = self.config
        per_epoch = math.ceil(len(self.data) / cfg.batch_size)
        epoch, k = divmod(step, per_epoch)
        if self._epoch != epoch:
            lengths = [len(s) + len(t) for s, t in self.data]
            self._batches = epoch_batches(lengths, cfg.batch_size, cfg.seed, epoch)
            self._epoch = epoch
        return _tensors([self.data[i] for i in self._batches[k]])

    def loss(self, batch: tuple[Tensor, Tensor, Tensor]) -> Tensor:
        src, tgt_in, tgt_out = batch  # (B, S), (B, T), (B, T)
        self.tokens += int((tgt_out != 0).sum())
        return step_loss(self.model, src, tgt_in, tgt_out)

    def evaluate(self) -> dict[str, float]:
        scores = self.translator().evaluate(self.splits.dev, beam=1)
        return {"exact_match": scores.exact_match, "chrf": scores.chrf}

    def identity(self) -> dict[str, Any]:
        return {
            "config": self.config.to_dict(),
            "src_vocab": self.src_vocab.to_dict(),
            "tgt_vocab": self.tgt_vocab.to_dict(),
            "max_len": self.max_len,
        }

    def check_resume(self, saved: dict[str, Any], where: Path) -> None:
        _check_resume(translator_from_payload(saved, str(where)).config, self.config, where)
        if Vocab.from_dict(saved["src_vocab"]) != self.src_vocab:
            raise ValueError(f"{where}: the task's data no longer give the saved vocabulary")


def train(
    config: TranslateConfig,
    *,
    splits: Splits | None = None,
    run_dir: str | os.PathLike[str] | None = None,
    resume: bool = True,
    progress: ProgressArg = None,
    log: Callable[[str], None] | None = None,
) -> TrainResult:
    """Train the model of ``config`` on its task; checkpoints go to ``run_dir``.

    Parameters
    ----------
    config : TranslateConfig
    splits : Splits, optional
        The data; by default ``load_task(config.task, seed=config.seed, sizes=config.sizes)``.
    run_dir : path, optional
        Where ``last.pt`` and ``best.pt`` are written (atomically) at every evaluation.
        None keeps everything in memory.
    resume : bool
        Continue from ``run_dir/last.pt`` if it exists (the settings must match, except
        those in :data:`RESUMABLE`); False starts afresh and overwrites it.
    progress : bool, callable or ProgressMeter
        Progress over ``max_steps``; a meter with a ``describe(text)`` method (such as
        :class:`TrainingBar`) also shows the loss and the dev score.
    log : callable, optional
        Receives one line per event (threads, resume, each evaluation, the end); default
        the ``neuroattn.apps`` logger.

    Raises
    ------
    ValueError
        For bad data or a run directory whose checkpoint is damaged or from other settings.
    """
    if not isinstance(config, TranslateConfig):
        raise TypeError(f"config must be a TranslateConfig, got {type(config).__name__}")
    splits = (
        load_task(config.task, seed=config.seed, sizes=config.sizes) if splits is None else splits
    )
    if not isinstance(splits, Splits) or not splits.train or not splits.dev:
        raise ValueError("splits must be a Splits with train and dev pairs")
    say = log if log is not None else logging.getLogger("neuroattn.apps.translate").info
    say(f"model {config.model} ({config.attention})")
    done = fit(
        lambda: TranslationJob(config, splits),
        Schedule.from_config(config, score="exact_match"),
        fmt=FORMAT,
        version=VERSION,
        run_dir=run_dir,
        resume=resume,
        progress=progress,
        log=say,
    )
    return TrainResult(
        done.job.translator(),
        splits,
        done.step,
        done.seconds,
        done.best,
        done.stopped,
        done.history,
        done.resumed_from,
        done.job.tokens,
    )
