"""A family of search displays drawn from a distribution, split into tuning and held-out.

:func:`~.stimuli.search_array` draws one display with the settings it is given; a
:class:`SearchFamily` draws the settings too, so that a model is judged on displays it was
not tuned on (issue 9: the pipeline passed its tests on the default red/green displays and
missed every smaller singleton on displays drawn differently). Per display it draws:

* the colours — a target hue (HSV, degrees) from the family's hue ranges and a distractor
  hue 120°–240° away, saturation 0.7–1 and value 0.75–1 (colours of any luminance, so a
  conjunction target is as often the brighter colour as the dimmer one);
* the bar aspect ratio (width / length) and the item length (a fraction of the cell
  spacing);
* the size ratio of a size singleton: above one for ``"larger"``, below for ``"smaller"``;
* the orientation difference of an orientation singleton (and of a conjunction's two
  orientations); the distractor orientation is uniform in [0°, 180°);
* the background grey level from the family's bands (dark, mid-grey, light);
* the position jitter; and the set size from ``set_sizes`` (9, 25, 49 on a 7 × 7 grid)
  unless one is given.

The split (ours): :data:`TUNING` and :data:`HELD_OUT` share no seed and, where it is
sensible, no parameter range — held-out displays have target hues the tuning displays never
show (tuning: red–yellow 330°–60° and cyan–blue 150°–240°; held-out: the rest), thinner
and thicker bars, more extreme size ratios, smaller orientation differences, a light
background and other item lengths and jitters. A constant of the model may be chosen on
tuning displays only; tests and benchmarks report held-out displays.
"""

from __future__ import annotations

import colorsys
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..dynamics.checks import check_choice, check_integer
from .stimuli import SearchArray, search_array

FAMILY_KINDS = ("colour", "orientation", "larger", "smaller", "conjunction")
SPLITS = ("tuning", "held-out")
Range = tuple[float, float]

__all__ = ["FAMILY_KINDS", "HELD_OUT", "SPLITS", "TUNING", "SearchFamily", "family"]


def _draw(rng: np.random.Generator, ranges: Sequence[Range]) -> float:
    """Uniform over the union of ``ranges`` (each weighted by its width)."""
    widths = np.array([hi - lo for lo, hi in ranges], dtype=np.float64)
    k = int(rng.choice(len(ranges), p=widths / widths.sum())) if widths.sum() > 0 else 0
    lo, hi = ranges[k]
    return float(rng.uniform(lo, hi))


def _rgb(hue: float, sat: float, val: float) -> tuple[float, float, float]:
    return colorsys.hsv_to_rgb((hue % 360.0) / 360.0, sat, val)


