"""The result of all four stages for one image: :class:`AttentionResult`.

The record holds the maps (at the map level, never at image resolution: a 20000² image
would need 1.6 GB for a float32 map), the scanpath and the trace; its files are written by
:mod:`.io`, its figures drawn by :mod:`._plot` and its labelled view made by
:mod:`._result_xarray`, none of which knows this class.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from ..dynamics.checks import check_choice, check_integer
from . import _plot, _result_xarray, io
from ._image import resize_map
from ._records import CompetitionTrace, Fixation
from .feedback import Task


@dataclass(frozen=True)
class AttentionResult:
    """Where attention went in one image, in what order, and how fast (immutable).

    Attributes
    ----------
    saliency_map : ndarray of float32, shape (h, w)
        The saliency map that drove the competition (bottom-up, or mixed with the task's
        top-down map) at the map level (1/16 of the image side by default), maximum one.
        :attr:`saliency` is this map at image resolution, made when first asked for.
    feature_maps : mapping of str to ndarray
        Normalised feature maps (map level).
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
        The image as given (for plots; not copied).
    image_shape : tuple of int
        ``(H, W)`` of the image as given: fixations and :attr:`saliency` are in its pixels.
    scale : float
        Working size over given size (below one when the image was shrunk to the
        pipeline's ``max_side`` first).
    level : int
        Pyramid level of the maps: a map cell spans about ``2**level / scale`` image pixels.
    """

    saliency_map: np.ndarray
    feature_maps: Mapping[str, np.ndarray]
    conspicuity: Mapping[str, np.ndarray]
    fixations: tuple[Fixation, ...]
    trace: CompetitionTrace
    gain: np.ndarray
    task: Task | None
    image: np.ndarray = field(repr=False)
    image_shape: tuple[int, int] = field(default=(0, 0))
    scale: float = 1.0
    level: int = 0

    def __post_init__(self) -> None:
        if self.image_shape == (0, 0):  # built without one: the map is the image's size
            object.__setattr__(self, "image_shape", tuple(np.shape(self.saliency_map)[:2]))

    @cached_property
    def saliency(self) -> np.ndarray:
        """The saliency map at image resolution, ``(H, W)`` float32, read-only.

        Made on first use from :attr:`saliency_map` (bilinear, clipped at 0: the values
        this attribute always had) and then kept: 4·H·W bytes, 1.6 GB for a 20000²
        image. :meth:`saliency_at` gives the map at any other size without keeping it.
        """
        return self.saliency_at(self.image_shape)

    def saliency_at(self, shape: tuple[int, int]) -> np.ndarray:
        """:attr:`saliency_map` resized (bilinear, clipped at 0) to ``shape`` = (rows,
        columns), read-only and not kept (a thumbnail, a bounded file, …).

        Raises
        ------
        ValueError, TypeError
            ``shape`` is not two positive integers, or has more pixels than the image
            and :data:`~.io.MAX_PIXELS` both.
        """
        if not isinstance(shape, (tuple, list, np.ndarray)) or len(shape) != 2:
            raise TypeError(f"shape must be (rows, columns), got {shape!r}")
        rows, cols = (check_integer(n, "shape", ge=1) for n in shape)
        limit = max(io.MAX_PIXELS, self.image_shape[0] * self.image_shape[1])
        if rows * cols > limit:
            raise ValueError(f"shape must have at most {limit} pixels, got {rows}×{cols}")
        out = resize_map(self.saliency_map, (rows, cols))
        out.setflags(write=False)
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly summary: image shape, task and the fixations."""
        return {
            "shape": list(self.image_shape),
            "task": None if self.task is None else dict(self.task.gains),
            "task_description": None if self.task is None else self.task.description,
            "fixations": [f.as_dict() for f in self.fixations],
        }

    def to_xarray(self) -> Any:
        """An ``xarray.Dataset`` of the result with named dims (needs xarray:
        ``pip install neuroattn[xarray]``).

        ``saliency`` (the map level's, :attr:`saliency_map`) and ``gain`` over (y, x),
        ``feature_maps`` over (channel, y, x), ``conspicuity`` over (group, y, x),
        ``rates`` (time, y, x) and ``ior`` (y, x) of the competition, with ``y``/``x``
        coordinates in image pixels (the cells' centres, as the fixations are placed);
        the fixations as a table over dim ``fixation`` (``fixation_x``, ``fixation_y``,
        ``onset_ms``, ``duration_ms``, ``latency_ms``, ``fixation_saliency``); the
        level, scale, image size, rate threshold and task as attributes.
        """
        return _result_xarray.to_dataset(self)

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
        radius = 0.03 * max(self.image_shape)
        if kind == "overview":  # the map level's saliency: the figure resizes it for display
            return _plot.plot_overview(
                self.image,
                self.saliency_map,
                self.fixations,
                self.trace,
                title=title,
                radius=radius,
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
