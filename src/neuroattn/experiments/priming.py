"""Experiment 6: priming of pop-out — repeated target colour speeds search, a switch slows it.

Published (Maljkovic & Nakayama 1994, Memory & Cognition 22:657-672): in colour-singleton
search (a red among green or a green among red item), responses are faster when the target's
colour repeats that of the previous trials and slower after a switch; the benefit
accumulates over several repetitions (~5–8 trials) and one trial's influence decays over
several trials. The effect is implicit: it does not depend on the observer knowing the
sequence.

The model is the closed-loop pipeline (:meth:`~neuroattn.vision.Pipeline.run_trials`): after
each trial the target's features enter the priming history of stage 4, log-gains
ℓ_f ← λ ℓ_f + η (p_f − p̄) (:func:`neuroattn.vision._field.update_history`, ours), which
re-enters encoding as a feature-based attention field on the next display. RT is the onset
of the first fixation on the target (:func:`~neuroattn.vision.stimuli.score_trial`), in ms
through the one scale TAU_MS.

Design (ours). The displays are colour singletons of the held-out family
(:data:`~neuroattn.vision._family.HELD_OUT`): the colours, bar shape, background and jitter of
display seed ``first_seed + family_seed`` (seed 50 000 000 by default), drawn as
``SearchFamily.draw`` draws them; colour A is that display's target and colour B its
distractor, and a "B" display swaps them. A run of ``repetitions`` A displays (item layouts
from seeds ``layout_seed`` onwards) builds the history; after k = 0 … K of them the same
``probes`` A displays (repeat) and B displays (switch; layouts from ``probe_seed``) are each
searched from that history, so the RT differences between k are paired on the same displays.

λ and η: the pipeline's defaults (λ = 0.6, η = 1) make the gains reach the field's ceiling
(a = 2) within two trials. Here λ = 0.75 so that one trial's trace falls to a tenth over
eight trials (the published decay span) and η = 0.3 keeps the gains below the ceiling.
The build-up over repetitions follows from the same λ, so the "builds over several
repetitions" finding tests that the pipeline turns that slow gain into a slow RT change
(through encoding, competition and the first fixation), not an independent prediction.

What the model does not show: after a run of A the switch (B) probes are about as fast as
with no history at all (within ~1 ms on the default displays), not slower — the history
also raises the non-colour features the A target shares with the B target (shape,
luminance contrast). The switch cost is measured against the repeat, as Maljkovic &
Nakayama measured it (same vs different colour on the previous trials).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..dynamics.checks import check_choice, check_integer, check_number
from ..vision import LoopState, Pipeline, TopDown, search_array
from ..vision._family import FAMILY_KINDS, SPLITS, family
from ..vision.stimuli import SearchArray, score_trial
from ._base import ExperimentResult, Finding, Variable
from ._registry import register

__all__ = ["PrimingConfig", "PrimingResult", "run"]

_REF = "Maljkovic & Nakayama 1994"
PROBES = ("repeat", "switch")


@dataclass(frozen=True)
class PrimingConfig:
    """Settings of experiment 6.

    Parameters
    ----------
    split : {"held-out", "tuning"}
        The family split the colours come from (held-out: the model was not tuned on it).
    family_seed : int
        Display ``first_seed + family_seed`` of the split gives the colours and settings.
    set_size : int
        Items per display (ours; Maljkovic & Nakayama used 3, the family's smallest is 9).
    repetitions : int
        K, the longest run of one target colour (published build-up: ~5–8).
    probes : int
        Displays per probe point and colour (more: less display-to-display noise).
    layout_seed, probe_seed : int
        First seeds of the item layouts of the run and of the probes.
    history_decay, history_boost : float
        λ and η of the priming history (ours, see the module docstring).
    n_fixations : int
        Fixations per trial (the target must be found within them).
    """

    split: str = "held-out"
    family_seed: int = 0  # ours
    set_size: int = 9  # ours
    repetitions: int = 8  # published span (Maljkovic & Nakayama 1994: ~5–8)
    probes: int = 3  # ours (paired: the same displays at every k)
    layout_seed: int = 1000  # ours
    probe_seed: int = 2000  # ours
    history_decay: float = 0.75  # ours: 0.75^8 ≈ 0.1 over the published decay span
    history_boost: float = 0.3  # ours: below the field's ceiling
    n_fixations: int = 3  # ours

    def __post_init__(self) -> None:
        check_choice(self.split, "split", SPLITS)
        check_integer(self.family_seed, "family_seed", ge=0, le=10**6)
        check_integer(self.set_size, "set_size", ge=2, le=49)
        check_integer(self.repetitions, "repetitions", ge=2, le=30)
        check_integer(self.probes, "probes", ge=1, le=100)
        check_integer(self.layout_seed, "layout_seed", ge=0, le=10**9)
        check_integer(self.probe_seed, "probe_seed", ge=0, le=10**9)
        check_number(self.history_decay, "history_decay", ge=0, le=1)
        check_number(self.history_boost, "history_boost", ge=0, le=100)
        check_integer(self.n_fixations, "n_fixations", ge=1, le=20)


@dataclass(frozen=True, kw_only=True)
class PrimingResult(ExperimentResult):
    """Experiment 6's result.

    Attributes
    ----------
    rt_ms : ndarray, shape (2, K + 1)
        Mean RT of the repeat (A) and switch (B) probes after k = 0 … K A trials.
    found : ndarray, shape (2, K + 1)
        Fraction of probes whose target was fixated within ``n_fixations``.
    """

    rt_ms: np.ndarray
    found: np.ndarray

    @property
    def benefit(self) -> np.ndarray:
        """RT(0) − RT(k) of the repeated colour, per k (ms)."""
        return self.rt_ms[0, 0] - self.rt_ms[0]

    def plot(self) -> Any:
        """RT against the number of preceding same-colour trials, repeat and switch."""
        from matplotlib.figure import Figure

        fig = Figure(figsize=(6, 4), layout="constrained")
        ax = fig.subplots()
        k = np.arange(self.rt_ms.shape[1])
        ax.plot(k, self.rt_ms[0], "o-", label="model: target colour repeated (A after A…A)")
        ax.plot(k, self.rt_ms[1], "s-", label="model: colour switched (B after A…A)")
        ax.axvspan(5, 8, color="0.9", label="published build-up span (~5–8 trials)")
        ax.set(xlabel="preceding trials with target colour A", ylabel="RT, first fixation (ms)",
               title="priming of pop-out (Maljkovic & Nakayama 1994)")  # fmt: skip
        ax.legend(fontsize=8)
        return fig


def _colour_displays(cfg: PrimingConfig) -> tuple[dict[str, Any], dict[str, Any]]:
    """Settings of the A and B displays (B: target and distractor colours swapped)."""
    fam = family(cfg.split)
    seed = fam.first_seed + cfg.family_seed
    rng = np.random.default_rng([seed, FAMILY_KINDS.index("colour")])  # as SearchFamily.draw
    a = fam.parameters("colour", rng)
    b = dict(a, target_colour=a["distractor_colour"], distractor_colour=a["target_colour"])
    return a, b


def _displays(settings: dict[str, Any], first: int, count: int, size: int) -> list[SearchArray]:
    return [search_array(**settings, set_size=size, seed=first + i) for i in range(count)]


def _mean_rt(pipe: Pipeline, arrays: list[SearchArray], state: LoopState, n_fix: int) -> Any:
    """Mean RT over the found targets, and the fraction found, searching from ``state``."""
    results = pipe.attend([a.image for a in arrays], n_fixations=n_fix, state=state, seed=0)
    trials = [score_trial(a, r.fixations) for a, r in zip(arrays, results, strict=True)]
    rts = [t.rt_ms for t in trials if t.found]
    return (float(np.mean(rts)) if rts else float("nan")), len(rts) / len(trials)


def _build_up(benefit: np.ndarray) -> float:
    """Fewest repetitions k with benefit(k) ≥ 0.9 benefit(K) (NaN without a benefit)."""
    if not benefit[-1] > 0:
        return float("nan")
    return float(np.flatnonzero(benefit >= 0.9 * benefit[-1])[0])


def _findings(rt: np.ndarray) -> tuple[Finding, ...]:
    k = rt.shape[1] - 1
    benefit = rt[0, 0] - rt[0]
    switch = rt[1, -1] - rt[0, -1]
    first = rt[1, 1] - rt[0, 1]
    growth = switch / first if first > 0 else float("nan")
    reach = _build_up(benefit)
    return (
        Finding(f"repeat benefit after {k} same-colour trials, RT(0) − RT({k})", benefit[-1],
                "> 0 (repetition speeds search)", bool(benefit[-1] > 0), _REF, "ms"),
        Finding(f"switch − repeat RT after {k} same-colour trials", switch,
                "> 0 (a switch is slower)", bool(switch > 0), _REF, "ms"),
        Finding(f"switch − repeat RT after {k} trials / after 1 trial", growth,
                "> 1 (the effect accumulates)", bool(growth > 1), _REF),
        Finding("repetitions to reach 90 % of the benefit", reach, "≈ 5–8 (builds over several)",
                bool(4 <= reach <= 9), _REF, "trials"),
    )  # fmt: skip


@register(
    "priming",
    PrimingConfig,
    "priming of pop-out: colour repetition speeds singleton search, a switch slows it",
    quick={"repetitions": 5, "probes": 2},
)
def run(config: PrimingConfig) -> PrimingResult:
    """Run experiment 6 (see the module docstring) and hold it against the published data."""
    if not isinstance(config, PrimingConfig):
        raise TypeError(f"config must be a PrimingConfig, got {type(config).__name__}")
    feedback = TopDown(history_decay=config.history_decay, history_boost=config.history_boost)
    pipe = dataclasses.replace(Pipeline(), feedback=feedback)
    a, b = _colour_displays(config)
    size, k = config.set_size, config.repetitions
    run_arrays = _displays(a, config.layout_seed, k, size)
    seq = pipe.run_trials(
        [x.image for x in run_arrays],
        targets=[x.target_mask for x in run_arrays],
        n_fixations=config.n_fixations,
        seed=0,
    )
    states = (*seq.states, seq.state)  # the history after 0 … K repetitions
    probes = [_displays(s, config.probe_seed, config.probes, size) for s in (a, b)]
    rt = np.full((2, k + 1), np.nan)
    found = np.zeros((2, k + 1))
    for j, state in enumerate(states):
        for p, arrays in enumerate(probes):
            rt[p, j], found[p, j] = _mean_rt(pipe, arrays, state, config.n_fixations)
    reps = np.arange(k + 1)
    variables = {
        "rt": Variable(("probe", "repetitions"), rt, {"unit": "ms", "what": "first fixation"}),
        "found": Variable(("probe", "repetitions"), found, {"unit": "fraction"}),
    }
    coords = {"probe": np.array(PROBES), "repetitions": reps}
    return PrimingResult("priming", _findings(rt), variables, coords, config,
                         rt_ms=rt, found=found)  # fmt: skip
