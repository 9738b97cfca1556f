"""Training through the shared trainer: a tiny run learns, checkpoints round-trip, resume."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("sklearn")

from neuroattn.apps.detect import (  # noqa: E402
    NOTHING,
    DetectConfig,
    config_from_mapping,
    digit_canvases,
    load_detector,
    train,
    training_glimpses,
)

TINY = DetectConfig(size=64, width=2, dev_size=4, test_size=4, canvases=2, max_steps=4,
                    eval_every=2, patience=100, threads=1, max_seconds=0.0)  # fmt: skip


def test_training_glimpses_are_labelled_by_overlap() -> None:
    data = digit_canvases(3, "train", seed=0)
    rng = np.random.default_rng(0)
    glimpses, labels = training_glimpses(data, rng, side=20, per_digit=2)
    digits = 2 * data.count
    assert glimpses.shape == (len(labels), 1, 20, 20)
    assert (labels[labels != NOTHING].numel(), int((labels == NOTHING).sum())) == (digits, digits)
    assert sorted(labels[labels != NOTHING].tolist()) == sorted(
        np.repeat(np.concatenate(data.labels), 2).tolist()
    )


def test_a_small_model_overfits_a_fixed_batch() -> None:
    torch.manual_seed(0)
    from neuroattn.apps.classify import create_model

    data = digit_canvases(4, "train", seed=1)
    x, y = training_glimpses(data, np.random.default_rng(1), side=24)
    model = create_model("none", width=8, classes=11)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    for _ in range(150):
        loss = torch.nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    assert float((model(x).argmax(1) == y).float().mean()) == 1.0


def test_checkpoint_round_trip_and_resume(tmp_path: Path) -> None:
    result = train(TINY, run_dir=tmp_path, log=lambda _: None)
    assert result.step == 4 and [h["step"] for h in result.history] == [2, 4]
    loaded = load_detector(tmp_path)
    assert loaded.config == TINY
    img = digit_canvases(1, "test", size=64, seed=2).images[0]
    boxes = np.array([[0.0, 0.0, 32.0, 32.0], [10.5, 3.0, 30.5, 23.0]])
    expected = result.classifier.probabilities(img, boxes)
    assert np.allclose(loaded.probabilities(img, boxes), expected, atol=1e-6)
    assert np.allclose(expected.sum(axis=1), 1.0, atol=1e-5) and expected.shape == (2, 11)
    more = train(dataclasses.replace(TINY, max_steps=6), run_dir=tmp_path, log=lambda _: None)
    assert more.resumed_from == 4 and more.step == 6
    with pytest.raises(ValueError, match="trained with width = 2, not 3"):
        train(dataclasses.replace(TINY, width=3), run_dir=tmp_path, log=lambda _: None)


def test_a_damaged_checkpoint_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "best.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="corrupt or truncated checkpoint"):
        load_detector(tmp_path)


@pytest.mark.parametrize(
    ("data", "error", "words"),
    [
        ({"fixations": 0}, ValueError, "fixations must be"),
        ({"max_scale": 1}, ValueError, "max_scale must be at least min_scale"),
        ({"size": 24}, ValueError, "size must be at least the largest digit's side"),
        ({"max_window": 200}, ValueError, "max_window must be at most size"),
        ({"attention": "x"}, ValueError, "attention must be one of"),
        ({"stride": "a"}, TypeError, "stride must be a number"),
        ({"windows": 3}, ValueError, "windows is not a setting"),
    ],
)
def test_bad_configs_are_named(data: dict, error: type, words: str) -> None:
    with pytest.raises(error, match=words):
        config_from_mapping(data)


def test_train_refuses_another_config_type() -> None:
    with pytest.raises(TypeError, match="config must be a DetectConfig"):
        train({"size": 64})  # type: ignore[arg-type]
