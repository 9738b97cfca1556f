"""``neuroattn attend``: images in, saliency maps, scanpaths, map grids and JSON out.

Reading files, defaults, per-image outputs and the batch loop live here; ``cli.py`` only
declares the command. A bad image is reported and skipped; outputs are staged and moved
into place only when complete.
"""

from __future__ import annotations

import json
import shutil
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from .feedback import Task
from .pipeline import AttentionResult, Pipeline

DEFAULT_IMAGES = ("astronaut", "search-array")


@dataclass(frozen=True)
class Source:
    """One input: a name for the output folder, a label for messages, a loader."""

    name: str
    label: str
    load: Callable[[], Any]


def read_image(path: Path) -> np.ndarray:
    """Read an image file (PNG, JPEG, TIFF, … via OpenCV; ``.npy`` arrays) as RGB.

    Raises
    ------
    ValueError
        Missing, unreadable or corrupt files, one line naming the file.
    """
    import cv2

    if path.is_dir():
        raise ValueError(f"{path}: is a folder, not an image file")
    if not path.is_file():
        raise ValueError(f"{path}: no such file")
    if path.suffix.lower() == ".npy":
        try:
            return np.load(path, allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise ValueError(f"{path}: not a readable .npy array ({exc})") from None
    data = np.fromfile(path, dtype=np.uint8)
    img = cv2.imdecode(data, cv2.IMREAD_UNCHANGED) if data.size else None
    if img is None:
        raise ValueError(f"{path}: cannot read the image (not an image file, or corrupt)")
    if img.ndim == 3 and img.shape[2] in (3, 4):
        code = cv2.COLOR_BGR2RGB if img.shape[2] == 3 else cv2.COLOR_BGRA2RGBA
        img = cv2.cvtColor(img, code)
    return img


def _default(name: str) -> Any:
    if name == "astronaut":
        import skimage.data

        return skimage.data.astronaut()
    from .stimuli import search_array

    return search_array("colour", 49, seed=0).image


def sources(paths: Sequence[Path]) -> list[Source]:
    """The inputs: the given files, or the built-in photograph and search array."""
    if not paths:
        return [Source(n, f"{n} (built-in)", partial(_default, n)) for n in DEFAULT_IMAGES]
    seen: dict[str, int] = {}
    out = []
    for p in paths:
        stem = p.stem or "image"
        seen[stem] = seen.get(stem, 0) + 1
        name = stem if seen[stem] == 1 else f"{stem}-{seen[stem]}"
        out.append(Source(name, str(p), partial(read_image, p)))
    return out


def resolve_task(target: str | None, pipeline: Pipeline) -> Task | None:
    """``--target``: a feature spec, or the path of an example patch image."""
    if target is None:
        return None
    path = Path(target)
    spec: Any = read_image(path) if path.suffix and path.is_file() else target
    return pipeline.feedback.task(spec, orientations=pipeline.encode.orientations)


def write_outputs(result: AttentionResult, folder: Path, label: str) -> list[str]:
    """saliency.png, scanpath.png, maps.png and fixations.json into ``folder``."""
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    plt.imsave(folder / "saliency.png", result.saliency, cmap="inferno", vmin=0, vmax=1)
    for name, kind in (("scanpath.png", "overview"), ("maps.png", "maps")):
        fig = result.plot(kind)
        fig.savefig(folder / name, dpi=100)
        plt.close(fig)
    info = {"image": label, **result.to_dict()}
    (folder / "fixations.json").write_text(json.dumps(info, indent=2))
    return ["saliency.png", "scanpath.png", "maps.png", "fixations.json"]


def run_one(
    pipeline: Pipeline, src: Source, task: Task | None, n: int, folder: Path
) -> dict[str, Any]:
    """Attend to one input and write its outputs; on failure leave no folder behind."""
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = pipeline.attend(src.load(), task=task, n_fixations=n)
        files = write_outputs(result, folder, src.label)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    notes = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    return {"name": src.name, "image": src.label, "files": files, "warnings": notes,
            "fixations": len(result.fixations)}  # fmt: skip


def run_attend(
    paths: Sequence[Path],
    out: Path,
    *,
    target: str | None,
    n_fixations: int,
    config: Path | None,
    report: Callable[[str, str], None],
    progress: bool,
) -> dict[str, Any]:
    """Attend to every input; write ``out/<name>/…`` and ``out/summary.json``.

    ``report(kind, message)`` is called with kind ``"error"`` (a skipped input) or
    ``"warning"``. Errors of the whole run (bad config, bad target) raise ValueError
    before anything is written.
    """
    from .._atomic import staged_dir
    from .config import load_config

    if n_fixations < 1:
        raise ValueError(f"--fixations must be >= 1, got {n_fixations}")
    pipeline = Pipeline.from_config(load_config(config)) if config else Pipeline()
    task = resolve_task(target, pipeline)
    srcs = sources(paths)
    done: list[dict[str, Any]] = []
    failed: list[dict[str, str]] = []
    with staged_dir(out) as tmp, _progress(progress, len(srcs)) as step:
        for src in srcs:
            try:
                info = run_one(pipeline, src, task, n_fixations, tmp / src.name)
            except (ValueError, TypeError, OSError) as exc:
                if len(srcs) == 1:
                    raise  # one input: its error is the command's error
                msg = str(exc) if str(exc).startswith(src.label) else f"{src.label}: {exc}"
                failed.append({"image": src.label, "error": msg})
                report("error", msg)
            else:
                done.append(info)
                for note in info["warnings"]:
                    report("warning", f"{src.label}: {note}")
            step()
        if not done:
            raise ValueError(f"none of the {len(srcs)} images could be processed")
        summary = {"task": None if task is None else task.description, "images": done,
                   "failed": failed, "n_fixations": n_fixations}  # fmt: skip
        (tmp / "summary.json").write_text(json.dumps(summary, indent=2))
    return summary


class _progress:
    """A rich progress bar over the inputs (only for several inputs, when wanted)."""

    def __init__(self, show: bool, total: int) -> None:
        self.bar: Any = None
        if show and total > 1:
            from rich.progress import Progress

            self.bar = Progress(transient=True)
            self.task = self.bar.add_task("attending", total=total)

    def __enter__(self) -> Callable[[], None]:
        if self.bar is None:
            return lambda: None
        self.bar.start()
        return lambda: self.bar.advance(self.task)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
