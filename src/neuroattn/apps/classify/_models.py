"""The digit classifiers: one small CNN, with or without a spatial attention stage.

Four models share one backbone and differ only in the attention layer between its last
convolution and the global pool (a few hundred parameters out of ~35 000):

``none``        the CNN alone: global average pooling;
``spatial``     :class:`neuroattn.nn.SpatialAttention` (Woo et al. 2018, eq. 3);
``cbam``        :class:`neuroattn.nn.CBAM` (channel, then spatial attention);
``competitive`` :class:`~neuroattn.apps.classify.FieldGate`, whose gate is the settled
                activity of a neural field driven by the spatial map (the competition stage).

The attention decides *where the evidence is read*. With ``pool="gated"`` (the default) the
pooled features are the gate-weighted mean p = Σ_x g(x) F(x) / Σ_x g(x): the gate's
normalised map is the read-out, so a gate open over the digit and closed over the clutter
reads the digit alone, whatever the gate's total mass (equivalently a softmax over positions
of log g). ``pool="mean"`` is the layers' published use, F' = g ⊗ F followed by the plain
mean p = (1/N) Σ_x g(x) F(x), which still sums the clutter (damped) and ties the size of p to
the mass of the gate. The gated read-out is ours (cf. attention pooling in general); the
backbone (four 3×3 / 5×5 conv blocks with batch norm, two 2×2 max pools) and its widths are
ours.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, cast

from torch import Tensor, nn

from ...dynamics.checks import check_choice, check_integer
from ...nn import CBAM, SpatialAttention, record_attention
from ._field_gate import FieldGate

__all__ = [
    "ATTENTIONS",
    "POOLS",
    "DigitNet",
    "available_models",
    "create_model",
    "parameter_count",
]

POOLS = ("gated", "mean")  # how the attention map reads the features (module docstring)
_TINY = 1e-6  # floor of the gate's mass Σ g in the gated read-out


class _Gate(Protocol):
    """What the read-out needs of an attention layer: its map, and recording it."""

    def attention_map(self, x: Tensor) -> Tensor: ...

    def _record(self, weights: Tensor) -> None: ...


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
    pool : {"gated", "mean"}
        How the attention map reads the features (see the module's docstring): the
        gate-normalised mean Σ g F / Σ g (default) or the mean of g ⊗ F. No parameters;
        ignored by ``"none"``.

    Shapes
    ------
    x (B, 1, H, W), H and W ≥ 4 -> logits (B, classes). :meth:`attend` also gives the
    attention map (B, 1, H / 4, W / 4), or None for ``"none"``.
    """

    def __init__(
        self,
        attention: str = "none",
        *,
        width: int = 12,
        classes: int = 10,
        kernel_size: int = 7,
        pool: str = "gated",
    ) -> None:
        super().__init__()
        self.attention_name = check_choice(attention, "attention", ATTENTIONS)
        self.pool = check_choice(pool, "pool", POOLS)
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
        return self.head(self.read(feats))  # (B, classes)

    def read(self, feats: Tensor) -> Tensor:
        """The pooled features (B, C) of a feature map (B, C, h, w), read through the gate.

        The attention layer gives the gate g (B, 1, h, w) by its own ``attention_map`` and
        records it; CBAM first applies its channel attention to the features.
        """
        stage = self.attention
        if isinstance(stage, nn.Identity):
            return feats.mean(dim=(2, 3))  # (B, C)
        if isinstance(stage, CBAM):
            feats = stage.channel(feats)  # (B, C, h, w), M_c ⊗ F
            stage = stage.spatial
        layer = cast(_Gate, stage)
        gate = layer.attention_map(feats)  # (B, 1, h, w)
        layer._record(gate)
        weighted = (gate * feats).sum(dim=(2, 3))  # (B, C)
        if self.pool == "mean":
            return weighted / (feats.shape[2] * feats.shape[3])  # (B, C)
        return weighted / gate.sum(dim=(2, 3)).clamp_min(_TINY)  # (B, C)

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
