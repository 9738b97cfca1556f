"""Argument checks shared by the layers: one clear ValueError per bad argument."""

from __future__ import annotations

import numbers

import torch
from torch import Tensor


def positive_int(value: object, name: str) -> int:
    """Return ``value`` as an int if it is a positive integer, else raise ValueError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or int(value) < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def odd_kernel_size(value: object, name: str = "kernel_size") -> int:
    """Return ``value`` if it is an odd positive integer (a conv kernel with a centre)."""
    size = positive_int(value, name)
    if size % 2 == 0:
        raise ValueError(f"{name} must be an odd positive integer (3, 5, 7, ...), got {size}")
    return size


def probability(value: object, name: str) -> float:
    """Return ``value`` as a float in [0, 1), e.g. a dropout rate."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a number in [0, 1), got {value!r}")
    p = float(value)
    if not 0.0 <= p < 1.0:
        raise ValueError(f"{name} must be in [0, 1), got {p}")
    return p


def divides(num_heads: int, total: int, what: str) -> int:
    """Return ``total // num_heads``; raise ValueError if the heads do not divide ``total``."""
    if total % num_heads != 0:
        raise ValueError(f"num_heads={num_heads} must divide {what}={total}")
    return total // num_heads


def float_tensor(x: object, name: str, min_ndim: int = 1) -> Tensor:
    """Check that ``x`` is a floating-point tensor with at least ``min_ndim`` dimensions."""
    if not isinstance(x, Tensor):
        raise ValueError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    if not torch.is_floating_point(x):
        raise ValueError(f"{name} must be floating point, got dtype {x.dtype}")
    if x.ndim < min_ndim:
        raise ValueError(
            f"{name} must have at least {min_ndim} dimensions, got shape {tuple(x.shape)}"
        )
    return x


def same_dtype(*named: tuple[str, Tensor]) -> None:
    """Raise ValueError unless all tensors share one dtype."""
    dtypes = {t.dtype for _, t in named}
    if len(dtypes) > 1:
        listing = ", ".join(f"{n}: {t.dtype}" for n, t in named)
        raise ValueError(f"inputs must share one dtype, got {listing}")


def optional_scale(value: object) -> float | None:
    """Return ``value`` as a positive float, or None (the layer's default 1/√d)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not float(value) > 0:
        raise ValueError(f"scale must be a positive number or None, got {value!r}")
    return float(value)
