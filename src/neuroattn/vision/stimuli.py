"""Visual search arrays: odd-one-out singletons and colour × orientation conjunctions.

Items are bars (anti-aliased rotated rectangles) on a uniform background, placed at
random cells of a grid (7 × 7 by default, as the odd-one-out displays of Kotseruba et al.
2019) with position jitter. Kinds:

* ``"colour"`` — the target differs from the distractors in colour only;
* ``"orientation"`` — in orientation only (Δθ = 90° by default);
* ``"size"`` — in size only (``size_ratio`` times the distractors' length: larger above
  one, smaller below);
* ``"larger"``, ``"smaller"`` — in size only, ``size_ratio`` times larger or smaller
  (the target's length is the distractors' times or divided by ``size_ratio``);
* ``"conjunction"`` — the target has the colour of one half of the distractors and the
  orientation of the other half (Treisman & Gelade 1980), so no single feature marks it.

With ``target=False`` the target is replaced by one more distractor (target-absent
trials). Everything random comes from ``seed``; the global numpy seed is never used.

A simulated trial is scored by :func:`score_trial` (a fixation is on the item nearest to
it; the response comes at the first fixation on the target, or at the end of the scan),
and :func:`search_slope` fits response time against set size over the correct trials,
counting the misses it leaves out (a target that was never fixated is a miss, never an
RT).

References
----------
Treisman, A. M. & Gelade, G. (1980). A feature-integration theory of attention.
Cognitive Psychology 12, 97–136.
Kotseruba, I., Wloka, C., Rasouli, A. & Tsotsos, J. K. (2019). Do saliency models detect
odd-one-out targets? New datasets and evaluations. BMVC.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from ..dynamics.checks import check_choice, check_integer, check_number
from .io import MAX_PIXELS

KINDS = ("colour", "orientation", "size", "larger", "smaller", "conjunction")
OUTCOMES = ("hit", "miss", "correct rejection")
_SHIFT = 4  # sub-pixel bits of cv2.fillConvexPoly


@dataclass(frozen=True)
class SearchArray:
    """One generated search display.

    Attributes
    ----------
    image : ndarray of uint8, shape (H, W, 3)
        The RGB display.
    target_mask : ndarray of bool, shape (H, W)
        Pixels of the target (all False on target-absent trials).
    labels : ndarray of int32, shape (H, W)
        0 on the background, i + 1 on the pixels of item i.
    centres : ndarray of float, shape (n, 2)
        Item centres (x, y) in pixels.
    target_index : int or None
        Index of the target among the items, None when absent.
    kind : str
    item_length : float
        Length of a distractor bar in pixels (the target's may differ).
    spacing : float
        Distance between neighbouring grid cells in pixels.
    """

    image: np.ndarray
    target_mask: np.ndarray
    labels: np.ndarray
    centres: np.ndarray
    target_index: int | None
    kind: str
    item_length: float
    spacing: float

    @property
    def set_size(self) -> int:
        """Number of items in the display."""
        return int(self.centres.shape[0])


def bar_polygon(
    centre: tuple[float, float], length: float, width: float, theta: float
) -> np.ndarray:
    """Corners (x, y) of a bar at ``theta`` degrees (counter-clockwise, 0 = horizontal)."""
    t = math.radians(theta)
    along = np.array([math.cos(t), -math.sin(t)])  # rows point down
    across = np.array([math.sin(t), math.cos(t)])
    c = np.asarray(centre, dtype=np.float64)
    a, b = along * length / 2, across * width / 2
    return np.stack([c - a - b, c + a - b, c + a + b, c - a + b])


def _fill(canvas: np.ndarray, poly: np.ndarray, value, aa: bool) -> None:
    pts = np.round(poly * (1 << _SHIFT)).astype(np.int32)
    line = cv2.LINE_AA if aa else cv2.LINE_8
    cv2.fillConvexPoly(canvas, pts, value, lineType=line, shift=_SHIFT)


def _colour(c) -> tuple[int, int, int]:
    arr = np.asarray(c, dtype=np.float64).ravel()
    if arr.size != 3 or not np.isfinite(arr).all() or arr.min() < 0:
        raise ValueError(f"colours must be three non-negative numbers, got {c!r}")
    if arr.max() <= 1.0:
        arr = arr * 255
    r, g, b = (round(float(v)) for v in np.clip(arr, 0, 255))
    return r, g, b


def _pair(value: Any, name: str, low: int) -> tuple[int, int]:
    """Two whole numbers >= ``low`` (``size``, ``grid``)."""
    try:
        a, b = (check_number(v, name, ge=low) for v in value)
    except (TypeError, ValueError):
        raise ValueError(
            f"{name} must be two whole numbers of at least {low}, got {value!r}"
        ) from None
    if not (a.is_integer() and b.is_integer()):
        raise ValueError(f"{name} must be two whole numbers of at least {low}, got {value!r}")
    return int(a), int(b)


def _check(
    kind: str, set_size: int, grid: Any, size: Any, max_pixels: int
) -> tuple[tuple[int, int], tuple[int, int]]:
    """The checked ``size`` and ``grid``: a bounded display that holds the items."""
    check_choice(kind, "kind", KINDS)
    check_integer(set_size, "set_size", ge=1)
    size, grid = _pair(size, "size", 32), _pair(grid, "grid", 1)
    check_integer(max_pixels, "max_pixels", ge=1)
    if size[0] * size[1] > max_pixels:
        raise ValueError(
            f"size {size[0]}×{size[1]} is {size[0] * size[1]:.3g} pixels, more than "
            f"max_pixels = {max_pixels}; pass a larger max_pixels to draw it"
        )
    if set_size > grid[0] * grid[1]:
        raise ValueError(f"set_size {set_size} does not fit a {grid[0]}×{grid[1]} grid")
    return size, grid


def _item_features(kind, n, target_pos, rng, orient, d_orient, colours, ratio):
    """Colour, orientation and scale of each item; the target at ``target_pos``."""
    tcol, dcol = colours
    cols = [dcol] * n
    ori = [d_orient] * n
    scale = [1.0] * n
    if kind == "conjunction":
        # half the distractors share the target's colour, half its orientation
        others = [i for i in range(n) if i != target_pos]
        share_colour = rng.permutation(np.arange(len(others)) % 2 == 0)
        for i, share in zip(others, share_colour, strict=True):
            cols[i], ori[i] = (tcol, d_orient) if share else (dcol, orient)
    if target_pos is not None:
        if kind in ("colour", "conjunction"):
            cols[target_pos] = tcol
        if kind in ("orientation", "conjunction"):
            ori[target_pos] = orient
        if kind in ("size", "larger"):
            scale[target_pos] = ratio
        if kind == "smaller":
            scale[target_pos] = 1.0 / ratio
    return cols, ori, scale


def search_array(
    kind: str = "colour",
    set_size: int = 49,
    *,
    target: bool = True,
    size: tuple[int, int] = (512, 512),
    grid: tuple[int, int] = (7, 7),
    jitter: float = 0.2,
    item_length: float | None = None,
    aspect: float = 0.25,
    target_colour=(1.0, 0.0, 0.0),
    distractor_colour=(0.0, 1.0, 0.0),
    target_orientation: float | None = None,
    distractor_orientation: float | None = None,
    size_ratio: float = 1.6,
    background=(0.5, 0.5, 0.5),
    seed: int | np.random.Generator | None = None,
    max_pixels: int = MAX_PIXELS,
) -> SearchArray:
    """Generate one search array (see the module docstring).

    Parameters
    ----------
    kind : {"colour", "orientation", "size", "larger", "smaller", "conjunction"}
    set_size : int
        Number of items, at most the number of grid cells.
    target : bool
        Target present (default) or absent.
    size : (int, int)
        Image height and width in pixels.
    grid : (int, int)
        Rows and columns of candidate positions; items take ``set_size`` random cells.
    jitter : float
        Uniform position jitter, as a fraction of the cell spacing (±jitter/2).
    item_length : float, optional
        Bar length in pixels, from 1 to the cell spacing; default 0.45 of the spacing.
    aspect : float
        Bar width / length.
    target_colour, distractor_colour : 3 numbers
        RGB in [0, 1] (or 0–255).
    target_orientation, distractor_orientation : float, optional
        Degrees, counter-clockwise, 0 = horizontal. By default the distractor
        orientation is random (uniform in [0°, 180°)) per array and the target is
        rotated from it by 90°; for non-orientation kinds all bars share it.
    size_ratio : float
        Target length / distractor length for ``kind="size"`` and ``"larger"`` (the
        target at most twice the cell spacing long); distractor / target length for
        ``"smaller"``. A ``"smaller"`` target is drawn at least one pixel long.
        :mod:`._family` draws these (and colours, aspects, backgrounds) from a
        distribution.
    background : 3 numbers
        Background RGB.
    seed : int or numpy.random.Generator, optional
    max_pixels : int
        Largest height × width drawn (:data:`~.io.MAX_PIXELS`, 8192 × 8192).

    Returns
    -------
    SearchArray

    Raises
    ------
    ValueError
        A setting out of range, one line naming it: a display over ``max_pixels``, items
        longer than their cell (a bar of 1e9 pixels would draw nothing), non-finite
        numbers.
    """
    size, grid = _check(kind, set_size, grid, size, max_pixels)
    check_number(jitter, "jitter", ge=0, le=1)
    check_number(aspect, "aspect", gt=0, le=1)
    h, w = size
    spacing = min(h / grid[0], w / grid[1])
    length = 0.45 * spacing
    if item_length is not None:
        length = check_number(item_length, "item_length", ge=1, le=spacing)
    check_number(size_ratio, "size_ratio", gt=0, le=2 * spacing / length)
    angles = {"target_orientation": target_orientation}
    angles["distractor_orientation"] = distractor_orientation
    for name, angle in angles.items():
        if angle is not None:
            check_number(angle, name)
    rng = np.random.default_rng(seed)
    d_orient = rng.uniform(0, 180) if distractor_orientation is None else distractor_orientation
    orient = d_orient + 90.0 if target_orientation is None else target_orientation
    cells = rng.choice(grid[0] * grid[1], size=set_size, replace=False)
    rows, cols_ = np.divmod(cells, grid[1])
    oy, ox = (h - spacing * grid[0]) / 2, (w - spacing * grid[1]) / 2
    offs = rng.uniform(-0.5, 0.5, size=(set_size, 2)) * jitter * spacing
    centres = np.stack([ox + (cols_ + 0.5) * spacing, oy + (rows + 0.5) * spacing], 1) + offs
    t_pos = int(rng.integers(set_size)) if target else None
    colours = (_colour(target_colour), _colour(distractor_colour))
    cols, ori, scale = _item_features(
        kind, set_size, t_pos, rng, orient, d_orient, colours, size_ratio
    )
    image = np.empty((h, w, 3), np.uint8)
    image[:] = _colour(background)
    labels = np.zeros((h, w), np.int32)
    for i in range(set_size):
        scale_i = max(scale[i], 1.0 / length)  # at least one pixel long
        poly = bar_polygon(tuple(centres[i]), length * scale_i, length * aspect * scale_i, ori[i])
        _fill(image, poly, cols[i], aa=True)
        _fill(labels, poly, i + 1, aa=False)
    mask = labels == (t_pos + 1) if t_pos is not None else np.zeros((h, w), bool)
    return SearchArray(image, mask, labels, centres, t_pos, kind, length, spacing)


@dataclass(frozen=True)
class SearchTrial:
    """The outcome of one simulated search trial (see :func:`score_trial`).

    Attributes
    ----------
    set_size : int
    target_present : bool
    found : bool
        The target was fixated (never on a target-absent trial).
    n_fixations : int
        Fixations up to and including the first on the target when found, else all.
    rt_ms : float
        Response time: the onset of the first fixation on the target (found), or the end
        of the scan, the last onset plus its duration (not found: the "absent" response),
        plus ``base_ms``. On a miss this is the time of a wrong "absent" response, not a
        search time: :func:`search_slope` leaves misses out.
    """

    set_size: int
    target_present: bool
    found: bool
    n_fixations: int
    rt_ms: float

    @property
    def outcome(self) -> str:
        """``"hit"``, ``"miss"`` (present, never fixated) or ``"correct rejection"``."""
        if not self.target_present:
            return "correct rejection"
        return "hit" if self.found else "miss"


def score_trial(
    array: SearchArray, fixations: Sequence[Any], *, base_ms: float = 0.0
) -> SearchTrial:
    """Score the scanpath ``fixations`` (with ``x``, ``y``, ``onset``, ``duration``) on
    ``array``: a fixation is on the item whose centre is nearest to it."""
    check_number(base_ms, "base_ms", ge=0)
    present = array.target_index is not None
    for k, f in enumerate(fixations):
        nearest = int(np.argmin(((array.centres - [f.x, f.y]) ** 2).sum(axis=1)))
        if present and nearest == array.target_index:
            return SearchTrial(array.set_size, True, True, k + 1, float(f.onset) + base_ms)
    end = float(fixations[-1].onset + fixations[-1].duration) if len(fixations) else 0.0
    return SearchTrial(array.set_size, present, False, len(fixations), end + base_ms)


@dataclass(frozen=True)
class SearchSlope:
    """A least-squares line of response time against set size.

    Attributes
    ----------
    ms_per_item, intercept_ms : float
    n_trials : int
        Correct trials fitted (hits, or correct rejections).
    n_misses : int
        Target-present trials whose target was never fixated, left out of the fit.
    set_sizes : tuple of int
    """

    ms_per_item: float
    intercept_ms: float
    n_trials: int
    n_misses: int
    set_sizes: tuple[int, ...]


def search_slope(trials: Sequence[SearchTrial]) -> SearchSlope:
    """RT = intercept + slope × set size over the correct trials of one condition.

    Target-present trials are fitted on their hits and the misses counted (a miss has no
    search time); target-absent trials on all of them (the model makes no false alarm).

    Raises
    ------
    ValueError
        Present and absent trials mixed, or fewer than two set sizes with a correct trial.
    """
    trials = list(trials)
    if len({t.target_present for t in trials}) != 1:
        raise ValueError("search_slope: give the target-present or the target-absent trials")
    correct = [t for t in trials if t.outcome != "miss"]
    sizes = sorted({t.set_size for t in correct})
    if len(sizes) < 2:
        raise ValueError(f"search_slope: need correct trials at two set sizes or more, got {sizes}")
    slope, intercept = np.polyfit([t.set_size for t in correct], [t.rt_ms for t in correct], 1)
    return SearchSlope(
        float(slope), float(intercept), len(correct), len(trials) - len(correct), tuple(sizes)
    )
