r"""Saliency metrics (the MIT benchmark and pysaliency conventions) and search measures.

Location-based metrics take a saliency map ``(H, W)`` and fixations, given either as
points ``(n, 2)`` of (x, y) pixel coordinates (truncated to integers, as pysaliency
does; a pixel fixated twice counts twice), as :class:`~neuroattn.vision.compete.Fixation`
objects, or as a boolean fixation map of the saliency map's shape (each fixated pixel
once, as the MIT benchmark's binary fixation maps):

* NSS — mean of the standardised map (s − μ)/σ at the fixations (σ with ddof 0, as
  pysaliency; the MIT code's ``std`` has ddof 1, a factor √(N/(N − 1)) apart);
* AUC-Judd — ROC area of the fixated values (positives) against the values of every
  pixel that is not fixated (negatives), thresholds at the fixated values; ties are
  counted exactly (see :func:`auc_judd`);
* AUC-Borji — ROC area of the fixated values against as many uniformly sampled pixels,
  thresholds every 0.1 of the [0, 1]-scaled map, averaged over 100 splits.

Distribution-based metrics compare a saliency map with a reference map (e.g. a blurred
fixation map), both turned into densities p = s/Σs (a map with negative values is
shifted by its minimum first; a constant map is the uniform density):

* CC — Pearson correlation (0 when either map is constant);
* KLD — Σ q log(ε + q/(p + ε)), q the reference, ε = 2.2204e-16 (the MIT benchmark's
  regularisation; pysaliency's ``MIT_KLDiv``);
* SIM — Σ min(p, q); pysaliency's convention by default, the MIT benchmark's (each map
  scaled to [0, 1] first) with ``convention="mit"``.

No metric returns NaN: constant and all-zero maps have the values stated above, and
empty fixations, maps that are not 2-D or not finite are a ValueError.

For search arrays: :func:`fixations_to_find` (the rank of the first fixation on the
target), :func:`gsi` (global saliency index, Kotseruba et al. 2019) and
:func:`reaction_time` (simulated RT from fixation onsets).

References
----------
Judd, T., Ehinger, K., Durand, F. & Torralba, A. (2009). Learning to predict where
humans look. ICCV, 2106–2113.
Bylinskii, Z., Judd, T., Oliva, A., Torralba, A. & Durand, F. (2019). What do different
evaluation metrics tell us about saliency models? IEEE PAMI 41(3), 740–757 (the MIT
saliency benchmark's code: ``AUC_Judd.m``, ``similarity.m``, ``KLdiv.m``).
Kümmerer, M., Wallis, T. S. A. & Bethge, M. (2018). Saliency benchmarking made easy.
ECCV (pysaliency).
Kotseruba, I., Wloka, C., Rasouli, A. & Tsotsos, J. K. (2019). BMVC.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import cv2
import numpy as np

from ..dynamics.checks import check_choice, check_integer, check_number

EPS = 2.2204e-16
AUC_THRESHOLDS = ("fixations", "all")
SIM_CONVENTIONS = ("pysaliency", "mit")

__all__ = [
    "AUC_THRESHOLDS",
    "SIM_CONVENTIONS",
    "auc_borji",
    "auc_judd",
    "cc",
    "fixations_to_find",
    "gsi",
    "kld",
    "nss",
    "reaction_time",
    "sim",
]


def _map(saliency: Any, name: str = "saliency") -> np.ndarray:
    """A finite 2-D float64 map, scaled by its largest magnitude (every metric here is
    invariant to that scale; huge values cannot overflow the sums)."""
    s = np.asarray(saliency)
    if s.dtype.kind not in "biuf":
        raise TypeError(f"{name}: expected a real numeric map, got dtype {s.dtype}")
    s = s.astype(np.float64)
    if s.ndim != 2 or s.size == 0:
        raise ValueError(f"{name}: expected a 2-D map, got shape {s.shape}")
    if not np.isfinite(s).all():
        raise ValueError(f"{name}: contains NaN or infinite values")
    peak = float(np.abs(s).max())
    return s / peak if peak > 0 else s


def _points(fixations: Any) -> np.ndarray:
    if len(fixations) and hasattr(fixations[0], "x"):
        return np.array([[f.x, f.y] for f in fixations], dtype=np.float64)
    arr = np.asarray(fixations)
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"fixations: expected (x, y) numbers, got dtype {arr.dtype}")
    if arr.size and (arr.ndim > 2 or arr.shape[-1] != 2):
        raise ValueError(f"fixations: expected points of shape (n, 2), got {arr.shape}")
    pts = arr.astype(np.float64).reshape(-1, 2)
    if not np.isfinite(pts).all():
        raise ValueError("fixations: contains NaN or infinite coordinates")
    return pts


def _fixation_index(saliency: np.ndarray, fixations: Any) -> np.ndarray:
    """Flat indices of the fixated pixels: one per fixation (one per pixel of a map)."""
    arr = None if isinstance(fixations, (list, tuple)) else np.asarray(fixations)
    if arr is not None and arr.dtype == np.bool_:
        if arr.shape != saliency.shape:
            raise ValueError(
                f"fixations: a fixation map must have the map's shape {saliency.shape}, "
                f"got {arr.shape}"
            )
        return np.flatnonzero(arr)
    pts = _points(fixations)
    x, y = np.trunc(pts[:, 0]), np.trunc(pts[:, 1])  # as pysaliency's int()
    h, w = saliency.shape
    if ((x < 0) | (x >= w) | (y < 0) | (y >= h)).any():
        raise ValueError(f"fixations: coordinates outside the {w}×{h} map")
    return y.astype(np.intp) * w + x.astype(np.intp)


def _fixated(saliency: np.ndarray, fixations: Any) -> np.ndarray:
    """Saliency values at the fixations (one per fixation; a map gives one per pixel)."""
    return saliency.ravel()[_fixation_index(saliency, fixations)]


def nss(saliency: Any, fixations: Any) -> float:
    """Normalised scanpath saliency: mean of (s − μ)/σ at the fixations.

    A constant map has σ = 0 and NSS 0 (as pysaliency: the differences are not divided).
    """
    s = _map(saliency)
    values = _fixated(s, fixations)
    if values.size == 0:
        raise ValueError("nss: no fixations")
    std = s.std()
    return float((values - s.mean()).mean() / std) if std else float((values - s.mean()).mean())


def _trapezoid(y: np.ndarray, x: np.ndarray) -> float:
    """Trapezoid area under y(x): numpy's ``trapezoid`` formula, which numpy < 2 lacks."""
    return float((np.diff(x) * (y[1:] + y[:-1]) / 2.0).sum())


