"""Fuzz ``neuroattn translate``: generated TOML configs and --task/--model values for
``train``, generated texts for ``predict``, generated option values for ``evaluate``.

The promise: exit 0 with the run's files, or exit 2 with exactly one line on stderr, no
traceback, and nothing written (no run directory, no staging folder, no PNG); every run
ends within :data:`SECONDS`. ``train``'s optimisation is replaced by a stand-in (what is
fuzzed is everything before it: the settings, the data, the run directory), and
generated sizes that the task can fill are cut to a few dozen pairs.
"""

from __future__ import annotations

import contextlib
import io
import math
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

pytest.importorskip("torch")
pytest.importorskip("num2words")
pytest.importorskip("babel")
pytest.importorskip("sacrebleu")

from neuroattn import cli
from neuroattn.apps.translate import TranslateConfig, _cli

from ._strategies import FUZZ, SCALARS, SECONDS, config_docs, to_toml

TINY = {"train_size": 60, "dev_size": 8, "test_size": 8, "embed_dim": 8, "hidden_dim": 16,
        "layers": 1, "heads": 2, "ffn_dim": 16, "batch_size": 16, "max_steps": 4,
        "eval_every": 2, "threads": 1}  # fmt: skip
TASK_VALUES = st.one_of(
    st.sampled_from(["numbers-en-de", "numbers-en-fr", "dates"]),
    st.sampled_from(["numbers-en-es", "NUMBERS-EN-DE", "dates ",
                     "x.tsv", "pairs.tsv", "-", ".", "", "[red]x"]),
    st.text(max_size=12),
)  # fmt: skip
_MODELS = st.sampled_from(["rnn-bahdanau", "rnn-luong", "rnn-none", "transformer"])
MODEL_VALUES = st.one_of(_MODELS, _MODELS, st.sampled_from(["RNN-LUONG", ""]), st.text(max_size=8))
# plausible values (most runs get through) beside the hostile ones
NEAR_VALUES = st.one_of(
    st.integers(0, 40), st.floats(0, 1.5), st.sampled_from(["softmax", "competitive"]), _MODELS
)
CONFIG_DOCS = config_docs(TranslateConfig, base=TINY, near=st.one_of(NEAR_VALUES, TASK_VALUES))


def _run(*argv: str) -> tuple[int, str, list[str], float]:
    out, err = io.StringIO(), io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(argv))
    lines = [ln for ln in err.getvalue().splitlines() if ln.strip()]
    return code, out.getvalue(), lines, time.perf_counter() - start


@contextlib.contextmanager
def _stand_ins() -> Iterator[list[TranslateConfig]]:
    """``train`` records its config and returns at once; ``load_task`` cuts sizes that the
    task can fill to a few dozen pairs (sizes it cannot fill still fail as they would)."""
    seen: list[TranslateConfig] = []
    real_load = _cli.load_task

    def load_task(task: Any, *, seed: Any, sizes: tuple[int, int, int]) -> Any:
        if all(isinstance(s, int) and 1 <= s for s in sizes) and sum(sizes) <= 30_000:
            sizes = (min(sizes[0], 60), min(sizes[1], 8), min(sizes[2], 8))
        return real_load(task, seed=seed, sizes=sizes)

    def train(config: TranslateConfig, **kwargs: Any) -> Any:
        seen.append(config)
        return SimpleNamespace(
            step=0, seconds=0.0, stopped="max_steps", best_dev=math.nan, history=()
        )

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_cli, "load_task", load_task)
        mp.setattr(_cli, "train", train)
        yield seen


def _promise(folder: Path, code: int, out: str, err: list[str], seconds: float) -> None:
    run_dir = folder / "run"
    assert seconds < SECONDS, f"took {seconds:.1f} s"
    assert code in (0, 2), (code, err)
    assert not any("Traceback" in line for line in err), err
    if code == 2:
        assert len(err) == 1 and err[0].startswith("error: "), err
        assert not run_dir.exists()
    else:
        assert sorted(p.name for p in run_dir.iterdir()) == ["config.toml", "train.json"]
        assert _cli.load_config(run_dir / "config.toml")  # what was written reads back
    assert not [p.name for p in folder.iterdir() if p.name.startswith(".run.")]


