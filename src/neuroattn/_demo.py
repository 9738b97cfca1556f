"""The built-in demo: the competition stage of attention, simulated, with its figures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from scipy.special import softmax

from . import dynamics as dyn
from ._atomic import staged_dir

# The seed equation with inhibitory coupling w_ij = −0.4: the excitation sum Σ_{j≠i} w_ij f(u_j)
# becomes cross-inhibition, and −β Σ_j w_ij f(u_i) = +3.2 β f(u_i) becomes self-excitation, so
# β sets how hard neurons compete: from shared activity (β = 0) to winner-take-all (β ≳ 0.15);
# past β = 1/3.2 the winner's self-excitation beats its leak and activity runs away.
_N = 8
_W = -0.4
_INPUTS = np.linspace(1.0, 0.6, _N)


def _competition(plt: Any) -> tuple[dict[str, Any], Any]:
    """Eight neurons, graded inputs: the source's equation picks the strongest."""
    model = dyn.Competition(dyn.uniform(_N, _W), beta=0.2, activation="relu")
    traj = dyn.simulate(model, _INPUTS, t_span=(0, 30), dt=0.01, method="rk4", save_every=0.05)
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), layout="constrained")
    traj.plot(ax=axes[0])
    axes[0].set_title("competition: rates over time (w = −0.4, β = 0.2)")
    r = traj.final_rates
    axes[1].bar(np.arange(_N), _INPUTS, color="0.8", label="input I")
    axes[1].bar(np.arange(_N), r, width=0.5, color="tab:red", label="final rate f(u)")
    axes[1].set_xlabel("neuron")
    axes[1].legend(fontsize=8)
    axes[1].set_title("inputs and final rates")
    sel = float(traj.selectivity())
    info = {
        "winner": int(traj.winner()),
        "selectivity": sel if np.isfinite(sel) else "inf",
        "final_rates": np.round(r, 4).tolist(),
    }
    return info, fig


def _beta_sweep(plt: Any) -> tuple[dict[str, Any], Any]:
    """β sets how hard neurons compete: from shared activity to winner-take-all."""
    betas = np.linspace(0.0, 0.3, 61)
    model = dyn.Competition(dyn.uniform(_N, _W), beta=betas, activation="relu")
    traj = dyn.simulate(model, _INPUTS, t_span=(0, 200), save_every=200)
    r = traj.final_rates  # (61, N)
    active = (r > 1e-6 * r.max(-1, keepdims=True)).sum(-1)
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), layout="constrained")
    axes[0].plot(betas, active, marker="o", ms=3)
    axes[0].set_xlabel("β")
    axes[0].set_ylabel("active neurons at steady state")
    axes[0].set_title("competition sharpens with β (61 networks, one batch)")
    im = axes[1].imshow(
        r.T,
        aspect="auto",
        origin="lower",
        cmap="magma",
        extent=(betas[0], betas[-1], -0.5, _N - 0.5),
    )
    fig.colorbar(im, ax=axes[1], label="final rate")
    axes[1].set_xlabel("β")
    axes[1].set_ylabel("neuron")
    axes[1].set_title("final rates")
    return {"betas": [0.0, 0.3, 61], "active_neurons": active[::10].tolist()}, fig


def _softmax_bridge(plt: Any) -> tuple[dict[str, Any], Any]:
    """The shunting network's steady state with I = exp(z) is softmax(z)."""
    z = np.array([1.2, 0.3, 2.0, -0.5, 0.8])
    traj = dyn.simulate(dyn.Shunting(z.size, A=0.0), np.exp(z), t_span=(0, 20))
    err = float(np.abs(traj.final - softmax(z)).max())
    fig, ax = plt.subplots(figsize=(5, 3.4), layout="constrained")
    x = np.arange(z.size)
    ax.bar(x - 0.18, softmax(z), width=0.36, label="softmax(z)")
    ax.bar(x + 0.18, traj.final, width=0.36, label="shunting steady state, I = exp(z)")
    ax.set_xlabel("unit")
    ax.legend(fontsize=8)
    ax.set_title(f"competition settles on softmax (max diff {err:.1e})")
    return {"max_abs_difference": err}, fig


def _field(plt: Any) -> tuple[dict[str, Any], Any]:
    """A 1-D Amari field: two stimuli, one bump survives."""
    n = 100
    x = np.arange(n)
    inputs = 1.5 * np.exp(-((x - 30) ** 2) / 18) + 1.2 * np.exp(-((x - 70) ** 2) / 18)
    field = dyn.NeuralField(
        n, a_exc=0.6, sigma_exc=2.0, a_inh=0.2, sigma_inh=40.0, h=-1.0, activation=dyn.sigmoid(5.0)
    )
    traj = dyn.simulate(field, inputs, t_span=(0, 40), save_every=0.2)
    fig, ax = plt.subplots(figsize=(6, 3.4), layout="constrained")
    im = ax.imshow(
        traj.rates.T, aspect="auto", origin="lower", cmap="magma", extent=(0, 40, -0.5, n - 0.5)
    )
    fig.colorbar(im, ax=ax, label="rate f(u)")
    ax.set_xlabel("time (τ)")
    ax.set_ylabel("position")
    ax.set_title("neural field: the stronger stimulus wins")
    return {"bump_at": int(traj.winner())}, fig


def run_demo(out: Path) -> dict[str, Any]:
    """Run every part of the demo and write figures and ``summary.json`` into ``out``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    parts = {
        "competition": _competition,
        "beta_sweep": _beta_sweep,
        "softmax_bridge": _softmax_bridge,
        "neural_field": _field,
    }
    summary: dict[str, Any] = {}
    with staged_dir(out) as tmp:
        for name, part in parts.items():
            info, fig = part(plt)
            fig.savefig(tmp / f"{name}.png", dpi=120)
            plt.close(fig)
            summary[name] = info
        summary["vision"] = _vision(tmp / "vision")
        validation = _validation(tmp / "validation")
        summary["validation"] = {k: v for k, v in validation.items() if k != "table"}
        (tmp / "summary.json").write_text(json.dumps(summary, indent=2))
    summary["validation"] = validation
    summary["files"] = [f"{p}.png" for p in parts] + ["vision/", "validation/", "summary.json"]
    return summary


def _validation(folder: Path) -> dict[str, Any]:
    """The experiments' quick settings held against the published data: the table, and the
    report in ``folder`` (``neuroattn validate`` runs the full settings)."""
    from .experiments import available
    from .experiments._report import write_report
    from .experiments._validate import validate

    if not available():
        return {"agree": 0, "findings": 0, "table": "", "lines": ["no experiments registered"]}
    result = validate(quick=True)
    write_report(result, folder)
    agree, total = result.counts()
    return {
        "agree": agree,
        "findings": total,
        "seconds": round(result.seconds, 2),
        "table": result.table(),
        "lines": result.summary_lines(),
        "report": "validation/report.html",
    }


def _vision(folder: Path) -> dict[str, Any]:
    """The visual attention pipeline on the built-in photograph and search array."""
    from .vision._cli import run_one, sources
    from .vision.pipeline import Pipeline

    pipeline = Pipeline()
    return {src.name: run_one(pipeline, src, None, 5, folder / src.name) for src in sources([])}