def _roc_area(positives: np.ndarray, negatives: np.ndarray, thresholds: np.ndarray) -> float:
    """Trapezoid area under the ROC points at ``thresholds``, with (0, 0) and (1, 1).

    At threshold t the hit rate is #{positives ≥ t}/#positives and the false-positive rate
    #{negatives ≥ t}/#negatives; values tied with t count on both sides, so a tie between
    a positive and a negative is a diagonal step (half a pair), never an ordering.
    """
    t = np.unique(thresholds)[::-1]
    hits = positives.size - np.searchsorted(np.sort(positives), t, side="left")
    false = negatives.size - np.searchsorted(np.sort(negatives), t, side="left")
    tpr = np.concatenate([[0.0], hits / positives.size, [1.0]])
    fpr = np.concatenate([[0.0], false / negatives.size, [1.0]])
    return _trapezoid(tpr, fpr)


def auc_judd(saliency: Any, fixations: Any, *, thresholds: str = "fixations") -> float:
    """AUC-Judd: the saliency map as a classifier of fixated against other pixels.

    The definition of the MIT saliency benchmark (``AUC_Judd.m``; Judd et al. 2009,
    Bylinskii et al. 2019): positives are the saliency values at the fixations, negatives
    the values at every pixel that is not fixated; the ROC curve has a point at each
    threshold, hit rate = fraction of positives ≥ t, false-positive rate = fraction of
    negatives ≥ t, plus (0, 0) and (1, 1), and the AUC is its trapezoid area.

    Ties are counted exactly: a threshold counts every pixel tied with it (a constant map
    scores 0.5, whatever the fixations). The MIT code instead breaks ties by adding noise
    of 1e-7 and then counts FP = (#pixels ≥ t − i)/(#pixels − #fixations) for the i-th
    largest fixated value, which is the same on maps without ties.

    Parameters
    ----------
    saliency : array_like, shape (H, W)
    fixations : array_like (n, 2), sequence of Fixation, or bool array (H, W)
        Points (x, y) — a pixel fixated k times is k positives, as in pysaliency — or a
        fixation map (each fixated pixel once, as the MIT benchmark).
    thresholds : {"fixations", "all"}
        ``"fixations"`` (Judd): a threshold at each distinct fixated value; between them
        the curve is a straight line. ``"all"``: a threshold at each distinct value of
        the map, the exact ROC area, equal to the Mann–Whitney U / (#pos · #neg) with ties
        as half. The two differ by at most 1/(2 · #fixations).

    Returns
    -------
    float
        In [0, 1]; 0.5 is chance.

    Raises
    ------
    ValueError
        No fixations, every pixel fixated, or a bad map, fixation or ``thresholds``.

    References
    ----------
    Judd, T. et al. (2009). ICCV. Bylinskii, Z. et al. (2019). IEEE PAMI 41(3), 740–757.
    """
    check_choice(thresholds, "thresholds", AUC_THRESHOLDS)
    s = _map(saliency)
    index = _fixation_index(s, fixations)
    if index.size == 0:
        raise ValueError("auc_judd: no fixations")
    fixated = np.zeros(s.size, bool)
    fixated[index] = True
    if fixated.all():
        raise ValueError("auc_judd: every pixel is fixated; need at least one other pixel")
    flat = s.ravel()
    positives, negatives = flat[index], flat[~fixated]
    cuts = positives if thresholds == "fixations" else flat
    return _roc_area(positives, negatives, cuts)


