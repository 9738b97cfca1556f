"""``neuroattn attend``: the command-line side of the vision pipeline.

``cli.py`` declares the command; this module holds what is particular to the command line:
the inputs (files, or the built-in photograph and search array when none are given), the
``--target`` argument, folders given as inputs (their image files, sorted), one error line
per input that cannot be processed (the others go on), the progress bar, and the folder
layout ``out/<name>/…`` with ``out/summary.json``. Reading images and writing each result's
files is :mod:`.io`, shared with :meth:`AttentionResult.save
<.pipeline.AttentionResult.save>`; the whole output folder is staged and moved into place
only when complete. ``--scheduler``/``--workers`` run the inputs on Dask (:mod:`.batch`):
each image is attended and its files written by a worker, into the staging folder.
"""

from __future__ import annotations

import dataclasses
import os
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from .._atomic import staged_dir
from ..dynamics.checks import check_integer
from ..dynamics.progress import ProgressArg, as_progress
from . import batch, io
from .config import VisionConfig, load_config
from .feedback import Task
from .pipeline import Pipeline
from .stimuli import search_array

DEFAULT_IMAGES = ("astronaut", "search-array")


@dataclass(frozen=True)
class Source:
    """One input: a name for the output folder, a label for messages, a loader."""

    name: str
    label: str
    load: Callable[[], Any]


def _builtin(name: str) -> Any:
    """A built-in input: scikit-image's astronaut or a colour-singleton search array."""
    if name == "astronaut":
        import skimage.data  # only for this input: scikit-image is slow to import

        return skimage.data.astronaut()
    return search_array("colour", 49, seed=0).image


def expand(paths: Sequence[Path]) -> list[Path]:
    """The files given, with each folder replaced by its image files (sorted by name)."""
    out: list[Path] = []
    for p in paths:
        out.extend(batch.image_files(p) if p.is_dir() else [p])
    return out


def sources(paths: Sequence[Path], max_pixels: int = io.MAX_PIXELS) -> list[Source]:
    """The inputs: the given files and the image files of the given folders (read with
    ``max_pixels``), or the built-in photograph and search array."""
    if not paths:
        return [Source(n, f"{n} (built-in)", partial(_builtin, n)) for n in DEFAULT_IMAGES]
    seen: dict[str, int] = {}
    out = []
    for p in expand(paths):
        stem = p.stem or "image"
        seen[stem] = seen.get(stem, 0) + 1
        name = stem if seen[stem] == 1 else f"{stem}-{seen[stem]}"
        out.append(Source(name, str(p), partial(io.read_image, p, max_pixels=max_pixels)))
    return out


def resolve_task(
    target: str | None, pipeline: Pipeline, max_pixels: int = io.MAX_PIXELS
) -> Task | None:
    """``--target``: a feature spec, or the path of an example patch image."""
    if target is None:
        return None
    path = Path(target)
    is_file = path.suffix and path.is_file()
    spec: Any = io.read_image(path, max_pixels=max_pixels) if is_file else target
    return pipeline.feedback.task(spec, orientations=pipeline.encode.orientations)


def run_one(
    pipeline: Pipeline, src: Source, task: Task | None, n: int, folder: Path
) -> dict[str, Any]:
    """Attend to one input and write its files into ``folder`` (none left on failure)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = pipeline.attend(src.load(), task=task, n_fixations=n)
    files = io.write_result_files(result, folder, label=src.label)
    notes = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    return {
        "name": src.name,
        "image": src.label,
        "files": files,
        "warnings": notes,
        "fixations": len(result.fixations),
    }


def attend_into(
    src: Source, *, pipeline: Pipeline, task: Task | None, n: int, root: Path
) -> dict[str, Any]:
    """:func:`run_one` into ``root/<name>``: what runs for each input (on a Dask worker, too)."""
    return run_one(pipeline, src, task, n, root / src.name)


@contextmanager
def dask_or_local(scheduler: str | None, workers: int | None) -> Iterator[Any]:
    """``--scheduler``/``--workers``: a Dask client (:func:`.batch.dask_client`), or None."""
    if scheduler is None and workers is None:
        yield None
        return
    if scheduler is not None and workers is not None:
        raise ValueError("--scheduler and --workers: give one (--workers starts a local cluster)")
    if workers is not None:
        check_integer(workers, "--workers", ge=1, le=batch.max_workers())
    try:
        batch.require_dask()
    except ImportError:
        raise ValueError(
            f"--scheduler/--workers need Dask, which is not installed: {batch.INSTALL_HINT}"
        ) from None
    with batch.dask_client(scheduler, workers=workers) as client:
        yield client


def _where(client: Any) -> dict[str, Any] | None:
    """The summary's record of where the images ran (None: in this process)."""
    if client is None:
        return None
    info = client.scheduler_info()
    return {"scheduler": info.get("address"), "workers": len(info.get("workers", {}))}


