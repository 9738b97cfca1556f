"""The attention alignment over the spectrogram: which frames each output character heard."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..._atomic import save_png

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ._recognizer import Alignment

__all__ = ["plot_alignment", "save_alignment"]


def plot_alignment(alignment: Alignment, *, title: str | None = None) -> Figure:
    """Two panels sharing the time axis (s): the log-mel spectrogram above, and below the
    attention weights of each output character over the listener's frames (each frame
    spans ``stride`` × 10 ms)."""
    from matplotlib.figure import Figure

    for attr in ("weights", "spectrogram", "tokens", "stride"):
        if not hasattr(alignment, attr):
            raise TypeError(f"alignment must be an Alignment, got {type(alignment).__name__}")
    spec, w = alignment.spectrogram, alignment.weights  # (T, M), (L, S)
    seconds = spec.shape[0] * 0.01
    rows = max(len(alignment.tokens), 1)
    fig = Figure(figsize=(max(6.0, seconds * 4 + 2), 2.5 + rows * 0.16), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[1.0, max(1.0, rows * 0.06)])
    top.imshow(spec.T, origin="lower", aspect="auto", extent=(0, seconds, 0, spec.shape[1]))
    top.set_ylabel("mel channel")
    top.set_title(title if title is not None else f"“{alignment.prediction}”")
    span = w.shape[1] * alignment.stride * 0.01
    bottom.imshow(w, aspect="auto", cmap="magma", extent=(0, span, rows - 0.5, -0.5), vmin=0)
    labels = ["␣" if t == " " else t for t in alignment.tokens]
    bottom.set_yticks(np.arange(rows), labels, fontsize=7)
    bottom.set_xlim(0, seconds)
    bottom.set_xlabel("time (s)")
    bottom.set_ylabel("output")
    return fig


def save_alignment(alignment: Alignment, path: str | os.PathLike[str]) -> Path:
    """Write :func:`plot_alignment` as a PNG under a temporary name, renamed when complete."""
    fig = plot_alignment(alignment)
    path = Path(path)
    save_png(fig, path, dpi=110)
    return path
