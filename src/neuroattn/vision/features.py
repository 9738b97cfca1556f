r"""Stage 2, features: centre–surround contrast, normalisation, conspicuity, saliency.

Centre–surround differences are across-scale differences between a fine centre level c
and a coarse surround level s = c + δ (Itti, Koch & Niebur 1998), for
c ∈ {2, 3, 4} and δ ∈ {3, 4} by default:

.. math::

    F(c, s) = P(c) \ominus P(s) = P(c) - \mathrm{interp}_{s \to c} P(s)

**Published** (Itti, Koch & Niebur 1998): |F| for every channel — 6 intensity, 12
colour (RG, BY) and 24 orientation maps, 42 in all; each map normalised by N(·)
(:func:`maxnorm`); conspicuity maps at level 4, Ī = ⊕ N(I(c, s)),
C̄ = ⊕ [N(RG(c, s)) + N(BY(c, s))], Ō = Σ_θ N(⊕ N(O(c, s, θ))) — a second N(·) for each
orientation only; S = (N(Ī) + N(C̄) + N(Ō)) / 3. ``preset="itti1998"``
(:mod:`._presets`) is exactly this. The colour difference is RG(c) − RG(s), as in the
Saliency Toolbox (Walther & Koch 2006) and the authors' code; the paper prints
RG(c) + RG(s) (its G(s) − R(s) term).

**Ours** (the defaults, chosen on search displays and natural images; see
:class:`FeatureExtractor`): optionally, orientation energies divided by their sum over
orientations (:func:`pooled_orientations`); a fourth conspicuity group, ``size``, the
signed contrast of each item's energy with its neighbours' (:mod:`._size`); with
``split_polarity=True`` the two signs are kept apart, as in VOCUS (Frintrop 2005):
intensity on (bright centre) and off (dark centre); red and green from RG = R − G; blue
and yellow from BY = B − Y; orientation energy keeps the "more energy in the centre" half.
The first normalisation has a noise floor
(``min_contrast``); ``normalization="hybrid"`` uses the iterative DoG of Itti & Koch
(2000) within each centre–surround map and N(·) without rescaling on the sums
(:func:`normalize`); ``channel_normalization="all"`` normalises every channel again
after the sum over scales (the paper only the orientations). Per channel the six maps
are averaged into a **feature map**; feature maps are weighted (top-down gains, one by
default), averaged into the **conspicuity maps** intensity, colour and orientation and
normalised; their weighted mean is the **saliency map**

.. math::

    S = \sum_k w_k\, N(\bar C_k) / \sum_k w_k .

References
----------
Itti, L., Koch, C. & Niebur, E. (1998). A model of saliency-based visual attention for
rapid scene analysis. IEEE PAMI 20(11), 1254–1259.
Itti, L. & Koch, C. (2000). Vision Research 40, 1489–1506.
Frintrop, S. (2005). VOCUS: a visual attention system for object detection and
goal-directed search. PhD thesis, Univ. Bonn (LNAI 3899, Springer 2006).
Walther, D. & Koch, C. (2006). Modeling attention to salient proto-objects. Neural
Networks 19, 1395–1407.
Heeger, D. J. (1992). Normalization of cell responses in cat striate cortex. Visual
Neuroscience 9, 181–197.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from ..dynamics.checks import check_choice
from ._centre import centre_surround_stack
from ._normalize import (
    NORMALIZATIONS,
    iterative_normalization,
    maxnorm,
    normalize,
    positive_part,
    unit_max,
)
from ._size import SIZE_FLOOR, SIZE_MAPS, local_contrast, size_contrast
from .encode import Encoding, Pyramid, gaussian_pyramid

CENTRES: tuple[int, ...] = (2, 3, 4)
DELTAS: tuple[int, ...] = (3, 4)
GROUPS = ("intensity", "colour", "orientation", "size")
CHANNEL_NORMALIZATIONS = ("all", "orientation")
_OPPONENTS = {"rg": ("red", "green"), "by": ("blue", "yellow")}
ORIENTATION_SIGMA = 0.1
"""σ of :func:`pooled_orientations`, a fraction of the level's peak summed energy (ours)."""

__all__ = [
    "CENTRES",
    "CHANNEL_NORMALIZATIONS",
    "DELTAS",
    "GROUPS",
    "NORMALIZATIONS",
    "ORIENTATION_SIGMA",
    "FeatureExtractor",
    "Features",
    "centre_surround",
    "combine",
    "iterative_normalization",
    "maxnorm",
    "normalize",
    "pooled_orientations",
]


