"""A trained recogniser with its vocabulary: audio in, text out, alignments and scores."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, overload

import numpy as np
import torch
from torch import Tensor

from ...dynamics.checks import check_integer
from ..translate._vocab import BOS, EOS, Vocab
from ._config import SpeechConfig
from ._decode import decode_ctc, decode_las
from ._frontend import features, log_mel
from ._metrics import ErrorRates, error_rates
from ._models import LAS, CTCRecognizer

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ._data import Sample

__all__ = ["Alignment", "Recognizer", "batch_features"]


def batch_features(feats: Sequence[np.ndarray]) -> tuple[Tensor, Tensor]:
    """Feature arrays (T_i, F) as one zero-padded (B, T, F) float tensor and lengths (B,)."""
    lengths = torch.tensor([f.shape[0] for f in feats], dtype=torch.long)  # (B,)
    out = torch.zeros(len(feats), int(lengths.max()), feats[0].shape[1])  # (B, T, F)
    for i, f in enumerate(feats):
        out[i, : f.shape[0]] = torch.from_numpy(f)
    return out, lengths


@dataclass(frozen=True)
class Alignment:
    """Where each output character listened: the speller's attention over the listener's
    frames, and the log-mel spectrogram it stands on.

    ``weights`` (len(tokens), S) with S = ceil(T / stride); ``spectrogram`` (T, n_mels);
    ``stride`` frames (10 ms each) per listener step.
    """

    prediction: str
    tokens: tuple[str, ...]
    weights: np.ndarray
    spectrogram: np.ndarray
    stride: int

    def plot(self, *, title: str | None = None) -> Figure:
        from ._plot import plot_alignment

        return plot_alignment(self, title=title)


@dataclass(frozen=True)
class Recognizer:
    """A speech model ready to use: :meth:`transcribe`, :meth:`alignment`, :meth:`evaluate`."""

    model: LAS | CTCRecognizer
    vocab: Vocab
    config: SpeechConfig
    max_len: int

    def __post_init__(self) -> None:
        self.model.eval()

    def _features(self, audio: np.ndarray) -> np.ndarray:
        return features(audio, frontend=self.config.frontend, n_mels=self.config.n_mels)

    def decode_features(self, feats: Sequence[np.ndarray], *, beam: int = 1) -> list[str]:
        """Transcripts of feature arrays (T_i, F), decoded together."""
        x, lengths = batch_features(feats)
        if isinstance(self.model, CTCRecognizer):
            return [self.vocab.decode(ids) for ids in decode_ctc(self.model, x, lengths)]
        ids = decode_las(self.model, x, lengths, beam=beam, max_len=self.max_len)
        return [self.vocab.decode(row) for row in ids.tolist()]

    @overload
    def transcribe(
        self, audio: np.ndarray, *, beam: int | None = ..., batch_size: int = ...
    ) -> str: ...
    @overload
    def transcribe(
        self, audio: Sequence[np.ndarray], *, beam: int | None = ..., batch_size: int = ...
    ) -> list[str]: ...

    def transcribe(
        self,
        audio: np.ndarray | Sequence[np.ndarray],
        *,
        beam: int | None = None,
        batch_size: int = 64,
    ) -> str | list[str]:
        """The text of one 16 kHz waveform (N,) (→ str) or of several (→ list, in order).

        ``beam`` defaults to the config's (1: greedy). Raises ValueError for a waveform that
        is not 1-D and finite, or an empty list.
        """
        single = isinstance(audio, np.ndarray) and audio.ndim == 1
        items = [audio] if single else list(audio)
        if not items:
            raise ValueError("audio must hold at least one waveform")
        beam = check_integer(self.config.beam if beam is None else beam, "beam", ge=1, le=64)
        batch_size = check_integer(batch_size, "batch_size", ge=1)
        feats = [self._features(np.asarray(a)) for a in items]
        order = sorted(range(len(feats)), key=lambda i: feats[i].shape[0])
        out = [""] * len(feats)
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            for i, text in zip(
                chunk, self.decode_features([feats[i] for i in chunk], beam=beam), strict=True
            ):
                out[i] = text
        return out[0] if single else out

    def alignment(self, audio: np.ndarray, *, beam: int | None = None) -> Alignment:
        """Transcribe ``audio`` and return the attention weights behind each character.

        ValueError for a model without attention (CTC).
        """
        if not isinstance(self.model, LAS):
            raise ValueError("a CTC model has no attention to show; train model = 'las'")
        from ...nn import record_attention

        text = self.transcribe(audio, beam=beam)
        feats = self._features(np.asarray(audio))
        ids = [BOS, *self.vocab.encode(text, unknown="unk")] if text.strip() else [BOS, EOS]
        x, lengths = batch_features([feats])
        with torch.no_grad(), record_attention(self.model) as record:
            self.model(x, lengths, torch.tensor([ids[:-1]]))
        weights = self.model.alignment_weights(record["attention"])[0]  # (L, S)
        return Alignment(
            prediction=text,
            tokens=tuple(self.vocab.tokens(ids[1:])),
            weights=weights.float().numpy(),
            spectrogram=log_mel(np.asarray(audio, dtype=np.float64), n_mels=self.config.n_mels),
            stride=self.model.stride,
        )

    def evaluate(self, samples: Sequence[Sample], *, beam: int | None = None) -> ErrorRates:
        """WER, CER and exact share of the transcripts of ``samples``."""
        samples = list(samples)
        if not samples:
            raise ValueError("samples must not be empty")
        hyps = self.transcribe([s.audio for s in samples], beam=beam)
        return error_rates(hyps, [s.text for s in samples])
