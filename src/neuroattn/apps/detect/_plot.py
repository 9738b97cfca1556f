"""The figure of one canvas's detections: the scanpath, and each box with its label,
probability and the fixation it came from."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._detector import Detections

__all__ = ["plot_detections"]


def plot_detections(
    image: np.ndarray,
    detections: Detections,
    *,
    truth: np.ndarray | None = None,
    title: str = "",
    ax: Any = None,
) -> Any:
    """The canvas with the scanpath (numbered fixations joined in order), the detected
    boxes ("#fixation digit p") and, if given, the true boxes dashed; returns the figure."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    if ax is None:
        fig, ax = plt.subplots(figsize=(4.2, 4.2), layout="constrained")
    else:
        fig = ax.figure
    ax.imshow(image, cmap="gray", vmin=0, vmax=1)
    path = detections.fixations
    if len(path):
        ax.plot(path[:, 0], path[:, 1], "-", color="tab:cyan", lw=0.8, alpha=0.8)
        for k, (x, y) in enumerate(path):
            ax.text(x, y, str(k + 1), color="tab:cyan", fontsize=7, ha="center", va="center")
    for box in [] if truth is None else np.asarray(truth).reshape(-1, 4):
        t, lf, b, r = box
        ax.add_patch(
            Rectangle(
                (lf - 0.5, t - 0.5), r - lf, b - t, fill=False, ls="--", ec="tab:green", lw=0.8
            )
        )
    for (t, lf, b, r), lab, s, o in zip(
        detections.boxes, detections.labels, detections.scores, detections.order, strict=True
    ):
        ax.add_patch(Rectangle((lf - 0.5, t - 0.5), r - lf, b - t, fill=False, ec="tab:red"))
        head = f"#{o} " if o else ""
        ax.text(lf - 0.5, t - 1.5, f"{head}{lab} {s:.2f}", color="tab:red", fontsize=7)
    ax.set_title(
        title or f"{len(detections)} detections, {detections.calls} classifier calls", fontsize=9
    )
    ax.set_axis_off()
    return fig
