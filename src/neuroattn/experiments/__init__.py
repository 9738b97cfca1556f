"""Experiments held against published data (design brief §4 and §6).

Each experiment is registered by name and returns an immutable
:class:`ExperimentResult`: its findings (model value beside the published value or
direction, and whether they agree), its labelled data (``to_xarray()``) and its figure
(``plot()``). ``neuroattn experiment NAME`` runs one; ``neuroattn validate`` runs them all.

The one scale from model time to milliseconds, for every experiment, is
:data:`TAU_MS` (the competition stage's τ).
"""

from ._base import ExperimentResult, Finding, Variable
from ._registry import Experiment, available, get, register, run
from ._timescale import TAU_MS

# isort: split
from . import _catalog  # noqa: F401  (every experiment registers itself; keep it last)

__all__ = [
    "TAU_MS",
    "Experiment",
    "ExperimentResult",
    "Finding",
    "Variable",
    "available",
    "get",
    "register",
    "run",
]
