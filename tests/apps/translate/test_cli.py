"""``neuroattn translate``: train / evaluate / predict end to end on a tiny config, resuming
after an interruption (in process and by a real SIGINT), and bad input in one line."""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("num2words")
pytest.importorskip("sacrebleu")

from neuroattn import cli  # noqa: E402
from neuroattn.apps.translate import _train, load_config, load_task, load_translator  # noqa: E402

TINY = """\
train_size = 80
dev_size = 10
test_size = 12
embed_dim = 8
hidden_dim = 16
layers = 1
heads = 2
ffn_dim = 16
batch_size = 16
max_steps = 8
eval_every = 4
patience = 100
threads = 1
"""


def run(*argv: str) -> tuple[int, str, list[str]]:
    """Exit code, stdout, and the non-blank stderr lines of ``neuroattn ARGV``."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(argv))
    return code, out.getvalue(), [ln for ln in err.getvalue().splitlines() if ln.strip()]


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.toml"
    path.write_text(TINY, encoding="utf-8")
    return path


def _train_args(config: Path, out: Path, model: str = "rnn-bahdanau") -> list[str]:
    return ["translate", "train", "--task", "numbers-en-de", "--model", model, "-c", str(config),
            "-o", str(out), "-q"]  # fmt: skip


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("translate-cli")
    (folder / "tiny.toml").write_text(TINY, encoding="utf-8")
    code, _, err = run(*_train_args(folder / "tiny.toml", folder / "run"))
    assert code == 0, err
    return folder / "run"


def test_train_writes_a_resumable_run(trained: Path, tiny: Path) -> None:
    assert sorted(p.name for p in trained.iterdir()) == [
        "best.pt", "config.toml", "last.pt", "train.json"]  # fmt: skip
    summary = json.loads((trained / "train.json").read_text())
    assert summary["step"] == 8 and summary["stopped"] == "max_steps"
    assert [h["step"] for h in summary["history"]] == [4, 8]
    saved = load_config(trained / "config.toml")  # the settings, read back
    assert saved == load_config(tiny).__class__(**{**load_config(tiny).to_dict(),
                                                   "task": "numbers-en-de"})  # fmt: skip
    assert load_translator(trained).config == saved


def test_evaluate_reports_the_scores_of_the_test_split(trained: Path) -> None:
    code, out, err = run("translate", "evaluate", str(trained), "--show", "0")
    assert code == 0, err
    # an independent count on the regenerated test split
    translator = load_translator(trained)
    test = load_task("numbers-en-de", seed=0, sizes=(80, 10, 12)).test
    hyps = [translator.translate(p.source) for p in test]
    exact = 100 * sum(h == p.target for h, p in zip(hyps, test, strict=True)) / len(test)
    assert f"exact {exact:.2f} %" in out and "(n=12)" in out and "test (beam 1)" in out


def test_predict_prints_one_line_per_text_and_plots(trained: Path, tmp_path: Path) -> None:
    png = tmp_path / "align.png"
    code, out, err = run(
        "translate", "predict", str(trained), "forty-two", "three hundred", "--plot", str(png)
    )
    assert code == 0, err
    translator = load_translator(trained)
    assert out.splitlines() == [translator.translate("forty-two"), translator.translate(
        "three hundred")]  # fmt: skip
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_example_config_reads_back(tmp_path: Path) -> None:
    code, out, _ = run("translate", "train", "--example")
    assert code == 0
    path = tmp_path / "example.toml"
    path.write_text(out, encoding="utf-8")
    assert load_config(path) == load_config(path).__class__()  # every value is the default


def test_transformer_and_a_tsv_task(tmp_path: Path, tiny: Path) -> None:
    tsv = tmp_path / "pairs.tsv"
    words = [f"{a}{b}" for a in "abcdefgh" for b in "abcdefgh"]
    tsv.write_text("source\ttarget\n" + "".join(f"{w}\t{w[::-1]}\n" for w in words), "utf-8")
    out = tmp_path / "run"
    code, _, err = run("translate", "train", "--task", str(tsv), "--model", "transformer",
                       "-c", str(tiny), "-o", str(out), "-q")  # fmt: skip
    assert code == 0, err
    assert load_config(out / "config.toml").task == str(tsv.resolve())
    code, text, err = run("translate", "evaluate", str(out), "--split", "dev")
    assert code == 0 and "transformer" in text and "dev" in text, err


def test_a_second_train_continues_from_the_saved_step(tmp_path: Path, tiny: Path) -> None:
    out = tmp_path / "run"
    assert run(*_train_args(tiny, out))[0] == 0
    tiny.write_text(TINY.replace("max_steps = 8", "max_steps = 12"), encoding="utf-8")
    code, _, err = run(*_train_args(tiny, out)[:-1])  # with the progress bar this time
    assert code == 0, err
    assert any("resumed from" in line and "at step 8" in line for line in err)
    summary = json.loads((out / "train.json").read_text())
    assert (summary["resumed_from"], summary["step"]) == (8, 12)
    assert [h["step"] for h in summary["history"]] == [4, 8, 12]
    # without -c the run directory's own config.toml is used
    code, _, err = run("translate", "train", "-o", str(out), "-q")
    assert code == 0 and any("at step 12" in line for line in err), err


def _weights(path: Path) -> dict[str, object]:
    return torch.load(path, map_location="cpu", weights_only=True)["model"]


def test_ctrl_c_keeps_the_checkpoint_and_resuming_equals_an_uninterrupted_run(
    tmp_path: Path, tiny: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = tmp_path / "whole"
    assert run(*_train_args(tiny, whole))[0] == 0
    calls = {"n": 0}
    real_step = _train.step_loss

    def interrupted(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 7:  # after the checkpoint of step 4
            raise KeyboardInterrupt
        return real_step(*args, **kwargs)  # type: ignore[arg-type]

    out = tmp_path / "cut"
    monkeypatch.setattr(_train, "step_loss", interrupted)
    code, _, err = run(*_train_args(tiny, out))
    assert code == 130
    assert "the same command resumes from step 4" in " ".join(err)
    assert torch.load(out / "last.pt", weights_only=True)["step"] == 4
    assert not (out / "train.json").exists()
    monkeypatch.setattr(_train, "step_loss", real_step)
    code, _, err = run(*_train_args(tiny, out))
    assert code == 0, err
    for name in ("last.pt", "best.pt"):
        a, b = _weights(whole / name), _weights(out / name)
        assert a.keys() == b.keys()
        assert all(torch.equal(a[k], b[k]) for k in a), name  # type: ignore[call-overload]


def test_a_real_sigint_leaves_the_last_complete_checkpoint(tmp_path: Path, tiny: Path) -> None:
    tiny.write_text(TINY.replace("max_steps = 8", "max_steps = 100000"), encoding="utf-8")
    out = tmp_path / "run"
    code = "import sys; from neuroattn.cli import main; sys.exit(main(sys.argv[1:]))"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *_train_args(tiny, out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 300  # a bound on waiting, not a timed assertion
        while not (out / "last.pt").is_file() and proc.poll() is None:
            assert time.monotonic() < deadline, "no checkpoint appeared"
            time.sleep(0.1)
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, stderr
    assert "the same command resumes from step" in stderr and "Traceback" not in stderr
    step = torch.load(out / "last.pt", weights_only=True)["step"]
    assert step >= 4 and step % 4 == 0
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".run.")]  # no staging left


# ---- bad input: one line, exit 2, nothing written -------------------------------------


def _listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.parametrize(
    ("extra", "message"),
    [(["--task", "numbers-en-xx"], "task must be one of 'numbers-en-de'"),
     (["--task", ""], "task must be a task name"),
     (["--model", "lstm"], "model must be one of 'rnn-bahdanau'"),
     (["--task", "missing.tsv"], "missing.tsv: cannot read the file")],
)  # fmt: skip
def test_bad_task_or_model(tmp_path: Path, tiny: Path, extra: list[str], message: str) -> None:
    out = tmp_path / "run"
    code, _, err = run("translate", "train", "-c", str(tiny), "-o", str(out), *extra)
    assert code == 2 and len(err) == 1 and message in err[0], err
    assert not out.exists()


@pytest.mark.parametrize(
    ("toml", "message"),
    [("hidden_dim = 'big'", "bad.toml: hidden_dim must be an integer, got 'big'"),
     ("lr = true", "bad.toml: lr must be a number, got True"),
     ("dropout = 2.0", "bad.toml: dropout must be"),
     ("sizes = 3", "bad.toml: sizes is not a setting"),
     ("task = [", "bad.toml: not valid TOML")],
)  # fmt: skip
def test_bad_config(tmp_path: Path, toml: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(toml + "\n", encoding="utf-8")
    code, _, err = run("translate", "train", "-c", str(path), "-o", str(tmp_path / "run"))
    assert code == 2 and len(err) == 1 and message in err[0], err
    assert _listing(tmp_path) == ["bad.toml"]


def test_malformed_tsv_line_is_named(tmp_path: Path, tiny: Path) -> None:
    tsv = tmp_path / "pairs.tsv"
    tsv.write_text("source\ttarget\nab\tba\nabc\tcba\nno tab here\nx\ty\n", encoding="utf-8")
    code, _, err = run("translate", "train", "--task", str(tsv), "-c", str(tiny),
                       "-o", str(tmp_path / "run"))  # fmt: skip
    assert code == 2 and len(err) == 1, err
    assert "pairs.tsv line 4: expected two non-empty tab-separated fields" in err[0]
    assert not (tmp_path / "run").exists()


def test_held_out_characters_missing_from_training_are_named(tmp_path: Path, tiny: Path) -> None:
    tsv = tmp_path / "pairs.tsv"
    rows = [f"a{i % 10}\t{i}" for i in range(30)] + ["ß\tx", "ẞ\ty", "ø\tz"]
    tsv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    cfg = tmp_path / "c.toml"  # dev and test get 3 of the 13 sources: a rare one among them?
    for seed in range(40):
        cfg.write_text(TINY + f"seed = {seed}\n", encoding="utf-8")
        splits = load_task(str(tsv), seed=seed, sizes=(80, 10, 12))
        held = {p.source for p in (*splits.dev, *splits.test)}
        if held & {"ß", "ẞ", "ø"}:
            break
    code, _, err = run("translate", "train", "--task", str(tsv), "-c", str(cfg),
                       "-o", str(tmp_path / "run"))  # fmt: skip
    assert code == 2 and len(err) == 1, err
    assert "sources have characters that no training source has" in err[0]
    assert not (tmp_path / "run").exists()


def test_resuming_with_other_settings_is_refused(trained: Path) -> None:
    before = {p.name: p.stat().st_mtime_ns for p in trained.iterdir()}
    code, _, err = run("translate", "train", "-o", str(trained), "--model", "transformer")
    assert code == 2 and len(err) == 1, err
    assert "trained with model = 'rnn-bahdanau', not 'transformer'" in err[0]
    assert {p.name: p.stat().st_mtime_ns for p in trained.iterdir()} == before


def test_run_dir_that_is_a_file(tmp_path: Path, tiny: Path) -> None:
    out = tmp_path / "run"
    out.write_text("x")
    code, _, err = run(*_train_args(tiny, out))
    assert code == 2 and len(err) == 1 and "exists and is not a directory" in err[0], err


@pytest.mark.parametrize(
    ("texts", "message"),
    [([""], "text must not be empty"),
     (["   "], "text must not be empty"),
     (["forty-two", "forty-two ß"], "outside the vocabulary: 'ß' (in 'forty-two ß')")],
)  # fmt: skip
def test_bad_texts(trained: Path, tmp_path: Path, texts: list[str], message: str) -> None:
    png = tmp_path / "a.png"
    code, out, err = run("translate", "predict", str(trained), "--plot", str(png), "--", *texts)
    assert code == 2 and len(err) == 1 and message in err[0], err
    assert out == "" and not png.exists()


@pytest.mark.parametrize("damage", ["missing", "truncated", "garbage", "foreign", "empty dir"])
@pytest.mark.parametrize("command", ["evaluate", "predict", "train"])
def test_missing_or_corrupt_checkpoint(
    trained: Path, tmp_path: Path, damage: str, command: str
) -> None:
    run_dir = tmp_path / "run"
    if damage != "missing":
        run_dir.mkdir()
        (run_dir / "config.toml").write_bytes((trained / "config.toml").read_bytes())
    data = (trained / "last.pt").read_bytes()
    contents = {"truncated": data[: len(data) // 2], "garbage": b"\x00not a checkpoint",
                "foreign": None}  # fmt: skip
    if damage in contents:
        for name in ("last.pt", "best.pt"):
            if damage == "foreign":
                torch.save({"weights": torch.zeros(2)}, run_dir / name)
            else:
                (run_dir / name).write_bytes(contents[damage])  # type: ignore[arg-type]
    before = _listing(tmp_path)
    args = {"evaluate": ["translate", "evaluate", str(run_dir)],
            "predict": ["translate", "predict", str(run_dir), "one"],
            "train": ["translate", "train", "-o", str(run_dir), "-q"]}[command]  # fmt: skip
    if command == "train" and damage in ("missing", "empty dir"):
        return  # a fresh run, not an error
    code, out, err = run(*args)
    assert code == 2 and len(err) == 1 and err[0].startswith("error: "), err
    expected = {"missing": "no such checkpoint", "empty dir": "no checkpoint",
                "truncated": "corrupt or truncated", "garbage": "corrupt or truncated",
                "foreign": "not a neuroattn translate checkpoint"}[damage]  # fmt: skip
    assert expected in err[0]
    assert out == "" and _listing(tmp_path) == before


def test_plot_without_attention_is_refused(tmp_path: Path, tiny: Path) -> None:
    out = tmp_path / "run"
    assert run(*_train_args(tiny, out, model="rnn-none"))[0] == 0
    png = tmp_path / "a.png"
    code, text, err = run("translate", "predict", str(out), "one", "--plot", str(png))
    assert code == 2 and len(err) == 1 and "attention" in err[0], err
    assert text == "" and not png.exists()


def test_usage_errors(tmp_path: Path) -> None:
    code, _, err = run("translate", "train")
    assert code == 2 and err == ["error: give a run directory with -o RUN_DIR"]
    code, _, err = run("translate", "predict", str(tmp_path))
    assert code == 2 and len(err) == 1 and "Missing argument" in err[0], err
    code, _, err = run("translate", "evaluate", str(tmp_path), "--split", "train")
    assert code == 2 and "split must be one of 'test', 'dev'" in err[0], err
    assert os.listdir(tmp_path) == []
