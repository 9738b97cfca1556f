"""Two detectors with one glimpse classifier: by looking, and by a dense sliding window.

**By looking** (:func:`look`): the vision pipeline (:func:`neuroattn.vision.Pipeline.attend`,
the four stages: saliency, winner-take-all competition, inhibition of return joined with the
proto-object around each winner, Walther & Koch 2006) gives a scanpath over the canvas; it
ends at the fixation cap or when the competition finds no absolute priority above
``quit_threshold`` (Guided Search's activation threshold, Wolfe 1994; Chun & Wolfe 1996).
At each fixation the proto-object under it gives the box: after Walther & Koch (2006), the
connected region (8-neighbours) of the map around the winner whose value is at least
``proto_extent`` of the peak — here taken on the canvas's intensity itself, with the peak
searched within one map cell of the fixation (ours: the saliency map's cells, 4 pixels at
``map_level`` 2, are too coarse for a digit's box). The box is made square about its centre
(side the longer of its height and width: digit boxes are squares). Touching digits make one
proto-object of two, so the fixation is also glimpsed with squares of the digit sizes the
classifier knows (``sizes``, the sliding window's sides), each centred on the intensity's
centre of mass within that square about the fixation (one corrective step; ours); of these
1 + len(sizes) glimpses, the one whose answer names a digit with the highest probability is
chosen (none when every answer is "nothing"), and looked at a second time at 1 ± ``zoom``
times its side about its centre (and moved by ± ``shift`` × its side); by ``pool`` either the
most confident answer naming a digit is the fixation's detection, or the class probabilities
of its looks that agree with the chosen box are averaged and the fixation reports its
``per_fixation`` best-supported digits, scored by the mean (:mod:`._evidence`; ours).

**Sliding window** (:func:`slide`), the baseline: every square window of the sides
``windows`` at a stride of ``stride`` × its side (the last row and column flush with the
border), each one classifier call, the same rule for a detection.

Both end with greedy non-maximum suppression per label (a box overlapping a better-scored
box of its label by IoU above ``nms_iou`` is dropped; Felzenszwalb et al. 2010). The
decisions that are ours: the proto-object on the intensity, the glimpses per fixation and
the choice among them, the square box, and "nothing" as the refusal.

References
----------
Walther, D. & Koch, C. (2006). Modeling attention to salient proto-objects. Neural
Networks 19, 1395–1407.
Wolfe, J. M. (1994). Guided Search 2.0. Psychonomic Bulletin & Review 1, 202–238.
Felzenszwalb, P. F., Girshick, R. B., McAllester, D. & Ramanan, D. (2010). Object
detection with discriminatively trained part-based models. IEEE PAMI 32, 1627–1645.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
from scipy import ndimage

from ...dynamics.checks import check_choice, check_integer, check_number
from ...vision import Pipeline, VisionConfig
from ._classifier import BoxClassifier, check_canvas
from ._evidence import POOLS, pool_looks
from ._evidence import decide as _decide
from ._glimpse import NOTHING
from ._metrics import box_iou

__all__ = ["Detections", "look", "nms", "proto_object_box"]

_EMPTY_PEAK = 0.05  # a fixation whose brightest pixel nearby is below this sees nothing


@dataclass(frozen=True)
class Detections:
    """What a detector found on one canvas.

    Attributes
    ----------
    boxes : ndarray (k, 4)
        (top, left, bottom, right) in pixels, bottom and right exclusive.
    labels : ndarray (k,) int64, digits 0 … 9
    scores : ndarray (k,)
        The classifier's probability of the label.
    calls : int
        Glimpses the classifier was asked about.
    order : ndarray (k,) int64
        The fixation (1, 2, …) each detection came from; 0 for the sliding window.
    fixations : ndarray (f, 2)
        The scanpath's (x, y) in order (empty for the sliding window).
    """

    boxes: np.ndarray
    labels: np.ndarray
    scores: np.ndarray
    calls: int
    order: np.ndarray
    fixations: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))

    def __len__(self) -> int:
        return int(self.labels.size)

    def as_tuple(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(boxes, labels, scores): one entry of :func:`detection_scores`."""
        return self.boxes, self.labels, self.scores

    def to_dict(self) -> dict[str, Any]:
        return {
            "calls": self.calls,
            "fixations": self.fixations.round(2).tolist(),
            "detections": [
                {
                    "box": [round(float(v), 2) for v in b],
                    "label": int(lab),
                    "score": round(float(s), 4),
                    "fixation": int(o),
                }
                for b, lab, s, o in zip(
                    self.boxes, self.labels, self.scores, self.order, strict=True
                )
            ],
        }


