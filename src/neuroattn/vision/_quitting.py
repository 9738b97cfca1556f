r"""When to stop searching: the absolute priority of a target and an adapted threshold.

Guided Search (Wolfe 1994, 2007) ends a target-absent search when no item left
unexamined has an activation (priority) above an **activation threshold**; Chun & Wolfe
(1996) let observers adapt that threshold to the block — lowered after a miss, raised
after a correct "absent" — which trades misses for speed. A staircase that lowers it by
Δ₋ after a miss and raises it by Δ₊ after a correct rejection, on a block with a target
on half the trials, drifts by (Δ₊ − P_miss Δ₋) / 2 per trial and so settles where the
probability of a miss is Δ₊ / Δ₋ (a weighted up–down rule, Kaernbach 1991): where a
fraction ``miss_rate`` of the block's targets have a priority below it.
:func:`adapted_threshold` returns that steady state from the targets' priorities of
practice displays (for the search experiment: the tuning split); the competition reads
it as :class:`~neuroattn.vision.compete.WinnerTakeAll`'s ``quit_threshold``.

The priority is the competition's **absolute** priority p = g · S_abs, S_abs the saliency
map before it was scaled to a maximum of one (Σ_k w_k N(C̄_k) / Σ_k w_k, the conspicuity
maps' weighted mean), g the top-down gain: a display of equal items, whose maps N(·)
suppresses, has a low one everywhere (issue 10: without a threshold an absent feature
display was scanned item by item, ~58 ms/item).

Published: the activation threshold (Wolfe 1994) and its adaptation to the block (Chun &
Wolfe 1996). Ours: the threshold as the ``miss_rate`` quantile of practice targets'
priorities (the staircase's steady state, computed directly), and the priority as the
maximum of g · S_abs over the map cells the target covers.

References
----------
Wolfe, J. M. (1994). Guided Search 2.0. Psychonomic Bulletin & Review 1, 202–238.
Wolfe, J. M. (2007). Guided Search 4.0. In W. Gray (Ed.), Integrated Models of Cognitive
Systems, 99–119. Oxford University Press.
Chun, M. M. & Wolfe, J. M. (1996). Just say no: how are visual searches terminated when
there is no target present? Cognitive Psychology 30, 39–78.
Kaernbach, C. (1991). Simple adaptive testing with the weighted up-down method.
Perception & Psychophysics 49, 227–229.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import cv2
import numpy as np

from ..dynamics.checks import check_finite_array, check_number

__all__ = ["absolute_saliency", "adapted_threshold", "target_priority"]


def absolute_saliency(
    conspicuity: Mapping[str, np.ndarray], weights: Mapping[str, float] | None = None
) -> np.ndarray:
    """S_abs = Σ_k w_k C_k / Σ_k w_k over the normalised conspicuity maps (map level)."""
    if not conspicuity:
        raise ValueError("conspicuity must hold at least one map, got none")
    w = np.array([dict(weights or {}).get(g, 1.0) for g in conspicuity], np.float64)
    if not np.isfinite(w).all() or (w < 0).any() or w.sum() <= 0:
        raise ValueError(f"weights must be finite, non-negative and not all zero, got {w}")
    return np.tensordot(w / w.sum(), np.stack(list(conspicuity.values())), axes=1)


def target_priority(mask: Any, result: Any, *, weights: Mapping[str, float] | None = None) -> float:
    """The absolute priority p = g · S_abs at the target: its maximum over the map cells
    that the boolean image ``mask`` touches.

    Parameters
    ----------
    mask : ndarray of bool, shape (H, W)
        The target's pixels in the image the result was computed from.
    result : AttentionResult
        Its ``conspicuity`` and ``gain`` (map level) are read.
    weights : mapping of str to float, optional
        The pipeline's conspicuity weights (one each by default).
    """
    m = np.asarray(mask)
    if m.ndim != 2 or m.dtype != bool or not m.any():
        raise ValueError(f"mask must be a 2-D boolean array with a target, got {m.shape} {m.dtype}")
    s_abs = absolute_saliency(result.conspicuity, weights) * np.asarray(result.gain, float)
    h, w = s_abs.shape
    H, W = m.shape
    fy, fx = max(1, -(-H // h)), max(1, -(-W // w))
    grown = cv2.dilate(m.astype(np.uint8), np.ones((fy, fx), np.uint8))
    cells = cv2.resize(grown, (w, h), interpolation=cv2.INTER_AREA) > 0
    if not cells.any():  # a target smaller than a cell: the cell under its centre
        ys, xs = np.nonzero(m)
        cells[min(int(ys.mean() * h / H), h - 1), min(int(xs.mean() * w / W), w - 1)] = True
    return float(s_abs[cells].max())


def adapted_threshold(
    priorities: Sequence[float] | np.ndarray, *, miss_rate: float = 0.05
) -> float:
    """The steady state of Chun & Wolfe's (1996) adaptive activation threshold: the
    ``miss_rate`` quantile of the targets' priorities (see the module docstring).

    Parameters
    ----------
    priorities : sequence of float
        The absolute priorities of targets on practice displays (:func:`target_priority`).
    miss_rate : float
        The fraction of targets the threshold may miss, in (0, 0.5].
    """
    p = check_finite_array(priorities, "priorities")
    if p.ndim != 1 or p.size == 0 or (p < 0).any():
        raise ValueError(f"priorities must be a non-empty 1-D array of values >= 0, got {p!r}")
    check_number(miss_rate, "miss_rate", gt=0, le=0.5)
    return float(np.quantile(p, miss_rate, method="lower"))
