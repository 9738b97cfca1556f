"""Many images at once, in this process or on a Dask cluster: :func:`attend_many`.

The pipeline treats every image on its own, so a batch of images is mapped over them: in a
plain loop here (``client=None``), or as one Dask task per image with ``client.map`` and
gathered with ``as_completed`` (``dask.distributed``; install ``neuroattn[dask]``). The
function run per image is the same in both, so the results are the same (tested on a
two-worker ``LocalCluster`` against :func:`~.pipeline.attend` on each image).

* :func:`attend_many` — the four stages on each image (arrays, or image files read where the
  task runs), results in the order given; per-image failures raised or returned.
* :func:`map_images` — the mapping itself, for any per-image function (``neuroattn attend``
  uses it to attend and write each image's files on the workers): outcomes as they
  complete, failures as values.
* :func:`dask_client` — a client of a running scheduler, or of a ``LocalCluster`` of
  single-threaded worker processes that it starts and closes.
* :func:`image_files` — the image files of a folder, sorted by name.

Files on a cluster: paths are opened by the workers, so with a remote scheduler the images
(and ``neuroattn attend``'s output folder) must be on a file system the workers share, as
for any Dask job that reads files. Nothing here is from a paper: it is plumbing.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..dynamics.checks import check_choice, check_integer, check_number, check_seed
from ..dynamics.progress import ProgressArg, as_progress
from . import io
from ._result import AttentionResult
from .config import VisionConfig
from .pipeline import Pipeline

if TYPE_CHECKING:  # pragma: no cover
    from distributed import Client

__all__ = [
    "ERRORS",
    "IMAGE_SUFFIXES",
    "Outcome",
    "attend_many",
    "dask_client",
    "image_files",
    "map_images",
    "max_workers",
    "require_dask",
]

IMAGE_SUFFIXES = (".bmp", ".jp2", ".jpeg", ".jpg", ".npy", ".pbm", ".pgm", ".png", ".pnm",
                  ".ppm", ".tif", ".tiff", ".webp")  # fmt: skip
"""The files :func:`image_files` takes from a folder (case-insensitive)."""
ERRORS = ("raise", "return")
INSTALL_HINT = "pip install 'neuroattn[dask]'"
CONNECT_TIMEOUT_S = 10.0
"""Seconds :func:`dask_client` waits for a scheduler before giving up."""
CAUGHT = (ValueError, TypeError, OSError)
"""Per-image failures that :func:`map_images` returns as values (anything else is a bug)."""


@dataclass(frozen=True)
class Outcome:
    """What became of item ``index``: its ``value``, or the ``error`` it raised."""

    index: int
    value: Any = None
    error: BaseException | None = None


def require_dask() -> Any:
    """``dask.distributed``, or an ImportError saying how to install it."""
    try:
        import distributed
    except ImportError:
        raise ImportError(f"Dask is not installed: {INSTALL_HINT}") from None
    return distributed


def max_workers() -> int:
    """The most local workers :func:`dask_client` starts: four per core."""
    return 4 * (os.cpu_count() or 1)


def _single_threaded() -> None:
    """On a worker: OpenCV on one thread (Dask already sets OMP/BLAS to one)."""
    import cv2

    cv2.setNumThreads(1)


@contextmanager
def dask_client(
    scheduler: str | None = None,
    *,
    workers: int | None = None,
    timeout: float | None = None,
) -> Iterator[Client]:
    """A ``distributed.Client``: of the scheduler at ``scheduler``, or of a new local cluster.

    Parameters
    ----------
    scheduler : str, optional
        Address of a running scheduler (``"tcp://host:8786"``). None: start a
        ``LocalCluster`` of ``workers`` processes with one thread each (OpenCV, OpenMP and
        BLAS on one thread too), closed when the block ends.
    workers : int, optional
        Local worker processes, 1 … 4 per core (default 2). Not with ``scheduler``.
    timeout : float, optional
        Seconds to wait for the scheduler (default :data:`CONNECT_TIMEOUT_S`).

    Raises
    ------
    ImportError
        Dask is not installed (the message says ``pip install 'neuroattn[dask]'``).
    ValueError
        Both or a bad ``workers``; a scheduler that cannot be reached, one line.
    """
    distributed = require_dask()
    if scheduler is not None:
        if workers is not None:
            raise ValueError("workers: give a scheduler address or a number of workers, not both")
        wait = CONNECT_TIMEOUT_S if timeout is None else timeout
        with _remote(distributed, scheduler, check_number(wait, "timeout", gt=0)) as client:
            yield client
        return
    n = check_integer(2 if workers is None else workers, "workers", ge=1, le=max_workers())
    cluster = distributed.LocalCluster(
        n_workers=n,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",  # a free port: never the default 8787 of another cluster
        silence_logs=logging.CRITICAL,  # a failed image is reported once, by the caller
    )
    with cluster, distributed.Client(cluster, set_as_default=False) as client:
        client.run(_single_threaded)
        yield client


@contextmanager
def _remote(distributed: Any, scheduler: object, timeout: float) -> Iterator[Client]:
    if not isinstance(scheduler, str) or not scheduler.strip():
        raise ValueError(
            f"scheduler must be an address such as 'tcp://host:8786', got {scheduler!r}"
        )
    try:
        client = distributed.Client(scheduler, timeout=timeout, set_as_default=False)
    except (OSError, ValueError, TypeError) as exc:  # TimeoutError is an OSError
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise ValueError(
            f"scheduler {scheduler!r}: cannot connect to a Dask scheduler ({reason})"
        ) from None
    with client:
        yield client


def map_images(
    fn: Callable[..., Any],
    items: Sequence[Any],
    *,
    client: Client | None = None,
    progress: ProgressArg = None,
    description: str = "attending",
) -> Generator[Outcome, None, None]:
    """``fn(item)`` for every item, locally or one Dask task each; outcomes as they complete.

    A ValueError, TypeError or OSError of ``fn`` (:data:`CAUGHT`), and on a cluster a worker
    that died, is that item's :class:`Outcome` ``error``; the others go on. Locally the
    outcomes come in order; on a cluster in the order they complete (``Outcome.index``
    says which). Closing the generator early cancels the tasks not yet done.
    """
    meter = as_progress(progress)
    with meter.running(description, total=len(items)) as advance:
        if client is None:
            for i, item in enumerate(items):
                yield _outcome(i, fn, item)
                advance()
            return
        distributed = require_dask()
        futures = client.map(fn, items, pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        try:
            for fut in distributed.as_completed(futures, loop=client.loop):
                yield _gathered(index[fut.key], fut, distributed.KilledWorker)
                fut.release()
                advance()
        finally:
            client.cancel(futures)


def _outcome(i: int, fn: Callable[..., Any], item: Any) -> Outcome:
    try:
        return Outcome(i, fn(item))
    except CAUGHT as exc:
        return Outcome(i, error=exc)


def _gathered(i: int, future: Any, killed: type[BaseException]) -> Outcome:
    try:
        return Outcome(i, future.result())
    except CAUGHT as exc:
        return Outcome(i, error=exc)
    except killed as exc:
        return Outcome(i, error=OSError(f"the Dask worker died while processing it ({exc})"))


def image_files(folder: str | os.PathLike[str]) -> list[Path]:
    """The image files in ``folder`` (suffixes :data:`IMAGE_SUFFIXES`, not hidden ones, not
    sub-folders), sorted by name; a ValueError when there are none."""
    path = io._as_path(folder, "folder")
    if not path.is_dir():
        raise ValueError(f"{path}: is not a folder")
    files = sorted(
        p
        for p in path.iterdir()
        if p.suffix.lower() in IMAGE_SUFFIXES and not p.name.startswith(".") and p.is_file()
    )
    if not files:
        raise ValueError(f"{path}: no image files ({', '.join(IMAGE_SUFFIXES)})")
    return files


def _attend_item(
    item: tuple[Any, Any], pipeline: Pipeline, task: Any, n_fixations: int, max_pixels: int
) -> AttentionResult:
    """One image (an array, or a file read here) through the four stages."""
    image, seed = item
    if isinstance(image, (str, os.PathLike)):
        image = io.read_image(image, max_pixels=max_pixels)
    return pipeline.attend(image, task=task, n_fixations=n_fixations, seed=seed)


def _attend_chunk(chunk: list[tuple[Any, Any]], slim: bool, **options: Any) -> list[Any]:
    """Where the task runs: each (image, seed) of ``chunk`` → its result, or the exception.

    Without seeds, a chunk goes through the pipeline's batch path (one batched
    competition); a failure there, or seeds, mean one image at a time. ``slim``: the
    results of arrays leave their image behind (the caller has it; half the bytes).
    """
    out: list[Any] = []
    if len(chunk) > 1 and all(seed is None for _, seed in chunk):
        try:
            images = [_attend_input(image, options["max_pixels"]) for image, _ in chunk]
            out = options["pipeline"].attend(
                images, task=options["task"], n_fixations=options["n_fixations"]
            )
        except CAUGHT:
            out = []
    if not out:
        for item in chunk:
            try:
                out.append(_attend_item(item, **options))
            except CAUGHT as exc:
                out.append(exc)
    if not slim:
        return out
    return [
        dataclasses.replace(r, image=_LEFT) if _is_array(image) and not _failed(r) else r
        for r, (image, _) in zip(out, chunk, strict=True)
    ]


_LEFT = np.empty(0, np.uint8)  # the image left behind by a slim result


def _attend_input(image: Any, max_pixels: int) -> Any:
    return io.read_image(image, max_pixels=max_pixels) if not _is_array(image) else image


def _is_array(image: Any) -> bool:
    return not isinstance(image, (str, os.PathLike))


def _failed(value: Any) -> bool:
    return isinstance(value, BaseException)


def _seeds(seed: Any, n: int) -> list[Any]:
    """One independent stream per image (``SeedSequence.spawn``), or None for each."""
    seed = check_seed(seed)
    if seed is None:
        return [None] * n
    if isinstance(seed, np.random.Generator):
        seed = seed.bit_generator.seed_seq
    if isinstance(seed, np.random.BitGenerator):
        seed = seed.seed_seq
    if not isinstance(seed, np.random.SeedSequence):
        seed = np.random.SeedSequence(seed)
    return [np.random.default_rng(child) for child in seed.spawn(n)]


def _pipeline_of(config: VisionConfig | None, preset: str | None) -> Pipeline:
    if preset is not None and config is not None:
        raise ValueError("preset: give a preset or a config, not both")
    if preset is not None:
        return Pipeline.from_preset(preset)
    return Pipeline.from_config(VisionConfig() if config is None else config)


def attend_many(
    images: Sequence[Any],
    *,
    client: Client | None = None,
    task: Any = None,
    n_fixations: int = 5,
    config: VisionConfig | None = None,
    preset: str | None = None,
    seed: Any = None,
    chunk_size: int = 1,
    max_pixels: int = io.MAX_PIXELS,
    errors: str = "raise",
    progress: ProgressArg = None,
) -> list[Any]:
    """:func:`~.pipeline.attend` on every image, in this process or on a Dask cluster.

    Parameters
    ----------
    images : sequence of array_like or path
        Images (``(H, W)`` or ``(H, W, 3)`` arrays), or image files, which are read
        (:func:`.io.read_image`) where each image is processed; mixed freely.
    client : distributed.Client, optional
        Map over the images on this client's workers (one task per chunk, sent with
        ``client.scatter``; the results of arrays come back without their image, which is
        put back here); None: in this process. See :func:`dask_client`.
    task, n_fixations, config, preset
        As for :func:`~.pipeline.attend`; the task is resolved once, here.
    seed : int, Generator or SeedSequence, optional
        Image k gets the k-th stream of ``SeedSequence(seed).spawn(len(images))``, so the
        results do not depend on where, in what order or in what chunk the images run.
    chunk_size : int
        Images per task. Without ``seed`` a chunk goes through the pipeline's batch path
        (:meth:`Pipeline.attend` of a list: one batched competition, faster; the same
        results up to float rounding); with a seed, one image at a time.
    max_pixels : int
        Largest image file read (:func:`.io.read_image`).
    errors : {"raise", "return"}
        A bad image (ValueError, TypeError, OSError): raise it, naming the image (the
        tasks not yet done are cancelled), or put the exception in its place in the list.
    progress : bool, callable or ProgressMeter, optional
        Advanced once per chunk done.

    Returns
    -------
    list of AttentionResult (or exceptions with ``errors="return"``)
        In the order of ``images``: the same results with or without a client.

    Raises
    ------
    ValueError, TypeError
        Bad options (before anything runs), or a bad image with ``errors="raise"``.
    """
    if isinstance(images, (str, os.PathLike, np.ndarray)) or not isinstance(images, Sequence):
        raise TypeError(
            f"images must be a list of images or image files, got {type(images).__name__}"
        )
    check_integer(n_fixations, "n_fixations", ge=1)
    size = check_integer(chunk_size, "chunk_size", ge=1)
    check_integer(max_pixels, "max_pixels", ge=1)
    check_choice(errors, "errors", ERRORS)
    pipeline = _pipeline_of(config, preset)
    resolved = None
    if task is not None:
        resolved = pipeline.feedback.task(task, orientations=pipeline.encode.orientations)
    items = list(zip(images, _seeds(seed, len(images)), strict=True))
    chunks: list[Any] = [items[k : k + size] for k in range(0, len(items), size)]
    if client is not None and chunks:
        chunks = client.scatter(chunks, hash=False)
    fn = partial(_attend_chunk, slim=client is not None, pipeline=pipeline, task=resolved,
                 n_fixations=n_fixations, max_pixels=max_pixels)  # fmt: skip
    out: list[Any] = [None] * len(items)
    outcomes = map_images(fn, chunks, client=client, progress=progress)
    for o in outcomes:
        first = o.index * size
        count = min(size, len(items) - first)
        values = [o.error] * count if o.error is not None else o.value
        for i, value in enumerate(values, start=first):
            if not _failed(value):
                out[i] = _restored(value, images[i])
                continue
            out[i] = named = _named(value, images[i], i)
            if errors == "raise":
                outcomes.close()  # cancels the rest
                raise named
    return out


def _restored(result: AttentionResult, image: Any) -> AttentionResult:
    """A slim result with its image put back (the image as given, as :func:`attend` keeps)."""
    if _is_array(image) and result.image.size == 0:
        return dataclasses.replace(result, image=np.asarray(image))
    return result


def _named(error: BaseException, image: Any, index: int) -> BaseException:
    """The error with the image it is about in front (files already name themselves)."""
    if not _is_array(image) and str(image) in str(error):
        return error
    where = f"images[{index}]" if _is_array(image) else str(image)
    try:
        named = type(error)(f"{where}: {error}")
    except Exception:  # an exception type with another signature: keep it as it is
        return error
    named.__cause__ = error
    return named
