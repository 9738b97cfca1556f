"""One trainer for every application: step, evaluate, checkpoint, resume.

:func:`fit` runs AdamW (Loshchilov & Hutter 2019) on the loss a :class:`Job` computes for
the batch of each step, with a linear learning-rate warm-up over the first ``warmup`` steps
(ours), gradient-norm clipping, a dev evaluation every ``eval_every`` steps and early
stopping after ``patience`` evaluations without improvement of ``schedule.score``
(higher is better). Translation, speech, classification and recommendation differ only in
their :class:`Job` (model, batches, loss, dev scores, what a loader needs); the loop,
the budget, the checkpoints and the resume logic are this module's.

Everything random follows ``schedule.seed``: the job is built inside a forked, seeded torch
random state (so its initial weights are a function of the seed), and a job's batches must
be a function of (seed, step), so that a resumed run takes the same steps as one that was
never interrupted. The global torch random state and thread count are restored afterwards.

Checkpoints (``last.pt`` to resume, ``best.pt`` with the best dev weights) are written
atomically at every evaluation (:mod:`neuroattn.apps._checkpoint`).
"""

from __future__ import annotations

import dataclasses
import logging
import math
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

import torch
from torch import Tensor

from ..dynamics.checks import check_choice
from ..dynamics.progress import ProgressArg, ProgressMeter, RichProgress, as_progress
from ._checkpoint import BEST, LAST, damaged_contents, read_checkpoint, write_checkpoint
from ._schedule_fields import DECAYS

__all__ = ["DECAYS", "Fit", "Job", "Schedule", "TrainingBar", "fit", "seeded_torch"]

_LOG = logging.getLogger("neuroattn.apps")


class Job(Protocol):
    """What :func:`fit` trains.

    ``batch(step)`` must depend only on the step (and the job's seed); ``loss(batch)``
    returns a scalar tensor with a graph (the model is in training mode); ``evaluate()``
    returns the dev scores by name (the model is in eval mode, gradients off);
    ``identity()`` is what a loader needs besides the weights (config, vocabularies, …) and
    goes into both checkpoints; ``check_resume(saved, where)`` raises ValueError when the
    saved payload of ``last.pt`` comes from settings this job cannot continue.
    """

    @property
    def model(self) -> torch.nn.Module: ...

    def batch(self, step: int) -> Any: ...

    def loss(self, batch: Any) -> Tensor: ...

    def evaluate(self) -> dict[str, float]: ...

    def identity(self) -> dict[str, Any]: ...

    def check_resume(self, saved: dict[str, Any], where: Path) -> None: ...


J = TypeVar("J", bound=Job)


# schedule fields an application's config may leave out (then the default)
_OPTIONAL = ("decay",)


@dataclass(frozen=True)
class Schedule:
    """How long and how to train (the settings every application shares; their bounds in
    an application's config are :mod:`neuroattn.apps._schedule_fields`).

    Attributes
    ----------
    max_steps : int
        Optimiser steps in all (a resumed run counts the earlier ones).
    max_seconds : float
        Wall-clock budget in seconds across resumes; 0 for none.
    eval_every : int
        Steps between dev evaluations (and checkpoints).
    patience : int
        Evaluations without a better ``score`` before stopping.
    lr, weight_decay : float
        AdamW's learning rate and decoupled weight decay.
    warmup : int
        Steps of linear learning-rate warm-up (ours; 1 = none).
    decay : {"none", "cosine"}
        After the warm-up, ``"none"`` keeps the rate; ``"cosine"`` lowers it as
        lr · ½ (1 + cos π p), where p ∈ [0, 1] is the run's progress: the larger of
        step / max_steps and seconds / max_seconds (Loshchilov & Hutter 2017, SGDR, one
        cycle without restarts; reading the progress off the time budget is ours).
    clip : float
        Gradient-norm clip; 0 for none.
    seed : int
        Seeds the initial weights, and the job seeds its batches with it too.
    threads : int
        torch threads while training; 0 keeps torch's setting.
    score : str
        The dev score (a key of ``Job.evaluate()``) that selects ``best.pt``.
    """

    max_steps: int
    max_seconds: float = 0.0
    eval_every: int = 100
    patience: int = 5
    lr: float = 1e-3
    weight_decay: float = 0.01
    warmup: int = 1
    decay: str = "none"
    clip: float = 1.0
    seed: int = 0
    threads: int = 0
    score: str = "exact_match"

    @classmethod
    def from_config(cls, config: Any, *, score: str) -> Schedule:
        """The schedule from an application's config: its fields of the same names (every
        field above but ``score``), with ``score`` selecting ``best.pt``."""
        names = [f.name for f in dataclasses.fields(cls) if f.name not in (*_OPTIONAL, "score")]
        optional = {name: getattr(config, name) for name in _OPTIONAL if hasattr(config, name)}
        return cls(**{name: getattr(config, name) for name in names}, **optional, score=score)

    def __post_init__(self) -> None:
        check_choice(self.decay, "decay", DECAYS)

    def lr_at(self, step: int, seconds: float) -> float:
        """The learning rate of the step after ``step`` optimiser steps and ``seconds``."""
        rate = self.lr * min(1.0, (step + 1) / self.warmup)  # linear warm-up (ours)
        if self.decay == "cosine":
            progress = step / self.max_steps
            if self.max_seconds > 0:
                progress = max(progress, seconds / self.max_seconds)
            rate *= 0.5 * (1.0 + math.cos(math.pi * min(1.0, progress)))
        return rate


