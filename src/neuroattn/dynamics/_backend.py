"""Array-backend dispatch: numpy by default, torch when given torch tensors.

The dynamics code is written once against a tiny set of operations; this module picks
the implementation. torch is imported lazily so that the core install does not need it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

Array = Any  # numpy.ndarray or torch.Tensor


def is_torch(x: object) -> bool:
    """True when ``x`` is a torch tensor (without importing torch if it is not loaded)."""
    mod = type(x).__module__
    return mod.startswith("torch")


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


def as_float_array(x: Any, name: str, dtype: Any = np.float64) -> np.ndarray:
    """Convert ``x`` to a float numpy array, raising a clear error for bad values."""
    try:
        arr = np.asarray(x, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be numeric, got {type(x).__name__}") from exc
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf")
    return arr