def nms(boxes: np.ndarray, labels: np.ndarray, scores: np.ndarray, iou: float) -> np.ndarray:
    """Indices kept by greedy non-maximum suppression per label, best score first."""
    keep: list[int] = []
    for k in np.argsort(-scores, kind="stable"):
        rivals = [j for j in keep if labels[j] == labels[k]]
        if not rivals or box_iou(boxes[k], boxes[rivals]).max() <= iou:
            keep.append(int(k))
    return np.array(keep, dtype=np.int64)


def proto_object_box(
    image: np.ndarray, x: float, y: float, *, extent: float = 0.3, reach: int = 4
) -> np.ndarray | None:
    """The square box (4,) of the proto-object under the fixation (x, y), or None.

    The peak is the brightest pixel within ``reach`` pixels of (x, y); the proto-object the
    8-connected region of pixels at least ``extent`` × the peak that holds it (after Walther
    & Koch 2006, on the intensity; see the module docstring). None when the peak is below
    0.05 (nothing there).
    """
    r0, c0 = max(0, int(y) - reach), max(0, int(x) - reach)
    win = image[r0 : int(y) + reach + 1, c0 : int(x) + reach + 1]
    if win.size == 0:
        return None
    i, j = np.unravel_index(int(np.argmax(win)), win.shape)
    peak = float(win[i, j])
    if peak < _EMPTY_PEAK:
        return None
    labels, _ = ndimage.label(image >= extent * peak, structure=np.ones((3, 3)))
    rows, cols = np.nonzero(labels == labels[r0 + i, c0 + j])
    top, bottom, left, right = rows.min(), rows.max() + 1, cols.min(), cols.max() + 1
    side = max(bottom - top, right - left)
    cy, cx = 0.5 * (top + bottom), 0.5 * (left + right)
    return np.array([cy - side / 2, cx - side / 2, cy + side / 2, cx + side / 2])


@lru_cache(maxsize=8)
def _pipeline(
    map_level: int, ior_radius: float, ior_extent: float, min_saliency: float, quit: float
) -> Pipeline:
    """The vision pipeline (our defaults) with the detector's scan settings."""
    cfg = VisionConfig()
    features = dataclasses.replace(cfg.features, map_level=map_level)
    compete = dataclasses.replace(
        cfg.compete,
        ior_radius=ior_radius,
        ior_extent=ior_extent,
        min_saliency=min_saliency,
        quit_threshold=quit,
    )
    return Pipeline.from_config(dataclasses.replace(cfg, features=features, compete=compete))


def _detections(
    parts: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    calls: int,
    nms_iou: float,
    fixations: np.ndarray,
) -> Detections:
    boxes, labels, scores, order = parts
    keep = nms(boxes, labels, scores, nms_iou)
    return Detections(
        boxes[keep].reshape(-1, 4), labels[keep], scores[keep], calls, order[keep], fixations
    )


def _square(y: float, x: float, side: float) -> np.ndarray:
    return np.array([y - side / 2, x - side / 2, y + side / 2, x + side / 2])


