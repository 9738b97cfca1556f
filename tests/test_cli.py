"""The neuroattn command end to end, and its handling of bad input."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from neuroattn.cli import app

runner = CliRunner()

SMALL = """
[model]
type = "competition"
n = 4
beta = 0.5
activation = "relu"
[model.connectivity]
kind = "uniform"
weight = -0.4
[inputs]
values = [1.0, 0.8, 0.6, 0.4]
[time]
t_end = 20.0
dt = 0.01
method = "rk4"
save_every = 0.5
"""


def write(tmp_path, text, name="c.toml"):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_simulate_writes_results_and_figures(tmp_path):
    out = tmp_path / "out"
    res = runner.invoke(app, ["simulate", str(write(tmp_path, SMALL)), "-o", str(out), "-q"])
    assert res.exit_code == 0, res.output
    names = {p.name for p in out.iterdir()}
    assert names == {"trajectory.npz", "summary.json", "traces.png", "final_rates.png"}
    summary = json.loads((out / "summary.json").read_text())
    assert summary["winner"] == 0
    assert summary["final_rates"][0] > 0 and summary["final_rates"][3] == 0
    from neuroattn.dynamics import Trajectory

    traj = Trajectory.load(out / "trajectory.npz")
    np.testing.assert_allclose(traj.t[-1], 20.0)


def test_example_config_runs_a_sweep(tmp_path):
    res = runner.invoke(app, ["simulate", "--example"])
    assert res.exit_code == 0 and "[sweep]" in res.output
    cfg = write(tmp_path, res.output.replace("num = 31", "num = 4").replace("num = 19", "num = 3"))
    out = tmp_path / "sweep"
    res = runner.invoke(app, ["simulate", str(cfg), "-o", str(out), "-q"])
    assert res.exit_code == 0, res.output
    summary = json.loads((out / "summary.json").read_text())
    assert np.array(summary["winner"]).shape == (4, 3)
    assert (out / "sweep_winner.png").exists() and (out / "sweep_selectivity.png").exists()
    sel = np.array(summary["selectivity"], dtype=float)  # None (∞) becomes NaN
    # stronger β sharpens the competition: selectivity grows (or becomes ∞) along β
    assert np.all(np.nan_to_num(sel[-1], nan=np.inf) >= sel[0])


def test_demo_writes_its_figures(tmp_path):
    out = tmp_path / "demo"
    res = runner.invoke(app, ["demo", "-o", str(out)])
    assert res.exit_code == 0, res.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["competition"]["winner"] == 0
    assert summary["softmax_bridge"]["max_abs_difference"] < 1e-8
    assert summary["neural_field"]["bump_at"] == 30
    assert len(list(out.glob("*.png"))) == 4


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda s: s.replace("beta = 0.5", "beta = -1"),
            "model.beta must be a finite number >= 0, got -1",
        ),
        (lambda s: s.replace('type = "competition"', 'type = "hopfield"'), "model.type"),
        (lambda s: s.replace("n = 4", "n = 0"), "model.n"),
        (lambda s: s.replace("[1.0, 0.8, 0.6, 0.4]", "[1.0, 0.8]"), "inputs.values: has 2"),
        (lambda s: s.replace("[1.0, 0.8, 0.6, 0.4]", '"strong"'), "inputs.values"),
        (lambda s: s.replace('method = "rk4"', 'method = "magic"'), "time.method"),
        (lambda s: s.replace('activation = "relu"', 'activation = "gelu"'), "model.activation"),
        (lambda s: s.replace("dt = 0.01", "dt = 0"), "time.dt must be a finite number > 0, got 0"),
        (lambda s: s.replace("t_end = 20.0", "t_end = -3"), "time.t_end"),
        (lambda s: s + "\ncolour = 3\n", "time.colour: unknown field"),
        (lambda s: s.replace("[inputs]", "[inputz]"), "config.inputz: unknown field"),
        (lambda s: s.replace('kind = "uniform"', 'kind = "smallworld"'), "connectivity.kind"),
        (lambda s: s.replace("[model]\n", "[model\n"), "not valid TOML"),
        (lambda s: s + "\n[sweep]\nbeta = []\n", "sweep.beta"),
        (lambda s: s + "\n[sweep]\nwidth = [1.0, 2.0]\n", "sweep.width: cannot sweep"),
        (lambda s: s.replace("values = [1.0, 0.8, 0.6, 0.4]", ""), "inputs.values: missing"),
        # a value where a table belongs, a boolean where an integer belongs (issue 8)
        (
            lambda s: s.replace(
                '[model.connectivity]\nkind = "uniform"\nweight = -0.4', ""
            ).replace('activation = "relu"', 'activation = "relu"\nconnectivity = "uniform"'),
            "model.connectivity: must be a table",
        ),
        (lambda s: "time = 3\n" + s.split("[time]")[0], "time: must be a table"),
        (lambda s: s + "seed = true\n", "time.seed must be an integer, got True"),
        # Euler at dt far above τ: refused before the run, not a traceback
        (
            lambda s: (
                s.replace('method = "rk4"', 'method = "euler"')
                .replace("dt = 0.01", "dt = 5")
                .replace("t_end = 20.0", "t_end = 5000")
            ),
            "outside euler's stability region",
        ),
    ],
)
def test_bad_configs_exit_2_with_one_line_and_no_output(tmp_path, edit, message):
    out = tmp_path / "out"
    res = runner.invoke(app, ["simulate", str(write(tmp_path, edit(SMALL))), "-o", str(out)])
    assert res.exit_code == 2, res.output
    assert message in res.output
    assert "Traceback" not in res.output
    assert not out.exists()
    assert not list(tmp_path.glob(".out.*"))  # no staging folder left behind


def test_a_list_sweep_as_the_example_documents(tmp_path):
    out = tmp_path / "out"
    text = SMALL + "\n[sweep]\nbeta = [0.1, 0.2, 0.3]\n"
    res = runner.invoke(app, ["simulate", str(write(tmp_path, text)), "-o", str(out), "-q"])
    assert res.exit_code == 0, res.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["sweep"] and np.shape(summary["winner"]) == (3,)


def test_missing_config_file(tmp_path):
    res = runner.invoke(app, ["simulate", str(tmp_path / "nope.toml")])
    assert res.exit_code == 2 and "cannot read" in res.output


def test_simulate_without_config_is_an_error():
    res = runner.invoke(app, ["simulate"])
    assert res.exit_code == 2 and "CONFIG.toml" in res.output


def test_connectivity_from_file(tmp_path):
    np.save(tmp_path / "W.npy", -0.4 * np.ones((4, 4)))
    text = SMALL.replace('kind = "uniform"\nweight = -0.4', 'kind = "file"\npath = "W.npy"')
    res = runner.invoke(app, ["simulate", str(write(tmp_path, text)), "-o", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    np.save(tmp_path / "W.npy", np.ones((3, 3)))
    res = runner.invoke(app, ["simulate", str(write(tmp_path, text)), "-o", str(tmp_path / "p")])
    assert res.exit_code == 2 and "expected (4, 4)" in res.output


FIELD = """
[model]
type = "neural_field"
n = [6, 6]
sigma_inh = 3.0
[inputs]
values = 0.5
[time]
t_end = 2.0
dt = 0.05
"""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # issue 8: one argument may not ask for hours or gigabytes; each refusal says how
        # to raise the bound
        (SMALL.replace("n = 4", "n = 1000000000"), "[limits] max_units = 4096"),
        (FIELD.replace("n = [6, 6]", "n = [100000, 100000]"), "max_units"),
        (SMALL.replace("t_end = 20.0", "t_end = 1e6").replace("dt = 0.01", "dt = 0.05"),
         "2e+07 steps, more than [limits] max_steps = 1e+06"),
        (SMALL.replace("dt = 0.01", "dt = 1e-12"), "max_steps"),
        (SMALL.replace("t_end = 20.0", "t_end = 1e300"), "max_steps"),
        (SMALL.replace('method = "rk4"', 'method = "dopri5"').replace("t_end = 20.0",
         "t_end = 1e300"), "max_steps"),
        (SMALL + "\n[sweep]\nbeta = {start = 0, stop = 1, num = 1000}\n"
         "input_scale = {start = 0, stop = 1, num = 1000}\n", "[limits] max_memory"),
        (SMALL + "\n[limits]\nmax_work = 1e3\n", "[limits] max_work = 1e+03"),
        (SMALL + "\n[limits]\nmax_steps = 0\n", "limits.max_steps must be a positive integer"),
        (SMALL + "\n[limits]\nmax_memory = true\n", "limits.max_memory"),
        (SMALL + "\n[limits]\nmax_time = 3\n", "limits.max_time: unknown field"),
        (FIELD.replace("sigma_inh = 3.0", "sigma_inh = 1e300"), "kernel overflows"),
        (SMALL.replace("n = 4", "n = [true, 4]"), "model.n"),
    ],
)  # fmt: skip
def test_bounded_work_is_one_line(tmp_path, text, message):
    out = tmp_path / "out"
    res = runner.invoke(app, ["simulate", str(write(tmp_path, text)), "-o", str(out), "-q"])
    assert res.exit_code == 2, res.output
    assert message in res.output and len(res.output.strip().splitlines()) == 1
    assert not out.exists() and not list(tmp_path.glob(".out.*"))


def test_limits_can_be_raised_in_the_config(tmp_path):
    text = SMALL.replace("t_end = 20.0", "t_end = 20000.0").replace("dt = 0.01", "dt = 0.01")
    res = runner.invoke(app, ["simulate", str(write(tmp_path, text)), "-o", str(tmp_path / "a")])
    assert res.exit_code == 2 and "max_steps" in res.output
    text = text.replace("dt = 0.01", "dt = 0.5") + "\n[limits]\nmax_steps = 100\n"
    res = runner.invoke(app, ["simulate", str(write(tmp_path, text)), "-o", str(tmp_path / "b")])
    assert res.exit_code == 2 and "[limits] max_steps = 100" in res.output
    text = text.replace("max_steps = 100", "max_steps = 40000")
    res = runner.invoke(app, ["simulate", str(write(tmp_path, text)), "-o", str(tmp_path / "c")])
    assert res.exit_code == 0, res.output
