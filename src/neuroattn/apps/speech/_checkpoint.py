"""Speech checkpoints: the shared run-directory checkpoints (:mod:`neuroattn.apps._checkpoint`,
written atomically) tagged ``neuroattn-speech``, and the :class:`Recognizer` a payload holds.
"""

from __future__ import annotations

import os
from typing import Any

from .. import _checkpoint as shared
from .._checkpoint import checkpoint_path, damaged_contents
from ..translate._vocab import Vocab
from ._config import SpeechConfig, config_from_mapping
from ._models import LAS, CTCRecognizer
from ._recognizer import Recognizer

__all__ = ["FORMAT", "VERSION", "build_model", "load_recognizer", "read_checkpoint"]

FORMAT = "neuroattn-speech"
VERSION = 1


def build_model(config: SpeechConfig, vocab: int) -> LAS | CTCRecognizer:
    """The model of ``config`` for a vocabulary of ``vocab`` ids."""
    options = {
        "encoder": config.encoder,
        "hidden_dim": config.hidden_dim,
        "pyramid": config.pyramid,
        "layers": config.layers,
        "heads": config.heads,
        "ffn_dim": config.ffn_dim,
        "dropout": config.dropout,
    }
    if config.model == "ctc":
        return CTCRecognizer(config.n_mels, vocab, **options)  # type: ignore[arg-type]
    return LAS(
        config.n_mels,
        vocab,
        embed_dim=config.embed_dim,
        attention=config.attention,
        location=config.location,
        ctc_head=config.ctc_weight > 0,
        **options,  # type: ignore[arg-type]
    )


def read_checkpoint(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The payload of a speech checkpoint (ValueError for a missing, damaged or foreign file)."""
    return shared.read_checkpoint(path, fmt=FORMAT, version=VERSION)


def recognizer_from_payload(data: dict[str, Any], where: str = "checkpoint") -> Recognizer:
    """The :class:`Recognizer` saved in a checkpoint payload."""
    with damaged_contents(where):
        config = config_from_mapping(data["config"])
        vocab = Vocab.from_dict(data["vocab"])
        model = build_model(config, len(vocab))
        model.load_state_dict(data["model"])
        max_len = int(data["max_len"])
    return Recognizer(model, vocab, config, max_len)


def load_recognizer(path: str | os.PathLike[str]) -> Recognizer:
    """The trained model of a run directory (its ``best.pt``, else ``last.pt``) or file."""
    file = checkpoint_path(path)
    return recognizer_from_payload(read_checkpoint(file), str(file))
