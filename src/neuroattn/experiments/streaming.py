"""Experiment: auditory streaming of ABA– sequences over Δf × tempo (issue 13).

The model of :mod:`neuroattn.hearing` (a population of the source's equation over
tonotopic position — local excitation, broader inhibition, slow adaptation and noise — driven
by the tones through tuned, depressing inputs; one stream when the activity of A's and B's
tones reaches the place between them, two when their groups stay apart;
:func:`~neuroattn.hearing.simulate_streaming`) hears ABA– sequences on
a grid of frequency separations Δf and tone repetition times (TRT), and, in one bistable
condition, a set of independent trials. Everything runs in one batched simulation at the
competition's time constant :data:`~neuroattn.experiments.TAU_MS`.

Published, and held against the model:

* one stream at small Δf and slow tempo, two streams at large Δf and fast tempo; between
  the fission boundary (FB, below which one stream is always heard) and the temporal
  coherence boundary (TCB, above which two are), either; the TCB rises steeply with the TRT
  and the FB hardly moves. Approximate values read from van Noorden's figure (1975, thesis,
  Eindhoven; as reproduced in Bregman 1990, *Auditory Scene Analysis*, ch. 2): TCB ≈ 4
  semitones at a TRT of 50 ms rising to ≈ 13 at 150 ms; FB ≈ 3.5 semitones at every TRT.
  They are drawn over the model's map; the exact figure is not reproduced here. The model's
  FB at the slowest TRT is held to the flat ≈ 3.5 (± 3 semitones, as the TCB values).
* in the ambiguous region the percept switches; phase durations are unimodal and
  right-skewed, as in visual rivalry (a gamma fit with shape > 1, not the exponential of
  memoryless switching); the first percept is usually one stream and the probability of
  two streams builds up over the first seconds (Pressnitzer & Hupé 2006, Curr Biol 16:1351;
  Anstis & Saida 1985, J Exp Psychol HPP 11:257). Pressnitzer & Hupé's listeners' phases at
  Δf 5-7 semitones lasted several seconds on average; the model's mean phase duration in the
  bistable condition is held to at least 1.5 s (ours: the number standing for "several").

Ours: the grid, the bistable condition, the number and length of the runs, and the rules
that read the model's boundaries off its map (FB: the largest Δf heard as one stream in at
least 90 % of cycles; TCB: the smallest Δf heard as one stream in at most 10 %, both
interpolated linearly in Δf), and the build-up windows.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..dynamics.checks import check_fields, check_integer, check_number
from ..hearing import StreamingModel, StreamingResult, gamma_shape, simulate_streaming
from ._base import ExperimentResult, Variable
from ._registry import register
from ._streaming_findings import boundaries, findings
from ._timescale import TAU_MS

__all__ = ["PUBLISHED_FB", "PUBLISHED_TCB", "StreamingConfig", "StreamingExperiment", "run"]

PUBLISHED_TCB = ((50.0, 4.0), (150.0, 13.0))
"""(TRT ms, semitones): the temporal coherence boundary, approximately (van Noorden 1975)."""
PUBLISHED_FB = ((50.0, 3.5), (150.0, 3.5))
"""(TRT ms, semitones): the fission boundary, approximately (van Noorden 1975)."""


def _floats(value: Any, name: str, lo: float, hi: float) -> tuple[float, ...]:
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__"):
        raise TypeError(f"{name} must be a sequence of numbers, got {value!r}")
    if not 2 <= len(value) <= 16:
        raise ValueError(f"{name} must hold 2 to 16 values, got {len(value)}")
    out = tuple(check_number(x, name, ge=lo, le=hi) for x in value)
    if any(b <= a for a, b in itertools.pairwise(out)):
        raise ValueError(f"{name} must be strictly increasing, got {value!r}")
    return out


@dataclass(frozen=True)
class StreamingConfig:
    """Settings of the streaming experiment (ours; the model's parameters are in
    :class:`~neuroattn.hearing.StreamingModel`).

    Parameters
    ----------
    delta_f : tuple of float
        Δf of the grid in semitones; must include 1 and 12 (the published extremes).
    trt_ms : tuple of float
        Tone repetition times of the grid in ms, fastest first.
    duration_s : float
        Length of every sequence in seconds.
    trials : int
        Independent runs of the bistable condition (its phase durations and build-up).
    bistable_delta_f : float
        Δf of the bistable condition in semitones.
    bistable_trt_ms : float
        TRT of the bistable condition in ms.
    buildup_s : float
        The build-up compares P(two streams) in the first ``buildup_s`` / 4 seconds with the
        window from ``buildup_s`` / 2 to ``buildup_s``.
    seed : int
        Seed of the noise.
    """

    delta_f: tuple[float, ...] = (1.0, 3.0, 5.0, 7.0, 9.0, 12.0, 15.0, 18.0)
    trt_ms: tuple[float, ...] = (50.0, 75.0, 100.0, 125.0, 150.0)
    duration_s: float = 24.0
    trials: int = 12
    bistable_delta_f: float = 7.0
    bistable_trt_ms: float = 100.0
    buildup_s: float = 12.0
    seed: int = 0

    def __post_init__(self) -> None:
        df = _floats(self.delta_f, "delta_f", 0.0, 48.0)
        if 1.0 not in df or 12.0 not in df:
            raise ValueError(f"delta_f must include 1 and 12 semitones, got {self.delta_f!r}")
        object.__setattr__(self, "delta_f", df)
        object.__setattr__(self, "trt_ms", _floats(self.trt_ms, "trt_ms", 20.0, 1000.0))
        object.__setattr__(self, "trials", check_integer(self.trials, "trials", ge=2, le=256))
        object.__setattr__(self, "seed", check_integer(self.seed, "seed", ge=0))
        check_fields(
            self,
            [("duration_s", {"gt": 0.0, "le": 600.0}), ("bistable_delta_f", {"ge": 0, "le": 48}),
             ("bistable_trt_ms", {"ge": 20.0, "le": 1000.0}),
             ("buildup_s", {"gt": 0.0, "le": 600.0})],
        )  # fmt: skip
        slowest = max(max(self.trt_ms), self.bistable_trt_ms)
        if self.duration_s < 8 * slowest / 1000:
            raise ValueError(
                f"duration_s must cover two ABA– cycles of the slowest TRT "
                f"({8 * slowest / 1000:g} s), got {self.duration_s!r}"
            )
        if self.buildup_s > self.duration_s:
            raise ValueError(
                f"buildup_s must be <= duration_s ({self.duration_s:g}), got {self.buildup_s!r}"
            )


@dataclass(frozen=True, kw_only=True)
class StreamingExperiment(ExperimentResult):
    """The streaming experiment's result: the map, the model's boundaries and the trials.

    ``one_stream[f, r]`` is the fraction of cycles heard as one stream at Δf =
    ``coords["delta_f"][f]`` and TRT ``coords["trt_ms"][r]``; ``tcb``/``fb`` the model's
    boundaries per TRT (NaN where the grid does not reach one); ``trials`` the bistable
    condition's runs.
    """

    one_stream: np.ndarray
    tcb: np.ndarray
    fb: np.ndarray
    trials: StreamingResult

    def plot(self) -> Any:
        """The map with the model's and the published boundaries, the phase durations and
        the build-up."""
        from ._streaming_plot import plot_streaming

        return plot_streaming(self, PUBLISHED_TCB, PUBLISHED_FB)


def _simulate(config: StreamingConfig) -> tuple[StreamingResult, StreamingResult]:
    """The grid and the trials in one batched run; returns (grid, trials)."""
    df, trt = np.meshgrid(config.delta_f, config.trt_ms, indexing="ij")
    n = df.size
    all_df = np.concatenate([df.ravel(), np.full(config.trials, config.bistable_delta_f)])
    all_trt = np.concatenate([trt.ravel(), np.full(config.trials, config.bistable_trt_ms)])
    res = simulate_streaming(
        all_df, all_trt, duration_s=config.duration_s, model=StreamingModel(tau_ms=TAU_MS),
        seed=config.seed,
    )  # fmt: skip

    def part(sel: slice, shape: tuple[int, ...]) -> StreamingResult:
        return replace(
            res,
            delta_f=res.delta_f[sel].reshape(shape), trt_ms=res.trt_ms[sel].reshape(shape),
            percept=res.percept[sel].reshape(shape + res.percept.shape[-1:]),
            cycle_s=res.cycle_s[sel].reshape(shape),
            bridge=res.bridge[sel].reshape(shape + res.bridge.shape[-1:]),
        )  # fmt: skip

    return part(slice(0, n), df.shape), part(slice(n, None), (config.trials,))


@register(
    "streaming",
    StreamingConfig,
    "ABA- auditory streaming over frequency separation x tempo: one vs two streams, the "
    "published coherence and fission boundaries, bistable switching and build-up",
    quick={"delta_f": (1.0, 3.0, 5.0, 7.0, 12.0, 15.0), "trt_ms": (50.0, 150.0), "duration_s": 20.0,
           "trials": 4, "bistable_delta_f": 7.0, "bistable_trt_ms": 100.0},
)  # fmt: skip
def run(config: StreamingConfig) -> StreamingExperiment:
    """Run the streaming experiment: the Δf × TRT map, its boundaries and the trials."""
    grid, trials = _simulate(config)
    one = grid.one_stream_fraction()
    df, trt = np.asarray(config.delta_f), np.asarray(config.trt_ms)
    tcb, fb = boundaries(df, one)
    durations = trials.phase_durations()
    shape = gamma_shape(durations)[0] if durations.size >= 3 else float("nan")
    dims = ("delta_f", "trt_ms")
    return StreamingExperiment(
        name="streaming",
        findings=findings(config, grid, trials, tcb, fb, shape, PUBLISHED_TCB, PUBLISHED_FB),
        variables={
            "one_stream": Variable(dims, one, {"unit": "fraction of ABA- cycles"}),
            "switches": Variable(dims, grid.switches(), {"unit": "changes of percept"}),
            "tcb": Variable(("trt_ms",), tcb, {"unit": "semitones", "rule": "P(one) <= 0.1"}),
            "fb": Variable(("trt_ms",), fb, {"unit": "semitones", "rule": "P(one) >= 0.9"}),
            "phase_durations": Variable(("phase",), durations, {"unit": "s"}),
        },
        coords={"delta_f": df, "trt_ms": trt, "phase": np.arange(durations.size)},
        config=config,
        one_stream=one,
        tcb=tcb,
        fb=fb,
        trials=trials,
    )
