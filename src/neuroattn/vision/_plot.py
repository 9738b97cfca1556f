"""Figures of an :class:`~.pipeline.AttentionResult` (matplotlib, returned, not shown)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .pipeline import AttentionResult

KINDS = ("overview", "maps", "scanpath", "trace")


def _display(image: np.ndarray) -> tuple[np.ndarray, str | None]:
    img = np.asarray(image)
    if img.ndim == 3 and img.shape[-1] == 1:
        img = img[..., 0]
    if img.dtype != np.uint8:
        top = float(img.max()) if img.size else 1.0
        img = np.clip(img.astype(np.float64) / (top if top > 1 else 1.0), 0, 1)
    if img.ndim == 3 and img.shape[-1] == 4:
        img = img[..., :3]
    return img, ("gray" if img.ndim == 2 else None)


def draw_scanpath(ax: Any, result: AttentionResult, *, colour: str = "yellow") -> None:
    """Numbered fixations joined by lines, on ``ax`` (image coordinates)."""
    fixes = result.fixations
    if not fixes:
        return
    xs, ys = [f.x for f in fixes], [f.y for f in fixes]
    ax.plot(xs, ys, "-", color=colour, lw=1.5, alpha=0.8)
    from matplotlib.patches import Circle

    r = 0.03 * max(result.saliency.shape)
    for k, f in enumerate(fixes, start=1):
        ax.add_patch(Circle((f.x, f.y), r, fill=False, color=colour, lw=2))
        box = {"boxstyle": "circle,pad=0.15", "fc": colour, "ec": "none", "alpha": 0.9}
        ax.text(f.x, f.y, str(k), color="black", ha="center", va="center", fontsize=9,
                fontweight="bold", bbox=box)  # fmt: skip


def plot_scanpath(result: AttentionResult, ax: Any = None) -> Any:
    """The image with the numbered scanpath."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 5), layout="constrained")
    img, cmap = _display(result.image)
    ax.imshow(img, cmap=cmap)
    draw_scanpath(ax, result)
    title = "scanpath" if result.task is None else f"scanpath — task: {result.task.description}"
    ax.set_title(title)
    ax.set_axis_off()
    return ax.figure


def plot_overview(result: AttentionResult) -> Any:
    """Scanpath, saliency overlay and the competition's dynamics in one figure."""
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(13, 4.2), layout="constrained")
    axes = fig.subplots(1, 3, width_ratios=[1, 1, 1.2])
    plot_scanpath(result, axes[0])
    img, cmap = _display(result.image)
    axes[1].imshow(img, cmap=cmap)
    axes[1].imshow(result.saliency, cmap="inferno", alpha=0.6, vmin=0, vmax=1)
    axes[1].set_title("saliency map")
    axes[1].set_axis_off()
    result.trace.plot(ax=axes[2])
    for f in result.fixations:
        axes[2].axvline(f.onset, color="0.7", lw=0.6)
    return fig


def plot_maps(result: AttentionResult) -> Any:
    """Grid of the feature maps, the conspicuity maps and the top-down gain."""
    import matplotlib.pyplot as plt

    maps = {**result.feature_maps, **{f"C: {k}": v for k, v in result.conspicuity.items()}}
    if result.task is not None:
        maps["top-down gain g"] = result.gain
    cols = 5
    rows = math.ceil(len(maps) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(2.6 * cols, 2.3 * rows), layout="constrained")
    for ax in np.ravel(axes):
        ax.set_axis_off()
    for ax, (name, m) in zip(np.ravel(axes), maps.items(), strict=False):
        ax.imshow(m, cmap="viridis")
        ax.set_title(f"{name} (max {float(np.max(m)):.2g})", fontsize=8)
    return fig


def plot_result(result: AttentionResult, kind: str, **kwargs: Any) -> Any:
    if kind == "overview":
        return plot_overview(result)
    if kind == "maps":
        return plot_maps(result)
    if kind == "scanpath":
        return plot_scanpath(result, kwargs.get("ax"))
    if kind == "trace":
        return result.trace.plot(**kwargs)
    raise ValueError(f"plot kind must be one of {', '.join(KINDS)}, got {kind!r}")
