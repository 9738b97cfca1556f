"""The settings of a detection run: one frozen, typed dataclass, loadable from TOML.

Data, glimpse classifier, training (the shared trainer's fields) and the two detectors
(looking and the sliding-window baseline). The defaults are ours; the detector's were
tuned on dev canvases only (``docs/detect.md``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...dynamics.checks import check_choice, check_fields, check_integer
from .. import _configio
from .._schedule_fields import RESUMABLE_FIELDS, check_schedule_fields
from ..classify import ATTENTIONS
from ._evidence import POOLS

__all__ = ["EXAMPLE_TOML", "RESUMABLE", "DetectConfig", "config_from_mapping", "load_config"]

_INTEGERS: dict[str, dict[str, int]] = {
    "size": {"ge": 16, "le": 512},
    "min_digits": {"ge": 0, "le": 20},
    "max_digits": {"ge": 0, "le": 20},
    "min_scale": {"ge": 1, "le": 8},
    "max_scale": {"ge": 1, "le": 8},
    "clutter": {"ge": 0, "le": 256},
    "fragment": {"ge": 1, "le": 24},
    "dev_size": {"ge": 1, "le": 10_000},
    "test_size": {"ge": 1, "le": 10_000},
    "split_seed": {"ge": 0},
    "width": {"ge": 1, "le": 256},
    "glimpse": {"ge": 8, "le": 64},
    "canvases": {"ge": 1, "le": 1024},
    "per_digit": {"ge": 1, "le": 16},
    "fixations": {"ge": 1, "le": 200},
    "give_up": {"ge": 0, "le": 200},
    "per_fixation": {"ge": 1, "le": 10},
    "map_level": {"ge": 0, "le": 6},
    "min_window": {"ge": 4, "le": 512},
    "max_window": {"ge": 4, "le": 512},
    "window_step": {"ge": 1, "le": 512},
}
_NUMBERS: dict[str, dict[str, float]] = {
    "quit_threshold": {"ge": 0.0, "le": 1e6},
    "ior_radius": {"gt": 0.0, "le": 512.0},
    "ior_extent": {"ge": 0.0, "le": 1.0},
    "min_saliency": {"ge": 0.0, "le": 1.0},
    "proto_extent": {"gt": 0.0, "le": 1.0},
    "zoom": {"ge": 0.0, "le": 0.5},
    "shift": {"ge": 0.0, "le": 0.5},
    "stride": {"gt": 0.0, "le": 1.0},
    "nms_iou": {"gt": 0.0, "le": 1.0},
}
_DETECTOR = (
    "fixations",
    "quit_threshold",
    "map_level",
    "ior_radius",
    "ior_extent",
    "min_saliency",
    "proto_extent",
    "zoom",
    "shift",
    "give_up",
    "pool",
    "per_fixation",
    "min_window",
    "max_window",
    "window_step",
    "stride",
    "nms_iou",
)
# settings that may change when a run resumes: they do not alter the steps taken
RESUMABLE = (*RESUMABLE_FIELDS, "test_size", *_DETECTOR)


@dataclass(frozen=True)
class DetectConfig(_configio.TomlFields):
    """Everything a detection run needs; checked when built (ValueError naming the field).

    See :data:`EXAMPLE_TOML` for each field's meaning; ``dataclasses.replace(config,
    field=value)`` changes one.
    """

    # data (digit_canvases)
    size: int = 96
    min_digits: int = 1
    max_digits: int = 5
    min_scale: int = 2
    max_scale: int = 4
    clutter: int = 8
    fragment: int = 8
    dev_size: int = 100
    test_size: int = 200
    split_seed: int = 0
    # glimpse classifier (classify's DigitNet with 11 classes)
    attention: str = "none"
    width: int = 12
    glimpse: int = 24
    # training
    canvases: int = 16
    per_digit: int = 2
    lr: float = 0.003
    weight_decay: float = 0.0001
    clip: float = 1.0
    warmup: int = 100
    decay: str = "cosine"
    max_steps: int = 3000
    max_seconds: float = 270.0
    eval_every: int = 250
    patience: int = 6
    seed: int = 0
    threads: int = 0
    # detection by looking
    fixations: int = 60
    quit_threshold: float = 0.0
    map_level: int = 2
    ior_radius: float = 9.6
    ior_extent: float = 0.3
    min_saliency: float = 0.01
    proto_extent: float = 0.3
    zoom: float = 0.15
    shift: float = 0.125
    give_up: int = 8
    pool: str = "mean"
    per_fixation: int = 5
    # sliding-window baseline (and the NMS of both)
    min_window: int = 16
    max_window: int = 32
    window_step: int = 8
    stride: float = 0.25
    nms_iou: float = 0.3

    def __post_init__(self) -> None:
        check_choice(self.attention, "attention", ATTENTIONS)
        check_choice(self.pool, "pool", POOLS)
        for name, limits in _INTEGERS.items():
            check_integer(getattr(self, name), name, **limits)
        check_fields(self, _NUMBERS.items())
        check_schedule_fields(self)
        for low, high in (
            ("min_digits", "max_digits"),
            ("min_scale", "max_scale"),
            ("min_window", "max_window"),
        ):
            if getattr(self, high) < getattr(self, low):
                raise ValueError(
                    f"{high} must be at least {low} = {getattr(self, low)}, got "
                    f"{getattr(self, high)}"
                )
        if self.size < 8 * self.max_scale:
            raise ValueError(
                f"size must be at least the largest digit's side 8 * max_scale = "
                f"{8 * self.max_scale}, got {self.size}"
            )
        if self.max_window > self.size:
            raise ValueError(
                f"max_window must be at most size = {self.size}, got {self.max_window}"
            )

    def data_options(self) -> dict[str, Any]:
        """The keyword options of :func:`digit_canvases` this config sets."""
        return {
            "size": self.size,
            "digits": (self.min_digits, self.max_digits),
            "scales": tuple(range(self.min_scale, self.max_scale + 1)),
            "clutter": self.clutter,
            "fragment": self.fragment,
            "split_seed": self.split_seed,
        }

    def model_options(self) -> dict[str, Any]:
        """The keyword options of :func:`neuroattn.apps.classify.create_model`."""
        return {"width": self.width, "classes": 11}

    def windows(self) -> tuple[int, ...]:
        """The sliding window's sides: min_window, + window_step, … up to max_window."""
        return tuple(range(self.min_window, self.max_window + 1, self.window_step))


