"""The streaming experiment's figure: the map with the boundaries, durations and build-up."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .streaming import StreamingExperiment


def plot_streaming(
    result: StreamingExperiment,
    published_tcb: tuple[tuple[float, float], ...],
    published_fb: tuple[tuple[float, float], ...],
) -> Any:
    """Left: P(one stream) over TRT × Δf, the model's TCB/FB (markers) and the published
    ones (lines). Middle: the phase durations with the gamma fit. Right: the build-up."""
    from matplotlib.figure import Figure
    from scipy import stats

    df, trt = result.coords["delta_f"], result.coords["trt_ms"]
    fig = Figure(figsize=(12.5, 3.8), layout="constrained")
    ax, ax_d, ax_b = fig.subplots(1, 3)
    mesh = ax.pcolormesh(trt, df, result.one_stream, vmin=0, vmax=1, cmap="RdBu_r",
                         shading="nearest")  # fmt: skip
    fig.colorbar(mesh, ax=ax, label="P(one stream)")
    for pts, style, label in (
        (published_tcb, "k-", "TCB, van Noorden 1975 (approx.)"),
        (published_fb, "k--", "FB, van Noorden 1975 (approx.)"),
    ):
        xs, ys = zip(*pts, strict=True)
        ax.plot(xs, ys, style, lw=1.5, label=label)
    ax.plot(trt, result.tcb, "o", color="gold", mec="k", label="model TCB (P <= 0.1)")
    ax.plot(trt, result.fb, "s", color="w", mec="k", label="model FB (P >= 0.9)")
    ax.set_xlabel("tone repetition time (ms)")
    ax.set_ylabel("delta f (semitones)")
    ax.legend(fontsize=7, loc="upper left")
    ax.set_title("ABA- streaming: one stream (red) vs two (blue)", fontsize=9)
    d = result.variables["phase_durations"].values
    if d.size >= 3:
        cycle = float(result.trials.cycle_s.max())  # durations are whole cycles
        ax_d.hist(d, bins=np.arange(0.5, d.max() / cycle + 1.5) * cycle, density=True,
                  color="0.7")  # fmt: skip
        shape, _, scale = stats.gamma.fit(d, floc=0)
        x = np.linspace(0, d.max() * 1.1, 200)
        ax_d.plot(x, stats.gamma.pdf(x, shape, scale=scale), "k-",
                  label=f"gamma, shape {shape:.2g}")  # fmt: skip
        ax_d.legend(fontsize=8)
    ax_d.set_xlabel("phase duration (s)")
    ax_d.set_ylabel("density")
    ax_d.set_title(f"bistable condition: {d.size} phases", fontsize=9)
    trials = result.trials
    span = float(trials.cycle_s.max() * (trials.percept.shape[-1]))
    edges = np.arange(0.0, span + 1e-9, max(span / 30, float(trials.cycle_s.max())))
    p = trials.two_stream_probability(edges)
    ax_b.step(edges[:-1], p, where="post", color="k")
    ax_b.set_ylim(-0.02, 1.02)
    ax_b.set_xlabel("time from sequence onset (s)")
    ax_b.set_ylabel("P(two streams)")
    ax_b.set_title(f"build-up over {trials.percept.shape[0]} trials", fontsize=9)
    return fig
