"""Validation and batch-broadcasting of model parameters.

Conventions (design brief §3): a *per-network* parameter (β, τ, σ, …) is a scalar or an
array of batch shape ``(*batch,)``; a *per-neuron* parameter (g, I, u0) is an array of shape
``(*batch, *state)``. Per-network arrays get trailing unit axes so that they broadcast
against states.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .checks import check_finite_array, check_number, check_numbers, is_torch


def check_scalar_param(
    value: Any, name: str, *, positive: bool = False, nonnegative: bool = False
) -> Any:
    """Validate a per-network parameter: a number (returned as a float), a batch array
    (returned as a float64 array) or a torch tensor (checked on a copy, returned as is).

    Built on :func:`.checks.check_number` and :func:`.checks.check_numbers`: the same
    one-line messages (``"tau must be a finite number > 0, got 0"``).
    """
    bounds: dict[str, float] = {"gt": 0.0} if positive else {"ge": 0.0} if nonnegative else {}
    if is_torch(value):
        check_torch_real(value, name)
        check_numbers(value, name, **bounds)
        return value
    if isinstance(value, (int, float, np.number)) or (
        isinstance(value, np.ndarray) and value.ndim == 0
    ):
        return check_number(value, name, **bounds)
    arr = check_numbers(value, name, **bounds)
    return float(arr) if arr.ndim == 0 else arr


def check_array_param(value: Any, name: str) -> Any:
    """Validate a per-neuron parameter (array broadcastable to ``(*batch, *state)``)."""
    if is_torch(value):
        check_torch_finite(value, name)
        return value
    arr = check_finite_array(value, name)
    return float(arr) if arr.ndim == 0 else arr


def check_torch_real(value: Any, name: str) -> None:
    """TypeError for a complex or boolean torch tensor (as :func:`.checks.check_finite_array`
    refuses those arrays: the imaginary part would be dropped, ``True`` is not a number)."""
    if value.is_complex() or str(value.dtype) == "torch.bool":
        raise TypeError(f"{name} must be real numbers, got a tensor of {value.dtype}")


def check_torch_finite(value: Any, name: str) -> None:
    """:func:`check_torch_real`, then ValueError for NaN or inf in a torch tensor."""
    check_torch_real(value, name)
    if not bool(value.detach().isfinite().all()):
        raise ValueError(f"{name} contains NaN or inf")


def network_batch_shape(value: Any) -> tuple[int, ...]:
    """Batch shape of a per-network parameter."""
    return tuple(np.shape(value)) if not is_torch(value) else tuple(value.shape)


def neuron_batch_shape(value: Any, state_shape: tuple[int, ...], name: str) -> tuple[int, ...]:
    """Batch shape of a per-neuron array, checking its trailing axes against the state."""
    shape = tuple(value.shape) if is_torch(value) else tuple(np.shape(value))
    k = len(state_shape)
    if len(shape) == 0:
        return ()
    tail = shape[-k:] if len(shape) >= k else shape
    want = state_shape[-len(tail) :] if tail else ()
    if len(shape) < k or any(a not in (1, b) for a, b in zip(tail, want, strict=True)):
        raise ValueError(
            f"{name} has shape {shape}; its last axes must match the state shape {state_shape}"
        )
    return shape[:-k]


def expand_network(value: Any, n_state_axes: int) -> Any:
    """Append ``n_state_axes`` unit axes to a per-network batch array."""
    if isinstance(value, float) or np.ndim(value) == 0:
        return value
    return value.reshape(tuple(value.shape) + (1,) * n_state_axes)


def broadcast_batch(*shapes: tuple[int, ...]) -> tuple[int, ...]:
    """Broadcast batch shapes, with an error naming the clash."""
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        raise ValueError(
            f"batch shapes {', '.join(map(str, shapes))} do not broadcast together"
        ) from None


def to_backend(value: Any, like_torch: bool, dtype: Any, device: Any = None) -> Any:
    """Convert a parameter to the working backend and dtype (floats stay Python floats)."""
    if isinstance(value, float):
        return value
    if like_torch:
        import torch

        if is_torch(value):
            return value.to(dtype=dtype, device=device)
        return torch.as_tensor(np.asarray(value), dtype=dtype, device=device)
    with np.errstate(over="ignore"):  # beyond float32: inf, which the callers refuse
        return np.asarray(value, dtype=dtype)
