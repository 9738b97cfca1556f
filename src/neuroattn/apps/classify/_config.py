"""The settings of a classification run: one frozen, typed dataclass, loadable from TOML.

The defaults are ours, tuned on the dev split so that each model trains in a few minutes
on one CPU thread; the published ingredients are named where they are used.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...dynamics.checks import check_choice, check_integer
from .. import _configio
from .._schedule_fields import RESUMABLE_FIELDS, check_schedule_fields
from ._models import ATTENTIONS, POOLS

__all__ = ["EXAMPLE_TOML", "ClassifyConfig", "config_from_mapping", "load_config"]

_INTEGERS: dict[str, dict[str, int]] = {
    "size": {"ge": 24, "le": 256},
    "scale": {"ge": 1, "le": 8},
    "clutter": {"ge": 0, "le": 64},
    "fragment": {"ge": 1, "le": 64},
    "dev_size": {"ge": 1, "le": 100_000},
    "test_size": {"ge": 1, "le": 100_000},
    "split_seed": {"ge": 0},
    "width": {"ge": 1, "le": 256},
    "kernel_size": {"ge": 1, "le": 15},
    "batch_size": {"ge": 1, "le": 4096},
}
# settings that may change when a run resumes: they do not alter the steps taken
RESUMABLE = (*RESUMABLE_FIELDS, "test_size")


@dataclass(frozen=True)
class ClassifyConfig(_configio.TomlFields):
    """Everything a training run needs; checked when built (ValueError naming the field).

    Fields are grouped as data, model and training; see :data:`EXAMPLE_TOML` for each
    one's meaning. ``dataclasses.replace(config, field=value)`` changes one.
    """

    # data (cluttered_digits)
    size: int = 60  # canvas side in pixels
    scale: int = 3  # upscaling of the 8x8 digits (3: 24x24)
    clutter: int = 8  # fragments of other digits per canvas
    fragment: int = 12  # fragment side in pixels
    dev_size: int = 1000  # dev canvases: early stopping and the progress line
    test_size: int = 2000  # test canvases (from the held-out test digits)
    split_seed: int = 0  # seed of the train/dev/test split of the source digits
    # model
    attention: str = "none"  # none | spatial | cbam | competitive
    width: int = 12  # channels of the first conv block (then 2x, 4x, 4x)
    kernel_size: int = 7  # odd kernel of the spatial attention convolution
    pool: str = "gated"  # gated (Σ g·F / Σ g) | mean (mean of g·F)
    # training
    batch_size: int = 64  # fresh training canvases per step
    lr: float = 0.003  # AdamW learning rate (Loshchilov & Hutter 2019)
    weight_decay: float = 0.0001  # AdamW weight decay
    clip: float = 1.0  # gradient norm clipping (0: none)
    warmup: int = 100  # steps of linear learning-rate warm-up (ours)
    decay: str = "cosine"  # learning-rate decay after the warm-up: none | cosine
    max_steps: int = 4000  # optimisation steps at most
    max_seconds: float = 0.0  # wall-clock budget of the run in seconds, across resumes (0: none)
    eval_every: int = 250  # steps between dev evaluations and checkpoints
    patience: int = 8  # stop after this many evaluations without a better dev accuracy
    seed: int = 0  # seeds the training canvases, the initial weights and the dev/test canvases
    threads: int = 0  # torch threads (0: leave torch's setting)

    def __post_init__(self) -> None:
        check_choice(self.attention, "attention", ATTENTIONS)
        check_choice(self.pool, "pool", POOLS)
        for name, limits in _INTEGERS.items():
            check_integer(getattr(self, name), name, **limits)
        check_schedule_fields(self)
        if self.size < 8 * self.scale:
            raise ValueError(
                f"size must be at least the digit's side 8 * scale = {8 * self.scale}, "
                f"got {self.size}"
            )
        if self.fragment > 8 * self.scale:
            raise ValueError(
                f"fragment must be at most the digit's side 8 * scale = {8 * self.scale}, "
                f"got {self.fragment}"
            )
        if self.kernel_size % 2 == 0:
            raise ValueError(f"kernel_size must be odd, got {self.kernel_size}")

    def data_options(self) -> dict[str, int]:
        """The keyword options of :func:`cluttered_digits` this config sets."""
        names = ("size", "scale", "clutter", "fragment", "split_seed")
        return {name: getattr(self, name) for name in names}

    def model_options(self) -> dict[str, Any]:
        """The keyword options of :func:`create_model` this config sets."""
        return {"width": self.width, "kernel_size": self.kernel_size, "pool": self.pool}


def config_from_mapping(data: Mapping[str, Any]) -> ClassifyConfig:
    """A :class:`ClassifyConfig` from a TOML-shaped mapping (keys at the top or in a
    ``[classify]`` table); missing keys keep their defaults. Errors as
    :func:`neuroattn.apps._configio.config_from_mapping`."""
    return _configio.config_from_mapping(ClassifyConfig, data, table="classify")


def load_config(path: str | Path) -> ClassifyConfig:
    """Read a TOML file into a checked :class:`ClassifyConfig` (ValueError or TypeError in one
    line naming the file and the field at fault)."""
    return _configio.load_config(ClassifyConfig, path, table="classify")


EXAMPLE_TOML = """\
# neuroattn classify: the settings of a run (TOML); every value here is the default.
# Use:  neuroattn classify train -c this.toml -o RUN_DIR
# Keys may also stand in a [classify] table.

# data: cluttered digits (after Mnih et al. 2014's cluttered MNIST)
size = 60               # canvas side in pixels
scale = 3               # upscaling of the 8x8 digits (3: 24x24)
clutter = 8             # fragments of other digits per canvas
fragment = 12           # fragment side in pixels
dev_size = 1000         # dev canvases (early stopping, progress line)
test_size = 2000        # test canvases, from held-out source digits
split_seed = 0          # seed of the train/dev/test split of the source digits

# model
attention = "none"      # none | spatial | cbam | competitive
width = 12              # channels of the first conv block (then 2x, 4x, 4x)
kernel_size = 7         # odd kernel of the spatial attention convolution
pool = "gated"          # how the map reads the features: gated (sum g*F / sum g) | mean (of g*F)

# training
batch_size = 64         # fresh training canvases per step
lr = 0.003              # AdamW learning rate
weight_decay = 0.0001   # AdamW weight decay
clip = 1.0              # gradient norm clipping (0: none)
warmup = 100            # steps of linear learning-rate warm-up
decay = "cosine"        # learning rate after the warm-up: none | cosine (to 0 at max_steps)
max_steps = 4000        # optimisation steps at most
max_seconds = 0.0       # wall-clock budget in seconds, across resumes (0: none)
eval_every = 250        # steps between dev evaluations and checkpoints
patience = 8            # evaluations without a better dev accuracy before stopping
seed = 0                # training canvases, weights, dev/test canvases
threads = 0             # torch threads (0: leave torch's setting)
"""
