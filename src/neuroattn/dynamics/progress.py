"""Progress reporting as small objects (diffrax's ``progress_meter`` habit).

A long computation takes a :class:`ProgressMeter` and reports to it; it never imports a
terminal library itself. :class:`RichProgress` draws a bar with ``rich`` (imported when the
bar starts), :class:`CallbackProgress` calls a function with the fraction done, and
:class:`NoProgress` does nothing. :func:`as_progress` turns the usual user arguments
(``False``, ``True``, a callable, a meter) into a meter.

Examples
--------
>>> seen = []
>>> meter = as_progress(seen.append)
>>> with meter.running("simulating", total=4) as advance:
...     advance(2)
>>> seen
[0.5, 1.0]
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = [
    "CallbackProgress",
    "NoProgress",
    "ProgressArg",
    "ProgressMeter",
    "RichProgress",
    "as_progress",
]


class ProgressMeter:
    """What a computation reports to: :meth:`start`, then :meth:`update` with the amount
    completed (of ``total``), then :meth:`close`; :meth:`running` wraps the three.

    Subclass it and override ``update`` (and ``start``/``close`` if needed) for a meter of
    your own.
    """

    total: float = 1.0

    def start(self, description: str, total: float) -> None:
        """Begin a task of size ``total`` (non-positive totals count as 1)."""
        self.total = float(total) if total > 0 else 1.0

    def update(self, completed: float) -> None:
        """``completed`` of ``total`` is done."""

    def close(self) -> None:
        """The task ended (done, failed or interrupted)."""

    @contextmanager
    def running(self, description: str, total: float = 1.0) -> Iterator[Callable[..., None]]:
        """Start, yield ``advance(by=1)``, and close (also on error); ends at ``total``."""
        done = [0.0]

        def advance(by: float = 1.0) -> None:
            done[0] += by
            self.update(done[0])

        self.start(description, total)
        try:
            yield advance
            if done[0] < self.total:
                self.update(self.total)
        finally:
            self.close()


class NoProgress(ProgressMeter):
    """Report nothing."""


class CallbackProgress(ProgressMeter):
    """Call ``fn(fraction_done)`` at each update (fraction in [0, 1])."""

    def __init__(self, fn: Callable[[float], Any]) -> None:
        self.fn = fn

    def update(self, completed: float) -> None:
        self.fn(min(1.0, completed / self.total))


class RichProgress(ProgressMeter):
    """A transient ``rich`` progress bar on the terminal (rich is imported at start)."""

    def __init__(self) -> None:
        self._bar: Any = None
        self._task: Any = None

    def start(self, description: str, total: float) -> None:
        from rich.progress import Progress

        super().start(description, total)
        self._bar = Progress(transient=True)
        self._task = self._bar.add_task(description, total=self.total)
        self._bar.start()

    def update(self, completed: float) -> None:
        if self._bar is not None:
            self._bar.update(self._task, completed=completed)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


ProgressArg = bool | Callable[[float], Any] | ProgressMeter | None


def as_progress(progress: ProgressArg) -> ProgressMeter:
    """A meter for the usual arguments: ``False``/``None`` → :class:`NoProgress`, ``True`` →
    :class:`RichProgress`, a meter → itself, a callable → :class:`CallbackProgress`."""
    if progress is None or progress is False:
        return NoProgress()
    if progress is True:
        return RichProgress()
    if isinstance(progress, ProgressMeter):
        return progress
    if callable(progress):
        return CallbackProgress(progress)
    raise TypeError(
        f"progress must be a bool, a callable or a ProgressMeter, got {type(progress).__name__}"
    )
