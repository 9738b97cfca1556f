"""Recognisers: an encoder ("listener") with an attending speller (LAS), and CTC.

Listener: an encoder of :mod:`._encoders` by name — the pyramidal BiGRU of Chan, Jaitly,
Le & Vinyals 2016 ("Listen, Attend and Spell", §3.1; the default) or convolutional 4×
subsampling with Transformer encoder layers (Dong et al. 2018).

Speller (:class:`LAS`): the Bahdanau decoder of the translation app with the listener in
place of its text encoder: c_i = Σ_j α_ij h_j, α_i = softmax(e_i) with additive scores
e_ij = vᵀ tanh(W s_{i-1} + U h_j [+ U_f f_ij]) where the optional location term
f_i = F * α_{i-1} convolves the previous weights (Chorowski et al. 2015, "Attention-based
models for speech recognition", eq. 8-9), or Luong's "general" score on the new state
(then without location), or multi-head scaled dot-product attention (Vaswani et al. 2017,
§3.2.2) queried by the previous state, c_i = MultiHead(s_{i-1}, h, h) (ours: the speller
of LAS with the Transformer's attention; its context has the speller's width).
s_i = GRU([E y_{i-1}; c_i], s_{i-1}); logits = W_o tanh(L [s_i; c_i; E y_{i-1}]).
s_0 = tanh(W_b mean_j h_j) (ours).

With ``ctc_head=True`` the listener also feeds a linear CTC layer, trained jointly:
L = λ L_CTC + (1 - λ) L_attention (Kim, Hori & Watanabe 2017, "Joint CTC-attention based
end-to-end speech recognition using multi-task learning", eq. 7), which they show makes
the attention align sooner; decoding uses the speller alone.

:class:`CTCRecognizer`: the same listener, a linear layer to characters plus the blank
(id 0, the padding id), trained with CTC (Graves et al. 2006); no attention.
"""

from __future__ import annotations

import typing

import torch
from torch import Tensor, nn

from ...dynamics.checks import check_choice, check_integer, check_probability
from ...nn import AdditiveAttention, LuongAttention, MultiHeadAttention
from ..translate._base import State
from ..translate._vocab import PAD
from ._encoders import ENCODERS, Listener, build_encoder, frame_mask

__all__ = ["ATTENTIONS", "ENCODERS", "LAS", "MODELS", "CTCRecognizer", "Listener", "frame_mask"]

ATTENTIONS = ("additive", "luong", "multihead")


class _Recognizer(nn.Module):
    """Shared: the listener, the vocabulary size, and the model's name."""

    name = ""

    def __init__(
        self,
        n_feats: int,
        vocab: int,
        *,
        encoder: str,
        hidden_dim: int,
        pyramid: int,
        dropout: float,
        layers: int,
        heads: int,
        ffn_dim: int,
    ) -> None:
        super().__init__()
        self.vocab = check_integer(vocab, "vocab", ge=5)
        self.n_feats = check_integer(n_feats, "n_feats", ge=1)
        dropout = check_probability(dropout, "dropout")
        self.listener = build_encoder(
            encoder,
            n_feats,
            hidden_dim=hidden_dim,
            pyramid=pyramid,
            layers=layers,
            heads=heads,
            ffn_dim=ffn_dim,
            dropout=dropout,
        )
        self.encoder = encoder
        self.stride = int(self.listener.stride)  # input frames per listener state
        self.drop = nn.Dropout(dropout)
        self.hidden_dim = hidden_dim


