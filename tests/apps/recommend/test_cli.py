"""``neuroattn recommend``: train / evaluate end to end on a tiny config, resume, and bad
input in one line with exit code 2 and nothing written."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from neuroattn import cli  # noqa: E402
from neuroattn.apps.recommend import EXAMPLE_TOML, load_config, load_recommender  # noqa: E402

TINY = """\
users = 40
categories = 4
styles = 2
items_per_style = 3
max_history = 8
candidates = 4
dev_fraction = 0.25
test_fraction = 0.25
embed_dim = 4
hidden1 = 16
hidden2 = 8
batch_size = 16
max_steps = 8
eval_every = 4
patience = 100
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


@pytest.mark.parametrize("model", ["mean", "din", "competitive"])
def test_train_then_evaluate(tmp_path: Path, tiny: Path, model: str) -> None:
    out = tmp_path / "run"
    code, stdout, err = run("recommend", "train", "--model", model, "-c", str(tiny), "-o",
                            str(out), "-q")  # fmt: skip
    assert code == 0, err
    assert {p.name for p in out.iterdir()} == {"best.pt", "last.pt", "config.toml", "train.json"}
    assert "examples/s on 1 torch thread" in stdout
    assert any("torch threads: 1" in line for line in err)
    summary = json.loads((out / "train.json").read_text())
    assert summary["model"] == model and summary["step"] == 8 and summary["threads"] == 1
    assert load_config(out / "config.toml").model == model
    plot = tmp_path / "w.png"
    code, stdout, err = run("recommend", "evaluate", str(out), "--plot", str(plot))
    assert code == 0, err
    assert f"{model} on test (40 examples): AUC" in stdout
    assert plot.read_bytes()[:4] == b"\x89PNG"
    _, config = load_recommender(out)
    assert config.model == model


def test_the_same_command_resumes(tmp_path: Path, tiny: Path) -> None:
    out = tmp_path / "run"
    assert run("recommend", "train", "-c", str(tiny), "-o", str(out), "-q")[0] == 0
    longer = tmp_path / "longer.toml"
    longer.write_text(TINY.replace("max_steps = 8", "max_steps = 12"), encoding="utf-8")
    code, _, err = run("recommend", "train", "-c", str(longer), "-o", str(out), "-q")
    assert code == 0, err
    assert any("resumed from" in line and "step 8" in line for line in err)
    assert json.loads((out / "train.json").read_text())["resumed_from"] == 8


def test_example_prints_the_defaults() -> None:
    code, stdout, _ = run("recommend", "train", "--example")
    assert code == 0 and stdout == EXAMPLE_TOML


def _one_error(code: int, err: list[str], words: str) -> None:
    assert code == 2
    assert len(err) == 1 and err[0].startswith("error:") and words in err[0], err


def test_unknown_model_writes_nothing(tmp_path: Path, tiny: Path) -> None:
    out = tmp_path / "run"
    code, _, err = run("recommend", "train", "--model", "gru", "-c", str(tiny), "-o", str(out))
    _one_error(code, err, "model must be one of 'mean', 'din', 'competitive'")
    assert not out.exists()


