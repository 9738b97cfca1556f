"""The console entry point ``neuroattn.cli.main``: exit codes and one-line errors.

``CliRunner`` tests (test_cli.py) drive the typer app; these drive what the installed
``neuroattn`` script runs, where usage errors, interrupts and unexpected failures are turned
into one line on stderr.
"""

from __future__ import annotations

import numpy as np
import pytest

from neuroattn import cli


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, [line for line in err.splitlines() if line.strip()], out


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["simulate", "--bogus"], "No such option: --bogus"),
        (["nosuch"], "No such command 'nosuch'"),
        (["attend", "-n", "x"], "--fixations"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(capsys, argv, words):
    code, err, _ = run(capsys, *argv)
    assert code == 2
    assert len(err) == 1 and err[0].startswith("error: ") and words in err[0]
    assert "--help" in err[0] and "╭" not in err[0]


def test_bare_command_shows_help_and_exits_2(capsys):
    code, err, out = run(capsys)
    assert code == 2
    assert "simulate" in out + "\n".join(err)
    assert not any(line.startswith("error") for line in err)


def test_help_and_example_exit_0(capsys):
    assert run(capsys, "--help")[0] == 0
    code, _, out = run(capsys, "simulate", "--example")
    assert code == 0 and "[model]" in out


def test_user_text_in_an_error_keeps_its_brackets(capsys, tmp_path):
    missing = tmp_path / "[red]x[/].toml"
    code, err, _ = run(capsys, "simulate", str(missing))
    assert code == 2 and len(err) == 1
    assert "[red]x[/].toml" in err[0]


def test_bad_input_in_a_sub_command_exits_2(capsys, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[model]\nn = 'many'\n")
    code, err, _ = run(capsys, "simulate", str(bad), "-o", str(tmp_path / "out"))
    assert code == 2 and len(err) == 1 and err[0].startswith("error: ")
    assert not (tmp_path / "out").exists()


def test_an_unexpected_failure_is_one_line_and_exit_1(capsys, monkeypatch, tmp_path):
    def broken(out):
        raise RuntimeError("something [bold]broke")

    monkeypatch.setattr("neuroattn._demo.run_demo", broken)
    monkeypatch.delenv("NEUROATTN_DEBUG", raising=False)
    code, err, _ = run(capsys, "demo", "-o", str(tmp_path / "d"))
    assert code == 1 and len(err) == 1
    assert "internal error (RuntimeError: something [bold]broke)" in err[0]
    assert "NEUROATTN_DEBUG=1" in err[0]


def test_debug_variable_shows_the_traceback(monkeypatch, tmp_path):
    def broken(out):
        raise RuntimeError("boom")

    monkeypatch.setattr("neuroattn._demo.run_demo", broken)
    monkeypatch.setenv("NEUROATTN_DEBUG", "1")
    with pytest.raises(RuntimeError, match="boom"):
        cli.main(["demo", "-o", str(tmp_path / "d")])


def test_interrupt_exits_130(capsys, monkeypatch, tmp_path):
    def interrupted(out):
        raise KeyboardInterrupt

    monkeypatch.setattr("neuroattn._demo.run_demo", interrupted)
    code, err, _ = run(capsys, "demo", "-o", str(tmp_path / "d"))
    assert code == 130 and err == ["error: interrupted"]


def test_attend_max_pixels_refuses_a_larger_image_before_decoding(capsys, tmp_path):
    image = tmp_path / "img.npy"
    np.save(image, np.random.default_rng(0).uniform(0, 1, (300, 400, 3)))
    out = tmp_path / "out"
    code, err, _ = run(capsys, "attend", str(image), "--max-pixels", "100000", "-o", str(out))
    assert code == 2 and len(err) == 1
    assert "400×300 pixels is more than max_pixels = 100000" in err[0]
    assert not out.exists()
    code, err, _ = run(
        capsys, "attend", str(image), "--max-pixels", "120000", "-n", "1", "-q", "-o", str(out)
    )
    assert code == 0, err
    assert (out / "img" / "fixations.json").exists()
