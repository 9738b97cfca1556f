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

References
----------
Koch, C. & Ullman, S. (1985). Shifts in selective visual attention: towards the
underlying neural circuitry. Human Neurobiology 4, 219–227.
Itti, L., Koch, C. & Niebur, E. (1998). IEEE PAMI 20(11), 1254–1259 (WTA and IOR).
Amari, S. (1977). Biological Cybernetics 27, 77–87 (the neural field).
Walther, D. & Koch, C. (2006). Modeling attention to salient proto-objects. Neural
Networks 19, 1395–1407.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

from ..dynamics import Activation, LateralInhibition, Model, NeuralField, simulate
from ..dynamics.checks import check_choice, check_integer, check_number
from ._records import CompetitionTrace, Fixation
from ._scan import InhibitionOfReturn, ScanRules, run_scanpaths

__all__ = ["MODELS", "CompetitionTrace", "Fixation", "WinnerTakeAll", "relu_threshold"]

MODELS = ("wta", "field")

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
)
_NON_NEGATIVE = ("beta", "dwell", "ior_extent", "min_saliency", "noise", "threshold")


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
        winner's plateau is (1 − θ)/(1 − α) − θ; two tied units stay near
        (1 − θ)/(1 − α + β), below this threshold.
    tau_ms : float
        τ in milliseconds. 5 ms makes attention shift every 40–60 ms (30–70 ms in Itti &
        Koch 2000) and gives conjunction-search slopes of about 25 ms/item with the
        target present and twice that without, as Treisman & Gelade (1980) and Wolfe
        (1998) report; feature search stays flat.
    dt : float
        Euler step in units of τ.
    save_dt : float
        Interval of the saved states (rounded to whole steps): the resolution of the
        trace; onset and offset times are interpolated linearly between saves.
    chunk, max_latency, dwell : float
        Simulated time per batched call, give-up time of one competition, and time the
        winner is held before inhibition of return, all in units of τ.
    ior_radius : float
        Radius of inhibition of return as a fraction of the longer image side.
    ior_extent : float
        Inhibition of return also covers the proto-object around the winner: the
        connected cells whose input is at least this fraction of the winner's (out to
        3 × ``ior_radius``); 0 turns this off.
    ior_strength : float
        Peak suppression of the input (1 = complete).
    ior_tau_ms : float
        Decay time constant of inhibition of return in ms.
    min_saliency : float
        The scanpath ends when the strongest remaining input is below this fraction of
        the map's maximum.
    noise : float
        σ of white noise in the dynamics (0: deterministic).
    field_sigma : float
        Width (cells) of local excitation of the neural field.
    """

    model: str = "wta"
    alpha: float = 0.5
    beta: float = 1.0
    threshold: float = 0.2
    rate_threshold: float = 1.0
    tau_ms: float = 5.0
    dt: float = 0.25
    save_dt: float = 0.5
    chunk: float = 8.0
    max_latency: float = 40.0
    dwell: float = 1.0
    ior_radius: float = 0.06
    ior_extent: float = 0.5
    ior_strength: float = 1.0
    ior_tau_ms: float = 2000.0
    min_saliency: float = 0.05
    noise: float = 0.0
    field_sigma: float = 1.0

    def __post_init__(self) -> None:
        check_choice(self.model, "compete.model", MODELS)
        for name in _POSITIVE:
            check_number(getattr(self, name), f"compete.{name}", gt=0)
        for name in _NON_NEGATIVE:
            check_number(getattr(self, name), f"compete.{name}", ge=0)
        check_number(self.alpha, "compete.alpha", ge=0, lt=1)
        check_number(self.ior_strength, "compete.ior_strength", ge=0, le=1)
        plateau = (1 - self.threshold) / (1 - self.alpha) - self.threshold
        if self.rate_threshold >= plateau:
            raise ValueError(
                f"compete.rate_threshold {self.rate_threshold:g} is above the winner's "
                f"plateau {plateau:g}: no unit could ever cross it"
            )

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

        Returns
        -------
        list of (fixations, trace), one per map.
        """
        sal = np.asarray(saliency, dtype=np.float64)
        if sal.ndim not in (2, 3) or not np.isfinite(sal).all() or (sal < 0).any():
            raise ValueError("compete: saliency must be finite, non-negative (h, w) or (B, h, w)")
        n_fixations = check_integer(n_fixations, "n_fixations", ge=1)
        stack = sal.reshape(-1, *sal.shape[-2:])
        g = np.broadcast_to(np.ones(1) if gain is None else np.asarray(gain, float), sal.shape)
        height, width = image_shape or stack.shape[-2:]
        map_shape = (stack.shape[1], stack.shape[2])
        state_shape = (map_shape[0] * map_shape[1],) if self.model == "wta" else map_shape
        simulate_chunk = partial(
            self._simulate_chunk, map_shape=map_shape, rng=np.random.default_rng(seed)
        )
        return run_scanpaths(
            self.scan_rules(),
            stack,
            g.reshape(stack.shape),
            n_fixations,
            (int(height), int(width)),
            simulate_chunk,
            state_shape,
        )

    def scan_rules(self) -> ScanRules:
        """The settings the scanpath loop reads (times in units of τ)."""
        ior = InhibitionOfReturn(
            self.ior_radius, self.ior_extent, self.ior_strength, self.ior_tau_ms
        )
        return ScanRules(
            self.rate_threshold, self.dwell, self.max_latency, self.min_saliency, self.tau_ms, ior
        )

    def _simulate_chunk(
        self,
        gains: np.ndarray,
        inputs: np.ndarray,
        u0: np.ndarray,
        *,
        map_shape: tuple[int, int],
        rng: np.random.Generator,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """One chunk of the batched network: saved times, rates and states."""
        model = self.network(map_shape, gains)
        traj = simulate(
            model,
            inputs.reshape(u0.shape),
            t_span=(0.0, self.chunk),
            dt=self.dt,
            method="euler_maruyama" if self.noise > 0 else "euler",
            u0=u0,
            save_every=self.save_dt,
            noise=self.noise,
            seed=rng,
        )
        return np.asarray(traj.t), np.asarray(traj.rates), np.asarray(traj.u)
