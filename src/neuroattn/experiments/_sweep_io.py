"""The files of a resumable sweep, and the one labelled dataset gathered from its chunks.

An output folder holds ``manifest.json`` (the config and its SHA-256), ``chunks/`` with one
``chunk-<k>.npz`` per finished chunk (written under a temporary name and renamed, so a file
that exists is complete) and, once every chunk is done, ``sweep.nc`` (NetCDF, written the
same way). Plumbing, not science: nothing here is from a paper.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from ._sweep_chunks import Block
from ._sweep_config import SweepConfig

__all__ = [
    "finished_chunks",
    "gather",
    "manifest_digest",
    "open_folder",
    "read_chunk",
    "write_chunk",
    "write_netcdf",
]

MANIFEST = "manifest.json"
DATASET = "sweep.nc"
VERSION = 1
FILE_MODE = 0o644  # mkstemp's files are private (0o600); results are ordinary files


def chunk_path(out: Path, k: int) -> Path:
    return out / "chunks" / f"chunk-{k:06d}.npz"


def open_folder(out: Path, config: SweepConfig, *, restart: bool = False) -> None:
    """Make ``out`` the folder of this sweep: a new one gets the manifest; one of the same
    config is resumed; one of another config (or not a sweep's) is refused unless
    ``restart``, which removes its chunks and dataset first."""
    if out.exists() and not out.is_dir():
        raise ValueError(f"out: {out} exists and is not a folder")
    manifest = out / MANIFEST
    digest = config.digest()
    if manifest.is_file():
        found = manifest_digest(out)
        if found == digest and not restart:
            return
        if not restart:
            raise ValueError(
                f"out: {out} holds a sweep of another config (digest {str(found)[:12]}…, this "
                f"one {digest[:12]}…); give another folder, or restart to discard it"
            )
    elif out.is_dir() and any(out.iterdir()) and not restart:
        raise ValueError(f"out: {out} is not empty and holds no sweep ({MANIFEST} is missing)")
    if restart:
        for path in [*out.glob("chunks/chunk-*.npz"), out / DATASET, manifest]:
            path.unlink(missing_ok=True)
    (out / "chunks").mkdir(parents=True, exist_ok=True)
    head = {"version": VERSION, "digest": digest, "n_points": config.n_points}
    text = json.dumps({**head, "n_chunks": config.n_chunks, "config": config.as_dict()}, indent=1)
    _replace(manifest, lambda f: f.write(text.encode()))


def manifest_digest(out: Path) -> str | None:
    """The config digest in ``out``'s manifest (None: no readable manifest)."""
    try:
        found = json.loads((out / MANIFEST).read_text(encoding="utf-8")).get("digest")
    except (OSError, ValueError, AttributeError):
        return None
    return found if isinstance(found, str) else None


def finished_chunks(out: Path, config: SweepConfig) -> list[int]:
    """The chunks of ``out`` already written (readable files only)."""
    done = []
    for k in range(config.n_chunks):
        path = chunk_path(out, k)
        if path.is_file():
            try:
                read_chunk(path)
            except (OSError, ValueError, KeyError):
                path.unlink(missing_ok=True)  # never written by us: computed again
                continue
            done.append(k)
    return done


def write_chunk(out: Path, k: int, blocks: list[Block]) -> None:
    """Chunk ``k``'s blocks as one ``.npz`` (arrays, with their labels as JSON)."""
    meta = []
    arrays: dict[str, np.ndarray] = {}
    for b, block in enumerate(blocks):
        meta.append({"start": block.start, "size": block.size, "coords": block.coords,
                     "dims": {k_: list(v) for k_, v in block.dims.items()},
                     "attrs": block.attrs, "names": list(block.arrays)})  # fmt: skip
        arrays |= {f"{b}/{name}": a for name, a in block.arrays.items()}
    arrays["meta"] = np.array(json.dumps(meta))
    _replace(chunk_path(out, k), lambda f: np.savez(f, **arrays))  # type: ignore[arg-type]


def read_chunk(path: Path) -> list[Block]:
    """The blocks of a chunk file written by :func:`write_chunk`."""
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(str(data["meta"]))
        return [
            Block(m["start"], m["size"], {n: data[f"{b}/{n}"] for n in m["names"]},
                  {n: tuple(d) for n, d in m["dims"].items()}, m["coords"], m["attrs"])
            for b, m in enumerate(meta)
        ]  # fmt: skip


def _replace(path: Path, write: Any) -> None:
    """``write(file)`` to a temporary file beside ``path``, then rename it to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, FILE_MODE)
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_netcdf(ds: Any, out: Path) -> Path:
    """``ds`` as ``out/sweep.nc``, written under a temporary name and renamed."""
    path = out / DATASET
    fd, tmp = tempfile.mkstemp(prefix=f".{DATASET}.", suffix=".tmp", dir=out)
    os.close(fd)
    try:
        os.chmod(tmp, FILE_MODE)
        ds.to_netcdf(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _key(v: Any) -> Any:
    return tuple(_key(x) for x in v) if isinstance(v, list) else v


def _fill(dtype: np.dtype) -> Any:
    if dtype.kind == "b":
        return False
    return -1 if dtype.kind in "iu" else np.nan


def gather(config: SweepConfig, blocks: Iterable[Block]) -> Any:
    """One ``xarray.Dataset`` over the grid's axes (then each variable's own dims), from
    blocks in any order. Coordinates of a variable's own dims are the union over the
    blocks (missing entries NaN, -1 or False)."""
    import xarray as xr

    ordered = sorted(blocks, key=lambda b: b.start)
    axes = list(config.grid)
    kinds: dict[str, tuple[tuple[str, ...], np.dtype, dict[str, Any]]] = {}
    union: dict[str, dict[Any, int]] = {}
    values: dict[str, list[Any]] = {}
    for block in ordered:
        for name, arr in block.arrays.items():
            kinds.setdefault(name, (block.dims[name], arr.dtype, block.attrs.get(name, {})))
            for dim, n in zip(block.dims[name], arr.shape[1:], strict=True):
                given = block.coords.get(dim, [])
                for v in given if len(given) == n else range(n):
                    if _key(v) not in union.setdefault(dim, {}):
                        union[dim][_key(v)] = len(union[dim])
                        values.setdefault(dim, []).append(v)
    data = {}
    for name, (dims, dtype, attrs) in kinds.items():
        full = np.full((config.n_points, *(len(union[d]) for d in dims)), _fill(dtype), dtype)
        for block in ordered:
            if name not in block.arrays:
                continue
            arr = block.arrays[name]
            where = [np.arange(block.start, block.start + block.size)]
            for dim, n in zip(dims, arr.shape[1:], strict=True):
                given = block.coords.get(dim, [])
                keys = given if len(given) == n else range(n)
                where.append(np.array([union[dim][_key(v)] for v in keys], dtype=np.intp))
            full[np.ix_(*where)] = arr
        out_dims = [d if d not in axes else f"result_{d}" for d in dims]
        var = name if name not in axes else f"result_{name}"
        data[var] = ([*axes, *out_dims], full.reshape(*config.shape, *full.shape[1:]), attrs)
    coords: dict[str, Any] = {k: np.asarray(v) for k, v in config.grid.items()}
    for dim, vals in values.items():
        coords[dim if dim not in axes else f"result_{dim}"] = np.asarray(vals)
    attrs = {"target": config.target, "config": json.dumps(config.as_dict()),
             "config_digest": config.digest(), "chunks": config.n_chunks}  # fmt: skip
    return xr.Dataset(data, coords=coords, attrs=attrs)
