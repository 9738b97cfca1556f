"""Training the glimpse classifier: the detection :class:`~neuroattn.apps._trainer.Job`.

The loop, budget, early stopping, checkpoints and resume are the shared trainer's
(:func:`neuroattn.apps._trainer.fit`). Every step draws ``canvases`` fresh training
canvases (a function of (seed, step)) and cuts from them ``per_digit`` jittered glimpses
of every digit and as many "nothing" glimpses (:func:`training_glimpses`); the loss is the
mean cross-entropy over the 11 classes; the dev score is the accuracy on fixed glimpses of
``dev_size`` dev canvases.
"""

from __future__ import annotations

import logging
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
from .._trainer import Schedule, fit
from ..classify import create_model, parameter_count
from ._checkpoint import FORMAT, VERSION, classifier_from_payload
from ._classifier import GlimpseClassifier
from ._config import RESUMABLE, DetectConfig
from ._data import Canvases, digit_canvases
from ._glimpse import training_glimpses

__all__ = [
    "DetectionJob",
    "TrainResult",
    "check_same_settings",
    "dev_family",
    "evaluation_set",
    "train",
]

_DEV_STREAM, _TEST_STREAM, _TRAIN_STREAM, _GLIMPSE_STREAM, _FAMILY_STREAM = 1, 2, 3, 4, 5


def evaluation_set(config: DetectConfig, split: str, n: int | None = None) -> Canvases:
    """The fixed dev or test canvases of ``config`` (a function of its seed and sizes);
    ``n`` overrides ``dev_size`` / ``test_size``."""
    size, stream = (
        (config.dev_size, _DEV_STREAM) if split == "dev" else (config.test_size, _TEST_STREAM)
    )
    rng = np.random.default_rng([config.seed, stream])
    return digit_canvases(size if n is None else n, split, seed=rng, **config.data_options())


def dev_family(
    config: DetectConfig,
    n: int,
    *,
    sizes: Sequence[int] = (80, 96, 112),
    clutter: Sequence[int] = (4, 10, 16),
) -> tuple[Canvases, ...]:
    """A family of dev canvas sets for tuning looking: ``n`` canvases from the dev digits
    for each (canvas side, fragments) of ``sizes`` × ``clutter``, the other data settings
    those of ``config`` (digits of 16–32 pixels mixed on every canvas). Seeded by
    ``config.seed`` and the condition; a condition outside the family (a larger canvas,
    more clutter) stays free for a held-out test (ours)."""
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence) or not sizes:
        raise TypeError(f"sizes must be a non-empty sequence of integers, got {sizes!r}")
    if isinstance(clutter, (str, bytes)) or not isinstance(clutter, Sequence) or not clutter:
        raise TypeError(f"clutter must be a non-empty sequence of integers, got {clutter!r}")
    options = config.data_options()
    out = []
    for side in sizes:
        for fragments in clutter:
            rng = np.random.default_rng([config.seed, _FAMILY_STREAM, side, fragments])
            options.update(size=side, clutter=fragments)
            out.append(digit_canvases(n, "dev", seed=rng, **options))
    return tuple(out)


@dataclass(frozen=True)
class TrainResult:
    """What :func:`train` returns: the classifier with the best dev glimpse accuracy, the
    steps and seconds in total, the best dev accuracy, why it stopped, the dev history and
    the step it resumed from."""

    classifier: GlimpseClassifier
    step: int
    seconds: float
    best_dev: float
    stopped: str
    history: tuple[dict[str, float], ...]
    resumed_from: int = 0


class DetectionJob:
    """The glimpse classifier, its batches, its loss and its dev accuracy (a trainer ``Job``)."""

    def __init__(self, config: DetectConfig, dev: Canvases) -> None:
        self.config = config
        self.model = create_model(config.attention, **config.model_options())
        rng = np.random.default_rng([config.seed, _GLIMPSE_STREAM])
        self.dev_glimpses, self.dev_labels = training_glimpses(
            dev, rng, side=config.glimpse, per_digit=1
        )  # (K, 1, G, G), (K,)

    def classifier(self) -> GlimpseClassifier:
        return GlimpseClassifier(self.model, self.config)

    def batch(self, step: int) -> tuple[Tensor, Tensor]:
        cfg = self.config
        rng = np.random.default_rng([cfg.seed, _TRAIN_STREAM, step])
        data = digit_canvases(cfg.canvases, "train", seed=rng, **cfg.data_options())
        return training_glimpses(data, rng, side=cfg.glimpse, per_digit=cfg.per_digit)

    def loss(self, batch: tuple[Tensor, Tensor]) -> Tensor:
        glimpses, labels = batch  # (B, 1, G, G), (B,)
        return F.cross_entropy(self.model(glimpses), labels)  # ()

    def evaluate(self) -> dict[str, float]:
        probs = self.classifier().predict(self.dev_glimpses)  # (K, 11)
        right = probs.argmax(axis=1) == self.dev_labels.numpy()
        return {"accuracy": float(right.mean()) if right.size else float("nan")}

    def identity(self) -> dict[str, Any]:
        return {"config": self.config.to_dict(), "parameters": parameter_count(self.model)}

    def check_resume(self, saved: dict[str, Any], where: Path) -> None:
        check_same_settings(classifier_from_payload(saved, str(where)).config, self.config, where)


def check_same_settings(saved: DetectConfig, config: DetectConfig, where: Path) -> None:
    """ValueError when ``config`` differs from ``saved`` outside :data:`RESUMABLE`."""
    _configio.check_same_settings(saved, config, where, resumable=RESUMABLE)


def train(
    config: DetectConfig,
    *,
    run_dir: str | os.PathLike[str] | None = None,
    resume: bool = True,
    progress: ProgressArg = None,
    log: Callable[[str], None] | None = None,
) -> TrainResult:
    """Train the glimpse classifier of ``config``; checkpoints go to ``run_dir``.

    Parameters
    ----------
    config : DetectConfig
    run_dir : path, optional
        Where ``last.pt`` and ``best.pt`` are written (atomically) at every evaluation;
        None keeps everything in memory.
    resume : bool
        Continue from ``run_dir/last.pt`` if it exists (the settings must match, except
        those in :data:`RESUMABLE`); False starts afresh.
    progress : bool, callable or ProgressMeter
        Progress over ``max_steps``.
    log : callable, optional
        Receives one line per event; default the ``neuroattn.apps.detect`` logger.

    Raises
    ------
    ValueError
        For a run directory whose checkpoint is damaged or from other settings.
    """
    if not isinstance(config, DetectConfig):
        raise TypeError(f"config must be a DetectConfig, got {type(config).__name__}")
    say = log if log is not None else logging.getLogger("neuroattn.apps.detect").info
    dev = evaluation_set(config, "dev")
    done = fit(
        lambda: DetectionJob(config, dev),
        Schedule.from_config(config, score="accuracy"),
        fmt=FORMAT,
        version=VERSION,
        run_dir=run_dir,
        resume=resume,
        progress=progress,
        log=say,
    )
    torch_model = done.job.model
    say(f"glimpse classifier: {parameter_count(torch_model)} parameters")
    return TrainResult(
        done.job.classifier(),
        done.step,
        done.seconds,
        done.best,
        done.stopped,
        done.history,
        done.resumed_from,
    )
