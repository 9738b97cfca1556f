r"""Published models as presets of the encode and feature stages.

``preset="itti1998"`` is the model of Itti, Koch & Niebur (1998). A preset sets the
encode stage, the feature stage and the weights of the conspicuity maps; the
competition and feedback stages stay ours (the paper's saliency-map network of
integrate-and-fire neurons is not reproduced).

======================= ===================================== ========================
setting                 itti1998 (published)                  default (ours)
======================= ===================================== ========================
intensity               I = (r + g + b)/3                     same
colour                  R, G, B, Y of r, g, b / I where       same, computed at
                        I > max(I)/10, at the image (level 0) level 2
orientations            0, 45, 90, 135°                       same
pyramid                 dyadic, levels 0–8                    same
centres c, deltas δ     {2, 3, 4}, {3, 4}                     same
maps                    |F|: 6 I + 12 RG/BY + 24 O = 42       on/off apart: 84
N(·)                    maxnorm at every stage: [0, M],       hybrid (iterative DoG,
                        ×(M − m̄)²                             then N(·) unscaled)
second N(·)             per orientation θ only                every channel
noise floor             none (``min_contrast=0``)             0.05
orientation pooling     none                                  O_θ / (Σ O + σ), σ 0.1
size contrast           none                                  a fourth group, "size"
saliency                S = (N(Ī) + N(C̄) + N(Ō)) / 3          same form
map level               4                                     same
======================= ===================================== ========================

What the paper leaves open and this module fills in (ours in the preset too): the Gabor
filters (a quadrature pair, λ = 4 px, γ = 0.7, σ = 0.4 λ; the paper says "oriented Gabor
pyramids"), the 5-tap binomial kernel of the pyramid (``cv2.pyrDown``), local maxima
below a tenth of the range ignored by N(·), and the sign of the colour difference
(RG(c) − RG(s), the authors' code; the paper prints a sum).

The |F| of the paper loses the sign of a contrast: a red item among green ones is about as
conspicuous in RG as each green one. On displays of 36 discs on grey the preset finds a
red singleton among green discs in 5 of 10, the default in 10 of 10; a red disc among grey
ones, an intensity or an orientation singleton the preset finds as the default does.

No ``itti2000`` preset: Itti & Koch (2000) give the iterative normalisation's filters but
"a few" iterations, and whether the summed maps are scaled to [0, 1] again is not pinned
down; the settings that find orientation singletons (about 10 iterations, sums unscaled)
would be ours. ``normalization="iterative"`` with this preset's other settings is the
nearest.

References
----------
Itti, L., Koch, C. & Niebur, E. (1998). A model of saliency-based visual attention for
rapid scene analysis. IEEE PAMI 20(11), 1254–1259.
Itti, L. & Koch, C. (2000). A saliency-based search mechanism for overt and covert shifts
of visual attention. Vision Research 40, 1489–1506.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple

from ..dynamics.checks import check_choice
from .encode import Encoder
from .features import FeatureExtractor

PUBLISHED_GROUPS = ("intensity", "colour", "orientation")

PRESETS = ("itti1998",)

__all__ = ["PRESETS", "PresetStages", "preset_stages"]


class PresetStages(NamedTuple):
    """The stages a preset sets."""

    encode: Encoder
    features: FeatureExtractor
    weights: Mapping[str, float]


def preset_stages(preset: str) -> PresetStages:
    """The encode stage, feature stage and conspicuity weights of a published model.

    Parameters
    ----------
    preset : {"itti1998"}
        Itti, Koch & Niebur (1998) (see the module docstring for what is published and
        what is not).

    Raises
    ------
    ValueError
        An unknown preset, naming ``preset`` and the choices.
    """
    check_choice(preset, "preset", PRESETS)
    features = FeatureExtractor(
        normalization="maxnorm",
        split_polarity=False,
        channel_normalization="orientation",
        min_contrast=0.0,
        size_channels=False,
        pool_orientations=False,
    )
    weights = MappingProxyType(dict.fromkeys(PUBLISHED_GROUPS, 1.0))
    return PresetStages(Encoder(colour_level=0), features, weights)
