"""Training a recogniser: the speech :class:`~neuroattn.apps._trainer.Job`.

The loop, budget, early stopping, checkpoints and resume are the shared trainer's
(:func:`neuroattn.apps._trainer.fit`). This module says what is particular to speech: a
character vocabulary from the training transcripts, features computed once per
utterance, batches of similar length (translation's :func:`epoch_batches`, a function of
(seed, step)) with SpecAugment masks seeded by (seed, step), the loss — the mean
cross-entropy of the next character under teacher forcing for LAS (plus, with
``ctc_weight`` λ > 0, λ times the CTC loss of its CTC head: joint CTC-attention training,
Kim et al. 2017), the CTC loss (blank 0, averaged over target lengths, Graves et al. 2006)
for CTC — and the dev scores
(greedy word accuracy = 100 - WER, WER and CER).
"""

from __future__ import annotations

import logging
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
from .._schedule_fields import RESUMABLE_FIELDS
from .._trainer import Schedule, fit
from ..translate._train import epoch_batches
from ..translate._translator import pad_ids
from ..translate._vocab import BOS, EOS, Vocab
from ._checkpoint import FORMAT, VERSION, build_model, recognizer_from_payload
from ._config import SpeechConfig
from ._data import SpeechSplits, load_splits
from ._frontend import features, spec_augment
from ._metrics import error_rates
from ._models import LAS
from ._recognizer import Recognizer, batch_features

__all__ = ["RESUMABLE", "SpeechJob", "TrainResult", "train"]

RESUMABLE = (*RESUMABLE_FIELDS, "beam", "max_len")
Batch = tuple[Tensor, Tensor, Tensor, Tensor]


@dataclass(frozen=True)
class TrainResult:
    """What :func:`train` returns: the best recogniser, the data and the run's record."""

    recognizer: Recognizer
    splits: SpeechSplits
    step: int
    seconds: float
    best_dev: float
    stopped: str
    history: tuple[dict[str, float], ...]
    resumed_from: int = 0


def _ctc(logp: Tensor, lens: Tensor, tgt_out: Tensor) -> Tensor:
    """The CTC loss of log-probs (B, S, V) over ``lens`` (B,) frames for the characters of
    tgt_out (B, L) (``<eos>`` and padding left out), blank 0, averaged over target lengths."""
    labels = tgt_out.masked_fill(tgt_out == EOS, 0)  # (B, L)
    label_lens = (labels != 0).sum(dim=1)  # (B,)
    return F.ctc_loss(logp.transpose(0, 1), labels, lens, label_lens, blank=0, zero_infinity=True)