@dataclass(frozen=True)
class Fit(Generic[J]):
    """What :func:`fit` returns: the job (its model holding the best dev weights) and the run.

    ``stopped`` is ``"max_steps"``, ``"max_seconds"`` or ``"patience"``; ``history`` has one
    entry per evaluation (``step``, ``seconds``, ``loss`` and ``dev_<score>`` for every dev
    score); ``best`` is the best value of the selecting score (NaN if never evaluated);
    ``resumed_from`` the step the run continued from (0 when fresh).
    """

    job: J
    step: int
    seconds: float
    best: float
    stopped: str
    history: tuple[dict[str, float], ...] = field(default=())
    resumed_from: int = 0


class TrainingBar(RichProgress):
    """A rich progress bar whose text shows the loss and the dev score (:meth:`describe`)."""

    def describe(self, text: str) -> None:
        if self._bar is not None:
            self._bar.update(self._task, description=text)


@contextmanager
def seeded_torch(seed: int, threads: int = 0) -> Iterator[None]:
    """Seed torch (in a forked random state) and set its threads; restore both on exit."""
    before = torch.get_num_threads()
    try:
        if threads:
            torch.set_num_threads(threads)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            yield
    finally:
        torch.set_num_threads(before)


class _State:
    """The mutable state of one run: what ``last.pt`` saves besides the job's identity."""

    def __init__(
        self, job: Job, schedule: Schedule, fmt: tuple[str, int], run_dir: Path | None
    ) -> None:
        self.job, self.schedule, self.run_dir = job, schedule, run_dir
        self.fmt, self.version = fmt
        self.optimizer = torch.optim.AdamW(
            job.model.parameters(), lr=schedule.lr, weight_decay=schedule.weight_decay
        )
        self.step, self.seconds, self.best, self.bad = 0, 0.0, -math.inf, 0
        self.history: list[dict[str, float]] = []
        self.best_state: dict[str, Tensor] | None = None

    @property
    def _tag(self) -> dict[str, Any]:
        return {"fmt": self.fmt, "version": self.version}

    def payload(self, full: bool) -> dict[str, Any]:
        data = {
            **self.job.identity(),
            "model": self.job.model.state_dict(),
            "step": self.step,
            "score": self.schedule.score,
            "best": self.best,
        }
        if full:
            data.update(
                optimizer=self.optimizer.state_dict(),
                seconds=self.seconds,
                bad_evals=self.bad,
                history=list(self.history),
                torch_rng=torch.get_rng_state(),
            )
        return data

    def restore(self, path: Path, say: Callable[[str], None]) -> None:
        data = read_checkpoint(path, fmt=self.fmt, version=self.version)
        self.job.check_resume(data, path)
        with damaged_contents(path):
            self.job.model.load_state_dict(data["model"])
            self.optimizer.load_state_dict(data["optimizer"])
            torch.set_rng_state(data["torch_rng"])
            self.step, self.seconds = int(data["step"]), float(data["seconds"])
            self.best, self.bad = float(data["best"]), int(data["bad_evals"])
            self.history = [dict(h) for h in data["history"]]
        best = path.with_name(BEST)
        if best.is_file():
            self.best_state = read_checkpoint(best, fmt=self.fmt, version=self.version)["model"]
        say(f"resumed from {path} at step {self.step} ({self.seconds:.0f} s trained)")

    def train_step(self) -> float:
        sch, model = self.schedule, self.job.model
        for group in self.optimizer.param_groups:
            group["lr"] = sch.lr_at(self.step, self.seconds)
        model.train()
        loss = self.job.loss(self.job.batch(self.step))  # ()
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if sch.clip > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), sch.clip)
        self.optimizer.step()
        self.step += 1
        return float(loss.detach())

    def evaluate(self, loss: float) -> dict[str, float]:
        self.job.model.eval()
        with torch.no_grad():
            scores = {k: float(v) for k, v in self.job.evaluate().items()}
        if self.schedule.score not in scores:
            raise ValueError(
                f"score must be one of the job's dev scores {sorted(scores)}, "
                f"got {self.schedule.score!r}"
            )
        entry = {"step": self.step, "seconds": round(self.seconds, 2), "loss": loss}
        self.history.append(entry | {f"dev_{k}": v for k, v in scores.items()})
        value = scores[self.schedule.score]
        if value > self.best:
            self.best, self.bad = value, 0
            model = self.job.model
            self.best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
            if self.run_dir is not None:
                write_checkpoint(self.run_dir, BEST, self.payload(full=False), **self._tag)
        else:
            self.bad += 1
        if self.run_dir is not None:
            write_checkpoint(self.run_dir, LAST, self.payload(full=True), **self._tag)
        return scores


