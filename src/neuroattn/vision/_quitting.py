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

A fixed miss rate cannot be kept when some targets stand out from nothing: on 10 % of the
tuning orientation displays the bars are near the background's luminance, the
orientation channel (which reads luminance) sees none of them, and the target's priority
(~0.001) is *below* the distractors' level of a target-absent display (0.002–0.005). A
staircase held at 5 % misses must then sink below every distractor: each absent display
is scanned item by item (issue 10: 48 ms/item), for 5 % more hits. :func:`costed_threshold`
chooses instead the threshold that costs least over a practice block with a target on
half the trials — items checked, plus ``miss_cost`` × the set size per miss:

.. math::

    C(θ) = \overline{N_θ}^{\,absent} + \overline{[p_t ≤ θ]\,(N_θ + λ n)}^{\,present},
    \qquad N_θ = \max(1, \#\{i : p_i > θ\})

(p_i the items' priorities, :func:`item_priorities`; p_t the target's; a target that is
the display's strongest item is found at the first look). It gives up targets that no
threshold above the distractors can reach when that saves a scan of every absent display,
and keeps scanning when misses would be common: with λ = 3 on the tuning practice
displays of the search experiment (5 per kind, set size 9, 25, 49 and presence) it
settles where an absent display gets one look for colour, orientation and size
singletons (practice misses 0 %, 7 % — one near-isoluminant orientation display in
15 — and 0 %) and below 94 % of the absent items for conjunctions (a nearly exhaustive
scan); every λ from 2 to 30 chooses the same thresholds there.

Published: the activation threshold (Wolfe 1994), its adaptation to the block (Chun &
Wolfe 1996), and quitting as a trade of time against misses (Chun & Wolfe 1996; as an
optimal forager, Cain, Vul, Clark & Mitroff 2012). Ours: the threshold as the
``miss_rate`` quantile of practice targets' priorities (the staircase's steady state,
computed directly) or as the minimum of C(θ) over the practice displays, and the priority
as the maximum of g · S_abs over the map cells an item covers.

References
----------
Wolfe, J. M. (1994). Guided Search 2.0. Psychonomic Bulletin & Review 1, 202–238.
Wolfe, J. M. (2007). Guided Search 4.0. In W. Gray (Ed.), Integrated Models of Cognitive
Systems, 99–119. Oxford University Press.
Chun, M. M. & Wolfe, J. M. (1996). Just say no: how are visual searches terminated when
there is no target present? Cognitive Psychology 30, 39–78.
Cain, M. S., Vul, E., Clark, K. & Mitroff, S. R. (2012). A Bayesian optimal foraging model
of human visual search. Psychological Science 23, 1047–1054.
Kaernbach, C. (1991). Simple adaptive testing with the weighted up-down method.
Perception & Psychophysics 49, 227–229.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import cv2
import numpy as np
from scipy import ndimage

from ..dynamics.checks import check_finite_array, check_integer, check_number

__all__ = [
    "absolute_saliency",
    "adapted_threshold",
    "costed_threshold",
    "item_priorities",
    "target_priority",
]


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


def _check_mask(mask: Any) -> np.ndarray:
    m = np.asarray(mask)
    if m.ndim != 2 or m.dtype != bool or not m.any():
        raise ValueError(f"mask must be a 2-D boolean array with a target, got {m.shape} {m.dtype}")
    return m


def _cells(m: np.ndarray, h: int, w: int, full: tuple[int, int]) -> np.ndarray:
    """The (h, w) map cells that the boolean image ``m`` touches (the image ``full``)."""
    H, W = full
    fy, fx = max(1, -(-H // h)), max(1, -(-W // w))
    grown = cv2.dilate(m.astype(np.uint8), np.ones((fy, fx), np.uint8))
    cells = cv2.resize(grown, (w, h), interpolation=cv2.INTER_AREA) > 0
    if not cells.any():  # a target smaller than a cell: the cell under its centre
        ys, xs = np.nonzero(m)
        cells[min(int(ys.mean() * h / H), h - 1), min(int(xs.mean() * w / W), w - 1)] = True
    return cells


def _priority_map(result: Any, weights: Mapping[str, float] | None) -> np.ndarray:
    return absolute_saliency(result.conspicuity, weights) * np.asarray(result.gain, float)


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
    m = _check_mask(mask)
    s_abs = _priority_map(result, weights)
    h, w = s_abs.shape
    return float(s_abs[_cells(m, h, w, m.shape)].max())


def item_priorities(
    labels: Any, result: Any, *, weights: Mapping[str, float] | None = None
) -> np.ndarray:
    """The absolute priority of every item: :func:`target_priority` of each item's pixels.

    Parameters
    ----------
    labels : ndarray of int, shape (H, W)
        0 on the background, k on the pixels of item k (``SearchArray.labels``).
    result : AttentionResult
        As for :func:`target_priority`.
    weights : mapping of str to float, optional
        The pipeline's conspicuity weights.

    Returns
    -------
    ndarray, shape (labels.max(),)
        Item k − 1's priority (NaN for a label without pixels).
    """
    lab = np.asarray(labels)
    if lab.ndim != 2 or lab.dtype.kind not in "iu" or lab.size == 0 or lab.min() < 0:
        raise ValueError(
            f"labels must be a 2-D array of integers >= 0, got {lab.shape} {lab.dtype}"
        )
    s_abs = _priority_map(result, weights)
    h, w = s_abs.shape
    H, W = lab.shape
    fy, fx = max(1, -(-H // h)), max(1, -(-W // w))
    aligned = H == fy * h and W == fx * w  # crops on the cell grid give the same cells
    out = np.full(int(lab.max()), np.nan)
    for k, box in enumerate(ndimage.find_objects(lab)):
        if box is None:
            continue
        if not aligned:
            out[k] = float(s_abs[_cells(lab == k + 1, h, w, (H, W))].max())
            continue
        r0, c0 = max(box[0].start // fy - 1, 0), max(box[1].start // fx - 1, 0)
        r1, c1 = min(-(-box[0].stop // fy) + 1, h), min(-(-box[1].stop // fx) + 1, w)
        crop = lab[r0 * fy : r1 * fy, c0 * fx : c1 * fx] == k + 1
        cells = _cells(crop, r1 - r0, c1 - c0, crop.shape)
        out[k] = float(s_abs[r0:r1, c0:c1][cells].max())
    return out


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


def costed_threshold(
    present: Sequence[tuple[Any, int]],
    absent: Sequence[Any],
    *,
    miss_cost: float = 3.0,
) -> float:
    """The activation threshold θ of least cost C(θ) over a practice block (see the
    module docstring). C is constant between consecutive priorities of the block, so
    its minimum is found among 0 and every item's priority; ties go to the lowest θ.

    Parameters
    ----------
    present : sequence of (ndarray, int)
        Per target-present display, its items' priorities (:func:`item_priorities`) and
        the target's index among them.
    absent : sequence of ndarray
        Per target-absent display, its items' priorities.
    miss_cost : float
        λ: a miss costs as much as checking every item of its display λ times.
    """
    check_number(miss_cost, "miss_cost", ge=0, le=1e6)
    if not present:
        raise ValueError("present must hold at least one display, got none")
    items = [_priorities(p, f"present[{k}]") for k, (p, _) in enumerate(present)]
    targets = [check_integer(t, f"present[{k}] target", ge=0, le=len(items[k]) - 1)
               for k, (_, t) in enumerate(present)]  # fmt: skip
    empty = [_priorities(a, f"absent[{k}]") for k, a in enumerate(absent)]
    theta = np.unique(np.concatenate([[0.0], *items, *empty]))
    cost = np.zeros_like(theta)
    for p, t in zip(items, targets, strict=True):
        missed = (p[t] <= theta) & (p[t] < p.max())  # the strongest item is seen first
        cost += missed * (_checked(p, theta) + miss_cost * p.size) / len(items)
    for a in empty:
        cost += _checked(a, theta) / len(empty)
    return float(theta[np.flatnonzero(cost <= cost.min() * (1 + 1e-12))[0]])


def _checked(p: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """N_θ: the items above each θ, at least the first look."""
    above = p.size - np.searchsorted(np.sort(p), theta, side="right")
    return np.maximum(above, 1).astype(np.float64)


def _priorities(values: Any, name: str) -> np.ndarray:
    p = check_finite_array(values, name)
    if p.ndim != 1 or p.size == 0 or (p < 0).any():
        raise ValueError(f"{name} must be a non-empty 1-D array of values >= 0, got {p!r}")
    return p
