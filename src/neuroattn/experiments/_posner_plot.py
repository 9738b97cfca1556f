"""The figure of experiment 1 (Posner cueing), beside its result."""

from __future__ import annotations

from typing import Any

import numpy as np


def plot_posner(result: Any) -> Any:
    """Three panels: RT against SOA for exogenous cues; the validity effects (invalid −
    valid) of both cue types with the published example points (Samuel & Kat 2003); the
    cued box's input efficacy and the attention fields over time. Returns the Figure."""
    from matplotlib.figure import Figure

    from ._posner_model import PUBLISHED_EFFECTS

    soas, rt = np.asarray(result.soas_ms), np.asarray(result.rt_ms)
    fig = Figure(figsize=(13, 4), layout="constrained")
    left, mid, right = fig.subplots(1, 3)
    for row, label, style in ((0, "valid", "o-"), (1, "invalid", "s-"), (4, "neutral", "k--")):
        left.plot(soas, rt[row], style, label=label)
    left.set(xlabel="cue–target SOA (ms)", ylabel="RT (ms)", title="exogenous (peripheral) cue")
    left.legend()
    mid.axhline(0, color="0.6", lw=0.8)
    mid.plot(soas, rt[1] - rt[0], "o-", label="model, exogenous")
    mid.plot(soas, rt[3] - rt[2], "^-", label="model, endogenous")
    pub = np.asarray(PUBLISHED_EFFECTS)
    mid.plot(pub[:, 0], pub[:, 1], "r*", ms=12, label="published (Samuel & Kat 2003)")
    mid.set(xlabel="cue–target SOA (ms)", ylabel="validity effect, invalid − valid (ms)",
            title="facilitation, then inhibition of return")  # fmt: skip
    mid.legend(fontsize=8)
    t = np.asarray(result.coords["time"])
    variables = result.variables
    right.plot(t, variables["efficacy"].values, label="input efficacy d (depression)")
    right.plot(t, variables["exogenous_field"].values, label="exogenous field A")
    right.plot(t, variables["endogenous_field"].values, label="endogenous field A")
    right.set(xlabel="time from cue onset (ms)", ylabel="value at the cued box",
              title="the slow processes")  # fmt: skip
    right.legend(fontsize=8)
    return fig
