"""Bounds on the work and memory one argument can ask for.

A mistyped size or step (``n = 1000000000``, ``dt = 1e-12``, ``t_end = 1e300``) must give a
one-line error up front, not hours of computing or a machine out of memory. Two kinds of
bound:

* :data:`LIMITS`, the sizes of the objects a call builds (units of one network, entries of
  one dense matrix, iterations of a solver loop): module-wide, raised by assigning to them
  (``neuroattn.dynamics.LIMITS.max_units = 2**26``);
* the arguments ``max_steps``, ``max_work`` and ``max_memory`` of :func:`simulate`, checked
  against an estimate made before anything is allocated (:func:`check_budget`).

Every refusal is a :class:`LimitError` (a ``ValueError``) saying what was asked, the limit
and how to raise it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["LIMITS", "LimitError", "Limits"]


@dataclass
class Limits:
    """Bounds on the size of what one call builds (assign to raise one).

    Attributes
    ----------
    max_units : int
        Units of one network's state: ``n_units``, a neural field's grid (default 2**24,
        a 4096 × 4096 field).
    max_weights : int
        Entries of one dense matrix the library builds: the connectivity builders
        (``n**2``), a neural field's direct (dense) kernel, Newton's Jacobians in
        :func:`steady_state` (default 2**28: 2 GiB of float64, a 16384-neuron ``W``).
    max_iterations : int
        Iterations of :func:`steady_state` (``max_iter``) and of the torch fitter
        (``fit(steps=…)``) (default 10**6).
    """

    max_units: int = 2**24
    max_weights: int = 2**28
    max_iterations: int = 10**6


LIMITS = Limits()
"""The module-wide bounds; ``neuroattn.dynamics.LIMITS.max_units = …`` raises one."""


class LimitError(ValueError):
    """A call would exceed a bound on its work or memory.

    Attributes
    ----------
    what : str
        What was asked, in words (``"t_span 1e+06 long in steps of dt = 0.05"``).
    needed : float
        The estimate (steps, operations, bytes, units).
    limit : str
        The name of the bound (``"max_steps"``, ``"LIMITS.max_units"``…).
    allowed : float
        Its value.
    """

    def __init__(self, what: str, needed: float, limit: str, allowed: float, unit: str) -> None:
        self.what, self.needed, self.limit, self.allowed, self.unit = (
            what,
            needed,
            limit,
            allowed,
            unit,
        )
        super().__init__(
            f"{what} needs {needed:.3g} {unit}, more than {limit} = {allowed:.3g}; "
            f"raise {_how(limit)} if this is intended"
        )


def _how(limit: str) -> str:
    """How to raise a bound: an argument, or an attribute of the module's LIMITS."""
    if limit.startswith("LIMITS."):
        return f"neuroattn.dynamics.{limit}"
    return f"{limit}="


def within(needed: float, allowed: float, what: str, limit: str, unit: str) -> None:
    """LimitError when ``needed`` exceeds ``allowed`` (an infinite or NaN estimate too)."""
    if not needed <= allowed:
        raise LimitError(what, needed, limit, allowed, unit)


def check_units(n: Any, what: str) -> None:
    """LimitError when a network of ``n`` units exceeds ``LIMITS.max_units``."""
    within(float(n), LIMITS.max_units, what, "LIMITS.max_units", "units")


def check_dense(n: Any, what: str) -> None:
    """LimitError when a dense ``n × n`` matrix exceeds ``LIMITS.max_weights`` entries."""
    within(float(n) ** 2, LIMITS.max_weights, what, "LIMITS.max_weights", "matrix entries")


def check_iterations(n: Any, name: str) -> None:
    """LimitError when an iteration count exceeds ``LIMITS.max_iterations``."""
    within(float(n), LIMITS.max_iterations, name, "LIMITS.max_iterations", "iterations")


@dataclass(frozen=True)
class Budget:
    """What a :func:`simulate` call may use: steps, operations and bytes.

    Parameters
    ----------
    max_steps : int
        Solver steps (fixed-step: refused up front; adaptive: the run stops there).
    max_work : float
        Operations: steps × right-hand-side evaluations per step × batch × the model's
        cost of one evaluation (:meth:`Model.eval_cost`, about n for a local model, n² for
        a dense weight matrix).
    max_memory : float
        Bytes of the saved states and the working arrays (see :func:`check_budget`).
    """

    max_steps: int
    max_work: float
    max_memory: float


def check_budget(
    budget: Budget,
    *,
    n_steps: int | None,
    stages: int,
    members: int,
    eval_cost: float,
    state_size: int,
    n_saves: float,
    itemsize: int,
) -> int:
    """Check a run against its budget before anything is allocated; return the step cap.

    Memory is ``itemsize × members × state_size × (3 n_saves + stages + 3)``: the saved
    states are held as a list, stacked, and their rates computed (three copies), beside
    the state, the stages and two temporaries. A fixed-step run (``n_steps`` given) must
    fit ``max_steps`` and ``max_work``; an adaptive one gets the number of steps its work
    allows, at most ``max_steps``.
    """
    per_step = float(stages) * members * max(float(eval_cost), 1.0)
    memory = float(itemsize) * members * state_size * (3.0 * n_saves + stages + 3)
    within(memory, budget.max_memory, f"{n_saves:.3g} saved states of {members} × "
           f"{state_size} units", "max_memory", "bytes")  # fmt: skip
    if n_steps is not None:
        what = f"{n_steps:.3g} steps"
        within(n_steps, budget.max_steps, what, "max_steps", "steps")
        within(n_steps * per_step, budget.max_work, f"{what} of {members} network(s)",
               "max_work", "operations")  # fmt: skip
        return n_steps
    return int(min(budget.max_steps, max(1.0, budget.max_work // per_step)))
