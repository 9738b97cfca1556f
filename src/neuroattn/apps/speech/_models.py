"""Recognisers: a pyramidal BiGRU listener with an attending speller (LAS), and CTC.

Listener (Chan, Jaitly, Le & Vinyals 2016, "Listen, Attend and Spell", §3.1): a BiGRU over
the feature frames, then ``pyramid`` BiGRU layers each reading pairs of consecutive
outputs concatenated, h^j_i = BiGRU(h^j_{i-1}, [h^{j-1}_{2i}; h^{j-1}_{2i+1}]), so time
halves per layer (the paper uses BLSTMs and 3 layers; ours GRUs, a configurable count).

Speller (:class:`LAS`): the Bahdanau decoder of the translation app with the listener in
place of its text encoder: c_i = Σ_j α_ij h_j, α_i = softmax(e_i) with additive scores
e_ij = vᵀ tanh(W s_{i-1} + U h_j [+ U_f f_ij]) where the optional location term
f_i = F * α_{i-1} convolves the previous weights (Chorowski et al. 2015, "Attention-based
models for speech recognition", eq. 8-9), or Luong's "general" score on the new state
(then without location). s_i = GRU([E y_{i-1}; c_i], s_{i-1}); logits = W_o tanh(L [s_i;
c_i; E y_{i-1}]). s_0 = tanh(W_b mean_j h_j) (ours).

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
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from ...dynamics.checks import check_choice, check_integer, check_probability
from ...nn import AdditiveAttention, LuongAttention
from ..translate._base import State
from ..translate._vocab import PAD

__all__ = ["ATTENTIONS", "LAS", "MODELS", "CTCRecognizer", "Listener", "frame_mask"]

ATTENTIONS = ("additive", "luong")


def frame_mask(lengths: Tensor, width: int) -> Tensor:
    """True at real frames: lengths (B,) -> (B, width) bool."""
    return torch.arange(width, device=lengths.device).unsqueeze(0) < lengths.unsqueeze(1)


def _bigru(x: Tensor, lengths: Tensor, gru: nn.Module) -> Tensor:
    packed = pack_padded_sequence(
        x, lengths.clamp_min(1).cpu(), batch_first=True, enforce_sorted=False
    )
    out, _ = gru(packed)
    states, _ = pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])
    return states  # (B, T, 2·half)


class Listener(nn.Module):
    """Pyramidal BiGRU: feats (B, T, F), lengths (B,) -> states (B, T / 2^p, K), lengths."""

    def __init__(self, n_feats: int, hidden_dim: int, pyramid: int, dropout: float) -> None:
        super().__init__()
        half = check_integer(hidden_dim, "hidden_dim", ge=2) // 2
        self.pyramid = check_integer(pyramid, "pyramid", ge=0, le=5)
        self.first = nn.GRU(n_feats, half, batch_first=True, bidirectional=True)
        self.layers = nn.ModuleList(
            nn.GRU(4 * half, half, batch_first=True, bidirectional=True) for _ in range(pyramid)
        )
        self.drop = nn.Dropout(dropout)
        self.out_dim = 2 * half

    def forward(self, feats: Tensor, lengths: Tensor) -> tuple[Tensor, Tensor]:
        h = _bigru(feats, lengths, self.first)  # (B, T, K)
        for gru in self.layers:
            B, T, K = h.shape
            if T % 2:
                h = torch.cat([h, h.new_zeros(B, 1, K)], dim=1)  # (B, T + 1, K)
            h = h.reshape(B, -1, 2 * K)  # (B, T / 2, 2K)
            lengths = torch.div(lengths + 1, 2, rounding_mode="floor")
            h = _bigru(self.drop(h), lengths, gru)  # (B, T / 2, K)
        return h, lengths


class _Recognizer(nn.Module):
    """Shared: the listener, the vocabulary size, and the model's name."""

    name = ""

    def __init__(
        self, n_feats: int, vocab: int, *, hidden_dim: int, pyramid: int, dropout: float
    ) -> None:
        super().__init__()
        self.vocab = check_integer(vocab, "vocab", ge=5)
        self.n_feats = check_integer(n_feats, "n_feats", ge=1)
        dropout = check_probability(dropout, "dropout")
        self.listener = Listener(n_feats, hidden_dim, pyramid, dropout)
        self.drop = nn.Dropout(dropout)
        self.hidden_dim = hidden_dim


class LAS(_Recognizer):
    """Listen, attend and spell; see the module docstring for the equations.

    Shapes: feats (B, T, F), lengths (B,), tgt_in (B, L) -> logits (B, L, V). The attention
    layer (``"attention"``) records one (B, S) weight row per output step.
    """

    name = "las"
    alignment_layer = "attention"

    def __init__(
        self,
        n_feats: int,
        vocab: int,
        *,
        hidden_dim: int = 128,
        embed_dim: int = 32,
        pyramid: int = 3,
        dropout: float = 0.1,
        attention: str = "additive",
        location: bool = False,
        ctc_head: bool = False,
    ) -> None:
        super().__init__(n_feats, vocab, hidden_dim=hidden_dim, pyramid=pyramid, dropout=dropout)
        self.kind = check_choice(attention, "attention", ATTENTIONS)
        if location and attention != "additive":
            raise ValueError("location must be False with attention 'luong' (additive only)")
        self.location = bool(location)
        H, K = self.hidden_dim, self.listener.out_dim
        E = check_integer(embed_dim, "embed_dim", ge=1)
        self.embed = nn.Embedding(vocab, E, padding_idx=PAD)
        self.bridge = nn.Linear(K, H)
        if attention == "additive":
            self.attention: nn.Module = AdditiveAttention(H, K, H)
        else:
            self.attention = LuongAttention(H, K, score="general")
        if self.location:
            self.loc_conv = nn.Conv1d(1, 8, kernel_size=15, padding=7, bias=False)  # F
            self.loc_proj = nn.Linear(8, H, bias=False)  # U_f
        self.cell = nn.GRUCell(E + K, H)
        self.readout = nn.Linear(H + K + E, H)
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

    def _context(self, state: State, query: Tensor) -> tuple[Tensor, Tensor]:
        if self.kind == "luong":
            return self.attention(query, state["memory"], mask=state["mask"])  # (B, K), (B, S)
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
        hidden_dim: int = 128,
        pyramid: int = 2,
        dropout: float = 0.1,
        **_: object,
    ) -> None:
        super().__init__(n_feats, vocab, hidden_dim=hidden_dim, pyramid=pyramid, dropout=dropout)
        self.out = nn.Linear(self.listener.out_dim, vocab)

    def forward(self, feats: Tensor, lengths: Tensor) -> tuple[Tensor, Tensor]:
        memory, lens = self.listener(feats, lengths)  # (B, S, K), (B,)
        return torch.log_softmax(self.out(self.drop(memory)), dim=-1), lens  # (B, S, V), (B,)


MODELS: dict[str, type[_Recognizer]] = {"las": LAS, "ctc": CTCRecognizer}
