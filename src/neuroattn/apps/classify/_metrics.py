"""Accuracy and the confusion matrix of a classifier's predictions."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...dynamics.checks import check_integer

__all__ = ["accuracy", "confusion_matrix", "error_rate"]


def _labels(x: Any, name: str) -> np.ndarray:
    """A 1-D integer array (a torch tensor is read to numpy), else ValueError/TypeError."""
    if hasattr(x, "detach"):
        x = x.detach().cpu().numpy()
    arr = np.asarray(x)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of class indices, got shape {arr.shape}")
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"{name} must hold integers, got dtype {arr.dtype}")
    return arr.astype(np.int64, copy=False)


def _pair(predicted: Any, true: Any) -> tuple[np.ndarray, np.ndarray]:
    p, t = _labels(predicted, "predicted"), _labels(true, "true")
    if p.shape != t.shape:
        raise ValueError(f"predicted and true must have the same length, got {p.size} and {t.size}")
    if p.size == 0:
        raise ValueError("predicted must hold at least one prediction, got 0")
    return p, t


def accuracy(predicted: Any, true: Any) -> float:
    """Fraction of predictions equal to the true class, (1/N) Σ_n [p_n = t_n]."""
    p, t = _pair(predicted, true)
    return float(np.mean(p == t))


def error_rate(predicted: Any, true: Any) -> float:
    """1 − :func:`accuracy` (the measure of Mnih et al. 2014's table)."""
    return 1.0 - accuracy(predicted, true)


def confusion_matrix(predicted: Any, true: Any, *, classes: int = 10) -> np.ndarray:
    """Counts C[i, j] of examples of true class i predicted as class j, shape (classes, classes).

    Rows sum to the number of examples of each true class; the trace is the number right.
    Labels must lie in 0 … classes − 1 (ValueError otherwise).
    """
    classes = check_integer(classes, "classes", ge=1, le=10_000)
    p, t = _pair(predicted, true)
    for name, arr in (("predicted", p), ("true", t)):
        if arr.min() < 0 or arr.max() >= classes:
            low, high = int(arr.min()), int(arr.max())
            raise ValueError(f"{name} must hold classes 0 … {classes - 1}, got {low} … {high}")
    return np.bincount(t * classes + p, minlength=classes * classes).reshape(classes, classes)
