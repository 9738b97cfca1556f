"""The closed loop's state and records: what stage 4 carries between fixations and trials.

Within one image the loop runs encode → features → compete → feedback → encode …: after
each fixation attention leaves the winner, whose spot in the field turns suppressive
(peak 1/a: inhibition of return entering encoding), the encoding is modulated
by it (:func:`._modulate.modulate`, from the drive kept from the first pass), and the
feature and saliency maps are recomputed before the next competition starts from the
network's current state, with inhibition of return still in force. Between images
(:meth:`~.pipeline.Pipeline.run_trials`) the priming history of :class:`LoopState` is
carried on; the spatial field is not (each trial starts from its cues only).

One iteration costs one modulation of every channel at every level (a Gaussian pool
per level and channel group) plus the feature and saliency stages — about what a
second bottom-up pass costs without the pyramid construction. A new
:class:`LoopState` (the default) is a reset: no history.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from ._result import AttentionResult

__all__ = ["LoopState", "TrialSequence", "cue_points", "per_trial", "target_point"]


@dataclass(frozen=True)
class LoopState:
    """The state stage 4 carries from trial to trial.

    Attributes
    ----------
    history : mapping of str to float
        The priming gain of each feature map (one when absent): raised for the features
        of recent targets, decaying over trials (Maljkovic & Nakayama 1994).
    trials : int
        Trials run since the last reset.
    """

    history: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    trials: int = 0


@dataclass(frozen=True)
class TrialSequence:
    """The results of a sequence of trials and the loop's state after the last.

    Attributes
    ----------
    results : tuple of AttentionResult
        One per image, in order.
    states : tuple of LoopState
        The state each trial started from (``states[0]`` is the one given).
    state : LoopState
        The state after the last trial (pass it to the next call to continue).
    """

    results: tuple[AttentionResult, ...]
    states: tuple[LoopState, ...]
    state: LoopState

    def __len__(self) -> int:
        return len(self.results)


def target_point(
    target: Any, result: AttentionResult, shape: tuple[int, int], k: int
) -> tuple[float, float] | None:
    """Where trial k's target was, (x, y) in image pixels, or None (nothing to prime).

    The centre of mass of ``target`` (a boolean mask of the image's ``shape``) when
    given — an empty mask is a target-absent trial — else the first fixation.
    """
    if target is not None:
        mask = np.asarray(target, bool)
        if mask.shape != shape:
            raise ValueError(f"targets[{k}]: shape {mask.shape} does not match its image {shape}")
        if not mask.any():
            return None
        ys, xs = np.nonzero(mask)
        return float(xs.mean()), float(ys.mean())
    if result.fixations:
        return result.fixations[0].x, result.fixations[0].y
    return None


def per_trial(values: Any, n: int, name: str) -> list[Any]:
    """One entry per trial (None for all when ``values`` is None)."""
    if values is None:
        return [None] * n
    out = list(values)
    if len(out) != n:
        raise ValueError(f"{name}: {len(out)} given for {n} images")
    return out


def cue_points(cue: Any) -> list[tuple[float, float]]:
    """Cues as a list of (x, y): None, one (x, y) pair, or a sequence of pairs."""
    if cue is None:
        return []
    try:
        arr = np.asarray(cue, dtype=np.float64)
    except (TypeError, ValueError):
        arr = np.zeros((0, 0))
    if arr.ndim == 1:
        arr = arr[None]
    if arr.ndim != 2 or arr.shape[1] != 2 or not np.isfinite(arr).all():
        raise ValueError(f"cue must be (x, y) or a sequence of (x, y) pixels, got {cue!r}")
    return [(float(x), float(y)) for x, y in arr]
