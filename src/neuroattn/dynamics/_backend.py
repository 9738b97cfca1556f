"""Array-backend dispatch: numpy by default, torch when given torch tensors.

The dynamics code is written once against a tiny set of operations; this module picks
the implementation. torch is imported lazily so that the core install does not need it.
Recognising a tensor and converting to numpy are :mod:`.checks`' job (:func:`is_torch`,
:func:`to_numpy`), re-exported here for the modules that dispatch.
"""

from __future__ import annotations

from typing import Any

from .checks import is_torch, to_numpy

__all__ = ["Array", "any_torch", "is_torch", "to_numpy", "torch_module"]

Array = Any  # numpy.ndarray or torch.Tensor


def any_torch(*xs: object) -> bool:
    """True when any argument is a torch tensor."""
    return any(is_torch(x) for x in xs)


def torch_module() -> Any:
    """Import and return torch, with a clear error when it is not installed."""
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ImportError(
            "the torch backend needs PyTorch: pip install 'neuroattn[torch]'"
        ) from exc
    return torch
