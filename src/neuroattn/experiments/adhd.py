"""Experiment 7 (ADHD): a HYPOTHESIS about the competition, never a diagnosis.

The hypothesis (Hauser et al. 2016, Trends Neurosci 39:63, "neural gain"; noise accounts
reviewed there): lower neural gain — a shallower rate function — and more noise in the
competition make responses more variable and let salient distractors win more often.
Published, in people (design brief §4): RT variability is larger in ADHD (meta-analysis of
319 studies, Hedges' g 0.76 in children and 0.46 in adults, Kofler et al. 2013, Clin Psychol
Rev 33:795), and so is the ex-Gaussian τ, the slow tail (Leth-Steensen, Elbaz & Douglas 2000,
Acta Psychol 104:167); salient irrelevant distractors interfere more (Forster et al. 2014,
Neuropsychology 28:91; the picture is mixed: Friedman-Hill et al. 2010, Cognition 115:93).

The model is the source's equation (:class:`~neuroattn.dynamics.Competition`) with uniform
inhibitory weights w_ij = −c, a sigmoid rate f(u) = 1/(1 + exp(−k (u − θ))) whose slope k is
the neural gain, a top-down gain g on the target's input (the feedback stage's hook) and
additive noise σ integrated by Euler–Maruyama:

    τ du_i/dt = −u_i − c Σ_{j≠i} f(u_j) + β N c f(u_i) + g_i I_i + σ ξ_i(t).

A trial starts at u = 0 with the inputs on; the response is the unit whose rate first leads
every other by ``margin``, and its time × :data:`~neuroattn.experiments.TAU_MS` is the
decision time in ms (no non-decision time is added: SDs and τ do not depend on it). In
*plain* trials the target's input equals the distractors'; in *salient* trials one
distractor's bottom-up input exceeds the target's, and only the top-down gain makes the
target's drive larger; a response to that distractor is a *capture*.

Four simulated groups, each of ``subjects`` × ``trials``: typical, lower gain only, more
noise only, and both (the ADHD-like hypothesis). Each subject's RTs (correct plain trials)
are fitted with an ex-Gaussian (scipy.stats.exponnorm: τ = K·scale, μ = loc, σ = scale);
groups are compared with Hedges' g over subjects, as in the meta-analysis. The subjects
differ only by their noise draws (no individual differences in parameters: ours), so the
model's g is not comparable in size with the published one, only in sign.

Every parameter value is ours; only the directions are published.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from ..dynamics import Competition, sigmoid, uniform
from ..dynamics import simulate as simulate_model
from ..dynamics.checks import check_fields, check_integer, check_number
from ._base import ExperimentResult, Finding, Variable
from ._registry import register
from ._timescale import TAU_MS

__all__ = ["CONDITIONS", "GROUPS", "AdhdConfig", "AdhdResult", "run"]

GROUPS = ("typical", "lower gain", "more noise", "ADHD-like (both)")
CONDITIONS = ("plain", "salient distractor")
_TARGET, _SALIENT = 0, 1  # unit indices
_CHUNK = 10.0  # model time per simulate call (bounds the saved states' memory)


@dataclass(frozen=True)
class AdhdConfig:
    """Settings of experiment 7, ADHD hypothesis (all values ours; directions published).

    Parameters
    ----------
    n_units : int
        N locations: the target (unit 0), the salient distractor (unit 1) and the rest.
    inhibition, beta : float
        c (w_ij = −c) and the source's β (self-excitation β N c).
    threshold : float
        θ, where the sigmoid rate is one half.
    typical_gain, adhd_gain : float
        Sigmoid slope k (neural gain) of the typical and the ADHD-like competition.
    typical_noise, adhd_noise : float
        Noise σ of the typical and the ADHD-like competition.
    drive : float
        Bottom-up input of the target and of every plain distractor.
    salient : float
        Bottom-up input of the salient distractor (> ``drive``, < ``drive`` × ``top_down``).
    top_down : float
        Top-down gain g on the target's input.
    margin : float
        A unit has won when its rate exceeds every other's by this much.
    subjects, trials : int
        Simulated subjects per group and trials per subject and condition.
    duration, dt : float
        Longest trial and the Euler–Maruyama step, in units of τ.
    seed : int
        Seed of the noise.
    """

    n_units: int = 4  # ours: a target and three distractors
    inhibition: float = 0.75  # ours
    beta: float = 0.25  # ours: self-excitation beta*N*c = 0.75
    threshold: float = 1.0  # ours
    typical_gain: float = 4.0  # ours
    adhd_gain: float = 3.5  # ours; lower, as the gain hypothesis has it (Hauser et al. 2016)
    typical_noise: float = 0.1  # ours
    adhd_noise: float = 0.2  # ours; higher, as the noise hypothesis has it
    drive: float = 1.0  # ours
    salient: float = 1.05  # ours: 5 % above the target's bottom-up input
    top_down: float = 1.1  # ours: the target's drive 1.1 beats the salient 1.05
    margin: float = 0.5  # ours
    subjects: int = 12  # ours
    trials: int = 150  # ours
    duration: float = 80.0  # ours: 560 ms
    dt: float = 0.05  # ours
    seed: int = 0  # ours

    def __post_init__(self) -> None:
        object.__setattr__(self, "n_units", check_integer(self.n_units, "n_units", ge=2, le=16))
        checks: list[tuple[str, dict[str, float]]] = [
            ("inhibition", dict(gt=0, le=10)),
            ("beta", dict(ge=0, le=10)),
            ("threshold", dict(ge=-10, le=10)),
            ("typical_gain", dict(gt=0, le=100)),
            ("adhd_gain", dict(gt=0, le=100)),
            ("typical_noise", dict(ge=0, le=10)),
            ("adhd_noise", dict(ge=0, le=10)),
            ("drive", dict(gt=0, le=10)),
            ("salient", dict(gt=0, le=10)),
            ("top_down", dict(gt=0, le=10)),
            ("margin", dict(gt=0, lt=1)),
            ("dt", dict(gt=0, le=0.5)),
        ]
        check_fields(self, checks)
        for name, lo, hi in (("subjects", 3, 200), ("trials", 10, 5000), ("seed", 0, 2**63)):
            object.__setattr__(self, name, check_integer(getattr(self, name), name, ge=lo, le=hi))
        duration = check_number(self.duration, "duration", ge=10 * self.dt, le=1e4)
        object.__setattr__(self, "duration", duration)
        if not self.drive < self.salient < self.drive * self.top_down:
            raise ValueError(
                "salient must lie between drive and drive × top_down (a distractor stronger "
                "than the target bottom-up, weaker after the top-down gain), got "
                f"{self.salient!r} with drive {self.drive!r} and top_down {self.top_down!r}"
            )
        work = self.subjects * self.trials * self.n_units * self.duration / self.dt
        if work > 6.25e8:
            raise ValueError(
                "subjects × trials × n_units × duration / dt must be at most 6.25e8, "
                f"got {work:.3g}"
            )


@dataclass(frozen=True, kw_only=True)
class AdhdResult(ExperimentResult):
    """Experiment 7's result (a hypothesis, not a diagnosis).

    ``rt_ms[g, c, s, t]``: decision time of group ``GROUPS[g]``, condition ``CONDITIONS[c]``,
    subject s, trial t (NaN: no decision); ``choice`` the winning unit (-1: none);
    ``exgauss[g, s]`` the (μ, σ, τ) of each subject's correct plain RTs.
    """

    rt_ms: np.ndarray
    choice: np.ndarray
    exgauss: np.ndarray

    def plot(self) -> Any:
        """RT distributions, variability and capture per group."""
        from ._adhd_plot import plot_adhd

        return plot_adhd(self, GROUPS)


def _model(config: AdhdConfig) -> tuple[Competition, np.ndarray, np.ndarray]:
    """The batched competition (group, condition, subject, trial) and its inputs and noise."""
    lo_k, hi_s = config.adhd_gain, config.adhd_noise
    k0, s0 = config.typical_gain, config.typical_noise
    gains: Any = np.array([k0, lo_k, k0, lo_k]).reshape(4, 1, 1, 1, 1)  # per group
    noise = np.array([s0, s0, hi_s, hi_s]).reshape(4, 1, 1, 1)
    g = np.ones(config.n_units)
    g[_TARGET] = config.top_down
    model = Competition(
        uniform(config.n_units, -config.inhibition),
        beta=config.beta,
        activation=sigmoid(gains, config.threshold),
        g=g,
    )
    inputs = np.full((2, config.n_units), config.drive)
    inputs[1, _SALIENT] = config.salient
    return model, inputs.reshape(1, 2, 1, 1, config.n_units), noise


def decide(t: np.ndarray, rates: np.ndarray, margin: float) -> tuple[np.ndarray, np.ndarray]:
    """First time the leading rate exceeds every other by ``margin``, and that unit.

    ``rates`` has shape (T, *batch, N); returns (time, unit) of shape (*batch,), NaN and -1
    where no unit won.
    """
    top2 = np.partition(rates, -2, axis=-1)[..., -2:]
    won = (top2[..., 1] - top2[..., 0]) >= margin  # (T, *batch)
    first = np.argmax(won, axis=0)
    hit = np.take_along_axis(won, first[None], 0)[0]
    at = np.take_along_axis(rates, first[None, ..., None], 0)[0]
    return np.where(hit, t[first], np.nan), np.where(hit, at.argmax(-1), -1)


def _trials(config: AdhdConfig) -> tuple[np.ndarray, np.ndarray]:
    """Decision times (model time) and choices, (group, condition, subject, trial).

    One batched Euler–Maruyama run, integrated in chunks of 10 τ (each continuing from the
    last state and the same noise stream) so that the saved states stay small; it stops
    once every trial has decided.
    """
    model, inputs, noise = _model(config)
    shape = (4, 2, config.subjects, config.trials)
    rng = np.random.default_rng(config.seed)
    u = np.zeros((*shape, config.n_units))
    when = np.full(shape, np.nan)
    choice = np.full(shape, -1)
    t0 = 0.0
    while t0 < config.duration and np.isnan(when).any():
        t1 = min(t0 + _CHUNK, config.duration)
        traj = simulate_model(
            model, inputs, t_span=(t0, t1), dt=config.dt, u0=u, noise=noise, seed=rng,
            method="euler_maruyama", save_every=config.dt,
        )  # fmt: skip
        t_new, c_new = decide(np.asarray(traj.t), np.asarray(traj.rates), config.margin)
        fresh = np.isnan(when) & ~np.isnan(t_new)
        when[fresh], choice[fresh] = t_new[fresh], c_new[fresh]
        u, t0 = np.asarray(traj.final), t1
    return when, choice


def exgauss_fit(rt: np.ndarray) -> tuple[float, float, float]:
    """(μ, σ, τ) of an ex-Gaussian fitted by maximum likelihood (scipy.stats.exponnorm:
    τ = K·scale); NaN when fewer than 10 finite values or their spread is zero."""
    x = rt[np.isfinite(rt)]
    if x.size < 10 or np.ptp(x) == 0:
        return (math.nan, math.nan, math.nan)
    K, loc, scale = stats.exponnorm.fit(x)
    return (float(loc), float(scale), float(K * scale))


def hedges_g(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Hedges' g of ``a`` over ``b`` (pooled SD, small-sample correction J) and its
    standard error (Hedges & Olkin 1985)."""
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    na, nb = a.size, b.size
    if na < 2 or nb < 2:
        return (math.nan, math.nan)
    pooled = math.sqrt(((na - 1) * a.var(ddof=1) + (nb - 1) * b.var(ddof=1)) / (na + nb - 2))
    if pooled == 0:
        return (math.nan, math.nan)
    g = (1 - 3 / (4 * (na + nb) - 9)) * (a.mean() - b.mean()) / pooled
    return (float(g), math.sqrt((na + nb) / (na * nb) + g * g / (2 * (na + nb))))


