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
    shifted_test_set,
    source_split,
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
        ({"decay": "linear"}, ValueError, "decay must be one of"),
        ({"decay": 1}, TypeError, "decay must be"),
        ({"pool": "max"}, ValueError, "pool must be one of"),
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


def _same_weights(a: torch.nn.Module, b: torch.nn.Module) -> None:
    theirs = b.state_dict()
    for name, weights in a.state_dict().items():
        torch.testing.assert_close(weights, theirs[name], msg=name)


def test_resume_takes_the_steps_of_an_uninterrupted_run(tmp_path: Path) -> None:
    # a constant rate after warm-up: a run may be extended (max_steps is resumable)
    cfg = dataclasses.replace(TINY, attention="spatial", decay="none")
    straight = train(cfg, run_dir=tmp_path / "a", log=lambda _: None)
    train(dataclasses.replace(cfg, max_steps=3), run_dir=tmp_path / "b", log=lambda _: None)
    resumed = train(cfg, run_dir=tmp_path / "b", log=lambda _: None)
    assert resumed.resumed_from == 3 and resumed.step == 6
    _same_weights(straight.classifier.model, resumed.classifier.model)
    with pytest.raises(ValueError, match="trained with width = 2"):
        train(dataclasses.replace(cfg, width=3), run_dir=tmp_path / "b", log=lambda _: None)
    with pytest.raises(ValueError, match="trained with decay = 'none'"):
        train(dataclasses.replace(cfg, decay="cosine"), run_dir=tmp_path / "b", log=print)


class _Interrupt(Exception):
    pass


def test_an_interrupted_cosine_run_resumes_on_its_schedule(tmp_path: Path) -> None:
    """Stopped after its first checkpoint (step 3 of 6), the resumed run continues the cosine
    decay over the same 6 steps and ends (last.pt) with the weights of an uninterrupted run;
    a rate without decay ends elsewhere (so the decay is used)."""
    from neuroattn.apps.classify._checkpoint import read_checkpoint

    cfg = dataclasses.replace(TINY, attention="competitive", decay="cosine", warmup=1, lr=0.05)

    def last(run_dir: Path) -> dict[str, torch.Tensor]:
        return read_checkpoint(run_dir / "last.pt")["model"]

    def stop_at_step_3(line: str) -> None:
        if line.startswith("step 3 "):
            raise _Interrupt

    train(cfg, run_dir=tmp_path / "a", log=lambda _: None)
    with pytest.raises(_Interrupt):
        train(cfg, run_dir=tmp_path / "b", log=stop_at_step_3)
    assert read_checkpoint(tmp_path / "b" / "last.pt")["step"] == 3
    resumed = train(cfg, run_dir=tmp_path / "b", log=lambda _: None)
    assert resumed.resumed_from == 3 and resumed.step == 6
    torch.testing.assert_close(last(tmp_path / "a"), last(tmp_path / "b"))
    train(dataclasses.replace(cfg, decay="none"), run_dir=tmp_path / "c", log=lambda _: None)
    with pytest.raises(AssertionError):
        torch.testing.assert_close(last(tmp_path / "a"), last(tmp_path / "c"))


def test_shifted_test_sets() -> None:
    """Held-out conditions: the test digits under other settings, drawn apart from the test
    set, reproducible, the same canvas side; bad values named as the config names them."""
    cfg = dataclasses.replace(TINY, test_size=40)
    test = evaluation_set(cfg, "test")
    more = shifted_test_set(cfg, clutter=2 * cfg.clutter)
    bigger = shifted_test_set(cfg, scale=4)
    pool = set(source_split("test").tolist())
    for data in (more, bigger):
        assert data.images.shape == test.images.shape
        assert set(data.sources.tolist()) <= pool
    assert not np.array_equal(more.sources, test.sources)
    np.testing.assert_array_equal(
        shifted_test_set(cfg, clutter=2 * cfg.clutter).images, more.images
    )
    assert np.all(bigger.boxes[:, 2] - bigger.boxes[:, 0] == 32)
    assert np.all(more.boxes[:, 2] - more.boxes[:, 0] == 24)

    # twice the fragments cover more of the canvas outside the digit than the test set's
    def ink_outside(data: object) -> float:
        masked = data.images[:, 0] > 0  # type: ignore[attr-defined]
        for im, (top, left, bottom, right) in zip(masked, data.boxes, strict=True):  # type: ignore[attr-defined]
            im[top:bottom, left:right] = False
        return float(masked.sum())

    assert ink_outside(more) > 1.5 * ink_outside(test)
    np.testing.assert_array_equal(shifted_test_set(cfg).images,
                                  shifted_test_set(cfg, clutter=cfg.clutter).images)  # fmt: skip
    with pytest.raises(ValueError, match="size must be at least"):
        shifted_test_set(cfg, scale=8)
    with pytest.raises(ValueError, match="clutter must be"):
        shifted_test_set(cfg, clutter=-1)
    with pytest.raises(ValueError, match="fragment must be an integer"):
        shifted_test_set(cfg, fragment=2.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="config must be a ClassifyConfig"):
        shifted_test_set({"clutter": 8})  # type: ignore[arg-type]


def test_train_refuses_a_non_config() -> None:
    with pytest.raises(TypeError, match="config must be a ClassifyConfig"):
        train({"width": 2})  # type: ignore[arg-type]
