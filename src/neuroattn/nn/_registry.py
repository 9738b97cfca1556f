"""Layers by name: :func:`create` and :func:`available`."""

from __future__ import annotations

from typing import Any

from torch import nn

from ._cbam import CBAM
from ._channel import ECA, ChannelAttention
from ._competitive import CompetitiveAttention
from ._mha import MultiHeadAttention
from ._sdpa import ScaledDotProductAttention
from ._seq2seq import AdditiveAttention, LuongAttention
from ._spatial import SpatialAttention

_LAYERS: dict[str, type[nn.Module]] = {
    "sdpa": ScaledDotProductAttention,
    "mha": MultiHeadAttention,
    "additive": AdditiveAttention,
    "bahdanau": AdditiveAttention,
    "luong": LuongAttention,
    "spatial": SpatialAttention,
    "channel": ChannelAttention,
    "cbam": CBAM,
    "eca": ECA,
    "competitive": CompetitiveAttention,
}


def _key(name: str) -> str:
    return name.strip().lower().replace("-", "_")


def available() -> dict[str, type[nn.Module]]:
    """The registered layers: a new dict, name -> class (aliases included)."""
    return dict(_LAYERS)


def create(name: str, *args: Any, **kwargs: Any) -> nn.Module:
    """Build the layer registered as ``name`` with the class's own arguments.

    Examples
    --------
    >>> import neuroattn.nn as nna
    >>> layer = nna.create("cbam", 64, reduction=8)
    >>> type(layer).__name__, layer.channel.fc1.out_features
    ('CBAM', 8)

    Raises
    ------
    ValueError
        For an unknown name; the message lists the valid ones.
    """
    if not isinstance(name, str) or _key(name) not in _LAYERS:
        raise ValueError(f"unknown attention layer {name!r}; valid names: {sorted(_LAYERS)}")
    return _LAYERS[_key(name)](*args, **kwargs)


def register(name: str, cls: type[nn.Module], *, overwrite: bool = False) -> None:
    """Add a layer class under ``name`` (ValueError if taken, unless ``overwrite``)."""
    if not (isinstance(cls, type) and issubclass(cls, nn.Module)):
        raise ValueError(f"cls must be an nn.Module subclass, got {cls!r}")
    key = _key(name)
    if key in _LAYERS and not overwrite:
        raise ValueError(f"{name!r} is already registered ({_LAYERS[key].__name__})")
    _LAYERS[key] = cls
