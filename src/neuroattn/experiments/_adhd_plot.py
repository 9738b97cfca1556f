"""The figure of experiment 7 (ADHD hypothesis): RT distributions, variability, capture."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import stats

if TYPE_CHECKING:
    from .adhd import AdhdResult

_COLOURS = ("tab:blue", "tab:cyan", "tab:olive", "tab:red")


def plot_adhd(result: AdhdResult, groups: tuple[str, ...]) -> Any:
    """Left: correct plain RTs of the typical and ADHD-like groups with their mean fitted
    ex-Gaussians; middle: RT SD and τ per group; right: capture per group."""
    with warnings.catch_warnings():  # groups without a decision: NaN means, no warning
        warnings.simplefilter("ignore", RuntimeWarning)
        return _draw(result, groups)


def _draw(result: AdhdResult, groups: tuple[str, ...]) -> Any:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(12, 3.8), layout="constrained")
    left, mid, right = fig.subplots(1, 3)
    rt = np.where(result.choice[:, 0] == 0, result.rt_ms[:, 0], np.nan)
    finite = rt[np.isfinite(rt)]
    top = float(np.percentile(finite, 99)) if finite.size else 1.0
    bins = np.linspace(0, max(top, 1.0), 40)
    for g in (0, 3):
        x = rt[g][np.isfinite(rt[g])]
        left.hist(x, bins=bins, density=True, alpha=0.45, color=_COLOURS[g], label=groups[g])
        mu, sigma, tau = np.nanmean(result.exgauss[g], axis=0)
        if np.isfinite([mu, sigma, tau]).all() and sigma > 0:
            pdf = stats.exponnorm.pdf(bins, tau / sigma, loc=mu, scale=sigma)
            left.plot(bins, pdf, color=_COLOURS[g], lw=1.5)
    left.set_xlabel("decision time (ms)")
    left.set_ylabel("density")
    left.legend(fontsize=8, title="lines: ex-Gaussian fits", title_fontsize=8)
    sd = result.variables["rt_sd"].values
    tau = result.exgauss[..., 2]
    x = np.arange(len(groups))
    mid.bar(x - 0.2, np.nanmean(sd, 1), 0.4, yerr=np.nanstd(sd, 1), color="0.6", label="RT SD")
    mid.bar(x + 0.2, np.nanmean(tau, 1), 0.4, yerr=np.nanstd(tau, 1), color="0.3",
            label="ex-Gaussian τ")  # fmt: skip
    mid.set_xticks(x, [name.replace(" (", "\n(") for name in groups], fontsize=7)
    mid.set_ylabel("ms (mean ± SD over subjects)")
    mid.set_title("published: larger in ADHD (Kofler et al. 2013)", fontsize=8)
    mid.legend(fontsize=8)
    capture = result.variables["capture"].values
    right.bar(x, 100 * capture.mean(1), yerr=100 * capture.std(1), color=_COLOURS)
    right.set_xticks(x, [name.replace(" (", "\n(") for name in groups], fontsize=7)
    right.set_ylabel("salient distractor wins (% of trials)")
    right.set_title("published: more distraction in ADHD (Forster et al. 2014)", fontsize=8)
    fig.suptitle("ADHD-like competition: a computational hypothesis, not a diagnosis",
                 fontsize=10)  # fmt: skip
    return fig
