"""Files in and out: reading images, writing an attention result's files.

One module for the library (:meth:`~.pipeline.AttentionResult.save`) and the command line
(``neuroattn attend``), so that both write the same files the same way:

* :func:`read_image` — PNG, JPEG, TIFF, … (OpenCV) or ``.npy``, as RGB; the size is read
  from the file's header (or the array's) and a file of more than ``max_pixels`` pixels
  is refused before anything is decoded; OpenCV's own log lines are silenced;
* :func:`write_result_files` — ``saliency.png`` (at most :data:`MAX_WRITE_SIDE` pixels a
  side), ``scanpath.png``, ``maps.png`` and ``fixations.json`` into a folder
  (:data:`RESULT_FILES`);
* :func:`save_result` — the same, staged: written to a temporary folder and moved into
  place only when complete;
* :func:`write_json` — indented JSON.

It imports nothing else of :mod:`neuroattn.vision`: a result is anything with an image
size, a saliency map at a requested size, figures and a JSON summary
(:class:`SavableResult`).
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import cv2
import numpy as np

from .._atomic import staged_dir
from ..dynamics.checks import check_integer

__all__ = [
    "MAX_PIXELS",
    "MAX_WRITE_SIDE",
    "RESULT_FILES",
    "SavableResult",
    "read_image",
    "save_result",
    "write_json",
    "write_result_files",
]

RESULT_FILES = ("saliency.png", "scanpath.png", "maps.png", "fixations.json")
"""The files of one result, in the order they are written."""

MAX_PIXELS = 1 << 26
"""Default largest image :func:`read_image` decodes: 67 million pixels (8192 × 8192).