def pooled_orientations(channels: Mapping[str, Pyramid], sigma: float) -> dict[str, Pyramid]:
    r"""Orientation energies divided by their sum over orientations (ours, after Heeger 1992).

    At every level, :math:`O_θ / (\sum_{θ'} O_{θ'} + σ \max_x \sum_{θ'} O_{θ'})`: the
    divisive normalisation of V1 by a pool of all orientations at the same place, which
    makes orientation tuning contrast-invariant. Without it a bar's orientation signal
    grows with its luminance contrast, so in a conjunction display the target, which
    shares its orientation with the items of the *other* colour, is the weakest (or the
    strongest) of its orientation map whenever its colour is the dimmer (brighter) one —
    fixated last (first) in bottom-up search (issue 9).
    """
    names = [n for n in channels if n.startswith("orientation")]
    if not names:
        return {}
    first = channels[names[0]]
    out: dict[str, list[np.ndarray]] = {n: [] for n in names}
    for k in range(len(first.levels)):
        total = sum(channels[n].levels[k] for n in names)
        pool = total + np.float32(sigma * float(np.max(total)) + 1e-12)
        for n in names:
            out[n].append(channels[n].levels[k] / pool)
    return {n: Pyramid(tuple(v), first.first) for n, v in out.items()}


def centre_surround(
    pyramid: Pyramid,
    centres: tuple[int, ...] = CENTRES,
    deltas: tuple[int, ...] = DELTAS,
    *,
    out_shape: tuple[int, int] | None = None,
) -> np.ndarray:
    """Signed across-scale differences P(c) − P(c + δ), stacked ``(len(c)·len(δ), h, w)``.

    Surround levels deeper than the pyramid holds are clamped to its deepest level
    (small images). Each difference is that of the centre level and the surround
    resized to it (bilinear), resized to ``out_shape`` (area average when shrinking;
    default: the level of the last centre); computed as in :mod:`._centre`.
    """
    if out_shape is None:
        out_shape = pyramid[max(centres)].shape[:2]
    return centre_surround_stack([pyramid], centres, deltas, out_shape)[0]


@dataclass(frozen=True)
class Features:
    """The output of the feature stage for one image (all maps at the map level).

    Attributes
    ----------
    feature_maps : mapping of str to ndarray (h, w)
        One normalised map per feature channel: ``intensity_on``, ``intensity_off``,
        ``red``, ``green``, ``blue``, ``yellow``, ``orientation_<θ>`` (or ``intensity``,
        ``rg``, ``by`` when polarities are not split). Unweighted by any task.
    groups : mapping of str to tuple of str
        Which feature maps make up each conspicuity group.
    level : int
        Pyramid level of the maps (4: 1/16 of the image side).
    normalization : str
        The normalisation scheme used (and used again by :func:`combine`).
    iterations : int
        Iterations of the iterative normalisation.
    contrast_maps : mapping of str to ndarray (h, w)
        Per channel, the centre–surround maps in units of the channel's range (with the
        noise floor), averaged over scales, before any competition: how much of each
        feature is where. The top-down stage reads these, since within-feature
        competition suppresses exactly the features a search task shares with many
        distractors.
    """

    feature_maps: Mapping[str, np.ndarray]
    groups: Mapping[str, tuple[str, ...]]
    level: int
    normalization: str = "hybrid"
    iterations: int = 5
    contrast_maps: Mapping[str, np.ndarray] = field(default_factory=dict)


