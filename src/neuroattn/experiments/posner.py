"""Experiment 1: Posner cueing — facilitation, inhibition of return, endogenous benefit.

Published (design brief §4): valid cues speed responses and invalid ones slow them (Posner
1980); with peripheral (exogenous) cues the facilitation at short SOAs (up to ~200–300 ms)
turns into inhibition of return (IOR) from ~300 ms on, stable over 300–1600 ms and lasting up
to ~3 s (Posner & Cohen 1984; Klein 2000; Samuel & Kat 2003, meta-analysis, whose example
figures are 57 ms facilitation at 105 ms SOA and 21 ms IOR at 1005 ms). Central
(endogenous) cues build a benefit over ~300 ms that persists, and bring no IOR (Posner &
Cohen 1984: IOR followed peripheral stimulation, not central cues).

The model (the project's own pieces, see :mod:`._posner_model`):

* **Locations compete.** One unit per box in the source's equation
  (:class:`~neuroattn.dynamics.Competition`, uniform cross-inhibition, ReLU, τ = TAU_MS);
  the placeholder boxes drive every unit weakly, the target drives its unit, and the RT is
  the time from the target's onset until its unit is the most active and above a threshold
  (plus one fixed non-decision time).
* **The exogenous cue** is a brief bright input at the cued box (its unit wins the competition
  while it lasts: capture) and, through stage 4, an attention field there: a transient
  that peaks ~100 ms after the cue (transient attention, Nakayama & Mackeben 1989) with
  peak 2 on a base of 1 (Reynolds & Heeger 2009), acting on the drive through the
  normalisation model's modulation R(A)/R(1) (:func:`~neuroattn.dynamics.attention_modulation`).
  The field raises the cued unit's activity from the placeholder: a head start for a valid
  target, a stronger competitor for an invalid one.
* **IOR is synaptic depression of the input pathway** (:class:`~neuroattn.dynamics.
  SynapticDepression`, Tsodyks & Markram 1997; as in Satel, Wang, Trappenberg & Klein
  2011). Why depression, not adaptation of the unit or the pipeline's IOR: (1) it is driven
  by the peripheral stimulus, not by where attention went, so a central cue — which
  orients attention without stimulating the box — leaves no IOR, as observed, whereas
  adaptation of the location's unit would follow the endogenous field too; (2) its recovery
  (τ_rec ≈ 1 s) is slow beside the network's 7 ms and the field's transient, so once the
  field has faded the depressed box drives a valid target less than an uncued one: IOR from
  ~300 ms, still there past 1 s; (3) the pipeline's IOR inhibits a fixated winner within a
  scan path, but in Posner's task the eyes stay at fixation.
* **The endogenous cue** is a sustained attention field at the cued box that rises with a
  time constant of 100 ms (ours: chosen so that it is built by ~300 ms, the published
  time course, so that finding checks the RT the competition makes of it, not its time
  course) and stays; no peripheral input, no depression.

Ours: every number marked "ours" in :class:`PosnerConfig`, the RT criterion, deterministic
trials (no noise: one RT per condition and SOA). Model time is converted with
:data:`~neuroattn.experiments.TAU_MS` (7 ms), never re-tuned here. Model RTs are decision
times of a 7 ms network plus the non-decision time; effects come out smaller than the
published tens of ms, so the findings compare signs, the crossover and the time courses.
At the shortest SOAs the cue's own response has not faded: a valid target's unit is then
already winning (decision time 0), so facilitation is read at the SOA nearest 105 ms.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..dynamics.checks import check_integer, check_number
from ._base import ExperimentResult, Finding, Variable
from ._posner_model import CONDITIONS, PUBLISHED_EFFECTS, simulate_rts
from ._registry import register

__all__ = ["PUBLISHED_EFFECTS", "PosnerConfig", "PosnerResult", "run"]

_COHEN = "Posner & Cohen 1984"
_META = "Samuel & Kat 2003"


@dataclass(frozen=True)
class PosnerConfig:
    """Settings of experiment 1. Drives and rates are in the model's units (the target's
    drive is 1); times in ms, converted with TAU_MS.

    Parameters
    ----------
    soas_ms : tuple of float
        Cue–target onset asynchronies (the published range: 50–1000 ms), increasing.
    n_locations : int
        Boxes, one unit each (2 as in Posner 1980).
    inhibition, beta : float
        Cross-inhibition weight w (W = −w everywhere) and the source's β (self-excitation
        β·n·w < 1: no unit stays on by itself). Ours.
    placeholder, cue_drive, target_drive : float
        Drives of the boxes, the cue and the target. Ours.
    threshold : float
        Rate the target's unit must reach, as the most active unit, to have won. Ours.
    cue_ms : float
        Duration of the peripheral cue. Ours (cues last 50–150 ms in the literature).
    field_peak : float
        Attention field peak on a base of 1 (published, Reynolds & Heeger 2009).
    exogenous_peak_ms : float
        When the exogenous field peaks after the cue (~100 ms: transient attention,
        Nakayama & Mackeben 1989).
    endogenous_tau_ms : float
        Rise time constant of the endogenous field. Ours (built by ~300 ms, as published).
    sigma : float
        Semi-saturation σ of the normalisation (ours: of the order of the display's pooled
        drive, where attention's contrast gain acts).
    recovery_ms, depletion : float
        Depression: τ_rec (ours; cortical depression recovers over ~1 s, Tsodyks & Markram
        1997) and U per unit drive and model time (ours).
    nondecision_ms : float
        Fixed sensory and motor time added to every RT (ours).
    response_window_ms : float
        How long after the target the race is followed.
    dt : float
        Step of the integration, model time (RK4).
    """

    soas_ms: tuple[float, ...] = (50.0, 100.0, 150.0, 200.0, 300.0, 400.0, 600.0, 800.0, 1000.0)
    n_locations: int = 2  # published design (Posner 1980: two boxes)
    inhibition: float = 0.6  # ours
    beta: float = 0.3  # ours (β·n·w = 0.36)
    placeholder: float = 0.1  # ours: dim boxes
    cue_drive: float = 2.0  # ours: a bright brief flash
    target_drive: float = 1.0  # ours: the unit of drive
    threshold: float = 1.0  # ours
    cue_ms: float = 50.0  # ours
    field_peak: float = 2.0  # published (Reynolds & Heeger 2009)
    exogenous_peak_ms: float = 100.0  # published order (Nakayama & Mackeben 1989)
    endogenous_tau_ms: float = 100.0  # ours
    sigma: float = 0.3  # ours
    recovery_ms: float = 1200.0  # ours
    depletion: float = 0.02  # ours
    nondecision_ms: float = 250.0  # ours
    response_window_ms: float = 300.0  # ours
    dt: float = 0.05  # ours (model time; 0.35 ms)

    def __post_init__(self) -> None:
        soas = self.soas_ms
        if isinstance(soas, (str, bytes)) or not hasattr(soas, "__len__") or len(soas) < 2:
            raise ValueError(f"soas_ms must be at least two SOAs in ms, got {soas!r}")
        values = tuple(check_number(s, "soas_ms", gt=0, le=5000) for s in soas)
        if any(b <= a for a, b in itertools.pairwise(values)):
            raise ValueError(f"soas_ms must be increasing, got {soas!r}")
        object.__setattr__(self, "soas_ms", values)
        check_integer(self.n_locations, "n_locations", ge=2, le=64)
        check_number(self.inhibition, "inhibition", gt=0, le=10)
        check_number(self.beta, "beta", ge=0)
        if self.beta * self.n_locations * self.inhibition >= 1:
            raise ValueError(
                "beta must keep beta * n_locations * inhibition < 1 (no unit stays on by "
                f"itself), got {self.beta * self.n_locations * self.inhibition:g}"
            )
        for name in ("placeholder", "cue_drive"):
            check_number(getattr(self, name), name, ge=0, le=100)
        check_number(self.target_drive, "target_drive", gt=0, le=100)
        check_number(self.threshold, "threshold", gt=0, le=100)
        check_number(self.cue_ms, "cue_ms", gt=0, le=1000)
        check_number(self.field_peak, "field_peak", ge=1, le=100)
        check_number(self.exogenous_peak_ms, "exogenous_peak_ms", gt=0, le=5000)
        check_number(self.endogenous_tau_ms, "endogenous_tau_ms", gt=0, le=5000)
        check_number(self.sigma, "sigma", gt=0, le=100)
        check_number(self.recovery_ms, "recovery_ms", gt=0, le=1e5)
        check_number(self.depletion, "depletion", ge=0, le=100)
        check_number(self.nondecision_ms, "nondecision_ms", ge=0, le=5000)
        check_number(self.response_window_ms, "response_window_ms", ge=50, le=5000)
        check_number(self.dt, "dt", gt=0, le=0.5)


@dataclass(frozen=True, kw_only=True)
class PosnerResult(ExperimentResult):
    """Experiment 1's result: RT per condition and SOA, and the validity effects.

    Attributes
    ----------
    rt_ms : ndarray, shape (5, n_soa)
        RT (non-decision time included) per condition of :data:`CONDITIONS` and SOA.
    soas_ms : ndarray
    """

    rt_ms: np.ndarray
    soas_ms: np.ndarray

    def effect(self, kind: str = "exogenous") -> np.ndarray:
        """Validity effect invalid − valid (ms) per SOA, ``"exogenous"`` or ``"endogenous"``."""
        row = 0 if kind == "exogenous" else 2
        return self.rt_ms[row + 1] - self.rt_ms[row]

    def plot(self) -> Any:
        """RT against SOA (exogenous cues) and the validity effects, published points beside."""
        from ._posner_plot import plot_posner

        return plot_posner(self)


def _crossover(soas: np.ndarray, effect: np.ndarray) -> float:
    """The first SOA where the effect falls from > 0 to ≤ 0 (linear), NaN if it never does."""
    for k in range(1, soas.size):
        if effect[k - 1] > 0 >= effect[k]:
            a, b = effect[k - 1], effect[k]
            return float(soas[k - 1] + (soas[k] - soas[k - 1]) * a / (a - b))
    return float("nan")


def _findings(soas: np.ndarray, rt: np.ndarray) -> tuple[Finding, ...]:
    exo = rt[1] - rt[0]
    endo_benefit = rt[4] - rt[2]  # neutral − endogenous valid
    cross = _crossover(soas, exo)
    late = exo[soas >= 400]
    i300 = int(np.argmin(np.abs(soas - 300)))
    i105 = int(np.argmin(np.abs(soas - 105)))  # the published example's SOA
    peak = float(np.nanmax(endo_benefit))
    first, last = f"{soas[0]:g} ms", f"{soas[-1]:g} ms"
    rising = endo_benefit[0] / endo_benefit[i300] if endo_benefit[i300] > 0 else float("nan")
    kept = endo_benefit[-1] / peak if peak > 0 else float("nan")
    return (
        Finding(f"exogenous validity effect (invalid − valid) at SOA {soas[i105]:g} ms",
                exo[i105], "> 0 (facilitation; 57 ms at 105 ms)", bool(exo[i105] > 0), _META,
                "ms"),
        Finding(f"exogenous validity effect at SOA {last}", exo[-1],
                "< 0 (IOR; −21 ms at 1005 ms)", bool(exo[-1] < 0), _META, "ms"),
        Finding("crossover SOA, facilitation → IOR", cross, "≈ 200–400 ms",
                bool(200 <= cross <= 400), _COHEN, "ms"),
        Finding("largest exogenous validity effect at SOAs ≥ 400 ms", float(late.max())
                if late.size else float("nan"), "< 0 (IOR stable over 300–1600 ms)",
                bool(late.size and late.max() < 0), _META, "ms"),
        Finding(f"endogenous benefit at {first} / at {soas[i300]:g} ms", rising,
                "< 1 (builds over ~300 ms)", bool(rising < 0.8), "Posner 1980"),
        Finding(f"endogenous benefit at {last} / its largest", kept,
                "≈ 1 (persists)", bool(kept >= 0.8), "Posner 1980"),
        Finding(f"endogenous validity effect at SOA {last}", rt[3, -1] - rt[2, -1],
                "> 0 (no IOR with central cues)", bool(rt[3, -1] > rt[2, -1]), _COHEN, "ms"),
    )  # fmt: skip


@register(
    "posner",
    PosnerConfig,
    "Posner cueing: facilitation then inhibition of return; endogenous benefit",
    quick={"soas_ms": (50.0, 150.0, 300.0, 600.0, 1000.0), "dt": 0.1},
)
def run(config: PosnerConfig) -> PosnerResult:
    """Run experiment 1 (see the module docstring) and hold it against the published data."""
    if not isinstance(config, PosnerConfig):
        raise TypeError(f"config must be a PosnerConfig, got {type(config).__name__}")
    decision, traces = simulate_rts(config)
    rt = decision + config.nondecision_ms
    soas = np.asarray(config.soas_ms)
    time_ms = traces.pop("time_ms")
    variables = {
        "rt": Variable(("condition", "soa"), rt, {"unit": "ms"}),
        "validity_effect": Variable(("cue_type", "soa"), np.stack([rt[1] - rt[0], rt[3] - rt[2]]),
                                    {"unit": "ms", "definition": "invalid − valid"}),
    }  # fmt: skip
    for name, trace in traces.items():
        variables[name] = Variable(("time",), trace, {"location": "cued box"})
    coords = {"condition": np.array(CONDITIONS), "soa": soas,
              "cue_type": np.array(["exogenous", "endogenous"]), "time": time_ms}  # fmt: skip
    return PosnerResult("posner", _findings(soas, rt), variables, coords, config,
                        rt_ms=rt, soas_ms=soas)  # fmt: skip
