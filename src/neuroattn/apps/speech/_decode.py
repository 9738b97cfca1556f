"""Decoding: the translation app's greedy and beam search for LAS; best-path CTC.

:func:`decode_las` runs :func:`neuroattn.apps.translate.greedy_decode` /
:func:`~neuroattn.apps.translate.beam_search` (batched; GNMT length penalty; beam 1 is
greedy) on a listener's state. Those functions take token-id sources and call the
model's ``encode(src)``; :class:`_Listened` adapts a speech batch to that interface: its
"source" is the row index of each utterance (B, 1) and its ``encode`` returns the rows of
the state the listener computed, so the search code is shared, not copied.

:func:`decode_ctc` is best-path decoding (Graves et al. 2006, §3.2): the most probable
label per frame, repeats merged, blanks removed.
"""

from __future__ import annotations

import torch
from torch import Tensor

from ...dynamics.checks import check_integer
from ..translate._base import Seq2Seq, State, select_state
from ..translate._decode import beam_search, greedy_decode
from ..translate._vocab import BOS, EOS, PAD, UNK
from ._models import LAS, CTCRecognizer, frame_mask

__all__ = ["decode_ctc", "decode_las"]


class _Listened(Seq2Seq):
    """A :class:`LAS` bound to one listened batch, with the decoding interface of
    :class:`~neuroattn.apps.translate.Seq2Seq` (source = row index + 1, never padding)."""

    def __init__(self, model: LAS, state: State) -> None:
        super().__init__(5, model.vocab)
        self.model, self.state = model, state

    def encode(self, src: Tensor) -> State:
        return select_state(self.state, src[:, 0] - 1)

    def step(self, state: State, tokens: Tensor) -> tuple[Tensor, State]:
        return self.model.step(state, tokens)


@torch.no_grad()
def decode_las(
    model: LAS, feats: Tensor, lengths: Tensor, *, beam: int = 1, max_len: int
) -> Tensor:
    """Output ids (B, L) of ``model`` for feats (B, T, F) of ``lengths`` (B,), each row
    ending at its first ``<eos>`` (padded after it)."""
    beam = check_integer(beam, "beam", ge=1, le=64)
    state = model.start(model.encode(feats, lengths))
    bound = _Listened(model, state)
    rows = torch.arange(1, feats.shape[0] + 1).unsqueeze(1)  # (B, 1)
    if beam == 1:
        return greedy_decode(bound, rows, max_len=max_len)
    return beam_search(bound, rows, beam=beam, max_len=max_len)


@torch.no_grad()
def decode_ctc(model: CTCRecognizer, feats: Tensor, lengths: Tensor) -> list[list[int]]:
    """Best-path CTC: per utterance the label ids (without blanks and merged repeats)."""
    logp, lens = model(feats, lengths)  # (B, S, V), (B,)
    logp = logp.clone()
    logp[..., [BOS, EOS, UNK]] = float("-inf")  # never emitted; blank is PAD (0)
    best = logp.argmax(dim=-1)  # (B, S)
    best = best.masked_fill(~frame_mask(lens, best.shape[1]), PAD)  # (B, S)
    out = []
    for row in best.tolist():
        ids, prev = [], PAD
        for i in row:
            if i != prev and i != PAD:
                ids.append(i)
            prev = i
        out.append(ids)
    return out
