"""Checking images at the boundary: dtype, dimensions, size, finiteness, huge images.

Every public function of :mod:`neuroattn.vision` that takes an image passes it through
:func:`as_rgb` (one image) or :func:`as_batch` (one image, a stack or a list), so bad input
is caught once, with one clear message, before any filtering.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any, NamedTuple

import cv2
import numpy as np

from ..dynamics.checks import to_numpy
from .io import MAX_PIXELS

MIN_SIDE = 32
"""Smallest accepted image side in pixels (the pyramid needs a few levels)."""


_FLOAT32_SAFE = (1e-30, 1e30)  # peaks a float32 image can hold with room for the filters

_CV_RESIZABLE = (np.uint8, np.uint16, np.int16, np.float32, np.float64)  # cv2.resize dtypes

_STRIP = 1 << 22  # elements per strip when scanning a large array (32 MiB of float64)


def _range(arr: np.ndarray) -> tuple[float, float]:
    """(min, max) of ``arr``, NaN if it holds one, scanned in row strips: no temporary
    larger than a strip (``np.isfinite(arr).all()`` would allocate one byte a value)."""
    lo, hi = np.inf, -np.inf
    rows = max(1, _STRIP // max(1, arr[0].size))
    for r in range(0, arr.shape[0], rows):
        strip = arr[r : r + rows]
        s_lo, s_hi = float(strip.min()), float(strip.max())  # NaN if the strip holds one
        if np.isnan(s_lo) or np.isnan(s_hi):
            return np.nan, np.nan
        lo, hi = min(lo, s_lo), max(hi, s_hi)
    return lo, hi


def _check_values(arr: np.ndarray, name: str) -> float:
    """Refuse a non-numeric dtype, negative pixels and (floats) NaN or infinities; return
    the peak of a float image (0 for other dtypes, which are scaled by their range)."""
    if arr.dtype != np.bool_ and arr.dtype.kind not in "uif":
        raise TypeError(f"{name}: expected a numeric image array, got dtype {arr.dtype}")
    if arr.dtype.kind in "bu" or not arr.size:
        return 0.0
    lo, hi = _range(arr)
    if arr.dtype.kind == "f" and not (np.isfinite(lo) and np.isfinite(hi)):
        raise ValueError(f"{name}: contains NaN or infinite values")
    if lo < 0:
        raise ValueError(f"{name}: pixel values must be >= 0, got a minimum of {lo:g}")
    return hi


def _to_float(arr: np.ndarray, peak: float) -> np.ndarray:
    """A checked array as the encoder takes it: uint8 kept, other integers scaled by
    their dtype's range, floats as they are (brought to a peak of one beyond what
    float32 holds: every stage is invariant to a global scale)."""
    if arr.dtype == np.uint8:
        return arr  # kept as uint8: the encoder reduces it before converting
    if arr.dtype.kind in "iu":
        info = np.iinfo(arr.dtype)
        scale = 255.0 if info.max <= 255 else float(info.max)
        return arr.astype(np.float32) * np.float32(1.0 / scale)
    if peak > 0 and not _FLOAT32_SAFE[0] <= peak <= _FLOAT32_SAFE[1]:
        arr = arr / peak
    return arr.astype(np.float32, copy=False)


def check_pixels(shape: tuple[int, ...], max_pixels: int | None, name: str) -> None:
    """ValueError when an image of ``shape`` (H, W, …) has more than ``max_pixels``."""
    h, w = shape[:2]
    if max_pixels is not None and h * w > max_pixels:
        raise ValueError(
            f"{name}: {w}×{h} pixels is more than max_pixels = {max_pixels} "
            "(shrink it first, or raise max_pixels: VisionConfig(max_pixels=...) or "
            "max_pixels in the TOML config)"
        )


def _move_channels(arr: np.ndarray, channel_axis: int | None, name: str) -> np.ndarray:
    """Return an (H, W, C) array with C in {1, 3, 4}, or (H, W) for grayscale."""
    if arr.ndim == 2:
        if channel_axis is not None and channel_axis not in (-1, 2):
            raise ValueError(f"{name}: a 2-D image has no channel axis {channel_axis}")
        return arr
    if arr.ndim != 3:
        raise ValueError(
            f"{name}: wrong dimensions {arr.shape}; expected (height, width) or "
            "(height, width, channels)"
        )
    if channel_axis is None:
        raise ValueError(f"{name}: a 3-D image {arr.shape} needs channel_axis (got None)")
    arr = np.moveaxis(arr, channel_axis, -1)
    if arr.shape[-1] not in (1, 3, 4):
        raise ValueError(
            f"{name}: wrong dimensions {arr.shape}; the channel axis must have 1, 3 or 4 "
            f"entries, got {arr.shape[-1]}"
        )
    return arr


class Checked(NamedTuple):
    """A checked image: the working array, its scale, and the original (H, W)."""

    image: np.ndarray
    scale: float
    shape: tuple[int, int]


def as_rgb(
    image: Any,
    *,
    channel_axis: int | None = -1,
    max_side: int | None = 2048,
    max_pixels: int | None = MAX_PIXELS,
    name: str = "image",
) -> Checked:
    """Check one image; return it as ``(H, W, 3)`` or ``(H, W)``, its scale and shape.

    Parameters
    ----------
    image : array_like
        ``(H, W)`` grayscale or ``(H, W, C)`` with C = 1, 3 (RGB) or 4 (RGBA, alpha
        dropped). Integers are scaled by their dtype's range (uint8 by 255); floats are
        taken as they are (every stage is invariant to a global scale) and must be finite
        and non-negative.
    channel_axis : int or None
        Axis of the colour channels of a 3-D image.
    max_side : int or None
        Larger images are shrunk (``cv2.INTER_AREA``) so that their longer side is
        ``max_side``, with a warning; ``scale`` is then below one. The image is shrunk in
        its own dtype (float64, uint16, … ; others via float32) and converted afterwards,
        so no full-size converted copy is made.
    max_pixels : int or None
        Largest H × W accepted (:data:`~.io.MAX_PIXELS`, 8192², as for image files),
        checked before anything is copied; None: no limit.
    name : str
        How the image is named in error messages.

    Returns
    -------
    Checked
        ``image``: uint8 (for uint8 input) or float32, ``(H', W', 3)`` for colour input,
        ``(H', W')`` for grayscale; ``scale``: ``H' / H`` (1.0 unless the image was
        shrunk); ``shape``: the original ``(H, W)``.

    Raises
    ------
    TypeError
        Not a numeric array.
    ValueError
        Wrong dimensions, a side under 32 pixels, more than ``max_pixels`` pixels, NaN or
        infinite or negative values.
    """
    if isinstance(image, (str, bytes)) or image is None:
        raise TypeError(f"{name}: expected an image array, got {type(image).__name__}")
    try:
        arr = to_numpy(image)  # a torch tensor is detached and copied to the CPU
    except (ValueError, TypeError) as exc:
        raise TypeError(f"{name}: cannot be read as an array ({exc})") from None
    if arr.dtype == object:
        raise TypeError(f"{name}: expected a numeric image array, got dtype object")
    arr = _move_channels(arr, channel_axis, name)
    h, w = arr.shape[:2]
    if min(h, w) < MIN_SIDE:
        raise ValueError(f"{name}: is {w}×{h} pixels; at least {MIN_SIDE}×{MIN_SIDE} are needed")
    check_pixels(arr.shape, max_pixels, name)
    peak = _check_values(arr, name)  # scanned in strips: no full-size temporary
    scale = 1.0
    if max_side is not None and max(h, w) > max_side:
        scale = max_side / max(h, w)
        size = (max(MIN_SIDE, round(w * scale)), max(MIN_SIDE, round(h * scale)))
        warnings.warn(
            f"{name}: {w}×{h} pixels is larger than max_side={max_side}; "
            f"processed at {size[0]}×{size[1]}",
            UserWarning,
            stacklevel=3,
        )
        if arr.dtype.type not in _CV_RESIZABLE:  # bool, int8, int32/64, float16, …
            arr, peak = _to_float(arr, peak), 0.0
        # shrunk first, in the input's own dtype (float64, uint16, …): only the small
        # copy is converted to float32
        arr = cv2.resize(arr, size, interpolation=cv2.INTER_AREA)
        scale = size[1] / h
    out = _to_float(arr, peak)
    if out.ndim == 3:
        out = out[..., 0] if out.shape[-1] == 1 else out[..., :3]
    return Checked(np.ascontiguousarray(out), scale, (int(h), int(w)))


def is_batch(images: Any) -> bool:
    """True for a list/tuple of images or a 4-D stack ``(B, H, W, C)``."""
    if isinstance(images, (list, tuple)):
        return True
    return isinstance(images, np.ndarray) and images.ndim == 4


def as_list(images: Any) -> list[Any]:
    """The images of a batch (list, tuple or 4-D stack) as a list; one image → [image]."""
    if isinstance(images, np.ndarray) and images.ndim == 4:
        return list(images)
    if isinstance(images, (list, tuple)):
        if not images:
            raise ValueError("images: the batch is empty")
        return list(images)
    return [images]


def restack(results: Sequence[Any], like: Any) -> Any:
    """Results back in the container kind of the input: stack for an array, list else."""
    if isinstance(like, np.ndarray) and like.ndim == 4:
        return np.stack(list(results))
    return list(results)


def resize_map(saliency: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """A map resized (bilinear, ``cv2.INTER_LINEAR``) to ``shape`` = (rows, columns),
    float32, clipped at 0 (bilinear interpolation of a non-negative map stays
    non-negative; the clip removes rounding below zero)."""
    sal = np.asarray(saliency, dtype=np.float32)
    out = cv2.resize(sal, (int(shape[1]), int(shape[0])), interpolation=cv2.INTER_LINEAR)
    return np.clip(out, 0, None, out=out)
