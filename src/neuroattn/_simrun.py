"""Run a checked simulation config: batch over the sweep grid, write results and figures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from . import dynamics as dyn
from ._atomic import staged_dir
from ._simconfig import ConfigError, SimConfig


def _sweep_batch(cfg: SimConfig) -> tuple[dyn.Model, np.ndarray, Any, list[str]]:
    """Turn the sweep grid into batch axes: parameter i varies along batch axis i."""
    names = list(cfg.sweep)
    k = len(cfg.model.state_shape)
    model, inputs = cfg.model, cfg.inputs
    noise: Any = cfg.time.noise
    changes = {}
    for axis, name in enumerate(names):
        shape = [1] * len(names)
        shape[axis] = -1
        grid = cfg.sweep[name].reshape(shape)
        if name == "input_scale":
            inputs = grid.reshape(grid.shape + (1,) * k) * inputs
        elif name == "noise":
            noise = grid
        else:
            changes[name] = grid
    if changes:
        model = model.replace(**changes)
    return model, inputs, noise, names


def run_config(cfg: SimConfig, out: Path, *, progress: bool = True) -> dict[str, Any]:
    """Simulate, then write ``trajectory.npz``, ``summary.json`` and figures into ``out``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    model, inputs, noise, names = _sweep_batch(cfg)
    traj = _simulate(cfg, model, inputs, noise, progress)
    k = len(model.state_shape)
    win = traj.winner()
    sel = traj.selectivity() if model.n > 1 else np.ones(win.shape)
    settle = traj.time_to_settle(tol=1e-3)
    summary: dict[str, Any] = {
        "model": traj.params,
        "sweep": {n: cfg.sweep[n].tolist() for n in names},
        "winner": win.tolist(),
        "selectivity": _nulls(sel),
        "time_to_settle": settle.tolist(),
        "stats": {k_: v for k_, v in traj.stats.items() if k_ != "t_settle"},
    }
    if not names:
        summary["final_rates"] = np.asarray(traj.final_rates).reshape(-1).tolist()
    with staged_dir(out) as tmp:
        traj.save(tmp / "trajectory.npz")
        (tmp / "summary.json").write_text(json.dumps(summary, indent=2, default=str))
        figs = {"traces.png": traj.plot()}
        if not names:
            figs["final_rates.png"] = _final_rates_figure(traj, k)
        else:
            figs |= _sweep_figures(cfg, names, win, sel)
        for name, fig in figs.items():
            fig.savefig(tmp / name, dpi=120)
            plt.close(fig)
    summary["files"] = ["trajectory.npz", "summary.json", *figs]
    return summary


def _simulate(
    cfg: SimConfig, model: dyn.Model, inputs: np.ndarray, noise: Any, progress: bool
) -> dyn.Trajectory:
    """The run, bounded by ``[limits]``: a bound it would exceed is a ConfigError that says
    which ``[limits]`` field to raise (the library's words name its own arguments)."""
    t, lim = cfg.time, cfg.limits
    try:
        return dyn.simulate(
            model, inputs, t_span=(0.0, t.t_end), dt=t.dt, method=t.method, noise=noise,
            seed=t.seed, save_every=t.save_every, progress=progress,
            max_steps=lim.max_steps, max_work=lim.max_work, max_memory=lim.max_memory,
        )  # fmt: skip
    except dyn.LimitError as exc:
        if exc.limit.startswith("LIMITS."):
            raise
        raise ConfigError(
            f"time: {exc.what} needs {exc.needed:.3g} {exc.unit}, more than [limits] {exc.limit} = "
            f"{exc.allowed:.3g}; raise it in the config ([limits] {exc.limit} = …) if this "
            "is intended"
        ) from None


def _nulls(a: Any) -> Any:
    """A nested list for JSON with non-finite values (∞ selectivity) as null."""
    a = np.asarray(a, dtype=np.float64)
    out = a.astype(object)
    out[~np.isfinite(a)] = None
    return out.tolist()


def _final_rates_figure(traj: dyn.Trajectory, k: int) -> Any:
    import matplotlib.pyplot as plt

    r = np.asarray(traj.final_rates)
    fig, ax = plt.subplots(figsize=(5, 3), layout="constrained")
    if k == 2:
        im = ax.imshow(r, cmap="magma")
        fig.colorbar(im, ax=ax, label="rate")
    else:
        colors = ["tab:red" if i == traj.winner() else "tab:gray" for i in range(r.size)]
        ax.bar(np.arange(r.size), r, color=colors)
        ax.set_xlabel("neuron")
        ax.set_ylabel("final rate f(u)")
    ax.set_title("final rates (winner in red)")
    return fig


def _sweep_figures(cfg: SimConfig, names: list[str], win: np.ndarray, sel: np.ndarray) -> dict:
    import matplotlib.pyplot as plt

    out = {}
    capped = np.log10(np.minimum(sel, 1e3))  # ∞ when the runner-up is silent: show 10³
    for fname, data, label, cmap in [
        ("sweep_winner.png", win, "winning neuron", "tab10"),
        ("sweep_selectivity.png", capped, "log10 selectivity (top / second, cap 3)", "viridis"),
    ]:
        fig, ax = plt.subplots(figsize=(5.5, 4), layout="constrained")
        x = cfg.sweep[names[0]]
        if len(names) == 1:
            ax.plot(x, data, marker="o", ms=3)
            ax.set_xlabel(names[0])
            ax.set_ylabel(label)
        else:
            y = cfg.sweep[names[1]]
            im = ax.pcolormesh(y, x, data, shading="nearest", cmap=cmap)
            fig.colorbar(im, ax=ax, label=label)
            ax.set_xlabel(names[1])
            ax.set_ylabel(names[0])
        ax.set_title(label + " over the sweep")
        out[fname] = fig
    return out