class SpeechJob:
    """A recogniser, its batches, its loss and its dev scores (a trainer ``Job``)."""

    def __init__(self, config: SpeechConfig, splits: SpeechSplits) -> None:
        self.config, self.splits = config, splits
        self.vocab = Vocab.build(s.text for s in splits.train)
        self.max_len = config.max_len or int(1.5 * max(len(s.text) for s in splits.train)) + 10
        feat = lambda s: features(s.audio, frontend=config.frontend, n_mels=config.n_mels)  # noqa: E731
        self.train_feats = [feat(s) for s in splits.train]
        self.dev_feats = [feat(s) for s in splits.dev]
        self.targets = [self.vocab.encode(s.text) for s in splits.train]  # ending with <eos>
        self.model = build_model(config, len(self.vocab))
        self._epoch, self._batches = -1, list[np.ndarray]()

    def recognizer(self) -> Recognizer:
        return Recognizer(self.model, self.vocab, self.config, self.max_len)

    def batch(self, step: int) -> Batch:
        cfg = self.config
        per_epoch = math.ceil(len(self.train_feats) / cfg.batch_size)
        epoch, k = divmod(step, per_epoch)
        if self._epoch != epoch:
            frames = [f.shape[0] for f in self.train_feats]
            self._batches = epoch_batches(frames, cfg.batch_size, cfg.seed, epoch)
            self._epoch = epoch
        rows = self._batches[k]
        x, lengths = batch_features([self.train_feats[i] for i in rows])  # (B, T, F), (B,)
        gen = torch.Generator().manual_seed(cfg.seed * 1_000_003 + step)
        x = spec_augment(
            x,
            lengths,
            generator=gen,
            freq_masks=cfg.freq_masks,
            freq_width=cfg.freq_width,
            time_masks=cfg.time_masks,
            time_width=cfg.time_width,
        )
        tgt = pad_ids([[BOS, *self.targets[i]] for i in rows])  # (B, L + 1)
        return x, lengths, tgt[:, :-1], tgt[:, 1:]

    def loss(self, batch: Batch) -> Tensor:
        x, lengths, tgt_in, tgt_out = batch  # (B, T, F), (B,), (B, L), (B, L)
        if isinstance(self.model, LAS):
            state = self.model.encode(x, lengths)
            logits = self.model.spell(state, tgt_in)  # (B, L, V)
            loss = F.cross_entropy(
                logits.reshape(-1, logits.shape[-1]), tgt_out.reshape(-1), ignore_index=0
            )
            weight = self.config.ctc_weight
            if weight == 0:
                return loss
            logp, lens = self.model.ctc_log_probs(state)  # (B, S, V), (B,)
            return weight * _ctc(logp, lens, tgt_out) + (1 - weight) * loss
        logp, lens = self.model(x, lengths)  # (B, S, V), (B,)
        return _ctc(logp, lens, tgt_out)

    def evaluate(self) -> dict[str, float]:
        hyps = self.recognizer().decode_features(self.dev_feats, beam=1)
        rates = error_rates(hyps, [s.text for s in self.splits.dev])
        return {"word_accuracy": 100.0 - rates.wer, "wer": rates.wer, "cer": rates.cer}

    def identity(self) -> dict[str, Any]:
        return {
            "config": self.config.to_dict(),
            "vocab": self.vocab.to_dict(),
            "max_len": self.max_len,
        }

    def check_resume(self, saved: dict[str, Any], where: Path) -> None:
        old = recognizer_from_payload(saved, str(where)).config
        _configio.check_same_settings(old, self.config, where, resumable=RESUMABLE)
        if Vocab.from_dict(saved["vocab"]) != self.vocab:
            raise ValueError(f"{where}: the task's data no longer give the saved vocabulary")


def train(
    config: SpeechConfig,
    *,
    splits: SpeechSplits | None = None,
    run_dir: str | os.PathLike[str] | None = None,
    resume: bool = True,
    progress: ProgressArg = None,
    log: Callable[[str], None] | None = None,
) -> TrainResult:
    """Train the recogniser of ``config`` on its task; checkpoints go to ``run_dir``.

    ``splits`` defaults to :func:`load_splits` of the config; ``resume`` continues from
    ``run_dir/last.pt`` (settings must match except :data:`RESUMABLE`). Raises ValueError
    for bad data or a damaged or foreign checkpoint.
    """
    if not isinstance(config, SpeechConfig):
        raise TypeError(f"config must be a SpeechConfig, got {type(config).__name__}")
    splits = load_splits(config) if splits is None else splits
    if not isinstance(splits, SpeechSplits) or not splits.train or not splits.dev:
        raise ValueError("splits must be a SpeechSplits with train and dev samples")
    say = log if log is not None else logging.getLogger("neuroattn.apps.speech").info
    head = f", {config.attention}{' + location' if config.location else ''}"
    say(f"model {config.model} ({config.encoder}{head if config.model == 'las' else ''})")
    done = fit(
        lambda: SpeechJob(config, splits),
        Schedule.from_config(config, score="word_accuracy"),
        fmt=FORMAT,
        version=VERSION,
        run_dir=run_dir,
        resume=resume,
        progress=progress,
        log=say,
    )
    return TrainResult(
        done.job.recognizer(),
        splits,
        done.step,
        done.seconds,
        done.best,
        done.stopped,
        done.history,
        done.resumed_from,
    )
