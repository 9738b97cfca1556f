"""The visual-search experiment's findings against the published data and its labelled
data (see :mod:`.search`)."""

from __future__ import annotations

import math

import numpy as np

from ._base import Finding, Variable
from ._search_config import CONDITIONS
from ._search_trials import _Data
from ._timescale import TAU_MS

_TG = "Treisman & Gelade 1980; Wolfe 1998"
_TGOR = "Treisman & Gormican 1988"


def _index(name: str) -> int:
    return [c.name for c in CONDITIONS].index(name)


def _slope(data: _Data, name: str) -> float:
    fit = data.slopes.get(name)
    return fit.ms_per_item if fit is not None else math.nan


def _beyond_noise(diff: float, se: float) -> bool:
    """A difference in the stated direction by more than twice its standard error."""
    return math.isfinite(diff) and math.isfinite(se) and diff > 2 * se


def _feature_findings(data: _Data) -> list[Finding]:
    out = []
    for kind in ("colour", "orientation"):
        b = _slope(data, f"{kind}/present")
        out.append(Finding(f"{kind} search slope, target present", b,
                           "≈ 0 (< ~5–10 ms/item)", abs(b) < 10, _TG, "ms/item"))  # fmt: skip
    for kind in ("colour", "orientation"):
        b = _slope(data, f"{kind}/absent")
        out.append(Finding(f"{kind} search slope, target absent", b,
                           "shallow (< ~10 ms/item: efficient search)", abs(b) < 10,
                           "Wolfe 1998", "ms/item"))  # fmt: skip
    return out


def _conjunction_findings(data: _Data) -> list[Finding]:
    present = _slope(data, "conjunction/present")
    absent = _slope(data, "conjunction/absent")
    ratio = absent / present if present > 0 else math.nan
    return [
        Finding("conjunction search slope, target present", present, "~20–30 ms/item",
                15 <= present <= 35, _TG, "ms/item"),
        Finding("conjunction search slope, target absent", absent,
                "~40–60 ms/item (≈ 2× present)", 30 <= absent <= 70, _TG, "ms/item"),
        Finding("conjunction slope ratio absent / present", ratio, "≈ 2",
                1.5 <= ratio <= 2.5, _TG),
    ]  # fmt: skip


def _mean_difference(data: _Data, first: str, second: str) -> tuple[float, float]:
    """Mean RT of ``first`` minus ``second`` over their hits, and its standard error."""
    a = data.rt[_index(first)].ravel()
    b = data.rt[_index(second)].ravel()
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    if a.size < 2 or b.size < 2:
        return math.nan, math.nan
    se = math.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
    return float(a.mean() - b.mean()), se


def _asymmetry_findings(data: _Data) -> list[Finding]:
    diff, se = _mean_difference(data, "smaller/present", "larger/present")
    slope_diff = _slope(data, "smaller/present") - _slope(data, "larger/present")
    slope_se = math.hypot(data.se.get("smaller/present", math.nan),
                          data.se.get("larger/present", math.nan))  # fmt: skip
    hits = min(float(data.correct[_index(f"{k}/present")].mean()) for k in ("larger", "smaller"))
    return [
        Finding("asymmetry: mean RT smaller − larger target", diff,
                "> 0 beyond 2 SE (a larger among smaller is found faster)", _beyond_noise(diff, se),
                _TGOR, "ms"),
        Finding("asymmetry: slope smaller − larger target", slope_diff,
                "> 0 beyond 2 SE (larger among smaller more efficient)",
                _beyond_noise(slope_diff, slope_se), _TGOR, "ms/item"),
        Finding("asymmetry: hit rate of the harder of the two", hits, "both are found",
                hits >= 0.9, _TGOR),
    ]  # fmt: skip


def _guided_findings(data: _Data) -> list[Finding]:
    free, task = _slope(data, "conjunction/present"), _slope(data, "conjunction/task")
    ratio = task / free if free > 0 else math.nan
    se = math.hypot(data.se.get("conjunction/present", math.nan),
                    data.se.get("conjunction/task", math.nan))  # fmt: skip
    return [
        Finding("guided search: conjunction slope with the task / without", ratio,
                "< 1 beyond 2 SE (a known target guides search)",
                ratio < 1 and _beyond_noise(free - task, se), "Wolfe 1994"),
    ]  # fmt: skip


def _variables(data: _Data) -> dict[str, Variable]:
    dims = ("condition", "set_size", "seed")
    per = ("condition",)
    names = [c.name for c in CONDITIONS]
    fits = [data.slopes.get(n) for n in names]
    return {
        "rt_ms": Variable(dims, data.rt, {"unit": "ms", "tau_ms": TAU_MS,
                                          "note": "NaN on a miss"}),
        "fixations": Variable(dims, data.fixations, {"note": "up to the first on the target"}),
        "correct": Variable(dims, data.correct, {"note": "hit or correct rejection"}),
        "slope": Variable(per, np.array([f.ms_per_item if f else math.nan for f in fits]),
                          {"unit": "ms/item"}),
        "slope_se": Variable(per, np.array([data.se.get(n, math.nan) for n in names]),
                             {"unit": "ms/item"}),
        "intercept": Variable(per, np.array([f.intercept_ms if f else math.nan for f in fits]),
                              {"unit": "ms"}),
        "quit_threshold": Variable(per, data.thresholds,
                                   {"note": "activation threshold (absolute priority); 0: none"}),
    }  # fmt: skip
