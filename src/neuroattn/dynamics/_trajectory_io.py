"""Files of a :class:`~neuroattn.dynamics.Trajectory`: one ``.npz`` (arrays and JSON
metadata) written atomically, and the labelled ``xarray.Dataset`` view.

The functions take and return the record's fields, not the class, so that the record module
imports this one and not the other way round.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ._options import Status
from .checks import to_numpy

if TYPE_CHECKING:
    from ._trajectory import Trajectory


def write_npz(traj: Trajectory, path: str | os.PathLike[str]) -> Path:
    """Write ``t``, ``u``, ``rates`` and the metadata (JSON) to one ``.npz`` file.

    The suffix ``.npz`` is added when missing; the file is written under a temporary name
    and renamed when complete. The metadata hold the parameters, the statistics and the
    model's variable names (``state_vars``, ``output_vars``).
    """
    path = Path(path)
    if path.suffix != ".npz":
        path = path.with_suffix(".npz")
    meta = {
        "params": traj.params,
        "stats": {k: v for k, v in traj.stats.items() if k != "t_settle"},
        "state_shape": list(traj.state_shape),
        "state_vars": list(traj.state_vars),
        "output_vars": list(traj.output_vars),
    }
    arrays = {"t": to_numpy(traj.t), "u": to_numpy(traj.u), "rates": to_numpy(traj.rates)}
    if traj.stats.get("t_settle") is not None:
        arrays["t_settle"] = to_numpy(traj.stats["t_settle"])
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".npz.tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            arrays["meta"] = np.array(json.dumps(meta, default=str))
            np.savez_compressed(fh, **arrays)  # type: ignore[arg-type]
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def read_npz(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The fields of a trajectory written by :func:`write_npz`, as keyword arguments.

    Files written before the variable names were stored get the defaults ``u``/``rate``.
    A file that cannot be read as one (missing, truncated, corrupt, another kind of file)
    is a ValueError naming it, whatever numpy, zipfile or zlib raised underneath.
    """
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            stats = dict(meta["stats"])
            if "status" in stats:
                stats["status"] = Status(stats["status"])
            if "t_settle" in data:
                stats["t_settle"] = data["t_settle"]
            return {
                "t": data["t"],
                "u": data["u"],
                "rates": data["rates"],
                "params": meta["params"],
                "stats": stats,
                "state_shape": tuple(meta["state_shape"]),
                "state_vars": tuple(meta.get("state_vars", ("u",))),
                "output_vars": tuple(meta.get("output_vars", ("rate",))),
            }
    except _UNREADABLE as exc:  # a truncated or corrupt file, or not ours
        reason = (
            "too large to read" if isinstance(exc, MemoryError) else str(exc) or type(exc).__name__
        )
        raise ValueError(f"{path}: not a neuroattn trajectory file ({reason})") from None


# what numpy, zipfile, zlib and json raise on a file that is truncated, corrupt or foreign
_UNREADABLE = (
    OSError,
    EOFError,
    KeyError,
    ValueError,
    TypeError,
    AttributeError,
    IndexError,
    MemoryError,
    zipfile.BadZipFile,
    zlib.error,
)


def to_dataset(traj: Trajectory) -> Any:
    """An ``xarray.Dataset`` of the trajectory's variables (:meth:`Trajectory.variables`,
    named by the model's ``state_vars`` and ``output_vars``) over named dims ``time``,
    ``batch_0``…, and ``neuron`` (or ``y``, ``x`` for 2-D fields)."""
    try:
        import xarray as xr
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ImportError("to_xarray needs xarray: pip install xarray") from exc
    state_dims = ("neuron",) if len(traj.state_shape) == 1 else ("y", "x")
    dims = ("time", *[f"batch_{i}" for i in range(len(traj.batch_shape))], *state_dims)
    attrs = {"params": json.dumps(traj.params, default=str), "status": str(traj.status)}
    data = {name: (dims, to_numpy(values)) for name, values in traj.variables().items()}
    return xr.Dataset(data, coords={"time": to_numpy(traj.t)}, attrs=attrs)
