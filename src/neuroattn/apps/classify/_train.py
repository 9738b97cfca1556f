"""Training a digit classifier: the classification :class:`~neuroattn.apps._trainer.Job`.

The loop, budget, early stopping, checkpoints and resume are the shared trainer's
(:func:`neuroattn.apps._trainer.fit`: AdamW, linear warm-up, gradient clipping, dev
evaluation every ``eval_every`` steps, patience). This module says what is particular to
classification: every step draws ``batch_size`` fresh training canvases (a function of
(seed, step), so a resumed run takes the same steps), the loss is the mean cross-entropy
of the labels, and the dev score is the accuracy on ``dev_size`` fixed dev canvases.
"""

from __future__ import annotations

import dataclasses
import logging
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
from .._trainer import Schedule, fit
from ._checkpoint import FORMAT, VERSION, classifier_from_payload
from ._classifier import Classifier
from ._config import RESUMABLE, ClassifyConfig
from ._data import ClutteredDigits, cluttered_digits
from ._models import create_model, parameter_count

__all__ = ["ClassificationJob", "TrainResult", "evaluation_set", "shifted_test_set", "train"]

_DEV_STREAM, _TEST_STREAM, _TRAIN_STREAM = 1, 2, 3  # separate random streams of one seed
_SHIFT_STREAM = 4  # the held-out conditions' canvases (with the condition in the seed)


def evaluation_set(config: ClassifyConfig, split: str) -> ClutteredDigits:
    """The fixed dev or test canvases of ``config`` (a function of its seed and sizes)."""
    n, stream = (
        (config.dev_size, _DEV_STREAM) if split == "dev" else (config.test_size, _TEST_STREAM)
    )
    rng = np.random.default_rng([config.seed, stream])
    return cluttered_digits(n, split, seed=rng, **config.data_options())


def shifted_test_set(
    config: ClassifyConfig,
    *,
    clutter: int | None = None,
    scale: int | None = None,
    fragment: int | None = None,
) -> ClutteredDigits:
    """``config.test_size`` canvases of the held-out test digits under another condition.

    A held-out condition for a trained model: the canvases of :func:`evaluation_set`'s
    test split with ``clutter`` fragments, digits upscaled ``scale`` times and fragments of
    side ``fragment`` in place of the config's (None keeps the config's value), drawn
    independently of the test set (their own random stream of the config's seed and the
    condition). The canvas side stays ``config.size``, so the model reads them as they are.

    Raises
    ------
    ValueError, TypeError
        For a value :class:`ClassifyConfig` would refuse, naming the field (for example a
        ``scale`` whose digit does not fit the canvas).
    """
    if not isinstance(config, ClassifyConfig):
        raise TypeError(f"config must be a ClassifyConfig, got {type(config).__name__}")
    changes: dict[str, Any] = {"clutter": clutter, "scale": scale, "fragment": fragment}
    shifted = dataclasses.replace(
        config, **{name: value for name, value in changes.items() if value is not None}
    )
    condition = [shifted.clutter, shifted.scale, shifted.fragment]
    rng = np.random.default_rng([config.seed, _SHIFT_STREAM, *condition])
    return cluttered_digits(config.test_size, "test", seed=rng, **shifted.data_options())


@dataclass(frozen=True)
class TrainResult:
    """What :func:`train` returns.

    Attributes
    ----------
    classifier : Classifier
        The model with the best dev accuracy (the last weights if never evaluated).
    step : int
        Steps taken in total (a resumed run counts the earlier ones).
    seconds : float
        Wall-clock seconds of training in total, across resumes.
    best_dev : float
        Best dev accuracy in [0, 1], or NaN.
    stopped : str
        ``"max_steps"``, ``"patience"`` or ``"max_seconds"``.
    history : tuple of dict
        One entry per evaluation: step, seconds, loss, dev accuracy.
    resumed_from : int
        The step the run resumed from (0 for a fresh run).
    """

    classifier: Classifier
    step: int
    seconds: float
    best_dev: float
    stopped: str
    history: tuple[dict[str, float], ...]
    resumed_from: int = 0


