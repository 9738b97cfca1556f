"""The shared trainer (neuroattn.apps._trainer) on a toy job: a linear model fitting y = X w."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from neuroattn.apps import _checkpoint as ck  # noqa: E402
from neuroattn.apps._trainer import Schedule, fit  # noqa: E402

FMT = "neuroattn-toy"


class ToyJob:
    """Least squares on fixed data; the dev score is minus the dev error (higher is better)."""

    def __init__(self, seed: int = 0, width: int = 4, scores: tuple[float, ...] = ()) -> None:
        rng = np.random.default_rng(123)
        self.w = torch.tensor(rng.normal(size=(width, 1)), dtype=torch.float32)
        self.x = torch.tensor(rng.normal(size=(64, width)), dtype=torch.float32)
        self.seed, self.width = seed, width
        self.model = torch.nn.Linear(width, 1, bias=False)
        self.scripted = list(scores)  # dev scores to return instead of the real ones
        self.calls = 0

    def batch(self, step: int) -> Any:
        rng = np.random.default_rng([self.seed, step])
        idx = torch.as_tensor(rng.choice(64, size=16, replace=False))
        return self.x[idx], self.x[idx] @ self.w  # (16, W), (16, 1)

    def loss(self, batch: Any) -> Any:
        x, y = batch
        self.calls += 1
        return ((self.model(x) - y) ** 2).mean()  # ()

    def evaluate(self) -> dict[str, float]:
        if self.scripted:
            return {"score": self.scripted.pop(0), "other": 1.0}
        error = float(((self.model(self.x) - self.x @ self.w) ** 2).mean().detach())
        return {"score": -error, "other": error}

    def identity(self) -> dict[str, Any]:
        return {"width": self.width}

    def check_resume(self, saved: dict[str, Any], where: Path) -> None:
        if saved["width"] != self.width:
            raise ValueError(f"{where}: trained with width {saved['width']}")


def _schedule(**kw: Any) -> Schedule:
    base = {"max_steps": 40, "eval_every": 10, "patience": 3, "lr": 0.05, "score": "score"}
    return Schedule(**(base | kw))


def test_it_learns_and_keeps_the_best_weights(tmp_path: Path) -> None:
    done = fit(ToyJob, _schedule(max_steps=200, weight_decay=0.0), fmt=FMT, run_dir=tmp_path)
    assert done.stopped == "max_steps" and done.step == 200
    best = max(h["dev_score"] for h in done.history)
    assert done.best == pytest.approx(best)
    assert -done.job.evaluate()["score"] == pytest.approx(-best, rel=1e-5)
    assert done.best > -1e-3  # the least-squares solution is found
    saved = ck.read_checkpoint(tmp_path / ck.BEST, fmt=FMT)
    assert saved["width"] == 4 and saved["score"] == "score"


def test_resuming_equals_an_uninterrupted_run(tmp_path: Path) -> None:
    whole = fit(ToyJob, _schedule(), fmt=FMT, run_dir=tmp_path / "whole")
    fit(ToyJob, _schedule(max_steps=20), fmt=FMT, run_dir=tmp_path / "cut")
    resumed = fit(ToyJob, _schedule(), fmt=FMT, run_dir=tmp_path / "cut")
    assert resumed.resumed_from == 20 and resumed.step == 40
    assert resumed.job.calls == 20  # only the missing steps were taken
    for a, b in zip(whole.job.model.parameters(), resumed.job.model.parameters(), strict=True):
        assert torch.equal(a, b)
    assert [h["dev_score"] for h in whole.history] == [h["dev_score"] for h in resumed.history]


def test_patience_stops_and_stays_stopped_on_resume(tmp_path: Path) -> None:
    scores = (1.0, 0.5, 0.4, 0.3, 2.0)  # three evaluations without improvement after the first

    done = fit(lambda: ToyJob(scores=scores), _schedule(), fmt=FMT, run_dir=tmp_path)
    assert done.stopped == "patience" and done.step == 40 and len(done.history) == 4
    again = fit(lambda: ToyJob(scores=scores), _schedule(max_steps=80), fmt=FMT, run_dir=tmp_path)
    assert again.stopped == "patience" and again.job.calls == 0
    more = fit(lambda: ToyJob(scores=(3.0,)), _schedule(max_steps=50, patience=5), fmt=FMT,
               run_dir=tmp_path)  # fmt: skip
    assert more.job.calls == 10 and more.best == 3.0


def test_a_time_budget_stops_the_run() -> None:
    done = fit(ToyJob, _schedule(max_steps=10**9, max_seconds=0.2, patience=10**9), fmt=FMT)
    assert done.stopped == "max_seconds" and 0 < done.step < 10**9
    assert done.history and done.history[-1]["step"] == done.step  # evaluated at the end


def test_seeded_weights_and_restored_torch_state() -> None:
    torch.manual_seed(7)
    before = torch.rand(1)
    torch.manual_seed(7)
    a = fit(ToyJob, _schedule(max_steps=1, seed=3), fmt=FMT)
    after = torch.rand(1)
    b = fit(ToyJob, _schedule(max_steps=1, seed=3), fmt=FMT)
    assert torch.equal(before, after)  # the global random state is untouched
    assert torch.equal(a.job.model.weight, b.job.model.weight)


def test_bad_inputs_are_refused_with_a_sentence(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="score must be one of the job's dev scores"):
        fit(ToyJob, _schedule(score="accuracy"), fmt=FMT)
    fit(ToyJob, _schedule(max_steps=10), fmt=FMT, run_dir=tmp_path)
    with pytest.raises(ValueError, match="not a neuroattn other checkpoint"):
        fit(ToyJob, _schedule(), fmt="neuroattn-other", run_dir=tmp_path)
    with pytest.raises(ValueError, match="trained with width 4"):
        fit(lambda: ToyJob(width=5), _schedule(), fmt=FMT, run_dir=tmp_path)
    (tmp_path / ck.LAST).write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="corrupt or truncated checkpoint"):
        fit(ToyJob, _schedule(), fmt=FMT, run_dir=tmp_path)
    with pytest.raises(ValueError, match="version 1, expected 2"):
        ck.read_checkpoint(tmp_path / ck.BEST, fmt=FMT, version=2)


def test_cosine_decay_follows_its_formula_by_steps_and_by_time() -> None:
    sch = _schedule(max_steps=100, warmup=10, decay="cosine", lr=0.2)
    assert sch.lr_at(0, 0.0) == pytest.approx(0.2 * 0.1 * 0.5 * (1 + np.cos(0.0)))
    assert sch.lr_at(50, 0.0) == pytest.approx(0.2 * 0.5)  # half way: half the rate
    assert sch.lr_at(100, 0.0) == pytest.approx(0.0, abs=1e-12)
    timed = _schedule(max_steps=10**6, max_seconds=60.0, decay="cosine", lr=1.0)
    assert timed.lr_at(10, 15.0) == pytest.approx(0.5 * (1 + np.cos(np.pi / 4)))
    assert timed.lr_at(10, 90.0) == pytest.approx(0.0, abs=1e-12)  # past the budget: 0
    flat = _schedule(max_steps=100, warmup=1, lr=0.2)
    assert flat.lr_at(99, 1e9) == 0.2  # "none" keeps the rate


def test_the_optimiser_steps_at_the_scheduled_rate_and_decay_is_optional(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[float] = []
    step = torch.optim.AdamW.step

    def recording(self: Any, *args: Any, **kw: Any) -> Any:
        seen.append(self.param_groups[0]["lr"])
        return step(self, *args, **kw)

    monkeypatch.setattr(torch.optim.AdamW, "step", recording)
    sch = _schedule(decay="cosine", warmup=5, patience=10**6)
    fit(ToyJob, sch, fmt=FMT)
    assert seen == pytest.approx([sch.lr_at(k, 0.0) for k in range(40)])

    class Config:  # an application's config without a ``decay`` field
        max_steps, max_seconds, eval_every, patience = 10, 0.0, 5, 2
        lr, weight_decay, warmup, clip, seed, threads = 0.1, 0.0, 1, 1.0, 0, 0

    assert Schedule.from_config(Config(), score="score").decay == "none"
    Config.decay = "cosine"  # type: ignore[attr-defined]
    assert Schedule.from_config(Config(), score="score").decay == "cosine"
    with pytest.raises(ValueError, match="decay must be one of"):
        _schedule(decay="linear")
