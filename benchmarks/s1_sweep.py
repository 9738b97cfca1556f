"""S1 — a sweep of 10⁵ networks of the source's equation (N = 16) over a 3-D grid.

Grid: β 50 values in [0, 3] × input contrast 50 in [0.1, 2.5] × noise σ 40 in [0, 0.2]
(10⁵ points; ``--quick``: 20 × 20 × 10), the sweep's default network otherwise (uniform
w = −0.25, sigmoid slope 4 and midpoint 0.5, input ramp of spread 0.2), u = 0 → t = 20,
Euler–Maruyama at dt = 0.05 (noise on most points), 8 chunks (12 500 points), seed 0.
Contenders, timed round-robin, every one through :func:`run_sweep` with the same chunks:

* local: the chunks one after another in this process, each one batched ``simulate``;
* local, one chunk: all 10⁵ networks in one batched ``simulate`` (a different chunking,
  so a different draw of the noise: its rates are not compared);
* Dask: a two-worker ``LocalCluster`` (processes, one thread each), one task per chunk,
  the results gathered into the same dataset.

The cluster is started once (its start-up, in the notes, is not in the times) and warmed
up on a small sweep. Columns: networks per second; the ratio of each time to the local
run's (the cluster's overhead when above 1); the largest |Δ rate| from the local dataset.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from ._common import BenchResult, time_interleaved

N = 16
COLUMNS = [
    ("case", "case"), ("networks", "networks"), ("median_s", "median s"),
    ("per_s", "networks/s"), ("ratio", "time / local"), ("max_drate", "max |Δ rate|"),
    ("reps", "reps"), ("notes", "notes"),
]  # fmt: skip


def make_config(quick: bool, chunk_size: int | None = None) -> Any:
    """The S1 grid (10⁵ points; 4000 with ``quick``), in 8 chunks unless told."""
    from neuroattn.experiments.sweep import SweepConfig

    nb, nc, ns = (20, 20, 10) if quick else (50, 50, 40)
    grid = {
        "beta": np.linspace(0.0, 3.0, nb).tolist(),
        "contrast": np.linspace(0.1, 2.5, nc).tolist(),
        "noise": np.linspace(0.0, 0.2, ns).tolist(),
    }
    size = chunk_size or nb * nc * ns // 8
    return SweepConfig(grid, fixed={"n": N, "t_end": 20.0, "dt": 0.05}, chunk_size=size)


def run(
    reps: int = 5, quick: bool = False, peers: bool = True, slow_s: float = 30.0
) -> BenchResult:
    """S1: networks per second, local against a two-worker LocalCluster; one table."""
    from neuroattn.experiments.sweep import run_sweep
    from neuroattn.vision.batch import dask_client

    cfg = make_config(quick)
    whole = make_config(quick, chunk_size=cfg.n_points)
    reps = min(reps, 3)  # each repetition is seconds to tens of seconds
    res = BenchResult(
        name="s1_sweep",
        title=f"S1 sweep: {cfg.n_points} networks (N = {N}) over β × contrast × noise "
        f"({' × '.join(map(str, cfg.shape))}), chunks of {cfg.chunk_size}",
        columns=COLUMNS,
        meta={"n_points": cfg.n_points, "shape": cfg.shape, "N": N, "chunk_size": cfg.chunk_size,
              "t_end": 20.0, "dt": 0.05, "method": "euler_maruyama", "config": cfg.as_dict()},
    )  # fmt: skip
    start = time.perf_counter()
    with dask_client(workers=2) as client:
        startup = time.perf_counter() - start
        run_sweep(make_config(True, chunk_size=1000), client=client)  # warm-up
        contenders = {
            "local (this process), chunk after chunk": lambda: run_sweep(cfg),
            "local, one chunk of every network": lambda: run_sweep(whole),
            "Dask LocalCluster 2 workers, one task per chunk": lambda: run_sweep(
                cfg, client=client
            ),
        }
        timings = time_interleaved(contenders, reps, slow_s)
    base = timings["local (this process), chunk after chunk"]
    for name, tm in timings.items():
        same_chunks = "one chunk" not in name
        diff = (
            float(np.nanmax(np.abs(tm.result["rate"].values - base.result["rate"].values)))
            if same_chunks
            else None
        )
        res.rows.append({
            "case": name, "networks": cfg.n_points, "median_s": tm.median,
            "per_s": cfg.n_points / tm.median, "ratio": tm.median / base.median,
            "max_drate": diff, "reps": len(tm.times), "times": tm.times,
        })  # fmt: skip
    res.rows[1]["notes"] = "another chunking draws other noise: rates not compared"
    res.rows[2]["notes"] = "same chunks and seeds as the local run"
    overhead = timings["Dask LocalCluster 2 workers, one task per chunk"].median / base.median
    res.meta |= {"cluster_startup_s": startup, "cluster_over_local": overhead}
    res.notes.append(
        f"LocalCluster(n_workers=2, threads_per_worker=1, processes=True) started in "
        f"{startup:.1f} s (not timed); OMP/OpenBLAS/MKL 1 thread everywhere."
    )
    res.notes.append(
        f"the cluster's time over the local run's: {overhead:.2f} (below 1: the two workers "
        "gain more than the tasks and the transfers cost; the machine's 2 cores are shared)."
    )
    return res