def test_csv_with_missing_columns_writes_nothing(tmp_path: Path, tiny: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text("user,item,label\nu,a,1\n", encoding="utf-8")
    config = tmp_path / "c.toml"
    config.write_text(TINY + f'data = "{log}"\n', encoding="utf-8")
    out = tmp_path / "run"
    code, _, err = run("recommend", "train", "-c", str(config), "-o", str(out))
    _one_error(code, err, "missing column(s) category, timestamp")
    assert not out.exists()


def test_csv_trains_end_to_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = ["user,item,category,timestamp,label"]
    for u in range(12):
        for t in range(6):
            item = (u * 7 + t * 3) % 10
            rows.append(f"u{u},i{item},c{item % 3},{t},{int((u + t) % 3 != 0)}")
    log = tmp_path / "log.csv"
    log.write_text("\n".join(rows) + "\n", encoding="utf-8")
    config = tmp_path / "c.toml"
    config.write_text(TINY + f'data = "{log.name}"\n', encoding="utf-8")
    out = tmp_path / "run"
    monkeypatch.chdir(tmp_path)
    code, _, err = run("recommend", "train", "-c", str(config), "-o", str(out), "-q")
    assert code == 0, err
    assert load_config(out / "config.toml").data == str(log.resolve())  # absolute
    code, stdout, err = run("recommend", "evaluate", str(out), "--split", "dev")
    assert code == 0, err
    assert "on dev" in stdout


def test_bad_config_and_missing_run_dir(tmp_path: Path, tiny: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("lr = -1\n", encoding="utf-8")
    code, _, err = run("recommend", "train", "-c", str(bad), "-o", str(tmp_path / "r"))
    _one_error(code, err, "lr must be")
    code, _, err = run("recommend", "train", "-c", str(tiny))
    _one_error(code, err, "-o RUN_DIR")
    assert not (tmp_path / "r").exists()


def test_corrupt_checkpoint_is_one_line(tmp_path: Path, tiny: Path) -> None:
    out = tmp_path / "run"
    assert run("recommend", "train", "-c", str(tiny), "-o", str(out), "-q")[0] == 0
    (out / "best.pt").write_bytes(b"\x00garbage")
    code, _, err = run("recommend", "evaluate", str(out))
    _one_error(code, err, "corrupt or truncated checkpoint")
    code, _, err = run("recommend", "train", "-c", str(tiny), "-o", str(out))
    _one_error(code, err, "corrupt or truncated checkpoint")
    code, _, err = run("recommend", "evaluate", str(tmp_path / "nowhere"))
    _one_error(code, err, "no such checkpoint")


def test_bad_evaluate_options(tmp_path: Path, tiny: Path) -> None:
    out = tmp_path / "run"
    assert run("recommend", "train", "-c", str(tiny), "-o", str(out), "-q")[0] == 0
    code, _, err = run("recommend", "evaluate", str(out), "--split", "train")
    _one_error(code, err, "split must be one of")
    plot = tmp_path / "p.png"
    code, _, err = run("recommend", "evaluate", str(out), "--plot", str(plot), "--example", "999")
    _one_error(code, err, "example must be -1 or an index below 40")
    assert not plot.exists()


def test_a_translation_checkpoint_is_refused(tmp_path: Path) -> None:
    from neuroattn.apps._checkpoint import write_checkpoint

    write_checkpoint(tmp_path, "best.pt", {"model": {}}, fmt="neuroattn-translate")
    code, _, err = run("recommend", "evaluate", str(tmp_path))
    _one_error(code, err, "not a neuroattn recommend checkpoint")


def test_ctrl_c_keeps_the_checkpoint_and_resuming_equals_an_uninterrupted_run(
    tmp_path: Path, tiny: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from neuroattn.apps.recommend import _train

    whole = tmp_path / "whole"
    assert run("recommend", "train", "-c", str(tiny), "-o", str(whole), "-q")[0] == 0
    calls = {"n": 0}
    real_loss = _train.RecommendJob.loss

    def interrupted(self: object, batch: object) -> object:
        calls["n"] += 1
        if calls["n"] == 7:  # after the checkpoint of step 4
            raise KeyboardInterrupt
        return real_loss(self, batch)  # type: ignore[arg-type]

    out = tmp_path / "cut"
    monkeypatch.setattr(_train.RecommendJob, "loss", interrupted)
    code, _, err = run("recommend", "train", "-c", str(tiny), "-o", str(out), "-q")
    assert code == 130
    assert "the same command resumes from step 4" in " ".join(err)
    assert torch.load(out / "last.pt", weights_only=True)["step"] == 4
    assert not (out / "train.json").exists()
    monkeypatch.setattr(_train.RecommendJob, "loss", real_loss)
    code, _, err = run("recommend", "train", "-c", str(tiny), "-o", str(out), "-q")
    assert code == 0, err
    for name in ("last.pt", "best.pt"):
        a = torch.load(whole / name, weights_only=True)["model"]
        b = torch.load(out / name, weights_only=True)["model"]
        assert a.keys() == b.keys()
        assert all(torch.equal(a[k], b[k]) for k in a), name
