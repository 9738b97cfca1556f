"""Run every experiment, and hold the findings against the last run that passed: a gate.

:func:`validate` runs the registered experiments (their defaults, or their quick settings)
one after the other and keeps, for each, its result, its figure as PNG, its wall time, or
the error it raised. :func:`regressions` compares the findings with a baseline (which
findings agreed before): a finding that agreed and now does not, or is no longer reported,
is a regression. :func:`validate_into` does both and writes the report (:mod:`._report`)
into a folder, where ``baseline.json`` (``baseline-quick.json`` for quick runs) keeps the
findings of the last run without regressions; a run with regressions leaves it alone, so
the gate keeps failing until the finding is fixed or the new state is accepted.
"""

from __future__ import annotations

import dataclasses
import json
import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..dynamics.progress import ProgressArg, as_progress
from ._base import ExperimentResult
from ._registry import available, get
from ._registry import run as run_experiment
from ._report import figure_png, write_report

__all__ = ["Outcome", "Regression", "Validation", "regressions", "validate", "validate_into"]


@dataclass(frozen=True)
class Outcome:
    """One experiment's run in a validation.

    Attributes
    ----------
    name : str
        The experiment.
    result : ExperimentResult or None
        Its result (None when it raised).
    error : str or None
        ``"<Exception>: <message>"`` when the run or its figure failed.
    seconds : float
        Wall time of the run (the figure not included).
    figure : bytes or None
        The figure as PNG.
    """

    name: str
    result: ExperimentResult | None
    error: str | None
    seconds: float
    figure: bytes | None = None


@dataclass(frozen=True)
class Regression:
    """A finding that agreed with the published data in the baseline and no longer does."""

    experiment: str
    measure: str
    now: str  # "disagrees", "not reported" or "experiment failed"

    def __str__(self) -> str:
        return f"{self.experiment}: {self.measure} — {self.now} (agreed before)"


@dataclass(frozen=True)
class Validation:
    """The outcome of running experiments: per experiment, and the regressions found.

    Attributes
    ----------
    outcomes : tuple of Outcome
    quick : bool
        Whether the experiments ran with their quick settings.
    seconds : float
        Wall time of the whole run.
    regressions : tuple of Regression
        Findings that agreed in the baseline and no longer do (empty without one).
    baseline : str or None
        Where the baseline came from.
    """

    outcomes: tuple[Outcome, ...]
    quick: bool
    seconds: float
    regressions: tuple[Regression, ...] = ()
    baseline: str | None = None

    @property
    def errors(self) -> dict[str, str]:
        """The experiments that failed, with their error."""
        return {o.name: o.error for o in self.outcomes if o.error}

    @property
    def ok(self) -> bool:
        """No regression and no failure: what the gate asks."""
        return not self.regressions and not self.errors

    def counts(self) -> tuple[int, int]:
        """(findings that agree, findings)."""
        found = [f for o in self.outcomes if o.result for f in o.result.findings]
        return sum(bool(f.agrees) for f in found), len(found)

    def summary_lines(self) -> list[str]:
        """A few lines for a terminal: counts, time, failures and regressions."""
        agree, total = self.counts()
        mode = "quick settings" if self.quick else "default settings"
        lines = [
            f"{agree} of {total} findings agree with the published data "
            f"({len(self.outcomes)} experiment{'s' * (len(self.outcomes) != 1)}, {mode}, "
            f"{self.seconds:.1f} s)"
        ]
        lines += [f"failed: {name}: {err}" for name, err in self.errors.items()]
        lines += [f"regression: {r}" for r in self.regressions]
        return lines

    def table(self) -> str:
        """Every finding on one line: experiment, measure, model, published, agrees."""
        rows = [("experiment", "measure", "model", "published", "agrees")]
        for o in self.outcomes:
            if o.result is None:
                rows.append((o.name, "(failed)", "–", "–", "NO"))
                continue
            for f in o.result.findings:
                value = f"{f.model:.4g} {f.unit}".strip() if math.isfinite(f.model) else "–"
                rows.append((o.name, f.measure, value, f.published, "yes" if f.agrees else "NO"))
        widths = [max(len(r[k]) for r in rows) for k in range(5)]
        return "\n".join(
            "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows
        )

    def agreement(self) -> dict[str, dict[str, bool]]:
        """{experiment: {measure: agrees}} of the experiments that ran."""
        return {
            o.name: {f.measure: bool(f.agrees) for f in o.result.findings}
            for o in self.outcomes
            if o.result is not None
        }


def _run_one(name: str, quick: bool) -> Outcome:
    start = time.perf_counter()
    try:
        result = run_experiment(name, quick=quick)
    except Exception as exc:  # an experiment's bug is reported, the others still run
        return Outcome(name, None, f"{type(exc).__name__}: {exc}", time.perf_counter() - start)
    try:
        png = figure_png(result)
    except Exception as exc:
        return Outcome(name, result, f"figure: {type(exc).__name__}: {exc}", result.seconds)
    return Outcome(name, result, None, result.seconds, png)


