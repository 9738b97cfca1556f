"""Attention masks: one normal form for every convention the layers accept.

Conventions (the ``mask_convention`` argument of every layer)
-------------------------------------------------------------
``"keep"`` (the default)
    A position takes part when its mask entry is non-zero. For a ``bool`` mask this is
    exactly the meaning of :func:`torch.nn.functional.scaled_dot_product_attention`
    (``True`` takes part); for an integer or floating 0/1 mask it is the source's
    ``scores.masked_fill(mask == 0, -1e9)`` (``0`` is masked). The two agree, so no flag
    is needed to tell them apart: zero/``False`` masks, non-zero/``True`` keeps. A floating
    mask must then hold only 0 and 1 -- an additive mask of 0 and -inf passed here would be
    read backwards, so it raises ValueError and points to ``"additive"``.
``"additive"``
    A floating mask is added to the scores before the softmax (SDPA's float meaning; use
    ``-inf`` to mask). A ``bool`` mask keeps SDPA's meaning (``True`` takes part).
``"torch"``
    :class:`torch.nn.MultiheadAttention`'s meaning, for drop-in ports: a ``bool`` mask is
    ``True`` where a position is *masked out*; a floating mask is additive.

Normal form: either a ``bool`` tensor, ``True`` = takes part, or a floating tensor of the
scores' dtype that is added to the scores. Both broadcast against the scores (..., L, S).

A query row whose keys are all masked gets zero weights and a zero context (never NaN);
see :func:`guard_empty_rows`. The source's ``-1e9`` fill would instead give that row
uniform weights over the masked keys.
"""

from __future__ import annotations

from typing import Literal, cast

import torch
from torch import Tensor

from ..dynamics.checks import check_choice
from ._checks import checks_enabled, finite_mask

MaskConvention = Literal["keep", "additive", "torch"]
MASK_CONVENTIONS: tuple[str, ...] = ("keep", "additive", "torch")


def check_convention(value: object) -> MaskConvention:
    """Return ``value`` if it names a mask convention, else raise ValueError."""
    return cast(MaskConvention, check_choice(value, "mask_convention", MASK_CONVENTIONS))


def normalize(
    mask: Tensor | None,
    convention: str,
    dtype: torch.dtype,
    name: str = "mask",
    device: torch.device | None = None,
) -> Tensor | None:
    """Bring ``mask`` into normal form (bool keep mask or additive float mask of ``dtype``).

    A NaN or ``+inf`` in an additive mask propagates into the scores as in torch, unless
    check mode is on (:class:`~neuroattn.nn.set_checks`), which refuses it.

    Raises
    ------
    ValueError
        If the mask is not a tensor, is not on ``device`` (when given), has a dtype the
        convention does not accept, or (in the ``"keep"`` convention) is floating point
        with values other than 0 and 1.
    """
    if mask is None:
        return None
    if not isinstance(mask, Tensor):
        raise ValueError(f"{name} must be a torch.Tensor or None, got {type(mask).__name__}")
    if mask.is_complex():
        raise ValueError(f"{name} must be bool, integer or floating point, got {mask.dtype}")
    if device is not None and mask.device != device:
        raise ValueError(f"{name} is on {mask.device} but the inputs are on {device}")
    if checks_enabled():
        finite_mask(mask, name)
    is_bool = mask.dtype == torch.bool
    is_float = torch.is_floating_point(mask)
    if convention == "keep":
        if is_bool:
            return mask
        if is_float and not torch.compiler.is_compiling():
            if bool(((mask != 0) & (mask != 1)).any()):
                raise ValueError(
                    f"a floating {name} under mask_convention='keep' must hold only 0 "
                    "(masked) and 1 (takes part), as in the source's mask == 0; for an "
                    "additive mask (0 and -inf) pass mask_convention='additive'"
                )
        return mask != 0
    if is_bool:
        return ~mask if convention == "torch" else mask
    if not is_float:
        raise ValueError(
            f"{name} must be bool or floating point (additive) under "
            f"mask_convention={convention!r}, got {mask.dtype}"
        )
    return mask.to(dtype)


def check_shape(mask: Tensor | None, target: tuple[int, ...], name: str = "mask") -> None:
    """Raise ValueError unless ``mask`` broadcasts to ``target`` (the scores' shape)."""
    if mask is None:
        return
    ok = mask.ndim <= len(target) and all(
        m in (1, t) for m, t in zip(reversed(mask.shape), reversed(target), strict=False)
    )
    if not ok:
        raise ValueError(
            f"{name} of shape {tuple(mask.shape)} does not broadcast to the attention "
            f"scores of shape {target} (..., queries, keys)"
        )


def prepare(
    mask: Tensor | None,
    convention: str,
    dtype: torch.dtype,
    scores_shape: tuple[int, ...],
    name: str = "mask",
    device: torch.device | None = None,
) -> Tensor | None:
    """A layer's mask argument in normal form, checked to broadcast to ``scores_shape``.

    :func:`normalize` then :func:`check_shape`: the one way a layer reads a mask.
    """
    keep = normalize(mask, convention, dtype, name, device)
    check_shape(keep, scores_shape, name)
    return keep


def causal(n_queries: int, n_keys: int, device: torch.device | None = None) -> Tensor:
    """Causal keep mask (L, S): query i sees keys j <= i (top-left aligned, as SDPA)."""
    return torch.ones(n_queries, n_keys, dtype=torch.bool, device=device).tril()  # (L, S)


def to_additive(mask: Tensor, dtype: torch.dtype) -> Tensor:
    """An additive float mask (0 or -inf) equal in effect to the normal-form ``mask``."""
    if mask.dtype != torch.bool:
        return mask
    zeros = torch.zeros(mask.shape, dtype=dtype, device=mask.device)  # as mask
    return zeros.masked_fill(~mask, float("-inf"))  # as mask


def merge(a: Tensor | None, b: Tensor | None, dtype: torch.dtype) -> Tensor | None:
    """Combine two normal-form masks: a position takes part only if both let it."""
    if a is None:
        return b
    if b is None:
        return a
    if a.dtype == torch.bool and b.dtype == torch.bool:
        return a & b
    return to_additive(a, dtype) + to_additive(b, dtype)  # broadcast of a and b


def guard_empty_rows(mask: Tensor) -> tuple[Tensor, Tensor]:
    """Make rows whose keys are all masked harmless before a softmax.

    Returns
    -------
    safe : Tensor
        ``mask`` with every fully masked row opened up (so the softmax stays finite).
    has_keys : Tensor, bool, shape (..., L, 1)
        ``False`` for those rows; multiply weights and context by it afterwards.
    """
    if mask.dtype == torch.bool:
        has_keys = mask.any(dim=-1, keepdim=True)  # (..., L, 1)
        return mask | ~has_keys, has_keys
    has_keys = (mask > float("-inf")).any(dim=-1, keepdim=True)  # (..., L, 1)
    return mask.masked_fill(~has_keys, 0.0), has_keys  # (..., L, S), (..., L, 1)


def all_rows_have_keys(has_keys: Tensor) -> bool:
    """True if no row is fully masked (always False while compiling, to stay traceable)."""
    if torch.compiler.is_compiling():
        return False
    return bool(has_keys.all())