def auc_borji(
    saliency: Any,
    fixations: Any,
    *,
    n_splits: int = 100,
    step: float = 0.1,
    seed: int | np.random.Generator | None = None,
) -> float:
    """AUC-Borji: fixated values against uniformly sampled pixels, averaged over splits.

    The map is scaled to [0, 1] (a constant map to zero: it scores 0.5); per split, as
    many pixels as fixations are drawn uniformly (with replacement) and the ROC has
    thresholds every ``step`` (MIT benchmark, ``AUC_Borji.m``).
    """
    check_integer(n_splits, "n_splits", ge=1)
    check_number(step, "step", gt=0, le=1)
    s = _map(saliency)
    span = s.max() - s.min()
    s = (s - s.min()) / span if span else np.zeros_like(s)
    fix = _fixated(s, fixations)
    if fix.size == 0:
        raise ValueError("auc_borji: no fixations")
    rng = np.random.default_rng(seed)
    rand = s.ravel()[rng.integers(0, s.size, size=(n_splits, fix.size))]
    areas = []
    for sample in rand:
        top = max(fix.max(), sample.max())
        cuts = np.arange(0, top + step / 2, step)[::-1]
        tp = np.concatenate([[0.0], (fix >= cuts[:, None]).mean(1), [1.0]])
        fp = np.concatenate([[0.0], (sample >= cuts[:, None]).mean(1), [1.0]])
        areas.append(_trapezoid(tp, fp))
    return float(np.mean(areas))


def _density(s: np.ndarray) -> np.ndarray:
    """s shifted to be non-negative (if it is not) and divided by its sum; uniform if the
    sum is zero (pysaliency's ``convert_saliency_map_to_density``)."""
    if s.min() < 0:
        s = s - s.min()
    total = s.sum()
    return s / total if total else np.full_like(s, 1.0 / s.size)


def _pair(saliency: Any, reference: Any) -> tuple[np.ndarray, np.ndarray]:
    s, r = _map(saliency), _map(reference, "reference")
    if s.shape != r.shape:
        raise ValueError(f"saliency {s.shape} and reference {r.shape} differ in shape")
    return s, r


def cc(saliency: Any, reference: Any) -> float:
    """Pearson correlation of two maps.

    A constant map has no variance and the correlation is undefined; here it is 0 when
    either map is constant (pysaliency gives 0 only when the saliency map alone is
    constant, NaN otherwise; the MIT code NaN).
    """
    s, r = _pair(saliency, reference)
    ds, dr = s - s.mean(), r - r.mean()
    ns, nr = math.sqrt(float((ds * ds).sum())), math.sqrt(float((dr * dr).sum()))
    if ns == 0 or nr == 0:
        return 0.0
    return float(np.clip((ds * dr).sum() / (ns * nr), -1.0, 1.0))


def kld(saliency: Any, reference: Any) -> float:
    """KL divergence Σ q log(ε + q/(p + ε)) of the reference density q from the saliency
    density p (the MIT benchmark's ε; pysaliency's ``MIT_KLDiv``). 0 for equal maps; a
    constant map is the uniform density."""
    s, r = _pair(saliency, reference)
    p, q = _density(s), _density(r)
    return float((q * np.log(EPS + q / (p + EPS))).sum())


