"""The immutable result of :func:`simulate` and its analysis.

File I/O (:mod:`._trajectory_io`) and the figure (:mod:`._trajectory_plot`) live beside it;
the methods here call them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ._backend import Array
from ._options import Status
from ._trajectory_io import read_npz, to_dataset, write_npz
from ._trajectory_plot import plot_rates
from .checks import to_numpy


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
        ``status`` (a :class:`Status`: "success", "nonfinite", "dt_too_small",
        "max_steps", "unstable_step"), ``message``, ``method``, ``t_settle`` (with a
        stopping rule: time each member converged, NaN if never), and ``dt``,
        ``fast_path`` (fixed-step) or ``rtol``, ``atol`` (adaptive).
    state_shape : tuple of int
        Shape of one network's state.
    state_vars, output_vars : tuple of str
        The model's names of the state ``u`` and of the output ``rates`` (``("u",)`` and
        ``("rate",)`` for the rate models, ``("x",)`` for :class:`Shunting`); the variable
        names of :meth:`variables`, :meth:`to_xarray` and the saved file.
    """

    t: Array
    u: Array
    rates: Array
    params: dict[str, Any] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)
    state_shape: tuple[int, ...] = ()
    state_vars: tuple[str, ...] = ("u",)
    output_vars: tuple[str, ...] = ("rate",)

    @property
    def final(self) -> Array:
        """The last saved state u, shape ``(*batch, *state)``."""
        return self.u[-1]

    @property
    def final_rates(self) -> Array:
        """The last saved rates f(u), shape ``(*batch, *state)``."""
        return self.rates[-1]

    @property
    def status(self) -> Status:
        """:attr:`Status.SUCCESS` or the reason the integration stopped early."""
        return Status(self.stats.get("status", Status.SUCCESS))

    @property
    def batch_shape(self) -> tuple[int, ...]:
        """The batch shape, between the time axis and the state axes."""
        return tuple(self.u.shape[1 : self.u.ndim - len(self.state_shape)])

    def variables(self) -> dict[str, Array]:
        """The saved arrays by the model's names: the state, then the output (once, when
        the model's output is its state, as for :class:`Shunting`)."""
        out = {self.state_vars[0]: self.u}
        out.setdefault(self.output_vars[0], self.rates)
        return out

    def winner(self) -> np.ndarray:
        """Index of the most active unit at the end, shape ``(*batch,)`` (flat index)."""
        return winner(to_numpy(self.final_rates), n_state_axes=len(self.state_shape))

    def selectivity(self) -> np.ndarray:
        """Ratio of the largest to the second-largest final rate, shape ``(*batch,)``."""
        return selectivity(to_numpy(self.final_rates), n_state_axes=len(self.state_shape))

    def time_to_settle(self, tol: float = 1e-3) -> np.ndarray:
        """First saved time after which every rate stays within ``tol`` of its final value."""
        r = to_numpy(self.rates)
        axes = tuple(range(r.ndim - len(self.state_shape), r.ndim))
        dev = np.abs(r - r[-1]).max(axis=axes) if axes else np.abs(r - r[-1])  # (T, *batch)
        outside = dev > tol
        # last index still outside tolerance, +1
        rev = outside[::-1]
        last = np.where(rev.any(0), outside.shape[0] - np.argmax(rev, axis=0), 0)
        idx = np.minimum(last, outside.shape[0] - 1)
        return to_numpy(self.t)[idx]

    # --- files and figures: functions beside the record ----------------------------------
    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write ``t``, ``u``, ``rates`` and the metadata (JSON) to one ``.npz`` file.

        The file is written under a temporary name and renamed when complete.
        """
        return write_npz(self, path)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Trajectory:
        """Read a trajectory written by :meth:`save`."""
        return cls(**read_npz(path))

    def to_xarray(self) -> Any:
        """An ``xarray.Dataset`` with one variable per name of :meth:`variables` (``u`` and
        ``rate`` for the rate models) over named dims ``time``, ``batch_0``…, and
        ``neuron`` (or ``y``, ``x`` for 2-D fields)."""
        return to_dataset(self)

    def plot(self, *, member: tuple[int, ...] = (), ax: Any = None, max_traces: int = 32) -> Any:
        """Rate traces of one batch member (default: the first); returns the figure."""
        return plot_rates(self, member=member, ax=ax, max_traces=max_traces)


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
