r"""Stage 3, competition: a winner-take-all network picks where attention goes, and when.

The saliency map S (at 1/16 of the image side by default) is the input of a
competition network from :mod:`neuroattn.dynamics`, one unit per map cell:

.. math::

    τ \frac{du_i}{dt} = -u_i + α f(u_i) - β \sum_{j \ne i} f(u_j) + g_i I_i,
    \qquad f(u) = \max(u - θ, 0)

(:class:`~neuroattn.dynamics.LateralInhibition`; ``model="field"`` uses a 2-D Amari
:class:`~neuroattn.dynamics.NeuralField` with local excitation and broad inhibition
instead). I is the saliency map times (1 − IOR), scaled so that the strongest remaining
location has g·I = 1; g is the top-down gain map of the feedback stage (one without a
task). Every unit integrates its input; units above θ inhibit the others; the leading
unit's self-excitation carries its rate past ``rate_threshold`` only once the competition
is resolved, and that crossing is the **fixation onset** — the winner is whatever the
simulated dynamics settle on, and the **latency** is how long they take (long when two
locations are nearly equally salient). After ``dwell`` the winner's location receives
**inhibition of return**: the input is suppressed (by ``ior_strength``, decaying with
time constant ``ior_tau_ms``) over a flat-topped disc exp(−(d/r)⁴) of radius
``ior_radius`` joined with the proto-object around the winner (the connected region
whose input is at least ``ior_extent`` of the winner's, after Walther & Koch 2006);
the winner's activity collapses (the **duration** of the fixation is the time its rate
stays above threshold), the other units are released and the next winner emerges from
the state the network is in (a warm start, not a reset). Time is in units of τ;
``tau_ms`` converts it to milliseconds.

The scanpaths of a batch of maps are simulated together, as one batched network per
chunk of time; each map keeps its own clock.

**Numerics.** By default (``method="auto"``) the WTA network without noise is solved
exactly: with f(u) = max(u − θ, 0) it is linear between threshold crossings, and
:mod:`._exact` evaluates the closed-form solution and finds every crossing by Newton's
method, so there is no step size, and a flat plateau of input (dozens of units above θ at
once, a stiff system for an explicit integrator) is as exact as a single peak. The neural
field, and the WTA network with ``method="rk4"``, are integrated by classical
Runge–Kutta (step ``dt``, 0.25 τ); with noise by Euler–Maruyama (``method="euler"``,
step at most 0.05 τ). These steps are shortened where many units are above or near θ (the
collective mode of k active units decays at 1 − α + β(k − 1): step × rate is kept below
2 for RK4, 1 for Euler), and a chunk in which more units became active than its step
allowed is simulated again with a shorter one. Onsets and offsets are interpolated
linearly between saves (every ``save_dt``), and inhibition of return starts exactly
``dwell`` after the onset (the state there interpolated between saves). Fixation onsets
are within 0.2 % of a reference integration (Euler at 0.002 τ) — forward Euler at 0.25 τ,
the former default, was 4–10 % late — and search slopes move by less than 1 % between
the exact solution and RK4 at dt = 0.25 or 0.125 (``tests/vision/test_scan_accuracy.py``).

**Bounded work.** Before simulating, the worst case of one scanpath — every competition
running to ``max_latency`` and every fixation held for ``dwell`` — is counted in
unit-steps (network units × integration steps); more than ``max_work`` is refused with a
ValueError that says how to raise it.

References
----------
Koch, C. & Ullman, S. (1985). Shifts in selective visual attention: towards the
underlying neural circuitry. Human Neurobiology 4, 219–227.
Itti, L., Koch, C. & Niebur, E. (1998). IEEE PAMI 20(11), 1254–1259 (WTA and IOR).
Amari, S. (1977). Biological Cybernetics 27, 77–87 (the neural field).
Walther, D. & Koch, C. (2006). Modeling attention to salient proto-objects. Neural
Networks 19, 1395–1407.
Klein, R. (1988). Inhibitory tagging system facilitates visual search. Nature 334,
430–431.
Itti, L. & Koch, C. (2000). Vision Research 40, 1489–1506 (integrate-and-fire saliency map).
Wolfe, J. M. (1994). Guided Search 2.0. Psychonomic Bulletin & Review 1, 202–238.
Chun, M. M. & Wolfe, J. M. (1996). Cognitive Psychology 30, 39–78 (quitting).
Samuel, A. G. & Kat, D. (2003). Inhibition of return: a graphical meta-analysis of its
time course. Psychonomic Bulletin & Review 10, 897–906.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

from ..dynamics import Activation, LateralInhibition, Model, NeuralField
from ..dynamics.checks import check_choice, check_integer, check_number
from ._exact import Network
from ._ior import InhibitionOfReturn
from ._records import CompetitionTrace, Fixation
from ._scan import Refresh, ScanRules, run_scanpaths
from ._stepping import EULER_MAX_DT, ChunkIntegrator, stable_step

__all__ = ["METHODS", "MODELS", "CompetitionTrace", "Fixation", "WinnerTakeAll", "relu_threshold"]

MODELS = ("wta", "field")
METHODS = ("auto", "exact", "rk4", "euler")

_POSITIVE = (
    "tau_ms",
    "dt",
    "save_dt",
    "chunk",
    "max_latency",
    "ior_radius",
    "ior_tau_ms",
    "rate_threshold",
    "field_sigma",
    "max_work",
)
STEP_OVERHEAD_UNITS = 2000  # the fixed cost of one step (~30 µs) in units (~15 ns each)
_NON_NEGATIVE = ("beta", "dwell", "ior_extent", "min_saliency", "noise", "threshold",
                 "priority_drive", "quit_threshold")  # fmt: skip


def relu_threshold(theta: float) -> Activation:
    """Rate function f(u) = max(u − θ, 0): units below θ are silent and inhibit no one."""

    def f(u: Any) -> Any:
        return np.maximum(u - theta, 0.0)

    def df(u: Any) -> Any:
        return (u > theta).astype(np.asarray(u).dtype)

    return Activation(f"relu(θ={theta:g})", f, df, f)


@dataclass(frozen=True)
class WinnerTakeAll:
    """Stage 3: saliency map → scanpath of fixations (see the module docstring).

    Parameters
    ----------
    model : {"wta", "field"}
        Lateral-inhibition WTA (fast) or 2-D Amari neural field (local excitation of
        width ``field_sigma`` cells; slower, through the FFT on grids over 256 cells).
    alpha, beta : float
        Self-excitation α (< 1) and lateral inhibition β of the network.
    threshold : float
        θ of the rate function f(u) = max(u − θ, 0).
    rate_threshold : float
        Rate at which the leading unit counts as having won (fixation onset). The
        winner's plateau is (1 − θ)/(1 − α); two tied units stay near
        (1 − θ)/(1 − α + β), below this threshold.
    tau_ms : float
        τ in milliseconds. 7 ms makes attention shift about every 50 ms in a search
        display (30–70 ms in Itti & Koch 2000) and gives conjunction-search slopes of
        about 25 ms/item with the target present and a bit over twice that without, as
        Treisman & Gelade (1980) and Wolfe (1998) report; feature search stays flat.
        Calibrated on ``search_array`` seeds 20000–20031 (default display: 24.5 and 56.1
        ms/item); tested on other seeds and on displays drawn differently
        (``tests/vision/test_search.py``).
    method : {"auto", "exact", "rk4", "euler"}
        How the network is solved (see Numerics in the module docstring): ``"auto"`` is
        ``"exact"`` for the WTA network without noise, ``"rk4"`` for the neural field,
        ``"euler"`` (Euler–Maruyama, step at most 0.05) with noise. ``"exact"`` needs
        ``model="wta"`` and no noise; ``"euler"`` needs ``dt`` <= 0.05.
    dt : float
        Largest integration step of ``"rk4"`` and ``"euler"`` in units of τ (shortened
        where the competition is stiff; unused by ``"exact"``).
    save_dt : float
        Interval of the saved states: the resolution of the trace; onset and offset
        times are interpolated linearly between saves.
    chunk, max_latency, dwell : float
        Simulated time per batched call (at least ``save_dt``), give-up time of one
        competition, and time the winner is held before inhibition of return, all in
        units of τ.
    ior_radius : float
        Radius of inhibition of return as a fraction of the longer image side.
    ior_extent : float
        Inhibition of return also covers the proto-object around the winner: the
        connected cells whose input is at least this fraction of the winner's (out to
        3 × ``ior_radius``); 0 turns this off.
    ior_strength : float
        Peak suppression of the input (1 = complete).
    ior_tau_ms : float
        Decay time constant of inhibition of return in ms. 10 s: a scan of a 7 × 7
        search display (49 items, about 3 s) still finds its first item inhibited (by
        0.75), so it visits every item once, as serial search without replacement
        assumes (Klein 1988; with 2 s, 29–31 of 32 items were visited and old ones came
        back). Inhibition of return after a cue lasts up to about 3 s (Samuel & Kat
        2003): shorter values let old locations come back.
    min_saliency : float
        The scanpath ends when the strongest remaining input is below this fraction of
        the map's maximum.
    priority_drive : float
        κ ≥ 0 (ours; 0: off): each competition's scaled input is multiplied by
        1 + κ p_max, p_max the strongest remaining **absolute priority** (``peak`` of
        :meth:`__call__` × g S (1 − IOR), never renormalised), so that a stronger signal
        wins sooner, as in the integrate-and-fire saliency map of Itti & Koch (2000).
    quit_threshold : float
        Guided Search's activation threshold (Wolfe 1994, 2007; 0: off): after the first
        fixation the scanpath ends when no remaining absolute priority exceeds it.
        :mod:`._quitting` adapts it to a block (Chun & Wolfe 1996).
    noise : float
        σ of white noise in the dynamics (0: deterministic).
    field_sigma : float
        Width (cells) of local excitation of the neural field.
    max_work : float
        Largest work of one scanpath, in unit-steps (network units × integration
        steps; before simulating, each step also counts ``STEP_OVERHEAD_UNITS`` units for
        its fixed cost), checked on the worst case before simulating and counted while
        simulating.
        The default 1e9 is about a minute; a 2048-pixel image scanned for 100
        fixations needs at most 3e8.
    """

    model: str = "wta"
    alpha: float = 0.5
    beta: float = 1.0
    threshold: float = 0.2
    rate_threshold: float = 1.0
    tau_ms: float = 7.0
    method: str = "auto"
    dt: float = 0.25
    save_dt: float = 0.25
    chunk: float = 8.0
    max_latency: float = 40.0
    dwell: float = 1.0
    ior_radius: float = 0.06
    ior_extent: float = 0.5
    ior_strength: float = 1.0
    ior_tau_ms: float = 10000.0
    min_saliency: float = 0.05
    priority_drive: float = 0.0
    quit_threshold: float = 0.0
    noise: float = 0.0
    field_sigma: float = 1.0
    max_work: float = 1e9

    def __post_init__(self) -> None:
        check_choice(self.model, "compete.model", MODELS)
        check_choice(self.method, "compete.method", METHODS)
        for name in _POSITIVE:
            check_number(getattr(self, name), f"compete.{name}", gt=0)
        for name in _NON_NEGATIVE:
            check_number(getattr(self, name), f"compete.{name}", ge=0)
        check_number(self.alpha, "compete.alpha", ge=0, lt=1)
        check_number(self.ior_strength, "compete.ior_strength", ge=0, le=1)
        plateau = (1 - self.threshold) / (1 - self.alpha)
        if self.rate_threshold >= plateau:
            raise ValueError(
                f"compete.rate_threshold {self.rate_threshold:g} is above the winner's "
                f"plateau {plateau:g}: no unit could ever cross it"
            )
        self._check_numerics()

    def _check_numerics(self) -> None:
        """The integrator's settings that work together (see Numerics)."""
        if self.method == "euler" and self.dt > EULER_MAX_DT:
            raise ValueError(
                f"compete.dt {self.dt:g} is too coarse for method 'euler' (onsets more than "
                f"2 % late); use dt <= {EULER_MAX_DT:g} or method = 'rk4'"
            )
        if self.noise > 0 and self.method not in ("auto", "euler"):
            raise ValueError(
                "compete.noise > 0 needs compete.method = 'euler' or 'auto' (Euler–Maruyama); "
                f"got {self.method!r}"
            )
        if self.method == "exact" and (self.model != "wta" or self.noise > 0):
            raise ValueError("compete.method 'exact' needs model = 'wta' and noise = 0")
        if (self.alpha + self.beta - 1) * self.save_dt > 30:
            raise ValueError(
                f"compete: (alpha + beta − 1) × save_dt = "
                f"{(self.alpha + self.beta - 1) * self.save_dt:g} is above 30 (the winner's "
                "lead would overflow between saves); lower beta or save_dt"
            )
        if self.chunk < self.save_dt:
            raise ValueError(
                f"compete.chunk {self.chunk:g} must be at least save_dt ({self.save_dt:g})"
            )

    @property
    def integrator(self) -> str:
        """The method actually used: ``"auto"`` resolved (see Numerics)."""
        if self.method != "auto":
            return self.method
        if self.noise > 0:
            return "euler"
        return "exact" if self.model == "wta" else "rk4"

    def network(self, shape: tuple[int, int], gain: Any = 1.0) -> Model:
        """The dynamics model for maps of ``shape`` with top-down gain map(s) ``gain``."""
        act = relu_threshold(self.threshold)
        if self.model == "wta":
            g = gain if np.ndim(gain) == 0 else np.reshape(gain, (*np.shape(gain)[:-2], -1))
            return LateralInhibition(
                shape[0] * shape[1], alpha=self.alpha, beta=self.beta, activation=act, g=g
            )
        # DoG kernel: net self-weight α at d = 0, inhibition β out to the whole map
        return NeuralField(
            shape,
            a_exc=self.alpha + self.beta,
            sigma_exc=self.field_sigma,
            a_inh=self.beta,
            sigma_inh=4.0 * max(shape),
            h=0.0,
            activation=act,
            g=gain,
            boundary="zero",
        )

    def __call__(
        self,
        saliency: np.ndarray,
        *,
        n_fixations: int = 5,
        gain: np.ndarray | None = None,
        image_shape: tuple[int, int] | None = None,
        seed: int | np.random.Generator | None = None,
        refresh: Sequence[Refresh | None] | None = None,
        field: np.ndarray | None = None,
        peak: Any = None,
    ) -> list[tuple[tuple[Fixation, ...], CompetitionTrace]]:
        """Simulate the scanpaths of one ``(h, w)`` or a stack ``(B, h, w)`` of maps.

        Parameters
        ----------
        saliency : ndarray, shape (h, w) or (B, h, w)
            Non-negative saliency maps.
        n_fixations : int
            Fixations per map (fewer when nothing salient is left).
        gain : ndarray, optional
            Top-down gain maps g, broadcastable to ``saliency``.
        image_shape : (int, int), optional
            Height and width of the image the maps cover (fixations are in its pixels);
            default the map shape.
        seed : int or numpy.random.Generator, optional
            Randomness of the noise.
        refresh : sequence of callables, optional
            One per map (or None): the closed loop, called after each fixation that is
            followed by another with the fixation's (x, y) in image pixels; it returns
            the new saliency, gain and spatial-field maps (:data:`._scan.Refresh`).
        field : ndarray, optional
            The spatial attention field A(x) at map level, broadcastable to ``saliency``:
            it multiplies the input of the first competition after its scaling (cues).
        peak : float or ndarray (B,), optional
            Each map's maximum in absolute units (the pipeline's maps are scaled to one):
            the unit of the absolute priority. Default: the maps' own maxima.

        Returns
        -------
        list of (fixations, trace), one per map.

        Raises
        ------
        ValueError
            Bad maps or ``n_fixations``, or a scanpath whose worst case (or actual run)
            needs more than ``max_work`` unit-steps.
        """
        sal = np.asarray(saliency, dtype=np.float64)
        if sal.ndim not in (2, 3) or not np.isfinite(sal).all() or (sal < 0).any():
            raise ValueError("compete: saliency must be finite, non-negative (h, w) or (B, h, w)")
        n_fixations = check_integer(n_fixations, "n_fixations", ge=1)
        stack = sal.reshape(-1, *sal.shape[-2:])
        g = np.broadcast_to(np.ones(1) if gain is None else np.asarray(gain, float), sal.shape)
        height, width = image_shape or stack.shape[-2:]
        peaks = None if peak is None else np.broadcast_to(np.asarray(peak, float), len(stack))
        if peaks is not None and (not np.isfinite(peaks).all() or (peaks < 0).any()):
            raise ValueError(f"compete: peak must be finite and non-negative, got {peak!r}")
        map_shape = (stack.shape[1], stack.shape[2])
        state_shape = (map_shape[0] * map_shape[1],) if self.model == "wta" else map_shape
        self.check_work(n_fixations, map_shape[0] * map_shape[1])
        simulate_chunk = ChunkIntegrator(
            partial(self.network, map_shape),
            self.max_step,
            self.integrator,
            self.threshold,
            self.save_dt,
            max(1, round(self.chunk / self.save_dt)),
            self.noise,
            np.random.default_rng(seed),
            self.max_work,
            Network(self.alpha, self.beta, self.threshold) if self.integrator == "exact" else None,
        )
        return run_scanpaths(
            self.scan_rules(),
            stack,
            g.reshape(stack.shape),
            n_fixations,
            (int(height), int(width)),
            simulate_chunk,
            state_shape,
            refresh,
            None
            if field is None
            else np.broadcast_to(np.asarray(field, float), sal.shape).reshape(stack.shape),
            peaks,
        )

    def scan_rules(self) -> ScanRules:
        """The settings the scanpath loop reads (times in units of τ)."""
        ior = InhibitionOfReturn(
            self.ior_radius, self.ior_extent, self.ior_strength, self.ior_tau_ms
        )
        timing = (self.rate_threshold, self.dwell, self.max_latency, self.min_saliency)
        return ScanRules(*timing, self.tau_ms, ior, self.priority_drive, self.quit_threshold)

    def check_work(self, n_fixations: int, n_units: int) -> float:
        """The worst-case work of one scanpath in unit-steps; ValueError above ``max_work``.

        Every competition running to ``max_latency``, every fixation held ``dwell``, and
        the final release waiting ``max_latency`` again, at the nominal step.
        """
        span = n_fixations * (self.max_latency + self.dwell) + self.max_latency
        # a step of a small network costs what its Python overhead does, about what
        # STEP_OVERHEAD_UNITS units cost: a long dwell on a tiny map is slow too
        work = span / min(self.dt, self.save_dt) * (n_units + STEP_OVERHEAD_UNITS)
        if work > self.max_work:
            raise ValueError(
                f"compete: {n_fixations} fixations on {n_units} units may need up to "
                f"{work:.3g} unit-steps, more than max_work = {self.max_work:.3g}; lower "
                "n_fixations, max_latency or dwell, or raise compete.max_work"
            )
        return work

    def max_step(self, active: int) -> float:
        """Largest stable and accurate step with ``active`` units above θ (units of τ).

        The collective mode of the k active units decays at 1 − α + β(k − 1) (the neural
        field adds its local excitation, ≈ (α + β) 2π σ²); the winner's lead grows at
        α + β − 1.
        """
        decay = 1.0 - self.alpha + self.beta * max(active - 1, 0)
        if self.model == "field":
            decay += (self.alpha + self.beta) * 2 * math.pi * self.field_sigma**2
        dt = min(self.dt, self.save_dt)
        if self.integrator == "euler":
            dt = min(dt, EULER_MAX_DT)
        return stable_step(dt, self.integrator, decay, self.alpha + self.beta - 1.0)
