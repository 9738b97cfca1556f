"""Cluttered digits: scikit-learn's bundled 8×8 digits on a large canvas among fragments.

After the cluttered-MNIST task of Mnih et al. (2014): a digit is placed at a random position
on a blank canvas and random fragments cut from *other* digits are scattered over it, so a
classifier must find the digit among digit-like strokes. Their 60×60 canvases hold a 28×28
MNIST digit and 8×8 fragments (test error: 2-layer CNN 8.09 %, recurrent attention model
4.04 %); ours hold an 8×8 scikit-learn digit upscaled to 24×24 (bilinear) and by default
eight 12×12 fragments of the upscaled digits — a reference point, not the same data. The
default clutter is ours, chosen on the dev split so that the clutter costs a plain CNN
about what Mnih et al.'s costs theirs: with four 8×8 fragments the CNN's dev error (1.2 %)
was hardly above its error on the same digits without clutter (0.8 %); with eight 12×12
fragments it is 6.4–7.5 % against 0.8–0.9 % (``docs/classify.md``).

The source digits are split once into disjoint train, dev and test pools (``split_seed``),
and every canvas of a split is built from its own pool only, fragments included, so no
test digit is ever seen in training. Canvases are generated vectorised: a few thousand take
tens of milliseconds, so training draws fresh ones every step and the evaluation sets are
generated once and kept in memory.

References
----------
Mnih, V., Heess, N., Graves, A. & Kavukcuoglu, K. (2014). Recurrent models of visual
attention. NIPS 27 (cluttered translated MNIST, table 2).
Alpaydin, E. & Kaynak, C. (1998). Optical recognition of handwritten digits (UCI), the
data of :func:`sklearn.datasets.load_digits`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ...dynamics.checks import check_choice, check_integer, check_seed

__all__ = ["SPLITS", "ClutteredDigits", "cluttered_digits", "source_digits", "source_split"]

SPLITS = ("train", "dev", "test")
_FRACTIONS = (0.6, 0.1, 0.3)  # of the 1797 source digits (ours)
_MAX_IMAGES = 200_000  # one call's canvases at most (60×60 float32: 2.9 GB)


@lru_cache(maxsize=4)
def source_digits(scale: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """The 1797 bundled digits upscaled ``scale`` times, in [0, 1], and their labels.

    Upscaling is bilinear with aligned corners (``scipy.ndimage.zoom``, order 1), giving
    (1797, 8 scale, 8 scale) float32 images; the result is cached (treat it as read-only).
    """
    scale = check_integer(scale, "scale", ge=1, le=8)
    try:
        from sklearn.datasets import load_digits
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ImportError(
            "cluttered digits need scikit-learn: pip install 'neuroattn[classify]'"
        ) from exc
    from scipy.ndimage import zoom

    digits = load_digits()
    images = digits.images.astype(np.float32) / 16.0  # (N, 8, 8) in [0, 1]
    if scale > 1:
        images = zoom(images, (1, scale, scale), order=1, grid_mode=False)  # (N, 8s, 8s)
    images = np.clip(images, 0.0, 1.0)
    images.setflags(write=False)
    labels = digits.target.astype(np.int64)
    labels.setflags(write=False)
    return images, labels


def source_split(split: str, *, split_seed: int = 0) -> np.ndarray:
    """Indices of the source digits in ``split`` ("train", "dev" or "test").

    One seeded permutation of the 1797 digits, stratified by label, is cut 60 / 10 / 30 %;
    the three pools are disjoint and together hold every digit.
    """
    check_choice(split, "split", SPLITS)
    split_seed = check_integer(split_seed, "split_seed", ge=0)
    labels = source_digits(1)[1]
    rng = np.random.default_rng(split_seed)
    pools: list[list[np.ndarray]] = [[], [], []]
    for digit in range(10):
        members = rng.permutation(np.flatnonzero(labels == digit))
        cuts = np.round(np.cumsum(_FRACTIONS)[:2] * members.size).astype(int)
        for pool, part in zip(pools, np.split(members, cuts), strict=True):
            pool.append(part)
    return np.sort(np.concatenate(pools[SPLITS.index(split)]))


@dataclass(frozen=True)
class ClutteredDigits:
    """A batch of cluttered canvases.

    Attributes
    ----------
    images : ndarray, shape (N, 1, size, size), float32 in [0, 1]
    labels : ndarray, shape (N,), int64 in 0 … 9
    boxes : ndarray, shape (N, 4), int64
        The digit's (top, left, bottom, right) on the canvas (bottom, right exclusive).
    sources : ndarray, shape (N,), int64
        Index of each canvas's digit among the 1797 source digits.
    """

    images: np.ndarray
    labels: np.ndarray
    boxes: np.ndarray
    sources: np.ndarray

    def __len__(self) -> int:
        return int(self.labels.shape[0])


def _generator(seed: int | np.random.Generator | None) -> np.random.Generator:
    """A numpy Generator from a seed (a torch.Generator is refused: the canvases are numpy)."""
    seed = check_seed(seed, "seed")
    if type(seed).__module__.startswith("torch"):
        raise TypeError(f"seed must be None, an integer >= 0 or a numpy Generator, got {seed!r}")
    return np.random.default_rng(seed)


def _paste(canvas: np.ndarray, patches: np.ndarray, top: np.ndarray, left: np.ndarray) -> None:
    """canvas[n, top_n + i, left_n + j] = max(canvas, patches[n, i, j]) for every n at once."""
    n, h, w = patches.shape
    rows = top[:, None, None] + np.arange(h)[None, :, None]  # (N, h, 1)
    cols = left[:, None, None] + np.arange(w)[None, None, :]  # (N, 1, w)
    index = np.arange(n)[:, None, None]  # (N, 1, 1)
    canvas[index, rows, cols] = np.maximum(canvas[index, rows, cols], patches)  # (N, h, w)


def _fragments(
    images: np.ndarray, pool: np.ndarray, own: np.ndarray, size: int, rng: np.random.Generator
) -> np.ndarray:
    """One random ``size``×``size`` crop per canvas from a pool digit other than its own."""
    n, side = own.size, images.shape[-1]
    pick = rng.integers(0, pool.size - 1, n)  # (N,), then skip the canvas's own digit
    own_pos = np.searchsorted(pool, own)  # (N,)
    other = pool[pick + (pick >= own_pos)]  # (N,) never the canvas's digit
    top = rng.integers(0, side - size + 1, n)  # (N,)
    left = rng.integers(0, side - size + 1, n)  # (N,)
    rows = top[:, None, None] + np.arange(size)[None, :, None]  # (N, size, 1)
    cols = left[:, None, None] + np.arange(size)[None, None, :]  # (N, 1, size)
    return images[other[:, None, None], rows, cols]  # (N, size, size)


def cluttered_digits(
    n: int,
    split: str = "train",
    *,
    size: int = 60,
    scale: int = 3,
    clutter: int = 8,
    fragment: int = 12,
    split_seed: int = 0,
    seed: int | np.random.Generator | None = 0,
) -> ClutteredDigits:
    """Generate ``n`` cluttered canvases from the source digits of ``split``.

    Each canvas is ``size``×``size`` and zero; one digit of the split's pool (drawn
    uniformly with replacement, upscaled ``scale``× to 8·scale pixels) is placed at a
    uniform random position, then ``clutter`` fragments (``fragment``×``fragment`` crops
    of other digits of the same pool) at uniform random positions; overlaps keep the
    pixelwise maximum. The construction follows Mnih et al. (2014); the sizes are ours.

    Parameters
    ----------
    n : int
        Number of canvases, 0 … 200 000.
    split : {"train", "dev", "test"}
        Which disjoint pool of source digits to draw from (:func:`source_split`).
    size : int
        Canvas side, at least the digit's side 8·scale (default 60).
    scale : int
        Upscaling factor of the 8×8 digits, 1 … 8 (default 3: 24×24 digits).
    clutter : int
        Fragments per canvas, 0 … 64 (default 8).
    fragment : int
        Fragment side, 1 … 8·scale (default 12: half the default digit's side).
    split_seed : int
        Seed of the pool split (keep it fixed across runs to keep the test pool).
    seed : int, Generator or None
        Seed of the canvases; the same seed gives the same canvases.

    Returns
    -------
    ClutteredDigits
        Images (n, 1, size, size) float32 in [0, 1], labels, digit boxes, source indices.

    Examples
    --------
    >>> data = cluttered_digits(3, "test", seed=1)
    >>> data.images.shape, data.labels.dtype.name
    ((3, 1, 60, 60), 'int64')
    """
    n = check_integer(n, "n", ge=0, le=_MAX_IMAGES)
    scale = check_integer(scale, "scale", ge=1, le=8)
    side = 8 * scale
    size = check_integer(size, "size", ge=side, le=1024)
    clutter = check_integer(clutter, "clutter", ge=0, le=64)
    fragment = check_integer(fragment, "fragment", ge=1, le=side)
    if n * size * size > 1 << 30:
        raise ValueError(f"n * size**2 must be at most 2**30 pixels, got {n * size * size}")
    rng = _generator(seed)
    pool = source_split(split, split_seed=split_seed)
    images, labels = source_digits(scale)
    own = pool[rng.integers(0, pool.size, n)]  # (N,)
    canvas = np.zeros((n, size, size), dtype=np.float32)  # (N, size, size)
    top = rng.integers(0, size - side + 1, n)  # (N,)
    left = rng.integers(0, size - side + 1, n)  # (N,)
    _paste(canvas, images[own], top, left)
    for _ in range(clutter):
        pieces = _fragments(images, pool, own, fragment, rng)  # (N, fragment, fragment)
        _paste(canvas, pieces, *rng.integers(0, size - fragment + 1, (2, n)))
    boxes = np.stack([top, left, top + side, left + side], axis=1).astype(np.int64)  # (N, 4)
    return ClutteredDigits(canvas[:, None], labels[own].copy(), boxes, own.astype(np.int64))
