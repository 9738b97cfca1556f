"""Channel attention: which feature maps to keep (squeeze-excitation, CBAM, ECA)."""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor, nn

from ..dynamics.checks import check_choice, check_integer, check_number
from ._activations import make_activation
from ._checks import LIMITS, flag, odd_kernel_size, within_limit
from ._pooling import mean_max
from ._record import RecordsAttention
from ._spatial import check_image, rescaled

POOLINGS = ("avg+max", "avg", "max")


class ChannelAttention(RecordsAttention, nn.Module):
    r"""Channel attention: squeeze-and-excitation with average and max pooling.

    .. math::

        M_c(F) = \sigma\big(W_1 \delta(W_0 F^c_{avg}) + W_1 \delta(W_0 F^c_{max})\big),
        \qquad F' = M_c(F) \otimes F

    (Woo et al. 2018, eq. 2; with ``pooling="avg"`` it is the squeeze-and-excitation block
    of Hu et al. 2018): spatial average and max give two C-vectors, a shared two-layer MLP
    C → C/r → C scores each, and the gated sum rescales every channel.

    Parameters
    ----------
    channels : int
        C.
    reduction : int
        r; the hidden layer has max(C // r, 1) units (default 16).
    pooling : {"avg+max", "avg", "max"}
        Which spatial poolings feed the MLP.
    act, gate : str, class, module or function
        δ (default ``"relu"``) and σ (default ``"sigmoid"``).
    bias : bool
        Biases in the MLP (the paper's equation has none; default False).

    Shapes
    ------
    x (B, C, H, W) -> (B, C, H, W); :meth:`attention_weights` gives M_c (B, C, 1, 1).
    Dtypes, devices and non-finite values as for :class:`SpatialAttention`.

    References
    ----------
    Woo, S. et al. (2018). CBAM: Convolutional block attention module. ECCV.
    Hu, J., Shen, L. & Sun, G. (2018). Squeeze-and-excitation networks. CVPR.
    """

    def __init__(
        self,
        channels: int,
        reduction: int = 16,
        *,
        pooling: str = "avg+max",
        act: Any = "relu",
        gate: Any = "sigmoid",
        bias: bool = False,
    ) -> None:
        super().__init__()
        self.channels = check_integer(channels, "channels", ge=1)
        self.reduction = check_integer(reduction, "reduction", ge=1)
        self.pooling = check_choice(pooling, "pooling", POOLINGS)
        hidden = max(self.channels // self.reduction, 1)
        bias = flag(bias, "bias")
        count = 2 * hidden * self.channels + (hidden + self.channels if bias else 0)
        within_limit(count, "max_parameters", "ChannelAttention's parameter count")
        self.fc1 = nn.Linear(self.channels, hidden, bias=bias)  # W_0
        self.act = make_activation(act, "act")
        self.fc2 = nn.Linear(hidden, self.channels, bias=bias)  # W_1
        self.gate = make_activation(gate, "gate")

    def attention_weights(self, x: Tensor) -> Tensor:
        """The channel weights M_c(x), shape (B, C, 1, 1)."""
        check_image(x, channels=self.channels, layer=self)
        flat = x.flatten(2)  # (B, C, H·W)
        if self.pooling == "avg+max":
            mean, top = mean_max(flat, -1)  # (B, C, 1) each
            pooled = torch.stack([mean, top]).squeeze(-1)  # (2, B, C)
        elif self.pooling == "avg":
            pooled = flat.mean(-1).unsqueeze(0)  # (1, B, C)
        else:
            pooled = mean_max(flat, -1)[1].squeeze(-1).unsqueeze(0)  # (1, B, C)
        scores = self.fc2(self.act(self.fc1(pooled))).sum(0)  # (B, C)
        return self.gate(scores)[..., None, None]  # (B, C, 1, 1)

    def forward(self, x: Tensor) -> Tensor:
        """Rescale each channel of ``x`` (B, C, H, W) by its weight."""
        weights = self.attention_weights(x)  # (B, C, 1, 1)
        self._record(weights)
        return rescaled(x, weights)  # (B, C, H, W)


def eca_kernel_size(channels: int, gamma: float = 2.0, b: float = 1.0) -> int:
    """ECA's adaptive kernel size k = |log2(C)/γ + b/γ|, rounded to an odd integer.

    Raises
    ------
    ValueError
        Unless C >= 1, γ > 0 and b are finite and k stays within the parameter limit
        (``nna.LIMITS.max_parameters``; a tiny γ asks for a huge kernel).

    Examples
    --------
    >>> eca_kernel_size(64), eca_kernel_size(512)
    (3, 5)
    """
    channels = check_integer(channels, "channels", ge=1)
    gamma = check_number(gamma, "gamma", gt=0.0)
    b = check_number(b, "b")
    size = abs(math.log2(channels) / gamma + b / gamma)
    if not size <= LIMITS.max_parameters:  # inf too
        raise ValueError(
            f"gamma={gamma:g} and b={b:g} ask for an ECA kernel of {size:.3g} taps, beyond "
            f"nna.LIMITS.max_parameters = {LIMITS.max_parameters:.3g}; raise it if intended"
        )
    t = int(size)
    return t if t % 2 else t + 1


class ECA(RecordsAttention, nn.Module):
    r"""Efficient channel attention: a 1-D convolution across pooled channels.

    .. math::

        \omega = \sigma\big(\operatorname{C1D}_k(\operatorname{GAP}(F))\big), \qquad
        k = \psi(C) = \left|\frac{\log_2 C}{\gamma} + \frac{b}{\gamma}\right|_{odd}

    (Wang et al. 2020, eqs. 9 and 12): local cross-channel interaction without the
    dimensionality reduction of squeeze-and-excitation; k parameters in all.

    Parameters
    ----------
    channels : int, optional
        C, used for the adaptive k when ``kernel_size`` is not given.
    kernel_size : int, optional
        Odd k; default ψ(C) with γ = 2, b = 1.
    gamma, b : float
        γ > 0 and b of ψ (checked even when ``kernel_size`` is given).
    gate : str, class, module or function
        σ (default ``"sigmoid"``).

    Shapes
    ------
    x (B, C, H, W) -> (B, C, H, W); weights (B, C, 1, 1) are recorded. Any C works (the
    convolution runs across the channels). Dtypes, devices and non-finite values as for
    :class:`SpatialAttention`.

    References
    ----------
    Wang, Q. et al. (2020). ECA-Net: Efficient channel attention for deep convolutional
    neural networks. CVPR.
    """

    def __init__(
        self,
        channels: int | None = None,
        kernel_size: int | None = None,
        *,
        gamma: float = 2.0,
        b: float = 1.0,
        gate: Any = "sigmoid",
    ) -> None:
        super().__init__()
        gamma = check_number(gamma, "gamma", gt=0.0)
        b = check_number(b, "b")
        if channels is not None:
            channels = check_integer(channels, "channels", ge=1)
        if kernel_size is None:
            if channels is None:
                raise ValueError("give channels (for the adaptive kernel size) or kernel_size")
            kernel_size = eca_kernel_size(channels, gamma, b)
        self.kernel_size = odd_kernel_size(kernel_size)
        k = self.kernel_size
        within_limit(k, "max_parameters", "ECA's parameter count (kernel_size)")
        self.conv = nn.Conv1d(1, 1, k, padding=k // 2, bias=False)
        self.gate = make_activation(gate, "gate")

    def forward(self, x: Tensor) -> Tensor:
        """Rescale each channel of ``x`` (B, C, H, W) by its weight."""
        check_image(x, layer=self)
        pooled = x.mean((2, 3)).unsqueeze(1)  # (B, 1, C)
        weights = self.gate(self.conv(pooled)).transpose(1, 2).unsqueeze(-1)  # (B, C, 1, 1)
        self._record(weights)
        return rescaled(x, weights)  # (B, C, H, W)
