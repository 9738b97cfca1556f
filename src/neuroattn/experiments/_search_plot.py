"""The figure of the visual-search experiment (matplotlib, returned, not shown).

Left: mean response time of the correct trials against set size, one line per condition
with its fitted slope. Right: each condition's slope beside the band that was published
for it (design brief §4: feature search < ~10 ms/item; conjunction ~20–30 ms/item with
the target, ~40–60 without; Treisman & Gelade 1980, Wolfe 1998). Conditions without a
published band (the asymmetry and the guided search, whose published facts are
directions) have none; a slope the model could not fit is drawn as zero.
"""

from __future__ import annotations

from typing import Any

import numpy as np

# published bands of the slope, ms/item (design brief §4)
_BANDS = {
    "colour/present": (0.0, 10.0),
    "orientation/present": (0.0, 10.0),
    "colour/absent": (0.0, 10.0),
    "orientation/absent": (0.0, 10.0),
    "conjunction/present": (20.0, 30.0),
    "conjunction/absent": (40.0, 60.0),
}


def plot_search(result: Any) -> Any:
    """The two-panel figure of a :class:`~.search.SearchResult`."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11, 4.2), layout="constrained")
    left, right = fig.subplots(1, 2, width_ratios=(1.1, 1))
    names = [str(n) for n in result.coords["condition"]]
    sizes = np.asarray(result.coords["set_size"], float)
    rt = result.variables["rt_ms"].values
    slope = result.variables["slope"].values
    intercept = result.variables["intercept"].values
    for c, name in enumerate(names):
        with np.errstate(all="ignore"):
            hits = np.isfinite(rt[c])
            mean = np.where(hits.any(axis=1), np.nansum(rt[c], axis=1) / hits.sum(axis=1), np.nan)
        style = "--" if name.endswith("absent") else "-"
        (line,) = left.plot(sizes, mean, "o", ms=4)
        if np.isfinite(slope[c]):
            left.plot(sizes, intercept[c] + slope[c] * sizes, style, color=line.get_color(),
                      label=f"{name} ({slope[c]:.1f} ms/item)")  # fmt: skip
    left.set_xlabel("set size (items)")
    left.set_ylabel("response time (ms)")
    left.set_title("model: RT against set size (correct trials)")
    left.legend(fontsize=7, loc="upper left")
    y = np.arange(len(names))
    label: str | None = "published"
    for k, name in enumerate(names):
        if name in _BANDS:
            lo, hi = _BANDS[name]
            right.fill_betweenx([k - 0.4, k + 0.4], lo, hi, color="0.85", label=label)
            label = None
    right.barh(y, np.nan_to_num(slope), height=0.5, color="tab:blue", label="model")
    right.set_yticks(y, names, fontsize=8)
    right.invert_yaxis()
    right.axvline(0, color="0.3", lw=0.8)
    right.set_xlabel("slope (ms/item)")
    right.set_title(f"slopes, {result.split} displays")
    right.legend(fontsize=8, loc="lower right")
    return fig