class LAS(_Recognizer):
    """Listen, attend and spell; see the module docstring for the equations.

    Shapes: feats (B, T, F), lengths (B,), tgt_in (B, L) -> logits (B, L, V). The attention
    layer (``"attention"``) records one (B, S) weight row per output step ((B, heads, 1, S)
    for ``"multihead"``; :meth:`alignment_weights` stacks either as (B, L, S)).
    ``encoder`` names the listener (:data:`ENCODERS`: ``pyramid`` for ``"bigru"``;
    ``layers``, ``heads``, ``ffn_dim`` for ``"conv-transformer"``); ``heads`` also sets the
    multi-head attention's heads, which must divide ``hidden_dim``.
    """

    name = "las"
    alignment_layer = "attention"

    def __init__(
        self,
        n_feats: int,
        vocab: int,
        *,
        encoder: str = "bigru",
        hidden_dim: int = 128,
        embed_dim: int = 32,
        pyramid: int = 3,
        layers: int = 2,
        heads: int = 4,
        ffn_dim: int = 256,
        dropout: float = 0.1,
        attention: str = "additive",
        location: bool = False,
        ctc_head: bool = False,
    ) -> None:
        super().__init__(
            n_feats, vocab, encoder=encoder, hidden_dim=hidden_dim, pyramid=pyramid,
            dropout=dropout, layers=layers, heads=heads, ffn_dim=ffn_dim,
        )  # fmt: skip
        self.kind = check_choice(attention, "attention", ATTENTIONS)
        for flag, value in (("location", location), ("ctc_head", ctc_head)):
            if not isinstance(value, bool):
                raise TypeError(f"{flag} must be True or False, got {value!r}")
        if location and attention != "additive":
            raise ValueError(f"location must be False with attention {attention!r} (additive only)")
        self.location = bool(location)
        H, K = self.hidden_dim, self.listener.out_dim
        E = check_integer(embed_dim, "embed_dim", ge=1)
        self.embed = nn.Embedding(vocab, E, padding_idx=PAD)
        self.bridge = nn.Linear(K, H)
        C = K  # the context's width
        if attention == "additive":
            self.attention: nn.Module = AdditiveAttention(H, K, H)
        elif attention == "luong":
            self.attention = LuongAttention(H, K, score="general")
        else:
            heads = check_integer(heads, "heads", ge=1)
            if H % heads:
                raise ValueError(f"heads must divide hidden_dim = {H}, got {heads}")
            self.attention = MultiHeadAttention(H, heads, kdim=K, vdim=K)
            C = H
        if self.location:
            self.loc_conv = nn.Conv1d(1, 8, kernel_size=15, padding=7, bias=False)  # F
            self.loc_proj = nn.Linear(8, H, bias=False)  # U_f
        self.cell = nn.GRUCell(E + C, H)
        self.readout = nn.Linear(H + C + E, H)
        self.out = nn.Linear(H, vocab)
        self.ctc_out = nn.Linear(K, vocab) if ctc_head else None  # joint CTC-attention

    def encode(self, feats: Tensor, lengths: Tensor) -> State:
        """The decoding state after listening to feats (B, T, F) of ``lengths`` (B,)."""
        memory, lens = self.listener(feats, lengths)  # (B, S, K), (B,)
        mask = frame_mask(lens, memory.shape[1])  # (B, S)
        m = mask.unsqueeze(-1).to(memory.dtype)  # (B, S, 1)
        h = torch.tanh(self.bridge((memory * m).sum(1) / m.sum(1).clamp_min(1)))  # (B, H)
        state = {"memory": memory, "mask": mask, "h": h}
        if self.kind == "additive":
            additive = typing.cast(AdditiveAttention, self.attention)
            state["keys"] = additive.project_keys(memory)  # (B, S, H): U_a h_j, once
        if self.location:
            state["align"] = mask.to(memory.dtype) / m.sum(1).clamp_min(1)  # (B, S) uniform
        return state

    def _context(self, state: State, query: Tensor) -> tuple[Tensor, Tensor | None]:
        if self.kind == "luong":
            return self.attention(query, state["memory"], mask=state["mask"])  # (B, K), (B, S)
        if self.kind == "multihead":  # weights only when recorded (the fused path otherwise)
            memory = state["memory"]  # (B, S, K)
            context, _ = self.attention(
                query.unsqueeze(1), memory, memory, key_padding_mask=state["mask"],
                need_weights=False,
            )  # fmt: skip
            return context[:, 0], None  # (B, H)
        keys = state["keys"]  # (B, S, H)
        if self.location:
            f = self.loc_conv(state["align"].unsqueeze(1)).transpose(1, 2)  # (B, S, 8)
            keys = keys + self.loc_proj(f)  # (B, S, H)
        return self.attention(query, state["memory"], mask=state["mask"], projected_keys=keys)

    def _advance(self, state: State, emb: Tensor) -> tuple[State, Tensor]:
        """One output step from embedded previous tokens emb (B, E): new state, features."""
        if self.kind == "luong":  # Luong: the new state queries
            h = self.cell(torch.cat([emb, state["ctx"]], dim=-1), state["h"])  # (B, H)
            context, weights = self._context(state, h)  # (B, K), (B, S)
        else:  # Bahdanau: the previous state queries
            context, weights = self._context(state, state["h"])  # (B, K), (B, S)
            h = self.cell(torch.cat([emb, context], dim=-1), state["h"])  # (B, H)
        feats = torch.tanh(self.readout(torch.cat([h, context, emb], dim=-1)))  # (B, H)
        new = {**state, "h": h}
        if self.kind == "luong":
            new["ctx"] = context
        if self.location:
            new["align"] = weights
        return new, feats

    @staticmethod
    def alignment_weights(rows: list[Tensor]) -> Tensor:
        """The recorded weights of layer ``"attention"``, one entry per output step, as
        (B, L, S): (B, S) entries stacked, multi-head (B, H, 1, S) ones averaged over heads."""
        weights = torch.stack(rows, dim=1)  # (B, L, S) or (B, L, H, 1, S)
        return weights.mean(dim=2)[:, :, 0] if weights.dim() == 5 else weights  # (B, L, S)

    def start(self, state: State) -> State:
        """The state before the first output (Luong's first context is zero)."""
        if self.kind == "luong" and "ctx" not in state:
            memory = state["memory"]
            state = {**state, "ctx": memory.new_zeros(memory.shape[0], memory.shape[2])}
        return state

    def forward(self, feats: Tensor, lengths: Tensor, tgt_in: Tensor) -> Tensor:
        return self.spell(self.encode(feats, lengths), tgt_in)  # (B, L, V)

    def ctc_log_probs(self, state: State) -> tuple[Tensor, Tensor]:
        """The CTC head's log-probabilities (B, S, V) over the listener's frames and their
        lengths (B,) (joint CTC-attention training; ValueError without the head)."""
        if self.ctc_out is None:
            raise ValueError("this LAS has no CTC head (build it with ctc_head=True)")
        logits = self.ctc_out(self.drop(state["memory"]))  # (B, S, V)
        return torch.log_softmax(logits, dim=-1), state["mask"].sum(dim=1)

    def spell(self, state: State, tgt_in: Tensor) -> Tensor:
        """Teacher-forced logits (B, L, V) from a listened ``state`` and tgt_in (B, L)."""
        state = self.start(state)
        emb = self.drop(self.embed(tgt_in))  # (B, L, E)
        out = []
        for t in range(tgt_in.shape[1]):
            state, f = self._advance(state, emb[:, t])  # (B, H)
            out.append(f)
        return self.out(self.drop(torch.stack(out, dim=1)))  # (B, L, V)

    def step(self, state: State, tokens: Tensor) -> tuple[Tensor, State]:
        """Next-token logits (B, V) after the previous tokens (B,), and the new state."""
        state, f = self._advance(self.start(state), self.embed(tokens))
        return self.out(f), state


