"""Training on the shared trainer: a tiny model overfits, checkpoints round-trip, resume,
configs from TOML and their errors."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from neuroattn.apps import recommend as rec  # noqa: E402

TINY = rec.RecommendConfig(
    users=40,
    categories=4,
    styles=2,
    items_per_style=3,
    max_history=8,
    candidates=4,
    dev_fraction=0.25,
    test_fraction=0.25,
    embed_dim=4,
    hidden1=16,
    hidden2=8,
    batch_size=16,
    lr=0.01,
    max_steps=12,
    eval_every=4,
    patience=100,
    threads=1,
)


@pytest.mark.parametrize("model", list(rec.MODELS))
def test_a_tiny_model_overfits_a_small_batch(model: str) -> None:
    s = rec.generate(users=12, candidates=4, categories=4, styles=2, items_per_style=3, seed=3)
    small = dataclasses.replace(s, dev=s.train)  # dev = train: the score is the training fit
    cfg = dataclasses.replace(TINY, model=model, batch_size=len(s.train), max_steps=150,
                              eval_every=50, lr=0.02)  # fmt: skip
    result = rec.train(cfg, splits=small, log=lambda _: None)
    p = np.clip(rec.predict(result.model, s.train), 1e-7, 1 - 1e-7)
    loss = -np.mean(s.train.label * np.log(p) + (1 - s.train.label) * np.log(1 - p))
    assert rec.auc(p, s.train.label) == 1.0
    assert loss < 0.1


def test_checkpoint_round_trip(tmp_path: Path) -> None:
    cfg = dataclasses.replace(TINY, model="din")
    result = rec.train(cfg, run_dir=tmp_path, log=lambda _: None)
    assert {p.name for p in tmp_path.iterdir()} == {"best.pt", "last.pt"}
    model, config = rec.load_recommender(tmp_path)
    assert config == cfg
    test = result.splits.test
    np.testing.assert_array_equal(rec.predict(model, test), rec.predict(result.model, test))
    assert rec.scores(model, result.splits.dev)["auc"] == pytest.approx(result.best_dev)


def test_resume_continues_where_it_stopped(tmp_path: Path) -> None:
    whole = rec.train(dataclasses.replace(TINY, model="competitive"), log=lambda _: None)
    half = dataclasses.replace(TINY, model="competitive", max_steps=8)
    rec.train(half, run_dir=tmp_path, log=lambda _: None)
    lines: list[str] = []
    rest = rec.train(dataclasses.replace(half, max_steps=12), run_dir=tmp_path, log=lines.append)
    assert rest.resumed_from == 8 and rest.step == 12
    assert any("resumed from" in line for line in lines)
    assert [h["loss"] for h in rest.history] == pytest.approx([h["loss"] for h in whole.history])


def test_resume_refuses_other_settings_and_damaged_files(tmp_path: Path) -> None:
    rec.train(TINY, run_dir=tmp_path, log=lambda _: None)
    with pytest.raises(ValueError, match="trained with model = 'din', not 'mean'"):
        rec.train(dataclasses.replace(TINY, model="mean"), run_dir=tmp_path)
    (tmp_path / "best.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="corrupt or truncated checkpoint"):
        rec.load_recommender(tmp_path)
    with pytest.raises(ValueError, match="no checkpoint"):
        rec.load_recommender(tmp_path / "..")


def test_config_toml_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(TINY.to_toml(), encoding="utf-8")
    assert rec.load_config(path) == TINY
    path.write_text(rec.EXAMPLE_TOML, encoding="utf-8")
    assert rec.load_config(path) == rec.RecommendConfig()
    path.write_text('[recommend]\nmodel = "mean"\nlr = 1\n', encoding="utf-8")
    assert rec.load_config(path) == rec.RecommendConfig(model="mean", lr=1.0)


@pytest.mark.parametrize(
    ("text", "error", "words"),
    [
        ('model = "gru"', ValueError, "model must be one of"),
        ("lr = 0", ValueError, "lr must be"),
        ('lr = "fast"', TypeError, "lr must be a number"),
        ("users = 2.5", TypeError, "users must be an integer"),
        ("depth = 3", ValueError, "depth is not a setting"),
        ("dev_fraction = 0.6\ntest_fraction = 0.5", ValueError, "dev_fraction"),
        ("interests = 100", ValueError, "interests must be at most"),
        ("batch_size = 1", ValueError, "batch_size must be"),
        ('data = ""', ValueError, "data must be"),
        ("lr = nan", ValueError, "lr must be a finite number"),
        ("model = ", ValueError, "not valid TOML"),
    ],
)
def test_bad_config_names_the_field(tmp_path: Path, text: str, error: type, words: str) -> None:
    path = tmp_path / "c.toml"
    path.write_text(text + "\n", encoding="utf-8")
    with pytest.raises(error, match=words):
        rec.load_config(path)


def test_train_refuses_a_bad_config_type() -> None:
    with pytest.raises(TypeError, match="config must be a RecommendConfig"):
        rec.train({"model": "din"})  # type: ignore[arg-type]
