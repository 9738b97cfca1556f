"""D1 peer: the competition network as a Brian2 rate model (cython target), Euler steps.

Run by ``benchmarks._peers.run_peer`` inside ``.bench-venvs/brian2``:
``python brian2_network.py in.npz out.npz '{"n_steps": ..., "dt": ..., ...}'``.

τ du_i/dt = −u_i + Σ_{j≠i} w_ij r_j − β (Σ_j w_ij) r_i + I_i,  r = 1 / (1 + e^{−u}).

Two formulations, each timed after a first one-step run that generates and compiles code:

* ``synapses``: the idiomatic Brian2 network — N(N−1) synapses whose summed variable
  ``Iexc_post = w * r_pre`` feeds the neurons (generated cython loops throughout);
* ``netop``: the neurons in generated cython, the lateral sum W₀ @ r done by a
  ``network_operation`` calling numpy every step (Brian2's escape hatch for dense matrices).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from typing import Any

import numpy as np


def build(variant: str, W: np.ndarray, I: np.ndarray, beta: float, dtype: Any) -> Any:
    import brian2 as b2

    n = W.shape[0]
    eqs = """
    du/dt = (-u + Iexc - beta * rowsum * r + I) / tau : 1
    r = 1 / (1 + exp(-u)) : 1
    Iexc : 1
    rowsum : 1 (constant)
    I : 1 (constant)
    """
    ns = {"beta": beta, "tau": 1 * b2.ms}
    G = b2.NeuronGroup(n, eqs, method="euler", namespace=ns, name="neurons")
    G.rowsum = W.sum(1)
    G.I = I
    G.u = 0.0
    objects: list[Any] = [G]
    if variant == "synapses":
        S = b2.Synapses(G, G, "w : 1 (constant)\nIexc_post = w * r_pre : 1 (summed)")
        post, pre = np.nonzero(~np.eye(n, dtype=bool))  # all pairs i ≠ j; pre = j, post = i
        S.connect(i=pre, j=post)
        S.w = W[post, pre]
        objects.append(S)
    elif variant == "netop":
        W0 = W.astype(dtype)
        np.fill_diagonal(W0, 0.0)

        u_arr = G.variables["u"].get_value()  # the state arrays themselves, no copies
        iexc_arr = G.variables["Iexc"].get_value()

        @b2.network_operation(when="before_groups")
        def lateral() -> None:
            np.matmul(W0, 1.0 / (1.0 + np.exp(-u_arr)), out=iexc_arr)

        objects.append(lateral)
    else:
        raise ValueError(variant)
    return b2.Network(*objects), G


def main() -> None:
    in_path, out_path, opts = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    import brian2 as b2

    dtype = np.dtype(opts["dtype"]).type
    b2.prefs.codegen.target = "cython"
    b2.prefs.core.default_float_dtype = dtype
    # a fresh cache, so that the reported build time includes the cython compilation
    b2.prefs.codegen.runtime.cython.cache_dir = tempfile.mkdtemp(dir=opts["workdir"])
    b2.BrianLogger.log_level_error()
    b2.defaultclock.dt = opts["dt"] * b2.ms
    data = np.load(in_path)
    W, I, beta = data["W"], data["I"], float(data["beta"])
    duration = opts["n_steps"] * opts["dt"] * b2.ms

    report: dict[str, Any] = {"brian2": b2.__version__, "numpy": np.__version__}
    finals: dict[str, np.ndarray] = {}
    for variant in opts["variants"]:
        start = time.perf_counter()
        net, G = build(variant, W, I, beta, dtype)
        net.run(b2.defaultclock.dt)  # one step: generates and compiles the code
        build_s = time.perf_counter() - start
        times: list[float] = []
        reps = opts["reps"]
        while len(times) < reps:
            G.u = 0.0
            start = time.perf_counter()
            net.run(duration)
            times.append(time.perf_counter() - start)
            if times[0] > opts.get("slow_s", 30.0):
                reps = min(reps, 3)
        finals[variant] = np.asarray(G.u_[:], dtype=np.float64)
        report[variant] = {"build_s": build_s, "times": times, "dtype": str(G.u_[:].dtype)}
    np.savez(out_path, **finals)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
