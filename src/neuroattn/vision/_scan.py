"""The scanpath loop behind :class:`~neuroattn.vision.compete.WinnerTakeAll`.

Each map is a :class:`_Member` with its own clock and a small state machine:

``compete`` (waiting for a unit to cross threshold: the onset) → ``dwell`` (the winner
is held) → inhibition of return, a new competition from the current state … →
``release`` (after the last fixation: waiting for the last winner's rate to fall, which
gives its duration) → ``done``.

All members still running are simulated together, one batched network per chunk of
time; each takes from its chunk the part up to its next event (the input changes there)
and discards the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ..dynamics import simulate

if TYPE_CHECKING:
    from .compete import CompetitionTrace, Fixation, WinnerTakeAll


@dataclass
class _Member:
    """Mutable bookkeeping of one map's scanpath (times in units of τ)."""

    sal: np.ndarray
    gain: np.ndarray
    u: np.ndarray
    cfg: WinnerTakeAll
    n_wanted: int
    image_shape: tuple[int, int]
    t: float = 0.0
    phase: str = "compete"
    episode_start: float = 0.0
    dwell_left: float = 0.0
    inputs: np.ndarray = field(default_factory=lambda: np.zeros(0))
    ior_map: np.ndarray = field(default_factory=lambda: np.zeros(0))
    iors: list[tuple[np.ndarray, float]] = field(default_factory=list)
    fixations: list[dict[str, float]] = field(default_factory=list)
    pending: list[tuple[int, int]] = field(default_factory=list)
    seg_t: list[np.ndarray] = field(default_factory=list)
    seg_r: list[np.ndarray] = field(default_factory=list)

    # --- episodes ------------------------------------------------------------------------
    def ior_region(self, row: float, col: float) -> np.ndarray:
        """Where to inhibit after attending (row, col): a flat-topped disc of radius r,
        e^{−(d/r)⁴}, joined with the proto-object around the winner — the connected cells
        whose input is at least ``ior_extent`` of the winner's (Walther & Koch 2006), out
        to 3 r — so that a large salient region is inhibited as a whole."""
        import cv2

        h, w = self.sal.shape
        cfg = self.cfg
        cell = 0.5 * (self.image_shape[0] / h + self.image_shape[1] / w)
        r = cfg.ior_radius * max(self.image_shape) / cell
        yy, xx = np.mgrid[0:h, 0:w]
        d2 = ((yy - row) ** 2 + (xx - col) ** 2) / r**2
        region = np.exp(-(d2**2))
        if cfg.ior_extent > 0:
            i, j = round(row), round(col)
            above = (self.inputs >= cfg.ior_extent * self.inputs[i, j]).astype(np.uint8)
            _, labels = cv2.connectedComponents(above, connectivity=8)
            blob = (labels == labels[i, j]) & (d2 <= 9.0)
            region = np.maximum(region, blob)
        return region

    def ior_now(self) -> np.ndarray:
        """1 − Π_k (1 − s e^{−Δt/τ_IOR} R_k) over the inhibited regions R_k."""
        cfg = self.cfg
        keep = np.ones(self.sal.shape)
        for region, t0 in self.iors:
            amp = cfg.ior_strength * np.exp(-(self.t - t0) * cfg.tau_ms / cfg.ior_tau_ms)
            keep *= 1 - amp * region
        return 1 - keep

    def start_episode(self, compete: bool = True) -> None:
        """New input S (1 − IOR), scaled so that max g·I = 1; compete again if wanted."""
        self.ior_map = self.ior_now()
        x = self.sal * (1 - self.ior_map)
        top = float((self.gain * x).max())
        self.inputs = x / top if top > 0 else x
        salient = top > self.cfg.min_saliency * float((self.gain * self.sal).max())
        if compete and salient:
            self.phase = "compete"
            self.episode_start = self.t
        else:
            self.finish_competing()

    def finish_competing(self) -> None:
        self.phase = "release" if self.pending else "done"
        self.episode_start = self.t

    # --- one chunk -------------------------------------------------------------------------
    def advance(self, ts: np.ndarray, rates: np.ndarray, us: np.ndarray) -> None:
        """Take this member's part of a simulated chunk (ts from 0, rates (T, h, w))."""
        cfg = self.cfg
        flat = rates.reshape(len(ts), -1)
        last = len(ts) - 1
        cut, ior, onset = last, False, None
        if self.phase == "compete":
            onset = self._find_onset(ts, flat)
            if onset is not None:
                cut, ior = self._schedule_dwell(ts, onset[0] + cfg.dwell)
        elif self.phase == "dwell":
            cut, ior = self._schedule_dwell(ts, self.dwell_left)
        cut = self._check_offsets(ts, flat, cut)
        if onset is not None:
            self._record(onset)
        self.seg_t.append(self.t + ts[: cut + 1][1 if self.seg_t else 0 :])
        self.seg_r.append(rates[: cut + 1][1 if self.seg_r else 0 :].astype(np.float32))
        self.t += float(ts[cut])
        self.u = us[cut]
        if ior:  # at the location of the fixation just held
            held = self.fixations[-1]
            self.iors.append((self.ior_region(held["cell_row"], held["cell_col"]), self.t))
            self.start_episode(compete=len(self.fixations) < self.n_wanted)
        elif (
            self.phase in ("compete", "release") and self.t - self.episode_start >= cfg.max_latency
        ):
            if self.phase == "compete":
                self.finish_competing()
            else:
                self._close_pending(self.t)

    def _crossing(self, ts: np.ndarray, series: np.ndarray, k: int) -> float:
        """Time at which ``series`` crosses the threshold between saves k − 1 and k."""
        if k == 0:
            return float(ts[0])
        a, b = float(series[k - 1]), float(series[k])
        frac = (self.cfg.rate_threshold - a) / (b - a) if b != a else 1.0
        return float(ts[k - 1] + min(max(frac, 0.0), 1.0) * (ts[k] - ts[k - 1]))

    def _find_onset(self, ts: np.ndarray, flat: np.ndarray) -> tuple[float, int] | None:
        """Time (in the chunk) and unit of the first crossing by a unit that started below."""
        thr = self.cfg.rate_threshold
        fresh = np.flatnonzero(flat[0] < thr)
        hit = (flat[:, fresh] >= thr).any(axis=1)
        if not hit.any():
            return None
        k = int(np.argmax(hit))
        crossed = fresh[flat[k, fresh] >= thr]
        times = [self._crossing(ts, flat[:, i], k) for i in crossed]
        j = int(np.argmin(times))
        return times[j], int(crossed[j])

    def _schedule_dwell(self, ts: np.ndarray, t_ior: float) -> tuple[int, bool]:
        """Cut at the first saved time ≥ ``t_ior`` (inhibition of return), if in the chunk."""
        last = len(ts) - 1
        k = int(np.searchsorted(ts, t_ior - 1e-9))
        if k <= last:
            self.phase = "compete"
            return k, True
        self.phase = "dwell"
        self.dwell_left = t_ior - float(ts[last])
        return last, False

    def _check_offsets(self, ts: np.ndarray, flat: np.ndarray, cut: int) -> int:
        """Durations of earlier winners whose rate fell below threshold by ``cut``.

        In the release phase the chunk is cut at the last such offset.
        """
        thr = self.cfg.rate_threshold
        still, latest = [], 0
        for unit, idx in self.pending:
            below = flat[: cut + 1, unit] < thr
            if below.any():
                k = int(np.argmax(below))
                latest = max(latest, k)
                self._set_duration(idx, self.t + self._crossing(ts, flat[:, unit], k))
            else:
                still.append((unit, idx))
        self.pending = still
        if self.phase == "release" and not still:
            self.phase = "done"
            return latest
        return cut

    def _set_duration(self, idx: int, t_off: float) -> None:
        fix = self.fixations[idx]
        fix["end"] = t_off
        fix["duration"] = (t_off - fix["onset"]) * self.cfg.tau_ms

    def _close_pending(self, t_end: float) -> None:
        for _, idx in self.pending:
            self._set_duration(idx, t_end)
        self.pending = []
        self.phase = "done"

    def _record(self, onset: tuple[float, int]) -> None:
        t_local, unit = onset
        h, w = self.sal.shape
        row, col = divmod(unit, w)
        r0, r1, c0, c1 = max(row - 1, 0), min(row + 2, h), max(col - 1, 0), min(col + 2, w)
        # sub-cell position: centre of mass of the winner's input in its 3 × 3 neighbourhood
        patch = np.reshape(self.inputs, (h, w))[r0:r1, c0:c1]
        yy, xx = np.mgrid[r0:r1, c0:c1]
        mass = float(patch.sum())
        rc = float((patch * yy).sum() / mass) if mass > 0 else float(row)
        cc = float((patch * xx).sum() / mass) if mass > 0 else float(col)
        t_on = self.t + t_local
        H, W = self.image_shape
        self.fixations.append({
            "x": (cc + 0.5) * W / w, "y": (rc + 0.5) * H / h, "row": rc, "col": cc,
            "cell_row": row, "cell_col": col,
            "onset": t_on, "end": t_on, "duration": 0.0,
            "latency": (t_on - self.episode_start) * self.cfg.tau_ms,
            "saliency": float(self.sal[row, col]),
        })  # fmt: skip
        self.pending.append((unit, len(self.fixations) - 1))

    # --- results ---------------------------------------------------------------------------
    def result(self) -> tuple[tuple[Fixation, ...], CompetitionTrace]:
        from .compete import CompetitionTrace, Fixation

        tau = self.cfg.tau_ms
        fixes = tuple(
            Fixation(f["x"], f["y"], f["onset"] * tau, f["duration"], f["latency"], f["saliency"])
            for f in self.fixations
        )
        h, w = self.sal.shape
        t = np.concatenate(self.seg_t) * tau if self.seg_t else np.zeros(0)
        r = np.concatenate(self.seg_r).reshape(-1, h, w) if self.seg_r else np.zeros((0, h, w))
        ior = self.ior_now()
        return fixes, CompetitionTrace(t, r.astype(np.float32), ior, self.cfg.rate_threshold)


