"""Experiment 6 (priming of pop-out): the qualitative signatures on a small, fast config."""

import dataclasses

import numpy as np
import pytest

from neuroattn import experiments as ex
from neuroattn.experiments.priming import PrimingConfig, PrimingResult, _build_up


@pytest.fixture(scope="module")
def result() -> PrimingResult:
    res = ex.run("priming", quick=True)  # K = 5 repetitions, 2 probes per point
    assert isinstance(res, PrimingResult)
    return res


def test_repetition_speeds_and_builds_over_several_trials(result):
    benefit = result.benefit
    assert benefit[-1] > 0
    assert (np.diff(benefit[:4]) > 0).all()  # still growing after the second repetition
    assert benefit[1] < 0.6 * benefit[-1]  # one trial is not the whole effect
    assert result.found.min() == 1.0  # colour singletons are always found


def test_a_switch_is_slower_than_a_repeat_and_more_so_after_long_runs(result):
    rt = result.rt_ms
    cost = rt[1] - rt[0]
    assert cost[-1] > 0 and cost[-1] > cost[1]
    assert result.agrees


def test_build_up_count():
    assert _build_up(np.array([0.0, 5.0, 8.0, 9.5, 10.0])) == 3.0
    assert np.isnan(_build_up(np.array([0.0, -1.0])))


def test_xarray_plot_and_seeds_stated(result):
    ds = result.to_xarray()
    assert ds["rt"].dims == ("probe", "repetitions")
    assert list(ds["probe"].values) == ["repeat", "switch"]
    assert ds.sizes["repetitions"] == 6
    from matplotlib.figure import Figure

    assert isinstance(result.plot(), Figure)
    assert result.to_dict()["config"]["split"] == "held-out"


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"split": "train"}, "split must be one of"),
        ({"repetitions": 1}, "repetitions must be an integer >= 2"),
        ({"probes": 0}, "probes must be an integer"),
        ({"set_size": 50}, "set_size must be an integer"),
        ({"history_decay": 1.5}, "history_decay must be"),
        ({"history_boost": float("nan")}, "history_boost must be"),
        ({"family_seed": -1}, "family_seed must be"),
        ({"n_fixations": True}, "n_fixations must be"),
    ],
)
def test_bad_configs_one_clear_error(changes, match):
    with pytest.raises(ValueError, match=match):
        dataclasses.replace(PrimingConfig(), **changes)


def test_run_refuses_other_configs():
    from neuroattn.experiments.priming import run

    with pytest.raises(TypeError, match="config must be a PrimingConfig"):
        run(None)  # type: ignore[arg-type]