class CTCRecognizer(_Recognizer):
    """The listener and a linear layer to the characters and the blank (id 0): log-probs
    (B, S, V) over the listener's frames (B, S) for CTC (Graves et al. 2006)."""

    name = "ctc"
    alignment_layer = None

    def __init__(
        self,
        n_feats: int,
        vocab: int,
        *,
        encoder: str = "bigru",
        hidden_dim: int = 128,
        pyramid: int = 2,
        layers: int = 2,
        heads: int = 4,
        ffn_dim: int = 256,
        dropout: float = 0.1,
        **_: object,
    ) -> None:
        super().__init__(
            n_feats, vocab, encoder=encoder, hidden_dim=hidden_dim, pyramid=pyramid,
            dropout=dropout, layers=layers, heads=heads, ffn_dim=ffn_dim,
        )  # fmt: skip
        self.out = nn.Linear(self.listener.out_dim, vocab)

    def forward(self, feats: Tensor, lengths: Tensor) -> tuple[Tensor, Tensor]:
        memory, lens = self.listener(feats, lengths)  # (B, S, K), (B,)
        return torch.log_softmax(self.out(self.drop(memory)), dim=-1), lens  # (B, S, V), (B,)


MODELS: dict[str, type[_Recognizer]] = {"las": LAS, "ctc": CTCRecognizer}
