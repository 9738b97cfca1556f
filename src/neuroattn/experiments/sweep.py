"""Parameter sweeps: a grid over the source's equation or any experiment's config.

:func:`run_sweep` splits the grid (C order over its axes) into chunks of
``config.chunk_size`` points and computes each chunk — for the source's equation one
vectorised :func:`~neuroattn.dynamics.simulate` over the chunk's networks, for an experiment
one run per point — in this process or as one Dask task per chunk
(:func:`neuroattn.vision.batch.dask_client` gives a client of a ``LocalCluster`` or of a
running scheduler). The chunks are gathered into one labelled ``xarray.Dataset`` whatever ran
them. With an output folder each finished chunk is written at once (atomically), so an
interrupted sweep run again resumes from the chunks it finished; the folder's manifest holds
the config's SHA-256 and a folder of another config is refused.

Examples
--------
>>> from neuroattn.experiments.sweep import SweepConfig, run_sweep
>>> cfg = SweepConfig({"beta": [0.0, 2.0], "contrast": [0.5, 1.0, 2.0]}, chunk_size=4,
...                   fixed={"n": 4, "t_end": 10.0})
>>> ds = run_sweep(cfg)
>>> dict(ds.sizes)
{'beta': 2, 'contrast': 3, 'unit': 4}
>>> ds["n_active"].values.tolist()
[[0, 2, 4], [4, 4, 4]]
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..dynamics.progress import ProgressArg, as_progress
from ._sweep_chunks import Block, compute_chunk
from ._sweep_config import (
    EXAMPLE,
    MAX_POINTS,
    NETWORK,
    SWEEPABLE,
    NetworkSpec,
    SweepConfig,
    load_sweep_config,
    parse_sweep_config,
)
from ._sweep_io import (
    chunk_path,
    finished_chunks,
    gather,
    manifest_digest,
    open_folder,
    read_chunk,
    write_chunk,
    write_netcdf,
)

if TYPE_CHECKING:  # pragma: no cover
    from distributed import Client

__all__ = [
    "EXAMPLE",
    "MAX_POINTS",
    "NETWORK",
    "SWEEPABLE",
    "NetworkSpec",
    "SweepConfig",
    "load_sweep_config",
    "parse_sweep_config",
    "run_sweep",
    "sweep_progress",
]


def sweep_progress(config: SweepConfig, out: str | os.PathLike[str]) -> tuple[int, int]:
    """(chunks finished, chunks in all) of the sweep ``config`` in folder ``out`` (0 when
    the folder is new or holds another config's sweep)."""
    if not isinstance(config, SweepConfig):
        raise TypeError(f"config must be a SweepConfig, got {type(config).__name__}")
    folder = Path(out)
    if manifest_digest(folder) != config.digest():
        return 0, config.n_chunks
    return len(finished_chunks(folder, config)), config.n_chunks


def run_sweep(
    config: SweepConfig,
    out: str | os.PathLike[str] | None = None,
    *,
    client: Client | None = None,
    restart: bool = False,
    progress: ProgressArg = False,
) -> Any:
    """Run every point of ``config``'s grid; one labelled dataset of the results.

    Parameters
    ----------
    config : SweepConfig
        The grid, its target (the source's equation or an experiment) and its chunking.
    out : path, optional
        Folder of a resumable sweep: ``manifest.json``, ``chunks/chunk-<k>.npz`` written as
        each chunk finishes, and ``sweep.nc`` (NetCDF) at the end. Run again with the same
        config it computes only the chunks missing. None: nothing is written.
    client : distributed.Client, optional
        Compute the chunks as Dask tasks on this client's workers (see
        :func:`neuroattn.vision.batch.dask_client`); None: in this process. The dataset is
        the same either way (every chunk runs the same function on the same inputs).
    restart : bool
        Discard a sweep of ``out`` (of this or another config) and start again.
    progress : bool, callable or ProgressMeter
        Advanced once per chunk (finished chunks of a resumed sweep count at once).

    Returns
    -------
    xarray.Dataset
        Dims: the grid's axes in order (coordinates: their values), then each variable's
        own. The network: ``rate`` (…, unit), ``winner``, ``n_active``, ``selectivity``,
        ``drift`` (0 when settled; large when oscillating) and ``failed``. An experiment:
        ``finding_model`` and ``finding_agrees`` (…, measure), ``seconds``, and its own
        numeric variables. Attributes: the target, the config (JSON) and its digest.

    Raises
    ------
    ValueError, TypeError
        A bad argument or folder (one line), or a point of an experiment that fails.
    ImportError
        xarray (or, with a client, Dask) is not installed.
    """
    if not isinstance(config, SweepConfig):
        raise TypeError(f"config must be a SweepConfig, got {type(config).__name__}")
    if not isinstance(restart, bool):
        raise TypeError(f"restart must be a bool, got {restart!r}")
    meter = as_progress(progress)
    _require_xarray()
    folder = None if out is None else Path(out)
    done: dict[int, list[Block]] = {}
    if folder is not None:
        open_folder(folder, config, restart=restart)
        done = {k: read_chunk(chunk_path(folder, k)) for k in finished_chunks(folder, config)}
    todo = [k for k in range(config.n_chunks) if k not in done]
    with meter.running("sweeping", total=config.n_chunks) as advance:
        if done:
            advance(len(done))
        for k, blocks in _computed(config, todo, client):
            if folder is not None:
                write_chunk(folder, k, blocks)
            done[k] = blocks
            advance()
    ds = gather(config, (b for k in sorted(done) for b in done[k]))
    if folder is not None:
        write_netcdf(ds, folder)
    return ds


def _computed(
    config: SweepConfig, todo: list[int], client: Client | None
) -> Iterator[tuple[int, list[Block]]]:
    """(k, blocks) of every chunk in ``todo``, as they complete; the first failure raised
    with its chunk named (the tasks not yet done are cancelled)."""
    from ..vision.batch import map_images

    fn = partial(compute_chunk, config, experiment=config.experiment)
    outcomes = map_images(fn, todo, client=client, description="sweeping")
    try:
        for outcome in outcomes:
            k = todo[outcome.index]
            if outcome.error is not None:
                raise _named(outcome.error, k)
            yield k, outcome.value
    finally:
        outcomes.close()


def _named(error: BaseException, k: int) -> BaseException:
    """The error with its chunk in front (as it was, for a type with another signature)."""
    try:
        named = type(error)(f"chunk {k}: {error}")
    except Exception:
        return error
    named.__cause__ = error
    return named


def _require_xarray() -> None:
    try:
        import xarray  # noqa: F401
    except ImportError:  # pragma: no cover - xarray is in the dev install
        raise ImportError("sweeps need xarray: pip install 'neuroattn[xarray]'") from None
