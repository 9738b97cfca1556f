"""Training on the shared trainer: a tiny model overfits a handful of utterances; the
checkpoint round trip gives the same transcripts; resume refuses other settings."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from neuroattn.apps.speech import (
    Corpus,
    Sample,
    SpeechConfig,
    SpeechSplits,
    load_recognizer,
    load_splits,
    train,
)

from .conftest import needs_espeak

pytestmark = needs_espeak


def _handful(corpus: Corpus, n: int = 4) -> SpeechSplits:
    utts = sorted(corpus.train, key=lambda u: len(u.text))[:n]
    samples = tuple(Sample(u.text, u.audio, u.voice) for u in utts)
    return SpeechSplits(samples, samples, samples)


# the second encoder and decoder attention: conv subsampling + one Transformer layer, and
# multi-head attention in the speller (a lower rate with warm-up: 0.01 at once diverges)
TRANSFORMER = dict(encoder="conv-transformer", attention="multihead", location=False,
                   hidden_dim=32, heads=2, ffn_dim=64, layers=1, lr=0.003, warmup=20,
                   max_steps=100)  # fmt: skip


@pytest.mark.parametrize(
    ("model", "options"),
    [("las", {}), ("ctc", {}), ("las", TRANSFORMER)],
    ids=["las", "ctc", "conv-transformer-multihead"],
)
def test_a_tiny_model_overfits_a_handful(
    tiny_corpus: Corpus, tiny_config, model: str, options: dict
) -> None:
    cfg = dataclasses.replace(
        tiny_config, model=model, hidden_dim=48, dropout=0.0, freq_masks=0, time_masks=0,
        lr=0.01, max_steps=150, eval_every=25, patience=100, batch_size=4,
    )  # fmt: skip
    cfg = dataclasses.replace(cfg, **options)
    splits = _handful(tiny_corpus)
    result = train(cfg, splits=splits, log=lambda line: None)
    hyps = result.recognizer.transcribe([s.audio for s in splits.train])
    assert hyps == [s.text for s in splits.train], result.history[-1]
    assert result.best_dev == 100.0


def test_checkpoint_round_trip_and_resume(tiny_config: SpeechConfig, tmp_path: Path) -> None:
    splits = load_splits(tiny_config)
    assert splits.sizes() == (16, 4, 4)
    first = train(tiny_config, splits=splits, run_dir=tmp_path, log=lambda line: None)
    assert first.step == 4 and (tmp_path / "best.pt").is_file() and (tmp_path / "last.pt").is_file()
    loaded = load_recognizer(tmp_path)
    audio = [s.audio for s in splits.test]
    assert loaded.transcribe(audio) == first.recognizer.transcribe(audio)
    assert loaded.vocab == first.recognizer.vocab and loaded.config == tiny_config
    more = dataclasses.replace(tiny_config, max_steps=6)
    resumed = train(more, splits=splits, run_dir=tmp_path, log=lambda line: None)
    assert resumed.resumed_from == 4 and resumed.step == 6
    with pytest.raises(ValueError, match="hidden_dim = 16"):
        train(dataclasses.replace(more, hidden_dim=32), splits=splits, run_dir=tmp_path)


@pytest.mark.parametrize("options", [TRANSFORMER, {**TRANSFORMER, "model": "ctc"}],
                         ids=["las", "ctc"])  # fmt: skip
def test_conv_transformer_checkpoint_round_trip(
    tiny_config: SpeechConfig, tmp_path: Path, options: dict
) -> None:
    cfg = dataclasses.replace(tiny_config, **{**options, "max_steps": 2, "decay": "cosine"})
    splits = load_splits(cfg)
    first = train(cfg, splits=splits, run_dir=tmp_path, log=lambda line: None)
    loaded = load_recognizer(tmp_path)
    assert loaded.config == cfg and loaded.model.encoder == "conv-transformer"
    audio = [s.audio for s in splits.test]
    assert loaded.transcribe(audio, beam=2) == first.recognizer.transcribe(audio, beam=2)
    with pytest.raises(ValueError, match="encoder = 'conv-transformer'"):
        train(dataclasses.replace(cfg, encoder="bigru"), splits=splits, run_dir=tmp_path)


def test_dev_and_test_audio_follow_the_snr(tiny_config: SpeechConfig) -> None:
    clean = load_splits(tiny_config, test_snr=float("inf"))
    noisy = load_splits(tiny_config, test_snr=5.0, train=False)
    assert noisy.train == () and len(clean.train) == 16
    same = load_splits(tiny_config, test_snr=5.0)
    for a, b in zip(same.test + same.dev, noisy.test + noisy.dev, strict=True):
        np.testing.assert_array_equal(a.audio, b.audio)
    with pytest.raises(TypeError, match="train must be True or False"):
        load_splits(tiny_config, train=1)  # type: ignore[arg-type]
    for a, b in zip(clean.test, noisy.test, strict=True):
        assert a.text == b.text
        ratio = np.mean(a.audio.astype(float) ** 2) / np.mean(
            (b.audio - a.audio).astype(float) ** 2
        )
        assert abs(10 * np.log10(ratio) - 5.0) < 0.5


def test_train_refuses_bad_arguments(tiny_config: SpeechConfig) -> None:
    with pytest.raises(TypeError, match="config must be a SpeechConfig"):
        train({"task": "digits"})  # type: ignore[arg-type]
    empty = SpeechSplits((), (), ())
    with pytest.raises(ValueError, match="splits must be"):
        train(tiny_config, splits=empty)
