"""Parallel corpora: generated numbers and dates, or a user's TSV, split without overlap.

Tasks
-----
``numbers-en-de``, ``numbers-en-fr``, ``numbers-en-es``
    Cardinal numbers 0 to 999 999 written out in English and in the target language by
    ``num2words``. German puts units before tens ("forty-two" → "zweiundvierzig"), a
    crossing alignment. The English side is written the American way, without "and" and
    commas ("three hundred forty-two"; num2words writes "three hundred and forty-two"),
    our choice. About 5 % of the numbers are drawn below 1000 so that short inputs are
    seen; the rest are uniform over 1000-999 999 (ours).
``dates``
    A date between 1950-01-01 and 2049-12-31 in one of :data:`DATE_FORMATS` (CLDR's
    short, medium, long and full patterns of 16 locales through Babel) → ISO 8601
    (``2026-11-23``). The range makes two-digit years unique (``yy`` 50-99 → 19yy,
    00-49 → 20yy, ours). Numeric formats that read the same digits in another order
    (day-first ``dd/MM/yy`` beside the US ``M/d/yy``) are left out, so every source
    string has one reading. CLDR's ``Y`` is the *week-based* year (2024-12-30 is in week
    1 of 2025): :func:`date_pairs` refuses any pattern that uses it.
A path to a TSV file
    One pair a line, ``source<TAB>target``; a first line ``source<TAB>target`` (or
    ``src``/``tgt``, ``input``/``output``) is a header and skipped; blank lines are
    skipped. See :func:`read_tsv`.

Every split holds different sources: numbers, dates and TSV source lines never appear in
two of train/dev/test. The splits are reproducible from ``seed``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from ...dynamics.checks import check_integer, check_seed

__all__ = [
    "DATE_FORMATS",
    "DATE_RANGE",
    "NUMBER_LANGUAGES",
    "TASKS",
    "Pair",
    "Splits",
    "date_pairs",
    "load_task",
    "number_pairs",
    "read_tsv",
    "split_pairs",
]

NUMBER_LANGUAGES = {"numbers-en-de": "de", "numbers-en-fr": "fr", "numbers-en-es": "es"}
TASKS: tuple[str, ...] = (*NUMBER_LANGUAGES, "dates")
MAX_NUMBER = 999_999
DATE_RANGE = (dt.date(1950, 1, 1), dt.date(2049, 12, 31))
DEFAULT_SIZES = (20000, 500, 2000)
_ALL = ("short", "medium", "long", "full")
# (locale, CLDR format names); short formats whose digits another locale reads in another
# order are left out (es_ES and it_IT "d/M/yy" against en_US "M/d/yy"; ko_KR "yy. M. d.")
DATE_FORMATS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("en_US", _ALL),
    ("en_GB", _ALL),
    ("de_DE", _ALL),
    ("fr_FR", _ALL),
    ("es_ES", ("medium", "long", "full")),
    ("it_IT", ("medium", "long", "full")),
    ("pt_BR", _ALL),
    ("nl_NL", _ALL),
    ("sv_SE", _ALL),
    ("pl_PL", _ALL),
    ("ru_RU", _ALL),
    ("ja_JP", _ALL),
    ("zh_CN", _ALL),
    ("ko_KR", ("medium", "long", "full")),
    ("tr_TR", _ALL),
    ("fi_FI", _ALL),
)
_SPACES = str.maketrans({"\u202f": " ", "\u00a0": " ", "\u200f": ""})
_HEADERS = {("source", "target"), ("src", "tgt"), ("input", "output")}
_SMALL_SHARE = 0.05  # share of numbers drawn below 1000


class Pair(NamedTuple):
    """One example: the ``source`` text and its translation ``target``."""

    source: str
    target: str


@dataclass(frozen=True)
class Splits:
    """Train, dev and test pairs of one task; no source text is in two of them."""

    train: tuple[Pair, ...]
    dev: tuple[Pair, ...]
    test: tuple[Pair, ...]
    task: str = ""

    def sizes(self) -> tuple[int, int, int]:
        """Numbers of train, dev and test pairs."""
        return len(self.train), len(self.dev), len(self.test)


def _check_sizes(sizes: object) -> tuple[int, int, int]:
    if not isinstance(sizes, (tuple, list)) or len(sizes) != 3:
        raise ValueError(f"sizes must be three integers (train, dev, test), got {sizes!r}")
    train = check_integer(sizes[0], "sizes[0] (train)", ge=1)
    dev = check_integer(sizes[1], "sizes[1] (dev)", ge=1)
    test = check_integer(sizes[2], "sizes[2] (test)", ge=1)
    return train, dev, test


def english_number(n: int) -> str:
    """``n`` in American English words, without "and" and commas."""
    from num2words import num2words

    return str(num2words(n, lang="en")).replace(",", "").replace(" and ", " ")


def number_pairs(numbers: Iterable[int], lang: str) -> tuple[Pair, ...]:
    """Pairs (English words, words in ``lang``) for each of ``numbers`` (num2words)."""
    from num2words import num2words

    return tuple(Pair(english_number(int(n)), str(num2words(int(n), lang=lang))) for n in numbers)


def _sample_numbers(total: int, rng: np.random.Generator) -> np.ndarray:
    """``total`` distinct numbers in [0, MAX_NUMBER], about 5 % below 1000, in random order."""
    if total > MAX_NUMBER + 1:
        raise ValueError(f"sizes must add up to at most {MAX_NUMBER + 1} numbers, got {total}")
    small = min(round(_SMALL_SHARE * total), 1000, total)
    large = total - small
    if large > MAX_NUMBER + 1 - 1000:
        small, large = total - (MAX_NUMBER + 1 - 1000), MAX_NUMBER + 1 - 1000
    picked = np.concatenate(
        [
            rng.choice(1000, size=small, replace=False),
            1000 + rng.choice(MAX_NUMBER + 1 - 1000, size=large, replace=False),
        ]
    )
    return rng.permutation(picked)


@cache
def _locale(name: str) -> Any:
    from babel import Locale

    return Locale.parse(name)


def _unquoted(pattern: str) -> str:
    """A CLDR pattern without its quoted literals ('de', 'г')."""
    return "".join(part for i, part in enumerate(pattern.split("'")) if i % 2 == 0)


def date_pattern(locale: str, form: str) -> str:
    """The CLDR date pattern of ``locale`` in ``form``; ValueError if it uses ``Y``."""
    from babel.dates import get_date_format

    pattern = str(get_date_format(form, locale=_locale(locale)).pattern)  # type: ignore[arg-type]
    if "Y" in _unquoted(pattern):
        raise ValueError(
            f"the {form} date pattern of {locale} ({pattern!r}) uses Y, the week-based year; "
            "dates near New Year would get the wrong year"
        )
    return pattern


def date_pairs(
    dates: Iterable[dt.date], rng: np.random.Generator, formats: Sequence[tuple[str, str]] = ()
) -> tuple[Pair, ...]:
    """Pairs (the date in a format drawn from ``formats``, ISO 8601) for each date.

    ``formats`` are (locale, CLDR form) pairs, default all of :data:`DATE_FORMATS`.
    Narrow and right-to-left marks and no-break spaces become plain spaces.
    """
    from babel.dates import format_date

    choices = list(formats) or [(loc, form) for loc, forms in DATE_FORMATS for form in forms]
    patterns = [(loc, date_pattern(loc, form)) for loc, form in choices]
    days = list(dates)
    pairs = []
    for day, k in zip(days, rng.integers(len(patterns), size=len(days)), strict=True):
        loc, pattern = patterns[int(k)]
        text = str(format_date(day, pattern, locale=_locale(loc))).translate(_SPACES)
        pairs.append(Pair(text, day.isoformat()))
    return tuple(pairs)


def _sample_dates(total: int, rng: np.random.Generator) -> list[dt.date]:
    first, last = DATE_RANGE
    days = (last - first).days + 1
    if total > days:
        raise ValueError(f"sizes must add up to at most {days} dates, got {total}")
    offsets = rng.choice(days, size=total, replace=False)
    return [first + dt.timedelta(days=int(k)) for k in offsets]


def read_tsv(path: str | Path, *, header: bool | None = None) -> tuple[Pair, ...]:
    """Pairs from a UTF-8 TSV file, one ``source<TAB>target`` a line.

    ``header=None`` skips a first line that reads ``source<TAB>target`` (``src``/``tgt``,
    ``input``/``output``, any case); True always skips the first line, False never.
    Blank lines are skipped; a trailing carriage return is dropped.

    Raises
    ------
    ValueError
        If the file is missing or unreadable, not UTF-8, has no pairs, or a line does not
        hold exactly two non-empty fields (the message names the line).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not a UTF-8 text file") from None
    except OSError as exc:
        raise ValueError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    pairs: list[Pair] = []
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        fields = line.split("\t")
        if number == 1 and header is not False:
            if header or tuple(f.strip().lower() for f in fields) in _HEADERS:
                continue
        if len(fields) != 2 or not fields[0].strip() or not fields[1].strip():
            shown = line if len(line) <= 60 else line[:57] + "..."
            raise ValueError(
                f"{path} line {number}: expected two non-empty tab-separated fields "
                f"(source, target), got {len(fields)} field(s): {shown!r}"
            )
        pairs.append(Pair(fields[0].strip(), fields[1].strip()))
    if not pairs:
        raise ValueError(f"{path}: no pairs (one 'source<TAB>target' a line)")
    return tuple(pairs)


