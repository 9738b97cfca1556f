"""The small objects that configure :func:`simulate` (diffrax's habit): when to save
(:class:`SaveAt`), when to stop early (:class:`Steady`, a :class:`StoppingRule`), and how a
run ended (:class:`Status`).

Each is an immutable value checked when it is made, so a bad one fails at construction with
a one-line :class:`ValueError` naming the field, not deep inside an integration.
"""

from __future__ import annotations

import enum
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .checks import check_finite_array, check_number

if sys.version_info >= (3, 11):
    _StrEnum = enum.StrEnum
else:  # pragma: no cover - Python 3.10

    class _StrEnum(str, enum.Enum):
        def __str__(self) -> str:
            return str(self.value)


__all__ = ["SaveAt", "Status", "Steady", "StoppingRule"]


class Status(_StrEnum):
    """How an integration ended (``Trajectory.stats["status"]``).

    A ``str`` enum: ``stats["status"] == "success"`` holds, and the value is written to JSON
    as its plain string.
    """

    SUCCESS = "success"  #: reached the end time (or every member settled)
    NONFINITE = "nonfinite"  #: the state became NaN or infinite
    DT_TOO_SMALL = "dt_too_small"  #: the adaptive step fell below the solver's ``dt_min``
    MAX_STEPS = "max_steps"  #: the adaptive loop used up ``max_steps`` (or ``max_work``)
    UNSTABLE_STEP = "unstable_step"  #: the fixed step lies outside the method's stability region