Larger files are refused from their header, before decoding; raise the limit with
``read_image(path, max_pixels=…)`` or ``max_pixels`` in the pipeline's TOML config. The
pipeline shrinks every image to ``max_side`` (2048) before processing it."""

MAX_WRITE_SIDE = 2048
"""Longest side of a written ``saliency.png`` (larger images get a map of this size)."""

_NUMERIC_KINDS = "buif"  # bool (read as 0/1), unsigned, signed, float

_FIGURES = (("scanpath.png", "overview"), ("maps.png", "maps"))


@runtime_checkable
class SavableResult(Protocol):
    """What :func:`write_result_files` needs of a result (an AttentionResult is one)."""

    @property
    def image_shape(self) -> tuple[int, int]:
        """``(H, W)`` of the image."""
        ...

    def saliency_at(self, shape: tuple[int, int]) -> np.ndarray:
        """The saliency map (maximum one) resampled to ``shape`` = (rows, columns)."""
        ...

    def plot(self, kind: str = ..., **kwargs: Any) -> Any:
        """A matplotlib figure of ``kind`` (``"overview"``, ``"maps"``)."""
        ...

    def to_dict(self) -> dict[str, Any]:
        """The JSON summary."""
        ...


def _as_path(path: object, what: str) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{what} must be a path (str or os.PathLike), got {type(path).__name__}")
    return Path(path)


def read_image(path: str | os.PathLike[str], *, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """Read an image file (PNG, JPEG, TIFF, … via OpenCV; ``.npy`` arrays) as RGB.

    Parameters
    ----------
    path : str or os.PathLike
        The file. Colour images come back as ``(H, W, 3)`` RGB (``(H, W, 4)`` RGBA),
        grey ones as ``(H, W)``, in the file's dtype. A ``.npy`` array must be one image,
        ``(H, W)`` or ``(H, W, C)``, of booleans (read as 0 and 1), integers or floats.
    max_pixels : int
        Largest H × W decoded (:data:`MAX_PIXELS`); the size is read from the file's
        header (or the array's) before anything is decoded.

    Raises
    ------
    ValueError
        Missing, empty, unreadable or corrupt files, a folder, an array that is not one
        image (4-D, complex, text, …), or more than ``max_pixels`` pixels: one line
        naming the file.
    TypeError
        ``path`` is not a path.
    """
    path = _as_path(path, "path")
    max_pixels = check_integer(max_pixels, "max_pixels", ge=1)
    if path.is_dir():
        raise ValueError(f"{path}: is a folder, not an image file")
    if not path.is_file():
        raise ValueError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise ValueError(f"{path}: is empty (0 bytes)")
    if path.suffix.lower() == ".npy":
        return _read_npy(path, max_pixels)
    size = _header_size(path, max_pixels)
    if size is not None:
        _check_pixels(path, size, max_pixels)
    data = np.fromfile(path, dtype=np.uint8)
    try:
        with _quiet_opencv():
            img = cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
    except cv2.error:
        img = None
    if img is None:
        raise ValueError(f"{path}: cannot read the image (not an image file, or corrupt)")
    if img.ndim == 3 and img.shape[2] in (3, 4):
        code = cv2.COLOR_BGR2RGB if img.shape[2] == 3 else cv2.COLOR_BGRA2RGBA
        img = cv2.cvtColor(img, code)
    return img


def _check_pixels(path: Path, size: tuple[int, int], max_pixels: int) -> None:
    """ValueError when a ``(width, height)`` image has more than ``max_pixels`` pixels."""
    width, height = size
    if width * height > max_pixels:
        raise ValueError(
            f"{path}: {width}×{height} pixels is more than max_pixels = {max_pixels} "
            "(raise max_pixels in the config, or read_image(..., max_pixels=...))"
        )


def _read_npy(path: Path, max_pixels: int) -> np.ndarray:
    """A ``.npy`` array checked from its header (memory-mapped), then loaded."""
    try:
        arr = np.load(path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError, EOFError) as exc:
        raise ValueError(f"{path}: not a readable .npy array ({exc})") from None
    if arr.dtype.kind not in _NUMERIC_KINDS:
        raise ValueError(
            f"{path}: an array of {arr.dtype} is not an image; use booleans, integers or floats"
        )
    if arr.ndim not in (2, 3) or 0 in arr.shape:
        raise ValueError(
            f"{path}: an array of shape {arr.shape} is not one image; expected "
            "(height, width) or (height, width, channels)"
        )
    _check_pixels(path, (arr.shape[1], arr.shape[0]), max_pixels)
    try:
        return np.array(arr)
    except (OSError, ValueError) as exc:  # a file shorter than its header says
        raise ValueError(f"{path}: not a readable .npy array ({exc})") from None


def _header_size(path: Path, max_pixels: int) -> tuple[int, int] | None:
    """(width, height) from a PNG or JPEG header, or from Pillow's reading of the
    header for other formats; None when unknown (OpenCV will say)."""
    with path.open("rb") as fh:
        head = fh.read(26)
        if head.startswith(b"\x89PNG\r\n\x1a\n") and head[12:16] == b"IHDR":
            return struct.unpack(">II", head[16:24])
        if head.startswith(b"\xff\xd8"):
            fh.seek(2)
            return _jpeg_size(fh)
    return _pillow_size(path, max_pixels)


def _jpeg_size(fh: Any) -> tuple[int, int] | None:
    """(width, height) from the first start-of-frame marker of a JPEG stream."""
    while (marker := fh.read(2)) and len(marker) == 2 and marker[0] == 0xFF:
        if marker[1] in (0xD8, 0x01) or 0xD0 <= marker[1] <= 0xD7:  # no length
            continue
        length = fh.read(2)
        if len(length) < 2:
            return None
        if 0xC0 <= marker[1] <= 0xCF and marker[1] not in (0xC4, 0xC8, 0xCC):
            frame = fh.read(5)
            if len(frame) < 5:
                return None
            height, width = struct.unpack(">HH", frame[1:5])
            return width, height
        fh.seek(struct.unpack(">H", length)[0] - 2, os.SEEK_CUR)
    return None


def _pillow_size(path: Path, max_pixels: int) -> tuple[int, int] | None:
    """(width, height) from Pillow's header reader (no pixels decoded), if it knows the
    format. Pillow refuses to open more than twice its ``MAX_IMAGE_PIXELS``: such a file
    is too large when that is above ``max_pixels`` (else OpenCV decides)."""
    from PIL import Image  # Pillow comes with matplotlib; imported only here

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                return im.size
    except Image.DecompressionBombError:
        limit = 2 * (Image.MAX_IMAGE_PIXELS or 0)
        if limit < max_pixels:
            return None
        raise ValueError(
            f"{path}: more than {limit} pixels, more than max_pixels = {max_pixels} "
            "(raise max_pixels in the config, or read_image(..., max_pixels=...))"
        ) from None
    except Exception:  # not a format Pillow knows (or a broken header): OpenCV decides
        return None


@contextmanager
def _quiet_opencv() -> Iterator[None]:
    """OpenCV's log lines (``[ WARN:0@…] … PNG input buffer is incomplete``) off."""
    logging = cv2.utils.logging
    level = logging.getLogLevel()
    logging.setLogLevel(logging.LOG_LEVEL_SILENT)
    try:
        yield
    finally:
        logging.setLogLevel(level)


def write_json(path: str | os.PathLike[str], data: Any) -> None:
    """``data`` as indented JSON at ``path``."""
    Path(path).write_text(json.dumps(data, indent=2))


def _check_result(result: object) -> None:
    if not isinstance(result, SavableResult):
        raise TypeError(
            "result must be an AttentionResult (something with image_shape, saliency_at, plot "
            "and to_dict), "
            f"got {type(result).__name__}"
        )


def write_result_files(
    result: SavableResult, folder: str | os.PathLike[str], *, label: str = "image"
) -> list[str]:
    """Write :data:`RESULT_FILES` of ``result`` into ``folder``; return their names.

    ``saliency.png`` is the map (inferno, 0 … 1) at the image's size, or at most
    :data:`MAX_WRITE_SIDE` pixels a side (resampled from the map level directly, never
    made at full size first), ``scanpath.png`` the overview figure,
    ``maps.png`` the feature-map grid, ``fixations.json`` ``{"image": label, …}`` with the
    result's summary. Not staged: if writing fails, a folder this call created is removed;
    :func:`save_result` stages the whole folder.
    """
    import matplotlib.pyplot as plt  # only when writing: matplotlib is slow to import

    _check_result(result)
    folder = _as_path(folder, "folder")
    created = not folder.exists()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        sal = result.saliency_at(bounded_shape(result.image_shape))
        plt.imsave(folder / "saliency.png", sal, cmap="inferno", vmin=0, vmax=1)
        for name, kind in _FIGURES:
            fig = result.plot(kind)
            try:
                fig.savefig(folder / name, dpi=100)
            finally:
                plt.close(fig)
        write_json(folder / "fixations.json", {"image": label, **result.to_dict()})
    except BaseException:
        if created:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    return list(RESULT_FILES)


def bounded_shape(shape: tuple[int, int], max_side: int = MAX_WRITE_SIDE) -> tuple[int, int]:
    """``shape`` = (rows, columns) scaled down to at most ``max_side`` a side."""
    h, w = int(shape[0]), int(shape[1])
    if max(h, w) <= max_side:
        return h, w
    scale = max_side / max(h, w)
    return max(1, round(h * scale)), max(1, round(w * scale))


def save_result(
    result: SavableResult, folder: str | os.PathLike[str], *, label: str = "image"
) -> Path:
    """Write the files of ``result`` into ``folder``, completely or not at all.

    They are written to a temporary folder beside ``folder`` and moved into place when all
    are complete (see :func:`write_result_files`). Returns ``folder``.

    Raises
    ------
    ValueError
        ``folder`` exists and is not a folder.
    TypeError
        ``result`` is not a result, or ``folder`` not a path.
    """
    _check_result(result)
    folder = _as_path(folder, "folder")
    with staged_dir(folder) as tmp:
        write_result_files(result, tmp, label=label)
    return folder
