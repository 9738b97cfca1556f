"""Experiment 4 (Reynolds & Heeger 2009, Fig. 2): contrast gain vs response gain."""

import dataclasses

import numpy as np
import pytest
from matplotlib.figure import Figure

from neuroattn import experiments as ex
from neuroattn.experiments.normalization import NormalizationConfig, NormalizationResult

QUICK = NormalizationConfig(**ex.get("normalization").quick)


@pytest.fixture(scope="module")
def quick() -> NormalizationResult:
    res = ex.run("normalization", quick=True)
    assert isinstance(res, NormalizationResult)
    return res


def test_registered_with_a_summary():
    assert "normalization" in ex.available()
    assert "Reynolds & Heeger" in ex.get("normalization").summary


def test_small_stimulus_large_field_is_contrast_gain(quick):
    a = quick.fig2a
    assert a.c50_shift > 1.5  # the doc's 1.98x on the authors' grid
    assert abs(a.rmax_ratio - 1) < 0.05
    assert abs(a.attended[-1] / a.unattended[-1] - 1) < 0.05  # no modulation at saturation


def test_large_stimulus_small_field_is_response_gain(quick):
    b = quick.fig2b
    assert b.rmax_ratio > 1.3
    assert b.attended[-1] / b.unattended[-1] > 1.3
    assert 1 < b.c50_shift < quick.fig2a.c50_shift  # c50 moves too, less than in 2A


def test_findings_agree_and_name_the_paper(quick):
    assert quick.agrees and len(quick.findings) == 6
    assert all("Reynolds & Heeger 2009" in f.reference for f in quick.findings)
    measures = " ".join(f.measure for f in quick.findings)
    assert "2A c50" in measures and "2B Rmax" in measures and "moves c50 here too" in measures


def test_fits_match_the_analytic_naka_rushton_of_one_neuron():
    # at one neuron R(c) = c A E0 / (c S0 + sigma): Rmax = A E0 / S0, c50 = sigma / S0, n = 1
    cfg = QUICK
    res = ex.run("normalization", config=cfg)
    model = cfg.model()
    pair = model.stimulus(100.0, cfg.fig2a_stimulus_width) + model.stimulus(
        -100.0, cfg.fig2a_stimulus_width
    )
    for centre, fit in ((100.0, res.fig2a.attended_fit), (-100.0, res.fig2a.unattended_fit)):
        a = model.attention_field(position=centre, width=cfg.fig2a_attention_width)
        pop = model.respond(pair, a)
        j = int(np.argmin(np.abs(pop.theta)))
        i = int(np.argmin(np.abs(pop.x - 100.0)))
        e0, a0, s0 = pop.drive[j, i], pop.attention[j, i], pop.suppression[j, i]
        assert fit.n == pytest.approx(1.0, rel=1e-3)
        assert fit.c50 == pytest.approx(model.sigma / s0, rel=1e-3)
        assert fit.rmax == pytest.approx(a0 * e0 / s0, rel=1e-3)


def test_labelled_data_and_figure(quick):
    ds = quick.to_xarray()
    assert ds["response"].dims == ("panel", "attention", "contrast")
    assert ds["naka_rushton"].dims == ("panel", "attention", "parameter")
    assert list(ds["panel"].values) == ["2A", "2B"]
    assert ds.sizes["contrast"] == QUICK.n_contrasts
    assert isinstance(quick.plot(), Figure)
    assert quick.to_dict()["config"]["n_contrasts"] == QUICK.n_contrasts


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        ("n_contrasts", 2, "n_contrasts must be an integer >= 5"),
        ("n_contrasts", 5.0, "n_contrasts must be"),
        ("min_contrast", 0.0, "min_contrast must be a finite number >= 1e-09"),
        ("fig2a_attention_width", -3.0, "fig2a_attention_width must be"),
        ("fig2b_stimulus_width", float("nan"), "fig2b_stimulus_width must be"),
        ("orientation_step", "1", "orientation_step must be a finite number"),
        ("tolerance", 1.0, "tolerance must be"),
    ],
)
def test_bad_configs_are_one_clear_value_error(field, value, match):
    with pytest.raises(ValueError, match=match):
        dataclasses.replace(QUICK, **{field: value})