def run_scanpaths(
    cfg: WinnerTakeAll,
    stack: np.ndarray,
    gains: np.ndarray,
    n_fixations: int,
    image_shape: tuple[int, int],
    rng: np.random.Generator,
) -> list[tuple[tuple[Fixation, ...], CompetitionTrace]]:
    """Scanpaths of a stack of maps ``(B, h, w)`` with gains ``(B, h, w)``."""
    h, w = stack.shape[-2:]
    state = (h * w,) if cfg.model == "wta" else (h, w)
    members = []
    for sal, gain in zip(stack, gains, strict=True):
        peak = float(sal.max())
        m = _Member(sal / peak if peak > 0 else sal, np.asarray(gain, float), np.zeros(state),
                    cfg, n_fixations, image_shape)  # fmt: skip
        m.start_episode()
        members.append(m)
    method = "euler_maruyama" if cfg.noise > 0 else "euler"
    while active := [m for m in members if m.phase != "done"]:
        model = cfg.network((h, w), np.stack([m.gain for m in active]))
        inputs = np.stack([np.reshape(m.inputs, state) for m in active])
        traj = simulate(
            model, inputs, t_span=(0.0, cfg.chunk), dt=cfg.dt, method=method,
            u0=np.stack([m.u for m in active]), save_every=cfg.save_dt, noise=cfg.noise,
            seed=rng,
        )  # fmt: skip
        ts = np.asarray(traj.t)
        for b, m in enumerate(active):
            m.advance(ts, np.asarray(traj.rates[:, b]), np.asarray(traj.u[:, b]))
    return [m.result() for m in members]
