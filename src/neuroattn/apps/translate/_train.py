"""Training: one step, one evaluation, one checkpoint at a time, resumable.

:func:`train` runs AdamW (Loshchilov & Hutter 2019) on the cross-entropy of the next
character under teacher forcing, with a linear warm-up over the first ``warmup`` steps
(ours), gradient-norm clipping, dev evaluation (greedy exact match) every ``eval_every``
steps and early stopping after ``patience`` evaluations without improvement. Everything
random (data, initial weights, dropout, batch order) follows ``config.seed``: the batches
of step k are a function of (seed, k), so a resumed run takes the same steps as one that
was never interrupted. The global torch random state and thread count are restored
afterwards.
"""

from __future__ import annotations

import logging
import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from ...dynamics.progress import ProgressArg, ProgressMeter, RichProgress, as_progress
from ._base import Seq2Seq
from ._checkpoint import BEST, LAST, read_checkpoint, translator_from_payload, write_checkpoint
from ._config import TranslateConfig
from ._data import Pair, Splits, load_task
from ._metrics import Scores
from ._models import model_from_config
from ._translator import Translator, pad_ids
from ._vocab import BOS, Vocab

__all__ = ["TrainResult", "TrainingBar", "epoch_batches", "evaluate", "train", "train_step"]

_LOG = logging.getLogger("neuroattn.apps.translate")
# settings that may change when a run resumes: they do not alter the steps taken
RESUMABLE = ("max_steps", "max_seconds", "patience", "eval_every", "threads", "beam", "max_len")
BLOCK = 32  # batches sorted by length together (less padding), then shuffled


class TrainingBar(RichProgress):
    """A rich progress bar whose text shows the loss and the dev score (:meth:`describe`)."""

    def describe(self, text: str) -> None:
        if self._bar is not None:
            self._bar.update(self._task, description=text)


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
    """

    translator: Translator
    splits: Splits
    step: int
    seconds: float
    best_dev: float
    stopped: str
    history: tuple[dict[str, float], ...]
    resumed_from: int = 0


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


def train_step(
    model: Seq2Seq,
    optimizer: torch.optim.Optimizer,
    src: Tensor,
    tgt_in: Tensor,
    tgt_out: Tensor,
    *,
    clip: float = 1.0,
) -> float:
    """One AdamW step on the mean cross-entropy of tgt_out (B, T), padding ignored; the loss."""
    model.train()
    logits = model(src, tgt_in)  # (B, T, V)
    loss = F.cross_entropy(
        logits.reshape(-1, logits.shape[-1]), tgt_out.reshape(-1), ignore_index=0
    )
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    if clip > 0:
        torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
    optimizer.step()
    return float(loss.detach())


def evaluate(translator: Translator, pairs: Sequence[Pair], *, beam: int | None = None) -> Scores:
    """Exact match, chrF and BLEU of ``translator`` on ``pairs`` (see :class:`Translator`)."""
    return translator.evaluate(pairs, beam=beam)


def _check_resume(saved: TranslateConfig, config: TranslateConfig, where: Path) -> None:
    for name in saved.to_dict():
        if name not in RESUMABLE and getattr(saved, name) != getattr(config, name):
            raise ValueError(
                f"{where}: the run was trained with {name} = {getattr(saved, name)!r}, not "
                f"{getattr(config, name)!r}; resume with the same settings or use a new directory"
            )


class _Run:
    """The mutable state of one training run (what ``last.pt`` saves)."""

    def __init__(self, config: TranslateConfig, splits: Splits, log: Callable[[str], None]):
        self.config, self.splits, self.log = config, splits, log
        train = splits.train
        self.src_vocab = Vocab.build(p.source for p in train)
        self.tgt_vocab = Vocab.build(p.target for p in train)
        longest = max(len(p.target) for p in train)
        self.max_len = config.max_len or int(1.5 * longest) + 10
        self.data = [
            (self.src_vocab.encode(p.source), self.tgt_vocab.encode(p.target)) for p in train
        ]
        self.model = model_from_config(config, len(self.src_vocab), len(self.tgt_vocab))
        self.optimizer = torch.optim.AdamW(
            self.model.parameters(), lr=config.lr, weight_decay=config.weight_decay
        )
        self.step, self.seconds, self.best, self.bad = 0, 0.0, -math.inf, 0
        self.history: list[dict[str, float]] = []
        self.best_state: dict[str, Tensor] | None = None
        self._epoch, self._batches = -1, list[np.ndarray]()

    def translator(self) -> Translator:
        return Translator(self.model, self.src_vocab, self.tgt_vocab, self.config, self.max_len)

    def payload(self, full: bool) -> dict[str, Any]:
        data: dict[str, Any] = {
            "config": self.config.to_dict(),
            "src_vocab": self.src_vocab.to_dict(),
            "tgt_vocab": self.tgt_vocab.to_dict(),
            "max_len": self.max_len,
            "model": self.model.state_dict(),
            "step": self.step,
            "dev_exact_match": self.best,
        }
        if full:
            data.update(
                optimizer=self.optimizer.state_dict(),
                seconds=self.seconds,
                bad_evals=self.bad,
                history=list(self.history),
                torch_rng=torch.get_rng_state(),
            )
        return data

    def restore(self, path: Path) -> None:
        data = read_checkpoint(path)
        _check_resume(translator_from_payload(data, str(path)).config, self.config, path)
        if Vocab.from_dict(data["src_vocab"]) != self.src_vocab:
            raise ValueError(f"{path}: the task's data no longer give the saved vocabulary")
        try:
            self.model.load_state_dict(data["model"])
            self.optimizer.load_state_dict(data["optimizer"])
            torch.set_rng_state(data["torch_rng"])
            self.step, self.seconds = int(data["step"]), float(data["seconds"])
            self.best, self.bad = float(data["dev_exact_match"]), int(data["bad_evals"])
            self.history = [dict(h) for h in data["history"]]
        except (KeyError, TypeError, ValueError, RuntimeError) as exc:
            raise ValueError(f"{path}: damaged checkpoint contents ({exc})") from None
        best = path.with_name(BEST)
        if best.is_file():
            self.best_state = read_checkpoint(best)["model"]
        self.log(f"resumed from {path} at step {self.step} ({self.seconds:.0f} s trained)")

    def batch(self, step: int) -> tuple[Tensor, Tensor, Tensor]:
        cfg = self.config
        per_epoch = math.ceil(len(self.data) / cfg.batch_size)
        epoch, k = divmod(step, per_epoch)
        if self._epoch != epoch:
            lengths = [len(s) + len(t) for s, t in self.data]
            self._batches = epoch_batches(lengths, cfg.batch_size, cfg.seed, epoch)
            self._epoch = epoch
        return _tensors([self.data[i] for i in self._batches[k]])

    def evaluate_dev(self, loss: float, run_dir: Path | None) -> Scores:
        scores = self.translator().evaluate(self.splits.dev, beam=1)
        self.history.append(
            {
                "step": self.step,
                "seconds": round(self.seconds, 2),
                "loss": loss,
                "dev_exact_match": scores.exact_match,
                "dev_chrf": scores.chrf,
            }
        )
        if scores.exact_match > self.best:
            self.best, self.bad = scores.exact_match, 0
            self.best_state = {k: v.detach().clone() for k, v in self.model.state_dict().items()}
            if run_dir is not None:
                write_checkpoint(run_dir, BEST, self.payload(full=False))
        else:
            self.bad += 1
        if run_dir is not None:
            write_checkpoint(run_dir, LAST, self.payload(full=True))
        return scores


def _describe(meter: ProgressMeter, text: str) -> None:
    describe = getattr(meter, "describe", None)
    if callable(describe):
        describe(text)


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
        the ``neuroattn.apps.translate`` logger.

    Raises
    ------
    ValueError
        For bad data or a run directory whose checkpoint is damaged or from other settings.
    """
    if not isinstance(config, TranslateConfig):
        raise TypeError(f"config must be a TranslateConfig, got {type(config).__name__}")
    say = log if log is not None else _LOG.info
    splits = (
        load_task(config.task, seed=config.seed, sizes=config.sizes) if splits is None else splits
    )
    if not isinstance(splits, Splits) or not splits.train or not splits.dev:
        raise ValueError("splits must be a Splits with train and dev pairs")
    threads = torch.get_num_threads()
    try:
        if config.threads:
            torch.set_num_threads(config.threads)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(config.seed)
            return _loop(config, splits, run_dir, resume, as_progress(progress), say)
    finally:
        torch.set_num_threads(threads)


