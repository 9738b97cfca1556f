"""The four-stage visual attention pipeline: encode → features → compete → feedback.

Section 3 of the design brief on images: an image is **encoded** into intensity,
colour-opponent and orientation pyramids (:mod:`.encode`); centre–surround **features**
are normalised and combined into a saliency map (:mod:`.features`); a winner-take-all
network from :mod:`neuroattn.dynamics` **competes** for attention and, with inhibition
of return, produces a scanpath with onsets and durations (:mod:`.compete`); a top-down
task **feeds back** as gains on the feature maps and on the network's input
(:mod:`.feedback`). Search displays (:mod:`.stimuli`) and metrics (:mod:`.metrics`)
measure it.
"""

from . import metrics, stimuli
from .compete import CompetitionTrace, Fixation, WinnerTakeAll
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
from .stimuli import SearchArray, search_array

__all__ = [
    "CompetitionTrace",
    "Encoder",
    "Encoding",
    "FeatureExtractor",
    "Features",
    "Fixation",
    "Pyramid",
    "SearchArray",
    "WinnerTakeAll",
    "centre_surround",
    "combine",
    "gabor_kernels",
    "gaussian_pyramid",
    "intensity",
    "metrics",
    "normalize",
    "opponent_channels",
    "search_array",
    "stimuli",
]