@dataclass(frozen=True)
class SaveAt:
    """When :func:`simulate` saves the state: ``every`` so many time units, or at ``ts``.

    With neither (``SaveAt()``) the default is at most about 1000 saves for fixed-step
    methods and 100 intervals for the adaptive one. Saves are never interpolated: fixed-step
    methods save at the step nearest each requested time (``every`` is rounded to whole
    steps, and ``Trajectory.t`` holds the times actually saved); the adaptive method shortens
    a step to land exactly on each time.

    Parameters
    ----------
    every : float, optional
        Interval between saved times, from ``t0``; ``t0`` and ``t1`` are always saved.
    ts : array_like of float, optional
        Explicit times to save, within ``t_span`` (sorted; repeats dropped). Only these are
        saved; the run still integrates to ``t1``.

    Examples
    --------
    >>> SaveAt(every=0.5)
    SaveAt(every=0.5, ts=None)
    >>> SaveAt(ts=[2.0, 0.0, 1.0]).ts
    (0.0, 1.0, 2.0)
    """

    every: float | None = None
    ts: Sequence[float] | np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.every is not None and self.ts is not None:
            raise ValueError("SaveAt takes every= or ts=, not both")
        if self.every is not None:
            object.__setattr__(self, "every", check_number(self.every, "SaveAt.every", gt=0))
        if self.ts is not None:
            if isinstance(self.ts, (str, bytes)):
                raise TypeError(f"SaveAt.ts must be a sequence of times, got {self.ts!r}")
            ts = check_finite_array(self.ts, "SaveAt.ts")
            if ts.ndim != 1 or ts.size == 0:
                raise ValueError(
                    f"SaveAt.ts must be a non-empty 1-D sequence of times, got shape {ts.shape}"
                )
            object.__setattr__(self, "ts", tuple(float(t) for t in np.unique(ts)))

    def check_span(self, t0: float, t1: float) -> None:
        """ValueError unless every time of ``ts`` lies within ``[t0, t1]``."""
        if self.ts is not None:
            ts = np.asarray(self.ts)
            if ts[0] < t0 or ts[-1] > t1:
                raise ValueError(
                    f"SaveAt.ts must lie within t_span [{t0:g}, {t1:g}], got {ts[0]:g} … {ts[-1]:g}"
                )

    def fixed_steps(self, t0: float, t1: float, n_steps: int, dt: float) -> np.ndarray:
        """Indices (0 … ``n_steps``) of the steps a fixed-step run of step ``dt`` saves."""
        if self.ts is not None:
            self.check_span(t0, t1)
            k = np.rint((np.asarray(self.ts) - t0) / dt).astype(np.int64)
            return np.unique(np.clip(k, 0, n_steps))
        if self.every is not None:
            stride = max(1, round(min(self.every / dt, n_steps + 1.0)))
        else:
            stride = max(1, n_steps // 1000)
        return np.unique(np.r_[np.arange(0, n_steps + 1, stride), n_steps])

    def count(self, t0: float, t1: float, n_steps: int | None, dt: float | None) -> float:
        """How many states a run saves (an upper bound, as a float; nothing is allocated):
        fixed-step with ``n_steps`` steps of ``dt``, adaptive when ``n_steps`` is None."""
        if self.ts is not None:
            return float(len(self.ts) + 2)
        if n_steps is None:
            every = self.every if self.every is not None else (t1 - t0) / 100
            return (t1 - t0) / every + 2
        if self.every is not None and dt is not None:
            return n_steps / max(1.0, float(np.rint(min(self.every / dt, n_steps + 1.0)))) + 2
        return n_steps / max(1, n_steps // 1000) + 2

    def adaptive_times(self, t0: float, t1: float) -> tuple[np.ndarray, np.ndarray]:
        """Times an adaptive run lands on, from ``t0`` to ``t1``, and which are saved."""
        if self.ts is not None:
            self.check_span(t0, t1)
            ts = np.asarray(self.ts)
            times = np.union1d(ts, [t0, t1])
            return times, np.isin(times, ts)
        every = self.every if self.every is not None else (t1 - t0) / 100
        n = max(1, math.ceil((t1 - t0) / every - 1e-9))
        times = np.minimum(t0 + every * np.arange(n + 1), t1)
        times[-1] = t1
        return times, np.ones(times.shape, dtype=bool)


class StoppingRule:
    """Base of the rules that end a batch member's integration early.

    A rule sees, at each check, the largest |du/dt| of every batch member (a numpy array
    of shape ``(*batch, 1, …)``) and says which members are done. A member that is done
    stops changing; the run ends when every member is done. Subclass it and implement
    :meth:`reached` (and give it a ``name`` for ``Trajectory.params["until"]``).
    """

    name: str = "rule"

    def reached(self, speed: np.ndarray) -> np.ndarray:
        """Boolean array: which members are done, given their max |du/dt|."""
        raise NotImplementedError


@dataclass(frozen=True)
class Steady(StoppingRule):
    """Stop each batch member once max |du/dt| < ``tol`` (``until="steady"``).

    The settling times are in ``Trajectory.stats["t_settle"]`` (NaN for a member that never
    settled). Fixed-step methods check every 10 steps; the adaptive method at every
    accepted step. An adaptive method holds |du/dt| only to about its own error tolerance,
    so pair a small ``tol`` with a small ``rtol``.

    Parameters
    ----------
    tol : float
        Tolerance on max |du/dt|, > 0.

    Examples
    --------
    >>> Steady(1e-8).reached(np.array([1e-9, 1e-3]))
    array([ True, False])
    """

    tol: float = 1e-6
    name = "steady"

    def __post_init__(self) -> None:
        object.__setattr__(self, "tol", check_number(self.tol, "Steady.tol", gt=0))

    def reached(self, speed: np.ndarray) -> np.ndarray:
        """``speed < tol``, member by member."""
        return np.asarray(speed < self.tol)


def resolve_saveat(saveat: Any, save_every: Any) -> SaveAt:
    """The :class:`SaveAt` of :func:`simulate`'s ``saveat`` and ``save_every`` arguments."""
    if saveat is not None and save_every is not None:
        raise ValueError("give saveat=SaveAt(...) or save_every=, not both")
    if saveat is None:
        if save_every is None:
            return SaveAt()
        return SaveAt(every=check_number(save_every, "save_every", gt=0))
    if not isinstance(saveat, SaveAt):
        raise TypeError(f"saveat must be a SaveAt, got {type(saveat).__name__}")
    return saveat


def resolve_until(until: Any, tol: Any) -> StoppingRule | None:
    """The stopping rule of :func:`simulate`'s ``until`` and ``tol`` arguments."""
    if tol is not None:
        check_number(tol, "tol", gt=0)
    if until is None:
        return None
    if isinstance(until, StoppingRule):
        if tol is not None:
            raise ValueError(f"tol goes inside the stopping rule ({until!r}), not beside it")
        return until
    if isinstance(until, str) and until == "steady":
        return Steady(1e-6 if tol is None else tol)
    raise ValueError(
        f"until must be None, 'steady' or a stopping rule such as Steady(tol), got {until!r}"
    )
