"""V5 — throughput of ``attend`` over many images: in this process and on Dask.

256 generated search displays of 640×480 (``search_array`` of the three odd-one-out kinds
in turn, 49 items, seeds 50000+; 64 with ``--quick``), each through all four stages with 5
fixations, every result gathered in this process. Contenders, timed round-robin:

* a plain loop, ``Pipeline.attend(image)`` per image, OpenCV on one thread (the baseline);
* the same loop with OpenCV on two threads (the machine's two cores, as far as OpenCV's
  filters parallelise; numpy/BLAS stay at ``--threads``);
* the pipeline's own batch path, ``Pipeline.attend(list)``: one batched competition;
* ``attend_many`` on a two-worker ``LocalCluster`` (processes, one thread each): images
  scattered to the workers, one task per image, full results (maps, trace; not the image,
  which the caller has) sent back;
* the same cluster, only the fixations sent back (what ``neuroattn attend --workers`` does,
  writing the files on the workers): the cost of moving results apart;
* ``attend_many(..., chunk_size=16)`` on the same cluster: one task per chunk of 16 images
  through the batch path, full results back: the two kinds of speed-up together.

The cluster is started once (its start-up, in the notes, is not in the times) and warmed up
on a few images. Columns: images per second and their ratio to the baseline; the largest
difference of any fixation's position (pixels) and onset (ms) from the baseline's.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from ._common import BenchResult, time_interleaved

KINDS = ("colour", "orientation", "size")
SIZE = (480, 640)
N_FIXATIONS = 5
CHUNK = 16
COLUMNS = [
    ("bench", "bench"), ("case", "case"), ("images", "images"), ("median_s", "median s"),
    ("per_s", "images/s"), ("ratio", "ratio"), ("min_ratio", "ratio of minima"),
    ("max_dxy", "max |Δ| x,y px"), ("max_donset", "max |Δ| onset ms"), ("reps", "reps"),
    ("notes", "notes"),
]  # fmt: skip


def _images(n: int) -> list[np.ndarray]:
    from neuroattn.vision import search_array

    return [search_array(KINDS[k % 3], 49, seed=50_000 + k, size=SIZE).image for k in range(n)]


def _rows(result: Any) -> list[tuple[float, ...]]:
    return [(f.x, f.y, f.onset) for f in result.fixations]


def _fixations_of(image: np.ndarray, pipeline: Any) -> list[tuple[float, ...]]:
    """On a worker: attend and keep only the fixations."""
    return _rows(pipeline.attend(image, n_fixations=N_FIXATIONS))


def _as_rows(results: list[Any]) -> list[list[tuple[float, ...]]]:
    if results and isinstance(results[0], list):
        return results
    return [_rows(r) for r in results]


def _max_diff(a: list[Any], b: list[Any]) -> tuple[float, float]:
    """Largest |Δ| of any fixation's (x, y) and onset; inf if the counts differ."""
    dxy = donset = 0.0
    for fa, fb in zip(_as_rows(a), _as_rows(b), strict=True):
        if len(fa) != len(fb):
            return float("inf"), float("inf")
        if fa:
            d = np.abs(np.subtract(fa, fb))
            dxy, donset = max(dxy, float(d[:, :2].max())), max(donset, float(d[:, 2].max()))
    return dxy, donset


def run(
    reps: int = 5, quick: bool = False, peers: bool = True, slow_s: float = 30.0
) -> BenchResult:
    """V5: images per second, local against a two-worker LocalCluster; one table."""
    import cv2

    from neuroattn.vision import Pipeline, batch

    cv2.setNumThreads(1)
    n = 64 if quick else 256
    images = _images(n)
    pipe = Pipeline()
    res = BenchResult(
        name="v5_throughput",
        title=f"V5 throughput of attend ({N_FIXATIONS} fixations) over {n} images of "
        f"{SIZE[1]}×{SIZE[0]} (ratio = images/s over the plain loop's)",
        columns=COLUMNS,
        meta={"images": n, "size": SIZE, "n_fixations": N_FIXATIONS, "opencv": cv2.__version__},
    )
    start = time.perf_counter()
    with batch.dask_client(workers=2) as client:
        startup = time.perf_counter() - start
        batch.attend_many(images[:4], client=client, n_fixations=N_FIXATIONS)  # warm-up
        scattered = client.scatter(images, hash=False)
        remote = client.scatter(pipe, broadcast=True, hash=False)

        def loop(threads: int) -> list[Any]:
            cv2.setNumThreads(threads)
            try:
                return [pipe.attend(im, n_fixations=N_FIXATIONS) for im in images]
            finally:
                cv2.setNumThreads(1)

        def fixations_only() -> list[Any]:
            futures = client.map(_fixations_of, scattered, pipeline=remote, pure=False)
            return client.gather(futures)

        contenders = {
            "plain loop, OpenCV 1 thread": lambda: loop(1),
            "plain loop, OpenCV 2 threads": lambda: loop(2),
            "Pipeline.attend(list): the batch path": lambda: pipe.attend(
                list(images), n_fixations=N_FIXATIONS
            ),
            "Dask LocalCluster 2 workers: attend_many, full results": lambda: batch.attend_many(
                images, client=client, n_fixations=N_FIXATIONS
            ),
            f"Dask LocalCluster 2 workers: attend_many, chunks of {CHUNK}, full results": lambda: (
                batch.attend_many(images, client=client, n_fixations=N_FIXATIONS, chunk_size=CHUNK)
            ),
            "Dask LocalCluster 2 workers: fixations only": fixations_only,
        }
        timings = time_interleaved(contenders, reps, slow_s)
        workers = client.run(lambda: __import__("cv2").getNumThreads())
    base_name = next(iter(contenders))
    base = timings[base_name]
    for name, tm in timings.items():
        diff = _max_diff(tm.result, base.result)
        res.rows.append({
            "bench": "V5", "case": name, "images": n, "median_s": tm.median,
            "per_s": n / tm.median, "ratio": base.median / tm.median,
            "min_ratio": min(base.times) / min(tm.times),
            "max_dxy": diff[0], "max_donset": diff[1], "reps": len(tm.times),
            "times": tm.times,
        })  # fmt: skip
    res.rows[-3]["notes"] = "images scattered in each repetition; results pickled back"
    res.rows[-2]["notes"] = "the same, 16 images per task through the batch path"
    res.rows[-1]["notes"] = "images scattered once, before the repetitions"
    res.meta["cluster_startup_s"] = startup
    res.meta["worker_cv2_threads"] = list(workers.values())
    res.notes.append(
        f"LocalCluster(n_workers=2, threads_per_worker=1, processes=True) started in "
        f"{startup:.1f} s (not timed); workers' OpenCV threads {sorted(workers.values())}, "
        "OMP/OpenBLAS/MKL 1 (Dask's default for workers)."
    )
    res.notes.append(
        "max |Δ|: against the plain loop's fixations. The pipeline is not bitwise "
        "reproducible between calls (~1e-8 in a map): two plain loops in one process "
        "differ by ~1e-7 px and up to ~1e-2 ms in onset, so values of that size are noise."
    )
    return res
