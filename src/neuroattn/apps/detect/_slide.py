"""The sliding-window baseline: every square window of the given sides, each one classifier
call (see :mod:`._detector` for the detections' rule and the NMS both detectors share)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ...dynamics.checks import check_number
from ._classifier import BoxClassifier, check_canvas
from ._detector import Detections, _decide, _detections, _sides

__all__ = ["slide", "window_boxes"]


def window_boxes(shape: tuple[int, int], windows: Sequence[int], stride: float) -> np.ndarray:
    """Every square window (n, 4) of the sides ``windows`` at ``stride`` × side steps,
    the last row and column flush with the border."""
    h, w = shape
    out = []
    for side in _sides(windows, "windows", shape):
        step = max(1, round(stride * side))
        tops = np.unique(np.append(np.arange(0, h - side + 1, step), h - side))
        lefts = np.unique(np.append(np.arange(0, w - side + 1, step), w - side))
        t, lf = np.meshgrid(tops, lefts, indexing="ij")
        t, lf = t.ravel(), lf.ravel()
        out.append(np.stack([t, lf, t + side, lf + side], axis=1))
    return np.concatenate(out).astype(np.float64) if out else np.zeros((0, 4))


def slide(
    image: Any,
    classifier: BoxClassifier,
    *,
    windows: Sequence[int] = (16, 24, 32),
    stride: float = 0.25,
    nms_iou: float = 0.3,
) -> Detections:
    """The sliding-window baseline: classify every window (see the module docstring).

    Parameters
    ----------
    image : array_like (H, W)
        A grey canvas in [0, 1].
    classifier : BoxClassifier
    windows : sequence of int
        Window sides in pixels (each at most the canvas's shorter side).
    stride : float
        Step between windows as a fraction of their side, (0, 1].
    nms_iou : float
        Non-maximum suppression threshold (0, 1].
    """
    img = check_canvas(image)
    check_number(stride, "stride", gt=0, le=1)
    check_number(nms_iou, "nms_iou", gt=0, le=1)
    boxes = window_boxes(img.shape, windows, stride)
    found, labels, scores = _decide(np.asarray(classifier.probabilities(img, boxes)))
    order = np.zeros(int(found.sum()), np.int64)
    parts = (boxes[found], labels[found], scores[found], order)
    return _detections(parts, boxes.shape[0], nms_iou, np.zeros((0, 2)))
