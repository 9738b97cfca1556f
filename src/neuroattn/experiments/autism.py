"""Experiment 7 (autism): two hypotheses in the normalisation model — hypotheses, never a
diagnosis.

Published (Schallmo et al. 2020, Nat Commun 11:2675): motion-duration thresholds rise with
grating size at high contrast (spatial suppression); young adults with autism showed weaker
suppression than neurotypical controls (a less negative size index, and faster
discrimination of large high-contrast gratings). The authors compared accounts in a
normalisation model (Reynolds & Heeger 2009), R = M·E / (g·S[M·E] + σ): weaker suppression
(suppressive gain g = 0.75 against 1) and a narrower top-down gain field M (width 6 against
14); the data favoured the narrower field. Their settings, used here as defaults: excitatory
width 4 and 25°, suppressive width 40 and 25°, σ = 0.0002, M = 1 + 3·g_x (range 1 to 4,
spatial only), stimuli at −90° (width 3°) of widths 1, 2 and 12 at contrasts 0.03 and 0.98,
a grid of 2 units and 2°, the response the mean over ±1 sample around the population's
peak, threshold = 600 / response, and the size index
SI = log10(threshold at medium size) − log10(threshold at large size).

Ours: the suppressive gain through the identity A·E/(g·S + σ) = (1/g)·A·E/(S + σ/g), so
:class:`~neuroattn.dynamics.NormalizationModel` runs unchanged with σ/g; the tolerance that
decides "no change" (|ΔSI| ≤ 0.02). At high contrast S ≫ σ, so a suppressive gain scales
every response by 1/g and leaves the size index nearly unchanged: the weaker-suppression
hypothesis predicts faster discrimination but not the weaker size-dependence the data show,
and its row says so (it does not agree, as in the paper).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..dynamics import NormalizationModel
from ..dynamics.checks import check_fields, check_integer, check_number
from ._base import ExperimentResult, Finding, Variable
from ._registry import register

__all__ = ["ACCOUNTS", "AutismConfig", "AutismResult", "run"]

_REF = "Schallmo et al. 2020"
#: The reference model and the two hypotheses (labels of the ``account`` axis).
ACCOUNTS = ("reference", "weaker suppression (hypothesis)", "narrower field (hypothesis)")


@dataclass(frozen=True)
class AutismConfig:
    """Settings of the autism hypotheses (Schallmo et al. 2020's model; all published unless
    marked ours).

    Parameters
    ----------
    excitatory_width, excitatory_orientation_width : float
        Stimulation field: 4 and 25°.
    suppressive_width, suppressive_orientation_width : float
        Suppressive field: 40 and 25°.
    sigma : float
        Semi-saturation constant: 0.0002.
    field_peak : float
        Top-down gain field M from 1 to this peak: 4.
    reference_field_width, narrow_field_width : float
        Width of M: 14 (reference) and 6 (narrower-field hypothesis).
    weak_suppressive_gain : float
        Suppressive gain of the weaker-suppression hypothesis: 0.75 (reference: 1).
    small_size, medium_size, large_size : float
        Stimulus widths: 1, 2 and 12.
    low_contrast, high_contrast : float
        0.03 and 0.98.
    stimulus_orientation_width : float
        3°.
    readout_radius : int
        Samples around the peak averaged into the response: 1.
    criterion : float
        Threshold = criterion / response: 600 (arbitrary; the size index does not depend on it).
    space_step, orientation_step : float
        Grid: 2 and 2°.
    tolerance : float
        Ours: |ΔSI| ≤ tolerance counts as no change (0.02).

    Widths are at least 0.1, σ at least 1e-12 and contrasts at least 1e-4 (ours: below
    that the grid cannot sample a stimulus, or the response underflows).
    """

    excitatory_width: float = 4.0
    excitatory_orientation_width: float = 25.0
    suppressive_width: float = 40.0
    suppressive_orientation_width: float = 25.0
    sigma: float = 2e-4
    field_peak: float = 4.0
    reference_field_width: float = 14.0
    narrow_field_width: float = 6.0
    weak_suppressive_gain: float = 0.75
    small_size: float = 1.0
    medium_size: float = 2.0
    large_size: float = 12.0
    low_contrast: float = 0.03
    high_contrast: float = 0.98
    stimulus_orientation_width: float = 3.0
    readout_radius: int = 1
    criterion: float = 600.0
    space_step: float = 2.0
    orientation_step: float = 2.0
    tolerance: float = 0.02  # ours

    def __post_init__(self) -> None:
        limits: list[tuple[str, dict[str, float]]] = [
            ("excitatory_width", dict(ge=0.1, le=100)),
            ("excitatory_orientation_width", dict(ge=0.1, le=360)),
            ("suppressive_width", dict(ge=0.1, le=200)),
            ("suppressive_orientation_width", dict(ge=0.1, le=360)),
            ("sigma", dict(ge=1e-12, le=1)),
            ("field_peak", dict(ge=1, le=100)),
            ("reference_field_width", dict(ge=0.1, le=200)),
            ("narrow_field_width", dict(ge=0.1, lt=self._number("reference_field_width"))),
            ("weak_suppressive_gain", dict(ge=0.01, lt=1)),
            ("small_size", dict(ge=0.1, le=100)),
            ("medium_size", dict(gt=self._number("small_size"), le=100)),
            ("large_size", dict(gt=self._number("medium_size"), le=100)),
            ("low_contrast", dict(ge=1e-4, le=1)),
            ("high_contrast", dict(gt=self._number("low_contrast"), le=1)),
            ("stimulus_orientation_width", dict(ge=0.1, le=90)),
            ("criterion", dict(gt=0, le=1e9)),
            ("space_step", dict(ge=0.5, le=4)),
            ("orientation_step", dict(ge=0.5, le=10)),
            ("tolerance", dict(gt=0, lt=1)),
        ]
        check_fields(self, limits)
        radius = check_integer(self.readout_radius, "readout_radius", ge=0, le=10)
        object.__setattr__(self, "readout_radius", radius)

    def _number(self, name: str) -> float:
        """A field as a number, to bound the next one (its own bounds are checked in turn)."""
        value = getattr(self, name)
        return check_number(value, name)

    @property
    def sizes(self) -> tuple[float, float, float]:
        """Small, medium and large stimulus widths."""
        return (self.small_size, self.medium_size, self.large_size)

    @property
    def contrasts(self) -> tuple[float, float]:
        """Low and high contrast."""
        return (self.low_contrast, self.high_contrast)


@dataclass(frozen=True, kw_only=True)
class AutismResult(ExperimentResult):
    """The hypotheses' thresholds and size indices (hypotheses, not a diagnosis).

    ``thresholds[a, c, s]``: account ``ACCOUNTS[a]``, contrast (low, high), size (small,
    medium, large); ``size_index[a, c]`` = log10 threshold(medium) − log10 threshold(large).
    """

    thresholds: np.ndarray
    size_index: np.ndarray

    def plot(self) -> Any:
        """Thresholds against size per account, and each hypothesis' ΔSI at high contrast
        beside the published direction."""
        from matplotlib.figure import Figure

        cfg = self.config
        fig = Figure(figsize=(10, 4), layout="constrained")
        left, right = fig.subplots(1, 2)
        colours = ("k", "tab:red", "tab:blue")
        for a, (label, colour) in enumerate(zip(ACCOUNTS, colours, strict=True)):
            for c, (ls, contrast) in enumerate(zip(("--", "-"), cfg.contrasts, strict=True)):
                left.loglog(cfg.sizes, self.thresholds[a, c], ls, marker="s", color=colour,
                            label=f"{label}, contrast {contrast:g}")  # fmt: skip
        left.set_xlabel("stimulus size (model units)")
        left.set_ylabel("duration threshold (model units)")
        left.set_title("thresholds")
        left.legend(fontsize=7)
        delta = self.size_index[1:, 1] - self.size_index[0, 1]
        right.bar([0, 1], delta, color=colours[1:])
        right.axhline(0.0, color="k", lw=0.8)
        right.axhline(cfg.tolerance, color="gray", ls=":", lw=0.8)
        right.set_xticks([0, 1], [
            f"weaker suppression\n(gain {cfg.weak_suppressive_gain:g} vs 1)",
            f"narrower field\n(width {cfg.narrow_field_width:g} vs {cfg.reference_field_width:g})",
        ])  # fmt: skip
        right.set_ylabel(f"ΔSI vs reference at contrast {cfg.high_contrast:g}")
        right.set_title("published: ΔSI > 0 (weaker suppression observed)", fontsize=9)
        fig.suptitle(f"Autism: two hypotheses in the normalisation model ({_REF}); "
                     "hypotheses, not a diagnosis")  # fmt: skip
        return fig


def _peak_mean(response: np.ndarray, radius: int) -> np.ndarray:
    """Mean of R over ±radius samples around each population's peak: (B, T, X) → (B,)."""
    out = np.empty(response.shape[0])
    for b, r in enumerate(response):
        j, i = np.unravel_index(int(np.argmax(r)), r.shape)
        window = r[max(j - radius, 0) : j + radius + 1, max(i - radius, 0) : i + radius + 1]
        out[b] = window.mean()
    return out


