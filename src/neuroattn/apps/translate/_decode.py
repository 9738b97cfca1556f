"""Batched greedy and beam-search decoding of any :class:`~._base.Seq2Seq` model.

Both return token ids (B, T) without ``<bos>``, each row ending at its first ``<eos>``
and padded with ``<pad>`` after it; neither ever emits ``<pad>`` or ``<bos>`` itself.
Beam search keeps ``beam`` hypotheses per sentence; a finished hypothesis stays in the
beam with its score frozen (it can only be extended by padding at no cost), and the best
is chosen at the end by its log-probability divided by GNMT's length penalty
((5 + |y|) / 6)^α (Wu et al. 2016, eq. 14; α = 0.6 by default as there). With
``beam=1`` the search takes the same top-1 token at each step as :func:`greedy_decode`
and returns the same ids.
"""

from __future__ import annotations

import torch
from torch import Tensor

from ...dynamics.checks import check_integer, check_number
from ._base import Seq2Seq, select_state
from ._vocab import BOS, EOS, PAD

__all__ = ["beam_search", "greedy_decode"]


def _check(model: Seq2Seq, src: Tensor, max_len: int) -> int:
    if not isinstance(model, Seq2Seq):
        raise TypeError(f"model must be a translation model (Seq2Seq), got {type(model).__name__}")
    if not isinstance(src, Tensor) or src.dtype != torch.long or src.ndim != 2:
        raise ValueError(f"src must be a (B, S) tensor of token ids (int64), got {src!r:.80}")
    if src.shape[1] == 0 or bool((src[:, 0] == PAD).any()):
        raise ValueError("src must hold at least one token in every row")
    return check_integer(max_len, "max_len", ge=1)


def _allowed(logp: Tensor) -> Tensor:
    """Log-probabilities (N, V) with ``<pad>`` and ``<bos>`` made impossible (in place)."""
    logp[:, PAD] = float("-inf")
    logp[:, BOS] = float("-inf")
    return logp


@torch.no_grad()
def greedy_decode(model: Seq2Seq, src: Tensor, *, max_len: int) -> Tensor:
    """The most probable next token at each step, for every sentence of src (B, S) at once.

    Returns ids (B, T), T <= ``max_len``.
    """
    max_len = _check(model, src, max_len)
    state = model.encode(src)
    tokens = torch.full((src.shape[0],), BOS, dtype=torch.long, device=src.device)  # (B,)
    done = torch.zeros_like(tokens, dtype=torch.bool)  # (B,)
    out = []
    for _ in range(max_len):
        logits, state = model.step(state, tokens)  # (B, V)
        logp = _allowed(torch.log_softmax(logits.float(), dim=-1))  # (B, V)
        tokens = logp.topk(1, dim=-1).indices[:, 0].masked_fill(done, PAD)  # (B,)
        out.append(tokens)
        done = done | (tokens == EOS)
        if bool(done.all()):
            break
    return torch.stack(out, dim=1)  # (B, T)


@torch.no_grad()
def beam_search(
    model: Seq2Seq, src: Tensor, *, beam: int = 4, max_len: int, alpha: float = 0.6
) -> Tensor:
    """The best of ``beam`` hypotheses per sentence of src (B, S), searched in one batch.

    Parameters
    ----------
    beam : int
        Hypotheses kept per sentence (1: greedy).
    max_len : int
        Longest output in tokens.
    alpha : float
        Exponent of the length penalty (0: raw log-probability).

    Returns ids (B, T), T <= ``max_len``.
    """
    max_len = _check(model, src, max_len)
    K = check_integer(beam, "beam", ge=1)
    alpha = check_number(alpha, "alpha", ge=0)
    B = src.shape[0]
    dev = src.device
    state = select_state(model.encode(src), torch.arange(B, device=dev).repeat_interleave(K))
    scores = torch.full((B, K), float("-inf"), device=dev)  # (B, K)
    scores[:, 0] = 0.0  # the K beams start identical: expand the first only
    tokens = torch.full((B * K,), BOS, dtype=torch.long, device=dev)  # (BK,)
    seqs = torch.zeros(B * K, 0, dtype=torch.long, device=dev)  # (BK, t)
    done = torch.zeros(B * K, dtype=torch.bool, device=dev)  # (BK,)
    base = (torch.arange(B, device=dev) * K).unsqueeze(1)  # (B, 1)
    for _ in range(max_len):
        logits, state = model.step(state, tokens)  # (BK, V)
        logp = _allowed(torch.log_softmax(logits.float(), dim=-1))  # (BK, V)
        V = logp.shape[1]
        logp[done] = float("-inf")
        logp[done, PAD] = 0.0  # a finished hypothesis continues with padding, score frozen
        cand = (scores.reshape(B * K, 1) + logp).reshape(B, K * V)  # (B, K·V)
        top = cand.topk(K, dim=-1)  # (B, K)
        rows = (base + torch.div(top.indices, V, rounding_mode="floor")).reshape(-1)  # (BK,)
        tokens = (top.indices % V).reshape(-1)  # (BK,)
        state = select_state(state, rows)
        seqs = torch.cat([seqs[rows], tokens.unsqueeze(1)], dim=1)  # (BK, t + 1)
        done = done[rows] | (tokens == EOS)  # (BK,)
        scores = top.values  # (B, K)
        if bool(done.all()):
            break
    lengths = (seqs != PAD).sum(dim=1).reshape(B, K).float()  # (B, K)
    penalty = ((5.0 + lengths) / 6.0) ** alpha  # (B, K)
    best = (scores / penalty).argmax(dim=1)  # (B,)
    return seqs.reshape(B, K, -1)[torch.arange(B, device=dev), best]  # (B, T)
