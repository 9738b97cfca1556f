"""Canvases for detection: one to five digits of varied sizes among clutter, boxes known.

Each canvas is ``size``×``size`` and zero; a number of digits drawn uniformly from
``digits`` = (low, high) is placed at uniform random positions so that no two digit boxes
overlap, each digit one of scikit-learn's bundled 8×8 digits upscaled by a factor drawn
from ``scales`` (bilinear, :func:`neuroattn.apps.classify.source_digits`: 8·scale pixels
on a side); then ``clutter`` fragments — ``fragment``×``fragment`` crops of other digits
of the same pool, upscaled 3× — at uniform random positions. Overlaps keep the pixelwise
maximum. A digit's box is its whole 8·scale square (top, left, bottom, right; bottom and
right exclusive) and its label the digit. The construction follows the cluttered MNIST
of Mnih et al. (2014) with several digits, as in their multi-digit tasks; the sizes,
counts and the disjoint boxes are ours.

Train, dev and test canvases draw their digits *and* their fragments from the disjoint
pools of :func:`neuroattn.apps.classify.source_split` (the classification app's split), so
no test digit is ever seen in training.

References
----------
Mnih, V., Heess, N., Graves, A. & Kavukcuoglu, K. (2014). Recurrent models of visual
attention. NIPS 27.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ...dynamics.checks import check_choice, check_integer, check_seed
from ..classify import SPLITS, source_digits, source_split

__all__ = ["Canvases", "digit_canvases"]

_TRIES = 100  # placements tried per digit before it is left out (a crowded canvas)
_FRAGMENT_SCALE = 3  # fragments are cut from the 3x upscaled digits (24x24), as in classify
_MAX_PIXELS = 1 << 28  # one call's canvases at most (1 GB of float32)


@dataclass(frozen=True)
class Canvases:
    """A batch of detection canvases and what is on them.

    Attributes
    ----------
    images : ndarray, shape (N, size, size), float32 in [0, 1]
    boxes : tuple of ndarray, each (k_n, 4) int64
        Canvas n's digit boxes (top, left, bottom, right), bottom and right exclusive.
    labels : tuple of ndarray, each (k_n,) int64 in 0 … 9
    sources : tuple of ndarray, each (k_n,) int64
        The digits' indices among the 1797 source digits.
    """

    images: np.ndarray
    boxes: tuple[np.ndarray, ...]
    labels: tuple[np.ndarray, ...]
    sources: tuple[np.ndarray, ...]

    def __len__(self) -> int:
        return int(self.images.shape[0])

    @property
    def count(self) -> int:
        """Digits on all canvases together."""
        return int(sum(b.shape[0] for b in self.boxes))


def _pair(value: object, name: str, low: int, high: int) -> tuple[int, int]:
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise TypeError(f"{name} must be a pair (low, high) of integers, got {value!r}")
    a = check_integer(value[0], f"{name}[0]", ge=low, le=high)
    b = check_integer(value[1], f"{name}[1]", ge=a, le=high)
    return a, b


def _scales(value: object) -> tuple[int, ...]:
    if not isinstance(value, (tuple, list)) or not value:
        raise TypeError(f"scales must be a non-empty sequence of integers, got {value!r}")
    return tuple(check_integer(s, "scales", ge=1, le=8) for s in value)


def _generator(seed: object) -> np.random.Generator:
    seed = check_seed(seed, "seed")
    if type(seed).__module__.startswith("torch"):
        raise TypeError(f"seed must be None, an integer >= 0 or a numpy Generator, got {seed!r}")
    return np.random.default_rng(seed)  # type: ignore[arg-type]


def _place(
    rng: np.random.Generator, side: int, size: int, taken: list[tuple[int, int, int, int]]
) -> tuple[int, int, int, int] | None:
    """A random side×side box on the canvas overlapping none of ``taken``, or None."""
    for _ in range(_TRIES):
        top, left = (int(v) for v in rng.integers(0, size - side + 1, 2))
        box = (top, left, top + side, left + side)
        if all(box[0] >= b[2] or box[2] <= b[0] or box[1] >= b[3] or box[3] <= b[1] for b in taken):
            return box
    return None


def _paste(canvas: np.ndarray, patch: np.ndarray, top: int, left: int) -> None:
    h, w = patch.shape
    region = canvas[top : top + h, left : left + w]
    np.maximum(region, patch, out=region)


def digit_canvases(
    n: int,
    split: str = "train",
    *,
    size: int = 96,
    digits: Sequence[int] = (1, 5),
    scales: Sequence[int] = (2, 3, 4),
    clutter: int = 8,
    fragment: int = 8,
    split_seed: int = 0,
    seed: int | np.random.Generator | None = 0,
) -> Canvases:
    """Generate ``n`` detection canvases from the source digits of ``split``.

    Parameters
    ----------
    n : int
        Number of canvases, 0 … 100 000.
    split : {"train", "dev", "test"}
        Which disjoint pool of source digits (digits and fragments) to draw from.
    size : int
        Canvas side in pixels, 16 … 1024, at least the largest digit's side 8·max(scales).
    digits : (int, int)
        Fewest and most digits per canvas, 0 … 20 (default 1 to 5). A digit that finds no
        free place in 100 tries is left out, so a crowded canvas may hold fewer.
    scales : sequence of int
        Upscaling factors of the 8×8 digits, each 1 … 8, drawn uniformly per digit
        (default 2, 3, 4: 16, 24 and 32 pixels).
    clutter : int
        Fragments per canvas, 0 … 256 (default 8).
    fragment : int
        Fragment side, 1 … 24 (default 8).
    split_seed : int
        Seed of the pool split (:func:`neuroattn.apps.classify.source_split`).
    seed : int, Generator or None
        Seed of the canvases; the same seed gives the same canvases.

    Returns
    -------
    Canvases
        Images (n, size, size) float32 in [0, 1], and per canvas its boxes, labels and
        source indices.

    Examples
    --------
    >>> data = digit_canvases(2, "test", seed=1)
    >>> data.images.shape, data.boxes[0].shape[1]
    ((2, 96, 96), 4)
    """
    n = check_integer(n, "n", ge=0, le=100_000)
    check_choice(split, "split", SPLITS)
    lo, hi = _pair(digits, "digits", 0, 20)
    scale_set = _scales(scales)
    size = check_integer(size, "size", ge=16, le=1024)
    if size < 8 * max(scale_set):
        raise ValueError(
            f"size must be at least the largest digit's side 8 * {max(scale_set)}, got {size}"
        )
    clutter = check_integer(clutter, "clutter", ge=0, le=256)
    fragment = check_integer(fragment, "fragment", ge=1, le=8 * _FRAGMENT_SCALE)
    if n * size * size > _MAX_PIXELS:
        raise ValueError(f"n * size**2 must be at most 2**28 pixels, got {n * size * size}")
    split_seed = check_integer(split_seed, "split_seed", ge=0)
    rng = _generator(seed)
    pool = source_split(split, split_seed=split_seed)
    labels_all = source_digits(1)[1]
    pieces = source_digits(_FRAGMENT_SCALE)[0]  # (1797, 24, 24)
    canvas = np.zeros((n, size, size), dtype=np.float32)
    boxes, labels, sources = [], [], []
    for c in range(n):
        taken: list[tuple[int, int, int, int]] = []
        own: list[int] = []
        for _ in range(int(rng.integers(lo, hi + 1))):
            scale = scale_set[int(rng.integers(0, len(scale_set)))]
            box = _place(rng, 8 * scale, size, taken)
            if box is None:
                continue
            src = int(pool[rng.integers(0, pool.size)])
            _paste(canvas[c], source_digits(scale)[0][src], box[0], box[1])
            taken.append(box)
            own.append(src)
        others = np.setdiff1d(pool, own) if own else pool
        for _ in range(clutter):
            src = int(others[rng.integers(0, others.size)])
            y, x = rng.integers(0, 8 * _FRAGMENT_SCALE - fragment + 1, 2)
            top, left = rng.integers(0, size - fragment + 1, 2)
            _paste(canvas[c], pieces[src, y : y + fragment, x : x + fragment], int(top), int(left))
        boxes.append(np.array(taken, dtype=np.int64).reshape(-1, 4))
        labels.append(labels_all[np.array(own, dtype=np.int64)].astype(np.int64))
        sources.append(np.array(own, dtype=np.int64))
    return Canvases(canvas, tuple(boxes), tuple(labels), tuple(sources))
