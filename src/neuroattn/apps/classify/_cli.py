"""``neuroattn classify``: the command-line side of the classification application.

``_cli_classify.py`` declares the commands ``train``, ``evaluate`` and ``predict``; this
module does the work and hands back plain summaries to print. It settles the run's settings
(a TOML file, the run directory's own ``config.toml`` when it resumes, then
``--attention``), checks everything that can be checked before anything is written (the
settings, a resumed run's checkpoint, the image), and only then writes. Checkpoints are
written atomically by the trainer, so Ctrl-C (or a kill) leaves the last complete one and
the same command resumes from it.

Files in a run directory: ``config.toml`` (the settings), ``last.pt`` (resumable state),
``best.pt`` (the best dev weights) and ``train.json`` (the run's summary and dev history,
written when training ends).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ..._atomic import save_png
from .._checkpoint import BEST, LAST, checkpoint_path
from .._rundir import CONFIG, check_run_dir, finish, settings, summary, train_into
from ._checkpoint import classifier_from_payload, load_classifier, read_checkpoint
from ._config import EXAMPLE_TOML, ClassifyConfig, load_config
from ._models import parameter_count
from ._train import check_same_settings, evaluation_set, shifted_test_set, train

__all__ = ["CONFIG", "example", "run_evaluate", "run_predict", "run_train", "train_config"]

Report = Callable[[str], None]


def example() -> str:
    """The commented TOML config with every default."""
    return EXAMPLE_TOML


def train_config(
    run_dir: Path, *, config: Path | None = None, attention: str | None = None
) -> ClassifyConfig:
    """The settings of ``train``: ``config`` (else ``run_dir/config.toml`` of an earlier run,
    else the defaults), with ``attention`` in place of its own when given."""
    base = settings(run_dir, config, load_config, ClassifyConfig)
    return base if attention is None else dataclasses.replace(base, attention=attention)


def _check_resumable(run_dir: Path, config: ClassifyConfig) -> int:
    """The step a run in ``run_dir`` resumes from (0: a fresh run); ValueError when its
    checkpoint is damaged or was trained with other settings."""
    last = run_dir / LAST
    if not last.is_file():
        return 0
    data = read_checkpoint(last)
    check_same_settings(classifier_from_payload(data, str(last)).config, config, run_dir)
    if (run_dir / BEST).is_file():
        read_checkpoint(run_dir / BEST)  # a damaged best.pt is refused before anything runs
    step = data.get("step")
    return int(step) if isinstance(step, int) else 0


def run_train(
    run_dir: Path, config: ClassifyConfig, *, progress: bool = True, report: Report = print
) -> dict[str, Any]:
    """Train ``config`` into ``run_dir`` (resuming a run there); return a summary.

    Everything is checked before the directory is touched; ``report`` receives the
    library's log lines (thread count, each evaluation, the end). On Ctrl-C it says from
    which step the same command resumes, then lets the interrupt go on.
    """
    check_run_dir(run_dir)
    resumed = _check_resumable(run_dir, config)
    result = train_into(
        run_dir,
        config,
        lambda bar, say: train(config, run_dir=run_dir, progress=bar, log=say),
        progress=progress,
        report=report,
        read=read_checkpoint,
    )
    head = {
        "attention": config.attention,
        "parameters": parameter_count(result.classifier.model),
    }
    return finish(run_dir, summary(head, result, score="accuracy", resumed=resumed))


def run_evaluate(
    run_dir: Path,
    *,
    split: str = "test",
    plot: Path | None = None,
    show: int = 8,
    clutter: int | None = None,
    scale: int | None = None,
) -> dict[str, Any]:
    """Accuracy, error and confusion matrix of the run's best model on its ``split``
    canvases (regenerated from the saved seed and sizes); with ``plot``, a PNG of the
    confusion matrix beside attention overlays on the first ``show`` canvases. ``clutter``
    or ``scale`` score a held-out condition instead: the test digits with that many
    fragments or that digit scale (:func:`shifted_test_set`; test split only)."""
    if split not in ("test", "dev"):
        raise ValueError(f"split must be one of 'test', 'dev', got {split!r}")
    shifted = clutter is not None or scale is not None
    if shifted and split != "test":
        raise ValueError(f"split must be 'test' with --clutter or --scale, got {split!r}")
    file = checkpoint_path(run_dir)
    classifier = classifier_from_payload(read_checkpoint(file), str(file))
    config = classifier.config
    if shifted:
        data = shifted_test_set(config, clutter=clutter, scale=scale)
        condition = f"test (clutter {shifted_config_value(clutter, config.clutter)}, scale "
        condition += f"{shifted_config_value(scale, config.scale)})"
    else:
        data, condition = evaluation_set(config, split), split
    scores = classifier.evaluate(data)
    if plot is not None:
        from ._plot import plot_evaluation

        k = max(1, min(show, len(data)))
        pred = classifier.predict(data.images[:k])
        title = f"{config.attention} ({condition}): error {100 * scores.error:.2f} %"
        figure = plot_evaluation(
            data.images[:k], pred.maps, pred.labels, data.labels[:k], scores.confusion, title=title
        )
        _save_png(plot, figure)
    return {
        "checkpoint": str(file),
        "attention": config.attention,
        "parameters": parameter_count(classifier.model),
        "split": condition,
        **scores.to_dict(),
        "plot": plot,
    }


def shifted_config_value(given: int | None, default: int) -> int:
    """``given`` if set, else the run's own ``default``."""
    return default if given is None else given


def read_canvas(path: Path, size: int) -> np.ndarray:
    """One grey ``size``×``size`` image file (PNG, …, or .npy) as float32 in [0, 1]:
    integers are divided by their type's maximum, floats and booleans taken as they are."""
    from ...vision.io import read_image

    img = read_image(path)
    if img.ndim == 3 and img.shape[2] == 1:
        img = img[..., 0]
    if img.ndim != 2:
        raise ValueError(f"{path}: must be a grey image (1 channel), got {img.shape[2]} channels")
    if img.shape != (size, size):
        raise ValueError(
            f"{path}: must be {size}x{size} pixels (the run's canvas), got "
            f"{img.shape[1]}x{img.shape[0]}"
        )
    if np.issubdtype(img.dtype, np.integer):
        out = img.astype(np.float32) / float(np.iinfo(img.dtype).max)
    else:
        out = img.astype(np.float32)
    if not np.isfinite(out).all():
        raise ValueError(f"{path}: holds NaN or inf")
    return out


def run_predict(run_dir: Path, image: Path, *, plot: Path | None = None) -> dict[str, Any]:
    """The class of one image by the run's best model, its probabilities and, with
    ``plot``, a PNG of the attention map over the image (written only on success)."""
    classifier = load_classifier(run_dir)
    canvas = read_canvas(image, classifier.config.size)  # (S, S)
    pred = classifier.predict(canvas)
    if plot is not None:
        from ._plot import plot_overlays

        _save_png(plot, plot_overlays(canvas[None, None], pred.maps, pred.labels, columns=1))
    probs = pred.probabilities[0]  # (10,)
    return {
        "label": int(pred.labels[0]),
        "probability": float(probs.max()),
        "probabilities": [round(float(p), 4) for p in probs],
        "attention": classifier.config.attention,
        "plot": plot,
        "checkpoint": str(checkpoint_path(run_dir)),
    }


def _save_png(path: Path, figure: Any) -> None:
    """Write ``figure`` as a PNG at ``path`` (temporary name, then renamed: nothing
    half-written); a missing folder is refused, not created."""
    save_png(figure, path, dpi=90, make_folder=False)
