"""The interface every translation model implements (:class:`Seq2Seq`), and its state."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ...dynamics.checks import check_integer
from ...nn import record_attention
from ._vocab import PAD

__all__ = ["Seq2Seq", "State", "select_state"]

State = dict[str, Tensor]


def select_state(state: State, index: Tensor) -> State:
    """The rows ``index`` (N,) of every tensor in ``state`` (batch first)."""
    return {k: v.index_select(0, index) for k, v in state.items()}


class Seq2Seq(nn.Module):
    """Base of the translation models: teacher-forced :meth:`forward`, stepwise decoding.

    Subclasses set :attr:`alignment_layer`, the qualified name of the layer whose
    weights align target positions with source positions (None without attention).
    """

    alignment_layer: str | None = None

    def __init__(self, src_vocab: int, tgt_vocab: int) -> None:
        super().__init__()
        self.src_vocab = check_integer(src_vocab, "src_vocab", ge=5)
        self.tgt_vocab = check_integer(tgt_vocab, "tgt_vocab", ge=5)

    @staticmethod
    def source_mask(src: Tensor) -> Tensor:
        """True at real source tokens: src (B, S) -> (B, S) bool."""
        return src != PAD  # (B, S)

    def forward(self, src: Tensor, tgt_in: Tensor) -> Tensor:
        """Logits (B, T, V) of each next target token given src (B, S) and tgt_in (B, T).

        ``tgt_in`` starts with ``<bos>`` (teacher forcing); padding is id 0.
        """
        raise NotImplementedError

    def encode(self, src: Tensor) -> State:
        """The decoding state after reading src (B, S), before the first target token."""
        raise NotImplementedError

    def step(self, state: State, tokens: Tensor) -> tuple[Tensor, State]:
        """Feed the previous tokens (B,) and return next-token logits (B, V), new state."""
        raise NotImplementedError

    def alignments(self, src: Tensor, tgt_in: Tensor) -> Tensor:
        """Attention weights (B, T, S) of each target position over the source.

        Recorded with :func:`~neuroattn.nn.record_attention` from
        :attr:`alignment_layer` during a teacher-forced forward pass (heads averaged).
        Raises ValueError for a model without attention.
        """
        if self.alignment_layer is None:
            raise ValueError(f"{type(self).__name__} has no attention to show")
        with torch.no_grad(), record_attention(self) as record:
            self(src, tgt_in)
        weights = record[self.alignment_layer]
        if len(weights) > 1:  # one (B, S) per decoder step
            return torch.stack(weights, dim=1)  # (B, T, S)
        w = weights[0]  # (B, T, S) or (B, H, T, S)
        return w.mean(dim=1) if w.ndim == 4 else w  # (B, T, S)
