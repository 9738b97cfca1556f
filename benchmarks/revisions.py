"""Before and after: the same benchmarks on two revisions of neuroattn, side by side.

``python -m benchmarks.revisions BASE [--new REV] [--only D1,D2,N,V] [--rounds 3] [--quick]``

BASE (a commit, tag or branch) is checked out into a temporary git worktree. Each round runs
``python -m benchmarks --no-peers`` once on BASE and once on the working tree (or on the
revision ``--new``), alternately (BASE first in odd rounds, second in even ones), each in a
subprocess with ``PYTHONPATH`` pointing at that tree's ``src`` and running that tree's own
benchmark code, so machine noise hits both alike. A row's time is the median over rounds of
that run's median; the table gives the ratio new / base per row (below 1: the change is
faster), and the same ratio after dividing each time by its run's own reference row. Results
go to ``benchmarks/results/revisions.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks.revisions", description=__doc__)
    p.add_argument("base", help="the revision to compare against (commit, tag, branch)")
    p.add_argument("--new", default=None, help="a revision instead of the working tree")
    p.add_argument("--only", default="D1,D2,N,V", help="benchmarks (default %(default)s)")
    p.add_argument("--rounds", type=int, default=3, help="alternating rounds (default 3)")
    p.add_argument("--reps", type=int, default=3, help="repetitions per run (default 3)")
    p.add_argument("--quick", action="store_true", help="the benchmarks' smoke sizes")
    p.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    return p.parse_args(argv)


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.strip()


def _run_tree(tree: Path, args: argparse.Namespace, out: Path) -> dict[str, Any]:
    """One ``python -m benchmarks --no-peers`` run on ``tree``; returns its latest.json."""
    cmd = [sys.executable, "-m", "benchmarks", "--no-peers", "--only", args.only]
    cmd += ["--reps", str(args.reps), "--out", str(out)] + (["--quick"] if args.quick else [])
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    proc = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(
            f"benchmarks failed on {tree}:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}"
        )
    return dict(json.loads((out / "latest.json").read_text())["benchmarks"])


TIME_COLUMNS = ("median_s", "median_ms")
# a row's time relative to a reference measured in the same run (which cancels the machine's
# load between the two trees' runs): the benchmark's own ratio column where it has one (D1's
# "x floor", N's and V's "ratio"), else relative to its plain-numpy row (D2)
RELATIVE_COLUMNS = ("x_floor", "ratio")
REFERENCE_ROW = "plain"


def _row_key(row: dict[str, Any], columns: list[list[str]]) -> str:
    """A row's identity: its text-valued columns before the first timing column."""
    parts = []
    for key, _ in columns:
        if key in TIME_COLUMNS:
            break
        value = row.get(key)
        if isinstance(value, str):
            parts.append(value)
    return " / ".join(parts)


def _seconds(row: dict[str, Any]) -> float | None:
    if isinstance(row.get("median_s"), float):
        return float(row["median_s"])
    if isinstance(row.get("median_ms"), float):
        return float(row["median_ms"]) / 1e3
    return None


def _measures(data: dict[str, Any]) -> dict[str, tuple[float, float | None]]:
    """Row key → (seconds, time relative to the run's own reference) of one benchmark run."""
    timed = {
        _row_key(row, data["columns"]): (row, t)
        for row in data["rows"]
        if (t := _seconds(row)) is not None
    }
    ref = next((t for key, (_, t) in timed.items() if REFERENCE_ROW in key), None)
    out: dict[str, tuple[float, float | None]] = {}
    for key, (row, t) in timed.items():
        rel = next((row[c] for c in RELATIVE_COLUMNS if isinstance(row.get(c), float)), None)
        out[key] = (t, rel if rel is not None else (t / ref if ref else None))
    return out


