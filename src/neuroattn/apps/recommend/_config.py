"""The settings of a recommendation run: one frozen, typed dataclass, loadable from TOML.

The defaults are ours, chosen so that a model trains on the generated data on a 2-core CPU
within a minute or two; the published ingredients (DIN's unit, Dice, the MLP widths) are
named in :mod:`._models`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...dynamics.checks import check_choice, check_fields, check_integer
from .. import _configio
from .._schedule_fields import check_schedule_fields
from ._models import ACTIVATIONS, MODELS

__all__ = ["EXAMPLE_TOML", "RecommendConfig", "config_from_mapping", "load_config"]

GENERATED = "generated"
_INTEGERS = (
    ("users", 3, 10**6),
    ("categories", 1, 10**4),
    ("styles", 1, 1000),
    ("items_per_style", 1, 10**4),
    ("interests", 1, 10**4),
    ("max_history", 5, 1000),
    ("candidates", 1, 1000),
    ("embed_dim", 1, 4096),
    ("hidden1", 1, 65536),
    ("hidden2", 1, 65536),
    ("batch_size", 2, 10**6),
)


@dataclass(frozen=True)
class RecommendConfig(_configio.TomlFields):
    """Everything a training run needs; checked when built (ValueError naming the field).

    See :data:`EXAMPLE_TOML` for each field's meaning. ``dataclasses.replace(config,
    field=value)`` changes one.
    """

    # data
    data: str = GENERATED  # "generated" or the path of a CSV (user,item,category,timestamp,label)
    users: int = 2000  # generated users (all splits)
    categories: int = 20  # generated categories
    styles: int = 4  # styles (interest clusters) per category
    items_per_style: int = 10  # items per style
    interests: int = 3  # latent interests per user, at most
    max_history: int = 40  # longest history (generated: lengths 5..max_history)
    candidates: int = 10  # generated candidates (examples) per user
    noise: float = 0.2  # share of generated history items outside the user's interests
    dev_fraction: float = 0.1  # share of the users held out for dev (early stopping)
    test_fraction: float = 0.2  # share of the users held out for test
    # model
    model: str = "din"  # mean | din | competitive
    embed_dim: int = 16  # item and category embedding sizes (an item is 2 x embed_dim)
    hidden1: int = 200  # the scoring MLP's hidden layers (Zhou et al. 2018: 200, 80)
    hidden2: int = 80
    activation: str = "dice"  # dice | prelu
    # training
    batch_size: int = 256  # examples per step
    lr: float = 0.003  # AdamW learning rate
    weight_decay: float = 0.0  # AdamW decoupled weight decay
    clip: float = 5.0  # gradient-norm clipping (0: none)
    warmup: int = 1  # steps of linear learning-rate warm-up (1: none)
    max_steps: int = 3000  # optimiser steps at most
    max_seconds: float = 0.0  # wall-clock budget in seconds, across resumes (0: none)
    eval_every: int = 100  # steps between dev evaluations and checkpoints
    patience: int = 5  # evaluations without a better dev AUC before stopping
    seed: int = 0  # data, split, initial weights and batch order
    threads: int = 1  # torch threads while training (0: leave torch's setting)

    def __post_init__(self) -> None:
        if not isinstance(self.data, str) or not self.data.strip():
            raise ValueError(f"data must be 'generated' or a CSV path, got {self.data!r}")
        for name, low, high in _INTEGERS:
            check_integer(getattr(self, name), name, ge=low, le=high)
        check_choice(self.model, "model", tuple(MODELS))
        check_choice(self.activation, "activation", ACTIVATIONS)
        check_fields(
            self,
            (
                ("noise", {"ge": 0, "le": 1}),
                ("dev_fraction", {"gt": 0, "lt": 1}),
                ("test_fraction", {"gt": 0, "lt": 1}),
            ),
        )
        check_schedule_fields(self)
        if self.dev_fraction + self.test_fraction >= 1:
            raise ValueError(
                "dev_fraction + test_fraction must be < 1, got "
                f"{self.dev_fraction + self.test_fraction:g}"
            )
        if self.interests > self.categories * self.styles:
            raise ValueError(
                f"interests must be at most categories x styles ({self.categories * self.styles})"
                f", got {self.interests}"
            )

    @property
    def generated(self) -> bool:
        """True for generated data, False for a CSV."""
        return self.data == GENERATED


def config_from_mapping(data: Mapping[str, Any]) -> RecommendConfig:
    """A :class:`RecommendConfig` from a TOML-shaped mapping (keys at the top or in a
    ``[recommend]`` table); missing keys keep their defaults. Errors as
    :func:`neuroattn.apps._configio.config_from_mapping`."""
    return _configio.config_from_mapping(RecommendConfig, data, table="recommend")


def load_config(path: str | Path) -> RecommendConfig:
    """Read a TOML file into a checked :class:`RecommendConfig` (ValueError or TypeError in one
    line naming the file and the field at fault)."""
    return _configio.load_config(RecommendConfig, path, table="recommend")


EXAMPLE_TOML = """\
# neuroattn recommend: the settings of a run (TOML); every value here is the default.
# Use:  neuroattn recommend train --model din -c this.toml -o RUN_DIR
# Keys may also stand in a [recommend] table.

# data
data = "generated"      # "generated", or a CSV with columns user,item,category,timestamp,label
users = 2000            # generated users, all splits together
categories = 20         # generated catalogue: categories ...
styles = 4              # ... x styles (the interest clusters) ...
items_per_style = 10    # ... x items
interests = 3           # latent interests per generated user, at most
max_history = 40        # longest history kept (generated: lengths 5..max_history)
candidates = 10         # candidates (examples) per generated user
noise = 0.2             # share of generated history items outside the user's interests
dev_fraction = 0.1      # users held out for dev (early stopping)
test_fraction = 0.2     # users held out for test

# model
model = "din"           # mean | din | competitive
embed_dim = 16          # item and category embedding sizes
hidden1 = 200           # scoring MLP hidden layers (Zhou et al. 2018: 200, 80)
hidden2 = 80
activation = "dice"     # dice | prelu

# training
batch_size = 256        # examples per step
lr = 0.003              # AdamW learning rate
weight_decay = 0.0      # AdamW weight decay
clip = 5.0              # gradient-norm clipping (0: none)
warmup = 1              # steps of linear learning-rate warm-up (1: none)
max_steps = 3000        # optimiser steps at most
max_seconds = 0.0       # wall-clock budget in seconds, across resumes (0: none)
eval_every = 100        # steps between dev evaluations and checkpoints
patience = 5            # evaluations without a better dev AUC before stopping
seed = 0                # data, split, initial weights, batch order
threads = 1             # torch threads while training (0: leave torch's setting)
"""
