"""Run the benchmarks: ``python -m benchmarks [--only D1,D2] [--quick] [--out DIR]``.

Thread counts are pinned before numpy is imported (see ``--threads``); peers inherit them.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

BENCHMARKS = {
    "D1": "d1_network",
    "D2": "d2_sweep",
    "N": "n_layers",
    "V": "v_vision",
    "V3": "v_family",
    "V5": "v5_throughput",
    "S1": "s1_sweep",
    "A1": "a_translate",  # run_a1
    "A2": "a_translate",  # run_a2
    "H1": "h_hearing",
    "C1": "c_classify",
    "C2": "c_detect",
    "R1": "r_recommend",
    "SP1": "sp_speech",  # run_sp1
    "SP2": "sp_speech",  # run_sp2
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    p.add_argument(
        "--only",
        default=",".join(BENCHMARKS),
        help="comma-separated benchmarks to run (default: %(default)s)",
    )
    p.add_argument(
        "--quick", action="store_true", help="smoke run: fewer steps / sets and 3 repetitions"
    )
    p.add_argument(
        "--reps",
        type=int,
        default=None,
        help="repetitions per contender; the median is reported (default 5, quick 3)",
    )
    p.add_argument(
        "--threads",
        type=int,
        default=1,
        help="BLAS/OpenMP/XLA/torch threads for every contender (default 1)",
    )
    p.add_argument("--no-peers", action="store_true", help="skip the peer libraries")
    p.add_argument(
        "--seeds",
        type=lambda t: tuple(int(x) for x in t.split(",")),
        default=None,
        help="seeds of the benchmarks that train (SP1), e.g. 0,1,2",
    )
    p.add_argument(
        "--sp1-transformer",
        action="store_true",
        help="SP1: also the conv-Transformer LAS and CTC pair",
    )
    p.add_argument(
        "--slow",
        type=float,
        default=30.0,
        help="a contender whose first repetition exceeds this many seconds "
        "gets 3 repetitions only (default %(default)s)",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent / "results",
        help="directory for the JSON results (default benchmarks/results/)",
    )
    return p.parse_args(argv)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    names = [s.strip().upper() for s in args.only.split(",") if s.strip()]
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
        return 2
    from ._common import set_thread_env

    env = set_thread_env(args.threads)  # before numpy is imported anywhere
    from ._common import machine_info, print_table, set_torch_threads, write_json

    torch_note = set_torch_threads(args.threads)
    reps = args.reps or (3 if args.quick else 5)
    meta: dict[str, Any] = {
        **machine_info(),
        "threads": {**env, "torch": torch_note},
        "reps": reps,
        "quick": args.quick,
        "argv": sys.argv[1:] if argv is None else argv,
    }
    threads = ", ".join(f"{k}={v}" for k, v in env.items() if k != "XLA_FLAGS")
    print(f"threads: {threads}; {torch_note}; XLA_FLAGS={env.get('XLA_FLAGS', '(unset)')}")
    print(f"machine: {meta['cpu']}, {meta['cores']} cores, load {meta['loadavg']}; "
          f"numpy {meta['numpy']}, git {meta['git']}; median of {reps} reps")  # fmt: skip
    # latest.json gathers the newest run of every benchmark: a run of some (--only)
    # replaces those and keeps the others, each with the metadata of its own run
    combined: dict[str, Any] = {"benchmarks": {}}
    latest = args.out / "latest.json"
    if latest.exists():
        try:
            combined["benchmarks"] = dict(json.loads(latest.read_text())["benchmarks"])
        except (ValueError, KeyError, TypeError):
            pass
    for name in names:
        module = importlib.import_module(f".{BENCHMARKS[name]}", __package__)
        start = time.perf_counter()
        print(f"\nrunning {name} …", flush=True)
        runner = getattr(module, f"run_{name.lower()}", module.run)
        extra = {"seeds": args.seeds, "transformer": args.sp1_transformer}
        takes = inspect.signature(runner).parameters
        extra = {k: v for k, v in extra.items() if k in takes and v not in (None, False)}
        res = runner(
            reps=reps, quick=args.quick, peers=not args.no_peers, slow_s=args.slow, **extra
        )
        res.meta["elapsed_s"] = time.perf_counter() - start
        print_table(res)
        data = {"run": {**meta, "loadavg_end": os.getloadavg()}, **res.to_json()}
        write_json(args.out / f"{res.name}.json", data)
        combined["benchmarks"][name] = data
    combined["updated"] = time.strftime("%Y-%m-%d %H:%M:%S %z")
    write_json(latest, combined)
    print(f"\nresults written to {args.out}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
