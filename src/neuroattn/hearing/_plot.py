"""Figures of a sound's stages (matplotlib, returned, not shown; imported when drawn)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .compete import Scan
from .encode import Cochleagram


def _image(ax: Any, coch: Cochleagram, data: np.ndarray, title: str) -> None:
    t = coch.times
    end = t[-1] + 1.0 / coch.frame_rate if t.size else 1.0
    ax.imshow(data, origin="lower", aspect="auto", cmap="magma",
              extent=(0.0, end, -0.5, data.shape[0] - 0.5), interpolation="nearest")  # fmt: skip
    ticks = np.linspace(0, coch.cf.size - 1, min(6, coch.cf.size)).round().astype(int)
    ax.set_yticks(ticks)
    ax.set_yticklabels([f"{coch.cf[i]:.0f}" for i in ticks])
    ax.set_ylabel("centre frequency (Hz)")
    ax.set_title(title)


def cochleagram_figure(coch: Cochleagram, title: str = "cochleagram") -> Any:
    """The cochleagram as an image, channels by centre frequency, time in seconds."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 3.2), layout="constrained")
    _image(ax, coch, coch.data, title)
    ax.set_xlabel("time (s)")
    return fig


def saliency_figure(
    coch: Cochleagram, saliency_map: np.ndarray, saliency: np.ndarray, scan: Scan
) -> Any:
    """Saliency map, saliency over time and the captures of the scan, numbered in order."""
    import matplotlib.pyplot as plt

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 5), sharex=True, layout="constrained")
    _image(top, coch, saliency_map, "saliency map")
    bottom.plot(coch.times, saliency, color="k", lw=1)
    for k, cap in enumerate(scan.captures, 1):
        bottom.axvline(cap.onset, color="tab:red", lw=0.8)
        bottom.annotate(f"{k}: {cap.frequency:.0f} Hz", (cap.onset, saliency.max() * 0.95),
                        fontsize=7, color="tab:red", rotation=90, va="top")  # fmt: skip
    bottom.set_xlabel("time (s)")
    bottom.set_ylabel("saliency")
    bottom.set_title("saliency over time; captures of attention (onsets)")
    return fig
