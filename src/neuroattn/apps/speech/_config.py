"""The settings of a speech run: one frozen, typed dataclass, loadable from TOML.

The defaults are ours, chosen so that a small LAS model learns connected digits from
synthesised voices on a 2-core laptop CPU in minutes. On 600 digit strings, 400 steps, one
seed (ours, 2026-11): attention alone reached 38 % test WER at 20 dB, with the joint CTC
loss (``ctc_weight = 0.3``) 9.6 %, and with location-aware scores as well 2.2 %; hence
both are on by default. ``decay = "none"``: cosine decay gained 0.2 dev WER points over
800 steps (2 seeds) but kept the attention from aligning when a time budget allowed only
~400 steps (``docs/speech.md``, studies).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...dynamics.checks import check_choice, check_fields, check_integer
from .. import _configio
from .._schedule_fields import check_schedule_fields
from ._corpus import TASKS, CorpusSpec
from ._frontend import FRONTENDS
from ._models import ATTENTIONS, ENCODERS, MODELS

__all__ = ["EXAMPLE_TOML", "SpeechConfig", "config_from_mapping", "load_config"]

_INTEGERS = {
    "train_size": (1, 200000), "dev_size": (1, 20000), "test_size": (1, 20000),
    "dev_voices": (1, 50), "test_voices": (1, 50), "rate_min": (80, 450), "rate_max": (80, 450),
    "pitch_min": (0, 100), "pitch_max": (0, 100), "n_mels": (8, 128), "freq_masks": (0, 8),
    "freq_width": (0, 64), "time_masks": (0, 8), "time_width": (0, 200), "hidden_dim": (2, 2048),
    "embed_dim": (1, 1024), "pyramid": (0, 4), "layers": (1, 24), "heads": (1, 64),
    "ffn_dim": (1, 16384), "batch_size": (1, 4096), "beam": (1, 64), "max_len": (0, 10000),
    # narrower than the shared bound: the batches seed torch with seed * 1_000_003 + step
    "seed": (0, 2**32 - 1),
}  # fmt: skip
_NUMBERS: dict[str, dict[str, float]] = {
    "train_snr_min": {"ge": -10, "le": 100}, "train_snr_max": {"ge": -10, "le": 100},
    "clean_fraction": {"ge": 0, "le": 1}, "reverb_fraction": {"ge": 0, "le": 1},
    "rt60_max": {"gt": 0, "le": 3}, "dropout": {"ge": 0, "le": 1},
    "ctc_weight": {"ge": 0, "le": 1},
}  # fmt: skip


@dataclass(frozen=True)
class SpeechConfig(_configio.TomlFields):
    """Everything a speech run needs; checked when built (ValueError naming the field).

    See :data:`EXAMPLE_TOML` for each field's meaning. ``test_snr`` may be ``inf`` (clean).
    """

    # data
    task: str = "digits"
    train_size: int = 3000
    dev_size: int = 200
    test_size: int = 400
    dev_voices: int = 3
    test_voices: int = 5
    rate_min: int = 140
    rate_max: int = 210
    pitch_min: int = 30
    pitch_max: int = 70
    train_snr_min: float = 5.0
    train_snr_max: float = 40.0
    clean_fraction: float = 0.2
    reverb_fraction: float = 0.3
    rt60_max: float = 0.4
    test_snr: float = 20.0
    cache_dir: str = ""
    # front end and augmentation
    frontend: str = "logmel"
    n_mels: int = 40
    freq_masks: int = 2
    freq_width: int = 8
    time_masks: int = 2
    time_width: int = 10
    # model
    model: str = "las"
    encoder: str = "bigru"
    attention: str = "additive"
    location: bool = True
    hidden_dim: int = 128
    embed_dim: int = 32
    pyramid: int = 2
    layers: int = 2
    heads: int = 4
    ffn_dim: int = 256
    dropout: float = 0.1
    ctc_weight: float = 0.3
    # training
    batch_size: int = 32
    lr: float = 0.002
    weight_decay: float = 0.01
    clip: float = 1.0
    warmup: int = 100
    decay: str = "none"
    max_steps: int = 20000
    max_seconds: float = 0.0
    eval_every: int = 200
    patience: int = 8
    seed: int = 0
    threads: int = 0
    # decoding
    beam: int = 1
    max_len: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.task, str) or not self.task.strip():
            raise ValueError(f"task must be digits, commands or a folder, got {self.task!r}")
        for name, (lo, hi) in _INTEGERS.items():
            check_integer(getattr(self, name), name, ge=lo, le=hi)
        check_fields(self, _NUMBERS.items())
        check_schedule_fields(self)
        snr = self.test_snr
        if not (isinstance(snr, (int, float)) and not isinstance(snr, bool)) or not (
            snr == math.inf or -10 <= snr <= 100
        ):
            raise ValueError(f"test_snr must be a number in [-10, 100] or inf, got {snr!r}")
        object.__setattr__(self, "test_snr", float(snr))
        for low, high in (("rate_min", "rate_max"), ("pitch_min", "pitch_max")):
            if getattr(self, high) < getattr(self, low):
                raise ValueError(f"{high} must be >= {low}, got {getattr(self, high)}")
        if self.train_snr_max < self.train_snr_min:
            raise ValueError(f"train_snr_max must be >= train_snr_min, got {self.train_snr_max}")
        check_choice(self.frontend, "frontend", FRONTENDS)
        check_choice(self.model, "model", list(MODELS))
        check_choice(self.encoder, "encoder", list(ENCODERS))
        check_choice(self.attention, "attention", ATTENTIONS)
        if not isinstance(self.location, bool):
            raise TypeError(f"location must be true or false, got {self.location!r}")
        if self.location and self.attention != "additive":
            raise ValueError(
                f"location must be false with attention {self.attention!r} (additive only)"
            )
        uses_heads = self.encoder == "conv-transformer" or (
            self.model == "las" and self.attention == "multihead"
        )
        if uses_heads and self.hidden_dim % self.heads:
            raise ValueError(f"heads must divide hidden_dim = {self.hidden_dim}, got {self.heads}")
        if not isinstance(self.cache_dir, str):
            raise TypeError(f"cache_dir must be a string, got {self.cache_dir!r}")

    @property
    def generated(self) -> bool:
        """Whether the task is a generated corpus (not a user's folder)."""
        return self.task in TASKS

    def corpus_spec(self) -> CorpusSpec:
        """The generated corpus's settings (ValueError for a folder task)."""
        if not self.generated:
            raise ValueError(f"task {self.task!r} is a folder, not a generated corpus")
        return CorpusSpec(
            task=self.task,
            sizes=(self.train_size, self.dev_size, self.test_size),
            seed=self.seed,
            dev_voices=self.dev_voices,
            test_voices=self.test_voices,
            rates=(self.rate_min, self.rate_max),
            pitches=(self.pitch_min, self.pitch_max),
        )


def config_from_mapping(data: Mapping[str, Any]) -> SpeechConfig:
    """A :class:`SpeechConfig` from a TOML-shaped mapping (keys at the top or in a
    ``[speech]`` table); missing keys keep their defaults. Errors as
    :func:`neuroattn.apps._configio.config_from_mapping`."""
    return _configio.config_from_mapping(SpeechConfig, data, table="speech", finite=False)


def load_config(path: str | Path) -> SpeechConfig:
    """Read a TOML file into a checked :class:`SpeechConfig` (ValueError or TypeError in one
    line naming the file and the field at fault)."""
    return _configio.load_config(SpeechConfig, path, table="speech", finite=False)


EXAMPLE_TOML = """\
# neuroattn speech: the settings of a run (TOML); every value here is the default.
# Use:  neuroattn speech train -c this.toml -o RUN_DIR     (keys may stand in [speech])

# data: generated with eSpeak NG (digits | commands) or a folder of WAVs + transcripts.tsv
task = "digits"         # digits | commands | path to a folder
train_size = 3000       # utterances (generated tasks)
dev_size = 200          # dev utterances: early stopping (voices held out of training)
test_size = 400         # test utterances (other voices, never heard in training)
dev_voices = 3          # voice variants held out for dev
test_voices = 5         # voice variants held out for test
rate_min = 140          # speaking rate range, words per minute
rate_max = 210
pitch_min = 30          # eSpeak pitch range, 0-100
pitch_max = 70
train_snr_min = 5.0     # training noise: SNR uniform in [min, max] dB ...
train_snr_max = 40.0
clean_fraction = 0.2    # ... except this share of clean utterances
reverb_fraction = 0.3   # share of utterances with synthetic room reverberation
rt60_max = 0.4          # its reverberation time, uniform in [0.1, rt60_max] s
test_snr = 20.0         # SNR of dev and test in dB (inf: clean)
cache_dir = ""          # synthesised corpora ("": $NEUROATTN_CACHE/speech or ~/.cache)

# front end and SpecAugment (training only)
frontend = "logmel"     # logmel | cochleagram (once neuroattn.hearing provides it)
n_mels = 40             # mel channels (25 ms window, 10 ms hop)
freq_masks = 2          # frequency masks per utterance ...
freq_width = 8          # ... each up to this many channels
time_masks = 2          # time masks per utterance ...
time_width = 10         # ... each up to this many frames (and 1/5 of the utterance)

# model
model = "las"           # las (listener + attending GRU speller) | ctc (listener, no attention)
encoder = "bigru"       # bigru (pyramidal BiGRU) | conv-transformer (4x conv + Transformer layers)
attention = "additive"  # additive (Bahdanau) | luong (general score) | multihead (dot-product)
location = true         # location-aware additive scores (Chorowski et al. 2015; additive only)
hidden_dim = 128        # listener (both directions; conv-transformer width) and speller width
embed_dim = 32          # character embedding size
pyramid = 2             # bigru: listener layers that halve time
layers = 2              # conv-transformer: Transformer encoder layers
heads = 4               # conv-transformer and multihead attention: heads (divide hidden_dim)
ffn_dim = 256           # conv-transformer: feed-forward width
dropout = 0.1
ctc_weight = 0.3        # las: weight of a joint CTC loss on the listener (0: attention only)

# training
batch_size = 32
lr = 0.002              # AdamW learning rate
weight_decay = 0.01
clip = 1.0              # gradient norm clipping (0: none)
warmup = 100            # steps of linear learning-rate warm-up
decay = "none"          # after warm-up: none | cosine (to 0 over max_steps or max_seconds)
max_steps = 20000
max_seconds = 0.0       # wall-clock budget in seconds, across resumes (0: none)
eval_every = 200        # steps between dev evaluations and checkpoints
patience = 8            # evaluations without a better dev word accuracy before stopping
seed = 0                # corpus, weights, noise, augmentation and batch order
threads = 0             # torch threads (0: leave torch's setting)

# decoding
beam = 1                # beam width (1: greedy)
max_len = 0             # longest output in characters (0: from the training transcripts)
"""
