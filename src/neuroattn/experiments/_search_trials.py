"""The visual-search experiment's trials: scanning the displays and collecting RTs,
fixations and slopes per condition (see :mod:`.search`)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from ..vision import Pipeline
from ..vision._family import family
from ..vision.stimuli import SearchArray, SearchSlope, SearchTrial, score_trial, search_slope
from ._search_config import CONDITIONS, SearchConfig
from ._search_observer import observers
from ._timescale import TAU_MS

_FIRST_LOOK = 4  # fixations tried first on target-present trials (speed only, see _scan)


def _target_patch(array: SearchArray, pad: int = 4) -> np.ndarray:
    """The target alone on the display's background (its look, not its place)."""
    ys, xs = np.nonzero(array.target_mask)
    rows = slice(max(int(ys.min()) - pad, 0), int(ys.max()) + pad + 1)
    cols = slice(max(int(xs.min()) - pad, 0), int(xs.max()) + pad + 1)
    patch = array.image[rows, cols].copy()
    patch[~array.target_mask[rows, cols]] = array.image[array.labels == 0][0]
    return patch


def _scanpaths(pipeline: Pipeline, arrays: list[SearchArray], n: int, tasks: list | None):
    """Fixations of each display: one batch without a task, one call per display with."""
    if tasks is None:
        return [r.fixations for r in pipeline.attend([a.image for a in arrays], n_fixations=n)]
    return [
        pipeline.attend(a.image, task=t, n_fixations=n).fixations
        for a, t in zip(arrays, tasks, strict=True)
    ]


def _scan(pipeline: Pipeline, arrays: list[SearchArray], n: int, guided: bool) -> list:
    """Score each display over a scan of at most ``n`` fixations (one per item).

    Target-present displays are first scanned for :data:`_FIRST_LOOK` fixations and only
    those whose target was not yet fixated are scanned again in full: the dynamics are
    deterministic, so the short scan is the long one's beginning (equal within 1e-4 ms).
    """
    tasks = [pipeline.feedback.task(_target_patch(a)) for a in arrays] if guided else None
    present = arrays[0].target_index is not None
    first = min(n, _FIRST_LOOK) if present else n
    trials = [
        score_trial(a, f)
        for a, f in zip(arrays, _scanpaths(pipeline, arrays, first, tasks), strict=True)
    ]
    again = [k for k, t in enumerate(trials) if not t.found] if first < n else []
    if again:
        sub_tasks = None if tasks is None else [tasks[k] for k in again]
        paths = _scanpaths(pipeline, [arrays[k] for k in again], n, sub_tasks)
        for k, fixations in zip(again, paths, strict=True):
            trials[k] = score_trial(arrays[k], fixations)
    return trials


def _slope_se(trials: Sequence[SearchTrial]) -> float:
    """Standard error of the least-squares slope over the correct trials (NaN if undefined)."""
    correct = [t for t in trials if t.outcome != "miss"]
    x = np.array([t.set_size for t in correct], float)
    y = np.array([t.rt_ms for t in correct], float)
    if x.size < 3 or np.ptp(x) == 0:
        return math.nan
    b, a = np.polyfit(x, y, 1)
    residual = float(((y - (a + b * x)) ** 2).sum()) / (x.size - 2)
    return math.sqrt(residual / float(((x - x.mean()) ** 2).sum()))


class _Data(NamedTuple):
    """Per condition × set size × display: RT (NaN on a miss), fixations, correct; per
    condition the slopes, their SE and the quitting threshold."""

    rt: np.ndarray
    fixations: np.ndarray
    correct: np.ndarray
    slopes: dict[str, SearchSlope]
    se: dict[str, float]
    thresholds: np.ndarray


def _simulate(config: SearchConfig) -> _Data:
    pipelines, thresholds = observers(config, CONDITIONS, TAU_MS)
    fam = family(config.split)
    shape = (len(CONDITIONS), len(config.set_sizes), config.n_displays)
    rt, fixations = np.full(shape, np.nan), np.zeros(shape, np.int64)
    correct = np.zeros(shape, bool)
    slopes: dict[str, SearchSlope] = {}
    se: dict[str, float] = {}
    for c, cond in enumerate(CONDITIONS):
        trials: list[SearchTrial] = []
        for s, n in enumerate(config.set_sizes):
            arrays = fam.sample(
                cond.kind, config.n_displays, set_size=n, target=cond.present, start=config.start
            )
            row = _scan(pipelines[c], arrays, n, cond.guided)
            trials += row
            for d, t in enumerate(row):
                correct[c, s, d] = t.outcome != "miss"
                rt[c, s, d] = t.rt_ms if correct[c, s, d] else math.nan
                fixations[c, s, d] = t.n_fixations
        try:
            slopes[cond.name] = search_slope(trials)
        except ValueError:  # correct trials at fewer than two set sizes: no slope
            continue
        se[cond.name] = _slope_se(trials)
    return _Data(rt, fixations, correct, slopes, se, thresholds)