def _minmax_density(s: np.ndarray) -> np.ndarray:
    span = s.max() - s.min()
    return _density((s - s.min()) / span) if span else _density(np.zeros_like(s))


def sim(saliency: Any, reference: Any, *, convention: str = "pysaliency") -> float:
    """Similarity (histogram intersection) Σ min(p, q) of two densities; 1 = identical.

    Parameters
    ----------
    saliency, reference : array_like, shape (H, W)
    convention : {"pysaliency", "mit"}
        How a map becomes a density p. ``"pysaliency"`` (default; pysaliency's ``SIM``):
        shifted by its minimum only if that is negative, then divided by its sum — a
        constant offset of the map counts. ``"mit"`` (the MIT benchmark's
        ``similarity.m``): scaled to [0, 1] by its minimum and maximum first, then divided
        by its sum — the offset does not count. On maps whose minimum is zero the two
        agree.

    Notes
    -----
    A constant map (all zero included) is the uniform density in both conventions. (The
    MIT code leaves an all-zero map at zero, SIM 0, and gives NaN for another constant.)

    References
    ----------
    Bylinskii, Z. et al. (2019). IEEE PAMI 41(3), 740–757. Kümmerer, M. et al. (2018).
    """
    check_choice(convention, "convention", SIM_CONVENTIONS)
    s, r = _pair(saliency, reference)
    dens = _density if convention == "pysaliency" else _minmax_density
    return float(np.minimum(dens(s), dens(r)).sum())


def _target_distance(target_mask: Any) -> np.ndarray:
    mask = np.asarray(target_mask, dtype=bool)
    if mask.ndim != 2 or not mask.any():
        raise ValueError("target_mask: expected a 2-D boolean mask with at least one pixel")
    return cv2.distanceTransform((~mask).astype(np.uint8), cv2.DIST_L2, 5)


def _hits(fixations: Any, target_mask: Any, radius: float) -> np.ndarray:
    dist = _target_distance(target_mask)
    pts = _points(fixations) if len(fixations) else np.zeros((0, 2))
    h, w = dist.shape
    x = np.clip(pts[:, 0].astype(int), 0, w - 1)
    y = np.clip(pts[:, 1].astype(int), 0, h - 1)
    return dist[y, x] <= radius


def fixations_to_find(fixations: Sequence[Any], target_mask: Any, *, radius: float = 0.0) -> float:
    """Rank (1-based) of the first fixation within ``radius`` px of the target.

    A target never fixated is a miss, returned as ``math.inf`` (a sentinel, never NaN):
    a mean over trials with a miss is inf, so count misses apart or leave them out
    (:func:`~.stimuli.search_slope` does, from :func:`~.stimuli.score_trial`).
    """
    hits = _hits(fixations, target_mask, radius)
    return float(np.argmax(hits) + 1) if hits.any() else math.inf


def gsi(saliency: Any, target_mask: Any, distractor_mask: Any) -> float:
    """Global saliency index (S_t − S_d)/(S_t + S_d) of mean saliency in the two masks.

    +1: all saliency on the target; −1: all on the distractors (Kotseruba et al. 2019).
    """
    s = _map(saliency)
    t, d = np.asarray(target_mask, bool), np.asarray(distractor_mask, bool)
    if t.shape != s.shape or d.shape != s.shape or not t.any() or not d.any():
        raise ValueError("gsi: masks must match the map's shape and be non-empty")
    st, sd = s[t].mean(), s[d].mean()
    return float((st - sd) / (st + sd)) if st + sd > 0 else 0.0


def reaction_time(
    fixations: Sequence[Any],
    target_mask: Any = None,
    *,
    radius: float = 0.0,
    base_ms: float = 0.0,
) -> tuple[float, bool]:
    """Simulated reaction time (ms) and whether the target was found.

    Target found: onset of the first fixation on it plus ``base_ms`` (encoding and
    response). Otherwise (target absent, or missed): the end of the scanpath (last
    onset plus its duration) plus ``base_ms`` — the search ends when it gives up. On a
    target-present trial ``found=False`` is a miss: its time is that of a wrong "absent"
    response, not a search time, so leave misses out of RT means and slopes and count
    them (:func:`~.stimuli.search_slope` does).
    """
    if target_mask is not None and np.asarray(target_mask).any():
        hits = _hits(fixations, target_mask, radius)
        if hits.any():
            return float(fixations[int(np.argmax(hits))].onset) + base_ms, True
    if not len(fixations):
        return base_ms, False
    last = fixations[-1]
    return float(last.onset + last.duration) + base_ms, False
