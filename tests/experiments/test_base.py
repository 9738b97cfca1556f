"""The experiments' house: the registry, findings, results and their labelled data."""

import dataclasses
import math

import numpy as np
import pytest

from neuroattn import experiments as ex
from neuroattn.experiments import ExperimentResult, Finding, Variable


@dataclasses.dataclass(frozen=True)
class _Config:
    n: int = 3


def _result(config: _Config) -> ExperimentResult:
    x = np.arange(config.n, dtype=float)
    return ExperimentResult(
        "toy",
        (Finding("slope", 2.0, "> 0", True, "Nobody 2026", "ms/item"),
         Finding("missing", math.nan, "≈ 1", False, "Nobody 2026")),
        {"rt": Variable(("set_size",), 2 * x, {"unit": "ms"})},
        {"set_size": x},
        config,
    )  # fmt: skip


def test_unknown_names_list_the_valid_ones():
    with pytest.raises(ValueError, match="unknown experiment 'nope'; use one of"):
        ex.get("nope")
    with pytest.raises(ValueError, match="unknown experiment"):
        ex.run(3)  # type: ignore[arg-type]


def test_a_registered_experiment_runs_by_name_with_overrides_and_its_time():
    if "toy-test" not in ex.available():
        ex.register("toy-test", _Config, "a toy", quick={"n": 2})(_result)
    res = ex.run("toy-test", n=5)
    assert res.variables["rt"].values.shape == (5,)
    assert res.seconds > 0
    assert ex.run("toy-test", quick=True).variables["rt"].values.shape == (2,)
    with pytest.raises(TypeError, match="toy-test: config must be a _Config"):
        ex.run("toy-test", config=object())
    with pytest.raises(TypeError, match="toy-test"):
        ex.run("toy-test", nope=1)
    with pytest.raises(ValueError, match="registered twice"):
        ex.register("toy-test", _Config, "again")(_result)


def test_findings_table_dict_and_xarray():
    res = _result(_Config())
    assert not res.agrees
    text = res.table()
    assert "slope" in text and "NO" in text and "2 ms/item" in text
    d = res.to_dict()
    assert d["findings"][1]["model"] is None and d["config"] == {"n": 3}
    ds = res.to_xarray()
    np.testing.assert_array_equal(ds["rt"].values, [0, 2, 4])
    assert ds["rt"].dims == ("set_size",) and ds.attrs["experiment"] == "toy"


def test_variables_are_read_only_and_shaped():
    v = Variable(("a",), np.zeros(3))
    with pytest.raises(ValueError):
        v.values[0] = 1
    with pytest.raises(ValueError, match="1-D values for dims"):
        Variable(("a", "b"), np.zeros(3))
