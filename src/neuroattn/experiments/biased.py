"""Experiment 3: biased competition, a preferred and a poor stimulus in one receptive field.

Published (Reynolds, Chelazzi & Desimone 1999, J Neurosci 19:1736-1753): in V2 and V4 the
response to a pair of stimuli in a neuron's receptive field lies between the responses to
each alone (a weighted average), and attending one of the two moves the pair's response
toward the response to that one alone — up when the preferred stimulus is attended, down
when the poor one is.

Which model, and why. We use the normalisation model of attention (Reynolds & Heeger 2009,
:class:`~neuroattn.dynamics.NormalizationModel`, the authors' defaults), not the competition
network: the experiment is about one neuron's firing to two stimuli inside its receptive
field, which needs a receptive field and a feature tuning — the normalisation model has
both, and at one neuron it reads R = A·(E_pref + E_poor) / (S_pref + S_poor + σ), the
weighted average the data show (Grossberg's shunting equilibrium, x_i = B I_i/(A + Σ I_k),
is the same divisive form; the competition network's units are locations that race to win,
with no receptive field to share). Reynolds & Heeger (2009) showed that their model covers
this result; the arrangement below is ours.

Ours: the neuron at x = 0 preferring 0°; the preferred stimulus (0°) at −separation/2 and the
poor one (90°, which drives the neuron exp(−90²/2·60²) ≈ 0.32 as much) at +separation/2,
both inside its excitatory field (width 5); attending a stimulus is an attention field at
its place and orientation (widths 5 and 20°, as in the authors' two-stimulus simulation of
their Fig. 4; peak 2 on 1, the model's default); "attend away" puts that field at −100.
The indices are ours: the pair's position p = (pair − poor)/(preferred − poor) between the
two alone (0 = poor, 1 = preferred; all three with attention away), and the attention index
p(attended) − p(away) (> 0 toward the preferred, < 0 toward the poor).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..dynamics import NormalizationModel
from ..dynamics.checks import check_fields
from ._base import ExperimentResult, Finding, Variable
from ._registry import register

__all__ = ["BiasedConfig", "BiasedResult", "run"]

_REF = "Reynolds, Chelazzi & Desimone 1999"
STIMULI = ("preferred", "poor", "pair")
ATTENTION = ("away", "preferred", "poor")


@dataclass(frozen=True)
class BiasedConfig:
    """Settings of experiment 3 (biased competition in the normalisation model).

    Parameters
    ----------
    separation : float
        Distance between the two stimuli, centred on the neuron (ours: 8, both inside the
        excitatory field of width 5).
    stimulus_width : float
        Spatial width of each stimulus (ours: 2).
    poor_orientation : float
        Orientation of the poor stimulus in degrees; the neuron prefers 0° (ours: 90°).
    contrast : float
        Contrast of both stimuli (ours: 1).
    attention_width, attention_orientation_width : float
        The attention field on the attended stimulus (the authors' two-stimulus simulation,
        Reynolds & Heeger 2009 Fig. 4: 5 and 20°).
    attention_peak : float
        Peak of the field on a base of 1 (the model's published default: 2).
    away : float
        Where the field goes when attention is away (the authors' ``away`` stimulus: −100).
    space_step, orientation_step : float
        The model's grid (published: 1 and 1°); ``poor_orientation`` must be a multiple of
        ``orientation_step`` (the authors' stimuli are 1° wide). Widths are at least 0.1
        and the contrast at least 1e-4 (ours: below that the grid cannot sample them, or
        the response underflows).
    """

    separation: float = 8.0  # ours
    stimulus_width: float = 2.0  # ours
    poor_orientation: float = 90.0  # ours
    contrast: float = 1.0  # ours
    attention_width: float = 5.0  # published (Reynolds & Heeger 2009, Fig. 4 simulation)
    attention_orientation_width: float = 20.0  # published (idem)
    attention_peak: float = 2.0  # published (the model's default)
    away: float = -100.0  # published (the authors' away location)
    space_step: float = 1.0  # published grid
    orientation_step: float = 1.0  # published grid

    def __post_init__(self) -> None:
        limits: list[tuple[str, dict[str, float]]] = [
            ("separation", dict(gt=0, le=20)),
            ("stimulus_width", dict(ge=0.1, le=20)),
            ("poor_orientation", dict(ge=20, le=180)),
            ("contrast", dict(ge=1e-4, le=1)),
            ("attention_width", dict(ge=0.1, le=100)),
            ("attention_orientation_width", dict(ge=0.1, le=360)),
            ("attention_peak", dict(gt=1, le=100)),
            ("away", dict(ge=-190, le=-50)),
            ("space_step", dict(ge=0.25, le=2)),
            ("orientation_step", dict(ge=0.25, le=10)),
        ]
        check_fields(self, limits)
        steps = self.poor_orientation / self.orientation_step
        if abs(steps - round(steps)) > 1e-9:  # the stimuli are 1° wide: on the grid or lost
            raise ValueError(
                "poor_orientation must be a multiple of orientation_step, got "
                f"{self.poor_orientation!r} and {self.orientation_step!r}"
            )


@dataclass(frozen=True, kw_only=True)
class BiasedResult(ExperimentResult):
    """Experiment 3's result: the neuron's response per stimulus and attention condition.

    ``responses[i, j]`` is the response to stimulus ``STIMULI[i]`` with attention on
    ``ATTENTION[j]``; ``position`` the pair's place between poor (0) and preferred (1) per
    attention condition (the alone responses with attention away).
    """

    responses: np.ndarray
    position: np.ndarray

    @property
    def attention_index(self) -> dict[str, float]:
        """p(attended) − p(away), per attended stimulus."""
        p = self.position
        return {"preferred": float(p[1] - p[0]), "poor": float(p[2] - p[0])}

    def plot(self) -> Any:
        """Bars of the responses; the published direction of each attention effect."""
        from matplotlib.figure import Figure

        fig = Figure(figsize=(9, 4), layout="constrained")
        left, right = fig.subplots(1, 2)
        r = self.responses
        left.bar([0, 1], r[:2, 0], color=["tab:red", "tab:blue"])
        left.bar(
            [2.6, 3.4, 4.2], r[2], width=0.7,
            color=["tab:gray", "tab:red", "tab:blue"], edgecolor="k",
        )  # fmt: skip
        left.set_xticks([0, 1, 2.6, 3.4, 4.2],
                        ["preferred\nalone", "poor\nalone", "pair\naway", "pair\natt. pref",
                         "pair\natt. poor"], fontsize=8)  # fmt: skip
        left.set_ylabel("response of the neuron (model units)")
        left.set_title("responses")
        idx = self.attention_index
        right.bar([0, 1], [idx["preferred"], idx["poor"]], color=["tab:red", "tab:blue"])
        right.axhline(0.0, color="k", lw=0.8)
        for x, sign in ((0, "> 0"), (1, "< 0")):
            right.annotate(
                f"published {sign}",
                (x, 0),
                textcoords="offset points",
                xytext=(0, 8 if sign == "> 0" else -14),
                ha="center",
                fontsize=8,
            )
        right.set_xticks([0, 1], ["attend preferred", "attend poor"])
        right.set_ylabel("attention index  p(attended) − p(away)")
        right.set_title(f"pair, attention away: p = {self.position[0]:.2f}")
        fig.suptitle(f"Biased competition in the normalisation model ({_REF})")
        return fig


def _responses(config: BiasedConfig) -> np.ndarray:
    """R of the neuron at (0, 0°): (stimulus: preferred, poor, pair) × (attention)."""
    model = NormalizationModel(
        attention_peak=config.attention_peak,
        space_step=config.space_step,
        orientation_step=config.orientation_step,
    )
    half = config.separation / 2
    pref = model.stimulus(-half, config.stimulus_width, orientation=0.0, contrast=config.contrast)
    poor = model.stimulus(
        half, config.stimulus_width, orientation=config.poor_orientation, contrast=config.contrast
    )
    stimuli = np.stack([pref, poor, pref + poor])  # (3, n_theta, n_x)
    places = [(config.away, 0.0), (-half, 0.0), (half, config.poor_orientation)]
    out = np.empty((3, 3))
    for j, (position, orientation) in enumerate(places):
        a = model.attention_field(
            position=position, width=config.attention_width,
            orientation=orientation, orientation_width=config.attention_orientation_width,
        )  # fmt: skip
        out[:, j] = model.neuron(stimuli, a, position=0.0, orientation=0.0)
    return out


@register(
    "biased",
    BiasedConfig,
    "Reynolds, Chelazzi & Desimone 1999: pair response between the two; attention biases it",
    quick={"orientation_step": 6.0},
)
def run(config: BiasedConfig) -> BiasedResult:
    """Run experiment 3: the pair's response and its shift with attention (see module)."""
    r = _responses(config)
    pref, poor = r[0, 0], r[1, 0]
    if not pref > poor > 0:
        raise ValueError(f"responses must be preferred > poor > 0, got {pref!r} and {poor!r}")
    position = (r[2] - poor) / (pref - poor)  # per attention condition
    p_away = float(position[0])
    d_pref, d_poor = float(position[1] - p_away), float(position[2] - p_away)
    findings = (
        Finding("pair between poor (0) and preferred (1) alone, attention away", p_away,
                "between 0 and 1 (weighted average)", 0.0 < p_away < 1.0, _REF),
        Finding("attention index, preferred attended", d_pref,
                "> 0 (toward the preferred's response)", d_pref > 0.0, _REF),
        Finding("attention index, poor attended", d_poor,
                "< 0 (toward the poor's response)", d_poor < 0.0, _REF),
    )  # fmt: skip
    variables = {
        "response": Variable(("stimulus", "attention"), r,
                             {"unit": "model units", "neuron": "x = 0, prefers 0 deg"}),
        "pair_position": Variable(("attention",), position,
                                  {"note": "(pair - poor) / (preferred - poor), 0..1"}),
    }  # fmt: skip
    coords = {"stimulus": np.array(STIMULI), "attention": np.array(ATTENTION)}
    return BiasedResult(
        "biased", findings, variables, coords, config, responses=r, position=position
    )