def _collect(
    outcomes: Iterator[batch.Outcome],
    srcs: Sequence[Source],
    report: Callable[[str, str], None],
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """Report each failure and warning as it comes; done and failed, in input order."""
    done: dict[int, dict[str, Any]] = {}
    failed: dict[int, dict[str, str]] = {}
    for o in outcomes:
        src = srcs[o.index]
        if o.error is not None:
            if len(srcs) == 1:
                raise o.error  # one input: its error is the command's error
            exc = o.error
            msg = str(exc) if str(exc).startswith(src.label) else f"{src.label}: {exc}"
            failed[o.index] = {"image": src.label, "error": msg}
            report("error", msg)
            continue
        done[o.index] = o.value
        for note in o.value["warnings"]:
            report("warning", f"{src.label}: {note}")
    return [done[i] for i in sorted(done)], [failed[i] for i in sorted(failed)]


def run_attend(
    paths: Sequence[Path],
    out: str | os.PathLike[str],
    *,
    target: str | None,
    n_fixations: int,
    config: Path | None,
    report: Callable[[str, str], None],
    progress: ProgressArg,
    max_pixels: int | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
) -> dict[str, Any]:
    """Attend to every input; write ``out/<name>/…`` and ``out/summary.json``.

    ``paths``: image files and folders (each folder's image files, sorted by name; a folder
    without any is an error). ``report(kind, message)`` is called with kind ``"error"`` (a
    skipped input) or ``"warning"``. Errors of the whole run (bad config, bad target, an
    empty folder, a scheduler that cannot be reached) raise ValueError before anything is
    written. ``progress``: True for a bar (shown for several inputs), or any
    :func:`~neuroattn.dynamics.progress.as_progress` argument. ``max_pixels``
    (``--max-pixels``) replaces the config's limit on the pixels of an image file.
    ``scheduler`` (``--scheduler``, an address) or ``workers`` (``--workers``, a local
    cluster of that many processes) run the inputs on Dask; the files are the same.
    """
    check_integer(n_fixations, "--fixations", ge=1)
    cfg = load_config(config) if config else VisionConfig()
    if max_pixels is not None:
        check_integer(max_pixels, "--max-pixels", ge=32 * 32)
        cfg = dataclasses.replace(cfg, max_pixels=max_pixels)
    pipeline = Pipeline.from_config(cfg)
    task = resolve_task(target, pipeline, cfg.max_pixels)
    srcs = sources(paths, cfg.max_pixels)
    meter = as_progress(progress if len(srcs) > 1 else False)
    with dask_or_local(scheduler, workers) as client, staged_dir(out) as tmp:
        job = partial(attend_into, pipeline=pipeline, task=task, n=n_fixations, root=tmp)
        outcomes = batch.map_images(job, srcs, client=client, progress=meter)
        done, failed = _collect(outcomes, srcs, report)
        if not done:
            raise ValueError(f"none of the {len(srcs)} images could be processed")
        summary = {
            "task": None if task is None else task.description,
            "images": done,
            "failed": failed,
            "n_fixations": n_fixations,
            "dask": _where(client),
        }
        io.write_json(tmp / "summary.json", summary)
    return summary
