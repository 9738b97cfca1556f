"""The attention weights over one user's history for one candidate, as a bar chart."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ...dynamics.checks import check_finite_array

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["plot_history_attention"]


def plot_history_attention(
    weights: Any,
    labels: Sequence[str],
    *,
    highlight: Any = None,
    candidate: str | None = None,
    ax: Any = None,
) -> Figure:
    """Bars of the weight of each history item (oldest left) for one candidate.

    Parameters
    ----------
    weights : array_like, shape (T,)
        The weights of the T real history items (``Recommender.attention`` without padding).
    labels : sequence of str, length T
        Each item's name (tick labels).
    highlight : array_like of bool, shape (T,), optional
        Items drawn in a second colour (e.g. those of the candidate's category).
    candidate : str, optional
        The candidate's name, for the title.
    ax : matplotlib Axes, optional
        Where to draw; a new figure otherwise.

    Returns
    -------
    matplotlib.figure.Figure
    """
    w = check_finite_array(weights, "weights").reshape(-1)
    if isinstance(labels, str) or len(labels) != w.shape[0]:
        raise ValueError(f"labels must name each of the {w.shape[0]} weights, got {len(labels)}")
    marks = np.zeros(w.shape[0], dtype=bool)
    if highlight is not None:
        marks = np.asarray(highlight, dtype=bool).reshape(-1)
        if marks.shape[0] != w.shape[0]:
            raise ValueError(
                f"highlight must have one flag per weight ({w.shape[0]}), got {marks.shape[0]}"
            )
    if ax is None:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(max(4.0, 0.3 * w.shape[0] + 2.0), 3.2), layout="constrained")
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    colours = np.where(marks, "tab:orange", "tab:blue")
    ax.bar(np.arange(w.shape[0]), w, color=list(colours))
    ax.set_xticks(np.arange(w.shape[0]), [str(x) for x in labels], rotation=90, fontsize=7)
    ax.set_xlabel("history (oldest first)")
    ax.set_ylabel("attention weight")
    what = f"for {candidate}" if candidate is not None else "for the candidate"
    ax.set_title(f"weights of the history {what}", fontsize=9)
    if highlight is not None:
        from matplotlib.patches import Patch

        ax.legend(
            handles=[Patch(color="tab:orange", label="same category"), Patch(color="tab:blue")],
            labels=["same category", "other"],
            fontsize=7,
        )
    return fig
