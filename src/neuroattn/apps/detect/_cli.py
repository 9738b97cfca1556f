"""``neuroattn detect``: the command-line side of the detection application.

``_cli_detect.py`` declares the commands ``train``, ``evaluate`` and ``predict``; this
module does the work and hands back plain summaries. Everything that can be checked is
checked before anything is written. Files in a run directory: ``config.toml``,
``last.pt``, ``best.pt`` and ``train.json`` (as every application's).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ..._atomic import save_png
from ...dynamics.checks import check_choice
from .._checkpoint import checkpoint_path
from .._rundir import check_resumable, check_run_dir, finish, settings, summary, train_into
from ..classify import parameter_count
from ._checkpoint import classifier_from_payload, load_detector, read_checkpoint
from ._config import EXAMPLE_TOML, RESUMABLE, DetectConfig, load_config
from ._evaluate import METHODS, detect, evaluate
from ._train import evaluation_set, train

__all__ = ["example", "read_canvas", "run_evaluate", "run_predict", "run_train", "train_config"]

Report = Callable[[str], None]


def example() -> str:
    """The commented TOML config with every default."""
    return EXAMPLE_TOML


def train_config(run_dir: Path, *, config: Path | None = None) -> DetectConfig:
    """The settings of ``train``: ``config``, else ``run_dir/config.toml``, else defaults."""
    return settings(run_dir, config, load_config, DetectConfig)


def run_train(
    run_dir: Path, config: DetectConfig, *, progress: bool = True, report: Report = print
) -> dict[str, Any]:
    """Train the glimpse classifier of ``config`` into ``run_dir`` (resuming a run there)."""
    check_run_dir(run_dir)
    resumed = check_resumable(
        run_dir,
        config,
        read=read_checkpoint,
        saved_config=lambda data, where: classifier_from_payload(data, str(where)).config,
        resumable=RESUMABLE,
    )
    result = train_into(
        run_dir,
        config,
        lambda bar, say: train(config, run_dir=run_dir, progress=bar, log=say),
        progress=progress,
        report=report,
        read=read_checkpoint,
    )
    head = {"classes": 11, "parameters": parameter_count(result.classifier.model)}
    return finish(run_dir, summary(head, result, score="accuracy", resumed=resumed))


def run_evaluate(
    run_dir: Path, *, split: str = "test", canvases: int | None = None
) -> dict[str, Any]:
    """mAP@0.5, recall and classifier calls per canvas of both detectors on the run's
    ``split`` canvases (regenerated from its seed and sizes; ``canvases`` of them)."""
    check_choice(split, "split", ("test", "dev"))
    file = checkpoint_path(run_dir)
    classifier = classifier_from_payload(read_checkpoint(file), str(file))
    data = evaluation_set(classifier.config, split, canvases)
    start = time.perf_counter()
    found = evaluate(classifier, data, classifier.config, methods=METHODS)
    rows = {name: ev.to_dict() for name, ev in found.items()}
    look, slide = found["look"], found["slide"]
    return {
        "checkpoint": str(file),
        "split": split,
        "canvases": len(data),
        "digits": data.count,
        "methods": rows,
        "map_ratio": look.scores.map / slide.scores.map if slide.scores.map else float("nan"),
        "calls_ratio": look.calls_per_image / slide.calls_per_image,
        "seconds": round(time.perf_counter() - start, 2),
    }


def read_canvas(path: Path) -> np.ndarray:
    """One grey image file (PNG, …, or .npy) as float32 (H, W) in [0, 1]: integers are
    divided by their type's maximum, floats taken as they are."""
    from ...vision.io import read_image

    img = read_image(path)
    if img.ndim == 3 and img.shape[2] == 1:
        img = img[..., 0]
    if img.ndim != 2:
        raise ValueError(f"{path}: must be a grey image (1 channel), got {img.shape[2]} channels")
    if min(img.shape) < 16 or max(img.shape) > 1024:
        raise ValueError(
            f"{path}: must be 16 to 1024 pixels a side, got {img.shape[1]}x{img.shape[0]}"
        )
    if np.issubdtype(img.dtype, np.integer):
        out = img.astype(np.float32) / float(np.iinfo(img.dtype).max)
    else:
        out = img.astype(np.float32)
    if not np.isfinite(out).all():
        raise ValueError(f"{path}: holds NaN or inf")
    return out


def run_predict(
    run_dir: Path, image: Path, *, plot: Path | None = None, method: str = "look"
) -> dict[str, Any]:
    """The digits the run's detector finds in one image; with ``plot``, a PNG of the boxes
    (and the scanpath) over it (written only on success)."""
    check_choice(method, "method", METHODS)
    classifier = load_detector(run_dir)
    canvas = read_canvas(image)
    if method == "slide" and classifier.config.max_window > min(canvas.shape):
        raise ValueError(
            f"{image}: smaller than the sliding window's largest side "
            f"{classifier.config.max_window}"
        )
    found = detect(canvas, classifier, classifier.config, method)
    if plot is not None:
        from ._plot import plot_detections

        save_png(plot_detections(canvas, found), plot, dpi=110, make_folder=False)
    return {
        "method": method,
        **found.to_dict(),
        "checkpoint": str(checkpoint_path(run_dir)),
        "plot": plot,
    }