@FUZZ
@given(doc=CONFIG_DOCS, table=st.booleans())
def test_train_on_generated_configs(doc: dict[str, Any], table: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="neuroattn-fuzz-") as tmp, _stand_ins() as seen:
        folder = Path(tmp)
        path = folder / "config.toml"
        path.write_text(to_toml({"translate": doc} if table else doc), encoding="utf-8")
        code, out, err, seconds = _run("translate", "train", "-c", str(path), "-o",
                                       str(folder / "run"), "-q")  # fmt: skip
        _promise(folder, code, out, err, seconds)
        if code == 0:
            assert len(seen) == 1 and seen[0] == _cli.load_config(folder / "run" / "config.toml")
        elif err and "config.toml" not in err[0]:
            assert any(k in err[0] for k in ("sources", "sizes", "task", "vocabulary")), err


@FUZZ
@given(task=TASK_VALUES, model=MODEL_VALUES)
def test_train_on_generated_task_and_model_names(task: str, model: str) -> None:
    with tempfile.TemporaryDirectory(prefix="neuroattn-fuzz-") as tmp, _stand_ins():
        folder = Path(tmp)
        path = folder / "config.toml"
        path.write_text(to_toml(TINY), encoding="utf-8")
        args = ["-c", str(path), "--task", task, "--model", model, "-o", str(folder / "run")]
        code, out, err, seconds = _run("translate", "train", *args, "-q")
        _promise(folder, code, out, err, seconds)


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("translate-fuzz")
    config = folder / "tiny.toml"
    config.write_text(to_toml(TINY), encoding="utf-8")
    code, _, err, _ = _run("translate", "train", "--task", "numbers-en-de", "-c", str(config),
                           "-o", str(folder / "run"), "-q")  # fmt: skip
    assert code == 0, err
    return folder / "run"


TEXTS = st.one_of(
    st.sampled_from(["forty-two", "one", "nine hundred ninety-nine thousand", " ", "",
                     "forty-two\n", "ß", "[bold]x", "-1", "--plot", "\x00"]),
    st.text(max_size=30),
    st.text(alphabet="abcdefghilnorstuvwxy -", min_size=1, max_size=40),
)  # fmt: skip


@FUZZ
@given(texts=st.lists(TEXTS, min_size=1, max_size=3), plot=st.booleans())
def test_predict_on_generated_texts(trained: Path, texts: list[str], plot: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="neuroattn-fuzz-") as tmp:
        png = Path(tmp) / "a.png"
        extra = ["--plot", str(png)] if plot else []
        code, out, err, seconds = _run("translate", "predict", str(trained), *extra, "--", *texts)
        assert seconds < SECONDS and code in (0, 2), (code, err)
        if code == 2:
            assert len(err) == 1 and err[0].startswith("error: "), err
            assert out == "" and not png.exists()
        else:
            assert len(out.splitlines()) == len(texts)
            assert png.exists() == plot
        assert not [p for p in Path(tmp).iterdir() if p.name != "a.png"]


@FUZZ
@given(beam=st.one_of(SCALARS.map(str), st.integers(-2, 80).map(str)),
       split=st.sampled_from(["test", "dev", "train", "", "TEST", "-1"]),
       show=st.one_of(st.integers(-3, 20).map(str), st.sampled_from(["x", "1.5", ""])))  # fmt: skip
def test_evaluate_on_generated_options(trained: Path, beam: str, split: str, show: str) -> None:
    code, out, err, seconds = _run("translate", "evaluate", str(trained), "--beam", beam,
                                   "--split", split, "--show", show)  # fmt: skip
    assert seconds < SECONDS and code in (0, 2), (code, err)
    if code == 2:
        assert len(err) == 1 and err[0].startswith("error: "), err
    else:
        assert "exact" in out and "chrF" in out
