"""The glimpse classifier: classify's :class:`~neuroattn.apps.classify.DigitNet` with 11
classes (ten digits and "nothing") read on glimpses of a canvas."""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np
import torch

from ...dynamics.checks import check_finite_array
from ..classify import DigitNet
from ._config import DetectConfig
from ._glimpse import crop_glimpses

__all__ = ["BoxClassifier", "GlimpseClassifier", "check_canvas"]


class BoxClassifier(Protocol):
    """What the detectors ask: class probabilities (K, 11) of K boxes (K, 4) of a canvas
    (H, W); columns 0 … 9 the digits, 10 "nothing"."""

    def probabilities(self, image: np.ndarray, boxes: np.ndarray) -> np.ndarray: ...


def check_canvas(image: Any, name: str = "image") -> np.ndarray:
    """A grey canvas as float32 (H, W): at least 8x8, values in [0, 1]; else ValueError."""
    img = check_finite_array(image, name)
    if img.ndim == 3 and img.shape[0] == 1:
        img = img[0]
    if img.ndim != 2 or min(img.shape) < 8:
        raise ValueError(f"{name} must be a grey (H, W) image of at least 8x8, got {img.shape}")
    if img.min() < 0 or img.max() > 1:
        raise ValueError(
            f"{name} must hold intensities in [0, 1], got {img.min():.3g} to {img.max():.3g}"
        )
    return img.astype(np.float32)


class GlimpseClassifier:
    """A trained :class:`DigitNet` (11 classes) and its run's settings.

    :meth:`probabilities` resamples each box to ``config.glimpse`` pixels
    (:func:`crop_glimpses`) and returns the softmax of the logits, in eval mode.
    """

    def __init__(self, model: DigitNet, config: DetectConfig) -> None:
        self.model, self.config = model, config

    def probabilities(self, image: np.ndarray, boxes: np.ndarray) -> np.ndarray:
        img = torch.from_numpy(check_canvas(image))[None]  # (1, H, W)
        b = torch.as_tensor(np.asarray(boxes, np.float32).reshape(-1, 4))  # (K, 4)
        if b.shape[0] == 0:
            return np.zeros((0, self.model.classes), np.float32)
        glimpses = crop_glimpses(
            img, torch.zeros(b.shape[0], dtype=torch.long), b, self.config.glimpse
        )  # (K, 1, G, G)
        return self.predict(glimpses)

    def predict(self, glimpses: torch.Tensor, *, batch_size: int = 1024) -> np.ndarray:
        """Class probabilities (K, 11) of glimpses (K, 1, G, G)."""
        was_training = self.model.training
        self.model.eval()
        out = []
        try:
            with torch.no_grad():
                for start in range(0, glimpses.shape[0], batch_size):
                    logits = self.model(glimpses[start : start + batch_size])  # (k, 11)
                    out.append(torch.softmax(logits, dim=1))
        finally:
            self.model.train(was_training)
        return torch.cat(out).numpy() if out else np.zeros((0, self.model.classes), np.float32)
