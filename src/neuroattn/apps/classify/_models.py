"""The digit classifiers: one small CNN, with or without a spatial attention stage.

Four models share one backbone and differ only in the attention layer between its last
convolution and the global average pool (a few hundred parameters out of ~25 000):

``none``        the CNN alone;
``spatial``     :class:`neuroattn.nn.SpatialAttention` (Woo et al. 2018, eq. 3);
``cbam``        :class:`neuroattn.nn.CBAM` (channel, then spatial attention);
``competitive`` :class:`~neuroattn.apps.classify.FieldGate`, whose gate is the settled
                activity of a neural field driven by the spatial map (the competition stage).

Placing the gate before the global pool makes it decide *where* the evidence is read:
the pooled features are a gated average over the map. The backbone (four 3×3 / 5×5 conv
blocks with batch norm, two 2×2 max pools) and its widths are ours.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from torch import Tensor, nn

from ...dynamics.checks import check_choice, check_integer
from ...nn import CBAM, SpatialAttention, record_attention
from ._field_gate import FieldGate

__all__ = ["ATTENTIONS", "DigitNet", "available_models", "create_model", "parameter_count"]


def _none(channels: int, kernel_size: int) -> nn.Module:
    return nn.Identity()


def _spatial(channels: int, kernel_size: int) -> nn.Module:
    return SpatialAttention(kernel_size)


def _cbam(channels: int, kernel_size: int) -> nn.Module:
    return CBAM(channels, reduction=8, kernel_size=kernel_size)


def _competitive(channels: int, kernel_size: int) -> nn.Module:
    return FieldGate(kernel_size)


# the registry: name -> builder of the attention stage from (channels, kernel size)
_ATTENTION: dict[str, Callable[[int, int], nn.Module]] = {
    "none": _none,
    "spatial": _spatial,
    "cbam": _cbam,
    "competitive": _competitive,
}
ATTENTIONS = tuple(_ATTENTION)


def available_models() -> list[str]:
    """The attention names :func:`create_model` accepts."""
    return list(_ATTENTION)


def _block(c_in: int, c_out: int, k: int) -> nn.Sequential:
    """conv k×k (same padding, no bias) → batch norm → ReLU."""
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, k, padding=k // 2, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
    )


class DigitNet(nn.Module):
    """A small CNN for (B, 1, H, W) images with an attention stage before its global pool.

    Parameters
    ----------
    attention : {"none", "spatial", "cbam", "competitive"}
        The attention stage (see the module's docstring).
    width : int
        Channels of the first block, 1 … 256; the others have 2, 4 and 4 times as many
        (default 12).
    classes : int
        Number of classes (default 10).
    kernel_size : int
        Odd kernel of the spatial attention convolution (default 7).

    Shapes
    ------
    x (B, 1, H, W), H and W ≥ 4 -> logits (B, classes). :meth:`attend` also gives the
    attention map (B, 1, H / 4, W / 4), or None for ``"none"``.
    """

    def __init__(
        self, attention: str = "none", *, width: int = 12, classes: int = 10, kernel_size: int = 7
    ) -> None:
        super().__init__()
        self.attention_name = check_choice(attention, "attention", ATTENTIONS)
        c = check_integer(width, "width", ge=1, le=256)
        self.classes = check_integer(classes, "classes", ge=2, le=10_000)
        self.features = nn.Sequential(
            _block(1, c, 5),
            nn.MaxPool2d(2),
            _block(c, 2 * c, 3),
            nn.MaxPool2d(2),
            _block(2 * c, 4 * c, 3),
            _block(4 * c, 4 * c, 3),
        )
        self.attention = _ATTENTION[self.attention_name](4 * c, kernel_size)
        self.head = nn.Linear(4 * c, self.classes)

    def forward(self, x: Tensor) -> Tensor:
        """Class logits (B, classes) of images x (B, 1, H, W)."""
        check_images(x)
        feats = self.features(x)  # (B, 4c, H/4, W/4)
        feats = self.attention(feats)  # (B, 4c, H/4, W/4)
        return self.head(feats.mean(dim=(2, 3)))  # (B, classes)

    def attend(self, x: Tensor) -> tuple[Tensor, Tensor | None]:
        """Logits (B, classes) and the spatial attention map (B, 1, H/4, W/4) or None.

        For ``cbam`` the map is its spatial stage's; for ``competitive`` the field's gate.
        """
        with record_attention(self) as record:
            logits = self(x)  # (B, classes)
        if not record.names:
            return logits, None
        name = record.names[-1]  # cbam records "attention.spatial", the others "attention"
        return logits, record.last(name)  # (B, 1, H/4, W/4)


def check_images(x: Any, name: str = "images") -> Tensor:
    """``x`` if it is a floating (B, 1, H, W) tensor with H, W ≥ 4, else ValueError/TypeError."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{name} must be a torch tensor, got {type(x).__name__}")
    if not x.is_floating_point():
        raise TypeError(f"{name} must be a floating tensor, got {x.dtype}")
    if x.ndim != 4 or x.shape[1] != 1 or x.shape[2] < 4 or x.shape[3] < 4:
        raise ValueError(
            f"{name} must be (B, 1, H, W) grey images with H, W >= 4, got shape {tuple(x.shape)}"
        )
    return x


def create_model(attention: str, **options: Any) -> DigitNet:
    """A :class:`DigitNet` with the attention stage named ``attention``.

    Raises
    ------
    ValueError
        For an unknown name (the message lists :func:`available_models`) or a bad option.
    """
    if attention not in _ATTENTION:
        raise ValueError(f"attention must be one of {', '.join(ATTENTIONS)}, got {attention!r}")
    return DigitNet(attention, **options)


def parameter_count(model: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
