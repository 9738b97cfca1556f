"""Toy experiments for the report, gate and command-line tests (the real ones are slower and
land one by one): the fixture ``only_toys`` puts them, and nothing else, in the registry
while a test runs."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator

import numpy as np
import pytest

from neuroattn.dynamics.checks import check_integer, check_number
from neuroattn.experiments import ExperimentResult, Finding, Variable, _registry

STATE = {"agree": True, "fail": False}
"""Switches of ``toy-gate``: whether its second finding agrees, whether it raises."""


@dataclasses.dataclass(frozen=True)
class Inner:
    """A nested table of settings."""

    width: float = 3.0  # stimulus width (Reynolds & Heeger 2009, Fig. 2A)


@dataclasses.dataclass(frozen=True)
class ToyConfig:
    """Settings of the toy.

    Attributes
    ----------
    gain : float
        Slope of RT against set size, from the docstring.
    """

    # how many set sizes
    n: int = 4  # ours
    gain: float = 2.0
    soas_ms: tuple[float, ...] = (50.0, 100.0, 1000.0)  # Posner & Cohen 1984
    label: str = 'a "quoted" <b>label</b>'
    cutoff: float | None = None  # optional
    inner: Inner = Inner()

    def __post_init__(self) -> None:
        check_integer(self.n, "n", ge=2, le=1000)
        check_number(self.gain, "gain", ge=-100, le=100)
        if not isinstance(self.soas_ms, tuple):
            raise TypeError(f"soas_ms must be a tuple of numbers, got {self.soas_ms!r}")
        for s in self.soas_ms:
            check_number(s, "soas_ms", gt=0)
        if not isinstance(self.label, str):
            raise TypeError(f"label must be a string, got {self.label!r}")
        if self.cutoff is not None:
            check_number(self.cutoff, "cutoff")
        if not isinstance(self.inner, Inner):
            raise TypeError(f"inner must be a table, got {self.inner!r}")
        check_number(self.inner.width, "inner.width", gt=0)


@dataclasses.dataclass(frozen=True)
class ToyResult(ExperimentResult):
    """The toy's result: RT against set size."""

    def plot(self):  # type: ignore[no-untyped-def]
        from matplotlib.figure import Figure

        fig = Figure(figsize=(4, 3), layout="constrained")
        ax = fig.add_subplot()
        ax.plot(self.coords["set_size"], self.variables["rt"].values, "o-", label="model")
        ax.axhline(1.0, color="k", ls="--", label="published")
        ax.set_xlabel("set size")
        ax.set_ylabel("RT (ms)")
        ax.legend()
        return fig


def _result(name: str, config: ToyConfig, second_agrees: bool) -> ToyResult:
    x = np.arange(config.n, dtype=float)
    findings = (
        Finding("slope <b>bold</b> & co", np.float64(config.gain), "> 0",
                np.bool_(config.gain > 0), "Nobody 2026", "ms/item"),  # numpy, as models give
        Finding("ratio", 1.9 if second_agrees else 0.5, "≈ 2", second_agrees, "Wolfe 1998"),
        Finding("no value", math.nan, "≈ 1", False, "Somebody 2020"),
    )  # fmt: skip
    return ToyResult(name, findings, {"rt": Variable(("set_size",), config.gain * x)},
                     {"set_size": x}, config)  # fmt: skip


def _toy_a(config: ToyConfig) -> ToyResult:
    return _result("toy-a", config, True)


def _toy_gate(config: ToyConfig) -> ToyResult:
    if STATE["fail"]:
        raise RuntimeError("the toy broke")
    return _result("toy-gate", config, STATE["agree"])


def _toy_broken(config: ToyConfig) -> ToyResult:
    raise ZeroDivisionError("always")


TOYS = {
    "toy-a": _registry.Experiment("toy-a", _toy_a, ToyConfig, "a toy <experiment>", {"n": 2}),
    "toy-gate": _registry.Experiment(
        "toy-gate", _toy_gate, ToyConfig, "a toy whose finding can regress", {"n": 3}
    ),
    "toy-broken": _registry.Experiment(
        "toy-broken", _toy_broken, ToyConfig, "a toy that raises", {}
    ),
}


@pytest.fixture
def only_toys(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """While the test runs, the registry holds the toys and nothing else (they are never
    registered for the other tests)."""
    monkeypatch.setattr(_registry, "_REGISTRY", dict(TOYS))
    STATE.update(agree=True, fail=False)
    yield
    STATE.update(agree=True, fail=False)
