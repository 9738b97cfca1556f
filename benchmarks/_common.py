"""Shared machinery: thread settings, interleaved timing, tables and JSON output."""

from __future__ import annotations

import gc
import json
import math
import os
import platform
import statistics
import subprocess
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def set_thread_env(n: int) -> dict[str, str]:
    """Pin BLAS/OpenMP (and XLA, for the JAX peer) to ``n`` threads.

    Must run before numpy is imported: OpenBLAS reads its variable when it loads. The
    variables are inherited by peer subprocesses, so every contender gets the same count.
    """
    env = {v: str(n) for v in THREAD_VARS}
    if n == 1:  # XLA's CPU backend: no Eigen thread pool, one intra-op thread
        env["XLA_FLAGS"] = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
    os.environ.update(env)
    return env


def set_torch_threads(n: int) -> str:
    """``torch.set_num_threads(n)`` when torch is installed; returns what was done."""
    try:
        import torch
    except ImportError:
        return "torch not installed"
    torch.set_num_threads(n)
    return f"torch.set_num_threads({n}) (now {torch.get_num_threads()})"


@dataclass
class Timing:
    """Wall times of one contender's repetitions (seconds) and what it returned last."""

    times: list[float] = field(default_factory=list)
    result: Any = None
    capped: bool = False

    @property
    def median(self) -> float:
        return statistics.median(self.times) if self.times else math.nan


def time_interleaved(
    contenders: dict[str, Callable[[], Any]], reps: int, slow_s: float = 30.0
) -> dict[str, Timing]:
    """Time each contender ``reps`` times, round-robin, so that machine noise hits all alike.

    A contender whose first repetition takes longer than ``slow_s`` seconds is capped at
    3 repetitions (``Timing.capped``), to keep the whole run within minutes.
    """
    out = {name: Timing() for name in contenders}
    for rep in range(reps):
        for name, fn in contenders.items():
            tm = out[name]
            if tm.capped and rep >= 3:
                continue
            gc.collect()
            start = time.perf_counter()
            tm.result = fn()
            tm.times.append(time.perf_counter() - start)
            if rep == 0 and tm.times[0] > slow_s and reps > 3:
                tm.capped = True
    return out


@dataclass
class BenchResult:
    """One benchmark's rows (dicts) with the columns to print and its metadata."""

    name: str
    title: str
    columns: list[tuple[str, str]]  # (key in row, header)
    rows: list[dict[str, Any]] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def fmt(value: Any) -> str:
    """Format a table cell: floats to 3–4 significant digits, None as a dash."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if math.isnan(value):
            return "–"
        if value == 0:
            return "0"
        if abs(value) < 1e-3 or abs(value) >= 1e5:
            return f"{value:.2e}"
        return f"{value:.4g}"
    return str(value)


def print_table(res: BenchResult) -> None:
    """Print the rows as a rich table (plain text when rich is missing), then the notes."""
    headers = [h for _, h in res.columns]
    cells = [[fmt(row.get(k)) for k, _ in res.columns] for row in res.rows]
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:
        widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headers)]
        print(f"\n{res.title}")
        print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
        for c in cells:
            print("  ".join(x.ljust(w) for x, w in zip(c, widths, strict=True)))
    else:
        table = Table(title=res.title, title_justify="left")
        for i, h in enumerate(headers):
            table.add_column(h, justify="left" if i == 0 or h == "notes" else "right")
        for c in cells:
            table.add_row(*c)
        Console(width=200).print(table)
    for note in res.notes:
        print(f"  · {note}")


def write_json(path: Path, data: Any) -> None:
    """Write JSON atomically: to ``<path>.tmp`` first, then rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=1, default=_json_default) + "\n")
    tmp.replace(path)


def _json_default(x: Any) -> Any:
    if hasattr(x, "tolist"):
        return x.tolist()
    return str(x)


def machine_info() -> dict[str, Any]:
    """What the numbers were measured on: CPU, cores, load, versions, git commit."""
    import numpy as np
    import scipy

    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "src"], capture_output=True, text=True
        ).stdout.strip()
        commit += " (src modified)" if dirty else ""
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    return {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "loadavg": os.getloadavg(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "git": commit,
    }
