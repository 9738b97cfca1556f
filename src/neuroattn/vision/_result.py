"""The result of all four stages for one image: :class:`AttentionResult`.

The record holds the maps, the scanpath and the trace; its files are written by
:mod:`.io` and its figures drawn by :mod:`._plot`, neither of which knows this class.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..dynamics.checks import check_choice
from . import _plot, io
from ._records import CompetitionTrace, Fixation
from .feedback import Task


@dataclass(frozen=True)
class AttentionResult:
    """Where attention went in one image, in what order, and how fast (immutable).

    Attributes
    ----------
    saliency : ndarray of float32, shape (H, W)
        The saliency map that drove the competition (bottom-up, or mixed with the task's
        top-down map), at image resolution, maximum one.
    feature_maps : mapping of str to ndarray
        Normalised feature maps (map level, 1/16 of the image side by default).
    conspicuity : mapping of str to ndarray
        Intensity, colour and orientation conspicuity maps (map level).
    fixations : tuple of Fixation
        The scanpath: x, y (image pixels), onset, duration, latency (ms), saliency.
    trace : CompetitionTrace
        The simulated competition (time in ms, rates of every unit).
    gain : ndarray, shape (h, w)
        The top-down input gain g of the competition (ones without a task).
    task : Task or None
    image : ndarray
        The image as given (for plots).
    """

    saliency: np.ndarray
    feature_maps: Mapping[str, np.ndarray]
    conspicuity: Mapping[str, np.ndarray]
    fixations: tuple[Fixation, ...]
    trace: CompetitionTrace
    gain: np.ndarray
    task: Task | None
    image: np.ndarray = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly summary: image shape, task and the fixations."""
        return {
            "shape": list(self.saliency.shape),
            "task": None if self.task is None else dict(self.task.gains),
            "task_description": None if self.task is None else self.task.description,
            "fixations": [f.as_dict() for f in self.fixations],
        }

    def save(self, folder: str | os.PathLike[str], *, label: str = "image") -> Path:
        """Write saliency.png, scanpath.png, maps.png and fixations.json into ``folder``.

        The files are written to a temporary folder and moved into place when complete
        (:func:`.io.save_result`, the writer ``neuroattn attend`` uses too).
        """
        return io.save_result(self, folder, label=label)

    def plot(self, kind: str = "overview", **kwargs: Any) -> Any:
        """A matplotlib figure: ``"overview"`` (scanpath, saliency, dynamics), ``"maps"``
        (feature and conspicuity maps), ``"scanpath"`` or ``"trace"``.

        ``kwargs``: ``ax`` for ``"scanpath"``; those of :meth:`CompetitionTrace.plot` for
        ``"trace"``.
        """
        check_choice(kind, "plot kind", _plot.KINDS)
        title = "scanpath" if self.task is None else f"scanpath — task: {self.task.description}"
        radius = 0.03 * max(self.saliency.shape)
        if kind == "overview":
            return _plot.plot_overview(
                self.image, self.saliency, self.fixations, self.trace, title=title, radius=radius
            )
        if kind == "maps":
            return _plot.plot_maps(self._named_maps())
        if kind == "scanpath":
            return _plot.plot_scanpath(
                self.image, self.fixations, title=title, radius=radius, ax=kwargs.get("ax")
            )
        return self.trace.plot(**kwargs)

    def _named_maps(self) -> dict[str, np.ndarray]:
        """Feature maps, conspicuity maps (``C: …``) and, with a task, the gain map."""
        maps = {**self.feature_maps, **{f"C: {k}": v for k, v in self.conspicuity.items()}}
        if self.task is not None:
            maps["top-down gain g"] = self.gain
        return maps
