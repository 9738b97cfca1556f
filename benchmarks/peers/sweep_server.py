"""D2 peers in one long-lived process, so that their repetitions interleave with ours.

Run by ``benchmarks._peers.PeerServer`` inside ``.bench-venvs/jax``:
``python sweep_server.py in.npz '{"dtype": ..., "configs": {label: {"script": ..., ...}}}'``.

Every configuration is built and compiled up front by its module (``jax_sweep.build`` or
``diffrax_sweep.build``, beside this file); the server then prints one JSON line
(``{"ready": true, "compile_s": {...}, versions}``) and answers commands on stdin, one per
line, each with one JSON line on stdout:

* ``run <label>``: one call of that configuration, timed here (the compiled call and
  ``block_until_ready``, nothing else) → ``{"time": seconds}``;
* ``save <path>``: the last result of every configuration to ``<path>`` (``.npz``, keys
  ``c0``, ``c1``, … in the order of ``configs``) → ``{"reports": {label: stats}}``, each
  with its ``"key"`` in the file.

End of input ends the server. One process serves one dtype: float64 needs
``jax_enable_x64``, which is global, and with it on a float32 run would be promoted.

``python <module>.py in.npz out.npz '{...options..., "reps": n}'`` runs one configuration
on its own (:func:`standalone`): one JSON line with the times, the results as ``.npz``.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import numpy as np

# build(data, opts) -> (call, summarize): call() runs once and blocks until the result is
# ready; summarize(result) -> (final states as float64 numpy (n_sets, N), stats for JSON)
Build = Callable[[dict[str, np.ndarray], dict[str, Any]], tuple[Callable[[], Any], Any]]


def setup(dtype: str) -> None:
    """Turn on float64 in JAX when asked: before any array is made."""
    import jax

    if dtype == "float64":
        jax.config.update("jax_enable_x64", True)


def versions() -> dict[str, str]:
    out = {}
    for pkg in ("jax", "jaxlib", "diffrax", "equinox"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            pass
    return out


def compile_timed(fn: Any, *args: Any) -> tuple[Any, float]:
    """``jax.jit(fn).lower(*args).compile()`` and the seconds it took."""
    import jax

    start = time.perf_counter()
    compiled = jax.jit(fn).lower(*args).compile()
    return compiled, time.perf_counter() - start


def timed_call(call: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    out = call()
    return out, time.perf_counter() - start


def standalone(build: Build) -> None:
    """One configuration, ``reps`` times in a row (the ``run_peer`` protocol)."""
    in_path, out_path, opts = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    setup(opts["dtype"])
    with np.load(in_path) as f:
        data = {k: f[k] for k in f.files}
    (call, summarize), compile_s = build(data, opts)
    times: list[float] = []
    reps = opts["reps"]
    while len(times) < reps:
        out, t = timed_call(call)
        times.append(t)
        if times[0] > opts.get("slow_s", 30.0):
            reps = min(reps, 3)
    final, stats = summarize(out)
    np.savez(out_path, final=final)
    print(json.dumps({**versions(), "compile_s": compile_s, "times": times, **stats}))


def serve() -> None:
    in_path, opts = sys.argv[1], json.loads(sys.argv[2])
    setup(opts["dtype"])
    with np.load(in_path) as f:
        data = {k: f[k] for k in f.files}
    built, compile_s = {}, {}
    for label, cfg in opts["configs"].items():
        module = importlib.import_module(cfg["script"].removesuffix(".py"))
        built[label], compile_s[label] = module.build(data, {**cfg, "dtype": opts["dtype"]})
    print(json.dumps({"ready": True, "compile_s": compile_s, **versions()}), flush=True)
    last: dict[str, Any] = {}
    for line in sys.stdin:
        cmd, _, arg = line.strip().partition(" ")
        if cmd == "run":
            last[arg], t = timed_call(built[arg][0])
            print(json.dumps({"time": t}), flush=True)
        elif cmd == "save":
            arrays, reports = {}, {}
            for i, (label, (_, summarize)) in enumerate(built.items()):
                if label in last:
                    arrays[f"c{i}"], stats = summarize(last[label])
                    reports[label] = {**stats, "key": f"c{i}"}
            np.savez(arg, **arrays)
            print(json.dumps({"reports": reports}), flush=True)
        else:
            print(json.dumps({"error": f"unknown command {cmd!r}"}), flush=True)


if __name__ == "__main__":
    serve()
