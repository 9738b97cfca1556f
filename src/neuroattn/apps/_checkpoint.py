"""Checkpoints of a run directory, shared by every application: written atomically, read
back with one clear error.

A run directory holds ``last.pt`` (everything needed to resume: weights, optimiser, step,
random state, history) and ``best.pt`` (the weights with the best dev score). Each file is
written into a staging folder and renamed into place (:func:`neuroattn._atomic.staged_dir`),
so a run interrupted at any moment (Ctrl-C, SIGTERM, a kill) leaves the last complete
checkpoint intact. Every file names its application (``format``) and a ``version``, so a
translation checkpoint given to the classifier is refused with a sentence, not a traceback.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import torch

from .._atomic import staged_dir

__all__ = [
    "BEST",
    "LAST",
    "checkpoint_path",
    "damaged_contents",
    "read_checkpoint",
    "write_checkpoint",
]

LAST = "last.pt"
BEST = "best.pt"


def write_checkpoint(
    run_dir: str | os.PathLike[str],
    name: str,
    payload: dict[str, Any],
    *,
    fmt: str,
    version: int = 1,
) -> Path:
    """Write ``payload`` as ``run_dir/name`` atomically, tagged with ``fmt`` and ``version``."""
    data = {"format": fmt, "version": version, **payload}
    with staged_dir(run_dir) as tmp:
        torch.save(data, tmp / name)
    return Path(run_dir) / name


def read_checkpoint(path: str | os.PathLike[str], *, fmt: str, version: int = 1) -> dict[str, Any]:
    """The payload of a checkpoint file (on the CPU).

    Raises
    ------
    ValueError
        If the file is missing, unreadable, truncated or corrupt, or not a checkpoint of
        application ``fmt`` in a version this code reads.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path}: no such checkpoint")
    try:
        with warnings.catch_warnings():  # a damaged file's warnings say nothing more
            warnings.simplefilter("ignore")
            data = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many kinds for a damaged file
        reason = " ".join(str(exc).split())[:120] or type(exc).__name__
        raise ValueError(f"{path}: corrupt or truncated checkpoint ({reason})") from None
    what = fmt.removeprefix("neuroattn-")
    if not isinstance(data, dict) or data.get("format") != fmt:
        raise ValueError(f"{path}: not a neuroattn {what} checkpoint")
    if data.get("version") != version:
        raise ValueError(f"{path}: checkpoint version {data.get('version')!r}, expected {version}")
    return data


def checkpoint_path(path: str | os.PathLike[str]) -> Path:
    """A checkpoint file, or the best (else last) checkpoint of a run directory."""
    path = Path(path)
    if path.is_dir():
        for name in (BEST, LAST):
            if (path / name).is_file():
                return path / name
        raise ValueError(f"{path}: no checkpoint ({BEST} or {LAST}) in this run directory")
    return path


@contextmanager
def damaged_contents(where: str | os.PathLike[str]) -> Iterator[None]:
    """Within, a payload that lacks a key or holds a value of the wrong type or shape
    (KeyError, TypeError, ValueError, RuntimeError) becomes one ValueError:
    ``"<where>: damaged checkpoint contents (<reason, at most 160 characters>)"``."""
    try:
        yield
    except (KeyError, TypeError, ValueError, RuntimeError) as exc:
        reason = " ".join(str(exc).split())[:160]
        raise ValueError(f"{where}: damaged checkpoint contents ({reason})") from None
