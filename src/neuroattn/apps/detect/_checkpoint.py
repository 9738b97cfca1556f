"""Detection checkpoints: the shared run-directory checkpoints
(:mod:`neuroattn.apps._checkpoint`) tagged ``neuroattn-detect``, and the
:class:`GlimpseClassifier` a payload holds."""

from __future__ import annotations

import os
from typing import Any

from .. import _checkpoint as shared
from .._checkpoint import checkpoint_path, damaged_contents
from ..classify import create_model
from ._classifier import GlimpseClassifier
from ._config import config_from_mapping

__all__ = ["FORMAT", "VERSION", "classifier_from_payload", "load_detector", "read_checkpoint"]

FORMAT = "neuroattn-detect"
VERSION = 1


def read_checkpoint(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The payload of a detection checkpoint file; ValueError if missing, corrupt or foreign."""
    return shared.read_checkpoint(path, fmt=FORMAT, version=VERSION)


def classifier_from_payload(data: dict[str, Any], where: str = "checkpoint") -> GlimpseClassifier:
    """The :class:`GlimpseClassifier` saved in a checkpoint payload."""
    with damaged_contents(where):
        config = config_from_mapping(data["config"])
        model = create_model(config.attention, **config.model_options())
        model.load_state_dict(data["model"])
    model.eval()
    return GlimpseClassifier(model, config)


def load_detector(path: str | os.PathLike[str]) -> GlimpseClassifier:
    """The glimpse classifier of a run directory (its ``best.pt``, else ``last.pt``) or file.

    Raises ValueError for a missing, corrupt or foreign checkpoint (naming the file).
    """
    file = checkpoint_path(path)
    return classifier_from_payload(read_checkpoint(file), str(file))
