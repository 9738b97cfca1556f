"""Parameter sweeps (``neuroattn.experiments.sweep``, ``neuroattn sweep``).

References are independent of the sweep code: ``scipy.integrate.solve_ivp`` on the source's
equation written out per network, and a toy experiment called directly. The Dask test runs
the same grid on a two-worker ``LocalCluster`` and asks for the identical dataset.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from neuroattn import cli
from neuroattn import experiments as ex
from neuroattn.dynamics.progress import ProgressMeter
from neuroattn.experiments.sweep import (
    EXAMPLE,
    SweepConfig,
    load_sweep_config,
    parse_sweep_config,
    run_sweep,
    sweep_progress,
)

xr = pytest.importorskip("xarray")

FIXED = {"n": 6, "t_end": 20.0, "window": 2.0}
GRID = {"beta": [0.0, 1.0, 2.5], "contrast": [0.4, 1.0, 2.0], "noise": [0.0, 0.05]}


def _config(**kw):
    return SweepConfig(kw.pop("grid", GRID), fixed=kw.pop("fixed", FIXED), **kw)


def _reference(beta, contrast, *, n=6, w=-0.25, k=4.0, theta=0.5, spread=0.2, t_end=20.0):
    """The source's equation per network, written out and solved by scipy."""
    inputs = contrast * (1 - spread * np.arange(n) / (n - 1))
    W = np.full((n, n), w)

    def rhs(t, u):
        r = 1 / (1 + np.exp(-k * (u - theta)))
        excite = W @ r - np.diag(W) * r  # Σ_{j≠i} w_ij f(u_j)
        return -u + excite - beta * W.sum(1) * r + inputs

    sol = solve_ivp(rhs, (0, t_end), np.zeros(n), rtol=1e-10, atol=1e-12)
    return 1 / (1 + np.exp(-k * (sol.y[:, -1] - theta)))


def test_network_points_match_an_independent_solver():
    ds = run_sweep(_config(grid={"beta": [0.0, 2.5], "contrast": [0.4, 2.0]}, chunk_size=3))
    assert dict(ds.sizes) == {"beta": 2, "contrast": 2, "unit": 6}
    for b in (0.0, 2.5):
        for c in (0.4, 2.0):
            got = ds["rate"].sel(beta=b, contrast=c).values
            np.testing.assert_allclose(got, _reference(b, c), atol=1e-6)
    assert not ds["failed"].any()
    assert (ds["drift"] < 1e-3).all()  # settled: a contracting regime everywhere here


def test_regimes_move_in_the_stated_directions():
    ds = run_sweep(_config(grid={"beta": [0.0, 1.0, 3.0], "contrast": [0.2, 0.6, 1.2, 2.4]}))
    active = ds["n_active"].values
    assert (np.diff(active, axis=1) >= 0).all()  # more contrast, more active units
    assert active[0, 0] == 0 and active[-1, -1] == 6  # from none to all
    assert (ds["winner"].values == 0).all()  # the strongest input wins (unit 0)


def test_chunking_does_not_change_a_noise_free_sweep():
    grid = {"beta": [0.0, 1.0, 2.5], "contrast": [0.4, 1.0, 2.0]}
    a, b = (run_sweep(_config(grid=grid, chunk_size=s)) for s in (2, 9))
    xr.testing.assert_allclose(a.drop_attrs(), b.drop_attrs(), rtol=1e-12, atol=1e-14)


def test_noise_is_seeded_per_chunk():
    a, b = run_sweep(_config()), run_sweep(_config())
    xr.testing.assert_identical(a, b)
    c = run_sweep(_config(seed=1))
    assert not np.allclose(a["rate"].sel(noise=0.05), c["rate"].sel(noise=0.05))
    np.testing.assert_array_equal(a["rate"].sel(noise=0.0), c["rate"].sel(noise=0.0))


def test_a_structural_axis_is_grouped_and_matches_the_reference():
    ds = run_sweep(_config(grid={"weight": [-0.25, -0.1], "contrast": [1.0]}, chunk_size=5))
    np.testing.assert_allclose(
        ds["rate"].sel(weight=-0.1, contrast=1.0).values, _reference(1.0, 1.0, w=-0.1), atol=1e-6
    )


class _Interrupt(ProgressMeter):
    """Ctrl-C after ``after`` chunks (as a user would, mid-sweep)."""

    def __init__(self, after: int) -> None:
        self.after = after

    def update(self, completed: float) -> None:
        if completed >= self.after:
            raise KeyboardInterrupt


