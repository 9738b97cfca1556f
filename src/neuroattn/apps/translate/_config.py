"""The settings of a translation run: one frozen, typed dataclass, loadable from TOML.

The defaults are ours, chosen so that the GRU with attention learns the generated tasks on
a 2-core laptop CPU in minutes; the published ingredients are named where they are used.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...dynamics.checks import check_choice, check_integer, check_probability
from .. import _configio
from .._schedule_fields import check_schedule_fields

__all__ = ["ATTENTIONS", "EXAMPLE_TOML", "TranslateConfig", "config_from_mapping", "load_config"]

ATTENTIONS = ("softmax", "competitive")
MODEL_NAMES = ("rnn-bahdanau", "rnn-luong", "rnn-none", "transformer")


@dataclass(frozen=True)
class TranslateConfig(_configio.TomlFields):
    """Everything a training run needs; checked when built (ValueError naming the field).

    Fields are grouped as data, model, training and decoding; see :data:`EXAMPLE_TOML` for
    each one's meaning. ``dataclasses.replace(config, field=value)`` changes one.
    """

    # data
    task: str = "numbers-en-de"  # numbers-en-de | numbers-en-fr | numbers-en-es | dates | FILE.tsv
    train_size: int = 20000  # training pairs (a TSV gives at most its sources minus dev and test)
    dev_size: int = 500  # dev pairs: early stopping and the progress line
    test_size: int = 2000  # held-out test pairs (never seen in training)
    # model
    model: str = "rnn-bahdanau"  # rnn-bahdanau | rnn-luong | rnn-none | transformer
    attention: str = "softmax"  # softmax | competitive (CompetitiveAttention; not rnn-none)
    embed_dim: int = 64  # character embedding size
    hidden_dim: int = 128  # GRU state / Transformer width
    layers: int = 2  # Transformer encoder and decoder layers (the GRUs have one)
    heads: int = 4  # Transformer attention heads (must divide hidden_dim)
    ffn_dim: int = 256  # Transformer feed-forward width
    dropout: float = 0.1  # dropout rate in training
    # training
    batch_size: int = 64  # pairs per step
    lr: float = 0.003  # AdamW learning rate (Loshchilov & Hutter 2019)
    weight_decay: float = 0.01  # AdamW weight decay
    clip: float = 1.0  # gradient norm clipping (0: none)
    warmup: int = 100  # steps of linear learning-rate warm-up (ours)
    max_steps: int = 20000  # optimisation steps at most
    max_seconds: float = 0.0  # wall-clock budget of the run in seconds, across resumes (0: none)
    eval_every: int = 250  # steps between dev evaluations and checkpoints
    patience: int = 8  # stop after this many evaluations without a better dev exact match
    seed: int = 0  # seeds the data, the initial weights, dropout and the batch order
    threads: int = 0  # torch threads (0: leave torch's setting)
    # decoding
    beam: int = 1  # beam width for evaluation (1: greedy)
    max_len: int = 0  # longest output in characters (0: 1.5 x the longest training target + 10)

    def __post_init__(self) -> None:
        if not isinstance(self.task, str) or not self.task.strip():
            raise ValueError(f"task must be a task name or a TSV path, got {self.task!r}")
        for name in ("train_size", "dev_size", "test_size", "embed_dim"):
            check_integer(getattr(self, name), name, ge=1)
        check_integer(self.hidden_dim, "hidden_dim", ge=2)
        check_choice(self.model, "model", MODEL_NAMES)
        check_choice(self.attention, "attention", ATTENTIONS)
        for name in ("layers", "heads", "ffn_dim", "batch_size"):
            check_integer(getattr(self, name), name, ge=1)
        check_probability(self.dropout, "dropout")
        check_schedule_fields(self)
        check_integer(self.beam, "beam", ge=1, le=64)
        check_integer(self.max_len, "max_len", ge=0, le=10000)
        if self.model == "transformer" and self.hidden_dim % self.heads:
            raise ValueError(
                f"heads must divide hidden_dim for the transformer, got {self.heads} and "
                f"{self.hidden_dim}"
            )

    @property
    def sizes(self) -> tuple[int, int, int]:
        """(train_size, dev_size, test_size)."""
        return self.train_size, self.dev_size, self.test_size


def config_from_mapping(data: Mapping[str, Any]) -> TranslateConfig:
    """A :class:`TranslateConfig` from a TOML-shaped mapping (keys at the top or in a
    ``[translate]`` table); missing keys keep their defaults. Errors as
    :func:`neuroattn.apps._configio.config_from_mapping`."""
    return _configio.config_from_mapping(TranslateConfig, data, table="translate")


def load_config(path: str | Path) -> TranslateConfig:
    """Read a TOML file into a checked :class:`TranslateConfig` (ValueError or TypeError in one
    line naming the file and the field at fault)."""
    return _configio.load_config(TranslateConfig, path, table="translate")


EXAMPLE_TOML = """\
# neuroattn translate: the settings of a run (TOML); every value here is the default.
# Use:  neuroattn translate train -c this.toml -o RUN_DIR
# Keys may also stand in a [translate] table.

# data
task = "numbers-en-de"  # numbers-en-de | numbers-en-fr | numbers-en-es | dates | path to a .tsv
train_size = 20000      # training pairs
dev_size = 500          # dev pairs (early stopping, progress line)
test_size = 2000        # held-out test pairs

# model
model = "rnn-bahdanau"  # rnn-bahdanau | rnn-luong | rnn-none | transformer
attention = "softmax"   # softmax | competitive (shunting competition; not rnn-none)
embed_dim = 64          # character embedding size
hidden_dim = 128        # GRU state / Transformer width
layers = 2              # Transformer layers (encoder and decoder each)
heads = 4               # Transformer heads (divide hidden_dim)
ffn_dim = 256           # Transformer feed-forward width
dropout = 0.1           # dropout rate in training

# training
batch_size = 64         # pairs per step
lr = 0.003              # AdamW learning rate
weight_decay = 0.01     # AdamW weight decay
clip = 1.0              # gradient norm clipping (0: none)
warmup = 100            # steps of linear learning-rate warm-up
max_steps = 20000       # optimisation steps at most
max_seconds = 0.0       # wall-clock budget in seconds, across resumes (0: none)
eval_every = 250        # steps between dev evaluations and checkpoints
patience = 8            # evaluations without a better dev exact match before stopping
seed = 0                # data, weights, dropout, batch order
threads = 0             # torch threads (0: leave torch's setting)

# decoding
beam = 1                # beam width in evaluation (1: greedy)
max_len = 0             # longest output in characters (0: from the training targets)
"""
