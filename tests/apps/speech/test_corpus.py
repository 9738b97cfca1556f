"""Synthesis, the generated corpora and their cache: reproducible, split by voice and string."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from neuroattn.apps.speech import (
    COMMANDS,
    DIGIT_WORDS,
    SYNTH_RATE,
    Corpus,
    CorpusSpec,
    build_corpus,
    digit_text,
    english_voices,
    synthesize,
)

from .conftest import needs_espeak

pytestmark = needs_espeak

# builds a tiny corpus in a fresh process and prints a hash of all its audio
HASH_SCRIPT = """
import hashlib, sys
from neuroattn.apps.speech import CorpusSpec, build_corpus
c = build_corpus(CorpusSpec(sizes=(5, 2, 2), dev_voices=2, test_voices=2), cache_dir=sys.argv[1])
h = hashlib.sha256()
for u in (*c.train, *c.dev, *c.test):
    h.update(u.text.encode()); h.update(u.voice.encode()); h.update(u.audio.tobytes())
print(h.hexdigest())
"""


def test_synthesize_gives_speech_at_22050_hz() -> None:
    x = synthesize("seven", voice="en-us+f2")
    assert x.dtype == np.int16 and 0.2 * SYNTH_RATE < x.size < 2 * SYNTH_RATE
    assert np.abs(x.astype(float)).max() > 1000  # not silence
    longer = synthesize("seven seven seven seven", voice="en-us+f2")
    assert longer.size > 2.5 * x.size
    slow = synthesize("seven seven seven seven", voice="en-us+f2", rate=100)
    assert slow.size > 1.3 * longer.size  # rate is words per minute


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"text": ""}, "text must be"),
        ({"text": 3}, "text must be"),
        ({"text": "one", "voice": "no-such-voice+x"}, "voice must be"),
        ({"text": "one", "rate": 10}, "rate must be"),
        ({"text": "one", "pitch": 101}, "pitch must be"),
        ({"text": "one", "pitch": 1.5}, "pitch must be"),
    ],
)
def test_synthesize_refuses_bad_input(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        synthesize(**kwargs)


def test_english_voices_are_listed() -> None:
    voices = english_voices()
    assert "en-us" in voices and all(v.startswith("en") for v in voices)


def test_synthesis_is_reproducible_in_a_fresh_process(tmp_path: Path) -> None:
    hashes = []
    for k in range(2):
        out = subprocess.run(
            [sys.executable, "-c", HASH_SCRIPT, str(tmp_path / f"c{k}")],
            capture_output=True, text=True, check=True, timeout=120,
        )  # fmt: skip
        hashes.append(out.stdout.strip())
    assert len(hashes[0]) == 64 and hashes[0] == hashes[1]


def test_cache_returns_the_same_corpus(tiny_corpus: Corpus, tiny_config) -> None:
    again = build_corpus(tiny_config.corpus_spec(), cache_dir=tiny_config.cache_dir)
    for a, b in zip(tiny_corpus.train + tiny_corpus.test, again.train + again.test, strict=True):
        assert (a.text, a.voice, a.rate, a.pitch) == (b.text, b.voice, b.rate, b.pitch)
        assert np.array_equal(a.audio, b.audio)
    files = list(Path(tiny_config.cache_dir).iterdir())
    assert [f.suffix for f in files] == [".npz"]  # no staging folder left behind


def test_splits_are_disjoint_by_voice_and_string(tiny_corpus: Corpus) -> None:
    train_v, dev_v, test_v = map(set, tiny_corpus.variants)
    assert train_v and dev_v and test_v
    assert not (train_v & dev_v) and not (train_v & test_v) and not (dev_v & test_v)
    for utts, allowed in zip(
        (tiny_corpus.train, tiny_corpus.dev, tiny_corpus.test),
        (train_v, dev_v, test_v),
        strict=True,
    ):
        assert {u.voice.split("+")[1] for u in utts} <= allowed
    strings = [
        {u.text.replace("oh", "zero") for u in utts}
        for utts in (tiny_corpus.train, tiny_corpus.dev, tiny_corpus.test)
    ]
    assert not (strings[0] & strings[1]) and not (strings[0] & strings[2])
    assert tiny_corpus.sizes() == (16, 4, 4)
    words = {w for u in tiny_corpus.train for w in u.text.split()}
    assert words <= {*DIGIT_WORDS, "oh"}
    assert all(1 <= len(u.text.split()) <= 7 for u in tiny_corpus.train)


def test_commands_corpus(cache_dir: Path) -> None:
    spec = CorpusSpec(task="commands", sizes=(4, 2, 2), dev_voices=1, test_voices=1)
    corpus = build_corpus(spec, cache_dir=cache_dir)
    assert all(u.text in COMMANDS for u in corpus.train + corpus.test)


def test_digit_text() -> None:
    rng = np.random.default_rng(0)
    assert digit_text("123", rng) == "one two three"
    zeros = {digit_text("0", rng) for _ in range(40)}
    assert zeros == {"zero", "oh"}


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"task": "letters"}, "task must be"),
        ({"sizes": (0, 1, 1)}, "train_size must be"),
        ({"sizes": (1, 1)}, "sizes must be"),
        ({"variants": ("m1", "m2")}, "variants must hold"),
        ({"rates": (200, 100)}, r"rates\[1\] must be"),
        ({"pitches": (0, 101)}, r"pitches\[1\] must be"),
    ],
)
def test_corpus_spec_refuses_bad_settings(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        CorpusSpec(**kwargs)


def test_key_depends_on_every_setting() -> None:
    keys = {
        CorpusSpec().key(),
        CorpusSpec(seed=1).key(),
        CorpusSpec(rates=(150, 210)).key(),
        CorpusSpec(task="commands").key(),
    }
    assert len(keys) == 4 and all(len(k) == 16 for k in keys)


def test_the_engine_is_initialised_once_across_threads() -> None:
    from concurrent.futures import ThreadPoolExecutor

    from neuroattn.apps.speech import _espeak

    with ThreadPoolExecutor(4) as pool:
        outs = list(pool.map(lambda k: synthesize("two", voice=f"en+m{k % 3 + 1}"), range(8)))
        engines = set(pool.map(lambda _: id(_espeak._engine()), range(8)))
    assert len(engines) == 1 and all(o.size > 1000 for o in outs)
