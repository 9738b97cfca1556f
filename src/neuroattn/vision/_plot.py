"""Figures of an attention result (matplotlib, returned, not shown).

Drawing functions over plain parts (an image, a saliency map, fixations, a trace, named
maps), so that they need nothing of the result type: :meth:`~.pipeline.AttentionResult.plot`
picks the parts. matplotlib is imported when a figure is drawn, not with the package.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ._records import CompetitionTrace, Fixation

KINDS = ("overview", "maps", "scanpath", "trace")


def _display(image: np.ndarray) -> tuple[np.ndarray, str | None]:
    """The image ready for ``imshow`` (floats scaled into [0, 1]) and its colour map."""
    img = np.asarray(image)
    if img.ndim == 3 and img.shape[-1] == 1:
        img = img[..., 0]
    if img.dtype != np.uint8:
        top = float(img.max()) if img.size else 1.0
        img = np.clip(img.astype(np.float64) / (top if top > 1 else 1.0), 0, 1)
    if img.ndim == 3 and img.shape[-1] == 4:
        img = img[..., :3]
    return img, ("gray" if img.ndim == 2 else None)


def draw_scanpath(
    ax: Any, fixations: Sequence[Fixation], *, radius: float, colour: str = "yellow"
) -> None:
    """Numbered fixations (circles of ``radius`` px) joined by lines, on ``ax``."""
    from matplotlib.patches import Circle

    if not fixations:
        return
    xs, ys = [f.x for f in fixations], [f.y for f in fixations]
    ax.plot(xs, ys, "-", color=colour, lw=1.5, alpha=0.8)
    for k, f in enumerate(fixations, start=1):
        ax.add_patch(Circle((f.x, f.y), radius, fill=False, color=colour, lw=2))
        box = {"boxstyle": "circle,pad=0.15", "fc": colour, "ec": "none", "alpha": 0.9}
        ax.text(
            f.x,
            f.y,
            str(k),
            color="black",
            ha="center",
            va="center",
            fontsize=9,
            fontweight="bold",
            bbox=box,
        )


def plot_scanpath(
    image: np.ndarray,
    fixations: Sequence[Fixation],
    *,
    title: str,
    radius: float,
    ax: Any = None,
) -> Any:
    """The image with the numbered scanpath; returns the figure."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 5), layout="constrained")
    img, cmap = _display(image)
    ax.imshow(img, cmap=cmap)
    draw_scanpath(ax, fixations, radius=radius)
    ax.set_title(title)
    ax.set_axis_off()
    return ax.figure


def plot_overview(
    image: np.ndarray,
    saliency: np.ndarray,
    fixations: Sequence[Fixation],
    trace: CompetitionTrace,
    *,
    title: str,
    radius: float,
) -> Any:
    """Scanpath, saliency overlay and the competition's dynamics in one figure."""
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(13, 4.2), layout="constrained")
    axes = fig.subplots(1, 3, width_ratios=[1, 1, 1.2])
    plot_scanpath(image, fixations, title=title, radius=radius, ax=axes[0])
    img, cmap = _display(image)
    axes[1].imshow(img, cmap=cmap)
    axes[1].imshow(saliency, cmap="inferno", alpha=0.6, vmin=0, vmax=1)
    axes[1].set_title("saliency map")
    axes[1].set_axis_off()
    trace.plot(ax=axes[2])
    for f in fixations:
        axes[2].axvline(f.onset, color="0.7", lw=0.6)
    return fig


def plot_maps(maps: Mapping[str, np.ndarray]) -> Any:
    """A grid of named maps, five to a row, each titled with its maximum."""
    import matplotlib.pyplot as plt

    cols = 5
    rows = math.ceil(len(maps) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(2.6 * cols, 2.3 * rows), layout="constrained")
    for ax in np.ravel(axes):
        ax.set_axis_off()
    for ax, (name, m) in zip(np.ravel(axes), maps.items(), strict=False):
        ax.imshow(m, cmap="viridis")
        ax.set_title(f"{name} (max {float(np.max(m)):.2g})", fontsize=8)
    return fig
