"""A fixation's looks pooled: against a plain-loop reference, and through ``look``."""

from __future__ import annotations

import math

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("sklearn")

from neuroattn.apps.detect import NOTHING, look
from neuroattn.apps.detect._evidence import pool_looks


class Noisy:
    """Probabilities that are a fixed function of the box (seeded by its coordinates)."""

    def __init__(self, peaked: bool = False) -> None:
        self.peaked, self.calls = peaked, 0

    def probabilities(self, image: np.ndarray, boxes: np.ndarray) -> np.ndarray:
        self.calls += len(boxes)
        out = []
        for b in np.asarray(boxes).reshape(-1, 4):
            rng = np.random.default_rng([round(1000 * v) % 2**31 for v in b])
            p = rng.gamma(0.3 if self.peaked else 1.0, size=NOTHING + 1)
            out.append(p / p.sum())
        return np.array(out).reshape(-1, NOTHING + 1)


def _iou(a: list[float], b: list[float]) -> float:
    h = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    w = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = h * w
    area = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1])
    return inter / (area - inter)


def _reference(clf, boxes, probs, look_of, zoom, shift, pool, k):
    """Plain loops: anchor, second looks, pooled evidence, the k best digits."""
    out = []
    for fix in sorted(set(look_of.tolist())):
        mine = [j for j in range(len(boxes)) if look_of[j] == fix]
        naming = [j for j in mine if int(np.argmax(probs[j])) != NOTHING]
        if not naming:
            continue
        a = max(naming, key=lambda j: (max(probs[j][:NOTHING]), -j))
        t, lf, bt, rt = boxes[a]
        cy, cx, half = (t + bt) / 2, (lf + rt) / 2, (bt - t) / 2
        views = [[cy - f * half, cx - f * half, cy + f * half, cx + f * half]
                 for f in (1 - zoom, 1 + zoom)]  # fmt: skip
        for dy, dx in ((1, 0), (-1, 0), (0, 1), (0, -1)):
            y, x = cy + dy * shift * 2 * half, cx + dx * shift * 2 * half
            views.append([y - half, x - half, y + half, x + half])
        looks = [(list(boxes[j]), list(probs[j])) for j in mine if _iou(boxes[a], boxes[j]) >= 0.5]
        looks += [(v, list(clf.probabilities(None, np.array([v]))[0])) for v in views]
        evidence = []
        for d in range(NOTHING):
            if pool == "max":
                e = max((p[d] for _, p in looks if int(np.argmax(p)) == d), default=0.0)
            elif pool == "mean":
                e = sum(p[d] for _, p in looks) / len(looks)
            else:
                g = [
                    math.exp(sum(math.log(p[c]) for _, p in looks) / len(looks)) for c in range(11)
                ]
                e = g[d] / sum(g)
            evidence.append(e)
        for d in sorted(range(NOTHING), key=lambda d: (-evidence[d], d))[:k]:
            if evidence[d] > 0:
                ok = [(p[d], -i) for i, (_, p) in enumerate(looks)
                      if pool != "max" or int(np.argmax(p)) == d]  # fmt: skip
                out.append((looks[-max(ok)[1]][0], d, evidence[d], fix))
    return out


@pytest.mark.parametrize("pool", ["max", "mean", "log"])
@pytest.mark.parametrize("k", [1, 3])
def test_pooling_matches_a_plain_loop(pool: str, k: int) -> None:
    rng = np.random.default_rng(5)
    look_of = np.repeat(np.arange(1, 6), 4)  # 5 fixations, 4 glimpses each
    corner = rng.uniform(10, 60, (20, 2))
    side = rng.choice([16.0, 24.0, 32.0], 20)
    corner[1::4] = corner[::4] + 2  # glimpses that agree with their fixation's first
    side[1::4] = side[::4]
    boxes = np.hstack([corner, corner + side[:, None]])
    clf = Noisy(peaked=True)
    probs = clf.probabilities(None, boxes)
    (b, lab, s, fix), calls = pool_looks(
        None, clf, (boxes, probs, look_of), zoom=0.15, shift=0.125, pool=pool, per_fixation=k
    )
    want = _reference(Noisy(peaked=True), boxes, probs, look_of, 0.15, 0.125, pool, k)
    assert len(want) >= 3 and calls == 6 * len(set(fix.tolist()))
    assert lab.tolist() == [w[1] for w in want] and fix.tolist() == [w[3] for w in want]
    assert s == pytest.approx([w[2] for w in want], rel=1e-9)
    assert b == pytest.approx(np.array([w[0] for w in want]).reshape(-1, 4))


class Torn:
    """Around one digit box the looks waver: 4 with p 0.5, 7 with 0.4 (and 0.1 nothing)."""

    def probabilities(self, image: np.ndarray, boxes: np.ndarray) -> np.ndarray:
        out = np.zeros((len(boxes), NOTHING + 1))
        out[:, NOTHING] = 1.0
        near = np.abs(np.asarray(boxes).reshape(-1, 4) - [18, 28, 34, 44]).max(axis=1) < 6
        out[near] = 0.0
        out[near, 4], out[near, 7], out[near, NOTHING] = 0.5, 0.4, 0.1
        return out


def test_a_fixation_reports_its_runner_up_when_asked() -> None:
    canvas = np.zeros((64, 64), np.float32)
    canvas[20:32, 30:42] = 1.0
    one = look(canvas, Torn(), fixations=1, sizes=(16,), zoom=0.15, shift=0.125)
    two = look(canvas, Torn(), fixations=1, sizes=(16,), zoom=0.15, shift=0.125, per_fixation=2)
    assert one.labels.tolist() == [4] and one.calls == two.calls == 2 + 6
    # "max": only answered digits are reported, so a third never appears
    many = look(canvas, Torn(), fixations=1, sizes=(16,), pool="max", per_fixation=3)
    assert two.labels.tolist() == many.labels.tolist() == [4]  # 7 is never the answer
    mean = look(canvas, Torn(), fixations=1, sizes=(16,), pool="mean", per_fixation=2)
    assert mean.labels.tolist() == [4, 7] and mean.order.tolist() == [1, 1]
    assert mean.scores[1] < mean.scores[0] <= 0.5 + 1e-12


@pytest.mark.parametrize(
    ("options", "words"),
    [({"pool": "median"}, "pool must be"), ({"per_fixation": 0}, "per_fixation must be")],
)
def test_bad_pooling_options_are_named(options: dict, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        look(np.zeros((32, 32)), Torn(), **options)
