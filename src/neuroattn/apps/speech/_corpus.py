"""Generated speech corpora: connected digits and commands, many voices, split by voice.

A corpus is built in three seeded steps:

1. **Texts.** ``digits``: strings of 1-7 digits spoken as words ("three oh seven"; a zero
   is "zero" or "oh" at random), like TIDIGITS (Leonard 1984); the digit strings of train,
   dev and test are disjoint. ``commands``: a small command vocabulary (:data:`COMMANDS`),
   the same phrases in every split.
2. **Voices.** A voice is an eSpeak NG English language with a voice variant
   (``"en-gb-scotland+f3"``). The *variants* are split between train, dev and test, so no
   test voice is ever heard in training; each utterance draws its language, variant,
   speaking rate (``rates``, words per minute) and pitch (``pitches``, 0-100).
3. **Audio.** Synthesised once (:mod:`._espeak`), resampled to 16 kHz and cached on disk
   (``speech-<key>.npz``, written atomically, keyed by every setting above). Noise and
   reverberation are applied afterwards (:func:`degrade`), seeded per utterance, so the
   same clean test set is heard at every SNR.

eSpeak NG's generator keeps state between calls (pitch flutter, phase), so bitwise the
same audio needs the same sequence of calls from a fresh process: a corpus synthesised in
a new process is identical to the last one, and the cache makes every later load so.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..._atomic import staged_dir
from ...dynamics.checks import check_choice, check_integer, check_number
from ._audio import SAMPLE_RATE, add_noise, resample, reverberate

__all__ = [
    "COMMANDS",
    "DIGIT_WORDS",
    "TASKS",
    "VARIANTS",
    "Corpus",
    "CorpusSpec",
    "Utterance",
    "build_corpus",
    "default_cache_dir",
    "degrade",
    "digit_text",
]

TASKS = ("digits", "commands")
DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
COMMANDS = (
    "yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go", "open the door",
    "close the door", "turn on the light", "turn off the light", "play music", "next song",
    "volume up", "volume down", "what time is it", "call home", "cancel", "repeat that",
)  # fmt: skip
VARIANTS = (
    "m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4", "f5", "adam", "Andy",
    "Annie", "belinda", "benjamin", "david", "edward", "Gene", "ian", "linda", "Mike",
    "michael", "paul", "quincy", "robert", "steph", "travis", "zac",
)  # fmt: skip
"""The eSpeak NG variants used by default: plain male and female voices and named ones
(the robotic, whispering and croaking variants are left out)."""
CACHE_VERSION = 2  # 2: short digit strings no longer refused once 110 strings exist


@dataclass(frozen=True)
class Utterance:
    """One clean utterance: its transcript, how it was spoken, and 16 kHz float32 audio."""

    text: str
    voice: str
    rate: int
    pitch: int
    audio: np.ndarray = field(repr=False, compare=False)

    @property
    def seconds(self) -> float:
        return self.audio.size / SAMPLE_RATE


@dataclass(frozen=True)
class Corpus:
    """Train, dev and test utterances (clean) and the variants each split was spoken with."""

    train: tuple[Utterance, ...]
    dev: tuple[Utterance, ...]
    test: tuple[Utterance, ...]
    variants: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]

    def sizes(self) -> tuple[int, int, int]:
        return len(self.train), len(self.dev), len(self.test)


@dataclass(frozen=True)
class CorpusSpec:
    """What a generated corpus is made of (every field is part of its cache key).

    ``test_voices`` and ``dev_voices`` variants are held out of training; ``rates`` and
    ``pitches`` are inclusive ranges drawn uniformly per utterance.
    """

    task: str = "digits"
    sizes: tuple[int, int, int] = (2000, 200, 200)
    seed: int = 0
    variants: tuple[str, ...] = VARIANTS
    dev_voices: int = 3
    test_voices: int = 5
    rates: tuple[int, int] = (140, 210)
    pitches: tuple[int, int] = (30, 70)

    def __post_init__(self) -> None:
        check_choice(self.task, "task", TASKS)
        if len(self.sizes) != 3:
            raise ValueError(f"sizes must be (train, dev, test), got {self.sizes!r}")
        for name, n in zip(("train_size", "dev_size", "test_size"), self.sizes, strict=True):
            check_integer(n, name, ge=1, le=200000)
        check_integer(self.seed, "seed", ge=0)
        check_integer(self.dev_voices, "dev_voices", ge=1)
        check_integer(self.test_voices, "test_voices", ge=1)
        if len(set(self.variants)) < self.dev_voices + self.test_voices + 1:
            raise ValueError(
                f"variants must hold more than dev_voices + test_voices = "
                f"{self.dev_voices + self.test_voices} distinct names, got {len(self.variants)}"
            )
        for name, (lo, hi), (a, b) in (
            ("rates", self.rates, (80, 450)),
            ("pitches", self.pitches, (0, 100)),
        ):
            check_integer(lo, f"{name}[0]", ge=a, le=b)
            check_integer(hi, f"{name}[1]", ge=lo, le=b)

    def key(self) -> str:
        """A hash of the settings (and the synthesiser's version): the cache file's name."""
        from importlib.metadata import PackageNotFoundError, version

        try:
            engine = version("espeakng-loader")
        except PackageNotFoundError:  # pragma: no cover - synthesis fails first
            engine = "?"
        blob = json.dumps([CACHE_VERSION, engine, self.__dict__], sort_keys=True, default=list)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


def digit_text(digits: str, rng: np.random.Generator) -> str:
    """The spoken words of a digit string: "307" → "three oh seven" (or "three zero seven")."""
    words = []
    for d in digits:
        if d == "0":
            words.append("oh" if rng.random() < 0.5 else "zero")
        else:
            words.append(DIGIT_WORDS[int(d)])
    return " ".join(words)


def _digit_strings(sizes: Sequence[int], rng: np.random.Generator) -> list[list[str]]:
    """Disjoint sets of digit strings for each split: lengths drawn uniformly from 1-7,
    a string drawn again is skipped (so the 10 one-digit strings are soon used up; the
    longer ones never run out)."""
    total = sum(sizes)
    seen: set[str] = set()
    strings: list[str] = []
    while len(strings) < total:
        n = int(rng.integers(1, 8))
        s = "".join(str(int(d)) for d in rng.integers(0, 10, size=n))
        if s not in seen:
            seen.add(s)
            strings.append(s)
    out, start = [], 0
    for n in sizes:
        out.append(strings[start : start + n])
        start += n
    return out


def _split_variants(spec: CorpusSpec, rng: np.random.Generator) -> tuple[tuple[str, ...], ...]:
    names = list(dict.fromkeys(spec.variants))
    order = [names[i] for i in rng.permutation(len(names))]
    test = tuple(sorted(order[: spec.test_voices]))
    dev = tuple(sorted(order[spec.test_voices : spec.test_voices + spec.dev_voices]))
    train = tuple(sorted(order[spec.test_voices + spec.dev_voices :]))
    return train, dev, test


def _plan(spec: CorpusSpec) -> tuple[list[list[tuple[str, str, int, int]]], tuple]:
    """Per split: (text, voice, rate, pitch) of every utterance, and the variant split."""
    from ._espeak import english_voices

    rng = np.random.default_rng([spec.seed, 14])
    split_variants = _split_variants(spec, rng)
    languages = english_voices()
    if spec.task == "digits":
        texts = [[digit_text(s, rng) for s in group] for group in _digit_strings(spec.sizes, rng)]
    else:
        texts = [[COMMANDS[i] for i in rng.integers(0, len(COMMANDS), n)] for n in spec.sizes]
    plans = []
    for group, names in zip(texts, split_variants, strict=True):
        rows = []
        for text in group:
            voice = f"{languages[rng.integers(len(languages))]}+{names[rng.integers(len(names))]}"
            rate = int(rng.integers(spec.rates[0], spec.rates[1] + 1))
            pitch = int(rng.integers(spec.pitches[0], spec.pitches[1] + 1))
            rows.append((text, voice, rate, pitch))
        plans.append(rows)
    return plans, split_variants


def default_cache_dir() -> Path:
    """``$NEUROATTN_CACHE/speech``, else ``~/.cache/neuroattn/speech``."""
    root = os.environ.get("NEUROATTN_CACHE")
    base = Path(root) if root else Path.home() / ".cache" / "neuroattn"
    return base / "speech"


def build_corpus(spec: CorpusSpec, *, cache_dir: str | os.PathLike[str] | None = None) -> Corpus:
    """The clean corpus of ``spec``: read from the cache, else synthesised and cached.

    Parameters
    ----------
    spec : CorpusSpec
    cache_dir : path, optional
        Where ``speech-<key>.npz`` lives (default :func:`default_cache_dir`); the file is
        written atomically after the first synthesis.

    Raises
    ------
    ModuleNotFoundError
        Without the ``speech`` extra when the corpus is not cached yet.
    """
    if not isinstance(spec, CorpusSpec):
        raise TypeError(f"spec must be a CorpusSpec, got {type(spec).__name__}")
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    path = folder / f"speech-{spec.key()}.npz"
    if path.is_file():
        try:
            return _read_cache(path)
        except (ValueError, KeyError, OSError, EOFError):
            pass  # a damaged cache is rebuilt
    corpus = _synthesize(spec)
    _write_cache(corpus, path)
    return corpus


def _synthesize(spec: CorpusSpec) -> Corpus:
    from ._espeak import SYNTH_RATE, synthesize

    plans, split_variants = _plan(spec)
    splits = []
    for rows in plans:
        utts = []
        for text, voice, rate, pitch in rows:
            raw = synthesize(text, voice=voice, rate=rate, pitch=pitch)
            audio = resample(raw.astype(np.float32) / 32768.0, SYNTH_RATE)
            audio = np.round(np.clip(audio, -1, 1) * 32767).astype(np.float32) / 32767
            utts.append(Utterance(text, voice, rate, pitch, audio))
        splits.append(tuple(utts))
    return Corpus(splits[0], splits[1], splits[2], split_variants)


def _write_cache(corpus: Corpus, path: Path) -> None:
    utts = [*corpus.train, *corpus.dev, *corpus.test]
    meta = {
        "sizes": corpus.sizes(),
        "variants": corpus.variants,
        "rows": [(u.text, u.voice, u.rate, u.pitch) for u in utts],
    }
    lengths = np.array([u.audio.size for u in utts], dtype=np.int64)
    audio = np.concatenate([u.audio for u in utts])
    audio = np.round(audio * 32767).astype(np.int16)  # 16-bit, as synthesised
    with staged_dir(path.parent) as tmp:
        np.savez(tmp / path.name, meta=np.array(json.dumps(meta)), lengths=lengths, audio=audio)


def _read_cache(path: Path) -> Corpus:
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(str(data["meta"]))
        lengths, audio = data["lengths"], data["audio"].astype(np.float32) / 32767
    ends = np.cumsum(lengths)
    utts = [
        Utterance(str(t), str(v), int(r), int(p), audio[e - n : e])
        for (t, v, r, p), n, e in zip(meta["rows"], lengths, ends, strict=True)
    ]
    a, b, _ = meta["sizes"]
    variants = tuple(tuple(v) for v in meta["variants"])
    return Corpus(tuple(utts[:a]), tuple(utts[a : a + b]), tuple(utts[a + b :]), variants)  # type: ignore[arg-type]


def degrade(
    audio: np.ndarray,
    *,
    snr: float = math.inf,
    rt60: float = 0.0,
    seed: int | Sequence[int] = 0,
) -> np.ndarray:
    """Reverberation (``rt60`` seconds; 0 for none), then white noise at ``snr`` dB (``inf``
    for none), both seeded by ``seed``."""
    rng = np.random.default_rng(seed)
    if rt60:
        audio = reverberate(
            audio, check_number(rt60, "rt60", ge=0, le=5), seed=int(rng.integers(2**31))
        )
    return add_noise(audio, snr, seed=rng)
