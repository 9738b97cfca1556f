"""Config, metrics, figures, training on the shared trainer, checkpoint round trip and
resume (a resumed run takes exactly the steps of an uninterrupted one)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("sklearn")

from sklearn.metrics import confusion_matrix as sk_confusion  # noqa: E402

from neuroattn.apps.classify import (  # noqa: E402
    EXAMPLE_TOML,
    ClassifyConfig,
    accuracy,
    config_from_mapping,
    confusion_matrix,
    error_rate,
    evaluation_set,
    load_classifier,
    load_config,
    plot_confusion,
    plot_overlays,
    train,
)

TINY = ClassifyConfig(width=2, dev_size=12, test_size=12, batch_size=8, max_steps=6,
                      eval_every=3, patience=100, threads=1)  # fmt: skip


def test_config_round_trips_through_toml(tmp_path: Path) -> None:
    cfg = dataclasses.replace(TINY, attention="cbam", lr=0.01)
    path = tmp_path / "c.toml"
    path.write_text(cfg.to_toml(), encoding="utf-8")
    assert load_config(path) == cfg
    example = tmp_path / "e.toml"
    example.write_text(EXAMPLE_TOML, encoding="utf-8")
    assert load_config(example) == ClassifyConfig()
    assert config_from_mapping({"classify": {"width": 3}}).width == 3


@pytest.mark.parametrize(
    ("data", "error", "words"),
    [
        ({"depth": 3}, ValueError, "depth is not a setting"),
        ({"width": "8"}, TypeError, "width must be an integer"),
        ({"lr": 0.0}, ValueError, "lr must be"),
        ({"lr": float("nan")}, ValueError, "lr must be"),
        ({"attention": "softmax"}, ValueError, "attention must be"),
        ({"size": 20}, ValueError, "size must be"),
        ({"fragment": 30}, ValueError, "fragment must be"),
        ({"kernel_size": 4}, ValueError, "kernel_size must be odd"),
        ({"threads": True}, TypeError, "threads must be an integer"),
    ],
)
def test_bad_settings(data: dict, error: type, words: str) -> None:
    with pytest.raises(error, match=words):
        config_from_mapping(data)


def test_load_config_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("width = [", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.toml: not valid TOML"):
        load_config(path)
    with pytest.raises(ValueError, match="cannot read"):
        load_config(tmp_path / "missing.toml")


def test_metrics_against_scikit_learn() -> None:
    rng = np.random.default_rng(0)
    true = rng.integers(0, 10, 200)
    pred = np.where(rng.random(200) < 0.7, true, rng.integers(0, 10, 200))
    np.testing.assert_array_equal(confusion_matrix(pred, true), sk_confusion(true, pred,
                                  labels=range(10)))  # fmt: skip
    assert accuracy(pred, true) == pytest.approx(np.mean(pred == true))
    assert error_rate(pred, true) == pytest.approx(1 - np.mean(pred == true))
    assert accuracy(torch.tensor([1, 2]), torch.tensor([1, 3])) == 0.5
    for bad, error in [(([1], [1, 2]), ValueError), (([], []), ValueError),
                       (([0.5], [1]), TypeError), (([[1]], [[1]]), ValueError)]:  # fmt: skip
        with pytest.raises(error):
            accuracy(*bad)
    with pytest.raises(ValueError, match="true must hold classes 0 … 9"):
        confusion_matrix([1], [10])


def test_figures() -> None:
    from matplotlib.figure import Figure

    images = np.random.default_rng(0).random((3, 1, 60, 60))
    maps = np.random.default_rng(1).random((3, 1, 15, 15))
    fig = plot_overlays(images, maps, [1, 2, 3], [1, 2, 4], columns=2)
    assert isinstance(fig, Figure) and len([a for a in fig.axes if a.get_title()]) == 3
    assert isinstance(plot_overlays(images, None, [1, 2, 3]), Figure)
    assert isinstance(plot_confusion(np.eye(10, dtype=int)), Figure)
    with pytest.raises(ValueError, match="maps must be"):
        plot_overlays(images, maps[:2], [1, 2, 3])
    with pytest.raises(ValueError, match="matrix must be"):
        plot_confusion(np.zeros((2, 3)))


def test_training_checkpoint_round_trip(tmp_path: Path) -> None:
    result = train(TINY, run_dir=tmp_path, log=lambda _: None)
    assert result.step == 6 and [h["step"] for h in result.history] == [3, 6]
    loaded = load_classifier(tmp_path)
    assert loaded.config == TINY
    data = evaluation_set(TINY, "test")
    ours, theirs = result.classifier.predict(data.images), loaded.predict(data.images)
    torch.testing.assert_close(ours.probabilities, theirs.probabilities)
    best = max(h["dev_accuracy"] for h in result.history)
    assert result.best_dev == best


def test_resume_takes_the_steps_of_an_uninterrupted_run(tmp_path: Path) -> None:
    cfg = dataclasses.replace(TINY, attention="spatial")
    straight = train(cfg, run_dir=tmp_path / "a", log=lambda _: None)
    train(dataclasses.replace(cfg, max_steps=3), run_dir=tmp_path / "b", log=lambda _: None)
    resumed = train(cfg, run_dir=tmp_path / "b", log=lambda _: None)
    assert resumed.resumed_from == 3 and resumed.step == 6
    theirs = resumed.classifier.model.state_dict()
    for name, a in straight.classifier.model.state_dict().items():
        torch.testing.assert_close(a, theirs[name], msg=name)
    with pytest.raises(ValueError, match="trained with width = 2"):
        train(dataclasses.replace(cfg, width=3), run_dir=tmp_path / "b", log=lambda _: None)


def test_train_refuses_a_non_config() -> None:
    with pytest.raises(TypeError, match="config must be a ClassifyConfig"):
        train({"width": 2})  # type: ignore[arg-type]
