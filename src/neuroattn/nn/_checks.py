"""Argument checks specific to the layers: tensors, dtypes, kernels and heads.

Numbers, integers, probabilities and choices are checked by :mod:`neuroattn.dynamics.checks`
(one way to validate an argument across the project); this module holds only what needs
torch or knows about layers. Every check raises one ValueError line naming the argument.
"""

from __future__ import annotations

import torch
from torch import Tensor

from ..dynamics.checks import check_integer


def odd_kernel_size(value: object, name: str = "kernel_size") -> int:
    """Return ``value`` if it is an odd positive integer (a conv kernel with a centre)."""
    size = check_integer(value, name, ge=1)
    if size % 2 == 0:
        raise ValueError(f"{name} must be an odd positive integer (3, 5, 7, ...), got {size}")
    return size


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
