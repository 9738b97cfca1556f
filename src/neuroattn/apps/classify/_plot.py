"""Figures of a classifier: attention maps over test images, and the confusion matrix."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from ...dynamics.checks import check_integer, to_numpy
from ...nn import plot_spatial_map

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["plot_confusion", "plot_evaluation", "plot_overlays"]


def plot_evaluation(
    images: Any, maps: Any, predicted: Any, true: Any, matrix: Any, *, title: str = ""
) -> Figure:
    """Attention overlays on a few canvases (:func:`plot_overlays`) above the confusion
    matrix (:func:`plot_confusion`), in one figure."""
    from matplotlib.figure import Figure

    n = len(np.asarray(to_numpy(predicted)).reshape(-1))
    columns = min(4, max(n, 1))
    rows = math.ceil(max(n, 1) / columns)
    fig = Figure(figsize=(max(2.6 * columns, 6.0), 2.3 * rows + 5.0), layout="constrained")
    top, bottom = fig.subfigures(2, 1, height_ratios=[2.3 * rows, 5.0])  # type: ignore[misc]
    plot_overlays(images, maps, predicted, true, columns=columns, fig=top)
    plot_confusion(matrix, title=title or None, fig=bottom)
    return fig


def plot_overlays(
    images: Any,
    maps: Any,
    predicted: Any,
    true: Any = None,
    *,
    columns: int = 4,
    fig: Any = None,
) -> Figure:
    """A grid of images with their attention maps overlaid (bilinear, stretched to the image).

    Parameters
    ----------
    images : array or tensor, shape (N, 1, H, W)
    maps : array or tensor, shape (N, 1, h, w), or None
        Attention maps (:meth:`DigitNet.attend`); None shows the images alone.
    predicted, true : sequence of int, shape (N,)
        Predicted and (optionally) true classes, written in each panel's title.
    columns : int
        Panels per row, 1 … 16.
    fig : Figure or SubFigure, optional
        Draw into this (empty) figure instead of a new one.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    imgs = np.asarray(to_numpy(images), dtype=float)
    if imgs.ndim != 4 or imgs.shape[1] != 1 or imgs.shape[0] == 0:
        raise ValueError(f"images must be (N, 1, H, W) with N >= 1, got shape {imgs.shape}")
    n = imgs.shape[0]
    amaps = None if maps is None else np.asarray(to_numpy(maps), dtype=float)
    if amaps is not None and (amaps.ndim != 4 or amaps.shape[:2] != (n, 1)):
        raise ValueError(f"maps must be (N, 1, h, w) with N = {n}, got shape {amaps.shape}")
    pred = np.asarray(to_numpy(predicted)).reshape(-1)
    truth = None if true is None else np.asarray(to_numpy(true)).reshape(-1)
    if pred.size != n or (truth is not None and truth.size != n):
        raise ValueError(f"predicted and true must hold one class per image ({n})")
    columns = min(check_integer(columns, "columns", ge=1, le=16), n)
    rows = math.ceil(n / columns)
    if fig is None:
        fig = Figure(figsize=(2.6 * columns, 2.3 * rows), layout="constrained")
    axes = fig.subplots(rows, columns, squeeze=False)
    for i, ax in enumerate(axes.flat):
        if i >= n:
            ax.set_axis_off()
            continue
        title = f"pred {pred[i]}" + ("" if truth is None else f" / true {truth[i]}")
        if amaps is None:
            ax.imshow(imgs[i, 0], cmap="gray")
            ax.set_axis_off()
            ax.set_title(title)
        else:
            plot_spatial_map(imgs[i, 0], amaps[i], ax=ax, title=title)
    return fig


def plot_confusion(matrix: Any, *, title: str | None = None, fig: Any = None) -> Figure:
    """The confusion matrix as an image: true class down, predicted across, counts written.

    ``matrix`` is (K, K) counts (:func:`confusion_matrix`); ``fig`` an (empty) figure or
    subfigure to draw into instead of a new one.
    """
    from matplotlib.figure import Figure

    counts = np.asarray(to_numpy(matrix))
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1] or counts.size == 0:
        raise ValueError(f"matrix must be a square (K, K) array, got shape {counts.shape}")
    k = counts.shape[0]
    if fig is None:
        fig = Figure(figsize=(1.0 + 0.45 * k, 0.8 + 0.45 * k), layout="constrained")
    ax = fig.add_subplot()
    image = ax.imshow(counts, cmap="Blues")
    top = counts.max() if counts.max() > 0 else 1
    for (i, j), c in np.ndenumerate(counts):
        ax.text(j, i, str(c), ha="center", va="center", fontsize=7,
                color="white" if c > 0.6 * top else "black")  # fmt: skip
    ax.set_xticks(range(k))
    ax.set_yticks(range(k))
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    if title:
        ax.set_title(title)
    fig.colorbar(image, ax=ax, shrink=0.8, label="count")
    return fig
