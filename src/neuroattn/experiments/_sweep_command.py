"""What ``neuroattn sweep CONFIG.toml`` does, without the command line's printing.

Read and check the TOML file, start a Dask client when asked (``--workers N``: a local
cluster; ``--scheduler ADDRESS``: a running one), run or resume the sweep in the output
folder with a progress bar, and return a summary for the command to print.
"""

from __future__ import annotations

import os
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from ..dynamics.progress import RichProgress
from .sweep import EXAMPLE, load_sweep_config, run_sweep, sweep_progress

__all__ = ["EXAMPLE", "run_sweep_command"]


def run_sweep_command(
    config: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    restart: bool = False,
    progress: bool = True,
) -> dict[str, Any]:
    """Run the sweep of ``config`` into ``out``; a summary (points, chunks, chunks resumed,
    dims, variables, the NetCDF file, where it ran)."""
    cfg = load_sweep_config(config)
    folder = Path(out)
    resumed = 0 if restart else sweep_progress(cfg, folder)[0]
    context: Any = nullcontext(None)
    if scheduler is not None or workers is not None:
        from ..vision.batch import dask_client

        context = dask_client(scheduler, workers=workers)
    with context as client:
        ds = run_sweep(cfg, folder, client=client, restart=restart,
                       progress=RichProgress() if progress else False)  # fmt: skip
        where = "this process"
        if client is not None:
            where = f"Dask, {len(client.nthreads())} worker(s)"
    return {
        "points": cfg.n_points,
        "chunks": cfg.n_chunks,
        "resumed": resumed,
        "dims": {str(k): int(v) for k, v in ds.sizes.items()},
        "variables": [str(v) for v in ds.data_vars],
        "file": folder / "sweep.nc",
        "where": where,
    }
