"""Experiment 5: the regimes of the source's equation, simulated and derived.

The source's competition equation (section 4; :class:`~neuroattn.dynamics.Competition`) with
uniform inhibitory weights w_ij = −c and a ReLU rate f is

    τ du_i/dt = −u_i − c Σ_{j≠i} f(u_j) + β N c f(u_i) + I_i  (+ σ ξ_i(t)),

so β sets a self-excitation a = β N c against a cross-inhibition c. We sweep β, the input
contrast C (I_i = I₀ (1 + C (1 − 2 i/(N − 1))), a ramp from I₀(1 + C) to I₀(1 − C)) and the
noise σ in ONE batched :func:`~neuroattn.dynamics.simulate` run, and classify each network by
the second half of its run: *no winner* (every unit active), *several winners* (2 … N − 1
active), *one winner*, and *switching* (one unit active at a time, but which one changes).

The analysis (σ = 0). A set of active units of a threshold-linear network is stable only when
every eigenvalue of the lateral matrix restricted to it is below 1 (the "permitted and
forbidden sets" of Hahnloser et al. 2000, Nature 405:947). Here the Jacobian at a state with
k ≥ 2 active units has the eigenvalue −1 + a + c (k − 1 times) whatever the inputs, so every
such state loses stability at a + c = 1, i.e.

    β* = (1 − c) / (N c)                                         (ours, from that criterion)

and beyond β* only one unit can stay active; below β* the fixed point is unique and its
active count follows from the inputs. :func:`~neuroattn.dynamics.steady_state` (Newton from
an all-active start) gives that fixed point and its Jacobian eigenvalues on a grid ``refine``
times finer than the simulated one; the analytic regime is *one winner* where it is unstable
or has one active unit, else its active count decides. β* is read off where the leading
eigenvalue of the symmetric state (C = 0) crosses zero and checked against the closed form.
β must stay below 1/(N c), where a lone winner's self-excitation beats its leak and ReLU
activity runs away.

Oscillation. With symmetric weights the equation has a Lyapunov function (Cohen & Grossberg
1983, IEEE Trans. SMC 13:815), so without noise it settles and never oscillates; the only
alternation is noise-driven switching between winner attractors (as in Moreno-Bote, Rinzel &
Rubin 2007, J Neurophysiol 98:1125). It has no analytic line here: the lines drawn on the
noisy panels are the σ = 0 ones, to show how noise moves the boundaries.

Ours: the network (N = 8, c = 0.4: the example of docs/dynamics.md), the ramp of inputs, the
activity threshold, the initial perturbation (1 % of I₀, to leave the symmetric state at
C = 0, which is an exact fixed point), the run length and the classification rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..dynamics import Competition, steady_state, uniform
from ..dynamics import simulate as simulate_model
from ..dynamics.checks import check_integer, check_number
from ._base import ExperimentResult, Finding, Variable
from ._registry import register

__all__ = ["REGIMES", "RegimesConfig", "RegimesResult", "run"]

REGIMES = ("no winner", "several winners", "one winner", "switching")
_NONE, _SEVERAL, _ONE, _SWITCH = range(4)


@dataclass(frozen=True)
class RegimesConfig:
    """Settings of experiment 5 (all ours; see the module's docstring).

    Parameters
    ----------
    n_units : int
        N, the number of competing units.
    inhibition : float
        c > 0: every weight is w_ij = −c.
    drive : float
        I₀, the mean input.
    beta_max, beta_steps : float, int
        β runs over ``beta_steps`` points from 0 to ``beta_max`` < 1/(N c).
    contrast_max, contrast_steps : float, int
        C runs over ``contrast_steps`` points from 0 to ``contrast_max`` ≤ 1.
    noise_levels : tuple of float
        σ of each panel; 0 must be one of them (the panel held against the analysis).
    duration, dt : float
        Length of each run and the Euler–Maruyama step, in units of τ.
    threshold : float
        A unit is active when its (time-mean) u exceeds ``threshold`` × I₀.
    refine : int
        The analytic map is computed ``refine`` times finer on both axes.
    seed : int
        Seed of the initial perturbation and the noise.
    """

    n_units: int = 8  # ours: the network of docs/dynamics.md
    inhibition: float = 0.4  # ours: w_ij = -0.4, idem
    drive: float = 1.0  # ours
    beta_max: float = 0.3  # ours: below the runaway at 1/(N c) = 0.3125
    beta_steps: int = 31  # ours: a grid step of 0.01
    contrast_max: float = 0.6  # ours
    contrast_steps: int = 13  # ours: a grid step of 0.05
    noise_levels: tuple[float, ...] = (0.0, 0.3, 0.6, 1.0)  # ours
    duration: float = 600.0  # ours: long enough for the slow growth just past beta*
    dt: float = 0.2  # ours: inside Euler's stability region for these weights
    threshold: float = 0.02  # ours
    refine: int = 4  # ours
    seed: int = 0  # ours

    def __post_init__(self) -> None:
        n = check_integer(self.n_units, "n_units", ge=2, le=64)
        c = check_number(self.inhibition, "inhibition", gt=0, le=10)
        object.__setattr__(self, "n_units", n)
        object.__setattr__(self, "inhibition", c)
        object.__setattr__(self, "drive", check_number(self.drive, "drive", gt=0, le=1e3))
        runaway = 1.0 / (n * c)
        beta_max = check_number(self.beta_max, "beta_max", gt=0)
        if not beta_max < runaway:
            raise ValueError(
                f"beta_max must be < 1/(n_units·inhibition) = {runaway:.4g} (beyond it a lone "
                f"winner's activity runs away), got {self.beta_max!r}"
            )
        object.__setattr__(self, "beta_max", beta_max)
        for name, hi in (("beta_steps", 201), ("contrast_steps", 101), ("refine", 10)):
            object.__setattr__(self, name, check_integer(getattr(self, name), name, ge=2, le=hi))
        fine = ((self.beta_steps - 1) * self.refine + 1) * (
            (self.contrast_steps - 1) * self.refine + 1
        )
        if fine > 40_000:
            raise ValueError(
                f"the analytic grid must have at most 40000 points, got {fine} (fewer "
                "beta_steps, contrast_steps or a smaller refine)"
            )
        cmax = check_number(self.contrast_max, "contrast_max", gt=0, le=1)
        object.__setattr__(self, "contrast_max", cmax)
        object.__setattr__(self, "noise_levels", _check_noise(self.noise_levels))
        object.__setattr__(self, "dt", check_number(self.dt, "dt", gt=0, le=1))
        duration = check_number(self.duration, "duration", ge=20 * self.dt, le=1e5)
        object.__setattr__(self, "duration", duration)
        object.__setattr__(self, "threshold", check_number(self.threshold, "threshold", gt=0, lt=1))
        object.__setattr__(self, "seed", check_integer(self.seed, "seed", ge=0))


def _check_noise(levels: Any) -> tuple[float, ...]:
    if isinstance(levels, (str, bytes)) or not hasattr(levels, "__len__"):
        raise TypeError(f"noise_levels must be a sequence of numbers, got {levels!r}")
    if not 1 <= len(levels) <= 8:
        raise ValueError(f"noise_levels must hold 1 to 8 values, got {len(levels)}")
    out = tuple(check_number(x, "noise_levels", ge=0, le=10) for x in levels)
    if 0.0 not in out or len(set(out)) != len(out):
        raise ValueError(f"noise_levels must be distinct and include 0, got {levels!r}")
    return tuple(sorted(out))


@dataclass(frozen=True, kw_only=True)
class RegimesResult(ExperimentResult):
    """Experiment 5's result: the simulated phase map and the analytic one.

    ``regime[b, c, s]`` indexes :data:`REGIMES` for β = ``coords["beta"][b]``, contrast
    ``coords["contrast"][c]`` and σ = ``coords["noise"][s]``; ``analytic[b, c]`` is the σ = 0
    analysis on the finer grid ``coords["beta_fine"]``, ``coords["contrast_fine"]``.
    """

    regime: np.ndarray
    analytic: np.ndarray
    beta_star: float

    def plot(self) -> Any:
        """One phase map per noise level with the analytic boundaries drawn over it."""
        from ._regimes_plot import plot_regimes

        return plot_regimes(self, REGIMES)


def _inputs(config: RegimesConfig, contrasts: np.ndarray) -> np.ndarray:
    """I_i = I₀ (1 + C (1 − 2 i/(N − 1))), shape (contrasts, N)."""
    ramp = 1.0 - 2.0 * np.arange(config.n_units) / (config.n_units - 1)
    return config.drive * (1.0 + contrasts[:, None] * ramp)


def _model(config: RegimesConfig, betas: np.ndarray) -> Competition:
    W = uniform(config.n_units, -config.inhibition)
    return Competition(W, beta=betas, activation="relu")


def _simulate(config: RegimesConfig, betas: np.ndarray, contrasts: np.ndarray) -> np.ndarray:
    """u over the second half of every run, (T, β, C, σ, N): one batched simulation."""
    noise = np.asarray(config.noise_levels)
    shape = (betas.size, contrasts.size, noise.size, config.n_units)
    rng = np.random.default_rng(config.seed)
    u0 = 0.01 * config.drive * rng.standard_normal(shape)
    traj = simulate_model(
        _model(config, betas[:, None, None]),
        _inputs(config, contrasts)[None, :, None, :],
        t_span=(0.0, config.duration),
        dt=config.dt,
        method="euler_maruyama",
        noise=noise,
        seed=rng,
        u0=u0,
        save_every=max(config.dt, config.duration / 600),
        max_work=2e10,
    )
    u = np.asarray(traj.u)
    return u[u.shape[0] // 2 :]


def classify(u: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Regime, active count and winner switches from states ``u`` of shape (T, *batch, N).

    Active: time-mean u above ``level``. Switching: one unit active at most of the saved
    times, and the most active unit at those times changes at least once.
    """
    active = (u.mean(0) > level).sum(-1)
    single = (u > level).sum(-1) == 1  # (T, *batch)
    leader = np.where(single, u.argmax(-1), -1)
    # carry the last single-winner leader forward, then count changes between such times
    times = np.arange(u.shape[0]).reshape((-1,) + (1,) * (single.ndim - 1))
    idx = np.where(single, times, 0)
    last = np.maximum.accumulate(idx, axis=0)
    carried = np.take_along_axis(leader, last, axis=0)
    changes = (carried[1:] != carried[:-1]) & single[1:] & (carried[:-1] >= 0)
    switches = changes.sum(0)
    regime = np.full(active.shape, _SEVERAL)
    regime[(active == u.shape[-1]) | (active == 0)] = _NONE
    regime[active == 1] = _ONE
    regime[(single.mean(0) > 0.5) & (switches > 0)] = _SWITCH
    return regime, active, switches


def analyse(
    config: RegimesConfig, betas: np.ndarray, contrasts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The σ = 0 analysis on a grid: (regime, leading eigenvalue of the graded state), (β, C).

    Two batched Newton solves (:func:`~neuroattn.dynamics.steady_state`): from an all-active
    start, the graded fixed point (unique below β*; past β* it has no consistent active set
    and Newton does not converge), and from a start where only the most driven unit is
    active, the lone-winner fixed point. The Jacobian's eigenvalues say which is stable: a
    stable graded point gives its active count's regime, else a stable lone winner gives
    *one winner*; -1 where neither is (not seen below the runaway).
    """
    inputs = _inputs(config, contrasts)[None, :, :] + np.zeros((betas.size, 1, 1))
    model = _model(config, betas[:, None])
    graded = steady_state(model, inputs, u0=inputs, max_iter=25)
    lone = np.where(np.arange(config.n_units) == 0, inputs, -inputs)
    winner = steady_state(model, inputs, u0=lone, max_iter=25)
    assert graded.stable is not None and winner.stable is not None  # N <= 64: computed
    assert graded.eigenvalues is not None
    level = config.threshold * config.drive
    active = (graded.u > level).sum(-1)
    ok = graded.converged & graded.stable
    regime = np.full(active.shape, -1)
    single = winner.converged & winner.stable & ((winner.u > level).sum(-1) == 1)
    regime[single] = _ONE
    regime[ok] = np.where(
        active[ok] == config.n_units, _NONE, np.where(active[ok] <= 1, _ONE, _SEVERAL)
    )
    return regime, graded.eigenvalues.real.max(-1)


def beta_star(betas: np.ndarray, leading: np.ndarray) -> float:
    """Where the leading eigenvalue crosses zero (linear interpolation); NaN if it does not."""
    above = np.flatnonzero(leading > 0)
    if above.size == 0 or above[0] == 0:
        return float("nan")
    i = int(above[0])
    lo, hi = leading[i - 1], leading[i]
    return float(betas[i - 1] + (betas[i] - betas[i - 1]) * (-lo) / (hi - lo))


def boundary_distance(
    simulated: np.ndarray, coarse: tuple[np.ndarray, np.ndarray],
    analytic: np.ndarray, fine: tuple[np.ndarray, np.ndarray],
) -> float:  # fmt: skip
    """Largest distance, in grid steps, from a point where the simulated regime differs from
    the analytic one to the nearest analytic boundary (0 when they agree everywhere).

    Boundaries are the midpoints between neighbouring fine cells of different regimes; the
    distance is the larger of |Δβ|/step_β and |ΔC|/step_C (Chebyshev, in coarse steps).
    """
    (bc, cc), (bf, cf) = coarse, fine
    step = (bc[1] - bc[0], cc[1] - cc[0])
    on_coarse = analytic[:: (bf.size - 1) // (bc.size - 1), :: (cf.size - 1) // (cc.size - 1)]
    wrong = np.argwhere(simulated != on_coarse)
    if wrong.size == 0:
        return 0.0
    B, C = np.meshgrid(bf, cf, indexing="ij")
    points = []
    for axis in (0, 1):
        a = [slice(None), slice(None)]
        b = [slice(None), slice(None)]
        a[axis], b[axis] = slice(1, None), slice(None, -1)
        edge = analytic[tuple(a)] != analytic[tuple(b)]
        mid_b = (B[tuple(a)] + B[tuple(b)])[edge] / 2
        mid_c = (C[tuple(a)] + C[tuple(b)])[edge] / 2
        points.append(np.stack([mid_b, mid_c], -1))
    edges = np.concatenate(points)
    if edges.size == 0:
        return float("inf")
    at = np.stack([bc[wrong[:, 0]], cc[wrong[:, 1]]], -1)
    d = np.abs(at[:, None, :] - edges[None, :, :]) / np.asarray(step)
    return float(d.max(-1).min(-1).max())


def _grids(config: RegimesConfig) -> tuple[np.ndarray, ...]:
    """β and C on the simulated grid and on the refined analytic one."""
    b = np.linspace(0.0, config.beta_max, config.beta_steps)
    c = np.linspace(0.0, config.contrast_max, config.contrast_steps)
    bf = np.linspace(0.0, config.beta_max, (b.size - 1) * config.refine + 1)
    cf = np.linspace(0.0, config.contrast_max, (c.size - 1) * config.refine + 1)
    return b, c, bf, cf


def _findings(
    config: RegimesConfig, regime: np.ndarray, active: np.ndarray, grids: tuple[np.ndarray, ...],
    analytic: np.ndarray, star: float,
) -> tuple[Finding, ...]:  # fmt: skip
    b, c, bf, cf = grids
    n, k = config.n_units, config.inhibition
    closed = (1.0 - k) / (n * k)
    step = b[1] - b[0]
    distance = boundary_distance(regime[:, :, 0], (b, c), analytic, (bf, cf))
    k0 = active[:, :, 0]  # (β, C) at σ = 0
    falls = np.mean(np.all(np.diff(k0, axis=0) <= 0, axis=0) & (k0[-1] <= k0[0]))
    switch0 = int(np.sum(regime[:, :, 0] == _SWITCH))
    beyond = b > closed  # the one-winner side of β*
    top = regime[beyond, :, -1]
    frac = float(np.mean(top == _SWITCH)) if top.size else float("nan")
    noisiest = config.noise_levels[-1]
    hahnloser = "Hahnloser et al. 2000, Nature 405 (criterion); closed form ours"
    return (
        Finding("beta* where the symmetric state loses stability (Jacobian eigenvalues)",
                star, f"(1 - c)/(N c) = {closed:.4g}", bool(abs(star - closed) <= 0.01 * step),
                hahnloser),
        Finding("simulated vs analytic boundaries at sigma = 0, largest distance", distance,
                "<= 1 grid step", bool(distance <= 1.0), "issue 10; " + hahnloser,
                "grid steps"),
        Finding("contrast rows where the active units only fall as beta rises (sigma = 0)",
                float(falls), "1 (beta sets how hard neurons compete)", bool(falls == 1.0),
                "source essay, section 4"),
        Finding("grid points that switch winners at sigma = 0", float(switch0),
                "0 (symmetric W: a Lyapunov function, no oscillation)", switch0 == 0,
                "Cohen & Grossberg 1983, IEEE Trans SMC 13"),
        Finding(f"one-winner points (beta > beta*) switching at sigma = {noisiest:g}",
                100 * frac, "> 0 (noise-driven alternation between attractors)",
                bool(frac > 0), "Moreno-Bote, Rinzel & Rubin 2007, J Neurophysiol 98", "%"),
    )  # fmt: skip


@register(
    "regimes",
    RegimesConfig,
    "phase diagram of the source's equation over beta, input contrast and noise, with the "
    "stability analysis's boundaries",
    quick={"beta_steps": 16, "contrast_steps": 5, "noise_levels": (0.0, 1.0),
           "duration": 400.0, "refine": 2},
)  # fmt: skip
def run(config: RegimesConfig) -> RegimesResult:
    """Run experiment 5: the batched sweep, its classification and the σ = 0 analysis."""
    b, c, bf, cf = grids = _grids(config)
    u = _simulate(config, b, c)
    regime, active, switches = classify(u, config.threshold * config.drive)
    analytic, leading = analyse(config, bf, cf)
    star = beta_star(bf, leading[:, 0])
    dims = ("beta", "contrast", "noise")
    return RegimesResult(
        name="regimes",
        findings=_findings(config, regime, active, grids, analytic, star),
        variables={
            "regime": Variable(dims, regime, {"labels": ", ".join(REGIMES)}),
            "active_units": Variable(dims, active, {"unit": "units"}),
            "switches": Variable(dims, switches, {"unit": "winner changes, second half"}),
            "analytic_regime": Variable(
                ("beta_fine", "contrast_fine"),
                analytic,
                {"labels": ", ".join(REGIMES), "noise": 0.0},
            ),
            "leading_eigenvalue": Variable(
                ("beta_fine", "contrast_fine"),
                leading,
                {"unit": "1/tau", "of": "the graded fixed point"},
            ),
        },
        coords={
            "beta": b,
            "contrast": c,
            "noise": np.asarray(config.noise_levels),
            "beta_fine": bf,
            "contrast_fine": cf,
        },
        config=config,
        regime=regime,
        analytic=analytic,
        beta_star=star,
    )