def test_an_interrupted_sweep_resumes_to_the_same_dataset(tmp_path):
    cfg = _config(chunk_size=4)  # 18 points, 5 chunks
    with pytest.raises(KeyboardInterrupt):
        run_sweep(cfg, tmp_path / "s", progress=_Interrupt(2))
    files = sorted(p.name for p in (tmp_path / "s" / "chunks").iterdir())
    assert files == ["chunk-000000.npz", "chunk-000001.npz"]
    assert not (tmp_path / "s" / "sweep.nc").exists()
    assert sweep_progress(cfg, tmp_path / "s") == (2, 5)
    seen: list[float] = []
    resumed = run_sweep(cfg, tmp_path / "s", progress=seen.append)
    assert seen[0] == pytest.approx(2 / 5)  # the finished chunks count at once
    xr.testing.assert_identical(resumed, run_sweep(cfg))
    on_disk = xr.load_dataset(tmp_path / "s" / "sweep.nc")
    xr.testing.assert_identical(on_disk, resumed)
    assert not list((tmp_path / "s").rglob("*.tmp"))


def test_a_folder_of_another_sweep_is_refused_unless_restarted(tmp_path):
    run_sweep(_config(grid={"beta": [1.0]}), tmp_path)
    other = _config(grid={"beta": [2.0]})
    with pytest.raises(ValueError, match="holds a sweep of another config"):
        run_sweep(other, tmp_path)
    ds = run_sweep(other, tmp_path, restart=True)
    assert ds["beta"].values.tolist() == [2.0]
    assert json.loads((tmp_path / "manifest.json").read_text())["digest"] == other.digest()
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match="not empty and holds no sweep"):
        run_sweep(other, tmp_path / "x")


def test_the_cluster_gives_the_local_dataset():
    pytest.importorskip("distributed", reason="Dask is not installed")
    from neuroattn.vision.batch import dask_client

    cfg = _config(chunk_size=5)
    with dask_client(workers=2) as client:
        remote = run_sweep(cfg, client=client)
    xr.testing.assert_identical(remote, run_sweep(cfg))


@dataclasses.dataclass(frozen=True)
class _Toy:
    slope: float = 1.0  # a toy's field
    n: int = 3
    label: str = "a"

    def __post_init__(self) -> None:
        if self.n < 1:
            raise ValueError(f"n must be an integer >= 1, got {self.n}")


def _toy(config: _Toy) -> ex.ExperimentResult:
    x = np.arange(config.n, dtype=float)
    findings = [ex.Finding("slope", config.slope, "> 0", config.slope > 0, "Nobody 2026")]
    if config.n > 3:
        findings.append(ex.Finding("only when n > 3", 1.0, "1", True, "Nobody 2026"))
    rt = ex.Variable(("item",), config.slope * x)
    return ex.ExperimentResult("sweep-toy", tuple(findings), {"rt": rt}, {"item": x}, config)


if "sweep-toy" not in ex.available():
    ex.register("sweep-toy", _Toy, "a toy for the sweep tests")(_toy)


def test_an_experiment_sweep_gathers_findings_and_variables():
    cfg = SweepConfig({"slope": [-1.0, 2.0], "n": [2, 4]}, target="sweep-toy", chunk_size=3)
    ds = run_sweep(cfg)
    assert ds["finding_model"].dims == ("slope", "n", "measure")
    assert list(ds["measure"].values) == ["slope", "only when n > 3"]
    np.testing.assert_array_equal(ds["finding_model"].sel(measure="slope"), [[-1, -1], [2, 2]])
    assert ds["finding_agrees"].sel(slope=2.0, n=2, measure="slope")
    assert np.isnan(ds["finding_model"].sel(n=2, measure="only when n > 3")).all()
    assert ds["rt"].dims == ("slope", "n", "item") and ds.sizes["item"] == 4
    np.testing.assert_array_equal(ds["rt"].sel(slope=2.0, n=4), [0, 2, 4, 6])
    assert np.isnan(ds["rt"].sel(n=2, item=3)).all()  # n = 2 has no item 3
    assert (ds["seconds"] >= 0).all()


