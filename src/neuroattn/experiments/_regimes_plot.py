"""The figure of experiment 5: one phase map per noise level, the analysis drawn over it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .regimes import RegimesResult

_COLOURS = ("#d9d9d9", "#9ecae1", "#3182bd", "#fd8d3c")


def plot_regimes(result: RegimesResult, labels: tuple[str, ...]) -> Any:
    """Simulated regimes (colours), analytic boundaries (black lines), β* (dashed)."""
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    co = result.coords
    b, c, noise = co["beta"], co["contrast"], co["noise"]
    db, dc = (b[1] - b[0]) / 2, (c[1] - c[0]) / 2
    cmap = ListedColormap(_COLOURS)
    norm = BoundaryNorm(np.arange(-0.5, 4.5), cmap.N)
    fig = Figure(figsize=(3.2 * len(noise) + 1.5, 3.6), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(noise), sharey=True))
    for s, ax in enumerate(axes):
        ax.imshow(result.regime[:, :, s].T, origin="lower", aspect="auto", cmap=cmap,
                  norm=norm, extent=(b[0] - db, b[-1] + db, c[0] - dc, c[-1] + dc),
                  interpolation="nearest")  # fmt: skip
        ax.contour(co["beta_fine"], co["contrast_fine"], result.analytic.T,
                   levels=[0.5, 1.5], colors="k", linewidths=1.2)  # fmt: skip
        ax.axvline(result.beta_star, color="k", ls="--", lw=1)
        ax.set_title(f"noise σ = {noise[s]:g}" + (" (analysis)" if s == 0 else ""), fontsize=9)
        ax.set_xlabel("inhibition factor β")
    axes[0].set_ylabel("input contrast C")
    handles = [Patch(color=col, label=lab) for col, lab in zip(_COLOURS, labels, strict=True)]
    handles.append(Patch(facecolor="none", edgecolor="k", label="analytic boundary (σ = 0)"))
    fig.legend(handles=handles, loc="outside right center", fontsize=8)
    fig.suptitle(f"Regimes of the source's equation (β* = {result.beta_star:.4g})", fontsize=10)
    return fig
