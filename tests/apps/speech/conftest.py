"""Shared fixtures: one tiny synthesised corpus per session (cached in a temporary folder),
and its samples. Every test here needs torch; those that synthesise need espeakng-loader."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("torch", reason="the speech app needs torch")

from neuroattn.apps.speech import Corpus, CorpusSpec, SpeechConfig, build_corpus

try:
    import espeakng_loader  # noqa: F401

    HAVE_ESPEAK = True
except ModuleNotFoundError:  # pragma: no cover - the extra is in dev
    HAVE_ESPEAK = False

needs_espeak = pytest.mark.skipif(
    not HAVE_ESPEAK, reason="espeakng-loader (extra 'speech') is not installed"
)

# a run that learns nothing but exercises everything, in seconds
TINY_FIELDS = dict(
    train_size=16, dev_size=4, test_size=4, dev_voices=2, test_voices=2, hidden_dim=16,
    embed_dim=8, pyramid=1, batch_size=8, max_steps=4, eval_every=2, patience=100, threads=1,
    warmup=1,
)  # fmt: skip


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("speech-cache")


@pytest.fixture(scope="session")
def tiny_config(cache_dir: Path) -> SpeechConfig:
    if not HAVE_ESPEAK:
        pytest.skip("espeakng-loader (extra 'speech') is not installed")
    return SpeechConfig(cache_dir=str(cache_dir), **TINY_FIELDS)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def tiny_corpus(tiny_config: SpeechConfig) -> Corpus:
    return build_corpus(tiny_config.corpus_spec(), cache_dir=tiny_config.cache_dir)


@pytest.fixture(scope="session")
def spec() -> CorpusSpec:
    return CorpusSpec(sizes=(16, 4, 4), dev_voices=2, test_voices=2)
