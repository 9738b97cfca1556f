"""The bounds of the training settings every application shares, written once.

Every application's config carries the fields of :class:`neuroattn.apps._trainer.Schedule`
(``Schedule.from_config`` reads them by name): warm-up, step budget, time budget, evaluation
interval, patience, seed, threads, AdamW's learning rate and weight decay (Loshchilov &
Hutter 2019), clipping and, where the application offers it, the learning-rate decay. Each
config checks its own fields and then calls :func:`check_schedule_fields`, so a bad
``warmup`` or ``lr`` gets the same message in every application ("<name> must be …, got …",
from :mod:`neuroattn.dynamics.checks`).

The bounds are ours (no paper sets them). They refuse what cannot work and leave the rest
open:

* counts of steps and evaluations (``warmup``, ``max_steps``, ``eval_every``,
  ``patience``) must be positive; there is no upper bound, a huge value is merely
  "never" (``patience = 10**9`` turns early stopping off);
* ``seed`` ≤ 2**63 − 1, the largest TOML integer (``torch.manual_seed`` takes it; an
  application that derives larger seeds from it narrows this in its own table);
* ``threads`` ≤ 1024;
* ``lr`` ∈ (0, 1] and ``weight_decay`` ∈ [0, 1]: AdamW shrinks every weight by the factor
  1 − lr · weight_decay per step, which these bounds keep in [0, 1] (a product above 1
  would flip the weights' signs);
* ``clip`` ≥ 0 and ``max_seconds`` ≥ 0 (0: none), finite;
* ``decay`` one of :data:`DECAYS`, when the config has that field.

:data:`RESUMABLE_FIELDS` are the shared fields a resumed run may change (an application
adds its own to them for ``_configio.check_same_settings``).
"""

from __future__ import annotations

from typing import Any

from ..dynamics.checks import check_choice, check_fields, check_integer

__all__ = [
    "DECAYS",
    "RESUMABLE_FIELDS",
    "SCHEDULE_INTEGERS",
    "SCHEDULE_NUMBERS",
    "check_schedule_fields",
]

DECAYS = ("none", "cosine")  # the learning-rate decays a schedule may name
# the shared fields a resumed run may change: they do not alter the steps taken
RESUMABLE_FIELDS = ("max_steps", "max_seconds", "patience", "eval_every", "threads")

# the shared integer fields and their bounds (keywords of check_integer)
SCHEDULE_INTEGERS: dict[str, dict[str, int]] = {
    "warmup": {"ge": 1},
    "max_steps": {"ge": 1},
    "eval_every": {"ge": 1},
    "patience": {"ge": 1},
    "seed": {"ge": 0, "le": 2**63 - 1},
    "threads": {"ge": 0, "le": 1024},
}
# the shared real fields and their bounds (keywords of check_number, through check_fields)
SCHEDULE_NUMBERS: dict[str, dict[str, float]] = {
    "lr": {"gt": 0.0, "le": 1.0},
    "weight_decay": {"ge": 0.0, "le": 1.0},
    "clip": {"ge": 0.0},
    "max_seconds": {"ge": 0.0},
}


def check_schedule_fields(config: Any) -> None:
    """Check the shared training fields of an application's frozen config in place.

    Every field of :data:`SCHEDULE_INTEGERS` is checked with ``check_integer``, every field
    of :data:`SCHEDULE_NUMBERS` with ``check_number`` (the float written back, as
    ``check_fields`` does), and ``decay`` against :data:`DECAYS` if the config has it.

    Parameters
    ----------
    config : frozen dataclass
        An application's config, called from its ``__post_init__``.

    Raises
    ------
    ValueError
        For a value out of its bounds ("<name> must be …, got …").
    TypeError
        For a ``decay`` that is not a string.
    """
    for name, limits in SCHEDULE_INTEGERS.items():
        check_integer(getattr(config, name), name, **limits)
    check_fields(config, SCHEDULE_NUMBERS.items())
    if hasattr(config, "decay"):
        check_choice(config.decay, "decay", DECAYS)
