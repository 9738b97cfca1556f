"""CBAM: channel attention, then spatial attention (Woo et al. 2018)."""

from __future__ import annotations

from typing import Any

from torch import Tensor, nn

from ._channel import ChannelAttention
from ._spatial import SpatialAttention


class CBAM(nn.Module):
    r"""Convolutional block attention module: channel, then spatial attention.

    .. math::

        F' = M_c(F) \otimes F, \qquad F'' = M_s(F') \otimes F'

    (Woo et al. 2018, eq. 1), with M_c from :class:`ChannelAttention` (average and max
    pooling, shared MLP) and M_s from :class:`SpatialAttention` (k×k convolution of the
    channel mean and max). Both maps are recorded by :func:`neuroattn.nn.record_attention`
    under ``"<name>.channel"`` and ``"<name>.spatial"``.

    Parameters
    ----------
    channels : int
        C.
    reduction : int
        MLP reduction ratio r (default 16).
    kernel_size : int
        Odd spatial kernel size (default 7).
    act, gate : str, class, module or function
        MLP activation (default ``"relu"``) and gate (default ``"sigmoid"``).
    norm : bool
        Batch-normalise the spatial conv output (the authors' code does; default False).

    References
    ----------
    Woo, S., Park, J., Lee, J.-Y. & Kweon, I. S. (2018). CBAM: Convolutional block
    attention module. ECCV.
    """

    def __init__(
        self,
        channels: int,
        reduction: int = 16,
        kernel_size: int = 7,
        *,
        act: Any = "relu",
        gate: Any = "sigmoid",
        norm: bool = False,
    ) -> None:
        super().__init__()
        self.channel = ChannelAttention(channels, reduction, act=act, gate=gate)
        self.spatial = SpatialAttention(kernel_size, gate=gate, norm=norm)

    def forward(self, x: Tensor) -> Tensor:
        """x (B, C, H, W) -> (B, C, H, W)."""
        return self.spatial(self.channel(x))  # (B, C, H, W)
