"""Figures of an attention result (matplotlib, returned, not shown).

Drawing functions over plain parts (an image, a saliency map, fixations, a trace, named
maps), so that they need nothing of the result type: :meth:`~.pipeline.AttentionResult.plot`
picks the parts. matplotlib is imported when a figure is drawn, not with the package.

Images are drawn from a copy shrunk to at most :data:`DISPLAY_SIDE` pixels a side
(``cv2.INTER_AREA``) placed with ``extent=(-0.5, W - 0.5, H - 0.5, -0.5)``, so the axes
stay in the original image's pixels (where fixations are) while a figure of an 8000²
image never holds, or resamples, the full array.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import cv2
import numpy as np

from ._image import resize_map
from ._records import CompetitionTrace, Fixation

KINDS = ("overview", "maps", "scanpath", "trace")

DISPLAY_SIDE = 1024
"""Longest side, in pixels, of the image copy a figure draws."""

_CV_RESIZABLE = (np.uint8, np.uint16, np.int16, np.float32, np.float64)


class _Shown(NamedTuple):
    """An image ready for ``imshow``: pixels, colour map and extent in original pixels."""

    pixels: np.ndarray
    cmap: str | None
    extent: tuple[float, float, float, float]


def _shrunk(img: np.ndarray, max_side: int) -> np.ndarray:
    """``img`` with its longer side at most ``max_side`` (INTER_AREA), never converting
    the full-size array: dtypes OpenCV cannot resize are first subsampled by striding."""
    h, w = img.shape[:2]
    if max(h, w) <= max_side:
        return img
    if img.dtype.type not in _CV_RESIZABLE:  # bool, int32/64, float16, …
        step = max(1, max(h, w) // (2 * max_side))
        img = img[::step, ::step].astype(np.float32)
    scale = max_side / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return cv2.resize(img, size, interpolation=cv2.INTER_AREA)


def _display(image: np.ndarray, max_side: int = DISPLAY_SIDE) -> _Shown:
    """The image shrunk to ``max_side`` for ``imshow`` (floats scaled into [0, 1]), its
    colour map, and the extent that keeps the axes in the original ``(H, W)`` pixels."""
    img = np.asarray(image)
    if img.ndim == 3 and img.shape[-1] == 1:
        img = img[..., 0]
    h, w = img.shape[:2]
    img = _shrunk(img, max_side)
    if img.dtype != np.uint8:
        top = float(img.max()) if img.size else 1.0
        img = np.clip(img.astype(np.float64) / (top if top > 1 else 1.0), 0, 1)
    if img.ndim == 3 and img.shape[-1] == 4:
        img = img[..., :3]
    cmap = "gray" if img.ndim == 2 else None
    return _Shown(img, cmap, (-0.5, w - 0.5, h - 0.5, -0.5))


def _show(ax: Any, image: np.ndarray) -> _Shown:
    """Draw ``image`` (shrunk) on ``ax`` in its original pixel coordinates."""
    shown = _display(image)
    ax.imshow(shown.pixels, cmap=shown.cmap, extent=shown.extent)
    return shown


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
    _show(ax, image)
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
    """Scanpath, saliency overlay and the competition's dynamics in one figure.

    ``saliency`` may have any resolution (the map level's, typically): it is resized
    (bilinear) to the displayed copy of the image and drawn over it with the same extent.
    """
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(13, 4.2), layout="constrained")
    axes = fig.subplots(1, 3, width_ratios=[1, 1, 1.2])
    plot_scanpath(image, fixations, title=title, radius=radius, ax=axes[0])
    shown = _show(axes[1], image)
    overlay = resize_map(saliency, shown.pixels.shape[:2])
    axes[1].imshow(overlay, cmap="inferno", alpha=0.6, vmin=0, vmax=1, extent=shown.extent)
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
