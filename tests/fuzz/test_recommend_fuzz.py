"""Fuzz of the recommendation app: generator, CSV reader, metrics, models and CLI (its config:
``test_app_configs_fuzz``).

The promise checked: every call returns what it documents or raises one ValueError/TypeError
(naming the file and the line for a bad CSV row); ``neuroattn recommend train`` exits 0 with
the run's files, or 2 with one line on stderr and nothing written. In the CLI fuzz the sizes
that would make a run long (users, steps, widths) are cut after the settings are checked:
what is fuzzed is everything before training.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import math
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

pytest.importorskip("torch")

from neuroattn import cli
from neuroattn.apps.recommend import (
    MODELS,
    RecommendConfig,
    _cli,
    auc,
    build_model,
    gauc,
    generate,
    read_csv,
)

from ._strategies import FUZZ, NUMBERS, SECONDS, config_docs, to_toml

ERRORS = (ValueError, TypeError)
WILD = st.one_of(NUMBERS, st.booleans(), st.none(), st.text(max_size=6))


@FUZZ
@given(
    users=st.one_of(st.integers(0, 40), WILD),
    categories=st.one_of(st.integers(1, 5), WILD),
    interests=st.one_of(st.integers(0, 6), WILD),
    noise=st.one_of(st.floats(0, 1), WILD),
    test_fraction=st.one_of(st.floats(0, 0.6), WILD),
    seed=st.one_of(st.integers(0, 2**32), WILD),
)
def test_generate_keeps_its_promise(
    users: Any, categories: Any, interests: Any, noise: Any, test_fraction: Any, seed: Any
) -> None:
    try:
        s = generate(users=users, categories=categories, interests=interests, noise=noise,
                     test_fraction=test_fraction, seed=seed, candidates=3, items_per_style=2,
                     max_history=8)  # fmt: skip
    except ERRORS:
        return
    parts = [set(p.user.tolist()) for p in (s.train, s.dev, s.test)]
    assert all(parts) and not (parts[0] & parts[1] or parts[0] & parts[2] or parts[1] & parts[2])
    assert ((s.train.truth > 0) & (s.train.truth < 1)).all()


CELLS = st.one_of(
    st.sampled_from(["u1", "u2", "u3", "u4", "a", "b", "0", "1", "2.5", "", " ", "nan", "x,y"]),
    st.text(max_size=4),
)
ROWS = st.lists(st.lists(CELLS, min_size=0, max_size=6).map(",".join), max_size=12)
HEADERS = st.one_of(
    st.just("user,item,category,timestamp,label"),
    st.just("label,timestamp,category,item,user,other"),
    st.lists(
        st.sampled_from(["user", "item", "category", "timestamp", "label", "x"]), max_size=6
    ).map(",".join),
)


@FUZZ
@given(header=HEADERS, rows=ROWS, raw=st.binary(max_size=6))
def test_read_csv_keeps_its_promise(header: str, rows: list[str], raw: bytes, tmp_path_factory):
    path = tmp_path_factory.mktemp("csv") / "log.csv"
    path.write_bytes(("\n".join([header, *rows])).encode("utf-8", "surrogatepass") + raw)
    try:
        s = read_csv(path, dev_fraction=0.25, test_fraction=0.25)
    except ValueError as exc:
        text = str(exc)
        assert str(path) in text or "users must be enough" in text, text
        assert re.search(r"line \d+|missing column|no rows|empty|UTF-8|CSV|users must", text)
        return
    for part in (s.train, s.dev, s.test):
        assert (part.length <= part.history.shape[1]).all()
        assert set(np.unique(part.label)) <= {0.0, 1.0}


@FUZZ
@given(
    scores=st.one_of(st.lists(st.floats(allow_nan=True), max_size=8), WILD),
    labels=st.one_of(st.lists(st.sampled_from([0, 1, 2, 0.5, -1]), max_size=8), WILD),
    users=st.lists(st.integers(0, 2), max_size=8),
)
def test_metrics_keep_their_promise(scores: Any, labels: Any, users: list[int]) -> None:
    try:
        value = auc(scores, labels)
    except ERRORS:
        value = None
    if value is not None:
        assert 0.0 <= value <= 1.0
    try:
        g = gauc(scores, labels, users)
    except ERRORS:
        return
    assert math.isnan(g) or 0.0 <= g <= 1.0


@FUZZ
@given(
    name=st.one_of(st.sampled_from(list(MODELS)), st.text(max_size=8), WILD),
    embed_dim=st.one_of(st.integers(1, 6), WILD),
    hidden=st.one_of(st.tuples(st.integers(1, 8), st.integers(1, 8)), st.lists(WILD, max_size=3)),
    activation=st.one_of(st.sampled_from(["dice", "prelu"]), WILD),
)
def test_build_model_keeps_its_promise(name: Any, embed_dim: Any, hidden: Any, activation: Any):
    import torch

    try:
        model = build_model(name, 10, 3, embed_dim=embed_dim, hidden=hidden, activation=activation)
    except ERRORS:
        return
    from neuroattn.apps.recommend import Batch

    batch = Batch(torch.tensor([[1, 2, 0]]), torch.tensor([[1, 2, 0]]), torch.tensor([2]),
                  torch.tensor([3]), torch.tensor([1]))  # fmt: skip
    assert model.eval()(batch).shape == (1,)


@contextlib.contextmanager
def _small_runs() -> Iterator[None]:
    """Checked settings cut to a tiny run: few users, two steps, narrow layers."""
    real_load, real_train = _cli.load_data, _cli.train_model

    def small(config: RecommendConfig) -> RecommendConfig:
        return dataclasses.replace(
            config, users=min(config.users, 40), candidates=min(config.candidates, 4),
            max_history=min(config.max_history, 8), embed_dim=min(config.embed_dim, 4),
            hidden1=min(config.hidden1, 8), hidden2=min(config.hidden2, 8),
            max_steps=min(config.max_steps, 2), eval_every=1, max_seconds=0.0, threads=1,
            batch_size=min(config.batch_size, 16),
            categories=min(config.categories, 4), styles=min(config.styles, 2),
            items_per_style=min(config.items_per_style, 3), interests=1,
        )  # fmt: skip

    _cli.load_data = lambda config: real_load(small(config))  # type: ignore[assignment]
    _cli.train_model = lambda config, **kw: real_train(small(config), **kw)  # type: ignore
    try:
        yield
    finally:
        _cli.load_data, _cli.train_model = real_load, real_train  # type: ignore[assignment]


NEAR = st.one_of(st.integers(0, 50), st.floats(0, 1.2), st.sampled_from(["din", "mean", "dice"]))


@FUZZ
@given(
    doc=config_docs(RecommendConfig, near=NEAR),
    model=st.one_of(st.none(), st.sampled_from([*MODELS, "DIN", "", "gru"]), st.text(max_size=5)),
)
def test_train_command_keeps_its_promise(doc: dict[str, Any], model: Any, tmp_path_factory):
    doc.pop("data", None)
    folder: Path = tmp_path_factory.mktemp("r")
    config = folder / "c.toml"
    try:
        config.write_text(to_toml(doc), encoding="utf-8")
    except (TypeError, UnicodeEncodeError):
        return
    out = folder / "run"
    argv = ["recommend", "train", "-c", str(config), "-o", str(out), "-q"]
    if model is not None:
        argv += ["--model", model]
    err = io.StringIO()
    start = time.perf_counter()
    with _small_runs(), contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = cli.main(argv)
    lines = [ln for ln in err.getvalue().splitlines() if ln.strip()]
    assert time.perf_counter() - start < SECONDS
    if code == 0:
        assert {"best.pt", "last.pt", "config.toml", "train.json"} <= {
            p.name for p in out.iterdir()
        }
        return
    assert code == 2, lines
    assert len(lines) == 1 and lines[0].startswith("error:"), lines
    assert not out.exists()
    assert [p.name for p in folder.iterdir()] == ["c.toml"]