BAD = [
    ({"grid": {}}, "grid must be a non-empty mapping"),
    ({"grid": {"beta": []}}, "grid.beta must have 1 to"),
    ({"grid": {"beta": [1.0, 1.0]}}, "grid.beta must not repeat"),
    ({"grid": {"beta": [-1.0]}}, "grid.beta must be a finite number >= 0, got -1"),
    ({"grid": {"beta": [float("nan")]}}, "grid.beta must be finite values"),
    ({"grid": {"beta": [[1.0]]}}, "grid.beta must be numbers, booleans or strings"),
    ({"grid": {"beta": "0 1"}}, "grid.beta must be a list of values"),
    ({"grid": {"n": [4, 8]}}, "grid.n: unknown field; choose among"),
    ({"fixed": {"bogus": 1}}, "fixed.bogus: unknown field"),
    ({"fixed": {"n": 1}}, "fixed.n must be an integer >= 2"),
    ({"fixed": {"method": "rk4"}}, "fixed.method 'rk4' cannot integrate noise"),
    ({"fixed": {"window": 100.0}}, "window must be between dt and t_end"),
    ({"target": "nope"}, "target must be one of competition"),
    ({"chunk_size": 0}, "chunk_size must be an integer >= 1"),
    ({"seed": -1}, "seed must be an integer >= 0"),
    ({"grid": {f"a{i}": list(range(100)) for i in range(4)}, "target": "sweep-toy"},
     "grid must have at most"),
    ({"grid": {"n": [0]}, "target": "sweep-toy"}, "grid.n must be an integer >= 1, got 0"),
]  # fmt: skip


@pytest.mark.parametrize(("kw", "words"), BAD)
def test_bad_configs_get_one_clear_line(kw, words):
    kw = {"grid": GRID, "fixed": FIXED, **kw}
    if kw.get("target") == "sweep-toy" and kw["fixed"] is FIXED:
        kw["fixed"] = {}
    with pytest.raises((ValueError, TypeError)) as info:
        SweepConfig(kw.pop("grid"), **kw)
    assert words in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[grid]\nbeta = {start = 0, stop = 1}\n", "grid.beta.num: missing"),
        (
            "[grid]\nbeta = {start = 0, stop = 1, num = 0}\n",
            "grid.beta.num must be an integer >= 1",
        ),
        ("[grid]\nbeta = {start = 0, stop = 1, num = 3, log = true}\n", "grid.beta.start"),
        ("[grid]\nbeta = 1\n", "grid.beta must be a list or"),
        ("[sweep]\nchunk_size = 0\n[grid]\nbeta = [1]\n", "sweep.chunk_size must be"),
        ("[sweep]\nworkers = 2\n[grid]\nbeta = [1]\n", "sweep.workers: unknown field"),
        ("[fixed]\nn = 4\n", "grid: missing"),
        ("grid = 3\n", "grid: must be a table"),
        ("[gird]\nbeta = [1]\n", "config.gird: unknown field"),
    ],
)
def test_bad_toml_gets_one_clear_line(text, words):
    import tomllib

    with pytest.raises((ValueError, TypeError), match=None) as info:
        parse_sweep_config(tomllib.loads(text))
    assert words in str(info.value), str(info.value)


def test_the_example_is_a_valid_config_and_toml_axes_expand(tmp_path):
    cfg = load_sweep_config(_write(tmp_path / "ex.toml", EXAMPLE))
    assert cfg.shape == (31, 20, 3) and cfg.target == "competition"
    text = "[grid]\nbeta = {start = 0.1, stop = 10, num = 3, log = true}\n"
    assert parse_sweep_config(__import__("tomllib").loads(text)).grid["beta"] == pytest.approx(
        (0.1, 1.0, 10.0)
    )
    with pytest.raises(ValueError, match="not valid TOML"):
        load_sweep_config(_write(tmp_path / "bad.toml", "[grid\n"))
    with pytest.raises(ValueError, match="cannot read"):
        load_sweep_config(tmp_path / "missing.toml")


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


TOML = """[sweep]\nchunk_size = 4\n[fixed]\nn = 4\nt_end = 10.0\n[grid]\nbeta = [0.0, 2.0]
contrast = [0.5, 1.0, 2.0]\n"""


def test_the_command_writes_resumes_and_refuses_in_one_line(tmp_path, capsys):
    config = _write(tmp_path / "s.toml", TOML)
    out = tmp_path / "out"
    assert cli.main(["sweep", str(config), "-o", str(out), "-q"]) == 0
    ds = xr.load_dataset(out / "sweep.nc")
    assert dict(ds.sizes) == {"beta": 2, "contrast": 3, "unit": 4}
    assert "6 points in 2 chunks" in " ".join(capsys.readouterr().out.split())
    assert cli.main(["sweep", str(config), "-o", str(out), "-q"]) == 0
    assert "resumed: 2 of 2 chunks" in " ".join(capsys.readouterr().out.split())
    bad = _write(tmp_path / "b.toml", "[sweep]\ntarget = 'nope'\n[grid]\nbeta = [1]\n")
    assert cli.main(["sweep", str(bad), "-o", str(tmp_path / "b"), "-q"]) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(err) == 1 and err[0].startswith("error: sweep.target must be one of")
    assert cli.main(["sweep", "--example"]) == 0
    assert capsys.readouterr().out == EXAMPLE
    assert cli.main(["sweep"]) == 2