def validate(
    names: Sequence[str] | None = None, *, quick: bool = False, progress: ProgressArg = None
) -> Validation:
    """Run the experiments ``names`` (default: all registered), each with its default
    config (or its quick settings), and render their figures.

    An experiment that raises does not stop the others: its outcome carries the error.
    Unknown names are a ValueError listing the valid ones (before anything runs).
    """
    names = available() if names is None else list(dict.fromkeys(names))
    for name in names:
        get(name)
    meter = as_progress(progress)
    start = time.perf_counter()
    outcomes = []
    with meter.running("running experiments", total=len(names)) as advance:
        for name in names:
            outcomes.append(_run_one(name, quick))
            advance()
    return Validation(tuple(outcomes), bool(quick), time.perf_counter() - start)


def regressions(
    validation: Validation, baseline: Mapping[str, Mapping[str, bool]]
) -> tuple[Regression, ...]:
    """Findings that agreed in ``baseline`` ({experiment: {measure: agrees}}) and no longer
    do in ``validation``; only the experiments that this validation ran are compared."""
    found = []
    for o in validation.outcomes:
        before = baseline.get(o.name, {})
        now = {f.measure: f.agrees for f in o.result.findings} if o.result else {}
        for measure, agreed in before.items():
            if not agreed:
                continue
            if o.result is None:
                found.append(Regression(o.name, measure, "experiment failed"))
            elif measure not in now:
                found.append(Regression(o.name, measure, "not reported"))
            elif not now[measure]:
                found.append(Regression(o.name, measure, "disagrees"))
    return tuple(found)


def baseline_name(quick: bool) -> str:
    """The baseline's file name in an output folder."""
    return "baseline-quick.json" if quick else "baseline.json"


def read_baseline(path: str | Path) -> dict[str, dict[str, bool]]:
    """{experiment: {measure: agrees}} from a baseline file, or a ``results.json`` of
    ``neuroattn validate``; a ValueError names a file that is neither."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: not a JSON baseline ({exc})") from None
    if isinstance(data, dict) and isinstance(data.get("experiments"), list):  # results.json
        data = {
            e["name"]: {f["measure"]: f["agrees"] for f in e.get("findings", [])}
            for e in data["experiments"]
            if isinstance(e, dict) and "name" in e
        }
    elif isinstance(data, dict):
        data = data.get("findings")
    ok = isinstance(data, dict) and all(
        isinstance(v, dict) and all(isinstance(a, bool) for a in v.values()) for v in data.values()
    )
    if not ok:
        raise ValueError(f"{path}: not a baseline ({{experiment: {{measure: agrees}}}})")
    return data


def _baseline_json(
    validation: Validation, previous: Mapping[str, Mapping[str, bool]] | None
) -> str:
    findings = {k: dict(v) for k, v in (previous or {}).items()}
    findings.update(validation.agreement())
    return json.dumps({"quick": validation.quick, "findings": findings}, indent=2) + "\n"


def validate_into(
    out: str | Path,
    names: Iterable[str] | None = None,
    *,
    quick: bool = False,
    baseline: str | Path | None = None,
    accept: bool = False,
    progress: ProgressArg = None,
) -> Validation:
    """Run the experiments, compare with the baseline and write the report into ``out``.

    Parameters
    ----------
    out : path
        Output folder: ``report.html``, ``results.json``, ``<experiment>.png`` and the
        baseline (written all at once, when complete).
    names : iterable of str, optional
        The experiments to run (default: all).
    quick : bool
        Their quick settings (a separate baseline, ``baseline-quick.json``).
    baseline : path, optional
        Compare with this file (a baseline or a ``results.json``) instead of ``out``'s own.
    accept : bool
        Make this run the new baseline even when findings regressed.

    Returns
    -------
    Validation
        With its ``regressions``; ``ok`` is False when a finding regressed or an
        experiment failed.
    """
    out = Path(out)
    own = out / baseline_name(quick)
    source = Path(baseline) if baseline is not None else own
    previous = read_baseline(source) if source.exists() else None
    if baseline is not None and previous is None:
        raise ValueError(f"baseline: {source} does not exist")
    validation = validate(None if names is None else list(names), quick=quick, progress=progress)
    found = regressions(validation, previous or {})
    validation = dataclasses.replace(
        validation, regressions=found, baseline=str(source) if previous is not None else None
    )
    extra: dict[str, str] = {}
    if accept or not found:
        kept = read_baseline(own) if own.exists() else None
        extra[own.name] = _baseline_json(validation, kept)
    write_report(validation, out, extra_files=extra)
    return validation
