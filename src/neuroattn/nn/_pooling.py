"""Mean and max pooling along one axis, with a sparse gradient for the max.

Autograd's gradient of ``amax`` builds a full-size mask, counts ties and divides -- four
passes over the input, which dominated the backward pass of spatial and channel attention
(measured: a third of CBAM's forward+backward). Here the max keeps its indices and its
gradient is scattered to them: one write of the mean's (broadcast) gradient plus a scatter
the size of the pooled output. Ties send the whole gradient to one of the maxima (the one
``torch.max`` returns) rather than splitting it; the two agree wherever the max is unique.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor


class _MeanMax(torch.autograd.Function):
    """(mean, max) of x along ``dim`` (keepdim), max gradient scattered to the argmax."""

    @staticmethod
    def forward(ctx: Any, x: Tensor, dim: int) -> tuple[Tensor, Tensor]:
        top, index = x.max(dim=dim, keepdim=True)  # x (..., N, ...) -> (..., 1, ...) each
        ctx.save_for_backward(index)
        ctx.dim, ctx.shape = dim, x.shape
        ctx.mark_non_differentiable(index)
        return x.mean(dim=dim, keepdim=True), top  # (..., 1, ...) each

    @staticmethod
    def backward(ctx: Any, grad_mean: Tensor, grad_max: Tensor) -> tuple[Tensor, None]:
        (index,) = ctx.saved_tensors
        n = ctx.shape[ctx.dim]
        grad = (grad_mean / n).expand(ctx.shape).contiguous()  # (..., N, ...), as x
        return grad.scatter_add_(ctx.dim, index, grad_max), None  # (..., N, ...)


def mean_max(x: Tensor, dim: int) -> tuple[Tensor, Tensor]:
    """Mean and max of ``x`` along ``dim``, both with ``dim`` kept (size 1).

    Same values as ``x.mean(dim, keepdim=True)`` and ``x.amax(dim, keepdim=True)``; the
    gradient is cheaper (see the module docstring).
    """
    dim = dim % x.ndim
    mean, top = _MeanMax.apply(x, dim)  # (..., 1, ...) each
    return mean, top
