"""mAP@0.5 against a plain reference implementation and hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("torch")

from neuroattn.apps.detect import average_precision, box_iou, detection_scores


def reference_iou(a: list[float], b: list[float]) -> float:
    h = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    w = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - h * w
    return h * w / union


def reference_map(dets: list, truths: list, labels: list, iou: float = 0.5) -> float:
    """VOC all-point AP with plain loops: precision made monotone from the right, then the
    area summed over the points where recall changes."""
    aps = []
    for c in sorted({int(x) for lab in labels for x in lab}):
        flat = [(s, n, list(b)) for n, (bs, ls, ss) in enumerate(dets)
                for b, lab, s in zip(bs, ls, ss, strict=True) if lab == c]  # fmt: skip
        flat.sort(key=lambda t: -t[0])
        n_truth = sum(int(x == c) for lab in labels for x in lab)
        used: set[tuple[int, int]] = set()
        tp = []
        for _, n, box in flat:
            best, where = 0.0, -1
            for j, (tb, tl) in enumerate(zip(truths[n], labels[n], strict=True)):
                if tl == c and reference_iou(box, list(tb)) > best:
                    best, where = reference_iou(box, list(tb)), j
            ok = best >= iou and (n, where) not in used
            if ok:
                used.add((n, where))
            tp.append(1 if ok else 0)
        rec, prec, hits = [0.0], [0.0], 0
        for k, t in enumerate(tp):
            hits += t
            rec.append(hits / n_truth)
            prec.append(hits / (k + 1))
        rec.append(1.0)
        prec.append(0.0)
        for i in range(len(prec) - 2, -1, -1):
            prec[i] = max(prec[i], prec[i + 1])
        aps.append(sum((rec[i] - rec[i - 1]) * prec[i] for i in range(1, len(rec))
                       if rec[i] != rec[i - 1]))  # fmt: skip
    return float(np.mean(aps))


def test_iou_by_hand() -> None:
    a = [[0, 0, 10, 10]]
    got = box_iou(a, [[0, 0, 10, 10], [0, 5, 10, 15], [20, 20, 30, 30], [2, 2, 4, 4]])
    assert got[0] == pytest.approx([1.0, 50 / 150, 0.0, 4 / 100])


def test_ap_hand_cases() -> None:
    assert average_precision([1, 1], 2) == 1.0
    assert average_precision([1, 0, 1], 2) == pytest.approx(0.5 * 1 + 0.5 * 2 / 3)
    assert average_precision([0, 1], 2) == pytest.approx(0.5 * 0.5)
    assert average_precision([1, 0], 4) == pytest.approx(0.25)
    assert average_precision([], 3) == 0.0
    with pytest.raises(ValueError, match="n_truth"):
        average_precision([1], 0)


def test_scores_hand_case_with_a_duplicate_and_a_wrong_label() -> None:
    truth = [np.array([[0, 0, 10, 10], [20, 20, 30, 30]])]
    labels = [np.array([3, 7])]
    dets = [(np.array([[0, 0, 10, 10], [1, 1, 10, 10], [20, 20, 30, 30], [50, 50, 60, 60]]),
             np.array([3, 3, 1, 7]), np.array([0.9, 0.8, 0.7, 0.6]))]  # fmt: skip
    s = detection_scores(dets, truth, labels)
    # class 3: TP then duplicate FP -> AP 1; class 7: one FP, missed -> AP 0
    assert s.ap[3] == 1.0 and s.ap[7] == 0.0 and np.isnan(s.ap[1])
    assert s.map == 0.5 and s.recall == 0.5 and s.detections == 4 and s.truths == 2


def test_matches_the_reference_on_random_sets() -> None:
    rng = np.random.default_rng(0)
    for _ in range(20):
        truths, labels, dets = [], [], []
        for _ in range(int(rng.integers(1, 6))):
            k = int(rng.integers(1, 5))
            tl = rng.integers(0, 60, (k, 2)).astype(float)
            side = rng.integers(8, 30, (k, 1)).astype(float)
            tb = np.hstack([tl, tl + side])
            truths.append(tb)
            labels.append(rng.integers(0, 4, k))
            m = int(rng.integers(0, 8))
            jitter = rng.normal(0, 4, (m, 4))
            pick = rng.integers(0, k, m)
            dets.append((tb[pick] + jitter, np.where(rng.random(m) < 0.8, labels[-1][pick],
                         rng.integers(0, 4, m)), rng.random(m)))  # fmt: skip
        got = detection_scores(dets, truths, labels, classes=4).map
        assert got == pytest.approx(reference_map(dets, truths, labels), abs=1e-12)


def test_bad_inputs() -> None:
    with pytest.raises(ValueError, match="same images"):
        detection_scores([], [np.zeros((0, 4))], [np.zeros(0)])
    with pytest.raises(ValueError, match="iou must be"):
        detection_scores([], [], [], iou=0)
    with pytest.raises(ValueError, match="as many boxes, labels and scores"):
        detection_scores([(np.zeros((2, 4)), [1], [0.5])], [np.zeros((1, 4))], [[1]])
    with pytest.raises(ValueError, match="boxes contains NaN or inf"):
        detection_scores([(np.full((1, 4), np.nan), [1], [0.5])], [np.zeros((1, 4))], [[1]])
