"""D2 peer: the sweep's Euler loop in JAX — one set's ``lax.scan``, ``vmap``-ed over sets.

Run by ``benchmarks._peers.run_peer`` inside ``.bench-venvs/jax``:
``python jax_sweep.py in.npz out.npz '{"n_steps": ..., "dt": ..., "dtype": ..., ...}'``.

This is the engine under BrainPy: a per-network step function, scanned over time and
vectorised over parameter sets, compiled once by XLA. Compile time (ahead of time, via
``lower().compile()``) is reported apart from the run time.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import numpy as np


def main() -> None:
    in_path, out_path, opts = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    import jax

    if opts["dtype"] == "float64":
        jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    dtype = jnp.dtype(opts["dtype"])
    data = np.load(in_path)
    W = jnp.asarray(data["W"], dtype=dtype)
    W0 = W * (1 - jnp.eye(W.shape[0], dtype=dtype))
    rowsum = W.sum(1)
    beta = jnp.asarray(data["beta"], dtype=dtype)
    I = jnp.asarray(data["I"], dtype=dtype)
    dt, n_steps = opts["dt"], opts["n_steps"]

    def one_set(b: Any, inp: Any) -> Any:
        def body(u: Any, _: Any) -> tuple[Any, None]:
            r = jax.nn.sigmoid(u)
            return u + dt * (-u + W0 @ r - b * rowsum * r + inp), None

        u, _ = jax.lax.scan(body, jnp.zeros_like(inp), None, length=n_steps)
        return u

    start = time.perf_counter()
    compiled = jax.jit(jax.vmap(one_set)).lower(beta, I).compile()
    compile_s = time.perf_counter() - start
    times: list[float] = []
    reps = opts["reps"]
    while len(times) < reps:
        start = time.perf_counter()
        out = compiled(beta, I).block_until_ready()
        times.append(time.perf_counter() - start)
        if times[0] > opts.get("slow_s", 30.0):
            reps = min(reps, 3)
    np.savez(out_path, final=np.asarray(out, dtype=np.float64))
    report = {
        "jax": jax.__version__,
        "compile_s": compile_s,
        "times": times,
        "dtype": str(out.dtype),
        "devices": [str(d) for d in jax.devices()],
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