def config_from_mapping(data: Mapping[str, Any]) -> DetectConfig:
    """A :class:`DetectConfig` from a TOML-shaped mapping (keys at the top or in a
    ``[detect]`` table); missing keys keep their defaults. Errors as
    :func:`neuroattn.apps._configio.config_from_mapping`."""
    return _configio.config_from_mapping(DetectConfig, data, table="detect")


def load_config(path: str | Path) -> DetectConfig:
    """Read a TOML file into a checked :class:`DetectConfig` (one-line errors naming the
    file and the field)."""
    return _configio.load_config(DetectConfig, path, table="detect")


EXAMPLE_TOML = """\
# neuroattn detect: the settings of a run (TOML); every value here is the default.
# Use:  neuroattn detect train -c this.toml -o RUN_DIR
# Keys may also stand in a [detect] table.

# data: canvases with several digits among clutter (after Mnih et al. 2014)
size = 96               # canvas side in pixels
min_digits = 1          # digits per canvas, from ...
max_digits = 5          # ... to (a digit with no free place is left out)
min_scale = 2           # digit sizes: 8x8 digits upscaled by min_scale ... max_scale
max_scale = 4           #   (2, 3, 4: 16, 24, 32 pixels)
clutter = 8             # fragments of other digits per canvas
fragment = 8            # fragment side in pixels
dev_size = 100          # dev canvases (glimpse accuracy while training; tuning)
test_size = 200         # test canvases, from held-out source digits
split_seed = 0          # seed of the train/dev/test split of the source digits (classify's)

# glimpse classifier: classify's DigitNet, 10 digits + "nothing"
attention = "none"      # none | spatial | cbam | competitive
width = 12              # channels of the first conv block (then 2x, 4x, 4x)
glimpse = 24            # glimpse side in pixels (a box is resampled to this)

# training (the shared trainer)
canvases = 16           # fresh training canvases per step
per_digit = 2           # jittered glimpses per digit (and as many "nothing" glimpses)
lr = 0.003              # AdamW learning rate
weight_decay = 0.0001   # AdamW weight decay
clip = 1.0              # gradient norm clipping (0: none)
warmup = 100            # steps of linear learning-rate warm-up
decay = "cosine"        # learning rate after the warm-up: none | cosine
max_steps = 3000        # optimisation steps at most
max_seconds = 270.0     # wall-clock budget in seconds, across resumes (0: none)
eval_every = 250        # steps between dev evaluations and checkpoints
patience = 6            # evaluations without a better dev accuracy before stopping
seed = 0                # training canvases, weights, dev/test canvases
threads = 0             # torch threads (0: leave torch's setting)

# detection by looking (the vision pipeline's scanpath)
fixations = 60          # fixation cap per canvas
quit_threshold = 0.0    # stop when no absolute priority is above this (0: off; tune on dev)
map_level = 2           # pyramid level of the saliency map (2: 1/4 of the canvas side)
ior_radius = 9.6        # inhibition of return: disc radius in pixels
ior_extent = 0.3        # ... joined with the proto-object >= this x the winner's input
min_saliency = 0.01     # stop when the best remaining input is below this x the map's maximum
proto_extent = 0.3      # the box: connected ink >= this x its peak near the fixation
                        # (each fixation is also glimpsed at the window sides below)
zoom = 0.15             # second look at the chosen glimpse at 1 -/+ zoom times its side
shift = 0.125           # ... and moved by +/- shift times its side down and across (0: not)
give_up = 8             # stop after this many fixations in a row that see no digit (0: never)
pool = "mean"           # a fixation's answer from its agreeing looks: mean | log | max (best one)
per_fixation = 5        # digits a fixation may report (those its pooled looks support most)

# sliding-window baseline (its sides are also looking's glimpse sizes; the NMS of both)
min_window = 16         # window sides from ...
max_window = 32         # ... to ...
window_step = 8         # ... in steps of
stride = 0.25           # window stride as a fraction of its side
nms_iou = 0.3           # suppress a box overlapping a better one of its label by more
"""
