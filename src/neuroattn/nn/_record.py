"""Recording attention weights from every layer of a model (:func:`record_attention`)."""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from torch import Tensor, nn


class RecordsAttention:
    """Mixin for layers whose weights :func:`record_attention` can collect.

    A layer calls :meth:`_record` with its weights each forward pass; while no recorder is
    attached this costs one attribute look-up. While one is attached, layers that skip
    the weights on their fast path (``need_weights=False``) compute them anyway.
    """

    _attention_recorder: AttentionRecord | None = None

    @property
    def recording(self) -> bool:
        """True while a :func:`record_attention` block is collecting this layer's weights."""
        return self._attention_recorder is not None

    def _record(self, weights: Tensor) -> None:
        recorder = self._attention_recorder
        if recorder is not None:
            recorder.add(self, weights)


@dataclass
class AttentionRecord:
    """Weights collected by :func:`record_attention`, per layer, one entry per call.

    Attributes
    ----------
    weights : dict[str, list[Tensor]]
        Keyed by the layer's qualified name in the model (``model.named_modules()``; the
        model itself, if it is an attention layer, is ``"."``). Tensors are detached.
    """

    weights: dict[str, list[Tensor]] = field(default_factory=dict)
    # layer -> its name in the model; weak, so that a record never keeps a model alive
    _names: weakref.WeakKeyDictionary[object, str] = field(
        default_factory=weakref.WeakKeyDictionary, repr=False
    )

    def add(self, layer: object, weights: Tensor) -> None:
        """Append ``weights`` (detached) under ``layer``'s name."""
        name = self._names.get(layer, type(layer).__name__)
        self.weights.setdefault(name, []).append(weights.detach())

    def __getitem__(self, name: str) -> list[Tensor]:
        if name not in self.weights:
            raise KeyError(f"no weights recorded for {name!r}; recorded: {sorted(self.weights)}")
        return self.weights[name]

    def last(self, name: str | None = None) -> Tensor:
        """The most recent weights of layer ``name`` (the only layer if ``None``)."""
        if name is None:
            if len(self.weights) != 1:
                raise ValueError(f"name one of the recorded layers: {sorted(self.weights)}")
            name = next(iter(self.weights))
        return self[name][-1]

    @property
    def names(self) -> list[str]:
        """The names of the layers that recorded something, in call order."""
        return list(self.weights)


@contextmanager
def record_attention(model: nn.Module) -> Iterator[AttentionRecord]:
    """Collect the attention weights of every attention layer in ``model``.

    Examples
    --------
    >>> import torch
    >>> from neuroattn.nn import MultiHeadAttention, record_attention
    >>> mha = MultiHeadAttention(16, 4)
    >>> x = torch.randn(2, 5, 16)
    >>> with record_attention(mha) as rec:
    ...     _ = mha(x, x, x, need_weights=False)
    >>> tuple(rec.last().shape)
    (2, 4, 5, 5)
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    record = AttentionRecord()
    layers = [
        (name or ".", module)
        for name, module in model.named_modules()
        if isinstance(module, RecordsAttention)
    ]
    previous = [layer._attention_recorder for _, layer in layers]
    try:
        for name, layer in layers:
            record._names[layer] = name
            layer._attention_recorder = record
        yield record
    finally:
        for (_, layer), before in zip(layers, previous, strict=True):
            layer._attention_recorder = before
