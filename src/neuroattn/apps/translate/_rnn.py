"""GRU encoder-decoders: Bahdanau (additive) attention, Luong (general) attention, none.

The encoder is a bidirectional GRU over character embeddings (Bahdanau et al. 2015, §3.2);
its two final states, through a tanh layer, start the decoder (their s_0 uses the backward
state only; ours both). Published: the attention equations (in :mod:`neuroattn.nn`) and
the decoder wiring named in each class. Ours: one layer, a tanh output layer in place of
the paper's maxout, dropout on embeddings and outputs.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from ...dynamics.checks import check_choice, check_probability
from ...nn import AdditiveAttention, CompetitiveAttention, LuongAttention
from ._base import Seq2Seq, State
from ._vocab import PAD


class _Encoder(nn.Module):
    """Bidirectional GRU: src (B, S) -> states (B, S, 2·(H//2)), initial decoder state (B, H)."""

    def __init__(self, vocab: int, embed_dim: int, hidden_dim: int, dropout: float) -> None:
        super().__init__()
        half = hidden_dim // 2
        self.embed = nn.Embedding(vocab, embed_dim, padding_idx=PAD)
        self.drop = nn.Dropout(dropout)
        self.gru = nn.GRU(embed_dim, half, batch_first=True, bidirectional=True)
        self.bridge = nn.Linear(2 * half, hidden_dim)
        self.out_dim = 2 * half

    def forward(self, src: Tensor, mask: Tensor) -> tuple[Tensor, Tensor]:
        x = self.drop(self.embed(src))  # (B, S, E)
        lengths = mask.sum(dim=1).clamp_min(1).cpu()  # (B,)
        packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        out, last = self.gru(packed)  # last (2, B, H/2)
        states, _ = pad_packed_sequence(out, batch_first=True, total_length=src.shape[1])
        init = torch.tanh(self.bridge(torch.cat([last[0], last[1]], dim=-1)))  # (B, H)
        return states, init  # (B, S, K), (B, H)


class _GRUSeq2Seq(Seq2Seq):
    """Shared parts: encoder, target embedding, output layer, checks."""

    def __init__(
        self,
        src_vocab: int,
        tgt_vocab: int,
        *,
        attention: str = "softmax",
        embed_dim: int = 64,
        hidden_dim: int = 128,
        dropout: float = 0.1,
    ) -> None:
        super().__init__(src_vocab, tgt_vocab)
        check_choice(attention, "attention", ("softmax", "competitive"))
        dropout = check_probability(dropout, "dropout")
        self.encoder = _Encoder(src_vocab, embed_dim, hidden_dim, dropout)
        self.embed = nn.Embedding(tgt_vocab, embed_dim, padding_idx=PAD)
        self.drop = nn.Dropout(dropout)
        self.hidden_dim = hidden_dim

    def _refuse_competitive(self, attention: str, why: str) -> None:
        if attention == "competitive":
            raise ValueError(
                f"attention='competitive' does not fit {why}; use rnn-bahdanau, rnn-luong or "
                "transformer"
            )


def _normalizer(options: dict[str, Any]) -> CompetitiveAttention | None:
    """The competition in place of the softmax (``attention="competitive"``), else None."""
    return CompetitiveAttention(scale=1.0) if options.get("attention") == "competitive" else None


class BahdanauGRU(_GRUSeq2Seq):
    r"""GRU encoder-decoder with additive attention (Bahdanau, Cho & Bengio 2015).

    Each step i attends with the previous state: c_i = Σ_j α_ij h_j with
    α_ij = softmax_j(vᵀ tanh(W s_{i-1} + U h_j)); then s_i = GRU([E y_{i-1}; c_i], s_{i-1})
    and the logits are W_o tanh(L [s_i; c_i; E y_{i-1}]) (the paper's eqs. 4-6; its maxout
    output is ours a tanh layer). With ``attention="competitive"`` the additive scores go
    through :class:`~neuroattn.nn.CompetitiveAttention` (shunting) instead of softmax (ours).

    Shapes: src (B, S), tgt_in (B, T) -> logits (B, T, V); the attention layer
    (``"attention"``) records one (B, S) weight row per step.
    """

    alignment_layer = "attention"

    def __init__(self, src_vocab: int, tgt_vocab: int, **options: Any) -> None:
        super().__init__(src_vocab, tgt_vocab, **options)
        H, E, K = self.hidden_dim, self.embed.embedding_dim, self.encoder.out_dim
        self.attention = AdditiveAttention(H, K, H, normalizer=_normalizer(options))
        self.cell = nn.GRUCell(E + K, H)
        self.readout = nn.Linear(H + K + E, H)
        self.out = nn.Linear(H, tgt_vocab)

    def encode(self, src: Tensor) -> State:
        mask = self.source_mask(src)  # (B, S)
        memory, h = self.encoder(src, mask)  # (B, S, K), (B, H)
        keys = self.attention.project_keys(memory)  # (B, S, H)
        return {"memory": memory, "keys": keys, "mask": mask, "h": h}

    def _advance(self, state: State, emb: Tensor) -> tuple[Tensor, Tensor]:
        """One step from embedded previous tokens emb (B, E): new state (B, H), features."""
        context, _ = self.attention(  # (B, K)
            state["h"], state["memory"], mask=state["mask"], projected_keys=state["keys"]
        )
        h = self.cell(torch.cat([emb, context], dim=-1), state["h"])  # (B, H)
        feats = torch.tanh(self.readout(torch.cat([h, context, emb], dim=-1)))  # (B, H)
        return h, feats

    def forward(self, src: Tensor, tgt_in: Tensor) -> Tensor:
        state = self.encode(src)
        emb = self.drop(self.embed(tgt_in))  # (B, T, E)
        feats = []
        for t in range(tgt_in.shape[1]):
            state["h"], f = self._advance(state, emb[:, t])  # (B, H), (B, H)
            feats.append(f)
        return self.out(self.drop(torch.stack(feats, dim=1)))  # (B, T, V)

    def step(self, state: State, tokens: Tensor) -> tuple[Tensor, State]:
        h, feats = self._advance(state, self.embed(tokens))  # (B, H), (B, H)
        return self.out(feats), {**state, "h": h}  # (B, V)


class LuongGRU(_GRUSeq2Seq):
    r"""GRU encoder-decoder with Luong's global attention, "general" score (Luong et al. 2015).

    h_t = GRU(E y_{t-1}, h_{t-1}); a_t = softmax_s(h_tᵀ W_a h̄_s); c_t = Σ_s a_t(s) h̄_s;
    h̃_t = tanh(W_c [c_t; h_t]); logits = W_s h̃_t (the paper's eqs. 5-8, without input
    feeding, so the whole target runs through the GRU in one call when teacher forced).
    With ``attention="competitive"`` the scores h_tᵀ W_a h̄_s go through
    :class:`~neuroattn.nn.CompetitiveAttention` (shunting, unscaled) instead of softmax.

    Shapes: src (B, S), tgt_in (B, T) -> logits (B, T, V); ``"attention"`` records
    (B, T, S).
    """

    alignment_layer = "attention"

    def __init__(self, src_vocab: int, tgt_vocab: int, **options: Any) -> None:
        super().__init__(src_vocab, tgt_vocab, **options)
        H, E, K = self.hidden_dim, self.embed.embedding_dim, self.encoder.out_dim
        self.attention = LuongAttention(H, K, score="general", normalizer=_normalizer(options))
        self.gru = nn.GRU(E, H, batch_first=True)
        self.combine = nn.Linear(K + H, H, bias=False)  # W_c
        self.out = nn.Linear(H, tgt_vocab)  # W_s

    def encode(self, src: Tensor) -> State:
        mask = self.source_mask(src)  # (B, S)
        memory, h = self.encoder(src, mask)  # (B, S, K), (B, H)
        return {"memory": memory, "mask": mask, "h": h}

    def _attend(self, states: Tensor, memory: Tensor, mask: Tensor) -> Tensor:
        """Logits (B, T, V) from decoder states (B, T, H) over memory (B, S, K)."""
        context, _ = self.attention(states, memory, mask=mask)  # (B, T, K)
        tilde = torch.tanh(self.combine(torch.cat([context, states], dim=-1)))  # (B, T, H)
        return self.out(self.drop(tilde))  # (B, T, V)

    def forward(self, src: Tensor, tgt_in: Tensor) -> Tensor:
        state = self.encode(src)
        emb = self.drop(self.embed(tgt_in))  # (B, T, E)
        states, _ = self.gru(emb, state["h"].unsqueeze(0))  # (B, T, H)
        return self._attend(states, state["memory"], state["mask"])  # (B, T, V)

    def step(self, state: State, tokens: Tensor) -> tuple[Tensor, State]:
        emb = self.embed(tokens).unsqueeze(1)  # (B, 1, E)
        out, h = self.gru(emb, state["h"].unsqueeze(0))  # (B, 1, H), (1, B, H)
        logits = self._attend(out, state["memory"], state["mask"])[:, 0]  # (B, V)
        return logits, {**state, "h": h[0]}


class PlainGRU(_GRUSeq2Seq):
    """The GRU encoder-decoder without attention (Cho et al. 2014; Sutskever et al. 2014).

    The source reaches the decoder only through its initial state:
    h_t = GRU(E y_{t-1}, h_{t-1}), h_0 = tanh(W [h→_S; h←_1]); logits = W_s tanh(W_o h_t).
    The baseline that shows what attention buys.

    Shapes: src (B, S), tgt_in (B, T) -> logits (B, T, V).
    """

    def __init__(self, src_vocab: int, tgt_vocab: int, **options: Any) -> None:
        self._refuse_competitive(
            str(options.get("attention", "softmax")), "rnn-none (no attention)"
        )
        super().__init__(src_vocab, tgt_vocab, **options)
        H, E = self.hidden_dim, self.embed.embedding_dim
        self.gru = nn.GRU(E, H, batch_first=True)
        self.readout = nn.Linear(H, H)
        self.out = nn.Linear(H, tgt_vocab)

    def encode(self, src: Tensor) -> State:
        _, h = self.encoder(src, self.source_mask(src))  # (B, H)
        return {"h": h}

    def forward(self, src: Tensor, tgt_in: Tensor) -> Tensor:
        h = self.encode(src)["h"]  # (B, H)
        states, _ = self.gru(self.drop(self.embed(tgt_in)), h.unsqueeze(0))  # (B, T, H)
        return self.out(self.drop(torch.tanh(self.readout(states))))  # (B, T, V)

    def step(self, state: State, tokens: Tensor) -> tuple[Tensor, State]:
        out, h = self.gru(self.embed(tokens).unsqueeze(1), state["h"].unsqueeze(0))  # (B, 1, H)
        return self.out(torch.tanh(self.readout(out[:, 0]))), {"h": h[0]}  # (B, V)