def _per_subject(
    rt_ms: np.ndarray, choice: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """RT SD and ex-Gaussian (μ, σ, τ) of correct plain trials, and the capture rate of
    salient trials, per (group, subject)."""
    plain = np.where(choice[:, 0] == _TARGET, rt_ms[:, 0], np.nan)  # (group, subject, trial)
    finite = np.isfinite(plain)
    n = finite.sum(-1)
    x = np.where(finite, plain, 0.0)
    mean = x.sum(-1) / np.maximum(n, 1)
    var = (((x - mean[..., None]) * finite) ** 2).sum(-1) / np.maximum(n - 1, 1)
    sd = np.where(n >= 2, np.sqrt(var), np.nan)
    fits = np.array([[exgauss_fit(row) for row in group] for group in plain])
    capture = (choice[:, 1] == _SALIENT).mean(-1)
    return sd, fits, capture


def _finite_mean(x: np.ndarray) -> float:
    """Mean of the finite values (NaN when there are none), without a warning."""
    x = x[np.isfinite(x)]
    return float(x.mean()) if x.size else math.nan


def _findings(sd: np.ndarray, fits: np.ndarray, capture: np.ndarray) -> tuple[Finding, ...]:
    typ, adhd = 0, 3
    g_sd, se_sd = hedges_g(sd[adhd], sd[typ])
    tau = fits[..., 2]
    g_tau, se_tau = hedges_g(tau[adhd], tau[typ])
    ratio = _finite_mean(tau[adhd]) / _finite_mean(tau[typ])
    g_cap, se_cap = hedges_g(capture[adhd], capture[typ])
    diff = float(100 * (capture[adhd].mean() - capture[typ].mean()))

    def above(g: float, se: float) -> bool:  # the 95 % interval of g excludes 0
        return bool(np.isfinite(g) and g - 1.96 * se > 0)

    return (
        Finding("hypothesis: RT SD, ADHD-like vs typical (Hedges' g over subjects)", g_sd,
                "> 0 (g = 0.76 children, 0.46 adults)", above(g_sd, se_sd),
                "Kofler et al. 2013, Clin Psychol Rev 33"),
        Finding("hypothesis: ex-Gaussian tau, ADHD-like / typical", ratio,
                "> 1 (a longer slow tail in ADHD)", bool(ratio > 1) and above(g_tau, se_tau),
                "Leth-Steensen et al. 2000; Kofler et al. 2013"),
        Finding("hypothesis: capture by a salient distractor, ADHD-like - typical", diff,
                "> 0 (more distraction by salient stimuli)",
                bool(diff > 0) and above(g_cap, se_cap),
                "Forster et al. 2014 (mixed: Friedman-Hill et al. 2010)", "points"),
    )  # fmt: skip


@register(
    "adhd",
    AdhdConfig,
    "ADHD-like competition (a hypothesis, not a diagnosis): lower gain and more noise -> "
    "RT variability, ex-Gaussian tau, capture by salient distractors",
    quick={"subjects": 8, "trials": 80, "duration": 50.0},
)
def run(config: AdhdConfig) -> AdhdResult:
    """Run experiment 7 (ADHD hypothesis): four groups' trials in one batched competition."""
    when, choice = _trials(config)
    rt_ms = when * TAU_MS
    sd, fits, capture = _per_subject(rt_ms, choice)
    dims = ("group", "subject")
    return AdhdResult(
        name="adhd",
        findings=_findings(sd, fits, capture),
        variables={
            "rt": Variable(
                ("group", "condition", "subject", "trial"),
                rt_ms,
                {"unit": "ms", "note": "decision time; NaN: no decision"},
            ),
            "choice": Variable(
                ("group", "condition", "subject", "trial"),
                choice,
                {"note": "0 target, 1 salient distractor, -1 none"},
            ),
            "rt_sd": Variable(dims, sd, {"unit": "ms", "of": "correct plain trials"}),
            "exgauss_mu": Variable(dims, fits[..., 0], {"unit": "ms"}),
            "exgauss_sigma": Variable(dims, fits[..., 1], {"unit": "ms"}),
            "exgauss_tau": Variable(dims, fits[..., 2], {"unit": "ms"}),
            "capture": Variable(dims, capture, {"of": "salient-distractor trials"}),
        },
        coords={
            "group": np.array(GROUPS),
            "condition": np.array(CONDITIONS),
            "subject": np.arange(config.subjects),
            "trial": np.arange(config.trials),
        },
        config=config,
        rt_ms=rt_ms,
        choice=choice,
        exgauss=fits,
    )
