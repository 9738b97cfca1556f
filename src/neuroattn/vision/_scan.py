"""The scanpath loop behind :class:`~neuroattn.vision.compete.WinnerTakeAll`.

Each map is a :class:`MapScan` with its own clock and a small state machine
(:class:`Phase`):

``COMPETE`` (waiting for a unit to cross threshold: the onset) → ``DWELL`` (the winner is
held) → inhibition of return, a new competition from the current state … → ``RELEASE``
(after the last fixation: waiting for the last winner's rate to fall, which gives its
duration) → ``DONE``.

All maps still running are simulated together, one batched network per chunk of time (the
caller's :data:`ChunkSimulator`); each takes from its chunk the part up to its next event
(the input changes there) and discards the rest. The loop knows the competition's settings
only through :class:`ScanRules`, so it needs nothing of :mod:`.compete`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum

import numpy as np

from ._ior import InhibitionOfReturn
from ._normalize import unit_max
from ._records import CompetitionTrace, Fixation

ChunkSimulator = Callable[
    [np.ndarray, np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]
]
"""``simulate(gains, inputs, u0) -> (t, rates, u)``: one chunk of the batched network.

``gains`` and ``inputs`` are ``(B, h, w)``, ``u0`` is ``(B, *state_shape)``; ``t`` is
``(T,)`` from 0, ``rates`` ``(T, B, …)`` and ``u`` ``(T, B, *state_shape)``.
"""

Refresh = Callable[[float, float], tuple[np.ndarray, np.ndarray, np.ndarray]]
"""``refresh(x, y) -> (saliency, gain, field)``: the closed loop after a fixation at (x, y).

Called once per fixation that is followed by another competition, with the fixation in
image pixels; returns the new saliency, input-gain and spatial-field maps (the map's
shape), which the next competition uses (inhibition of return still applies).
"""


class Phase(Enum):
    """Where one map's scanpath is."""

    COMPETE = "compete"  # waiting for a unit to cross threshold (the onset)
    DWELL = "dwell"  # the winner is held until inhibition of return
    RELEASE = "release"  # after the last fixation: waiting for the winners' rates to fall
    DONE = "done"


@dataclass(frozen=True)
class ScanRules:
    """What the scanpath loop needs of the competition's settings (times in units of τ).

    Attributes
    ----------
    rate_threshold : float
        The rate whose upward crossing is a fixation onset (and downward, its offset).
    dwell : float
        Time the winner is held before inhibition of return.
    max_latency : float
        Give-up time of one competition (and of waiting for the last offsets).
    min_saliency : float
        The scanpath ends when the strongest remaining input is below this fraction of
        the map's maximum.
    tau_ms : float
        τ in milliseconds.
    ior : InhibitionOfReturn
    drive : float
        κ of the absolute drive: each competition's input, scaled so that its strongest
        location has one, is multiplied by 1 + κ p_max, p_max the strongest remaining
        absolute priority (0: off).
    quit_threshold : float
        The activation threshold: after the first fixation, the scan ends when no
        remaining location's absolute priority exceeds it (0: off).
    """

    rate_threshold: float
    dwell: float
    max_latency: float
    min_saliency: float
    tau_ms: float
    ior: InhibitionOfReturn
    drive: float = 0.0
    quit_threshold: float = 0.0


@dataclass
class _FixationRecord:
    """A fixation while its scanpath runs (onset in units of τ; becomes a Fixation)."""

    x: float  # image pixels
    y: float
    cell: tuple[int, int]  # (row, col) of the winning unit
    onset: float  # units of τ
    latency_ms: float
    saliency: float
    duration_ms: float = 0.0

    def to_fixation(self, tau_ms: float) -> Fixation:
        return Fixation(
            self.x, self.y, self.onset * tau_ms, self.duration_ms, self.latency_ms, self.saliency
        )


