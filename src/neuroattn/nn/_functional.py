"""Scaled dot-product attention as functions: a readable reference path and the fused path.

Both compute, for queries Q (..., L, E), keys K (..., S, E) and values V (..., S, Ev),

.. math::

    \\operatorname{Attention}(Q, K, V) = \\operatorname{softmax}\\!\\left(
        \\frac{Q K^\\top}{\\sqrt{d_k}} + M\\right) V

(Vaswani et al. 2017, eq. 1), M the mask in normal form (see :mod:`._masks`). Queries may
have more heads than keys and values (grouped-query attention, Ainslie et al. 2023): the
heads dimension is -3 and query head h reads key/value head ``h // (Hq / Hk)``.

Which path a layer takes is decided in one place,
:meth:`neuroattn.nn._base.AttentionCore.takes_fast_path`; these functions only compute.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import Tensor

from . import _masks
from ._checks import float_tensor, same_dtype

Normalizer = Callable[[Tensor], Tensor]


def check_qkv(q: Tensor, k: Tensor, v: Tensor) -> int:
    """Validate Q, K, V shapes and dtypes; return the query heads per key head (>= 1).

    Raises
    ------
    ValueError
        Naming the mismatched dimension.
    """
    float_tensor(q, "Q", 2)
    float_tensor(k, "K", 2)
    float_tensor(v, "V", 2)
    same_dtype(("Q", q), ("K", k), ("V", v))
    if q.shape[-1] == 0:
        raise ValueError(
            f"Q and K need at least one feature (d_k >= 1; the scores are scaled by "
            f"1/sqrt(d_k)), got Q {tuple(q.shape)}"
        )
    if not q.ndim == k.ndim == v.ndim:
        raise ValueError(
            f"Q, K, V must have the same number of dimensions, got shapes "
            f"{tuple(q.shape)}, {tuple(k.shape)}, {tuple(v.shape)}"
        )
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(
            f"Q and K must share the feature dimension d_k, got Q {tuple(q.shape)} "
            f"and K {tuple(k.shape)}"
        )
    if k.shape[-2] != v.shape[-2]:
        raise ValueError(
            f"K and V must have the same number of keys, got K {tuple(k.shape)} "
            f"and V {tuple(v.shape)}"
        )
    if k.shape[:-2] != v.shape[:-2]:
        raise ValueError(
            f"K and V must share leading dimensions, got {tuple(k.shape)} and {tuple(v.shape)}"
        )
    if q.shape[:-3] != k.shape[:-3] or (q.ndim == 3 and q.shape[0] != k.shape[0]):
        raise ValueError(
            f"Q and K must share leading (batch) dimensions, got Q {tuple(q.shape)} "
            f"and K {tuple(k.shape)}"
        )
    if q.ndim < 4 or q.shape[-3] == k.shape[-3]:
        return 1
    if 0 in (q.shape[-3], k.shape[-3]) or q.shape[-3] % k.shape[-3] != 0:
        raise ValueError(
            f"query heads ({q.shape[-3]}) must be a multiple of key/value heads "
            f"({k.shape[-3]}) for grouped-query attention"
        )
    return q.shape[-3] // k.shape[-3]


def query_groups(q: Tensor, k: Tensor) -> int:
    """Query heads per key/value head of checked inputs (1 unless grouped-query attention)."""
    if q.ndim < 4 or q.shape[-3] == k.shape[-3]:
        return 1
    return q.shape[-3] // k.shape[-3]


def scores_shape(q: Tensor, k: Tensor) -> tuple[int, ...]:
    """The shape of the attention scores, (..., Hq, L, S)."""
    return (*q.shape[:-1], k.shape[-2])


def reference_attention(
    q: Tensor,
    k: Tensor,
    v: Tensor,
    mask: Tensor | None = None,
    *,
    scale: float,
    dropout_p: float = 0.0,
    normalize: Normalizer | None = None,
) -> tuple[Tensor, Tensor]:
    """The reference path: scores, mask, softmax (or ``normalize``), weighted sum.

    Parameters
    ----------
    q, k, v : Tensor
        (..., Hq, L, E), (..., Hk, S, E), (..., Hk, S, Ev); Hk divides Hq.
    mask : Tensor, optional
        Normal form (bool keep mask or additive float mask), broadcasting to
        (..., Hq, L, S); any causal mask already merged in.
    scale : float
        Multiplies Q Kᵀ (1/√d_k for the standard layer).
    dropout_p : float
        Dropout on the weights; pass 0 outside training.
    normalize : callable, optional
        Maps masked scores (masked entries are -inf) to weights along the last axis;
        default softmax, computed in place when no gradient is needed.

    Returns
    -------
    context : Tensor (..., Hq, L, Ev)
    weights : Tensor (..., Hq, L, S), the weights the context was computed with.
    """
    groups = query_groups(q, k)
    q = q * scale  # (..., Hq, L, E)
    if groups > 1:  # fold the G query heads of a group into the query axis: no K copies
        q_folded = q.unflatten(-3, (k.shape[-3], groups)).flatten(-3, -2)  # (..., Hk, G·L, E)
        scores = _unfold_groups(q_folded @ k.transpose(-2, -1), groups)  # (..., Hq, L, S)
    else:
        scores = q @ k.transpose(-2, -1)  # (..., H, L, S)
    weights = masked_weights(  # (..., Hq, L, S)
        scores, mask, normalize=normalize, dropout_p=dropout_p, in_place=True
    )
    if groups > 1:
        w_folded = weights.unflatten(-3, (k.shape[-3], groups)).flatten(-3, -2)  # (..., Hk, G·L, S)
        context = _unfold_groups(w_folded @ v, groups)  # (..., Hq, L, Ev)
    else:
        context = weights @ v  # (..., H, L, Ev)
    return context, weights


def masked_weights(
    scores: Tensor,
    mask: Tensor | None,
    *,
    normalize: Normalizer | None = None,
    dropout_p: float = 0.0,
    in_place: bool = False,
) -> Tensor:
    """Attention weights from scores (..., L, S): mask, normalise along S, dropout.

    Masked entries get weight 0 and a query row with no key left gets all zeros, never
    NaN (see :func:`._masks.guard_empty_rows`). ``normalize`` (default softmax) receives
    the scores with masked entries at -inf.

    ``in_place=True`` lets the mask and the softmax overwrite ``scores`` -- pass it only
    for a scores tensor the caller owns and needs no more. When no gradient is needed
    the softmax then writes into the scores' buffer instead of a fresh (..., L, S) one,
    which page-faults: measured 2-3x the cost of the softmax itself (benchmark N2).
    """
    has_keys = None
    if mask is not None:
        mask, has_keys = _masks.guard_empty_rows(mask)  # (..., L, S), (..., L, 1)
        if mask.dtype == torch.bool and in_place:
            scores = scores.masked_fill_(~mask, float("-inf"))  # (..., L, S)
        elif mask.dtype == torch.bool:
            scores = scores.masked_fill(~mask, float("-inf"))  # (..., L, S)
        else:
            scores = scores.add_(mask) if in_place else scores + mask  # (..., L, S)
    if normalize is not None:
        weights = normalize(scores)  # (..., L, S)
    elif in_place and not scores.requires_grad:
        weights = torch.softmax(scores, dim=-1, out=scores)  # (..., L, S), scores' buffer
    else:
        weights = torch.softmax(scores, dim=-1)  # (..., L, S)
    if has_keys is not None and not _masks.all_rows_have_keys(has_keys):
        weights = weights * has_keys  # (..., L, S), empty rows -> 0
    if dropout_p > 0.0:
        weights = F.dropout(weights, p=dropout_p, training=True)  # (..., L, S)
    return weights


def _unfold_groups(x: Tensor, groups: int) -> Tensor:
    """(..., Hk, G·L, F) -> (..., Hk·G, L, F): undo the folding of query heads."""
    return x.unflatten(-2, (groups, x.shape[-2] // groups)).flatten(-4, -3)  # (..., Hk·G, L, F)


# device type ("cpu", "cuda", ...) -> whether fused SDPA zeroes fully masked rows
_SDPA_ZEROES_EMPTY_ROWS: dict[str, bool] = {}


def sdpa_zeroes_empty_rows(device: torch.device) -> bool:
    """Whether this torch's fused SDPA returns zeros (not NaN) for fully masked rows.

    Probed once per device type (torch >= 2.5 does on CPU) and kept by the type's name;
    when it does not, :func:`fused_attention` guards the rows itself. While compiling, an
    unprobed device answers False (guard), so that tracing never runs the probe.
    """
    key = device.type
    if key not in _SDPA_ZEROES_EMPTY_ROWS:
        if torch.compiler.is_compiling():
            return False
        x = torch.ones(1, 1, 2, 4, device=device)  # (B, H, L, E) = (1, 1, 2, 4)
        keep = torch.tensor([[True, True], [False, False]], device=device)  # (L, S)
        out = F.scaled_dot_product_attention(x, x, x, attn_mask=keep)  # (1, 1, 2, 4)
        _SDPA_ZEROES_EMPTY_ROWS[key] = bool((out[..., 1, :] == 0).all())
    return _SDPA_ZEROES_EMPTY_ROWS[key]


def fused_attention(
    q: Tensor,
    k: Tensor,
    v: Tensor,
    mask: Tensor | None = None,
    *,
    causal: bool = False,
    scale: float | None = None,
    dropout_p: float = 0.0,
) -> Tensor:
    """The fast path: :func:`torch.nn.functional.scaled_dot_product_attention`.

    Same arguments as :func:`reference_attention` except that a causal mask is requested
    with ``causal`` (handed to the fused kernel as ``is_causal`` when there is no other
    mask) and ``scale=None`` means the kernel's default 1/√d_k. Returns the context
    (..., Hq, L, Ev) only.
    """
    groups = query_groups(q, k)
    if mask is not None and mask.ndim < 2:  # the kernel wants (..., L, S); (S,) broadcasts
        mask = mask.reshape(1, -1) if mask.ndim else mask.reshape(1, 1)  # (1, S) or (1, 1)
    if causal and mask is not None:
        keep = _masks.causal(q.shape[-2], k.shape[-2], q.device)  # (L, S)
        mask, causal = _masks.merge(mask, keep, q.dtype), False  # (..., Hq, L, S)
    has_keys = None
    if mask is not None and not sdpa_zeroes_empty_rows(q.device):
        mask, has_keys = _masks.guard_empty_rows(mask)  # (..., L, S), (..., L, 1)
    context = F.scaled_dot_product_attention(
        q,
        k,
        v,
        attn_mask=mask,
        dropout_p=dropout_p,
        is_causal=causal,
        scale=scale,
        enable_gqa=groups > 1,
    )  # (..., Hq, L, Ev)
    if has_keys is not None:
        context = context * has_keys  # (..., Hq, L, Ev), empty rows -> 0
    return context