def _centred(img: np.ndarray, y: float, x: float, side: int) -> tuple[float, float]:
    """(y, x) moved to the intensity's centre of mass in the side×side square about it
    (one corrective step; unchanged over an empty square)."""
    top, left = max(0, round(y - side / 2)), max(0, round(x - side / 2))
    win = img[top : round(y + side / 2), left : round(x + side / 2)]
    mass = float(win.sum())
    if mass <= 0:
        return y, x
    rows, cols = np.indices(win.shape)
    return (
        top + float((rows * win).sum()) / mass + 0.5,
        left + float((cols * win).sum()) / mass + 0.5,
    )


def _candidates(
    img: np.ndarray, path: np.ndarray, sizes: Sequence[int], extent: float, reach: int
) -> tuple[np.ndarray, np.ndarray]:
    """Candidate boxes (K, 4) of every fixation and the fixation (1, 2, …) of each."""
    boxes, look_of = [], []
    for k, (x, y) in enumerate(path):
        box = proto_object_box(img, x, y, extent=extent, reach=reach)
        if box is None:
            continue  # nothing under this fixation: no glimpse
        mine = [box, *(_square(*_centred(img, y, x, side), side) for side in sizes)]
        boxes += mine
        look_of += [k + 1] * len(mine)
    return np.array(boxes, dtype=np.float64).reshape(-1, 4), np.array(look_of, np.int64)