def _thresholds(config: AutismConfig, gain: float, field_width: float) -> np.ndarray:
    """Thresholds (contrast, size) of one account: suppressive gain g through σ/g and 1/g."""
    model = NormalizationModel(
        excitatory_width=config.excitatory_width,
        excitatory_orientation_width=config.excitatory_orientation_width,
        suppressive_width=config.suppressive_width,
        suppressive_orientation_width=config.suppressive_orientation_width,
        sigma=config.sigma / gain,
        attention_peak=config.field_peak,
        attention_base=1.0,
        space_step=config.space_step,
        orientation_step=config.orientation_step,
    )
    field = model.attention_field(position=0.0, width=field_width)  # spatial only
    stimuli = np.stack(
        [
            model.stimulus(
                0.0,
                size,
                orientation=-90.0,
                orientation_width=config.stimulus_orientation_width,
                contrast=contrast,
            )
            for contrast in config.contrasts
            for size in config.sizes
        ]
    )  # (contrasts x sizes, n_theta, n_x)
    response = model.respond(stimuli, field).response / gain
    resp = _peak_mean(response, config.readout_radius).reshape(2, 3)
    if not np.all(np.isfinite(resp) & (resp > 0)):
        raise ValueError(f"responses must be finite and > 0 to give thresholds, got {resp}")
    return config.criterion / resp


