"""Before and after: the same benchmarks on two revisions of neuroattn, side by side.

``python -m benchmarks.revisions BASE [--new REV] [--only D1,D2,N,V] [--rounds 3] [--quick]``

BASE (a commit, tag or branch) is checked out into a temporary git worktree. Each round runs
``python -m benchmarks --no-peers`` once on BASE and once on the working tree (or on the
revision ``--new``), alternately
(BASE first in odd rounds, second in even ones), each in a subprocess with ``PYTHONPATH``
pointing at that tree's ``src`` and running that tree's own benchmark code, so machine noise
hits both alike. A row's time is the median over rounds of that run's median; the table gives
the ratio new / base per row (below 1: the change is faster). Results go to
``benchmarks/results/revisions.json``.
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


def _row_key(row: dict[str, Any], columns: list[list[str]]) -> str:
    """A row's identity: its text-valued columns before the first timing column."""
    parts = []
    for key, _ in columns:
        if key.endswith("_s"):
            break
        value = row.get(key)
        if isinstance(value, str):
            parts.append(value)
    return " / ".join(parts)


def _collect(runs: list[dict[str, Any]]) -> dict[tuple[str, str], float]:
    """(benchmark, row) → median over runs of the row's median seconds."""
    times: dict[tuple[str, str], list[float]] = {}
    for run in runs:
        for bench, data in run.items():
            for row in data["rows"]:
                if isinstance(row.get("median_s"), float):
                    key = (bench, _row_key(row, data["columns"]))
                    times.setdefault(key, []).append(row["median_s"])
    return {k: statistics.median(v) for k, v in times.items()}


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
    base, new = _collect(runs["base"]), _collect(runs["new"])
    rows = [
        {
            "benchmark": b,
            "row": row,
            "base_s": base[(b, row)],
            "new_s": new[(b, row)],
            "ratio": new[(b, row)] / base[(b, row)],
        }
        for (b, row) in sorted(base)
        if (b, row) in new
    ]
    width = max((len(f"{r['benchmark']} {r['row']}") for r in rows), default=10)
    print(
        f"\nnew = {head_rev}{' + uncommitted src' if dirty else ''}, base = {base_rev}; "
        f"median over {args.rounds} alternating rounds of {args.reps}-rep medians"
    )
    print(f"{'row':<{width}}  {'base s':>9}  {'new s':>9}  {'new/base':>8}")
    for r in rows:
        name = f"{r['benchmark']} {r['row']}"
        print(f"{name:<{width}}  {r['base_s']:9.4f}  {r['new_s']:9.4f}  {r['ratio']:8.3f}")
    if rows:
        geo = statistics.geometric_mean([r["ratio"] for r in rows])
        print(f"geometric mean of new/base over {len(rows)} rows: {geo:.3f}")
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
    }
    target = args.out / "revisions.json"
    target.with_suffix(".tmp").write_text(json.dumps(result, indent=1))
    os.replace(target.with_suffix(".tmp"), target)
    print(f"written to {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
