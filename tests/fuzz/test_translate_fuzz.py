"""Fuzz of the translation app's data and vocabulary entry points (its config:
``test_app_configs_fuzz``).

The promise checked: every call either returns what it documents or raises one
ValueError/TypeError (a line-numbered one for a TSV file); nothing else escapes.

* ``load_task`` with any name and sizes: Splits of the asked sizes with no source in two
  splits, or an error;
* ``read_tsv`` on generated file contents: pairs of two non-empty stripped fields, or a
  ValueError naming the file (and the line for a malformed one);
* ``Vocab.encode`` / ``decode`` on any text: a round trip, or a ValueError naming the
  characters outside the vocabulary;
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

pytest.importorskip("torch")
pytest.importorskip("num2words")
pytest.importorskip("babel")

from neuroattn.apps.translate import (
    TASKS,
    Vocab,
    load_task,
    read_tsv,
)

from ._strategies import FUZZ, NUMBERS

ERRORS = (ValueError, TypeError)
WILD = st.one_of(NUMBERS, st.booleans(), st.none(), st.text(max_size=6))


@FUZZ
@given(
    name=st.one_of(st.sampled_from(TASKS), st.text(max_size=12), WILD),
    sizes=st.one_of(
        st.tuples(st.integers(1, 30), st.integers(1, 5), st.integers(1, 5)),
        st.lists(WILD, max_size=4),
        WILD,
    ),
    seed=st.one_of(st.integers(0, 2**32), WILD),
)
def test_load_task_keeps_its_promise(name: Any, sizes: Any, seed: Any, tmp_path_factory) -> None:
    if isinstance(name, str) and ("/" in name or name.endswith((".tsv", ".txt"))):
        name = str(tmp_path_factory.mktemp("t") / "missing.tsv")  # never a real path
    try:
        splits = load_task(name, seed=seed, sizes=sizes)
    except ERRORS:
        return
    assert splits.sizes() == tuple(sizes)
    parts = [{p.source for p in s} for s in (splits.train, splits.dev, splits.test)]
    assert not (parts[0] & parts[1] or parts[0] & parts[2] or parts[1] & parts[2])


LINES = st.lists(
    st.one_of(
        st.tuples(st.text(max_size=6), st.text(max_size=6)).map("\t".join),
        st.text(max_size=10),
        st.sampled_from(["source\ttarget", "", "\t", "a\tb\tc", " \t ", "x\r"]),
    ),
    max_size=6,
)


@FUZZ
@given(lines=LINES, header=st.sampled_from([None, True, False]), raw=st.binary(max_size=8))
def test_read_tsv_keeps_its_promise(
    lines: list[str], header: Any, raw: bytes, tmp_path_factory
) -> None:
    path = tmp_path_factory.mktemp("tsv") / "data.tsv"
    path.write_bytes("\n".join(lines).encode("utf-8", "surrogatepass") + raw)
    try:
        pairs = read_tsv(path, header=header)
    except ValueError as exc:
        assert str(path) in str(exc)
        assert re.search(r"line \d+|no pairs|UTF-8|cannot read", str(exc)), str(exc)
        return
    for source, target in pairs:
        assert source and target and source == source.strip() and "\t" not in source + target


@FUZZ
@given(
    train=st.lists(st.text(min_size=1, max_size=8), min_size=1, max_size=4),
    text=st.text(max_size=10),
)
def test_vocab_keeps_its_promise(train: list[str], text: str) -> None:
    vocab = Vocab.build(train)
    try:
        ids = vocab.encode(text)
    except ValueError as exc:
        missing = vocab.missing(text)
        assert "must not be empty" in str(exc) or all(repr(c) in str(exc) for c in missing)
        return
    assert vocab.decode(ids) == text
    assert Vocab.from_dict(vocab.to_dict()) == vocab