@dataclass(frozen=True)
class FeatureExtractor:
    """Stage 2: encoding → normalised feature maps (see the module docstring).

    The defaults are ours, not the paper's: split polarities, the hybrid normalisation,
    every channel normalised again and a noise floor. ``preset="itti1998"`` (in
    :func:`~.pipeline.saliency`, :class:`~.config.VisionConfig` and the TOML config) sets
    ``normalization="maxnorm"``, ``split_polarity=False``,
    ``channel_normalization="orientation"`` and ``min_contrast=0``: the published model.

    Parameters
    ----------
    centres, deltas : tuple of int
        Centre levels c and surround offsets δ (s = c + δ); (2, 3, 4) and (3, 4) as
        published.
    normalization : {"hybrid", "iterative", "maxnorm", "none"}
        The normalisation scheme (:func:`normalize`). Ours by default ("hybrid"): the
        iterative DoG of Itti & Koch (2000) within each centre–surround map and N(·) of
        Itti et al. (1998) on the sums. "maxnorm" is N(·) at every stage, as published.
    iterations : int
        Iterations of the iterative normalisation ("a few" in Itti & Koch 2000; with 3,
        maps with many equal peaks are not yet suppressed and a colour singleton
        among 48 distractors is missed; 5 finds it). Ours.
    split_polarity : bool
        Keep on/off, red/green, blue/yellow apart (VOCUS; ours, default) or take |F|
        (Itti et al. 1998).
    map_level : int
        Level of the feature, conspicuity and saliency maps (4, as published).
    min_contrast : float
        Noise floor of the first normalisation (ours; 0 in the paper): a centre–surround
        map is scaled by 1 / max(its maximum, ``min_contrast``), so a map holding only
        contrasts below the floor (e.g. rounding noise in a colour channel of a grey
        display) is not blown up to the full range. Channels are in units of their full
        range.
    size_channels : bool
        Add the conspicuity group ``"size"``: the maps ``size_smaller`` and
        ``size_larger`` of :mod:`._size` (ours; issue 9: without them no item smaller
        than its neighbours is ever found). Off in ``preset="itti1998"``.
    pool_orientations : bool
        Divide the orientation energies by their sum over orientations
        (:func:`pooled_orientations`, σ = :data:`ORIENTATION_SIGMA`; ours, after Heeger
        1992). Off by default: it makes a conjunction target's orientation signal
        independent of its colour's luminance, but flattens the saliency of equal items
        (2 of 32 items of a colour display left unvisited by a 36-fixation scan).
    channel_normalization : {"all", "orientation"}
        Which channels are normalised again after their six maps are summed: "all"
        (ours, default) or "orientation" (Itti et al. 1998: one N(·) per orientation θ;
        intensity and colour go straight into their conspicuity maps).

    References
    ----------
    Itti, L., Koch, C. & Niebur, E. (1998). IEEE PAMI 20(11), 1254–1259.
    Frintrop, S. (2005). VOCUS. LNAI 3899.
    """

    centres: tuple[int, ...] = CENTRES
    deltas: tuple[int, ...] = DELTAS
    normalization: str = "hybrid"
    iterations: int = 5
    split_polarity: bool = True
    map_level: int = 4
    min_contrast: float = 0.05
    channel_normalization: str = "all"
    size_channels: bool = True
    pool_orientations: bool = False

    def __post_init__(self) -> None:
        check_choice(self.normalization, "normalization", NORMALIZATIONS)
        check_choice(self.channel_normalization, "channel_normalization", CHANNEL_NORMALIZATIONS)
        if not self.centres or not self.deltas or min(self.deltas) < 1:
            raise ValueError("features: centres must be non-empty and every delta >= 1")

    def _contrast_maps(
        self, encoding: Encoding, shape: tuple[int, int]
    ) -> dict[str, tuple[str, np.ndarray]]:
        """Centre–surround maps per feature channel, and the group of each channel."""
        channels = dict(encoding.channels)
        if self.pool_orientations:
            channels.update(pooled_orientations(encoding.channels, ORIENTATION_SIGMA))
        names: list[str] = []
        pyramids: list[Pyramid] = []
        for name, pyr in channels.items():
            if name in _OPPONENTS and self.split_polarity:
                # rectify first, then one pyramid per hue: a grey region beside green
                # items must not look "red" by contrast with its surround
                for hue, sign in zip(_OPPONENTS[name], (1.0, -1.0), strict=True):
                    base = positive_part(sign * pyr.levels[0])
                    levels = gaussian_pyramid(base, pyr.last - pyr.first)
                    pyramids.append(Pyramid(tuple(levels), pyr.first))
                    names.append(hue)
            else:
                pyramids.append(pyr)
                names.append(name)
        diffs = centre_surround_stack(pyramids, self.centres, self.deltas, shape)
        rectified = positive_part(diffs.copy()) if self.split_polarity else np.abs(diffs)
        out: dict[str, tuple[str, np.ndarray]] = {}
        for k, name in enumerate(names):
            if name == "intensity" and self.split_polarity:
                out["intensity_on"] = ("intensity", rectified[k])
                out["intensity_off"] = ("intensity", positive_part(-diffs[k]))
            else:
                group = "orientation" if name.startswith("orientation") else "colour"
                out[name] = ("intensity" if name == "intensity" else group, rectified[k])
        return out

    def _per_channel(self, sums: np.ndarray, names: list[str]) -> np.ndarray:
        """The second normalisation, of each channel's mean over scales (``(C, h, w)``)."""
        again = [
            k
            for k, n in enumerate(names)
            if self.channel_normalization == "all" or n.startswith("orientation")
        ]
        out = sums.copy()
        if again:
            out[again] = normalize(
                sums[again], self.normalization, stage=2, iterations=self.iterations
            )
        return out

    def _size_maps(
        self, encoding: Encoding, contrast: np.ndarray, keep: np.ndarray, shape: tuple[int, int]
    ) -> tuple[np.ndarray, np.ndarray]:
        """The size-contrast maps (:mod:`._size`), raw and after the first normalisation.

        The energy sums the channels' contrast maps where ``keep`` (not the orientations:
        pooled, they no longer grow with an item's area)."""
        pyrs = [encoding.channels[c] for c in ("intensity", "rg", "by") if c in encoding.channels]
        where = local_contrast(pyrs, min(self.centres), shape)
        energy = contrast[keep].sum(axis=0)
        size = size_contrast(energy, where)
        # the maps are fractions (0.4–0.5 at a singleton, ~0.1 between equal items): a
        # floor keeps a map of such noise from being scaled to the full range
        normed = normalize(size, self.normalization, iterations=self.iterations, floor=SIZE_FLOOR)
        return size, normed

    def __call__(self, encoding: Encoding) -> Features:
        """Compute the normalised feature maps of an encoded image."""
        first = next(iter(encoding.channels.values()))
        level = min(self.map_level, first.last)
        shape = first[level].shape[:2]
        maps_by_name = self._contrast_maps(encoding, shape)
        names = list(maps_by_name)
        groups: dict[str, list[str]] = {g: [] for g in GROUPS}
        for n in names:
            groups[maps_by_name[n][0]].append(n)
        scale_maps = np.stack([maps_by_name[n][1] for n in names])  # (C, S, h, w)
        normed = normalize(
            scale_maps, self.normalization, iterations=self.iterations, floor=self.min_contrast
        )
        contrast = unit_max(scale_maps, self.min_contrast).mean(axis=1)
        sums = normed.mean(axis=1)
        if self.size_channels:
            keep = np.array([n not in groups["orientation"] for n in names])
            size, size_normed = self._size_maps(encoding, contrast, keep, shape)
            names += list(SIZE_MAPS)
            groups["size"] = list(SIZE_MAPS)
            sums = np.concatenate([sums, size_normed])
            contrast = np.concatenate([contrast, size])
        channel = self._per_channel(sums, names)
        maps = {n: channel[k] for k, n in enumerate(names)}
        return Features(
            MappingProxyType(maps),
            MappingProxyType({g: tuple(v) for g, v in groups.items() if v}),
            level,
            self.normalization,
            self.iterations,
            MappingProxyType({n: contrast[k] for k, n in enumerate(names)}),
        )


