"""Experiments by name: one constructor rule (``run(config) -> ExperimentResult``).

Each experiment module registers itself with :func:`register` (its name, its run function
and its config class); :func:`get` and :func:`run` look names up, and an unknown name is a
ValueError listing the valid ones.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ._base import ExperimentResult

__all__ = ["Experiment", "available", "get", "register", "run"]


@dataclass(frozen=True)
class Experiment:
    """A registered experiment.

    Attributes
    ----------
    name : str
    run : callable
        ``run(config) -> ExperimentResult``.
    config : type
        Its frozen config dataclass (all fields have defaults).
    summary : str
        One line for ``neuroattn experiment --list``.
    quick : mapping
        Config overrides for a fast run (tests, ``make demo``'s summary).
    """

    name: str
    run: Callable[[Any], ExperimentResult]
    config: type
    summary: str
    quick: Mapping[str, Any]


_REGISTRY: dict[str, Experiment] = {}


def register(
    name: str,
    config: type,
    summary: str,
    *,
    quick: Mapping[str, Any] | None = None,
) -> Callable[[Callable[[Any], ExperimentResult]], Callable[[Any], ExperimentResult]]:
    """Decorator: ``@register("posner", PosnerConfig, "…")`` over ``def run(config)``."""

    def deco(fn: Callable[[Any], ExperimentResult]) -> Callable[[Any], ExperimentResult]:
        if name in _REGISTRY:
            raise ValueError(f"experiment {name!r} is registered twice")
        _REGISTRY[name] = Experiment(name, fn, config, summary, dict(quick or {}))
        return fn

    return deco


def available() -> list[str]:
    """The registered names, sorted."""
    return sorted(_REGISTRY)


def get(name: str) -> Experiment:
    """The experiment called ``name``; a ValueError listing the valid names otherwise."""
    if not isinstance(name, str) or name not in _REGISTRY:
        raise ValueError(f"unknown experiment {name!r}; use one of: {', '.join(available())}")
    return _REGISTRY[name]


def run(
    name: str, config: Any = None, *, quick: bool = False, **overrides: Any
) -> ExperimentResult:
    """Run experiment ``name`` with ``config`` (default: its defaults, or its quick settings
    with ``quick=True``) and any field ``overrides``; the result carries its wall time."""
    exp = get(name)
    if config is None:
        config = exp.config(**(dict(exp.quick) if quick else {}))
    elif not isinstance(config, exp.config):
        raise TypeError(
            f"{name}: config must be a {exp.config.__name__}, got {type(config).__name__}"
        )
    if overrides:
        try:
            config = dataclasses.replace(config, **overrides)
        except TypeError as exc:
            raise TypeError(f"{name}: {exc}") from None
    start = time.perf_counter()
    result = exp.run(config)
    return dataclasses.replace(result, seconds=time.perf_counter() - start)
