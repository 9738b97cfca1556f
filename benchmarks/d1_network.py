"""D1, one network: N = 1000, dense W, 10⁴ Euler steps (dt = 0.01, t ∈ [0, 100]).

Contenders, run side by side on the same W, I and β, in float64 and float32:

* floor: 10⁴ bare ``W @ v`` products — the one O(N²) operation each step cannot avoid;
* ours: ``simulate(model, I, method="euler", dt=0.01, save_every=1.0)`` (101 saved states,
  a typical user's choice), including validation, set-up and the saved rates;
* plain numpy: the loop anyone would write, ``u += dt * (-u + W0 @ f(u) - β rowsum f(u) + I)``;
* Brian2 (its own venv, cython target): the idiomatic N(N−1) synapses with a summed
  variable, and dense numpy lateral input in a ``network_operation``; the cython
  compilation (first one-step run, fresh cache) is reported apart from the run time.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._common import BenchResult, Timing, time_interleaved
from ._peers import PeerUnavailable, run_peer

N = 1000
DT = 0.01
T_END = 100.0
BETA = 0.5
SAVE_EVERY = 1.0
TARGET = 1.2  # ours / floor, per step


def make_inputs(n: int = N, seed: int = 0) -> dict[str, Any]:
    """Seeded W (N(1/n, (0.5/√n)²) clipped at 0: row sums ≈ 1), I ~ U(0, 1), β = 0.5."""
    from neuroattn.dynamics import random_weights

    W = random_weights(n, mean=1.0, std=0.5, seed=seed)
    I = np.random.default_rng(seed + 1).uniform(0.0, 1.0, n)
    return {"W": W, "I": I, "beta": BETA}


def contenders(inp: dict[str, Any], dtype: str, n_steps: int) -> dict[str, Any]:
    """The in-process contenders for one dtype, each a no-argument callable."""
    from neuroattn.dynamics import Competition, simulate

    dt_ = np.dtype(dtype)
    W = np.ascontiguousarray(inp["W"], dtype=dt_)
    W0 = W.copy()
    np.fill_diagonal(W0, 0.0)
    b_rowsum = (inp["beta"] * inp["W"].sum(1)).astype(dt_)
    I = inp["I"].astype(dt_)
    model = Competition(inp["W"], beta=inp["beta"])
    v = (1.0 / (1.0 + np.exp(-I))).astype(dt_)

    def floor() -> np.ndarray:
        for _ in range(n_steps):
            out = W @ v
        return out

    def ours() -> np.ndarray:
        traj = simulate(model, inp["I"], t_span=(0.0, n_steps * DT), dt=DT, method="euler",
                        save_every=SAVE_EVERY, dtype=dtype)  # fmt: skip
        return np.asarray(traj.final)

    def plain() -> np.ndarray:
        u = np.zeros(N, dtype=dt_)
        for _ in range(n_steps):
            r = 1.0 / (1.0 + np.exp(-u))
            u += DT * (-u + W0 @ r - b_rowsum * r + I)
        return u

    return {"floor: bare W @ v": floor, "ours: simulate euler": ours, "plain numpy loop": plain}


def _peer_rows(
    inp: dict[str, Any], dtype: str, n_steps: int, reps: int, slow_s: float
) -> list[dict[str, Any]]:
    """Brian2's two formulations, or one row saying why the peer is unavailable."""
    opts = {"n_steps": n_steps, "dt": DT, "dtype": dtype, "reps": reps, "slow_s": slow_s,
            "variants": ["synapses", "netop"]}  # fmt: skip
    arrays = {"W": inp["W"], "I": inp["I"], "beta": np.array(inp["beta"])}
    try:
        report, finals = run_peer("brian2", "brian2_network.py", arrays, opts)
    except PeerUnavailable as exc:
        return [{"case": "brian2", "dtype": dtype, "notes": f"peer unavailable: {exc}"}]
    labels = {"synapses": "brian2 cython: summed synapses", "netop": "brian2 cython + numpy netop"}
    rows = []
    for variant, label in labels.items():
        r = report[variant]
        tm = Timing(times=r["times"], result=finals[variant])
        rows.append(
            {"case": label, "dtype": r["dtype"], "timing": tm,
             "notes": f"build+compile {r['build_s']:.1f} s (not in time); "
                      f"brian2 {report['brian2']}"}
        )  # fmt: skip
    return rows


def run(
    reps: int = 5, quick: bool = False, peers: bool = True, slow_s: float = 30.0
) -> BenchResult:
    """Run D1 in float64 and float32; return the table rows and metadata."""
    n_steps = 1000 if quick else round(T_END / DT)
    inp = make_inputs()
    res = BenchResult(
        name="d1_network",
        title=f"D1 one network: N = {N}, dense W, {n_steps} Euler steps (dt = {DT})",
        columns=[("case", "case"), ("dtype", "dtype"), ("median_s", "median s"),
                 ("min_s", "min s"), ("us_per_step", "µs/step"), ("x_floor", "× floor"),
                 ("x_ours", "× ours"), ("max_diff", "max|Δ| vs plain"), ("reps", "reps"),
                 ("notes", "notes")],
        meta={"N": N, "n_steps": n_steps, "dt": DT, "beta": BETA, "save_every": SAVE_EVERY,
              "W": "random_weights(1000, mean=1, std=0.5, seed=0)", "I": "U(0,1), seed 1",
              "activation": "sigmoid", "target_ours_over_floor": TARGET},
    )  # fmt: skip
    for dtype in ("float64", "float32"):
        timings = time_interleaved(contenders(inp, dtype, n_steps), reps, slow_s)
        rows: list[dict[str, Any]] = [
            {"case": name, "dtype": dtype, "timing": tm} for name, tm in timings.items()
        ]
        if peers:
            rows += _peer_rows(inp, dtype, n_steps, reps, slow_s)
        floor_s = timings["floor: bare W @ v"].median
        ours_tm = timings["ours: simulate euler"]
        plain = timings["plain numpy loop"].result
        diff = float(np.abs(ours_tm.result - plain).max())
        tol = 1e-9 if dtype == "float64" else 1e-3
        assert diff <= tol, f"ours and the plain loop disagree in {dtype}: max |Δ| = {diff:.3g}"
        for row in rows:
            tm = row.pop("timing", None)
            if tm is None:
                res.rows.append(row)
                continue
            row.update(
                median_s=tm.median, min_s=min(tm.times), us_per_step=tm.median / n_steps * 1e6,
                x_floor=tm.median / floor_s, x_ours=tm.median / ours_tm.median,
                reps=len(tm.times), times=tm.times,
            )  # fmt: skip
            if row["case"].startswith("floor"):
                row["notes"] = "the lower bound: one matrix–vector product per step"
            else:
                row["max_diff"] = float(np.abs(np.asarray(tm.result, np.float64) - plain).max())
            if row["case"].startswith("ours"):
                ok = row["x_floor"] <= TARGET
                row["notes"] = (
                    f"save_every={SAVE_EVERY} ({n_steps // round(SAVE_EVERY / DT) + 1} saves); "
                    f"target ≤ {TARGET}× floor: {'met' if ok else 'NOT met'}"
                )
            if row["case"].startswith("plain"):
                row["notes"] = "f(u) = 1/(1+exp(-u)); saves nothing"
            res.rows.append(row)
    res.notes.append(
        "× floor and × ours are ratios of medians measured in this run; > 1 means slower."
    )
    return res
