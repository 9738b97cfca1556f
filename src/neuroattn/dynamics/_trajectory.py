"""The immutable result of :func:`simulate`."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ._backend import Array, is_torch


def _np(x: Any) -> np.ndarray:
    return x.detach().cpu().numpy() if is_torch(x) else np.asarray(x)


@dataclass(frozen=True)
class Trajectory:
    """A simulated trajectory.

    Attributes
    ----------
    t : array, shape (T,)
        Saved times.
    u : array, shape (T, *batch, *state)
        State (the model's ``state_vars``) at the saved times.
    rates : array, shape (T, *batch, *state)
        Output f(u) (the model's ``output_vars``).
    params : dict
        The model's parameters and the simulation settings (JSON-friendly).
    stats : dict
        ``steps`` (solver steps), ``rejected`` (adaptive), ``rhs_evals``, ``wall_time`` (s),
        ``status`` ("success", "nonfinite", "dt_too_small", "max_steps"), ``message``,
        ``t_settle`` (with ``until="steady"``: time each member converged, NaN if never).
    state_shape : tuple of int
        Shape of one network's state.
    """

    t: Array
    u: Array
    rates: Array
    params: dict[str, Any] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)
    state_shape: tuple[int, ...] = ()

    @property
    def final(self) -> Array:
        """The last saved state u, shape ``(*batch, *state)``."""
        return self.u[-1]

    @property
    def final_rates(self) -> Array:
        """The last saved rates f(u), shape ``(*batch, *state)``."""
        return self.rates[-1]

    @property
    def status(self) -> str:
        """ "success" or the reason the integration stopped early."""
        return str(self.stats.get("status", "success"))

    @property
    def batch_shape(self) -> tuple[int, ...]:
        return tuple(self.u.shape[1 : self.u.ndim - len(self.state_shape)])

    def winner(self) -> np.ndarray:
        """Index of the most active unit at the end, shape ``(*batch,)`` (flat index)."""
        return winner(_np(self.final_rates), n_state_axes=len(self.state_shape))

    def selectivity(self) -> np.ndarray:
        """Ratio of the largest to the second-largest final rate, shape ``(*batch,)``."""
        return selectivity(_np(self.final_rates), n_state_axes=len(self.state_shape))

    def time_to_settle(self, tol: float = 1e-3) -> np.ndarray:
        """First saved time after which every rate stays within ``tol`` of its final value."""
        r = _np(self.rates)
        axes = tuple(range(r.ndim - len(self.state_shape), r.ndim))
        dev = np.abs(r - r[-1]).max(axis=axes) if axes else np.abs(r - r[-1])  # (T, *batch)
        outside = dev > tol
        # last index still outside tolerance, +1
        rev = outside[::-1]
        last = np.where(rev.any(0), outside.shape[0] - np.argmax(rev, axis=0), 0)
        idx = np.minimum(last, outside.shape[0] - 1)
        return _np(self.t)[idx]

    # --- persistence ---------------------------------------------------------------------
    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write ``t``, ``u``, ``rates`` and the metadata (JSON) to one ``.npz`` file.

        The file is written under a temporary name and renamed when complete.
        """
        path = Path(path)
        if path.suffix != ".npz":
            path = path.with_suffix(".npz")
        meta = {
            "params": self.params,
            "stats": {k: v for k, v in self.stats.items() if k != "t_settle"},
            "state_shape": list(self.state_shape),
        }
        arrays = {"t": _np(self.t), "u": _np(self.u), "rates": _np(self.rates)}
        if self.stats.get("t_settle") is not None:
            arrays["t_settle"] = _np(self.stats["t_settle"])
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

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Trajectory:
        """Read a trajectory written by :meth:`save`."""
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = json.loads(str(data["meta"]))
                stats = dict(meta["stats"])
                if "t_settle" in data:
                    stats["t_settle"] = data["t_settle"]
                return cls(
                    t=data["t"],
                    u=data["u"],
                    rates=data["rates"],
                    params=meta["params"],
                    stats=stats,
                    state_shape=tuple(meta["state_shape"]),
                )
        except (OSError, KeyError, ValueError) as exc:
            raise ValueError(f"{path}: not a neuroattn trajectory file ({exc})") from None

    def to_xarray(self) -> Any:
        """An ``xarray.Dataset`` with variables ``u`` and ``rate`` over named dims
        ``time``, ``batch_0``…, and ``neuron`` (or ``y``, ``x`` for 2-D fields)."""
        try:
            import xarray as xr
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise ImportError("to_xarray needs xarray: pip install xarray") from exc
        state_dims = ("neuron",) if len(self.state_shape) == 1 else ("y", "x")
        dims = ("time", *[f"batch_{i}" for i in range(len(self.batch_shape))], *state_dims)
        attrs = {"params": json.dumps(self.params, default=str), "status": self.status}
        return xr.Dataset(
            {"u": (dims, _np(self.u)), "rate": (dims, _np(self.rates))},
            coords={"time": _np(self.t)},
            attrs=attrs,
        )

    def plot(self, *, member: tuple[int, ...] = (), ax: Any = None, max_traces: int = 32) -> Any:
        """Rate traces of one batch member (default: the first); returns the figure."""
        import matplotlib.pyplot as plt

        r = _np(self.rates)
        idx = member or (0,) * len(self.batch_shape)
        r = r[(slice(None), *idx)].reshape(r.shape[0], -1)  # type: ignore[arg-type]
        if ax is None:
            fig, ax = plt.subplots(figsize=(6, 3.5), layout="constrained")
        else:
            fig = ax.figure
        step = max(1, r.shape[1] // max_traces)
        for i in range(0, r.shape[1], step):
            ax.plot(_np(self.t), r[:, i], lw=1.2, label=f"unit {i}" if r.shape[1] <= 10 else None)
        ax.set_xlabel("time (τ units)")
        ax.set_ylabel("rate f(u)")
        ax.set_title(str(self.params.get("model", "")) + " — rates")
        if r.shape[1] <= 10:
            ax.legend(fontsize=7, ncol=2)
        return fig


def winner(rates: np.ndarray, n_state_axes: int = 1) -> np.ndarray:
    """Flat index of the most active unit, over the last ``n_state_axes`` axes."""
    r = np.asarray(rates)
    flat = r.reshape(*r.shape[: r.ndim - n_state_axes], -1)
    return np.argmax(flat, axis=-1)


def selectivity(rates: np.ndarray, n_state_axes: int = 1, eps: float = 1e-12) -> np.ndarray:
    """Largest rate divided by the second largest (∞ when the runner-up is silent)."""
    r = np.asarray(rates)
    flat = r.reshape(*r.shape[: r.ndim - n_state_axes], -1)
    if flat.shape[-1] < 2:
        raise ValueError("selectivity needs at least two units")
    top2 = np.sort(flat, axis=-1)[..., -2:]
    with np.errstate(divide="ignore"):
        return np.where(top2[..., 0] > eps, top2[..., 1] / np.maximum(top2[..., 0], eps), np.inf)
