"""Running the detectors of a run's settings over labelled canvases, and their scores."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...dynamics.checks import check_choice
from ._classifier import BoxClassifier
from ._config import DetectConfig
from ._data import Canvases
from ._detector import Detections, look
from ._metrics import DetectionScores, detection_scores
from ._slide import slide

__all__ = ["METHODS", "RULES", "Evaluation", "detect", "evaluate", "tune_quitting"]

METHODS = ("look", "slide")


def detect(
    image: Any, classifier: BoxClassifier, config: DetectConfig, method: str = "look"
) -> Detections:
    """Run the detector ``method`` ("look" or "slide") with the settings of ``config``."""
    check_choice(method, "method", METHODS)
    if method == "slide":
        return slide(
            image,
            classifier,
            windows=config.windows(),
            stride=config.stride,
            nms_iou=config.nms_iou,
        )
    return look(
        image,
        classifier,
        fixations=config.fixations,
        quit_threshold=config.quit_threshold,
        sizes=config.windows(),
        map_level=config.map_level,
        ior_radius=config.ior_radius,
        ior_extent=config.ior_extent,
        min_saliency=config.min_saliency,
        proto_extent=config.proto_extent,
        zoom=config.zoom,
        shift=config.shift,
        give_up=config.give_up,
        pool=config.pool,
        per_fixation=config.per_fixation,
        nms_iou=config.nms_iou,
    )


@dataclass(frozen=True)
class Evaluation:
    """One detector on a set of canvases: its scores, classifier calls per image and the
    detections themselves."""

    method: str
    scores: DetectionScores
    calls_per_image: float
    detections: tuple[Detections, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            **self.scores.to_dict(),
            "calls_per_image": self.calls_per_image,
            "images": len(self.detections),
        }


def evaluate(
    classifier: BoxClassifier,
    data: Canvases,
    config: DetectConfig,
    *,
    methods: Sequence[str] = METHODS,
) -> dict[str, Evaluation]:
    """mAP@0.5, recall and classifier calls per image of each detector on ``data``."""
    out = {}
    for method in methods:
        found = tuple(detect(img, classifier, config, method) for img in data.images)
        scores = detection_scores([d.as_tuple() for d in found], data.boxes, data.labels)
        calls = float(np.mean([d.calls for d in found])) if found else float("nan")
        out[method] = Evaluation(method, scores, calls, found)
    return out


RULES = ("quit_threshold", "give_up")


def _pooled(
    classifier: BoxClassifier, sets: Sequence[Canvases], config: DetectConfig
) -> dict[str, float]:
    """Looking's mAP@0.5 and recall over the canvases of every set together, and its calls
    per image."""
    found, boxes, labels = [], [], []
    for data in sets:
        ev = evaluate(classifier, data, config, methods=("look",))["look"]
        found += list(ev.detections)
        boxes += list(data.boxes)
        labels += list(data.labels)
    scores = detection_scores([d.as_tuple() for d in found], boxes, labels)
    calls = float(np.mean([d.calls for d in found])) if found else float("nan")
    return {"map": scores.map, "recall": scores.recall, "calls_per_image": calls}


def tune_quitting(
    classifier: BoxClassifier,
    data: Canvases | Sequence[Canvases],
    config: DetectConfig,
    grid: Sequence[float],
    *,
    rule: str = "quit_threshold",
    tolerance: float = 0.001,
) -> tuple[float, list[dict[str, float]]]:
    """A stopping rule's value for looking, chosen on (dev) canvases ``data``.

    ``rule`` is ``"quit_threshold"`` (the absolute activation threshold) or ``"give_up"``
    (fixations in a row naming no digit). Each value of ``grid`` is tried with the other
    settings of ``config``; chosen is the one with the fewest classifier calls per image
    among those whose mAP@0.5 is within ``tolerance`` of the best one's (the best mAP with
    the fewest looks; ours). ``data`` may be one set of canvases or a family of them
    (e.g. several canvas sizes and clutter levels), scored together. Returns the value and
    one row per grid value (value, mAP, recall, calls per image).
    """
    check_choice(rule, "rule", RULES)
    if not grid:
        raise ValueError("grid must hold at least one value, got none")
    sets = (data,) if isinstance(data, Canvases) else tuple(data)
    rows = []
    for value in sorted(grid):
        change: dict[str, Any] = {rule: value}  # DetectConfig checks it
        tried = dataclasses.replace(config, **change)
        rows.append({rule: change[rule], **_pooled(classifier, sets, tried)})
    best = max(r["map"] for r in rows)
    near = [r for r in rows if r["map"] >= best - tolerance]
    chosen = min(near, key=lambda r: (r["calls_per_image"], -r["map"]))
    return chosen[rule], rows
