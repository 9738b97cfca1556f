"""``neuroattn experiment``, ``neuroattn validate`` and the demo's validation summary, through
the console entry point (exit codes, one-line errors), on toy experiments."""

from __future__ import annotations

import json
import sys

import pytest

from neuroattn import cli

from ._toys import STATE, only_toys  # noqa: F401

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

pytestmark = pytest.mark.usefixtures("only_toys")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, list[str]]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, [line for line in err.splitlines() if line.strip()]


def one_error(err: list[str], words: str) -> None:
    assert len(err) == 1, err
    assert err[0].startswith("error: ") and words in err[0] and "Traceback" not in err[0]


def test_list_names_every_experiment_with_its_summary(capsys):
    code, out, _ = run(capsys, "experiment", "--list")
    assert code == 0
    assert out.splitlines() == [
        "toy-a       a toy <experiment>",
        "toy-broken  a toy that raises",
        "toy-gate    a toy whose finding can regress",
    ]


def test_example_prints_toml_that_runs(capsys, tmp_path):
    code, out, _ = run(capsys, "experiment", "toy-a", "--example")
    assert code == 0 and "# Posner & Cohen 1984" in out
    assert tomllib.loads(out)["n"] == 4
    config = tmp_path / "toy.toml"
    config.write_text(out.replace("n = 4", "n = 6"))
    code, out, err = run(
        capsys, "experiment", "toy-a", "-c", str(config), "-o", str(tmp_path / "o")
    )
    assert code == 0, err
    assert out.splitlines()[0].split()[:2] == ["measure", "model"] and "Nobody 2026" in out
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == [
        "results.json", "table.txt", "toy-a.png",
    ]  # fmt: skip
    assert json.loads((tmp_path / "o/results.json").read_text())["config"]["n"] == 6


def test_quick_and_the_default_folder(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "experiment", "toy-a", "--quick")
    assert code == 0, err
    data = json.loads((tmp_path / "neuroattn-toy-a/results.json").read_text())
    assert data["config"]["n"] == 2


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["experiment", "nope"], "unknown experiment 'nope'; use one of: toy-a, toy-broken"),
        (["experiment", "nope", "--example"], "unknown experiment 'nope'"),
        (["experiment"], "give an experiment NAME (see --list)"),
        (["experiment", "--example"], "give an experiment NAME"),
        (["experiment", "toy-a", "-c", "missing.toml"], "missing.toml"),
        (["experiment", "toy-broken"], "ZeroDivisionError: always"),
        (["validate", "--only", "nope"], "unknown experiment 'nope'"),
        (["validate", "--bogus"], "No such option: --bogus"),
    ],
)
def test_bad_names_and_files_are_one_line_and_exit_2(capsys, tmp_path, argv, words):
    extra = ["-o", str(tmp_path / "o")] if argv[-1] != "--bogus" else []
    code, _, err = run(capsys, *argv, *extra)
    if "toy-broken" in argv:  # a bug in an experiment is not bad input
        assert code == 1 and "internal error" in err[0] and words in err[0]
        return
    assert code == 2
    one_error(err, words)
    assert not (tmp_path / "o").exists() and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("toml", "words"),
    [
        ("n = 1\n", "bad.toml: n must be an integer >= 2 and <= 1000, got 1"),
        ("colour = 'red'\n", "bad.toml: colour is not a setting of this experiment"),
        ("n = [\n", "not valid TOML"),
        ("[inner]\nwidth = -1\n", "inner.width must be"),
    ],
)
def test_bad_configs_are_one_line_and_exit_2(capsys, tmp_path, toml, words):
    bad = tmp_path / "bad.toml"
    bad.write_text(toml)
    code, _, err = run(capsys, "experiment", "toy-a", "-c", str(bad), "-o", str(tmp_path / "o"))
    assert code == 2
    one_error(err, words)
    assert not (tmp_path / "o").exists()


def test_config_and_quick_together_are_refused(capsys, tmp_path):
    good = tmp_path / "c.toml"
    good.write_text("n = 3\n")
    code, _, err = run(capsys, "experiment", "toy-a", "-c", str(good), "--quick")
    assert code == 2
    one_error(err, "either a config file or --quick")


def test_validate_writes_the_report_and_gates_regressions(capsys, tmp_path):
    out = tmp_path / "v"
    argv = ["validate", "-o", str(out), "--only", "toy-gate", "--only", "toy-a", "-q"]
    code, stdout, err = run(capsys, *argv)
    assert code == 0 and err == []
    assert "4 of 6 findings agree" in stdout and str(out.resolve() / "report.html") in stdout
    assert {"report.html", "results.json", "toy-a.png", "toy-gate.png", "baseline.json"} <= {
        p.name for p in out.iterdir()
    }
    STATE["agree"] = False
    code, stdout, err = run(capsys, *argv)
    assert code == 3
    assert any("regression: toy-gate: ratio — disagrees (agreed before)" in line for line in err)
    assert "ratio" in stdout  # the table is printed all the same
    code, _, _ = run(capsys, *argv, "--accept")
    assert code == 3  # accepted for next time, but this run regressed
    assert run(capsys, *argv)[0] == 0


def test_validate_fails_when_an_experiment_fails(capsys, tmp_path):
    code, stdout, err = run(capsys, "validate", "-o", str(tmp_path), "--only", "toy-broken", "-q")
    assert code == 3
    assert any("failed: toy-broken: ZeroDivisionError: always" in line for line in err)
    assert "(failed)" in stdout and (tmp_path / "report.html").exists()


def test_validate_with_a_bad_baseline_is_one_line(capsys, tmp_path):
    bad = tmp_path / "b.json"
    bad.write_text("{not json")
    argv = ["validate", "-o", str(tmp_path / "o"), "--only", "toy-a", "--baseline", str(bad)]
    code, _, err = run(capsys, *argv)
    assert code == 2
    one_error(err, "not a JSON baseline")


def test_the_demo_ends_with_the_validation_summary(tmp_path):
    from neuroattn._demo import _validation

    summary = _validation(tmp_path / "validation")
    assert summary["agree"] == 4 and summary["findings"] == 6  # 2 of 3 in toy-a, toy-gate
    assert summary["report"] == "validation/report.html"
    assert (tmp_path / "validation/report.html").exists()
    assert "failed: toy-broken" in "\n".join(summary["lines"])
    assert summary["table"].splitlines()[0].split()[0] == "experiment"


def test_the_demo_command_prints_the_table_and_where_the_report_is(capsys, tmp_path, monkeypatch):
    import neuroattn._demo as demo

    monkeypatch.setattr(demo, "_vision", lambda folder: {})  # the vision part is tested elsewhere
    code, out, _ = run(capsys, "demo", "-o", str(tmp_path / "d"))
    assert code == 0
    assert "model against published data (quick settings):" in out
    report = (tmp_path / "d" / "validation" / "report.html").resolve()
    assert report.exists() and f"report: {report}" in out.replace("\n", "")
    assert "neuroattn validate" in out
    summary = json.loads((tmp_path / "d/summary.json").read_text())
    assert summary["validation"]["findings"] == 6 and "table" not in summary["validation"]
