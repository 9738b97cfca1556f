"""The streaming experiment's boundaries read off its map, and its findings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ._base import Finding

if TYPE_CHECKING:
    from ..hearing import StreamingResult

_VN = "van Noorden 1975"
_PH = "Pressnitzer & Hupé 2006, Curr Biol 16"
TOLERANCE_ST = 3.0
"""Ours: a model boundary within this many semitones of the published one agrees."""
MIN_PHASE_S = 1.5
"""Ours: the least mean phase duration (s) taken for the "several seconds" of Pressnitzer &
Hupé (2006), whose listeners' mean phases at Δf 5-7 semitones lasted several seconds."""


def _crossing(x: np.ndarray, y: np.ndarray, level: float, below: bool) -> float:
    """The first x where y falls below (``below``) or to ``level``, interpolated linearly;
    NaN when y never does or already does at x[0]."""
    hit = np.flatnonzero(y < level) if below else np.flatnonzero(y <= level)
    if hit.size == 0 or hit[0] == 0:
        return float("nan")
    i = int(hit[0])
    x0, x1, y0, y1 = x[i - 1], x[i], y[i - 1], y[i]
    return float(x0 + (x1 - x0) * (y0 - level) / (y0 - y1)) if y0 != y1 else float(x1)


def boundaries(delta_f: np.ndarray, one_stream: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(TCB, FB) per TRT from P(one stream) of shape (Δf, TRT): the TCB where P first falls
    to 0.1, the FB where it first falls below 0.9 (NaN: not within the grid)."""
    cols = one_stream.T
    tcb = np.array([_crossing(delta_f, p, 0.1, below=False) for p in cols])
    fb = np.array([_crossing(delta_f, p, 0.9, below=True) for p in cols])
    return tcb, fb


def _published_at(points: tuple[tuple[float, float], ...], trt: float) -> float:
    (t0, v0), (t1, v1) = points
    return v0 + (v1 - v0) * (trt - t0) / (t1 - t0)


def findings(
    config: Any, grid: StreamingResult, trials: StreamingResult, tcb: np.ndarray,
    fb: np.ndarray, shape: float, published_tcb: tuple[tuple[float, float], ...],
    published_fb: tuple[tuple[float, float], ...],
) -> tuple[Finding, ...]:  # fmt: skip
    """The rows of the validation table (directions from the literature, values from the
    model; see :mod:`.streaming`)."""
    df, trt = np.asarray(config.delta_f), np.asarray(config.trt_ms)
    one = grid.one_stream_fraction()
    slow, fast = int(np.argmax(trt)), int(np.argmin(trt))
    i1, i12 = int(np.flatnonzero(df == 1.0)[0]), int(np.flatnonzero(df == 12.0)[0])
    switching = (one > 0.1) & (one < 0.9) & (grid.switches() > 0)
    beyond = float(df.max())  # a TCB beyond the grid is at least its largest Δf
    rise = np.nan_to_num(tcb[slow], nan=beyond) - tcb[fast]
    ordered = float(np.mean([not (f >= t) for f, t in zip(fb, tcb, strict=True)]))
    first = float(np.mean(trials.first_percept() == 1))
    b = config.buildup_s
    early, late = trials.two_stream_probability([0.0, b / 4, b / 2, b])[[0, 2]]
    pub_fast = _published_at(published_tcb, float(trt[fast]))
    pub_slow = _published_at(published_tcb, float(trt[slow]))
    fb_slow = _published_at(published_fb, float(trt[slow]))
    durations = trials.phase_durations()
    mean_phase = float(durations.mean()) if durations.size else float("nan")
    cond = f"delta_f {config.bistable_delta_f:g}, TRT {config.bistable_trt_ms:g} ms"
    return (
        Finding(f"one stream at 1 semitone, TRT {trt[slow]:g} ms (slowest)", 100 * one[i1, slow],
                ">= 90 % (coherent)", bool(one[i1, slow] >= 0.9), _VN, "% of cycles"),
        Finding(f"one stream at 12 semitones, TRT {trt[fast]:g} ms (fastest)",
                100 * one[i12, fast], "<= 10 % (segregated)", bool(one[i12, fast] <= 0.1), _VN,
                "% of cycles"),
        Finding("grid points between the boundaries (10-90 % one stream, switching)",
                float(switching.sum()), "> 0 (bistable between FB and TCB)",
                bool(switching.sum() > 0), _VN + "; " + _PH),
        Finding("TCB rise from the fastest to the slowest TRT (beyond the grid: its largest "
                "delta_f)", float(rise), "> 0 (rises steeply with the TRT)", bool(rise > 0),
                _VN, "semitones"),
        Finding(f"TCB at TRT {trt[fast]:g} ms", float(tcb[fast]),
                f"~{pub_fast:.3g} semitones (+/- {TOLERANCE_ST:g}, read from the figure)",
                bool(abs(tcb[fast] - pub_fast) <= TOLERANCE_ST), _VN, "semitones"),
        Finding(f"TCB at TRT {trt[slow]:g} ms", float(tcb[slow]),
                f"~{pub_slow:.3g} semitones (+/- {TOLERANCE_ST:g}, read from the figure)",
                bool(abs(tcb[slow] - pub_slow) <= TOLERANCE_ST), _VN, "semitones"),
        Finding("TRTs where the FB lies below the TCB", 100 * ordered, "100 % (FB < TCB)",
                bool(ordered == 1.0), _VN, "%"),
        Finding(f"FB at TRT {trt[slow]:g} ms (beyond the grid: NaN)", float(fb[slow]),
                f"~{fb_slow:.3g} semitones (+/- {TOLERANCE_ST:g}, read from the figure; "
                "flat over the TRT)", bool(abs(fb[slow] - fb_slow) <= TOLERANCE_ST), _VN,
                "semitones"),
        Finding(f"gamma shape of the phase durations ({cond})", float(shape),
                "> 1 (unimodal, right-skewed; not exponential)", bool(shape > 1.0), _PH),
        Finding(f"trials whose first percept is one stream ({cond})", 100 * first,
                ">= 50 % (usually one stream first)", bool(first >= 0.5), _PH, "%"),
        Finding(f"build-up: P(two streams) at {b / 2:g}-{b:g} s minus at 0-{b / 4:g} s",
                100 * float(late - early), "> 0 (segregation builds up over seconds)",
                bool(late > early), "Anstis & Saida 1985; " + _PH, "points"),
        Finding(f"mean phase duration ({cond})", mean_phase,
                f">= {MIN_PHASE_S:g} s (several seconds)", bool(mean_phase >= MIN_PHASE_S), _PH,
                "s"),
    )  # fmt: skip
