"""Sequence-to-sequence models by name: the common interface and the registry.

Every model maps source ids (B, S) and teacher-forced target ids (B, T) to logits
(B, T, V) in :meth:`Seq2Seq.forward`, and decodes one step at a time through
:meth:`Seq2Seq.encode` and :meth:`Seq2Seq.step`, whose state is a dict of tensors with
the batch first (so that beam search can reorder it with :func:`select_state`).
Padding (id 0) in the source is masked in every attention layer.

=================  ============================================================
``rnn-bahdanau``   GRU encoder-decoder with :class:`~neuroattn.nn.AdditiveAttention`
``rnn-luong``      GRU encoder-decoder with :class:`~neuroattn.nn.LuongAttention`
``rnn-none``       the same GRUs without attention (the baseline)
``transformer``    encoder-decoder of :class:`~neuroattn.nn.MultiHeadAttention`
=================  ============================================================

``attention="competitive"`` puts :class:`~neuroattn.nn.CompetitiveAttention` (the
shunting competition of the source's section 4) in place of the softmax in every model
with attention (on Bahdanau's additive and Luong's general scores through the layers'
``normalizer``, in the Transformer's heads); ``rnn-none`` has no attention and refuses it
(ValueError).
"""

from __future__ import annotations

from typing import Any

from ...dynamics.checks import check_choice, check_integer
from ._base import Seq2Seq, State, select_state
from ._config import ATTENTIONS, TranslateConfig
from ._rnn import BahdanauGRU, LuongGRU, PlainGRU
from ._transformer import Transformer

__all__ = ["MODELS", "Seq2Seq", "State", "build_model", "model_from_config", "select_state"]

MODELS: dict[str, type[Seq2Seq]] = {
    "rnn-bahdanau": BahdanauGRU,
    "rnn-luong": LuongGRU,
    "rnn-none": PlainGRU,
    "transformer": Transformer,
}
"""The models by name."""


def build_model(
    name: str,
    src_vocab: int,
    tgt_vocab: int,
    *,
    attention: str = "softmax",
    embed_dim: int = 64,
    hidden_dim: int = 128,
    layers: int = 2,
    heads: int = 4,
    ffn_dim: int = 256,
    dropout: float = 0.1,
) -> Seq2Seq:
    """The model ``name`` (a key of :data:`MODELS`) for the given vocabulary sizes.

    ``layers``, ``heads`` and ``ffn_dim`` concern the Transformer only. Raises ValueError
    for an unknown name (listing the valid ones), a bad size or an attention the model
    cannot use.
    """
    check_choice(name, "model", list(MODELS))
    check_choice(attention, "attention", ATTENTIONS)
    options: dict[str, Any] = {
        "attention": attention,
        "embed_dim": check_integer(embed_dim, "embed_dim", ge=1),
        "hidden_dim": check_integer(hidden_dim, "hidden_dim", ge=2),
        "dropout": dropout,
    }
    if name == "transformer":
        options.update(layers=layers, heads=heads, ffn_dim=ffn_dim)
    return MODELS[name](src_vocab, tgt_vocab, **options)


def model_from_config(config: TranslateConfig, src_vocab: int, tgt_vocab: int) -> Seq2Seq:
    """:func:`build_model` with the model fields of ``config``."""
    return build_model(
        config.model,
        src_vocab,
        tgt_vocab,
        attention=config.attention,
        embed_dim=config.embed_dim,
        hidden_dim=config.hidden_dim,
        layers=config.layers,
        heads=config.heads,
        ffn_dim=config.ffn_dim,
        dropout=config.dropout,
    )
