"""Layers by name: :func:`create`, :func:`available` and :func:`register`.

The constructor rule
--------------------
``create(name, width=None, **options)`` builds the layer registered as ``name``:

* ``width``, the one positional argument, is the layer's size: it is passed as the class's
  *width parameter*, the constructor argument that sets how wide the layer's input is --
  ``channels`` for ``"channel"``, ``"cbam"`` and ``"eca"``, ``embed_dim`` for ``"mha"``,
  ``query_dim`` for ``"additive"``/``"bahdanau"`` and ``"luong"``. It may instead be given
  by that keyword (``create("cbam", channels=64)``), not both.
* Layers with no width -- ``"sdpa"`` and ``"competitive"`` (any feature size) and
  ``"spatial"`` (any number of channels) -- refuse one (ValueError).
* Everything else is a keyword argument, checked against the class's signature before the
  layer is built: an unknown or missing one raises TypeError naming the class and its
  parameters.

:func:`register` declares the width parameter of a new class (``width="..."``); none by
default.
"""

from __future__ import annotations

import inspect
import warnings
from dataclasses import dataclass
from typing import Any

from torch import nn

from ._cbam import CBAM
from ._channel import ECA, ChannelAttention
from ._competitive import CompetitiveAttention
from ._mha import MultiHeadAttention
from ._sdpa import ScaledDotProductAttention
from ._seq2seq import AdditiveAttention, LuongAttention
from ._spatial import SpatialAttention


@dataclass(frozen=True)
class _Entry:
    """A registered class and the name of its width parameter (None: it has none)."""

    cls: type[nn.Module]
    width: str | None


_LAYERS: dict[str, _Entry] = {
    "sdpa": _Entry(ScaledDotProductAttention, None),
    "mha": _Entry(MultiHeadAttention, "embed_dim"),
    "additive": _Entry(AdditiveAttention, "query_dim"),
    "bahdanau": _Entry(AdditiveAttention, "query_dim"),
    "luong": _Entry(LuongAttention, "query_dim"),
    "spatial": _Entry(SpatialAttention, None),
    "channel": _Entry(ChannelAttention, "channels"),
    "cbam": _Entry(CBAM, "channels"),
    "eca": _Entry(ECA, "channels"),
    "competitive": _Entry(CompetitiveAttention, None),
}


def _key(name: str) -> str:
    return name.strip().lower().replace("-", "_")


def _lookup(name: object) -> _Entry:
    """The entry registered as ``name``; ValueError listing the valid names if none."""
    if not isinstance(name, str) or _key(name) not in _LAYERS:
        raise ValueError(f"unknown attention layer {name!r}; valid names: {sorted(_LAYERS)}")
    return _LAYERS[_key(name)]


def available() -> dict[str, type[nn.Module]]:
    """The registered layers: a new dict, name -> class (aliases included)."""
    return {name: entry.cls for name, entry in _LAYERS.items()}


def width_parameter(name: str) -> str | None:
    """The constructor argument that :func:`create`'s ``width`` fills for ``name``, or None.

    >>> width_parameter("mha"), width_parameter("sdpa")
    ('embed_dim', None)
    """
    return _lookup(name).width


def create(name: str, width: int | None = None, /, *args: Any, **options: Any) -> nn.Module:
    """Build the layer registered as ``name``: ``width`` positional, the rest by keyword.

    ``width`` is passed as the class's width parameter (``channels``, ``embed_dim`` or
    ``query_dim``; see :func:`width_parameter` and the module docstring); layers without
    one refuse it. ``options`` are the class's own keyword arguments.

    Examples
    --------
    >>> import neuroattn.nn as nna
    >>> layer = nna.create("cbam", 64, reduction=8)
    >>> type(layer).__name__, layer.channel.fc1.out_features
    ('CBAM', 8)
    >>> nna.create("mha", 64, num_heads=8).embed_dim
    64
    >>> nna.create("luong", query_dim=16, score="dot").key_dim
    16
    >>> nna.create("sdpa", dropout=0.1).dropout
    0.1
    >>> nna.create("sdpa", 64)
    Traceback (most recent call last):
    ...
    ValueError: 'sdpa' (ScaledDotProductAttention) takes no width; pass its options by keyword

    Raises
    ------
    ValueError
        For an unknown name (the message lists the valid ones), a width given to a layer
        without one, or a width given both positionally and by keyword.
    TypeError
        For an option the class does not take, or a required one missing.

    .. deprecated::
        More than one positional argument (``create("bahdanau", 4, 6)``) still works
        with a DeprecationWarning; pass the others by keyword.
    """
    entry = _lookup(name)
    label = f"{name!r} ({entry.cls.__name__})"
    if width is not None and entry.width is None:
        raise ValueError(f"{label} takes no width; pass its options by keyword")
    if width is not None and entry.width in options:
        raise ValueError(f"{label} got its width twice: positionally and as {entry.width}=")
    if args:
        warnings.warn(
            f"create({name!r}, ...) with more than one positional argument is deprecated; "
            f"pass all but the width by keyword",
            DeprecationWarning,
            stacklevel=2,
        )
        positional = (width, *args)
        return entry.cls(*positional, **options)
    if width is not None and entry.width is not None:
        options = {entry.width: width, **options}
    _check_options(label, entry.cls, options)
    return entry.cls(**options)


def _check_options(label: str, cls: type[nn.Module], options: dict[str, Any]) -> None:
    """Raise TypeError naming the class's parameters unless ``cls(**options)`` binds."""
    signature = inspect.signature(cls)
    try:
        signature.bind(**options)
    except TypeError as exc:
        accepted = ", ".join(signature.parameters)
        raise TypeError(f"{label}: {exc}; its parameters: {accepted}") from None


def register(
    name: str, cls: type[nn.Module], *, width: str | None = None, overwrite: bool = False
) -> None:
    """Add a layer class under ``name`` (ValueError if taken, unless ``overwrite``).

    ``width`` names the constructor argument that :func:`create`'s positional width fills
    (e.g. ``"channels"``); None (default) for a layer without one.

    Raises
    ------
    TypeError
        If ``name`` or ``width`` is not a string (``width`` may be None).
    ValueError
        If ``name`` is blank or taken, ``cls`` is not an nn.Module subclass, or ``width``
        is not one of its constructor's parameters.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a string, got {name!r}")
    if not name.strip():
        raise ValueError("name must not be blank")
    if width is not None and not isinstance(width, str):
        raise TypeError(f"width must be a parameter name (a string) or None, got {width!r}")
    if not (isinstance(cls, type) and issubclass(cls, nn.Module)):
        raise ValueError(f"cls must be an nn.Module subclass, got {cls!r}")
    key = _key(name)
    if key in _LAYERS and not overwrite:
        raise ValueError(f"{name!r} is already registered ({_LAYERS[key].cls.__name__})")
    if width is not None and width not in inspect.signature(cls).parameters:
        raise ValueError(f"width={width!r} is not a parameter of {cls.__name__}")
    _LAYERS[key] = _Entry(cls, width)
