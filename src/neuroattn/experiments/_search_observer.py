"""The observer of the visual-search experiment: one pipeline per condition, with the
activation threshold chosen for its block and the absolute drive (see :mod:`.search`).

The threshold of a block of one display kind is the one of least expected cost over a
practice block (:func:`neuroattn.vision._quitting.costed_threshold`: items checked, plus
``miss_cost`` × the set size per miss): ``practice`` target-present and as many
target-absent displays of the **tuning** split per set size (seeds from
:data:`PRACTICE_START`, other seeds for each set size, the absent displays the present
ones without their target), scanned
bottom-up, each item's absolute priority read from one look
(:func:`~neuroattn.vision._quitting.item_priorities`). The guided condition has no
target-absent trials and no threshold.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from ..vision import Pipeline, TopDown, WinnerTakeAll
from ..vision._family import TUNING
from ..vision._quitting import costed_threshold, item_priorities

PRACTICE_START = 5_000_000
"""Practice displays are tuning seeds ``TUNING.first_seed + PRACTICE_START`` onwards (the
scored displays start at ``start`` ≤ 10⁶ of their split)."""


def practice_priorities(
    kind: str, set_sizes: tuple[int, ...], practice: int, tau_ms: float
) -> tuple[list[tuple[np.ndarray, int]], list[np.ndarray]]:
    """The items' priorities of the practice displays of ``kind``: per target-present
    display (priorities, target index), per target-absent display its priorities."""
    pipeline = Pipeline(compete=WinnerTakeAll(tau_ms=tau_ms))
    arrays = [
        a
        for s, n in enumerate(set_sizes)
        for target in (True, False)
        for a in TUNING.sample(
            kind, practice, set_size=n, target=target, start=PRACTICE_START + s * practice
        )
    ]
    results = pipeline.attend([a.image for a in arrays], n_fixations=1)
    present: list[tuple[np.ndarray, int]] = []
    absent: list[np.ndarray] = []
    for a, r in zip(arrays, results, strict=True):
        p = item_priorities(a.labels, r)
        if a.target_index is None:
            absent.append(p)
        else:
            present.append((p, a.target_index))
    return present, absent


@lru_cache(maxsize=32)
def adapt_threshold(
    kind: str, set_sizes: tuple[int, ...], practice: int, miss_cost: float, tau_ms: float
) -> float:
    """The activation threshold of a block of ``kind`` (module docstring)."""
    present, absent = practice_priorities(kind, set_sizes, practice, tau_ms)
    return costed_threshold(present, absent, miss_cost=miss_cost)


def observers(
    config: Any, conditions: Sequence[Any], tau_ms: float
) -> tuple[list[Pipeline], np.ndarray]:
    """One pipeline per condition of ``conditions`` (``kind`` and ``guided`` are read) and
    the threshold of each (0: none), from the search ``config``."""
    thresholds = np.zeros(len(conditions))
    pipelines = []
    for c, cond in enumerate(conditions):
        if config.quitting and not cond.guided:
            thresholds[c] = adapt_threshold(
                cond.kind,
                tuple(config.set_sizes),
                config.practice,
                float(config.miss_cost),
                tau_ms,
            )
        compete = WinnerTakeAll(
            tau_ms=tau_ms,
            priority_drive=config.priority_drive,
            quit_threshold=float(thresholds[c]),
        )
        pipelines.append(Pipeline(compete=compete, feedback=TopDown(loop=config.closed_loop)))
    return pipelines, thresholds
