"""The observer of the visual-search experiment: one pipeline per condition, with the
activation threshold adapted to its block and the absolute drive (see :mod:`.search`).

The threshold of a block of one display kind is the steady state of Chun & Wolfe's (1996)
adaptive threshold (:func:`neuroattn.vision._quitting.adapted_threshold`): the
``miss_rate`` quantile of the absolute priorities of the targets of ``practice`` displays
of the **tuning** split per set size (seeds from :data:`PRACTICE_START`), scanned
bottom-up. The guided condition has no target-absent trials and no threshold.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from ..vision import Pipeline, TopDown, WinnerTakeAll
from ..vision._family import TUNING
from ..vision._quitting import adapted_threshold, target_priority

PRACTICE_START = 5_000_000
"""Practice displays are tuning seeds ``TUNING.first_seed + PRACTICE_START`` onwards (the
scored displays start at ``start`` ≤ 10⁶ of their split)."""


@lru_cache(maxsize=32)
def adapt_threshold(
    kind: str, set_sizes: tuple[int, ...], practice: int, miss_rate: float, tau_ms: float
) -> float:
    """The activation threshold adapted to a block of ``kind`` (module docstring)."""
    pipeline = Pipeline(compete=WinnerTakeAll(tau_ms=tau_ms))
    priorities: list[float] = []
    for n in set_sizes:
        arrays = TUNING.sample(kind, practice, set_size=n, start=PRACTICE_START)
        results = pipeline.attend([a.image for a in arrays], n_fixations=1)
        priorities += [
            target_priority(a.target_mask, r) for a, r in zip(arrays, results, strict=True)
        ]
    return adapted_threshold(priorities, miss_rate=miss_rate)


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
                float(config.miss_rate),
                tau_ms,
            )
        compete = WinnerTakeAll(
            tau_ms=tau_ms,
            priority_drive=config.priority_drive,
            quit_threshold=float(thresholds[c]),
        )
        pipelines.append(Pipeline(compete=compete, feedback=TopDown(loop=config.closed_loop)))
    return pipelines, thresholds
