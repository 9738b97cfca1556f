"""The visual-search experiment's conditions and settings (see :mod:`.search`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ..dynamics.checks import check_choice, check_integer, check_number
from ..vision._family import SPLITS, family

_MAX_SET_SIZE = 49  # the family's 7 × 7 grid


class Condition(NamedTuple):
    """One search condition: display kind, target present, guided by a task."""

    name: str
    kind: str
    present: bool
    guided: bool = False


CONDITIONS = (
    Condition("colour/present", "colour", True),
    Condition("colour/absent", "colour", False),
    Condition("orientation/present", "orientation", True),
    Condition("orientation/absent", "orientation", False),
    Condition("conjunction/present", "conjunction", True),
    Condition("conjunction/absent", "conjunction", False),
    Condition("larger/present", "larger", True),
    Condition("smaller/present", "smaller", True),
    Condition("conjunction/task", "conjunction", True, guided=True),
)
"""The conditions run, in the order of the result's ``condition`` axis."""


@dataclass(frozen=True)
class SearchConfig:
    """Settings of the visual-search experiment (see :mod:`.search`).

    Attributes
    ----------
    set_sizes : tuple of int
        Items per display, at least two distinct values in 2–49.
    n_displays : int
        Displays per condition and set size.
    split : {"held-out", "tuning"}
        Split of the search family the displays come from.
    start : int
        First display: seeds ``first_seed + start`` onwards.
    closed_loop : bool
        Run stage 4 within the scan (``TopDown(loop=True)``).
    quitting : bool
        The activation threshold chosen for each block (see :mod:`.search`).
    miss_cost : float
        λ: a miss costs as much as checking every item of its display λ times.
    practice : int
        Tuning displays per kind, set size and presence the threshold is chosen on.
    priority_drive : float
        κ of the absolute drive (0: off).
    """

    # the family's set sizes on its 7 × 7 grid (ours; Treisman & Gelade 1980 used 1–30)
    set_sizes: tuple[int, ...] = (9, 25, 49)
    # displays per condition and set size (ours: ~8 s; SE of the conjunction slope
    # ~8 ms/item, of feature slopes < 1)
    n_displays: int = 8
    # held-out displays: colours, bars and seeds the model was never tuned on (issue 9)
    split: str = "held-out"
    # first display of the split (ours); seeds first_seed + start …
    start: int = 0
    # the pipeline's default, open loop; true: the field re-enters encoding between
    # fixations (about twice as slow)
    closed_loop: bool = False
    # Guided Search's activation threshold, chosen for each block on tuning practice
    # displays by trading time against misses (Chun & Wolfe 1996)
    quitting: bool = True
    # a miss costs λ exhaustive scans of its display (ours; on the tuning practice every
    # λ from 2 to 30 chooses the same thresholds)
    miss_cost: float = 3.0
    # tuning displays per kind, set size and presence for the threshold (ours)
    practice: int = 5
    # κ = 1 / p̃, p̃ the median peak priority of tuning singletons (ours; 0: off)
    priority_drive: float = 20.0

    def __post_init__(self) -> None:
        sizes = self.set_sizes
        if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence):
            raise TypeError(f"set_sizes must be a list of integers, got {sizes!r}")
        sizes = tuple(
            check_integer(n, f"set_sizes[{i}]", ge=2, le=_MAX_SET_SIZE) for i, n in enumerate(sizes)
        )
        if len(set(sizes)) < 2:
            raise ValueError(f"set_sizes must hold two distinct sizes or more, got {sizes}")
        object.__setattr__(self, "set_sizes", sizes)
        check_integer(self.n_displays, "n_displays", ge=1, le=200)
        check_choice(self.split, "split", SPLITS)
        check_integer(self.start, "start", ge=0, le=10**6)
        for flag in ("closed_loop", "quitting"):
            if not isinstance(getattr(self, flag), (bool, np.bool_)):
                raise TypeError(f"{flag} must be true or false, got {getattr(self, flag)!r}")
        check_number(self.miss_cost, "miss_cost", ge=0, le=1e6)
        check_integer(self.practice, "practice", ge=1, le=200)
        check_number(self.priority_drive, "priority_drive", ge=0, le=1e4)

    @property
    def seeds(self) -> tuple[int, ...]:
        """The display seeds of every condition and set size."""
        first = family(self.split).first_seed + self.start
        return tuple(range(first, first + self.n_displays))
