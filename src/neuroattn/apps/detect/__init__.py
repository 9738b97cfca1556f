"""Detection by looking (issue 12): the vision pipeline looks, a glimpse classifier names.

Data: canvases with one to five digits of varied sizes among clutter, boxes and labels
known, train/dev/test from the disjoint source digits of the classification app
(:func:`digit_canvases`). The glimpse classifier is classify's ``DigitNet`` with 11 classes
(ten digits and "nothing"), trained on jittered glimpses by the shared trainer
(:func:`train`, :class:`DetectConfig`, :func:`load_detector`). Two detectors use it:
:func:`look` — the scanpath of :mod:`neuroattn.vision` proposes where to look, the
proto-object under each fixation gives the box, inhibition of return moves on and the
competition's activation threshold (or a cap) ends the search — and the dense
:func:`slide` baseline; :func:`detection_scores` gives mAP@0.5 (VOC all-point AP) and
recall. Needs the ``torch`` and ``classify`` extras.
"""

from ._checkpoint import load_detector
from ._classifier import BoxClassifier, GlimpseClassifier
from ._config import EXAMPLE_TOML, DetectConfig, config_from_mapping, load_config
from ._data import Canvases, digit_canvases
from ._detector import Detections, look, nms, proto_object_box
from ._evaluate import METHODS, RULES, Evaluation, detect, evaluate, tune_quitting
from ._glimpse import NOTHING, crop_glimpses, training_glimpses
from ._metrics import DetectionScores, average_precision, box_iou, detection_scores
from ._plot import plot_detections
from ._slide import slide, window_boxes
from ._train import TrainResult, dev_family, evaluation_set, train

__all__ = [
    "EXAMPLE_TOML",
    "METHODS",
    "NOTHING",
    "RULES",
    "BoxClassifier",
    "Canvases",
    "DetectConfig",
    "DetectionScores",
    "Detections",
    "Evaluation",
    "GlimpseClassifier",
    "TrainResult",
    "average_precision",
    "box_iou",
    "config_from_mapping",
    "crop_glimpses",
    "detect",
    "detection_scores",
    "dev_family",
    "digit_canvases",
    "evaluate",
    "evaluation_set",
    "load_config",
    "load_detector",
    "look",
    "nms",
    "plot_detections",
    "proto_object_box",
    "slide",
    "train",
    "training_glimpses",
    "tune_quitting",
    "window_boxes",
]