def _loop(
    config: TranslateConfig,
    splits: Splits,
    run_dir: str | os.PathLike[str] | None,
    resume: bool,
    meter: ProgressMeter,
    say: Callable[[str], None],
) -> TrainResult:
    say(f"torch threads: {torch.get_num_threads()}; model {config.model} ({config.attention})")
    run = _Run(config, splits, say)
    out = None if run_dir is None else Path(run_dir)
    if out is not None and resume and (out / LAST).is_file():
        run.restore(out / LAST)
    start_step, began = run.step, time.monotonic() - run.seconds
    stopped, loss, evaluated = "max_steps", math.nan, run.step
    with meter.running("training", total=config.max_steps) as advance:
        advance(run.step)
        while run.step < config.max_steps:
            if config.max_seconds and time.monotonic() - began >= config.max_seconds:
                stopped = "max_seconds"
                break
            for group in run.optimizer.param_groups:  # linear warm-up (ours)
                group["lr"] = config.lr * min(1.0, (run.step + 1) / config.warmup)
            loss = train_step(run.model, run.optimizer, *run.batch(run.step), clip=config.clip)
            run.step += 1
            advance(1)
            if run.step % config.eval_every == 0:
                run.seconds = time.monotonic() - began
                scores = run.evaluate_dev(loss, out)
                evaluated = run.step
                text = f"step {run.step}  loss {loss:.4f}  dev exact {scores.exact_match:.2f} %"
                _describe(meter, text)
                say(f"{text}  chrF {scores.chrf:.2f}  ({run.seconds:.0f} s)")
                if run.bad >= config.patience:
                    stopped = "patience"
                    break
    if evaluated != run.step:
        run.seconds = time.monotonic() - began
        run.evaluate_dev(loss, out)
    run.seconds = time.monotonic() - began
    if run.best_state is not None:
        run.model.load_state_dict(run.best_state)
    say(
        f"stopped ({stopped}) at step {run.step} after {run.seconds:.0f} s; "
        f"best dev exact {run.best:.2f} %"
    )
    best = run.best if math.isfinite(run.best) else math.nan
    return TrainResult(
        run.translator(),
        splits,
        run.step,
        run.seconds,
        best,
        stopped,
        tuple(run.history),
        start_step,
    )
