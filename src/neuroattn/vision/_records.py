"""The records of the competition stage: a :class:`Fixation` and a :class:`CompetitionTrace`.

A leaf module (numpy only; matplotlib when a trace is plotted): the scanpath loop
(:mod:`._scan`) makes these, :class:`~.compete.WinnerTakeAll` returns them and
:class:`~.pipeline.AttentionResult` holds them, without any of those importing each other.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Fixation:
    """One shift of attention.

    Attributes
    ----------
    x, y : float
        Location in image pixels (column, row): the winning unit's cell, refined to the
        centre of mass of its input over the 3 × 3 cells around it.
    onset : float
        Time (ms from image onset) at which the winner's rate crossed threshold.
    duration : float
        Time (ms) the winner's rate stayed above threshold.
    latency : float
        Time (ms) from the start of this competition (image onset, or the inhibition
        of the previous winner) to onset.
    saliency : float
        Bottom-up saliency at the fixated cell (map maximum is one).
    """

    x: float
    y: float
    onset: float
    duration: float
    latency: float
    saliency: float

    def as_dict(self) -> dict[str, float]:
        """The fields as a JSON-friendly dict."""
        return {k: float(v) for k, v in asdict(self).items()}


@dataclass(frozen=True)
class CompetitionTrace:
    """The simulated competition behind one scanpath.

    Attributes
    ----------
    t : ndarray, shape (T,)
        Time in ms.
    rates : ndarray of float32, shape (T, h, w)
        Rates f(u) of the competition units.
    ior : ndarray, shape (h, w)
        Inhibition of return at the end (0 none … 1 full).
    rate_threshold : float
        The rate whose crossing marks a fixation onset.
    """

    t: np.ndarray
    rates: np.ndarray
    ior: np.ndarray
    rate_threshold: float

    def plot(self, *, ax: Any = None, max_units: int = 8) -> Any:
        """Rates of the units that ever led, over time; returns the figure."""
        import matplotlib.pyplot as plt  # only when plotting: matplotlib is slow to import

        if ax is None:
            fig, ax = plt.subplots(figsize=(6, 3.2), layout="constrained")
        else:
            fig = ax.figure
        h, w = self.rates.shape[-2:]
        flat = self.rates.reshape(len(self.t), h * w)  # explicit sizes: T may be 0
        order = np.array([], int)
        if flat.size:
            leaders = np.unique(flat.argmax(axis=1))
            order = leaders[np.argsort(-flat[:, leaders].max(axis=0))][:max_units]
        for i in order:
            ax.plot(self.t, flat[:, i], lw=1.2, label=f"cell ({i // w}, {i % w})")
        ax.axhline(self.rate_threshold, color="0.5", ls="--", lw=0.8, label="threshold")
        if not flat.size:  # nothing salient: the network was never run
            note = "no competition (nothing salient)"
            ax.text(0.5, 0.5, note, ha="center", va="center", transform=ax.transAxes)
        ax.set_xlabel("time (ms)")
        ax.set_ylabel("rate f(u)")
        ax.set_title("competition: leading units")
        ax.legend(fontsize=7, ncol=2)
        return fig
