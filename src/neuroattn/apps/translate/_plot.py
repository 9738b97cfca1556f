"""Alignment heat maps: which source characters each output character attended to."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..._atomic import save_png
from ...nn import plot_attention

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ._translator import Alignment, Translator

__all__ = ["plot_alignment", "save_alignments"]


def _label(token: str) -> str:
    return "␣" if token == " " else token


def plot_alignment(alignment: Alignment, *, ax: Any = None, title: str | None = None) -> Figure:
    """Draw one :class:`~._translator.Alignment`: output characters down, source across.

    With German numbers the units-before-tens reordering shows as a crossing: "zwei" of
    "zweiundvierzig" looks at "two", "vierzig" back at "forty".
    """
    if not all(hasattr(alignment, a) for a in ("weights", "source_tokens", "target_tokens")):
        raise TypeError(f"alignment must be an Alignment, got {type(alignment).__name__}")
    fig = plot_attention(
        alignment.weights,
        query_labels=[_label(t) for t in alignment.target_tokens],
        key_labels=[_label(t) for t in alignment.source_tokens],
        ax=ax,
    )
    target = ax if ax is not None else fig.axes[0]
    target.set_title(title if title is not None else f"{alignment.source} → {alignment.prediction}")
    target.set_xlabel("source")
    target.set_ylabel("output")
    return fig


def save_alignments(
    translator: Translator,
    texts: Sequence[str],
    path: str | os.PathLike[str],
    *,
    beam: int | None = None,
) -> Path:
    """Translate ``texts`` and write their alignment heat maps as one PNG (one panel each).

    The file is written under a temporary name and renamed when complete. Raises
    ValueError for a model without attention, an empty text or unknown characters.
    """
    from matplotlib.figure import Figure

    if isinstance(texts, str):
        texts = [texts]
    if not texts:
        raise ValueError("texts must name at least one example")
    aligns = [translator.alignment(t, beam=beam) for t in texts]
    width = max(max(len(a.source_tokens) for a in aligns) * 0.22 + 2.5, 5.0)
    heights = [max(len(a.target_tokens) * 0.22 + 1.5, 3.0) for a in aligns]
    fig = Figure(figsize=(width, sum(heights)), layout="constrained")
    axes = fig.subplots(len(aligns), 1, squeeze=False, height_ratios=heights)[:, 0]
    for a, ax in zip(aligns, axes, strict=True):
        plot_alignment(a, ax=ax)
    path = Path(path)
    save_png(fig, path, dpi=110)
    return path