def _collect(runs: list[dict[str, Any]]) -> dict[tuple[str, str], tuple[float, float | None]]:
    """(benchmark, row) → medians over runs of (seconds, relative time)."""
    found: dict[tuple[str, str], list[tuple[float, float | None]]] = {}
    for run in runs:
        for bench, data in run.items():
            for key, value in _measures(data).items():
                found.setdefault((bench, key), []).append(value)
    out = {}
    for key, values in found.items():
        rels = [r for _, r in values if r is not None]
        rel = statistics.median(rels) if len(rels) == len(values) else None
        out[key] = (statistics.median(t for t, _ in values), rel)
    return out


def _table(base: dict[Any, Any], new: dict[Any, Any]) -> list[dict[str, Any]]:
    rows = []
    for b, row in sorted(base):
        if (b, row) not in new:
            continue
        (tb, rb), (tn, rn) = base[(b, row)], new[(b, row)]
        rel = rn / rb if rb and rn is not None else None
        rows.append(
            {
                "benchmark": b,
                "row": row,
                "base_s": tb,
                "new_s": tn,
                "ratio": tn / tb,
                "ratio_relative": rel,
            }
        )
    return rows


def _print(
    rows: list[dict[str, Any]], head: str, base: str, dirty: bool, args: argparse.Namespace
) -> None:
    width = max((len(f"{r['benchmark']} {r['row']}") for r in rows), default=10)
    print(
        f"\nnew = {head}{' + uncommitted src' if dirty else ''}, base = {base}; "
        f"median over {args.rounds} alternating rounds of {args.reps}-rep medians; "
        "'relative': each time first divided by its run's own reference row"
    )
    print(f"{'row':<{width}}  {'base s':>9}  {'new s':>9}  {'new/base':>8}  {'relative':>8}")
    for r in rows:
        name = f"{r['benchmark']} {r['row']}"
        rel = "" if r["ratio_relative"] is None else f"{r['ratio_relative']:8.3f}"
        print(
            f"{name:<{width}}  {r['base_s']:9.4f}  {r['new_s']:9.4f}  {r['ratio']:8.3f}  {rel:>8}"
        )
    for key, label in (("ratio", "new/base"), ("ratio_relative", "relative")):
        values = [r[key] for r in rows if r[key] is not None]
        if values:
            geo = statistics.geometric_mean(values)
            print(f"geometric mean of {label} over {len(values)} rows: {geo:.3f}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    base_rev = _git("rev-parse", "--short", args.base)
    head_rev = _git("rev-parse", "--short", args.new or "HEAD")
    dirty = args.new is None and bool(_git("status", "--porcelain", "--", "src"))
    with tempfile.TemporaryDirectory(prefix="neuroattn-rev-") as tmp:
        base_tree = Path(tmp) / "base"
        _git("worktree", "add", "--detach", str(base_tree), base_rev)
        new_tree = ROOT
        if args.new is not None:
            new_tree = Path(tmp) / "new"
            _git("worktree", "add", "--detach", str(new_tree), head_rev)
        try:
            runs: dict[str, list[dict[str, Any]]] = {"base": [], "new": []}
            for r in range(args.rounds):
                order = [("base", base_tree), ("new", new_tree)]
                for label, tree in order if r % 2 == 0 else order[::-1]:
                    start = time.perf_counter()
                    out = Path(tmp) / f"{label}-{r}"
                    runs[label].append(_run_tree(tree, args, out))
                    took = time.perf_counter() - start
                    print(f"round {r + 1}/{args.rounds}: {label} done in {took:.0f} s", flush=True)
        finally:
            _git("worktree", "remove", "--force", str(base_tree))
            if new_tree != ROOT:
                _git("worktree", "remove", "--force", str(new_tree))
    rows = _table(_collect(runs["base"]), _collect(runs["new"]))
    _print(rows, head_rev, base_rev, dirty, args)
    args.out.mkdir(parents=True, exist_ok=True)
    result = {
        "base": base_rev,
        "new": head_rev,
        "dirty": dirty,
        "rounds": args.rounds,
        "reps": args.reps,
        "quick": args.quick,
        "only": args.only,
        "rows": rows,
        "runs": runs,
    }
    target = args.out / "revisions.json"
    target.with_suffix(".tmp").write_text(json.dumps(result, indent=1))
    os.replace(target.with_suffix(".tmp"), target)
    print(f"written to {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
