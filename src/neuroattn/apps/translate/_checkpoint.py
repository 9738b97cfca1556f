"""Checkpoints of a run directory: written atomically, read back with one clear error.

A run directory holds ``last.pt`` (everything needed to resume: weights, optimiser, step,
random state, history) and ``best.pt`` (the weights with the best dev exact match, what
:func:`load_translator` returns). Each file is written into a staging folder and renamed
into place (:func:`neuroattn._atomic.staged_dir`), so a run interrupted at any moment
(Ctrl-C, SIGTERM, a kill) leaves the last complete checkpoint intact.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

import torch

from ..._atomic import staged_dir
from ._config import config_from_mapping
from ._models import model_from_config
from ._translator import Translator
from ._vocab import Vocab

__all__ = ["BEST", "LAST", "load_translator", "read_checkpoint", "write_checkpoint"]

FORMAT = "neuroattn-translate"
VERSION = 1
LAST = "last.pt"
BEST = "best.pt"


def write_checkpoint(run_dir: str | os.PathLike[str], name: str, payload: dict[str, Any]) -> Path:
    """Write ``payload`` as ``run_dir/name`` atomically; return the path."""
    data = {"format": FORMAT, "version": VERSION, **payload}
    with staged_dir(run_dir) as tmp:
        torch.save(data, tmp / name)
    return Path(run_dir) / name


def read_checkpoint(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The payload of a checkpoint file (on the CPU).

    Raises
    ------
    ValueError
        If the file is missing, unreadable, truncated or corrupt, or not a translation
        checkpoint of a version this code reads.
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
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"{path}: not a neuroattn translate checkpoint")
    if data.get("version") != VERSION:
        raise ValueError(f"{path}: checkpoint version {data.get('version')!r}, expected {VERSION}")
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


def translator_from_payload(data: dict[str, Any], where: str = "checkpoint") -> Translator:
    """The :class:`Translator` saved in a checkpoint payload."""
    try:
        config = config_from_mapping(data["config"])
        src_vocab = Vocab.from_dict(data["src_vocab"])
        tgt_vocab = Vocab.from_dict(data["tgt_vocab"])
        model = model_from_config(config, len(src_vocab), len(tgt_vocab))
        model.load_state_dict(data["model"])
        max_len = int(data["max_len"])
    except (KeyError, TypeError, ValueError, RuntimeError) as exc:
        reason = " ".join(str(exc).split())[:160]
        raise ValueError(f"{where}: damaged checkpoint contents ({reason})") from None
    return Translator(model, src_vocab, tgt_vocab, config, max_len)


def load_translator(path: str | os.PathLike[str]) -> Translator:
    """The trained model of a run directory (its ``best.pt``, else ``last.pt``) or file.

    Raises ValueError for a missing, corrupt or foreign checkpoint (naming the file).
    """
    file = checkpoint_path(path)
    return translator_from_payload(read_checkpoint(file), str(file))
