"""A trained digit classifier: predictions, attention maps and scores on canvases."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import Tensor

from ...dynamics.checks import check_integer
from ._config import ClassifyConfig
from ._data import ClutteredDigits
from ._metrics import accuracy, confusion_matrix
from ._models import DigitNet, check_images

__all__ = ["Classifier", "Prediction", "Scores"]


@dataclass(frozen=True)
class Prediction:
    """Labels (N,), class probabilities (N, 10) and attention maps (N, 1, h, w) or None."""

    labels: Tensor
    probabilities: Tensor
    maps: Tensor | None


@dataclass(frozen=True)
class Scores:
    """Accuracy and error rate in [0, 1], the confusion matrix (10, 10) and the count."""

    accuracy: float
    error: float
    confusion: np.ndarray
    count: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "accuracy": self.accuracy,
            "error": self.error,
            "count": self.count,
            "confusion": self.confusion.tolist(),
        }


class Classifier:
    """A :class:`DigitNet` and the settings it was trained with (canvas size, attention)."""

    def __init__(self, model: DigitNet, config: ClassifyConfig) -> None:
        self.model, self.config = model, config

    def check_canvases(self, images: Any, name: str = "images") -> Tensor:
        """Canvases as a float32 (N, 1, S, S) tensor of this classifier's canvas side S.

        Accepts a tensor or array of shape (N, 1, S, S), (N, S, S) or one (S, S) image.
        """
        x = torch.as_tensor(images) if not isinstance(images, Tensor) else images
        if not x.is_floating_point():
            raise TypeError(f"{name} must hold floating values, got {x.dtype}")
        x = x.float()
        if x.ndim == 2:
            x = x[None, None]  # (1, 1, S, S)
        elif x.ndim == 3:
            x = x[:, None]  # (N, 1, S, S)
        s = self.config.size
        if x.ndim != 4 or x.shape[1] != 1 or tuple(x.shape[2:]) != (s, s):
            raise ValueError(
                f"{name} must be grey {s}x{s} canvases (N, 1, {s}, {s}), got shape "
                f"{tuple(images.shape) if hasattr(images, 'shape') else type(images).__name__}"
            )
        if not bool(torch.isfinite(x).all()):
            raise ValueError(f"{name} must be finite, got NaN or inf")
        return check_images(x, name)

    def predict(self, images: Any, *, batch_size: int = 500) -> Prediction:
        """Classify canvases (see :meth:`check_canvases`), in eval mode, ``batch_size`` at once."""
        x = self.check_canvases(images)  # (N, 1, S, S)
        batch_size = check_integer(batch_size, "batch_size", ge=1)
        was_training = self.model.training
        self.model.eval()
        labels, probs, maps = [], [], []
        try:
            with torch.no_grad():
                for start in range(0, x.shape[0], batch_size):
                    logits, amap = self.model.attend(x[start : start + batch_size])  # (b, 10)
                    probs.append(torch.softmax(logits, dim=1))  # (b, 10)
                    labels.append(logits.argmax(dim=1))  # (b,)
                    if amap is not None:
                        maps.append(amap)  # (b, 1, h, w)
        finally:
            self.model.train(was_training)
        classes = self.model.classes
        return Prediction(
            torch.cat(labels) if labels else torch.zeros(0, dtype=torch.long),
            torch.cat(probs) if probs else torch.zeros(0, classes),
            torch.cat(maps) if maps else None,
        )

    def evaluate(self, data: ClutteredDigits) -> Scores:
        """Accuracy, error rate and confusion matrix on labelled canvases."""
        predicted = self.predict(data.images).labels.numpy()
        return Scores(
            accuracy(predicted, data.labels),
            1.0 - accuracy(predicted, data.labels),
            confusion_matrix(predicted, data.labels, classes=self.model.classes),
            int(predicted.size),
        )
