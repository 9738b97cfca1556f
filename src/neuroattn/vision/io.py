"""Files in and out: reading images, writing an attention result's files.

One module for the library (:meth:`~.pipeline.AttentionResult.save`) and the command line
(``neuroattn attend``), so that both write the same files the same way:

* :func:`read_image` — PNG, JPEG, TIFF, … (OpenCV) or ``.npy``, as RGB;
* :func:`write_result_files` — ``saliency.png``, ``scanpath.png``, ``maps.png`` and
  ``fixations.json`` into a folder (:data:`RESULT_FILES`);
* :func:`save_result` — the same, staged: written to a temporary folder and moved into
  place only when complete;
* :func:`write_json` — indented JSON.

It imports nothing else of :mod:`neuroattn.vision`: a result is anything with a saliency
map, figures and a JSON summary (:class:`SavableResult`).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import cv2
import numpy as np

from .._atomic import staged_dir

__all__ = [
    "RESULT_FILES",
    "SavableResult",
    "read_image",
    "save_result",
    "write_json",
    "write_result_files",
]

RESULT_FILES = ("saliency.png", "scanpath.png", "maps.png", "fixations.json")
"""The files of one result, in the order they are written."""

_FIGURES = (("scanpath.png", "overview"), ("maps.png", "maps"))


@runtime_checkable
class SavableResult(Protocol):
    """What :func:`write_result_files` needs of a result (an AttentionResult is one)."""

    @property
    def saliency(self) -> np.ndarray:
        """The saliency map, maximum one."""
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


def read_image(path: str | os.PathLike[str]) -> np.ndarray:
    """Read an image file (PNG, JPEG, TIFF, … via OpenCV; ``.npy`` arrays) as RGB.

    Parameters
    ----------
    path : str or os.PathLike
        The file. Colour images come back as ``(H, W, 3)`` RGB (``(H, W, 4)`` RGBA),
        grey ones as ``(H, W)``, in the file's dtype.

    Raises
    ------
    ValueError
        Missing, unreadable or corrupt files, or a folder: one line naming the file.
    TypeError
        ``path`` is not a path.
    """
    path = _as_path(path, "path")
    if path.is_dir():
        raise ValueError(f"{path}: is a folder, not an image file")
    if not path.is_file():
        raise ValueError(f"{path}: no such file")
    if path.suffix.lower() == ".npy":
        try:
            return np.load(path, allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise ValueError(f"{path}: not a readable .npy array ({exc})") from None
    data = np.fromfile(path, dtype=np.uint8)
    img = cv2.imdecode(data, cv2.IMREAD_UNCHANGED) if data.size else None
    if img is None:
        raise ValueError(f"{path}: cannot read the image (not an image file, or corrupt)")
    if img.ndim == 3 and img.shape[2] in (3, 4):
        code = cv2.COLOR_BGR2RGB if img.shape[2] == 3 else cv2.COLOR_BGRA2RGBA
        img = cv2.cvtColor(img, code)
    return img


def write_json(path: str | os.PathLike[str], data: Any) -> None:
    """``data`` as indented JSON at ``path``."""
    Path(path).write_text(json.dumps(data, indent=2))


def _check_result(result: object) -> None:
    if not isinstance(result, SavableResult):
        raise TypeError(
            "result must be an AttentionResult (something with saliency, plot and to_dict), "
            f"got {type(result).__name__}"
        )


def write_result_files(
    result: SavableResult, folder: str | os.PathLike[str], *, label: str = "image"
) -> list[str]:
    """Write :data:`RESULT_FILES` of ``result`` into ``folder``; return their names.

    ``saliency.png`` is the map (inferno, 0 … 1), ``scanpath.png`` the overview figure,
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
        plt.imsave(folder / "saliency.png", result.saliency, cmap="inferno", vmin=0, vmax=1)
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