def split_pairs(
    pairs: Sequence[Pair], *, seed: Any = 0, sizes: tuple[int, int, int] = DEFAULT_SIZES
) -> Splits:
    """A seeded split of ``pairs`` in which pairs of one source text stay together.

    Dev and test get ``sizes[1]`` and ``sizes[2]`` distinct sources, but each at most a
    tenth of them (at least one); train gets the rest, at most ``sizes[0]`` sources.
    """
    n_train, n_dev, n_test = _check_sizes(sizes)
    groups: dict[str, list[Pair]] = {}
    for pair in pairs:
        groups.setdefault(pair.source, []).append(Pair(*pair))
    sources = list(groups)
    if len(sources) < 3:
        raise ValueError(f"a split needs at least 3 different sources, got {len(sources)}")
    order = np.random.default_rng(check_seed(seed)).permutation(len(sources))
    cap = max(1, len(sources) // 10)
    n_dev, n_test = min(n_dev, cap), min(n_test, cap)
    parts = np.split(order, [n_dev, n_dev + n_test])
    dev, test, train = ([p for i in part for p in groups[sources[i]]] for part in parts)
    train_sources = {p.source for p in train}
    if len(train_sources) > n_train:
        keep = {sources[i] for i in parts[2][:n_train]}
        train = [p for p in train if p.source in keep]
    return Splits(tuple(train), tuple(dev), tuple(test))


def load_task(
    name_or_path: str | Path, *, seed: Any = 0, sizes: tuple[int, int, int] = DEFAULT_SIZES
) -> Splits:
    """The train/dev/test pairs of a task named in :data:`TASKS` or of a TSV file.

    Parameters
    ----------
    name_or_path : str or Path
        ``"numbers-en-de"``, ``"numbers-en-fr"``, ``"numbers-en-es"``, ``"dates"``, or
        the path of a TSV file (see :func:`read_tsv`).
    seed : int or numpy Generator
        Seeds the drawing and the split; the same seed gives the same splits.
    sizes : (int, int, int)
        Train, dev and test sizes (for a TSV: see :func:`split_pairs`).

    Raises
    ------
    ValueError
        For an unknown task name, a missing file, a malformed TSV line (named) or sizes
        that the task cannot fill.
    """
    sizes = _check_sizes(sizes)
    rng = np.random.default_rng(check_seed(seed))
    name = str(name_or_path)
    if name in NUMBER_LANGUAGES:
        numbers = _sample_numbers(sum(sizes), rng)
        train, dev, test = np.split(numbers, [sizes[0], sizes[0] + sizes[1]])
        lang = NUMBER_LANGUAGES[name]
        return Splits(
            number_pairs(train, lang), number_pairs(dev, lang), number_pairs(test, lang), name
        )
    if name == "dates":
        days = _sample_dates(sum(sizes), rng)
        a, b = sizes[0], sizes[0] + sizes[1]
        return Splits(
            date_pairs(days[:a], rng), date_pairs(days[a:b], rng), date_pairs(days[b:], rng), name
        )
    path = Path(name_or_path)
    if isinstance(name_or_path, Path) or path.suffix.lower() in (".tsv", ".txt") or path.exists():
        splits = split_pairs(read_tsv(path), seed=rng, sizes=sizes)
        return Splits(splits.train, splits.dev, splits.test, task=str(path))
    listing = ", ".join(repr(t) for t in TASKS)
    raise ValueError(f"task must be one of {listing} or a .tsv file, got {name!r}")
