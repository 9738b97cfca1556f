"""``neuroattn listen --config`` / ``--example``: the TOML settings checked at the boundary."""

import json
import sys

import pytest
from typer.testing import CliRunner

from neuroattn.cli import app
from neuroattn.hearing import AuditoryScan, Encoder
from neuroattn.hearing._config import EXAMPLE_TOML, ListenConfig, config_from_mapping, load_config

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

runner = CliRunner()


def test_the_example_is_the_defaults_and_the_command_prints_it():
    assert config_from_mapping(tomllib.loads(EXAMPLE_TOML)) == ListenConfig()
    res = runner.invoke(app, ["listen", "--example"])
    assert res.exit_code == 0 and res.output == EXAMPLE_TOML


def test_tables_build_the_stages_settings(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('attend = "high"\n[encode]\nn_channels = 32\nfmax = 4000\n'
                    "[scan]\nn_bands = 4\n[features.weights]\npitch = 2\n")  # fmt: skip
    config = load_config(path)
    assert config.encode == Encoder(n_channels=32, fmax=4000.0)
    assert config.scan == AuditoryScan(n_bands=4)
    assert config.features.weights == {"pitch": 2.0}  # the other maps weigh 0
    assert config.attend == "high" and config.attention == ListenConfig().attention


def test_the_command_runs_with_a_config(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('attend = "1000 Hz"\n[encode]\nn_channels = 24\n[scan]\nn_bands = 3\n')
    out = tmp_path / "out"
    res = runner.invoke(app, ["listen", "-c", str(path), "-o", str(out)])
    assert res.exit_code == 0, res.output
    scan = json.loads((out / "oddball" / "scan.json").read_text())
    assert scan["captures"] and all(c["band"] < 3 for c in scan["captures"])
    att = json.loads((out / "oddball" / "attention.json").read_text())  # attend from the file
    assert att["task"] == {"kind": "frequency", "frequency_hz": 1000.0}
    again = tmp_path / "again"  # --attend wins over the file's task
    res = runner.invoke(app, ["listen", "-c", str(path), "-a", "high", "-o", str(again)])
    assert res.exit_code == 0, res.output
    att = json.loads((again / "aba" / "attention.json").read_text())
    assert att["task"]["kind"] == "high"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[encode]\nchannels = 3\n", "encode.channels is not a setting; valid:"),
        ("[listen]\nx = 1\n", "listen is not a setting; valid: encode"),
        ("[scan]\nn_bands = 2.5\n", "scan.n_bands must be an integer, got 2.5"),
        ("[scan]\nn_bands = 0\n", "scan.n_bands must be"),
        ('[encode]\nfmin = "low"\n', "encode.fmin must be a number"),
        ("[encode]\nkind = 3\n", "encode.kind must be a string"),
        ('[encode]\nkind = "cqt"\n', "encode.kind must be"),
        ("[features]\npitch_range = [60]\n", "features.pitch_range must be a list of 2"),
        ("[features.weights]\ncolour = 1\n", "features.weights must name"),
        ("[attention]\npeak = 0.5\n", "attention.peak must be"),
        ("encode = 3\n", "encode must be a table"),
        ("attend = 3\n", "attend must be a string"),
        ('attend = "the red one"\n', "attend must name a feature"),
        ("[scan\n", "is not valid TOML"),
    ],
)
def test_bad_configs_exit_2_with_one_line(tmp_path, text, words):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    out = tmp_path / "out"
    res = runner.invoke(app, ["listen", "-c", str(path), "-o", str(out)])
    assert res.exit_code == 2, res.output
    assert words in res.output
    assert "Traceback" not in res.output and len(res.output.strip().splitlines()) == 1
    assert not out.exists()


def test_a_missing_config_file_exits_2(tmp_path):
    res = runner.invoke(
        app, ["listen", "-c", str(tmp_path / "none.toml"), "-o", str(tmp_path / "o")]
    )
    assert res.exit_code == 2 and "cannot be read" in res.output
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("call", "exc", "words"),
    [
        (lambda: config_from_mapping([1]), TypeError, "config must be a mapping"),
        (lambda: config_from_mapping({"scan": {"alpha": True}}), TypeError, "scan.alpha"),
        (lambda: ListenConfig(scan="x"), TypeError, "scan must be a AuditoryScan"),
    ],
)
def test_library_errors(call, exc, words):
    with pytest.raises(exc, match=words):
        call()
