"""Generated corpora and TSV files: disjoint splits, seeds, German reordering, dates, errors."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pytest

pytest.importorskip("num2words")
pytest.importorskip("babel")

from neuroattn.apps.translate import (
    DATE_FORMATS,
    DATE_RANGE,
    TASKS,
    Pair,
    _data,
    date_pairs,
    load_task,
    number_pairs,
    read_tsv,
    split_pairs,
)

SMALL = (300, 40, 40)
ALL_FORMATS = [(loc, form) for loc, forms in DATE_FORMATS for form in forms]


def _sources(pairs: tuple[Pair, ...]) -> set[str]:
    return {p.source for p in pairs}


@pytest.mark.parametrize("task", TASKS)
def test_splits_are_disjoint_and_sized(task: str) -> None:
    splits = load_task(task, seed=3, sizes=SMALL)
    assert splits.sizes() == SMALL
    parts = [_sources(splits.train), _sources(splits.dev), _sources(splits.test)]
    assert [len(p) for p in parts] == list(SMALL)  # no repeated source inside a split either
    for a, b in itertools.combinations(parts, 2):
        assert not a & b
    targets = [{p.target for p in part} for part in (splits.train, splits.dev, splits.test)]
    for a, b in itertools.combinations(targets, 2):
        assert not a & b  # the same number or date never appears in two splits


@pytest.mark.parametrize("task", ["numbers-en-de", "dates"])
def test_generators_are_reproducible_from_the_seed(task: str) -> None:
    a = load_task(task, seed=7, sizes=(50, 5, 5))
    b = load_task(task, seed=7, sizes=(50, 5, 5))
    c = load_task(task, seed=8, sizes=(50, 5, 5))
    assert a == b
    assert a.train != c.train


def test_german_puts_units_before_tens() -> None:
    pairs = number_pairs([42, 342, 21042, 999999], "de")
    assert pairs[0] == Pair("forty-two", "zweiundvierzig")
    assert pairs[1] == Pair("three hundred forty-two", "dreihundertzweiundvierzig")
    assert pairs[2].target == "einundzwanzigtausendzweiundvierzig"
    assert pairs[3].source == "nine hundred ninety-nine thousand nine hundred ninety-nine"
    train = load_task("numbers-en-de", seed=0, sizes=SMALL).train
    crossing = [p for p in train if "-" in p.source and "und" in p.target]
    assert len(crossing) > len(train) // 2  # most numbers hold a tens-units pair


def test_english_side_has_no_and_or_commas_and_targets_follow_num2words() -> None:
    from num2words import num2words

    splits = load_task("numbers-en-fr", seed=1, sizes=SMALL)
    assert not any(" and " in p.source or "," in p.source for p in splits.train)
    # the small share of numbers below 1000 is drawn
    assert any(" thousand" not in p.source for p in splits.train)
    for p in splits.test[:10]:
        assert p.target in {num2words(n, lang="fr") for n in _english_to_int(p.source)}


def _english_to_int(text: str) -> list[int]:
    """An independent reading of American English number words (0 to 999 999)."""
    units = "zero one two three four five six seven eight nine ten eleven twelve thirteen".split()
    units += "fourteen fifteen sixteen seventeen eighteen nineteen".split()
    tens = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
    total = current = 0
    for word in text.replace("-", " ").split():
        if word in units:
            current += units.index(word)
        elif word in tens:
            current += 10 * tens.index(word)
        elif word == "hundred":
            current *= 100
        elif word == "thousand":
            total, current = total + current * 1000, 0
        else:
            raise AssertionError(word)
    return [total + current]


def test_dates_map_to_iso_in_the_range() -> None:
    splits = load_task("dates", seed=2, sizes=SMALL)
    for p in splits.train:
        day = dt.date.fromisoformat(p.target)
        assert DATE_RANGE[0] <= day <= DATE_RANGE[1]
        assert "\u202f" not in p.source and "\xa0" not in p.source


def test_date_formats_read_as_published() -> None:
    day = dt.date(2026, 11, 23)
    rng = np.random.default_rng(0)
    expected = {
        ("en_US", "short"): "11/23/26",
        ("fr_FR", "long"): "23 novembre 2026",
        ("de_DE", "full"): "Montag, 23. November 2026",
        ("ja_JP", "long"): "2026年11月23日",
    }
    for fmt, text in expected.items():
        assert date_pairs([day], rng, [fmt]) == (Pair(text, "2026-11-23"),)
    en = date_pairs([day], rng, [("en_US", "long")])[0].source
    assert dt.datetime.strptime(en, "%B %d, %Y").date() == day  # an independent parser


@pytest.mark.parametrize(
    ("day", "week_year"), [(dt.date(2024, 12, 30), "2025"), (dt.date(2021, 1, 1), "2020")]
)
def test_years_are_calendar_years_not_week_years(day: dt.date, week_year: str) -> None:
    assert day.isocalendar()[0] == int(week_year)  # the trap is real for these dates
    rng = np.random.default_rng(0)
    for fmt in ALL_FORMATS:
        source = date_pairs([day], rng, [fmt])[0].source
        assert str(day.year)[2:] in source, (fmt, source)
        assert week_year not in source, (fmt, source)


def test_a_week_year_pattern_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import babel.dates

    class Fake:
        pattern = "dd.MM.YYYY"

    monkeypatch.setattr(babel.dates, "get_date_format", lambda *a, **k: Fake())
    with pytest.raises(ValueError, match="week-based year"):
        _data.date_pattern("de_DE", "medium")


def test_every_date_source_has_one_reading() -> None:
    """No format of one locale reads the same text as another date (two years checked)."""
    seen: dict[str, str] = {}
    rng = np.random.default_rng(0)
    days = [dt.date(2012, 1, 1) + dt.timedelta(days=k) for k in range(366)]
    days += [dt.date(1950, 1, 1) + dt.timedelta(days=k) for k in range(0, 365, 3)]
    for fmt in ALL_FORMATS:
        for pair in date_pairs(days, rng, [fmt]):
            assert seen.setdefault(pair.source, pair.target) == pair.target, (fmt, pair)


def test_tsv_with_and_without_header(tmp_path) -> None:
    with_header = tmp_path / "a.tsv"
    with_header.write_text("Source\tTarget\nhallo\thello\n\nwelt\tworld\r\n", encoding="utf-8")
    assert read_tsv(with_header) == (Pair("hallo", "hello"), Pair("welt", "world"))
    plain = tmp_path / "b.tsv"
    plain.write_text("source\ttarget\nhallo\thello\n", encoding="utf-8")
    assert read_tsv(plain, header=False)[0] == Pair("source", "target")


@pytest.mark.parametrize(
    ("text", "line"),
    [("a\tb\nc\td\te\n", 2), ("a\tb\n\nno tab here\n", 3), ("a\t\n", 1), ("\tb\n", 1)],
)
def test_malformed_tsv_line_is_named(tmp_path, text: str, line: int) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=rf"line {line}: expected two non-empty"):
        read_tsv(path)


def test_tsv_file_errors(tmp_path) -> None:
    with pytest.raises(ValueError, match="cannot read"):
        read_tsv(tmp_path / "missing.tsv")
    binary = tmp_path / "bin.tsv"
    binary.write_bytes(b"\xff\xfe\x00a\tb")
    with pytest.raises(ValueError, match="not a UTF-8"):
        read_tsv(binary)
    empty = tmp_path / "empty.tsv"
    empty.write_text("source\ttarget\n\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no pairs"):
        read_tsv(empty)


def test_tsv_split_keeps_sources_together_and_is_seeded(tmp_path) -> None:
    rows = [f"s{i % 40}\tt{i}" for i in range(120)]  # each source three times
    path = tmp_path / "corpus.tsv"
    path.write_text("\n".join(rows), encoding="utf-8")
    splits = load_task(path, seed=5, sizes=(1000, 10, 10))
    assert splits.sizes() == (3 * 32, 3 * 4, 3 * 4)  # dev and test capped at a tenth of 40
    parts = [_sources(splits.train), _sources(splits.dev), _sources(splits.test)]
    for a, b in itertools.combinations(parts, 2):
        assert not a & b
    assert load_task(str(path), seed=5, sizes=(1000, 10, 10)).dev == splits.dev
    capped = split_pairs(read_tsv(path), seed=5, sizes=(8, 1, 1))
    assert len(_sources(capped.train)) == 8


@pytest.mark.parametrize(
    ("name", "sizes", "match"),
    [
        ("numbers-en-it", (5, 1, 1), "task must be one of 'numbers-en-de'"),
        ("dates", (5, 0, 1), r"sizes\[1\] \(dev\) must be a positive integer"),
        ("dates", (5, 1), "sizes must be three integers"),
        ("dates", (40000, 1, 1), "at most 36525 dates"),
        ("numbers-en-de", (10**6, 1, 1), "at most 1000000 numbers"),
        ("missing.tsv", (5, 1, 1), "missing.tsv: cannot read"),
    ],
)
def test_bad_task_arguments(name: str, sizes: tuple[int, ...], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        load_task(name, sizes=sizes)  # type: ignore[arg-type]


def test_too_few_sources_to_split() -> None:
    with pytest.raises(ValueError, match="at least 3 different sources"):
        split_pairs([Pair("a", "b"), Pair("a", "c")])
