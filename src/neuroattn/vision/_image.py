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

MIN_SIDE = 32
"""Smallest accepted image side in pixels (the pyramid needs a few levels)."""


_FLOAT32_SAFE = (1e-30, 1e30)  # peaks a float32 image can hold with room for the filters


def _to_float(arr: np.ndarray, name: str) -> np.ndarray:
    if arr.dtype == np.bool_:
        return arr.astype(np.float32)
    if arr.dtype == np.uint8:
        return arr  # kept as uint8: the encoder reduces it before converting
    if np.issubdtype(arr.dtype, np.integer):
        info = np.iinfo(arr.dtype)
        if info.min < 0 and arr.size and arr.min() < 0:
            raise ValueError(f"{name}: pixel values must be >= 0, got a minimum of {arr.min()}")
        scale = 255.0 if info.max <= 255 else float(info.max)
        return arr.astype(np.float32) * np.float32(1.0 / scale)
    if np.issubdtype(arr.dtype, np.floating):
        if not np.isfinite(arr).all():
            raise ValueError(f"{name}: contains NaN or infinite values")
        if arr.size and arr.min() < 0:
            raise ValueError(f"{name}: pixel values must be >= 0, got a minimum of {arr.min():g}")
        peak = float(arr.max()) if arr.size else 0.0
        if peak > 0 and not _FLOAT32_SAFE[0] <= peak <= _FLOAT32_SAFE[1]:
            # beyond what float32 holds (or resolves): every stage is invariant to a
            # global scale, so the image is brought to a peak of 1 first
            arr = arr / peak
        return arr.astype(np.float32, copy=False)
    raise TypeError(f"{name}: expected a numeric image array, got dtype {arr.dtype}")


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
        ``max_side``, with a warning; ``scale`` is then below one.
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
        Wrong dimensions, a side under 32 pixels, NaN or infinite or negative values.
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
    out = _to_float(arr, name)
    if out.ndim == 3:
        out = out[..., 0] if out.shape[-1] == 1 else out[..., :3]
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
        out = cv2.resize(out, size, interpolation=cv2.INTER_AREA)
        scale = size[1] / h
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