class ClassificationJob:
    """A digit classifier, its batches, its loss and its dev accuracy (a trainer ``Job``)."""

    def __init__(self, config: ClassifyConfig, dev: ClutteredDigits) -> None:
        self.config = config
        self.model = create_model(config.attention, **config.model_options())
        self.dev_images = torch.from_numpy(dev.images)  # (N, 1, S, S)
        self.dev_labels = torch.from_numpy(dev.labels)  # (N,)

    def classifier(self) -> Classifier:
        return Classifier(self.model, self.config)

    def batch(self, step: int) -> tuple[Tensor, Tensor]:
        cfg = self.config
        rng = np.random.default_rng([cfg.seed, _TRAIN_STREAM, step])
        data = cluttered_digits(cfg.batch_size, "train", seed=rng, **cfg.data_options())
        return torch.from_numpy(data.images), torch.from_numpy(data.labels)  # (B,1,S,S), (B,)

    def loss(self, batch: tuple[Tensor, Tensor]) -> Tensor:
        images, labels = batch  # (B, 1, S, S), (B,)
        return F.cross_entropy(self.model(images), labels)  # ()

    def evaluate(self) -> dict[str, float]:
        predicted = self.classifier().predict(self.dev_images).labels  # (N,)
        return {"accuracy": float((predicted == self.dev_labels).float().mean())}

    def identity(self) -> dict[str, Any]:
        return {"config": self.config.to_dict(), "parameters": parameter_count(self.model)}

    def check_resume(self, saved: dict[str, Any], where: Path) -> None:
        check_same_settings(classifier_from_payload(saved, str(where)).config, self.config, where)


def check_same_settings(saved: ClassifyConfig, config: ClassifyConfig, where: Path) -> None:
    """ValueError when ``config`` differs from ``saved`` outside :data:`RESUMABLE`."""
    _configio.check_same_settings(saved, config, where, resumable=RESUMABLE)


def train(
    config: ClassifyConfig,
    *,
    run_dir: str | os.PathLike[str] | None = None,
    resume: bool = True,
    progress: ProgressArg = None,
    log: Callable[[str], None] | None = None,
) -> TrainResult:
    """Train the classifier of ``config`` on fresh cluttered canvases; checkpoints go to
    ``run_dir``.

    Parameters
    ----------
    config : ClassifyConfig
    run_dir : path, optional
        Where ``last.pt`` and ``best.pt`` are written (atomically) at every evaluation.
        None keeps everything in memory.
    resume : bool
        Continue from ``run_dir/last.pt`` if it exists (the settings must match, except
        those in :data:`RESUMABLE`); False starts afresh and overwrites it.
    progress : bool, callable or ProgressMeter
        Progress over ``max_steps``; a meter with a ``describe(text)`` method (such as
        :class:`~neuroattn.apps._trainer.TrainingBar`) also shows the loss and dev accuracy.
    log : callable, optional
        Receives one line per event (threads, resume, each evaluation, the end); default
        the ``neuroattn.apps.classify`` logger.

    Raises
    ------
    ValueError
        For a run directory whose checkpoint is damaged or from other settings.
    """
    if not isinstance(config, ClassifyConfig):
        raise TypeError(f"config must be a ClassifyConfig, got {type(config).__name__}")
    say = log if log is not None else logging.getLogger("neuroattn.apps.classify").info
    dev = evaluation_set(config, "dev")
    done = fit(
        lambda: ClassificationJob(config, dev),
        Schedule.from_config(config, score="accuracy"),
        fmt=FORMAT,
        version=VERSION,
        run_dir=run_dir,
        resume=resume,
        progress=progress,
        log=say,
    )
    say(f"model {config.attention}: {parameter_count(done.job.model)} parameters")
    return TrainResult(
        done.job.classifier(),
        done.step,
        done.seconds,
        done.best,
        done.stopped,
        done.history,
        done.resumed_from,
    )
