"""Experiment 3 (Reynolds, Chelazzi & Desimone 1999): biased competition in one RF."""

import dataclasses

import numpy as np
import pytest
from matplotlib.figure import Figure

from neuroattn import experiments as ex
from neuroattn.dynamics import NormalizationModel
from neuroattn.experiments.biased import BiasedConfig, BiasedResult

QUICK = BiasedConfig(**ex.get("biased").quick)


@pytest.fixture(scope="module")
def quick() -> BiasedResult:
    res = ex.run("biased", quick=True)
    assert isinstance(res, BiasedResult)
    return res


def test_pair_lies_between_the_two_alone(quick):
    pref, poor, pair = quick.responses[:, 0]
    assert poor < pair < pref
    assert 0.0 < quick.position[0] < 1.0


def test_attention_moves_the_pair_toward_the_attended_one(quick):
    idx = quick.attention_index
    assert idx["preferred"] > 0.1 and idx["poor"] < -0.05
    assert quick.responses[2, 1] > quick.responses[2, 0] > quick.responses[2, 2]
    assert quick.agrees and len(quick.findings) == 3


def test_pair_is_the_suppression_weighted_average_of_the_two_alone():
    # independent reference: with attention away, E and S are linear in the stimulus, so
    # R_pair = (E_p + E_q) / (S_p + S_q + sigma) from each stimulus' own drive and pool
    cfg = QUICK
    res = ex.run("biased", config=cfg)
    m = NormalizationModel(orientation_step=cfg.orientation_step, space_step=cfg.space_step)
    half = cfg.separation / 2
    a = m.attention_field(
        position=cfg.away, width=cfg.attention_width, orientation=0.0,
        orientation_width=cfg.attention_orientation_width,
    )  # fmt: skip
    i, j = int(np.argmin(np.abs(m.x))), int(np.argmin(np.abs(m.theta)))
    parts = []
    for pos, ori in ((-half, 0.0), (half, cfg.poor_orientation)):
        pop = m.respond(m.stimulus(pos, cfg.stimulus_width, orientation=ori), a)
        parts.append((pop.attention[j, i] * pop.drive[j, i], pop.suppression[j, i]))
    (ep, sp), (eq, sq) = parts
    assert res.responses[2, 0] == pytest.approx((ep + eq) / (sp + sq + m.sigma), rel=1e-9)
    assert res.responses[0, 0] == pytest.approx(ep / (sp + m.sigma), rel=1e-9)


def test_a_poorer_stimulus_lowers_the_pair():
    near = ex.run("biased", config=dataclasses.replace(QUICK, poor_orientation=60.0))
    far = ex.run("biased", config=dataclasses.replace(QUICK, poor_orientation=120.0))
    assert far.responses[2, 0] < near.responses[2, 0]
    assert 0 < far.position[0] < 1 and 0 < near.position[0] < 1


def test_labelled_data_and_figure(quick):
    ds = quick.to_xarray()
    assert ds["response"].dims == ("stimulus", "attention")
    assert list(ds["stimulus"].values) == ["preferred", "poor", "pair"]
    assert ds["pair_position"].dims == ("attention",)
    assert isinstance(quick.plot(), Figure)


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        ("separation", -1.0, "separation must be a finite number > 0"),
        ("poor_orientation", 10.0, "poor_orientation must be"),
        ("poor_orientation", 93.0, "poor_orientation must be a multiple of orientation_step"),
        ("attention_peak", 1.0, "attention_peak must be"),
        ("contrast", True, "contrast must be"),
        ("away", 0.0, "away must be"),
    ],
)
def test_bad_configs_are_one_clear_value_error(field, value, match):
    with pytest.raises(ValueError, match=match):
        dataclasses.replace(QUICK, **{field: value})
