"""The data of a run: utterances (transcript + degraded 16 kHz audio) split three ways.

Generated tasks (:mod:`._corpus`): training utterances get white noise at an SNR uniform
in [``train_snr_min``, ``train_snr_max``] dB (``clean_fraction`` stay clean) and, for
``reverb_fraction`` of them, a synthetic room response with RT60 uniform in
[0.1, ``rt60_max``] s; dev and test get noise at ``test_snr`` dB and no reverberation.
All of it is seeded per utterance, so the same config gives the same signals.

A folder task (:mod:`._folder`) is split at random (seeded) into ``dev_size`` and
``test_size`` recordings (at most a quarter each) and the rest for training.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._config import SpeechConfig
from ._corpus import Utterance, build_corpus, degrade
from ._folder import read_folder

__all__ = ["Sample", "SpeechSplits", "load_splits"]


@dataclass(frozen=True)
class Sample:
    """One utterance ready for the front end: its transcript, 16 kHz audio, and where it
    came from (the voice of a generated utterance, ``"line N"`` of a folder's transcripts)."""

    text: str
    audio: np.ndarray
    origin: str = ""


@dataclass(frozen=True)
class SpeechSplits:
    """Train, dev and test samples (dev and test voices never heard in training when the
    corpus is generated)."""

    train: tuple[Sample, ...]
    dev: tuple[Sample, ...]
    test: tuple[Sample, ...]

    def sizes(self) -> tuple[int, int, int]:
        return len(self.train), len(self.dev), len(self.test)


def _noisy(utts: tuple[Utterance, ...], snr: float, seed: int, split: int) -> tuple[Sample, ...]:
    return tuple(
        Sample(u.text, degrade(u.audio, snr=snr, seed=[seed, split, i]), u.voice)
        for i, u in enumerate(utts)
    )


def _train_samples(utts: tuple[Utterance, ...], cfg: SpeechConfig) -> tuple[Sample, ...]:
    out = []
    for i, u in enumerate(utts):
        rng = np.random.default_rng([cfg.seed, 0, i])
        clean = rng.random() < cfg.clean_fraction
        snr = math.inf if clean else float(rng.uniform(cfg.train_snr_min, cfg.train_snr_max))
        rt60 = float(rng.uniform(0.1, max(cfg.rt60_max, 0.1)))
        rt60 = rt60 if rng.random() < cfg.reverb_fraction else 0.0
        out.append(
            Sample(u.text, degrade(u.audio, snr=snr, rt60=rt60, seed=[cfg.seed, 0, i]), u.voice)
        )
    return tuple(out)


def load_splits(
    config: SpeechConfig,
    *,
    test_snr: float | None = None,
    notes: list[str] | None = None,
    train: bool = True,
) -> SpeechSplits:
    """The samples of ``config``'s task; ``test_snr`` overrides the config's for dev and
    test (the benchmark's WER-against-SNR curve uses the same clean test utterances);
    ``train=False`` leaves the training samples out (empty), sparing their degradation."""
    if not isinstance(config, SpeechConfig):
        raise TypeError(f"config must be a SpeechConfig, got {type(config).__name__}")
    snr = config.test_snr if test_snr is None else test_snr
    if not isinstance(train, bool):
        raise TypeError(f"train must be True or False, got {train!r}")
    if not config.generated:
        splits = _folder_splits(config, notes)
        return splits if train else SpeechSplits((), splits.dev, splits.test)
    corpus = build_corpus(config.corpus_spec(), cache_dir=config.cache_dir or None)
    return SpeechSplits(
        _train_samples(corpus.train, config) if train else (),
        _noisy(corpus.dev, snr, config.seed, 1),
        _noisy(corpus.test, snr, config.seed, 2),
    )


def _folder_splits(config: SpeechConfig, notes: list[str] | None) -> SpeechSplits:
    rows = read_folder(config.task, notes=notes)
    if len(rows) < 3:
        raise ValueError(f"{config.task}: needs at least 3 recordings, got {len(rows)}")
    order = np.random.default_rng(config.seed).permutation(len(rows))
    n_dev = max(1, min(config.dev_size, len(rows) // 4))
    n_test = max(1, min(config.test_size, len(rows) // 4))
    samples = [Sample(rows[i][0], rows[i][1], f"transcripts line {rows[i][2]}") for i in order]
    return SpeechSplits(
        tuple(samples[n_dev + n_test :]),
        tuple(samples[:n_dev]),
        tuple(samples[n_dev : n_dev + n_test]),
    )
