"""``neuroattn experiment`` and ``neuroattn validate``: the command-line side of the
experiments.

``cli.py`` declares the commands; this module does what is particular to them and hands
back plain text and summaries to print: the list of experiments, an experiment's commented
TOML config, one experiment run from a config file into a folder (``table.txt``,
``results.json``, ``<name>.png``), and the validation of all of them into a folder with its
report and the regression gate. Figures are drawn with matplotlib's Agg backend.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..dynamics.progress import ProgressArg
from ._configio import example_toml, load_toml
from ._registry import available, get
from ._registry import run as run_experiment

REGRESSION_EXIT = 3
"""Exit code of ``neuroattn validate`` when a finding regressed or an experiment failed."""


def _agg() -> None:
    import matplotlib

    matplotlib.use("Agg")


def listing() -> str:
    """One line per experiment: its name and summary."""
    names = available()
    if not names:
        return "no experiments registered\n"
    width = max(len(n) for n in names)
    return "".join(f"{n.ljust(width)}  {get(n).summary}\n" for n in names)


def example(name: str) -> str:
    """Experiment ``name``'s commented TOML config (a ValueError for an unknown name)."""
    return example_toml(name)


def run_one(name: str, config: Path | None, out: Path, *, quick: bool = False) -> dict[str, Any]:
    """Run experiment ``name`` with the config file ``config`` (default: its defaults, or
    its quick settings) and write its files into ``out``; return the result and files."""
    from ._report import write_experiment

    exp = get(name)
    cfg = load_toml(name, config) if config is not None else None
    if cfg is not None and quick:
        raise ValueError("give either a config file or --quick, not both")
    _agg()
    result = run_experiment(exp.name, cfg, quick=quick)
    files = write_experiment(result, out)
    return {"result": result, "files": files}


def run_validate(
    out: Path,
    *,
    only: Sequence[str] = (),
    quick: bool = False,
    baseline: Path | None = None,
    accept: bool = False,
    progress: ProgressArg = None,
) -> dict[str, Any]:
    """Validate (all experiments, or ``only`` these) into ``out``; return the validation,
    the lines to print and the exit code (0, or :data:`REGRESSION_EXIT`)."""
    from ._validate import validate_into

    for name in only:
        get(name)
    if not only and not available():
        raise ValueError("no experiments registered")
    _agg()
    validation = validate_into(
        out, only or None, quick=quick, baseline=baseline, accept=accept, progress=progress
    )
    return {
        "validation": validation,
        "table": validation.table(),
        "lines": validation.summary_lines(),
        "report": out / "report.html",
        "code": 0 if validation.ok else REGRESSION_EXIT,
    }