@dataclass
class MapScan:
    """One map's scanpath in progress: its clock, phase, inputs and saved trace.

    Times are in units of τ. ``saliency`` has maximum one and ``peak`` is its maximum in
    absolute units (the absolute priority is ``peak`` · g · S (1 − IOR)); ``inputs`` is the
    current input of the network, S (1 − IOR) scaled so that max g·I = 1 (times
    1 + κ p_max with the absolute drive κ).
    """

    saliency: np.ndarray
    gain: np.ndarray
    state: np.ndarray
    rules: ScanRules
    n_fixations: int
    image_shape: tuple[int, int]
    clock: float = 0.0
    phase: Phase = Phase.COMPETE
    competition_start: float = 0.0
    dwell_left: float = 0.0
    inputs: np.ndarray = field(default_factory=lambda: np.zeros(0))
    inhibited: list[tuple[np.ndarray, float]] = field(default_factory=list)
    fixations: list[_FixationRecord] = field(default_factory=list)
    above_threshold: list[tuple[int, int]] = field(default_factory=list)  # (unit, fixation)
    saved_t: list[np.ndarray] = field(default_factory=list)
    saved_rates: list[np.ndarray] = field(default_factory=list)
    refresh: Refresh | None = None
    field: np.ndarray | None = None  # A_space at map level; None: one
    peak: float = 1.0  # the saliency's maximum in absolute units

    # --- competitions ----------------------------------------------------------------------
    def ior_now(self) -> np.ndarray:
        """Inhibition of return (0 none … 1 full) over the map at the current time."""
        return self.rules.ior.amount(
            self.inhibited, self.clock, self.rules.tau_ms, self.saliency.shape
        )

    def start_competition(self, compete: bool = True) -> None:
        """New input A·S (1 − IOR), scaled so that max g·S (1 − IOR) = 1 (times 1 + κ p_max
        with the absolute drive); compete again if wanted, something salient is left and,
        after a fixation, some remaining priority exceeds the activation threshold; else
        stop competing.

        The spatial attention field A multiplies the input after the scaling, so that a
        cued location's units are driven harder (up to the field's peak) and answer
        sooner, while the others meet a stronger competitor.
        """
        remaining = self.saliency * (1 - self.ior_now())
        top = float((self.gain * remaining).max())
        priority = self.peak * top  # p_max: never rescaled
        self.inputs = remaining / top if top > 0 else remaining
        if self.rules.drive > 0:
            self.inputs = self.inputs * (1.0 + self.rules.drive * priority)
        if self.field is not None:
            self.inputs = self.inputs * self.field
        salient = top > self.rules.min_saliency * float((self.gain * self.saliency).max())
        quit_ = self.rules.quit_threshold > 0 and priority <= self.rules.quit_threshold
        if self.fixations and quit_:
            salient = False  # Guided Search: nothing left above the activation threshold
        if compete and salient:
            self.phase = Phase.COMPETE
            self.competition_start = self.clock
        else:
            self.stop_competing()

    def stop_competing(self) -> None:
        """No more onsets: wait for the winners' offsets, or be done."""
        self.phase = Phase.RELEASE if self.above_threshold else Phase.DONE
        self.competition_start = self.clock

    # --- one chunk -------------------------------------------------------------------------
    def advance(self, ts: np.ndarray, rates: np.ndarray, states: np.ndarray) -> None:
        """Take this map's part of a simulated chunk (``ts`` from 0, ``rates`` (T, …))."""
        flat = rates.reshape(len(ts), -1)
        inhibit, onset, t_ior = False, None, None
        if self.phase is Phase.COMPETE:
            onset = self._find_onset(ts, flat)
            if onset is not None:
                t_ior = onset[0] + self.rules.dwell
        elif self.phase is Phase.DWELL:
            t_ior = self.dwell_left
        if t_ior is not None:
            inhibit = self._schedule_dwell(ts, t_ior)
            if inhibit:  # the chunk ends where inhibition of return starts
                ts, rates, states = _truncate(ts, t_ior, rates, states)
                flat = rates.reshape(len(ts), -1)
        cut = self._check_offsets(ts, flat, len(ts) - 1)
        if onset is not None:
            self._record(*onset)
        self._keep_until(ts, rates, states, cut)
        if inhibit:  # at the location of the fixation just held
            last = self.fixations[-1]
            more = len(self.fixations) < self.n_fixations
            around = self.inputs
            if more and self.refresh is not None:  # the closed loop: feedback → encoding
                sal, gain, field = self.refresh(last.x, last.y)
                self.saliency, self.gain = unit_max(np.asarray(sal, float)), np.asarray(gain, float)
                self.field = np.asarray(field, float)
                around = self.saliency * (1 - self.ior_now())  # the object as now encoded
            region = self.rules.ior.region(around, *last.cell, self.image_shape)
            self.inhibited.append((region, self.clock))
            self.start_competition(compete=more)
        elif (
            self.phase in (Phase.COMPETE, Phase.RELEASE)
            and self.clock - self.competition_start >= self.rules.max_latency
        ):
            if self.phase is Phase.COMPETE:
                self.stop_competing()
            else:
                self._close_pending(self.clock)

    def _keep_until(self, ts: np.ndarray, rates: np.ndarray, states: np.ndarray, cut: int) -> None:
        """Save the chunk up to save ``cut`` and move the clock and state there."""
        first = 1 if self.saved_t else 0  # the chunk's first save repeats the last one
        self.saved_t.append(self.clock + ts[: cut + 1][first:])
        self.saved_rates.append(rates[: cut + 1][first:].astype(np.float32))
        self.clock += float(ts[cut])
        self.state = states[cut]

    def _crossing(self, ts: np.ndarray, series: np.ndarray, k: int) -> float:
        """Time at which ``series`` crosses the threshold between saves k − 1 and k."""
        if k == 0:
            return float(ts[0])
        a, b = float(series[k - 1]), float(series[k])
        frac = (self.rules.rate_threshold - a) / (b - a) if b != a else 1.0
        return float(ts[k - 1] + min(max(frac, 0.0), 1.0) * (ts[k] - ts[k - 1]))

    def _find_onset(self, ts: np.ndarray, flat: np.ndarray) -> tuple[float, int] | None:
        """Time (in the chunk) and unit of the first crossing by a unit that started below."""
        thr = self.rules.rate_threshold
        fresh = np.flatnonzero(flat[0] < thr)
        hit = (flat[:, fresh] >= thr).any(axis=1)
        if not hit.any():
            return None
        k = int(np.argmax(hit))
        crossed = fresh[flat[k, fresh] >= thr]
        times = [self._crossing(ts, flat[:, i], k) for i in crossed]
        j = int(np.argmin(times))
        return times[j], int(crossed[j])

    def _schedule_dwell(self, ts: np.ndarray, t_ior: float) -> bool:
        """True when inhibition of return (at ``t_ior`` into the chunk) falls in the chunk;
        else hold the winner into the next one."""
        if t_ior <= float(ts[-1]) + 1e-9:
            self.phase = Phase.COMPETE
            return True
        self.phase = Phase.DWELL
        self.dwell_left = t_ior - float(ts[-1])
        return False

    def _check_offsets(self, ts: np.ndarray, flat: np.ndarray, cut: int) -> int:
        """Durations of earlier winners whose rate fell below threshold by ``cut``.

        In the release phase the chunk is cut at the last such offset.
        """
        thr = self.rules.rate_threshold
        still, latest = [], 0
        for unit, index in self.above_threshold:
            below = flat[: cut + 1, unit] < thr
            if below.any():
                k = int(np.argmax(below))
                latest = max(latest, k)
                self._set_duration(index, self.clock + self._crossing(ts, flat[:, unit], k))
            else:
                still.append((unit, index))
        self.above_threshold = still
        if self.phase is Phase.RELEASE and not still:
            self.phase = Phase.DONE
            return latest
        return cut

    def _set_duration(self, index: int, t_off: float) -> None:
        fixation = self.fixations[index]
        fixation.duration_ms = (t_off - fixation.onset) * self.rules.tau_ms

    def _close_pending(self, t_end: float) -> None:
        """Give up waiting: winners still above threshold end at ``t_end``."""
        for _, index in self.above_threshold:
            self._set_duration(index, t_end)
        self.above_threshold = []
        self.phase = Phase.DONE

    def _record(self, t_local: float, unit: int) -> None:
        """A fixation on ``unit`` at ``t_local`` into the current chunk."""
        h, w = self.saliency.shape
        row, col = divmod(unit, w)
        r0, r1, c0, c1 = max(row - 1, 0), min(row + 2, h), max(col - 1, 0), min(col + 2, w)
        # sub-cell position: centre of mass of the winner's input in its 3 × 3 neighbourhood
        patch = self.inputs[r0:r1, c0:c1]
        yy, xx = np.mgrid[r0:r1, c0:c1]
        mass = float(patch.sum())
        rc = float((patch * yy).sum() / mass) if mass > 0 else float(row)
        cc = float((patch * xx).sum() / mass) if mass > 0 else float(col)
        onset = self.clock + t_local
        height, width = self.image_shape
        self.fixations.append(
            _FixationRecord(
                x=(cc + 0.5) * width / w,
                y=(rc + 0.5) * height / h,
                cell=(row, col),
                onset=onset,
                latency_ms=(onset - self.competition_start) * self.rules.tau_ms,
                saliency=float(self.saliency[row, col]),
            )
        )
        self.above_threshold.append((unit, len(self.fixations) - 1))

    # --- results ---------------------------------------------------------------------------
    def result(self) -> tuple[tuple[Fixation, ...], CompetitionTrace]:
        """The fixations and the trace (times in ms)."""
        tau = self.rules.tau_ms
        fixations = tuple(f.to_fixation(tau) for f in self.fixations)
        h, w = self.saliency.shape
        t = np.concatenate(self.saved_t) * tau if self.saved_t else np.zeros(0)
        if self.saved_rates:
            rates = np.concatenate(self.saved_rates).reshape(-1, h, w)
        else:
            rates = np.zeros((0, h, w))
        trace = CompetitionTrace(
            t, rates.astype(np.float32), self.ior_now(), self.rules.rate_threshold
        )
        return fixations, trace


