r"""Saliency metrics (the pysaliency / MIT benchmark conventions) and search measures.

Location-based metrics take a saliency map ``(H, W)`` and fixations, given either as
points ``(n, 2)`` of (x, y) pixel coordinates (truncated to integers, as pysaliency
does), as :class:`~neuroattn.vision.compete.Fixation` objects, or as a boolean fixation
map of the saliency map's shape:

* NSS — mean of the standardised map (s − μ)/σ at the fixations (σ with ddof 0);
* AUC-Judd — ROC area with a threshold at every fixated value: TP_i = i/N_f,
  FP_i = (#pixels ≥ t_i − i)/(N_pixels − N_f), plus (0, 0) and (1, 1);
* AUC-Borji — ROC area of the fixated values against as many uniformly sampled pixels,
  thresholds every 0.1 of the [0, 1]-scaled map, averaged over 100 splits.

Distribution-based metrics compare a saliency map with a reference map (e.g. a blurred
fixation map), both turned into densities p = s/Σs:

* CC — Pearson correlation (0 when only the first map is constant);
* KLD — Σ q log(ε + q/(p + ε)), q the reference, ε = 2.2204e-16 (MIT);
* SIM — Σ min(p, q).

For search arrays: :func:`fixations_to_find` (the rank of the first fixation on the
target), :func:`gsi` (global saliency index, Kotseruba et al. 2019) and
:func:`reaction_time` (simulated RT from fixation onsets).

References
----------
Bylinskii, Z., Judd, T., Oliva, A., Torralba, A. & Durand, F. (2019). What do different
evaluation metrics tell us about saliency models? IEEE PAMI 41(3), 740–757.
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

from ..dynamics.checks import check_integer, check_number

EPS = 2.2204e-16

__all__ = [
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
    s = np.asarray(saliency, dtype=np.float64)
    if s.ndim != 2 or s.size == 0:
        raise ValueError(f"{name}: expected a 2-D map, got shape {s.shape}")
    if not np.isfinite(s).all():
        raise ValueError(f"{name}: contains NaN or infinite values")
    return s


def _points(fixations: Any) -> np.ndarray:
    if len(fixations) and hasattr(fixations[0], "x"):
        return np.array([[f.x, f.y] for f in fixations], dtype=np.float64)
    pts = np.asarray(fixations, dtype=np.float64).reshape(-1, 2)
    if not np.isfinite(pts).all():
        raise ValueError("fixations: contains NaN or infinite coordinates")
    return pts


def _fixated(saliency: np.ndarray, fixations: Any) -> np.ndarray:
    """Saliency values at the fixations (one per fixation; a map gives one per pixel)."""
    arr = np.asarray(fixations) if not isinstance(fixations, (list, tuple)) else None
    if arr is not None and arr.shape == saliency.shape and arr.dtype == np.bool_:
        return saliency[arr]
    pts = _points(fixations)
    x, y = pts[:, 0].astype(int), pts[:, 1].astype(int)
    h, w = saliency.shape
    if ((x < 0) | (x >= w) | (y < 0) | (y >= h)).any():
        raise ValueError(f"fixations: coordinates outside the {w}×{h} map")
    return saliency[y, x]


def nss(saliency: Any, fixations: Any) -> float:
    """Normalised scanpath saliency: mean of (s − μ)/σ at the fixations."""
    s = _map(saliency)
    values = _fixated(s, fixations)
    if values.size == 0:
        raise ValueError("nss: no fixations")
    std = s.std()
    return float((values - s.mean()).mean() / std) if std else float((values - s.mean()).mean())


def auc_judd(saliency: Any, fixations: Any) -> float:
    """AUC-Judd (MIT benchmark): a threshold at each fixated saliency value."""
    s = _map(saliency)
    span = s.max() - s.min()
    s = (s - s.min()) / span if span else np.zeros_like(s)
    fix = np.sort(_fixated(s, fixations))[::-1]
    n_fix, n_pix = fix.size, s.size
    if n_fix == 0 or n_fix >= n_pix:
        raise ValueError("auc_judd: need at least one fixation and one other pixel")
    ranked = np.sort(s.ravel())
    above = n_pix - np.searchsorted(ranked, fix, side="left")  # #pixels >= each threshold
    i = np.arange(1, n_fix + 1)
    tp = np.concatenate([[0.0], i / n_fix, [1.0]])
    fp = np.concatenate([[0.0], (above - i) / (n_pix - n_fix), [1.0]])
    return float(np.trapezoid(tp, fp))


def auc_borji(
    saliency: Any,
    fixations: Any,
    *,
    n_splits: int = 100,
    step: float = 0.1,
    seed: int | np.random.Generator | None = None,
) -> float:
    """AUC-Borji: fixated values against uniformly sampled pixels, averaged over splits."""
    check_integer(n_splits, "n_splits", ge=1)
    check_number(step, "step", gt=0)
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
        thresholds = np.arange(0, top + step / 2, step)[::-1]
        tp = np.concatenate([[0.0], (fix >= thresholds[:, None]).mean(1), [1.0]])
        fp = np.concatenate([[0.0], (sample >= thresholds[:, None]).mean(1), [1.0]])
        areas.append(np.trapezoid(tp, fp))
    return float(np.mean(areas))


def _density(s: np.ndarray) -> np.ndarray:
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
    """Pearson correlation of two maps (0 when only ``saliency`` is constant)."""
    s, r = _pair(saliency, reference)
    if s.std() == 0 or r.std() == 0:
        return 0.0 if s.std() == 0 and r.std() != 0 else float("nan")
    return float(np.corrcoef(s.ravel(), r.ravel())[0, 1])


def kld(saliency: Any, reference: Any) -> float:
    """KL divergence of the reference density q from the saliency density p (MIT)."""
    s, r = _pair(saliency, reference)
    p, q = _density(s), _density(r)
    return float((q * np.log(EPS + q / (p + EPS))).sum())


def sim(saliency: Any, reference: Any) -> float:
    """Histogram intersection Σ min(p, q) of the two densities (1 = identical)."""
    s, r = _pair(saliency, reference)
    return float(np.minimum(_density(s), _density(r)).sum())


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
    """Rank (1-based) of the first fixation within ``radius`` px of the target; inf if none."""
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
    onset plus its duration) plus ``base_ms`` — the search ends when it gives up.
    """
    if target_mask is not None and np.asarray(target_mask).any():
        hits = _hits(fixations, target_mask, radius)
        if hits.any():
            return float(fixations[int(np.argmax(hits))].onset) + base_ms, True
    if not len(fixations):
        return base_ms, False
    last = fixations[-1]
    return float(last.onset + last.duration) + base_ms, False