def _glimpse_in_order(
    img: np.ndarray,
    classifier: BoxClassifier,
    boxes: np.ndarray,
    look_of: np.ndarray,
    give_up: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Classify the candidates fixation by fixation, in scanpath order, stopping after
    ``give_up`` consecutive fixations whose glimpses all answer "nothing" (0: never).
    Returns the boxes, probabilities and fixations of the glimpses classified."""
    if give_up == 0 or len(boxes) == 0:
        every = classifier.probabilities(img, boxes) if len(boxes) else np.zeros((0, NOTHING + 1))
        return boxes, np.asarray(every), look_of
    done, empty = 0, 0
    probs: list[np.ndarray] = []
    for k in np.unique(look_of):  # fixations in order (1, 2, …)
        mine = np.flatnonzero(look_of == k)
        p = np.asarray(classifier.probabilities(img, boxes[mine]))
        probs.append(p)
        done = int(mine[-1]) + 1
        empty = 0 if _decide(p)[0].any() else empty + 1
        if empty >= give_up:
            break
    return boxes[:done], np.concatenate(probs), look_of[:done]


def look(
    image: Any,
    classifier: BoxClassifier,
    *,
    fixations: int = 40,
    quit_threshold: float = 0.0,
    sizes: Sequence[int] = (16, 24, 32),
    map_level: int = 2,
    ior_radius: float = 9.6,
    ior_extent: float = 0.3,
    min_saliency: float = 0.01,
    proto_extent: float = 0.3,
    zoom: float = 0.15,
    shift: float = 0.0,
    give_up: int = 0,
    pool: str = "max",
    per_fixation: int = 1,
    nms_iou: float = 0.3,
) -> Detections:
    """Detect digits by looking: scanpath → proto-object box (and the known digit sizes)
    → glimpses at each fixation → the most confident one.

    Parameters
    ----------
    image : array_like (H, W)
        A grey canvas in [0, 1].
    classifier : BoxClassifier
        Gives class probabilities (K, 11) of boxes (a :class:`GlimpseClassifier`).
    fixations : int
        The fixation cap, 1 … 200.
    quit_threshold : float
        The competition's activation threshold on the absolute priority (0: off): the
        scanpath ends when nothing left is above it.
    sizes : sequence of int
        Besides the proto-object's square, squares of these sides about the fixation
        (centred on the intensity's centre of mass within them) are glimpsed too: the
        digit sizes the classifier knows (empty: the proto-object alone). Calls per
        fixation: 1 + len(sizes).
    map_level : int
        Pyramid level of the saliency map (2: a quarter of the canvas side).
    ior_radius : float
        Inhibition of return: radius of its disc in pixels (the pipeline's fraction of the
        longer side is this over the canvas's longer side: digits keep their pixel size
        whatever the canvas).
    ior_extent : float
        The proto-object fraction of the winner's input inhibition of return also covers.
    min_saliency : float
        The scanpath also ends when the strongest remaining input is below this fraction
        of the map's maximum.
    proto_extent : float
        The box's proto-object: pixels at least this fraction of the peak (0, 1].
    zoom : float
        The second look: a fixation's chosen glimpse is classified again at 1 ± zoom
        times its side, the most confident answer kept (0: no second look), [0, 0.5].
    shift : float
        The second look also moves the chosen glimpse by ± shift × its side down and across
        (four more calls; 0: none), [0, 0.5].
    give_up : int
        Stop looking after this many consecutive fixations whose glimpses all answer
        "nothing" (0: never; ours). Unlike ``quit_threshold`` and ``min_saliency`` it does
        not depend on how salient the clutter is; the fixation cap bounds the calls.
    pool : {"max", "mean", "log"}
        How a fixation's looks make its detection (:mod:`._evidence`, ours): the most
        confident answer naming a digit ("max"), or the arithmetic ("mean") or normalised
        geometric ("log") mean of the class probabilities of its looks whose boxes agree
        with the chosen glimpse's (IoU ≥ 0.5), scored by the mean's probability of its
        best digit.
    per_fixation : int
        Detections a fixation may report, 1 … 10: its digits of highest evidence (with
        "max", only digits some look answers), each with the box of the look most sure of
        it — as the sliding window keeps, per label, its best window at a place (ours).
    nms_iou : float
        Non-maximum suppression threshold (0, 1].

    Returns
    -------
    Detections
        With ``calls`` the glimpses classified and ``order`` each detection's fixation.
    """
    img = check_canvas(image)
    check_integer(fixations, "fixations", ge=1, le=200)
    check_number(proto_extent, "proto_extent", gt=0, le=1)
    check_number(zoom, "zoom", ge=0, le=0.5)
    check_number(shift, "shift", ge=0, le=0.5)
    check_integer(give_up, "give_up", ge=0, le=200)
    check_choice(pool, "pool", POOLS)
    check_integer(per_fixation, "per_fixation", ge=1, le=10)
    check_number(nms_iou, "nms_iou", gt=0, le=1)
    sides = _sides(sizes, "sizes", img.shape, allow_empty=True)
    check_number(ior_radius, "ior_radius", gt=0, le=max(img.shape))
    pipe = _pipeline(
        int(map_level),
        float(ior_radius) / max(img.shape),
        float(ior_extent),
        float(min_saliency),
        float(quit_threshold),
    )
    result = pipe.attend(img, n_fixations=fixations)
    path = np.array([[f.x, f.y] for f in result.fixations], dtype=np.float64).reshape(-1, 2)
    boxes, look_of = _candidates(img, path, sides, proto_extent, 2 ** int(map_level))
    boxes, probs, look_of = _glimpse_in_order(img, classifier, boxes, look_of, int(give_up))
    glimpsed = (boxes, probs, look_of)
    parts, more = pool_looks(img, classifier, glimpsed, zoom=float(zoom), shift=float(shift),
                             pool=pool, per_fixation=int(per_fixation))  # fmt: skip
    return _detections(parts, len(boxes) + more, nms_iou, path)


def _sides(
    sizes: Any, name: str, shape: tuple[int, ...], *, allow_empty: bool = False
) -> tuple[int, ...]:
    """Window or glimpse sides: a sequence of integers 1 … the canvas's shorter side."""
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence):
        raise TypeError(f"{name} must be a sequence of integers, got {sizes!r}")
    if not sizes and not allow_empty:
        raise ValueError(f"{name} must hold at least one side, got none")
    return tuple(check_integer(s, name, ge=1, le=min(shape)) for s in sizes)