def _findings(si: np.ndarray, thr: np.ndarray, config: AutismConfig) -> tuple[Finding, ...]:
    tol = config.tolerance
    hi = f"{100 * config.high_contrast:g} %"
    d_weak, d_narrow = si[1, 1] - si[0, 1], si[2, 1] - si[0, 1]
    r_weak, r_narrow = thr[1, 1, 2] / thr[0, 1, 2], thr[2, 1, 2] / thr[0, 1, 2]
    data = "> 0 (weaker suppression in the autism group's data)"
    faster = "< 1 (autism group faster for large high-contrast gratings)"
    return (
        Finding(f"reference model: size index at {hi}", si[0, 1],
                "< 0 (spatial suppression)", si[0, 1] < 0, _REF),
        Finding("reference model: SI(low) − SI(high contrast)", si[0, 0] - si[0, 1],
                "> 0 (less suppression at low contrast)", si[0, 0] - si[0, 1] > tol, _REF),
        Finding(f"weaker-suppression hypothesis: ΔSI at {hi}", d_weak,
                "≈ 0: it cannot produce the data's ΔSI > 0 (the account the study rejected)",
                abs(d_weak) <= tol, _REF),
        Finding(f"narrower-field hypothesis: ΔSI at {hi}", d_narrow, data, d_narrow > tol, _REF),
        Finding(f"weaker-suppression hypothesis: threshold ratio, large, {hi}", r_weak,
                faster, r_weak < 1 - tol, _REF, "×"),
        Finding(f"narrower-field hypothesis: threshold ratio, large, {hi}", r_narrow,
                faster, r_narrow < 1 - tol, _REF, "×"),
        Finding("ΔSI narrower field − ΔSI weaker suppression", d_narrow - d_weak,
                "> 0 (the data favoured the narrower field)", d_narrow - d_weak > tol, _REF),
    )  # fmt: skip


@register(
    "autism",
    AutismConfig,
    "Schallmo et al. 2020: weaker suppression vs narrower attention field (hypotheses only)",
)  # the defaults take ~0.1 s: no quick settings
def run(config: AutismConfig) -> AutismResult:
    """Run the autism hypotheses (hypotheses, never a diagnosis): thresholds of the
    reference model, the weaker-suppression and the narrower-field hypothesis, their size
    indices, and each hypothesis' predicted direction against the published one."""
    settings = [
        (1.0, config.reference_field_width),
        (config.weak_suppressive_gain, config.reference_field_width),
        (1.0, config.narrow_field_width),
    ]
    thr = np.stack([_thresholds(config, g, w) for g, w in settings])  # (3, 2, 3)
    si = np.log10(thr[:, :, 1]) - np.log10(thr[:, :, 2])  # (3, 2)
    variables = {
        "threshold": Variable(("account", "contrast", "size"), thr,
                              {"unit": "model units", "note": "criterion / response"}),
        "size_index": Variable(("account", "contrast"), si,
                               {"note": "log10 threshold(medium) - log10 threshold(large)"}),
    }  # fmt: skip
    coords = {
        "account": np.array(ACCOUNTS),
        "contrast": np.array(config.contrasts),
        "size": np.array(config.sizes),
    }
    findings = _findings(si, thr, config)
    return AutismResult(
        "autism", findings, variables, coords, config, thresholds=thr, size_index=si
    )
