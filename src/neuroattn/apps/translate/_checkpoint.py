"""Translation checkpoints: the shared run-directory checkpoints
(:mod:`neuroattn.apps._checkpoint`, written atomically) tagged ``neuroattn-translate``, and
the :class:`Translator` a payload holds.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .. import _checkpoint as shared
from .._checkpoint import BEST, LAST, checkpoint_path, damaged_contents
from ._config import config_from_mapping
from ._models import model_from_config
from ._translator import Translator
from ._vocab import Vocab

__all__ = ["BEST", "LAST", "load_translator", "read_checkpoint", "write_checkpoint"]

FORMAT = "neuroattn-translate"
VERSION = 2  # 2: the shared trainer's payload (``best``/``score`` for ``dev_exact_match``)


def write_checkpoint(run_dir: str | os.PathLike[str], name: str, payload: dict[str, Any]) -> Path:
    """Write ``payload`` as ``run_dir/name`` atomically; return the path."""
    return shared.write_checkpoint(run_dir, name, payload, fmt=FORMAT, version=VERSION)


def read_checkpoint(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The payload of a translation checkpoint file (on the CPU).

    Raises
    ------
    ValueError
        If the file is missing, unreadable, truncated or corrupt, or not a translation
        checkpoint of a version this code reads.
    """
    return shared.read_checkpoint(path, fmt=FORMAT, version=VERSION)


def translator_from_payload(data: dict[str, Any], where: str = "checkpoint") -> Translator:
    """The :class:`Translator` saved in a checkpoint payload."""
    with damaged_contents(where):
        config = config_from_mapping(data["config"])
        src_vocab = Vocab.from_dict(data["src_vocab"])
        tgt_vocab = Vocab.from_dict(data["tgt_vocab"])
        model = model_from_config(config, len(src_vocab), len(tgt_vocab))
        model.load_state_dict(data["model"])
        max_len = int(data["max_len"])
    return Translator(model, src_vocab, tgt_vocab, config, max_len)


def load_translator(path: str | os.PathLike[str]) -> Translator:
    """The trained model of a run directory (its ``best.pt``, else ``last.pt``) or file.

    Raises ValueError for a missing, corrupt or foreign checkpoint (naming the file).
    """
    file = checkpoint_path(path)
    return translator_from_payload(read_checkpoint(file), str(file))
