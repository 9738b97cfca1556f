"""Detection scores: box IoU, VOC-style average precision per class, mAP and recall.

A detection (image n, box, label, score) is matched, in order of decreasing score over the
whole set, to the ground-truth box of its image and label with which it has the largest
intersection over union; it is a true positive when that IoU is at least ``iou`` (0.5)
and the box was not matched before, else a false positive (a second detection of one
digit is a false positive). With precision p_k and recall r_k after the k-th detection,
the class's average precision is the all-point interpolated area (PASCAL VOC from 2010,
Everingham et al. 2010, sec. 4.2):

    AP = Σ_k (r_k − r_{k−1}) · max_{j ≥ k} p_j,    r_0 = 0,

and mAP is its mean over the classes that have at least one ground-truth box. Recall is
the fraction of ground-truth boxes matched by some detection of their label at the end of
the list. All of this is published; nothing is ours but the code.

References
----------
Everingham, M., Van Gool, L., Williams, C. K. I., Winn, J. & Zisserman, A. (2010). The
PASCAL Visual Object Classes (VOC) challenge. IJCV 88, 303–338.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...dynamics.checks import check_finite_array, check_number

__all__ = ["DetectionScores", "average_precision", "box_iou", "detection_scores"]


def box_iou(a: Any, b: Any) -> np.ndarray:
    """IoU (K, M) of boxes a (K, 4) and b (M, 4), each (top, left, bottom, right)."""
    a = np.asarray(a, dtype=np.float64).reshape(-1, 4)
    b = np.asarray(b, dtype=np.float64).reshape(-1, 4)
    top = np.maximum(a[:, None, 0], b[None, :, 0])  # (K, M)
    left = np.maximum(a[:, None, 1], b[None, :, 1])
    bottom = np.minimum(a[:, None, 2], b[None, :, 2])
    right = np.minimum(a[:, None, 3], b[None, :, 3])
    inter = np.clip(bottom - top, 0, None) * np.clip(right - left, 0, None)  # (K, M)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])  # (K,)
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])  # (M,)
    union = area_a[:, None] + area_b[None, :] - inter
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(union > 0, inter / union, 0.0)


def average_precision(tp: Any, n_truth: int) -> float:
    """All-point interpolated AP of detections sorted by decreasing score.

    ``tp`` (K,) is 1 for a true and 0 for a false positive, in score order; ``n_truth``
    the number of ground-truth boxes (> 0). See the module docstring for the formula.
    """
    hits = np.asarray(tp, dtype=np.float64).reshape(-1)
    if n_truth <= 0:
        raise ValueError(f"n_truth must be > 0, got {n_truth}")
    if hits.size == 0:
        return 0.0
    tps = np.cumsum(hits)
    recall = np.concatenate([[0.0], tps / n_truth])  # (K + 1,)
    precision = tps / np.arange(1, hits.size + 1)  # (K,)
    envelope = np.maximum.accumulate(precision[::-1])[::-1]  # max_{j >= k} p_j
    return float(np.sum(np.diff(recall) * envelope))


@dataclass(frozen=True)
class DetectionScores:
    """mAP, recall and per-class AP of a set of detections (classes without truth: NaN)."""

    map: float
    recall: float
    ap: tuple[float, ...]
    detections: int
    truths: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "map": self.map,
            "recall": self.recall,
            "ap": [None if np.isnan(a) else a for a in self.ap],
            "detections": self.detections,
            "truths": self.truths,
        }


def _flat(
    detections: Sequence[tuple[Any, Any, Any]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(image, box, label, score) of every detection, the boxes checked."""
    image, boxes, labels, scores = [], [], [], []
    for n, (b, lab, s) in enumerate(detections):
        b = check_finite_array(b, f"detections[{n}] boxes").reshape(-1, 4)
        lab, s = np.asarray(lab, np.int64).reshape(-1), np.asarray(s, np.float64).reshape(-1)
        if not (b.shape[0] == lab.size == s.size):
            raise ValueError(f"detections[{n}] must have as many boxes, labels and scores")
        image.append(np.full(lab.size, n))
        boxes.append(b)
        labels.append(lab)
        scores.append(s)
    if not image:
        return np.zeros(0, int), np.zeros((0, 4)), np.zeros(0, int), np.zeros(0)
    return (
        np.concatenate(image),
        np.concatenate(boxes),
        np.concatenate(labels),
        np.concatenate(scores),
    )


def detection_scores(
    detections: Sequence[tuple[Any, Any, Any]],
    truth_boxes: Sequence[Any],
    truth_labels: Sequence[Any],
    *,
    iou: float = 0.5,
    classes: int = 10,
) -> DetectionScores:
    """mAP@``iou``, recall and per-class AP (see the module docstring).

    Parameters
    ----------
    detections : sequence of (boxes (k, 4), labels (k,), scores (k,))
        One entry per image.
    truth_boxes, truth_labels : sequences of (m, 4) and (m,)
        The ground truth of the same images.
    iou : float
        Matching threshold in (0, 1] (0.5: mAP@0.5).
    classes : int
        Labels are 0 … classes − 1.
    """
    check_number(iou, "iou", gt=0, le=1)
    if not (len(detections) == len(truth_boxes) == len(truth_labels)):
        raise ValueError(
            f"detections, truth_boxes and truth_labels must cover the same images, got "
            f"{len(detections)}, {len(truth_boxes)} and {len(truth_labels)}"
        )
    image, boxes, labels, scores = _flat(detections)
    order = np.argsort(-scores, kind="stable")
    t_boxes = [np.asarray(b, np.float64).reshape(-1, 4) for b in truth_boxes]
    t_labels = [np.asarray(lab, np.int64).reshape(-1) for lab in truth_labels]
    used = [np.zeros(lab.size, bool) for lab in t_labels]
    hit = np.zeros(scores.size)
    for k in order:
        n, c = image[k], labels[k]
        same = np.flatnonzero(t_labels[n] == c)
        if same.size == 0:
            continue
        overlap = box_iou(boxes[k], t_boxes[n][same])[0]  # (m_c,)
        best = int(np.argmax(overlap))
        if overlap[best] >= iou and not used[n][same[best]]:
            used[n][same[best]], hit[k] = True, 1.0
    all_labels = np.concatenate(t_labels) if t_labels else np.zeros(0, int)
    ap = []
    for c in range(classes):
        n_truth = int((all_labels == c).sum())
        mine = order[labels[order] == c]
        ap.append(average_precision(hit[mine], n_truth) if n_truth else float("nan"))
    present = [a for a in ap if not np.isnan(a)]
    truths = int(all_labels.size)
    matched = int(sum(u.sum() for u in used))
    return DetectionScores(
        float(np.mean(present)) if present else float("nan"),
        matched / truths if truths else float("nan"),
        tuple(ap),
        int(scores.size),
        truths,
    )
