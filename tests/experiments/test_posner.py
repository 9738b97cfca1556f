"""Experiment 1 (Posner cueing): the qualitative signatures on a small, fast config."""

import dataclasses

import numpy as np
import pytest

from neuroattn import experiments as ex
from neuroattn.experiments.posner import PosnerConfig, PosnerResult

QUICK = {"soas_ms": (50.0, 100.0, 300.0, 600.0, 1000.0), "dt": 0.1}


@pytest.fixture(scope="module")
def result() -> PosnerResult:
    res = ex.run("posner", quick=True)
    assert isinstance(res, PosnerResult)
    return res


def test_facilitation_short_ior_long_and_crossover(result):
    soas, effect = result.soas_ms, result.effect("exogenous")
    assert effect[0] > 0 and effect[soas.tolist().index(150.0)] > 0  # facilitation
    assert (effect[soas >= 600] < 0).all()  # IOR, still there at 1000 ms
    cross = next(f for f in result.findings if f.measure.startswith("crossover"))
    assert 200 <= cross.model <= 400
    assert result.agrees


def test_costs_and_benefits_against_neutral(result):
    rt = result.rt_ms
    neutral = rt[4]
    assert rt[0, 0] < neutral[0] < rt[1, 0]  # Posner 1980: benefit and cost at short SOA
    assert rt[0, -1] > neutral[-1]  # IOR: the cued box is slower than no cue at all
    assert np.allclose(neutral, neutral[0], atol=0.5)  # no cue, no time course


def test_endogenous_benefit_builds_and_persists_without_ior(result):
    benefit = result.rt_ms[4] - result.rt_ms[2]
    assert 0 < benefit[0] < benefit[2]  # builds from 50 to 300 ms
    assert benefit[-1] >= 0.8 * benefit.max()  # and stays
    assert (result.effect("endogenous") > 0).all()  # never IOR


def test_no_depression_no_ior():
    """IOR comes from the depression: without it the long-SOA effect vanishes."""
    res = ex.run("posner", PosnerConfig(**QUICK, depletion=0.0))
    assert abs(res.effect()[-1]) < 0.5 and res.effect()[0] > 0


def test_one_time_scale_rt_in_ms():
    """RTs scale with TAU_MS: the decision part is model time × 7 ms."""
    res = ex.run("posner", PosnerConfig(**QUICK, nondecision_ms=0.0))
    assert ex.TAU_MS == 7.0
    assert 0 <= res.rt_ms.min() and res.rt_ms.max() < 100


def test_xarray_plot_and_dict(result):
    ds = result.to_xarray()
    assert ds["rt"].dims == ("condition", "soa") and ds.sizes["condition"] == 5
    assert ds["validity_effect"].dims == ("cue_type", "soa")
    assert ds["efficacy"].dims == ("time",)
    from matplotlib.figure import Figure

    assert isinstance(result.plot(), Figure)
    assert list(result.to_dict()["config"]["soas_ms"]) == [50.0, 150.0, 300.0, 600.0, 1000.0]


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"soas_ms": (100.0,)}, "soas_ms must be at least two"),
        ({"soas_ms": (300.0, 100.0)}, "soas_ms must be increasing"),
        ({"soas_ms": (0.0, 100.0)}, "soas_ms must be a finite number > 0"),
        ({"soas_ms": "50,100"}, "soas_ms must be at least two"),
        ({"n_locations": 1}, "n_locations must be an integer >= 2"),
        ({"beta": 1.0}, "beta must keep beta"),
        ({"threshold": -1}, "threshold must be"),
        ({"dt": 2.0}, "dt must be"),
        ({"recovery_ms": float("nan")}, "recovery_ms must be"),
        ({"field_peak": 0.5}, "field_peak must be"),
    ],
)
def test_bad_configs_one_clear_error(changes, match):
    with pytest.raises(ValueError, match=match):
        dataclasses.replace(PosnerConfig(), **changes)


def test_run_refuses_other_configs():
    from neuroattn.experiments.posner import run

    with pytest.raises(TypeError, match="config must be a PosnerConfig"):
        run({"soas_ms": (1, 2)})  # type: ignore[arg-type]