def _truncate(ts: np.ndarray, t: float, *series: np.ndarray) -> tuple[np.ndarray, ...]:
    """The saves up to time ``t``, the last one interpolated linearly at ``t``."""
    k = int(np.searchsorted(ts, t - 1e-9))
    if k == 0 or k >= len(ts) or abs(float(ts[k]) - t) <= 1e-9:
        k = min(k, len(ts) - 1)
        return (ts[: k + 1], *(x[: k + 1] for x in series))
    w = (t - float(ts[k - 1])) / float(ts[k] - ts[k - 1])
    cut = [np.concatenate([ts[:k], [t]])]
    for x in series:
        at_t = (1 - w) * x[k - 1] + w * x[k]
        cut.append(np.concatenate([x[:k], at_t[None].astype(x.dtype)]))
    return tuple(cut)


def run_scanpaths(
    rules: ScanRules,
    saliency: np.ndarray,
    gains: np.ndarray,
    n_fixations: int,
    image_shape: tuple[int, int],
    simulate_chunk: ChunkSimulator,
    state_shape: tuple[int, ...],
    refresh: Sequence[Refresh | None] | None = None,
    fields: np.ndarray | None = None,
    peaks: np.ndarray | None = None,
) -> list[tuple[tuple[Fixation, ...], CompetitionTrace]]:
    """Scanpaths of a stack of maps ``(B, h, w)`` with gains ``(B, h, w)``.

    ``simulate_chunk`` runs the batched network of the maps still scanning for one chunk;
    ``state_shape`` is the shape of one map's network state; ``refresh`` (one per map,
    or None) closes the loop after each fixation (:data:`Refresh`); ``fields``
    ``(B, h, w)`` are the spatial attention fields of the first competitions (None: one);
    ``peaks`` ``(B,)`` the maps' maxima in absolute units (None: each map's own maximum).
    """
    scans = []
    loops = list(refresh) if refresh is not None else [None] * len(saliency)
    first = [None] * len(saliency) if fields is None else list(fields)
    tops = saliency.max(axis=(-2, -1)) if peaks is None else np.asarray(peaks, float)
    for sal, gain, loop, att, top in zip(saliency, gains, loops, first, tops, strict=True):
        scan = MapScan(
            unit_max(sal),
            np.asarray(gain, float),
            np.zeros(state_shape),
            rules,
            n_fixations,
            image_shape,
            refresh=loop,
            field=None if att is None else np.asarray(att, float),
            peak=float(top),
        )
        scan.start_competition()
        scans.append(scan)
    while running := [s for s in scans if s.phase is not Phase.DONE]:
        ts, rates, states = simulate_chunk(
            np.stack([s.gain for s in running]),
            np.stack([s.inputs for s in running]),
            np.stack([s.state for s in running]),
        )
        for b, scan in enumerate(running):
            scan.advance(ts, rates[:, b], states[:, b])
    return [scan.result() for scan in scans]
