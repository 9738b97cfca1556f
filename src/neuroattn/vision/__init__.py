"""The four-stage visual attention pipeline: encode → features → compete → feedback.

Section 3 of the design brief on images: an image is **encoded** into intensity,
colour-opponent and orientation pyramids (:mod:`.encode`); centre–surround **features**
are normalised and combined into a saliency map (:mod:`.features`); a winner-take-all
network from :mod:`neuroattn.dynamics` **competes** for attention and, with inhibition
of return, produces a scanpath with onsets and durations (:mod:`.compete`); a top-down
task **feeds back** as gains on the feature maps and on the network's input
(:mod:`.feedback`), and as an attention field that re-enters encoding through the
normalisation model of attention (:class:`AttentionField`, :func:`modulate`) — between
fixations when ``feedback.loop`` is on, and between trials (:meth:`Pipeline.run_trials`).
Search displays (:mod:`.stimuli`) and metrics (:mod:`.metrics`)
measure it; :mod:`.io` reads images and writes results; :mod:`.batch` maps the pipeline
over many images (locally or on Dask) and :mod:`.interop` hands it to pysaliency.
"""

from . import batch, interop, io, metrics, stimuli
from ._field import AttentionField, Spot
from ._loop import LoopState, TrialSequence
from ._modulate import Modulator, modulate
from ._records import CompetitionTrace, Fixation
from .batch import attend_many
from .compete import WinnerTakeAll
from .config import EXAMPLE_CONFIG, VisionConfig, config_from_toml, load_config
from .encode import (
    Encoder,
    Encoding,
    Pyramid,
    gabor_kernels,
    gaussian_pyramid,
    intensity,
    opponent_channels,
)
from .features import FeatureExtractor, Features, centre_surround, combine, normalize
from .feedback import Task, TopDown, parse_target
from .pipeline import AttentionResult, Pipeline, attend, saliency
from .stimuli import SearchArray, search_array

__all__ = [
    "EXAMPLE_CONFIG",
    "AttentionField",
    "AttentionResult",
    "CompetitionTrace",
    "Encoder",
    "Encoding",
    "FeatureExtractor",
    "Features",
    "Fixation",
    "LoopState",
    "Modulator",
    "Pipeline",
    "Pyramid",
    "SearchArray",
    "Spot",
    "Task",
    "TopDown",
    "TrialSequence",
    "VisionConfig",
    "WinnerTakeAll",
    "attend",
    "attend_many",
    "batch",
    "centre_surround",
    "combine",
    "config_from_toml",
    "gabor_kernels",
    "gaussian_pyramid",
    "intensity",
    "interop",
    "io",
    "load_config",
    "metrics",
    "modulate",
    "normalize",
    "opponent_channels",
    "parse_target",
    "saliency",
    "search_array",
    "stimuli",
]
