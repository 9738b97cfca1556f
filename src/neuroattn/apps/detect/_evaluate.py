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

__all__ = ["METHODS", "Evaluation", "detect", "evaluate", "tune_quitting"]

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
        give_up=config.give_up,
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


def tune_quitting(
    classifier: BoxClassifier,
    data: Canvases,
    config: DetectConfig,
    grid: Sequence[float],
    *,
    tolerance: float = 0.001,
) -> tuple[float, list[dict[str, float]]]:
    """The quitting threshold for looking, chosen on (dev) canvases ``data``: the largest
    of ``grid`` whose mAP@0.5 is within ``tolerance`` of the best one's (the best mAP with
    the fewest looks; ours). Returns it and one row per grid value (threshold, mAP, recall,
    calls per image)."""
    if not grid:
        raise ValueError("grid must hold at least one threshold, got none")
    rows = []
    for theta in sorted(float(t) for t in grid):
        tried = dataclasses.replace(config, quit_threshold=theta)
        ev = evaluate(classifier, data, tried, methods=("look",))["look"]
        rows.append(
            {
                "quit_threshold": theta,
                "map": ev.scores.map,
                "recall": ev.scores.recall,
                "calls_per_image": ev.calls_per_image,
            }
        )
    best = max(r["map"] for r in rows)
    chosen = max(r["quit_threshold"] for r in rows if r["map"] >= best - tolerance)
    return chosen, rows
