"""Ranking metrics of click prediction: AUC and the per-user GAUC of Zhou et al. (2018).

AUC is the probability that a random click is scored above a random non-click, ties
counting one half: the Mann–Whitney statistic

.. math:: \\mathrm{AUC} = \\frac{R_+ - n_+ (n_+ + 1)/2}{n_+ n_-},

with R_+ the sum of the clicks' ranks among all scores (ties given their mean rank).
GAUC (Zhou et al. 2018, after Zhu et al. 2017) is the mean of each user's AUC weighted by
the user's impressions, over the users who have both clicks and non-clicks:
GAUC = Σ_u n_u AUC_u / Σ_u n_u.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.stats import rankdata

from ...dynamics.checks import check_finite_array

__all__ = ["auc", "gauc"]


def _labels(labels: Any, n: int) -> np.ndarray:
    y = check_finite_array(labels, "labels").reshape(-1)
    if y.shape[0] != n:
        raise ValueError(f"labels must have one value per score ({n}), got {y.shape[0]}")
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError("labels must be 0 or 1, got other values")
    return y


def _auc(scores: np.ndarray, y: np.ndarray) -> float:
    positives = int(y.sum())
    negatives = y.shape[0] - positives
    ranks = rankdata(scores)  # (N,), ties at their mean rank
    rank_sum = float(ranks[y == 1].sum())
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def auc(scores: Any, labels: Any) -> float:
    """Area under the ROC curve of ``scores`` (higher: more likely a click) for 0/1 ``labels``.

    Raises
    ------
    ValueError
        For non-finite scores, labels other than 0/1, mismatched lengths, or labels of
        one class only (the AUC is then undefined).
    """
    s = check_finite_array(scores, "scores").reshape(-1)
    y = _labels(labels, s.shape[0])
    if not ((y == 0).any() and (y == 1).any()):
        raise ValueError("labels must hold both clicks (1) and non-clicks (0) for an AUC")
    return _auc(s, y)


def gauc(scores: Any, labels: Any, users: Any) -> float:
    """Impression-weighted mean of the per-user AUCs (users with one class left out).

    Returns NaN when no user has both clicks and non-clicks.

    Raises
    ------
    ValueError
        As :func:`auc`, or for ``users`` not one per score.
    """
    s = check_finite_array(scores, "scores").reshape(-1)
    y = _labels(labels, s.shape[0])
    u = np.asarray(users).reshape(-1)
    if u.shape[0] != s.shape[0]:
        raise ValueError(f"users must have one value per score ({s.shape[0]}), got {u.shape[0]}")
    order = np.argsort(u, kind="stable")
    bounds = np.flatnonzero(u[order][1:] != u[order][:-1]) + 1
    total, weight = 0.0, 0
    for group in np.split(order, bounds):
        yg = y[group]
        if group.size == 0 or yg.min() == yg.max():
            continue
        total += group.size * _auc(s[group], yg)
        weight += group.size
    return total / weight if weight else float("nan")
