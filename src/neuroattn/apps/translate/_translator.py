"""A trained model with its vocabularies: text in, text out, alignments and scores."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, overload

import numpy as np
import torch
from torch import Tensor

from ...dynamics.checks import check_integer
from ._base import Seq2Seq
from ._config import TranslateConfig
from ._decode import beam_search, greedy_decode
from ._metrics import Scores, score
from ._vocab import BOS, EOS, PAD, Vocab

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ._data import Pair

__all__ = ["Alignment", "Translator", "pad_ids"]


def pad_ids(rows: Sequence[Sequence[int]]) -> Tensor:
    """Token id lists as one (B, L) int64 tensor, padded with ``<pad>`` (0) on the right."""
    width = max(len(r) for r in rows)
    out = torch.full((len(rows), width), PAD, dtype=torch.long)  # (B, L)
    for i, r in enumerate(rows):
        out[i, : len(r)] = torch.as_tensor(r, dtype=torch.long)
    return out


@dataclass(frozen=True)
class Alignment:
    """Where each output character looked: attention weights of one translation.

    Attributes
    ----------
    source, prediction : str
    source_tokens, target_tokens : tuple of str
        Column and row labels: the characters and ``<eos>``.
    weights : numpy.ndarray, shape (len(target_tokens), len(source_tokens))
        Each row sums to 1 (softmax; with competitive attention to at most 1).
    """

    source: str
    prediction: str
    source_tokens: tuple[str, ...]
    target_tokens: tuple[str, ...]
    weights: np.ndarray

    def plot(self, *, ax: Any = None, title: str | None = None) -> Figure:
        """The weights as a heat map (see :func:`~._plot.plot_alignment`)."""
        from ._plot import plot_alignment

        return plot_alignment(self, ax=ax, title=title)


@dataclass(frozen=True)
class Translator:
    """A translation model ready to use: :meth:`translate`, :meth:`alignment`, :meth:`evaluate`.

    Attributes
    ----------
    model : Seq2Seq
        In evaluation mode.
    src_vocab, tgt_vocab : Vocab
    config : TranslateConfig
        The settings it was trained with (``beam`` is the default beam width).
    max_len : int
        Longest output in characters.
    """

    model: Seq2Seq
    src_vocab: Vocab
    tgt_vocab: Vocab
    config: TranslateConfig
    max_len: int

    def __post_init__(self) -> None:
        self.model.eval()

    def _sources(self, texts: Sequence[str]) -> list[list[int]]:
        return [self.src_vocab.encode(t.strip() if isinstance(t, str) else t) for t in texts]

    def _decode_ids(self, src: Tensor, beam: int) -> Tensor:
        if beam == 1:
            return greedy_decode(self.model, src, max_len=self.max_len)
        return beam_search(self.model, src, beam=beam, max_len=self.max_len)

    @overload
    def translate(  # type: ignore[overload-overlap]
        self, texts: str, *, beam: int | None = ..., batch_size: int = ...
    ) -> str: ...
    @overload
    def translate(
        self, texts: Sequence[str], *, beam: int | None = ..., batch_size: int = ...
    ) -> list[str]: ...

    def translate(
        self, texts: str | Sequence[str], *, beam: int | None = None, batch_size: int = 256
    ) -> str | list[str]:
        """Translate one text (→ str) or many (→ list, in order), in batches.

        ``beam`` defaults to the config's (1: greedy). Surrounding whitespace is dropped.
        Raises ValueError for an empty text or characters outside the source vocabulary
        (the message names them).
        """
        single = isinstance(texts, str)
        items = [texts] if isinstance(texts, str) else list(texts)
        beam = check_integer(self.config.beam if beam is None else beam, "beam", ge=1, le=64)
        batch_size = check_integer(batch_size, "batch_size", ge=1)
        ids = self._sources(items)
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))  # similar lengths together
        out: list[str] = [""] * len(ids)
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            hyps = self._decode_ids(pad_ids([ids[i] for i in chunk]), beam)  # (b, T)
            for i, row in zip(chunk, hyps.tolist(), strict=True):
                out[i] = self.tgt_vocab.decode(row)
        return out[0] if single else out

    def alignment(self, text: str, *, beam: int | None = None) -> Alignment:
        """Translate ``text`` and return the attention weights behind the output.

        ValueError for a model without attention (``rnn-none``).
        """
        prediction = self.translate(text, beam=beam)
        src_ids = self._sources([text])[0]
        tgt_ids = (
            [BOS, *self.tgt_vocab.encode(prediction, unknown="unk")] if prediction else [BOS, EOS]
        )
        weights = self.model.alignments(pad_ids([src_ids]), pad_ids([tgt_ids[:-1]]))  # (1, T, S)
        return Alignment(
            source=text.strip(),
            prediction=prediction,
            source_tokens=tuple(self.src_vocab.tokens(src_ids)),
            target_tokens=tuple(self.tgt_vocab.tokens(tgt_ids[1:])),
            weights=weights[0].float().numpy(),
        )

    def evaluate(self, pairs: Sequence[Pair], *, beam: int | None = None) -> Scores:
        """Exact match, chrF and BLEU of the translations of ``pairs`` against their targets."""
        pairs = list(pairs)
        if not pairs:
            raise ValueError("pairs must not be empty")
        hyps = self.translate([p[0] for p in pairs], beam=beam)
        return score(hyps, [p[1] for p in pairs])
