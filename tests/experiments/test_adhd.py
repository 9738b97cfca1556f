"""Experiment 7, ADHD: a hypothesis (lower gain, more noise), never a diagnosis."""

import math

import numpy as np
import pytest
from scipy import stats

from neuroattn import experiments as ex
from neuroattn.experiments import adhd as A


@pytest.fixture(scope="module")
def result():
    return ex.run("adhd", quick=True)


def test_labelled_as_a_hypothesis_never_a_diagnosis(result):
    assert all(f.measure.startswith("hypothesis:") for f in result.findings)
    assert "not a diagnosis" in ex.get("adhd").summary


def test_more_variable_rts_larger_tau_and_more_capture(result):
    sd = np.nanmean(result.variables["rt_sd"].values, 1)
    tau = np.nanmean(result.exgauss[..., 2], 1)
    capture = result.variables["capture"].values.mean(1)
    typical, both = 0, 3
    assert sd[both] > sd[typical] and tau[both] > tau[typical]
    assert capture[both] > capture[typical]
    assert result.findings[0].model > 0 and result.findings[1].model > 1
    assert result.findings[2].model > 0
    # nearly every trial decided within the quick run, and decisions take tens of ms
    assert np.isfinite(result.rt_ms).mean() > 0.99
    assert (np.isfinite(result.rt_ms) == (result.choice >= 0)).all()
    assert 10 < np.nanmean(result.rt_ms) < 200


def test_exgauss_fit_recovers_known_parameters():
    x = stats.exponnorm.rvs(30 / 5, loc=200, scale=5, size=4000, random_state=1)
    mu, sigma, tau = A.exgauss_fit(x)
    assert mu == pytest.approx(200, rel=0.02)
    assert sigma == pytest.approx(5, rel=0.15) and tau == pytest.approx(30, rel=0.08)
    assert all(math.isnan(v) for v in A.exgauss_fit(np.array([1.0, np.nan])))


def test_hedges_g_of_a_shifted_copy_is_the_corrected_shift():
    b = np.random.default_rng(0).normal(size=20)
    g, se = A.hedges_g(b + 0.5 * b.std(ddof=1), b)
    assert g == pytest.approx((1 - 3 / (4 * 40 - 9)) * 0.5, rel=1e-12)
    assert se == pytest.approx(math.sqrt(40 / 400 + g * g / 80))
    assert math.isnan(A.hedges_g(np.ones(3), np.ones(3))[0])


def test_decide_takes_the_first_time_a_unit_leads_by_the_margin():
    t = np.arange(4.0)
    rates = np.array([
        [[0.1, 0.1, 0.1], [0.5, 0.5, 0.5]],
        [[0.4, 0.1, 0.1], [0.5, 0.5, 0.5]],
        [[0.9, 0.1, 0.1], [0.5, 0.5, 0.5]],
        [[0.1, 0.9, 0.1], [0.5, 0.5, 0.5]],
    ])  # fmt: skip
    when, choice = A.decide(t, rates, 0.5)
    assert when[0] == 2.0 and choice[0] == 0
    assert math.isnan(when[1]) and choice[1] == -1


def test_to_xarray_and_plot(result):
    ds = result.to_xarray()
    assert ds["rt"].dims == ("group", "condition", "subject", "trial")
    assert ds["exgauss_tau"].dims == ("group", "subject")
    assert list(ds["group"].values) == list(A.GROUPS)
    from matplotlib.figure import Figure

    assert isinstance(result.plot(), Figure)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("salient", 0.9, "salient must lie between drive and drive × top_down"),
        ("salient", 1.2, "salient must lie between"),
        ("margin", 1.0, "margin must be"),
        ("subjects", 2, "subjects must be"),
        ("trials", True, "trials must be"),
        ("adhd_noise", -0.1, "adhd_noise must be"),
        ("typical_gain", float("inf"), "typical_gain must be"),
        ("duration", 1e4, "must be at most 6.25e8"),
    ],
)
def test_bad_configs_are_one_clear_error(field, value, message):
    with pytest.raises(ValueError, match=message):
        A.AdhdConfig(**{field: value})