def combine(
    features: Features,
    *,
    gains: Mapping[str, float] | None = None,
    weights: Mapping[str, float] | None = None,
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Weighted sum of feature maps → conspicuity maps → saliency map (map level).

    Parameters
    ----------
    features : Features
    gains : mapping of str to float, optional
        Per-map gains w_j (top-down; feature-map or conspicuity-group names). Missing
        names have gain one.
    weights : mapping of str to float, optional
        Weights of the conspicuity groups in the saliency sum (one each by default).
        Each conspicuity map is normalised with the scheme of ``features``.

    Returns
    -------
    conspicuity : dict of str to ndarray (h, w)
    saliency : ndarray (h, w), float32, maximum one (or all zero)
    """
    gains = dict(gains or {})
    weights = dict(weights or {})
    names = list(features.groups)
    cons = np.stack(
        [
            sum(gains.get(m, 1.0) * features.feature_maps[m] for m in features.groups[g])
            / len(features.groups[g])
            for g in names
        ]
    ).astype(np.float32)
    cons = normalize(cons, features.normalization, stage=3, iterations=features.iterations)
    w = np.array([weights.get(g, 1.0) * gains.get(g, 1.0) for g in names], np.float32)
    total = float(w.sum()) or 1.0
    sal = unit_max(np.tensordot(w / total, cons, axes=1))
    return {g: cons[k] for k, g in enumerate(names)}, sal.astype(np.float32)
