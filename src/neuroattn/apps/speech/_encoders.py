"""Encoders ("listeners"): feature frames in, fewer, wider states out, by name.

``"bigru"`` — :class:`Listener`, the pyramidal BiGRU of Listen, Attend and Spell (Chan,
Jaitly, Le & Vinyals 2016, §3.1): a BiGRU over the frames, then ``pyramid`` BiGRU layers
each reading pairs of consecutive outputs concatenated,
h^j_i = BiGRU(h^j_{i-1}, [h^{j-1}_{2i}; h^{j-1}_{2i+1}]), so time halves per layer (the
paper uses BLSTMs and 3 layers; ours GRUs, a configurable count).

``"conv-transformer"`` — :class:`ConvTransformer`: two 3×3 convolutions of stride 2 over
(time, frequency), each followed by a ReLU, so time shrinks 4× (Dong, Xu & Xu 2018,
"Speech-Transformer", §3.1; Karita et al. 2019's ESPnet ``Conv2dSubsampling``), a linear
map of channels × frequencies to the width d, scaled by √d with sinusoidal positions added
(Vaswani et al. 2017, §3.5; the √d as ESPnet does it), then ``layers`` Transformer encoder
layers — translation's pre-LN :class:`~neuroattn.apps.translate._transformer.TransformerBlock`
(self-attention with :class:`~neuroattn.nn.MultiHeadAttention`, GELU feed-forward) — and a
final LayerNorm. Ours: padding 1 in both convolutions (frames ceil(T/2), then again), and
frames past an utterance's length zeroed after each convolution, so an utterance gives the
same states alone or padded in a batch.

Every encoder maps feats (B, T, F), lengths (B,) to states (B, S, out_dim) and lengths
(B,), with ``stride`` input frames per state (S = ceil(T / stride)).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from ...dynamics.checks import check_choice, check_integer, check_probability
from ...nn import MultiHeadAttention
from ..translate._transformer import TransformerBlock, sinusoids

__all__ = ["ENCODERS", "ConvTransformer", "Encoder", "Listener", "build_encoder", "frame_mask"]


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


class Encoder(nn.Module):
    """Base of the encoders: ``out_dim`` features per state, ``stride`` frames per state."""

    out_dim: int
    stride: int

    def forward(self, feats: Tensor, lengths: Tensor) -> tuple[Tensor, Tensor]:
        raise NotImplementedError


class Listener(Encoder):
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
        self.stride = 2**pyramid

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


class ConvTransformer(Encoder):
    """Convolutional 4× subsampling and Transformer encoder layers (see the module docstring).

    Shapes: feats (B, T, F), lengths (B,) -> states (B, ceil(ceil(T/2)/2), hidden_dim),
    lengths (B,); padding frames are masked out of the self-attention.
    """

    CHANNELS = 32  # convolution channels (ours; ESPnet uses the model width)

    def __init__(
        self,
        n_feats: int,
        hidden_dim: int,
        *,
        layers: int = 2,
        heads: int = 4,
        ffn_dim: int = 256,
        dropout: float = 0.1,
    ) -> None:
        super().__init__()
        d = check_integer(hidden_dim, "hidden_dim", ge=2)
        n = check_integer(layers, "layers", ge=1, le=24)
        heads = check_integer(heads, "heads", ge=1)
        if d % heads:
            raise ValueError(f"heads must divide hidden_dim = {d}, got {heads}")
        ffn = check_integer(ffn_dim, "ffn_dim", ge=1)
        dropout = check_probability(dropout, "dropout")
        C = self.CHANNELS
        self.conv1 = nn.Conv2d(1, C, kernel_size=3, stride=2, padding=1)
        self.conv2 = nn.Conv2d(C, C, kernel_size=3, stride=2, padding=1)
        freqs = (check_integer(n_feats, "n_feats", ge=1) + 3) // 4  # ceil(ceil(F/2)/2)
        self.proj = nn.Linear(C * freqs, d)
        self.blocks = nn.ModuleList(
            TransformerBlock(d, heads, ffn, dropout, cross=False, mha=MultiHeadAttention)
            for _ in range(n)
        )
        self.norm = nn.LayerNorm(d)
        self.drop = nn.Dropout(dropout)
        self.out_dim, self.stride, self.d = d, 4, d

    @staticmethod
    def _halve(x: Tensor, lengths: Tensor, conv: nn.Module) -> tuple[Tensor, Tensor]:
        """ReLU(conv(x)) of x (B, C, T, F), frames past the new lengths set to zero."""
        x = torch.relu(conv(x))  # (B, C', ceil(T/2), ceil(F/2))
        lengths = torch.div(lengths + 1, 2, rounding_mode="floor")
        keep = frame_mask(lengths, x.shape[2]).to(x.dtype)  # (B, T')
        return x * keep[:, None, :, None], lengths

    def forward(self, feats: Tensor, lengths: Tensor) -> tuple[Tensor, Tensor]:
        x = feats * frame_mask(lengths, feats.shape[1]).unsqueeze(-1).to(feats.dtype)
        x, lens = self._halve(x.unsqueeze(1), lengths, self.conv1)  # (B, C, T/2, F/2)
        x, lens = self._halve(x, lens, self.conv2)  # (B, C, S, F/4)
        B, C, S, Fq = x.shape
        x = self.proj(x.permute(0, 2, 1, 3).reshape(B, S, C * Fq))  # (B, S, D)
        x = self.drop(x * math.sqrt(self.d) + sinusoids(S, self.d, x.device))  # (B, S, D)
        pad = frame_mask(lens, S)  # (B, S) True at real frames
        for block in self.blocks:
            x = block(x, pad, None, None)  # (B, S, D)
        return self.norm(x), lens


EncoderFactory = Callable[..., Encoder]
ENCODERS: dict[str, EncoderFactory] = {
    "bigru": lambda n_feats, *, hidden_dim, pyramid, dropout, **_: Listener(
        n_feats, hidden_dim, pyramid, dropout
    ),
    "conv-transformer": lambda n_feats, *, hidden_dim, layers, heads, ffn_dim, dropout, **_: (
        ConvTransformer(
            n_feats, hidden_dim, layers=layers, heads=heads, ffn_dim=ffn_dim, dropout=dropout
        )
    ),
}
"""The encoders by name: each a factory ``(n_feats, *, hidden_dim, pyramid, layers, heads,
ffn_dim, dropout)`` taking the options it uses."""


def build_encoder(
    name: str,
    n_feats: int,
    *,
    hidden_dim: int = 128,
    pyramid: int = 2,
    layers: int = 2,
    heads: int = 4,
    ffn_dim: int = 256,
    dropout: float = 0.1,
) -> Encoder:
    """The encoder called ``name`` (a key of :data:`ENCODERS`; ValueError listing them).

    ``pyramid`` is the BiGRU's count of halvings; ``layers``, ``heads`` and ``ffn_dim`` are
    the conv-Transformer's. The module has ``out_dim`` and ``stride`` attributes.
    """
    factory = ENCODERS[check_choice(name, "encoder", list(ENCODERS))]
    return factory(
        n_feats,
        hidden_dim=hidden_dim,
        pyramid=pyramid,
        layers=layers,
        heads=heads,
        ffn_dim=ffn_dim,
        dropout=dropout,
    )
