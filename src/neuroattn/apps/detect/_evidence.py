"""What a fixation's glimpses say: the answer of each look, the choice among the first
glimpses, the second look, and the evidence of several looks pooled (ours).

At a fixation the detector has its first glimpses (the proto-object's box and the known
digit sizes); the one naming a digit with the highest probability is *chosen* and looked
at again (:func:`second_look_views`: 1 ± ``zoom`` times its side about its centre, moved by
± ``shift`` × its side down and across). The fixation's *looks* are the chosen glimpse,
its first glimpses whose boxes agree with it (IoU ≥ ``agree``) and its second looks (every
one agrees at ``zoom``, ``shift`` ≤ 0.15). Each digit d gets an evidence e_d, by ``pool``:

* ``"max"``: the highest probability p_ld of a look l answering d (argmax of p_l), 0 when
  none does — with one digit a fixation, the most confident answer naming a digit (the
  chosen glimpse is the best first one, so only its second looks can beat it);
* ``"mean"``: the class probabilities averaged, e_d = p̄_d with p̄ = (1/L) Σ_l p_l;
* ``"log"``: the normalised geometric mean, p̄_c ∝ exp((1/L) Σ_l log p_lc) (a product of
  experts over the looks: the sum of log-probabilities of independent looks, Hinton 2002).

The fixation reports its ``per_fixation`` digits of highest evidence (those with e_d > 0),
each scored by e_d and boxed by the look with the highest probability of it among those
that count (for "max" the looks answering it; the best-placed view). This is the
fixation's version of what the sliding window gets from many overlapping windows of one
digit, each reporting its own answer: one misreading look no longer decides alone, and
a right reading that lost the fixation stays in the ranking at its (lower) score.

References
----------
Hinton, G. E. (2002). Training products of experts by minimizing contrastive divergence.
Neural Computation 14, 1771–1800.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ._glimpse import NOTHING
from ._metrics import box_iou

if TYPE_CHECKING:  # _classifier imports the config, which imports POOLS from here
    from ._classifier import BoxClassifier

__all__ = ["POOLS", "best_per_look", "decide", "pool_looks", "second_look_views"]

POOLS = ("max", "mean", "log")
_TINY = 1e-12  # floor of a probability before its logarithm

Parts = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # boxes, labels, scores, order


def decide(probs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which rows name a digit (argmax not "nothing"), their digit and its probability."""
    digit = probs[:, :NOTHING].argmax(axis=1)  # (K,)
    score = probs[np.arange(probs.shape[0]), digit]  # (K,)
    return probs.argmax(axis=1) != NOTHING, digit.astype(np.int64), score.astype(np.float64)


def best_per_look(boxes: np.ndarray, probs: np.ndarray, look_of: np.ndarray) -> np.ndarray:
    """Per fixation, the index of its candidate naming a digit with the highest
    probability (fixations whose candidates all answer "nothing" have none)."""
    found, _, scores = decide(probs)
    picked = []
    for k in np.unique(look_of[found]):
        mine = np.flatnonzero(found & (look_of == k))
        picked.append(mine[np.argmax(scores[mine])])
    return np.array(picked, dtype=np.int64)


def second_look_views(boxes: np.ndarray, zoom: float, shift: float) -> np.ndarray:
    """The second looks (m, n, 4) at n boxes (n, 4): 1 − zoom and 1 + zoom times the side
    about the centre (when zoom > 0), then the box moved by + and − shift × its side down,
    then across (when shift > 0); m is 0, 2, 4 or 6."""
    centre, half = 0.5 * (boxes[:, :2] + boxes[:, 2:]), 0.5 * (boxes[:, 2:3] - boxes[:, :1])
    views = [np.hstack([centre - f * half, centre + f * half]) for f in (1 - zoom, 1 + zoom)]
    views = views if zoom > 0 else []
    if shift > 0:
        for step in ((1, 0), (-1, 0), (0, 1), (0, -1)):
            moved = centre + 2 * shift * half * np.array(step)
            views.append(np.hstack([moved - half, moved + half]))
    return np.stack(views) if views else np.zeros((0, len(boxes), 4))


def pool_looks(
    img: np.ndarray,
    classifier: BoxClassifier,
    glimpsed: tuple[np.ndarray, np.ndarray, np.ndarray],
    *,
    zoom: float,
    shift: float,
    pool: str,
    per_fixation: int = 1,
    agree: float = 0.5,
) -> tuple[Parts, int]:
    """Each fixation's detection from its looks pooled (see the module docstring).

    ``glimpsed`` is (boxes (K, 4), probabilities (K, 11), fixation of each (K,)) of the
    first glimpses. Returns (boxes, labels, scores, fixation) of the detections and the
    classifier calls of the second looks.
    """
    boxes, probs, look_of = glimpsed
    i = best_per_look(boxes, probs, look_of)  # (n,)
    anchors = boxes[i].reshape(-1, 4)
    views = second_look_views(anchors, zoom, shift)  # (m, n, 4)
    more = views.reshape(-1, 4)
    seen = np.asarray(classifier.probabilities(img, more)) if len(more) else probs[:0]
    seen = seen.reshape(len(views), len(anchors), probs.shape[1])  # (m, n, 11)
    out: list[tuple[np.ndarray, int, float, int]] = []
    for n, (k, anchor) in enumerate(zip(look_of[i], anchors, strict=True)):
        mine = np.flatnonzero(look_of == k)
        near = mine[box_iou(anchor, boxes[mine]).ravel() >= agree]  # holds the anchor
        p = np.concatenate([probs[near], seen[:, n]])  # (L, 11)
        b = np.concatenate([boxes[near], views[:, n]])  # (L, 4)
        votes = _votes(p) if pool == "max" else p[:, :NOTHING]  # (L, 10)
        evidence = votes.max(axis=0) if pool == "max" else _pooled(p, pool)[:NOTHING]
        for label in np.argsort(-evidence, kind="stable")[:per_fixation]:
            if evidence[label] > 0:  # the box: the look most sure of the label
                out.append((b[int(np.argmax(votes[:, label]))], int(label), evidence[label], k))
    parts = (
        np.array([o[0] for o in out], np.float64).reshape(-1, 4),
        np.array([o[1] for o in out], np.int64),
        np.array([o[2] for o in out], np.float64),
        np.array([o[3] for o in out], np.int64),
    )
    return parts, len(more)


def _votes(p: np.ndarray) -> np.ndarray:
    """Each look's vote (L, 10): its probability of the digit it answers, 0 elsewhere (and
    everywhere for a look answering "nothing")."""
    answer = p.argmax(axis=1)  # (L,)
    return np.where(answer[:, None] == np.arange(NOTHING), p[:, :NOTHING], 0.0)


def _pooled(p: np.ndarray, pool: str) -> np.ndarray:
    """The arithmetic ("mean") or normalised geometric ("log") mean of the rows of p."""
    if pool == "mean":
        return p.mean(axis=0)
    g = np.exp(np.log(np.maximum(p, _TINY)).mean(axis=0))
    return g / g.sum()
