"""The record every experiment returns: findings held against published data, and the data.

An experiment is a function ``run(config) -> result`` where ``config`` is a frozen
dataclass of its settings (commented defaults, checked in ``__post_init__``) and ``result``
a subclass of :class:`ExperimentResult` that adds its own fields and draws its own figure.
A :class:`Finding` is one row of the validation table: what was measured, what the model
gives, what was published (a value or a direction) and whether they agree.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

__all__ = ["ExperimentResult", "Finding", "Variable"]


@dataclass(frozen=True)
class Finding:
    """One measure of an experiment against what was published.

    Attributes
    ----------
    measure : str
        What is measured, e.g. ``"validity effect at SOA 100 ms"``.
    model : float
        The model's value (NaN when it has none, e.g. a run that found no winner).
    published : str
        The published value or direction, e.g. ``"> 0 (facilitation)"``, ``"≈ 2"``.
    agrees : bool
        Whether the model's value matches the published one as stated.
    reference : str
        Short citation, e.g. ``"Posner & Cohen 1984"``.
    unit : str
        Unit of ``model`` (``"ms"``, ``"ms/item"``, ``""``).
    """

    measure: str
    model: float
    published: str
    agrees: bool
    reference: str
    unit: str = ""

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly (NaN becomes None)."""
        out = dataclasses.asdict(self)
        out["model"] = None if not math.isfinite(self.model) else float(self.model)
        out["agrees"] = bool(self.agrees)
        return out


@dataclass(frozen=True)
class Variable:
    """A labelled array of an experiment's data (becomes an xarray variable).

    Attributes
    ----------
    dims : tuple of str
        Names of the axes, e.g. ``("cue", "soa")``.
    values : ndarray
        The data, one axis per dim.
    attrs : mapping
        Units and notes.
    """

    dims: tuple[str, ...]
    values: np.ndarray
    attrs: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        values = np.asarray(self.values)
        if values.ndim != len(self.dims):
            raise ValueError(f"variable: {values.ndim}-D values for dims {self.dims}")
        values.setflags(write=False)
        object.__setattr__(self, "values", values)


@dataclass(frozen=True)
class ExperimentResult:
    """Base of every experiment's result (immutable).

    Attributes
    ----------
    name : str
        The experiment's registry name.
    findings : tuple of Finding
        The rows of the validation table.
    variables : mapping of str to Variable
        The data, labelled.
    coords : mapping of str to ndarray
        Coordinates of the dims (SOAs in ms, set sizes, contrasts …).
    config : Any
        The configuration it ran with.
    seconds : float
        Wall time of the run.
    """

    name: str
    findings: tuple[Finding, ...]
    variables: Mapping[str, Variable]
    coords: Mapping[str, np.ndarray]
    config: Any
    seconds: float = 0.0

    @property
    def agrees(self) -> bool:
        """True when every finding agrees with what was published."""
        return all(f.agrees for f in self.findings)

    def table(self) -> str:
        """The findings as a plain-text table."""
        rows = [("measure", "model", "published", "agrees", "reference")]
        for f in self.findings:
            value = "–" if not math.isfinite(f.model) else f"{f.model:.4g}"
            rows.append(
                (
                    f.measure,
                    f"{value} {f.unit}".strip(),
                    f.published,
                    "yes" if f.agrees else "NO",
                    f.reference,
                )
            )
        widths = [max(len(r[k]) for r in rows) for k in range(5)]
        return "\n".join(
            "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly summary: name, findings, seconds and the config's fields."""
        cfg = self.config
        is_instance = dataclasses.is_dataclass(cfg) and not isinstance(cfg, type)
        config = dataclasses.asdict(cfg) if is_instance else {}
        return {
            "name": self.name,
            "agrees": self.agrees,
            "seconds": self.seconds,
            "findings": [f.as_dict() for f in self.findings],
            "config": config,
        }

    def to_xarray(self) -> Any:
        """The data as an ``xarray.Dataset`` (needs the ``xarray`` extra)."""
        try:
            import xarray as xr
        except ImportError:  # pragma: no cover - xarray is in the dev install
            raise ImportError("to_xarray needs xarray: pip install 'neuroattn[xarray]'") from None
        data = {k: (v.dims, v.values, dict(v.attrs)) for k, v in self.variables.items()}
        return xr.Dataset(
            data,
            coords={k: np.asarray(v) for k, v in self.coords.items()},
            attrs={"experiment": self.name, "agrees": int(self.agrees)},
        )

    def plot(self) -> Any:  # pragma: no cover - every experiment overrides it
        """The experiment's figure (a matplotlib Figure)."""
        raise NotImplementedError(f"{self.name}: no figure")