def _describe(meter: ProgressMeter, text: str) -> None:
    describe = getattr(meter, "describe", None)
    if callable(describe):
        describe(text)


def fit(
    make_job: Callable[[], J],
    schedule: Schedule,
    *,
    fmt: str,
    version: int = 1,
    run_dir: str | os.PathLike[str] | None = None,
    resume: bool = True,
    progress: ProgressArg = None,
    log: Callable[[str], None] | None = None,
) -> Fit[J]:
    """Build a job with seeded weights and train it under ``schedule``.

    Parameters
    ----------
    make_job : callable
        Returns the :class:`Job`; called once, inside the seeded torch state.
    schedule : Schedule
    fmt : str
        The application's checkpoint format name (``"neuroattn-translate"``, …).
    version : int
        The version of that application's checkpoint payload.
    run_dir : path, optional
        Where ``last.pt`` and ``best.pt`` are written (atomically) at every evaluation;
        None keeps everything in memory.
    resume : bool
        Continue from ``run_dir/last.pt`` if it exists (``Job.check_resume`` decides
        whether its settings allow it); False starts afresh and overwrites it. A run that
        had stopped for patience stays stopped unless ``patience`` was raised.
    progress : bool, callable or ProgressMeter
        Progress over ``max_steps``; a meter with ``describe(text)`` (such as
        :class:`TrainingBar`) also shows the loss and the dev score.
    log : callable, optional
        Receives one line per event (threads, resume, each evaluation, the end); default
        the ``neuroattn.apps`` logger.

    Returns
    -------
    Fit
        With ``job.model`` holding the weights of the best dev score.

    Raises
    ------
    ValueError
        For a run directory whose checkpoint is damaged, foreign or from other settings.
    """
    say = log if log is not None else _LOG.info
    with seeded_torch(schedule.seed, schedule.threads):
        job = make_job()
        out = None if run_dir is None else Path(run_dir)
        state = _State(job, schedule, (fmt, version), out)
        say(f"torch threads: {torch.get_num_threads()}")
        if out is not None and resume and (out / LAST).is_file():
            state.restore(out / LAST, say)
        return _loop(state, as_progress(progress), say)


def _loop(state: _State, meter: ProgressMeter, say: Callable[[str], None]) -> Fit[Any]:
    sch = state.schedule
    start_step, began = state.step, time.monotonic() - state.seconds
    stopped, loss, evaluated = "max_steps", math.nan, state.step
    if state.history and state.bad >= sch.patience:
        stopped = "patience"
    with meter.running("training", total=sch.max_steps) as advance:
        advance(state.step)
        while stopped == "max_steps" and state.step < sch.max_steps:
            state.seconds = time.monotonic() - began
            if sch.max_seconds and state.seconds >= sch.max_seconds:
                stopped = "max_seconds"
                break
            loss = state.train_step()
            advance(1)
            if state.step % sch.eval_every == 0:
                state.seconds = time.monotonic() - began
                scores = state.evaluate(loss)
                evaluated = state.step
                text = f"step {state.step}  loss {loss:.4f}  dev {sch.score} "
                text += f"{scores[sch.score]:.4g}"
                _describe(meter, text)
                others = "  ".join(f"{k} {v:.4g}" for k, v in scores.items() if k != sch.score)
                say(f"{text}  {others}  ({state.seconds:.0f} s)".replace("    ", "  "))
                if state.bad >= sch.patience:
                    stopped = "patience"
    if evaluated != state.step:
        state.seconds = time.monotonic() - began
        state.evaluate(loss)
    state.seconds = time.monotonic() - began
    if state.best_state is not None:
        state.job.model.load_state_dict(state.best_state)
    say(
        f"stopped ({stopped}) at step {state.step} after {state.seconds:.0f} s; "
        f"best dev {sch.score} {state.best:.4g}"
    )
    best = state.best if math.isfinite(state.best) else math.nan
    return Fit(
        state.job, state.step, state.seconds, best, stopped, tuple(state.history), start_step
    )
