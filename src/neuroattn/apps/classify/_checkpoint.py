"""Classification checkpoints: the shared run-directory checkpoints
(:mod:`neuroattn.apps._checkpoint`, written atomically) tagged ``neuroattn-classify``, and
the :class:`Classifier` a payload holds.
"""

from __future__ import annotations

import os
from typing import Any

from .. import _checkpoint as shared
from .._checkpoint import checkpoint_path, damaged_contents
from ._classifier import Classifier
from ._config import config_from_mapping
from ._models import create_model

__all__ = ["FORMAT", "VERSION", "classifier_from_payload", "load_classifier", "read_checkpoint"]

FORMAT = "neuroattn-classify"
VERSION = 2  # 2: the competitive gate is the field's rates times the map


def read_checkpoint(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The payload of a classification checkpoint file (on the CPU).

    Raises
    ------
    ValueError
        If the file is missing, unreadable, truncated or corrupt, or not a classification
        checkpoint of a version this code reads.
    """
    return shared.read_checkpoint(path, fmt=FORMAT, version=VERSION)


def classifier_from_payload(data: dict[str, Any], where: str = "checkpoint") -> Classifier:
    """The :class:`Classifier` saved in a checkpoint payload."""
    with damaged_contents(where):
        config = config_from_mapping(data["config"])
        model = create_model(config.attention, **config.model_options())
        model.load_state_dict(data["model"])
    model.eval()
    return Classifier(model, config)


def load_classifier(path: str | os.PathLike[str]) -> Classifier:
    """The trained model of a run directory (its ``best.pt``, else ``last.pt``) or file.

    Raises ValueError for a missing, corrupt or foreign checkpoint (naming the file).
    """
    file = checkpoint_path(path)
    return classifier_from_payload(read_checkpoint(file), str(file))
