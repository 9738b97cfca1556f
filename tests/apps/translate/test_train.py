"""Training, checkpoints and resuming, on tiny configurations."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("num2words")

from neuroattn.apps import translate as tr  # noqa: E402

TINY = tr.TranslateConfig(
    task="numbers-en-de",
    train_size=40,
    dev_size=8,
    test_size=8,
    embed_dim=16,
    hidden_dim=32,
    dropout=0.1,
    batch_size=8,
    max_steps=9,
    eval_every=3,
    warmup=2,
    lr=0.005,
)


@pytest.fixture(scope="module")
def splits() -> tr.Splits:
    return tr.load_task("numbers-en-de", seed=0, sizes=(40, 8, 8))


def _quiet(_: str) -> None:
    pass


def test_a_tiny_model_overfits_a_handful_of_pairs() -> None:
    pairs = tr.number_pairs([3, 7, 12, 21, 42, 45], "de")
    handful = tr.Splits(pairs, pairs, pairs, "handful")
    config = dataclasses.replace(
        TINY, dropout=0.0, batch_size=6, max_steps=400, eval_every=25, patience=1, lr=0.01
    )
    result = tr.train(config, splits=handful, log=_quiet)
    assert result.translator.translate([p.source for p in pairs]) == [p.target for p in pairs]
    assert result.translator.evaluate(pairs).exact_match == 100.0
    assert result.best_dev == 100.0


def test_checkpoint_save_load_gives_identical_predictions(tmp_path: Path, splits) -> None:
    lines: list[str] = []
    result = tr.train(TINY, splits=splits, run_dir=tmp_path, log=lines.append)
    assert {p.name for p in tmp_path.iterdir()} == {tr.LAST, tr.BEST}
    assert any(line.startswith("torch threads: ") for line in lines)
    loaded = tr.load_translator(tmp_path)
    texts = [p.source for p in splits.test]
    assert loaded.translate(texts) == result.translator.translate(texts)
    assert loaded.translate(texts, beam=3) == result.translator.translate(texts, beam=3)
    for key, value in result.translator.model.state_dict().items():
        assert torch.equal(loaded.model.state_dict()[key], value)
    assert loaded.config == TINY and loaded.src_vocab == result.translator.src_vocab


def _last_weights(run_dir: Path) -> dict:
    return tr.read_checkpoint(run_dir / tr.LAST)["model"]


def test_resume_continues_from_the_saved_step(tmp_path: Path, splits) -> None:
    straight = tr.train(TINY, splits=splits, run_dir=tmp_path / "a", log=_quiet)
    assert straight.step == 9 and straight.resumed_from == 0
    first = tr.train(dataclasses.replace(TINY, max_steps=6), splits=splits, run_dir=tmp_path / "b")
    assert first.step == 6
    lines: list[str] = []
    resumed = tr.train(TINY, splits=splits, run_dir=tmp_path / "b", log=lines.append)
    assert resumed.resumed_from == 6 and resumed.step == 9
    assert any("resumed from" in line and "at step 6" in line for line in lines)
    assert [h["step"] for h in resumed.history] == [3, 6, 9]
    a, b = _last_weights(tmp_path / "a"), _last_weights(tmp_path / "b")
    for key in a:  # the same steps as the run that was never interrupted
        assert torch.equal(a[key], b[key]), key


def test_an_interrupted_run_keeps_its_last_complete_checkpoint(tmp_path: Path, splits) -> None:
    def interrupt(fraction: float) -> None:
        if fraction >= 5 / 9:  # after the checkpoint of step 3, before the one of step 6
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        tr.train(TINY, splits=splits, run_dir=tmp_path, progress=interrupt, log=_quiet)
    assert tr.read_checkpoint(tmp_path / tr.LAST)["step"] == 3
    assert not list(tmp_path.parent.glob(f".{tmp_path.name}.*.tmp"))  # no staging left
    resumed = tr.train(TINY, splits=splits, run_dir=tmp_path, log=_quiet)
    assert resumed.resumed_from == 3 and resumed.step == 9


def test_the_wall_clock_budget_stops_training(splits) -> None:
    config = dataclasses.replace(TINY, max_seconds=1e-9)
    result = tr.train(config, splits=splits, log=_quiet)
    assert result.stopped == "max_seconds" and result.step == 0


def test_resuming_with_other_settings_is_refused(tmp_path: Path, splits) -> None:
    tr.train(dataclasses.replace(TINY, max_steps=3), splits=splits, run_dir=tmp_path, log=_quiet)
    with pytest.raises(ValueError, match=r"trained with lr = 0\.005, not 0\.01"):
        tr.train(dataclasses.replace(TINY, lr=0.01), splits=splits, run_dir=tmp_path)
    fresh = tr.train(dataclasses.replace(TINY, lr=0.01, max_steps=3), splits=splits,
                     run_dir=tmp_path, resume=False, log=_quiet)  # fmt: skip
    assert fresh.resumed_from == 0


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b"", "corrupt or truncated checkpoint"),
        (b"\x80\x04not a pickle at all", "corrupt or truncated checkpoint"),
        (None, "not a neuroattn translate checkpoint"),
    ],
)
def test_a_corrupt_checkpoint_is_one_clear_error(tmp_path: Path, content, match: str) -> None:
    path = tmp_path / tr.BEST
    if content is None:
        torch.save({"weights": torch.zeros(2)}, path)
    else:
        path.write_bytes(content)
    with pytest.raises(ValueError, match=match) as info:
        tr.load_translator(tmp_path)
    assert str(path) in str(info.value)


def test_truncated_and_missing_checkpoints(tmp_path: Path, splits) -> None:
    tr.train(dataclasses.replace(TINY, max_steps=3), splits=splits, run_dir=tmp_path, log=_quiet)
    data = (tmp_path / tr.LAST).read_bytes()
    (tmp_path / tr.LAST).write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match=r"last\.pt: corrupt or truncated"):
        tr.train(TINY, splits=splits, run_dir=tmp_path)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="no checkpoint"):
        tr.load_translator(tmp_path / "empty")
    with pytest.raises(ValueError, match="no such checkpoint"):
        tr.load_translator(tmp_path / "nothing.pt")


def test_translator_input_errors(splits) -> None:
    translator = tr.train(dataclasses.replace(TINY, max_steps=1), splits=splits, log=_quiet)
    t = translator.translator
    with pytest.raises(ValueError, match="text must not be empty"):
        t.translate("")
    with pytest.raises(ValueError, match="outside the vocabulary: 'Z'"):
        t.translate("forty-Zwo")
    with pytest.raises(ValueError, match="beam must be an integer >= 1"):
        t.translate("forty-two", beam=0)
    with pytest.raises(TypeError, match="config must be a TranslateConfig"):
        tr.train({"task": "dates"})  # type: ignore[arg-type]


def test_alignment_heat_map_png(tmp_path: Path, splits) -> None:
    result = tr.train(dataclasses.replace(TINY, max_steps=1), splits=splits, log=_quiet)
    align = result.translator.alignment("forty-two")
    assert align.weights.shape == (len(align.target_tokens), len("forty-two") + 1)
    fig = align.plot()
    assert fig.axes[0].get_title() == f"forty-two → {align.prediction}"
    out = tr.save_alignments(result.translator, ["forty-two", "three"], tmp_path / "a" / "b.png")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in out.parent.iterdir()] == ["b.png"]
    none = dataclasses.replace(TINY, model="rnn-none", max_steps=1)
    plain = tr.train(none, splits=splits, log=_quiet).translator
    with pytest.raises(ValueError, match="no attention"):
        tr.save_alignments(plain, ["forty-two"], tmp_path / "c.png")
    assert not (tmp_path / "c.png").exists()
