"""Plain references written from the equations, for the nn tests (no neuroattn code)."""

from __future__ import annotations

import math

import numpy as np
import torch


def snippet_attention(Q, K, V, mask=None):
    """The source's scaled dot-product attention, line for line."""
    d_k = Q.size(-1)
    scores = torch.matmul(Q, K.transpose(-2, -1)) / math.sqrt(d_k)
    if mask is not None:
        scores = scores.masked_fill(mask == 0, -1e9)
    attention = torch.softmax(scores, dim=-1)
    context = torch.matmul(attention, V)
    return context, attention


def numpy_attention(q, k, v, keep=None, scale=None):
    """Attention in float64 numpy with einsum; fully masked rows give zeros."""
    q, k, v = (np.asarray(x, dtype=np.float64) for x in (q, k, v))
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else scale
    scores = np.einsum("...le,...se->...ls", q, k) * scale
    if keep is not None:
        keep = np.broadcast_to(np.asarray(keep, dtype=bool), scores.shape)
        scores = np.where(keep, scores, -np.inf)
    top = np.max(scores, axis=-1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    e = np.exp(scores - top)
    total = e.sum(axis=-1, keepdims=True)
    w = np.divide(e, total, out=np.zeros_like(e), where=total > 0)
    return np.einsum("...ls,...sv->...lv", w, v), w


def randn(gen: torch.Generator, *shape: int, dtype=torch.float64) -> torch.Tensor:
    return torch.randn(*shape, generator=gen, dtype=dtype)


def random_keep(gen: torch.Generator, *shape: int, p: float = 0.7) -> torch.Tensor:
    """A random bool keep mask with every row keeping at least its first key."""
    keep = torch.rand(*shape, generator=gen) < p
    keep[..., 0] = True
    return keep