@dataclass(frozen=True)
class SearchFamily:
    """A distribution of search displays (see the module docstring).

    Each range is a tuple of ``(low, high)`` intervals drawn uniformly over their union.

    Parameters
    ----------
    name : str
        ``"tuning"`` or ``"held-out"`` (for reports).
    first_seed : int
        Display ``i`` of :meth:`sample` is drawn with seed ``first_seed + i``; the splits'
        seed ranges do not overlap.
    target_hues : ranges of degrees
        Hue of the target (HSV); the distractors' hue is 120°–240° away.
    aspects : ranges
        Bar width / length.
    item_lengths : ranges
        Distractor bar length as a fraction of the cell spacing.
    larger, smaller : ranges
        Target / distractor length for the ``"larger"`` and ``"smaller"`` kinds (a
        larger target is at most 0.95 of the spacing long).
    orientation_differences : ranges of degrees
        Target − distractor orientation (orientation singletons and conjunctions).
    backgrounds : ranges
        Background grey level in [0, 1].
    jitters : ranges
        Position jitter (fraction of the spacing).
    set_sizes : tuple of int
        Set sizes drawn when none is given.
    grid : (int, int)
        Rows and columns of item positions.
    size : (int, int)
        Display height and width in pixels (512 × 512: at 256 × 256 the feature maps are
        16 × 16 and bars of 12–20 px leave the model little to see — orientation
        singletons are found first in 30–60 % of displays before and after issue 9).
    """

    name: str
    first_seed: int
    target_hues: tuple[Range, ...]
    aspects: tuple[Range, ...]
    item_lengths: tuple[Range, ...]
    larger: tuple[Range, ...]
    smaller: tuple[Range, ...]
    orientation_differences: tuple[Range, ...]
    backgrounds: tuple[Range, ...]
    jitters: tuple[Range, ...]
    set_sizes: tuple[int, ...] = (9, 25, 49)
    grid: tuple[int, int] = (7, 7)
    size: tuple[int, int] = (512, 512)

    def parameters(self, kind: str, rng: np.random.Generator) -> dict:
        """The :func:`~.stimuli.search_array` settings of one display of ``kind``."""
        hue = _draw(rng, self.target_hues)
        t_rgb = _rgb(hue, rng.uniform(0.7, 1.0), rng.uniform(0.75, 1.0))
        d_rgb = _rgb(hue + rng.uniform(120, 240), rng.uniform(0.7, 1.0), rng.uniform(0.75, 1.0))
        d_orient = float(rng.uniform(0, 180))
        delta = _draw(rng, self.orientation_differences) * (1 if rng.random() < 0.5 else -1)
        spacing = min(self.size[0] / self.grid[0], self.size[1] / self.grid[1])
        frac = _draw(rng, self.item_lengths)
        ratio = _draw(rng, self.larger if kind != "smaller" else self.smaller)
        ratio = min(ratio, 0.95 / frac)  # a larger target stays within its cell
        grey = _draw(rng, self.backgrounds)
        return {
            "kind": "size" if kind in ("larger", "smaller") else kind,
            "size": self.size,
            "grid": self.grid,
            "jitter": _draw(rng, self.jitters),
            "item_length": frac * spacing,
            "aspect": _draw(rng, self.aspects),
            "target_colour": t_rgb,
            "distractor_colour": d_rgb,
            "distractor_orientation": d_orient,
            "target_orientation": d_orient + delta,
            "size_ratio": ratio,
            "background": (grey, grey, grey),
        }

    def draw(
        self, kind: str, seed: int, *, set_size: int | None = None, target: bool = True
    ) -> SearchArray:
        """One display of ``kind`` (one of :data:`FAMILY_KINDS`) drawn with ``seed``."""
        check_choice(kind, "kind", FAMILY_KINDS)
        check_integer(seed, "seed", ge=0)
        rng = np.random.default_rng([seed, FAMILY_KINDS.index(kind)])
        params = self.parameters(kind, rng)
        if set_size is None:
            set_size = int(rng.choice(self.set_sizes))
        return search_array(set_size=set_size, target=target, seed=rng, **params)

    def sample(
        self,
        kind: str,
        count: int,
        *,
        set_size: int | None = None,
        target: bool = True,
        start: int = 0,
    ) -> list[SearchArray]:
        """``count`` displays of ``kind``: seeds ``first_seed + start`` onwards."""
        check_integer(count, "count", ge=0, le=100_000)
        check_integer(start, "start", ge=0, le=10**7)
        first = self.first_seed + start
        return [self.draw(kind, first + i, set_size=set_size, target=target) for i in range(count)]


TUNING = SearchFamily(
    name="tuning",
    first_seed=0,
    target_hues=((-30.0, 60.0), (150.0, 240.0)),
    aspects=((0.2, 0.35),),
    item_lengths=((0.4, 0.5),),
    larger=((1.5, 1.7),),
    smaller=((0.55, 0.65),),
    orientation_differences=((75.0, 90.0),),
    backgrounds=((0.1, 0.2), (0.45, 0.55)),
    jitters=((0.15, 0.25),),
)
"""The displays a constant may be chosen on (seeds 0 to 10⁷)."""

HELD_OUT = SearchFamily(
    name="held-out",
    first_seed=50_000_000,
    target_hues=((60.0, 150.0), (240.0, 330.0)),
    aspects=((0.12, 0.2), (0.35, 0.45)),
    item_lengths=((0.33, 0.4), (0.5, 0.55)),
    larger=((1.7, 2.0),),
    smaller=((0.45, 0.55), (0.65, 0.7)),
    orientation_differences=((60.0, 75.0),),
    backgrounds=((0.0, 0.1), (0.3, 0.45), (0.75, 0.9)),
    jitters=((0.05, 0.15), (0.25, 0.3)),
)
"""The displays a model is judged on: other seeds (from 5·10⁷) and other parameters."""


def family(split: str = "held-out") -> SearchFamily:
    """The family of one split: ``"tuning"`` (:data:`TUNING`) or ``"held-out"``."""
    check_choice(split, "split", SPLITS)
    return TUNING if split == "tuning" else HELD_OUT
