"""The second encoder (conv subsampling + Transformer layers) and the multi-head speller,
against plain references: torch's own convolutions, ``nn.TransformerEncoderLayer`` and
``nn.MultiheadAttention`` with the same weights, and the published sinusoid formula."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from neuroattn.apps.speech import ENCODERS, LAS, ConvTransformer, build_encoder, decode_las
from neuroattn.apps.translate import EOS, PAD
from neuroattn.nn import record_attention


def _batch(lengths: list[int], feats: int = 12) -> tuple[torch.Tensor, torch.Tensor]:
    torch.manual_seed(0)
    x = torch.zeros(len(lengths), max(lengths), feats)
    for i, n in enumerate(lengths):
        x[i, :n] = torch.randn(n, feats)
    return x, torch.tensor(lengths)


def _conv_out(n: int) -> int:
    """Output size of a 3-wide, stride-2, padding-1 convolution (torch's Conv2d formula)."""
    return (n + 2 * 1 - 3) // 2 + 1


def _sinusoids(length: int, dim: int) -> np.ndarray:
    """PE(pos, 2i) = sin(pos / 10000^(2i/d)), PE(pos, 2i+1) = cos(...) (Vaswani 2017, §3.5)."""
    pe = np.zeros((length, dim))
    for pos in range(length):
        for i in range(0, dim, 2):
            pe[pos, i] = math.sin(pos / 10000 ** (i / dim))
            if i + 1 < dim:
                pe[pos, i + 1] = math.cos(pos / 10000 ** (i / dim))
    return pe


def _torch_layer(block: nn.Module, d: int, heads: int, ffn: int) -> nn.TransformerEncoderLayer:
    """torch's pre-LN encoder layer holding the weights of one of our blocks."""
    ref = nn.TransformerEncoderLayer(
        d, heads, ffn, dropout=0.0, activation="gelu", batch_first=True, norm_first=True
    )
    ref.self_attn.load_state_dict(block.self_attn.state_dict())
    ref.linear1.load_state_dict(block.ffn[0].state_dict())
    ref.linear2.load_state_dict(block.ffn[2].state_dict())
    ref.norm1.load_state_dict(block.norm1.state_dict())
    ref.norm2.load_state_dict(block.norm3.state_dict())
    return ref


def test_conv_transformer_matches_a_plain_reference_per_utterance() -> None:
    torch.manual_seed(4)
    d, heads, ffn = 16, 2, 24
    enc = ConvTransformer(12, d, layers=2, heads=heads, ffn_dim=ffn, dropout=0.0).eval()
    x, lengths = _batch([23, 9, 14])
    out, lens = enc(x, lengths)
    expected = [_conv_out(_conv_out(n)) for n in (23, 9, 14)]
    assert lens.tolist() == expected and out.shape == (3, max(expected), d)
    assert enc.stride == 4 and enc.out_dim == d
    layers = [_torch_layer(b, d, heads, ffn) for b in enc.blocks]
    for i, n in enumerate([23, 9, 14]):
        h = F.relu(F.conv2d(x[i : i + 1, :n].unsqueeze(1), enc.conv1.weight, enc.conv1.bias, 2, 1))
        h = F.relu(F.conv2d(h, enc.conv2.weight, enc.conv2.bias, 2, 1))  # (1, C, S, F/4)
        h = h.permute(0, 2, 1, 3).flatten(2) @ enc.proj.weight.T + enc.proj.bias  # (1, S, D)
        h = h * math.sqrt(d) + torch.tensor(_sinusoids(h.shape[1], d), dtype=torch.float32)
        for layer in layers:  # grad enabled: torch's slow path, the textbook equations
            h = layer(h)
        h = enc.norm(h)
        torch.testing.assert_close(out[i, : lens[i]], h[0].detach(), atol=2e-5, rtol=1e-4)


@pytest.mark.parametrize("encoder", ["bigru", "conv-transformer"])
@pytest.mark.parametrize("attention", ["additive", "multihead"])
def test_las_with_either_encoder_masks_padding(encoder: str, attention: str) -> None:
    torch.manual_seed(5)
    model = LAS(12, 9, encoder=encoder, attention=attention, location=attention == "additive",
                hidden_dim=16, embed_dim=4, pyramid=2, heads=2, ffn_dim=24,
                dropout=0.0).eval()  # fmt: skip
    x, lengths = _batch([15, 6])
    tgt = torch.tensor([[1, 4, 5, 6], [1, 7, 8, 0]])
    with torch.no_grad(), record_attention(model) as rec:
        logits = model(x, lengths, tgt)
    weights = model.alignment_weights(rec["attention"])  # (B, L, S)
    S = -(-15 // 4)  # both encoders: ceil(T / 4)
    assert logits.shape == (2, 4, 9) and weights.shape == (2, 4, S) and model.stride == 4
    torch.testing.assert_close(weights.sum(-1), torch.ones(2, 4))
    assert torch.all(weights[1, :, 2:] == 0)  # the short utterance: 6 frames -> 2 states
    with torch.no_grad():
        alone = model(x[1:, :6], lengths[1:], tgt[1:])
    torch.testing.assert_close(alone, logits[1:], atol=1e-5, rtol=1e-4)


def test_multihead_speller_step_matches_torch_attention() -> None:
    torch.manual_seed(6)
    model = LAS(12, 9, attention="multihead", hidden_dim=16, embed_dim=4, pyramid=1, heads=4,
                dropout=0.0, location=False).eval()  # fmt: skip
    x, lengths = _batch([11, 5])
    tokens = torch.tensor([1, 1])
    with torch.no_grad():
        state = model.encode(x, lengths)
        logits, _ = model.step(state, tokens)
        ref = nn.MultiheadAttention(16, 4, kdim=16, vdim=16, batch_first=True).eval()
        ref.load_state_dict(model.attention.state_dict())
        memory, mask = state["memory"], state["mask"]
        m = mask.unsqueeze(-1).float()
        s0 = torch.tanh(model.bridge((memory * m).sum(1) / m.sum(1)))  # (B, H)
        c, _ = ref(s0.unsqueeze(1), memory, memory, key_padding_mask=~mask)  # (B, 1, H)
        emb = model.embed(tokens)
        h = model.cell(torch.cat([emb, c[:, 0]], -1), s0)
        f = torch.tanh(model.readout(torch.cat([h, c[:, 0], emb], -1)))
        torch.testing.assert_close(logits, model.out(f), atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize(
    "options",
    [{"encoder": "conv-transformer"}, {"attention": "multihead", "location": False}],
    ids=["conv-transformer", "multihead"],
)
def test_beam_one_equals_greedy_for_the_new_options(options: dict) -> None:
    torch.manual_seed(7)
    model = LAS(12, 9, hidden_dim=16, embed_dim=4, pyramid=1, heads=2, ffn_dim=24,
                dropout=0.0, **options).eval()  # fmt: skip
    x, lengths = _batch([21, 9, 14])
    greedy = decode_las(model, x, lengths, beam=1, max_len=7)
    from neuroattn.apps.speech._decode import _Listened
    from neuroattn.apps.translate import beam_search

    bound = _Listened(model, model.start(model.encode(x, lengths)))
    rows = torch.arange(1, 4).unsqueeze(1)
    assert torch.equal(beam_search(bound, rows, beam=1, max_len=7), greedy)
    beamed = decode_las(model, x, lengths, beam=3, max_len=7)
    one = decode_las(model, x[1:2, :9], lengths[1:2], beam=3, max_len=7)
    assert beamed[1, : one.shape[1]].tolist() == one[0].tolist()
    assert not bool(((greedy == PAD) & (torch.cumsum(greedy == EOS, 1) == 0)).any())


def test_bad_encoder_and_attention_options() -> None:
    assert list(ENCODERS) == ["bigru", "conv-transformer"]
    with pytest.raises(ValueError, match="encoder must be one of 'bigru', 'conv-transformer'"):
        build_encoder("lstm", 12)
    with pytest.raises(ValueError, match="encoder must be one of"):
        LAS(12, 9, encoder="conformer")
    with pytest.raises(ValueError, match=r"attention must be one of .*'multihead'"):
        LAS(12, 9, attention="dot")
    with pytest.raises(ValueError, match="heads must divide hidden_dim = 16, got 3"):
        LAS(12, 9, hidden_dim=16, attention="multihead", heads=3)
    with pytest.raises(ValueError, match="heads must divide hidden_dim = 16, got 3"):
        ConvTransformer(12, 16, heads=3)
    with pytest.raises(ValueError, match="location must be False with attention 'multihead'"):
        LAS(12, 9, attention="multihead", location=True)
    with pytest.raises(ValueError, match="layers must be"):
        build_encoder("conv-transformer", 12, layers=0)
    with pytest.raises(ValueError, match="heads must be a positive integer"):
        ConvTransformer(12, 16, heads=2.5)  # type: ignore[arg-type]


def test_alignment_of_a_conv_transformer_multihead_recognizer() -> None:
    from neuroattn.apps.speech import Recognizer, SpeechConfig, build_model, log_mel
    from neuroattn.apps.translate import Vocab

    torch.manual_seed(8)
    cfg = SpeechConfig(
        encoder="conv-transformer", attention="multihead", location=False, n_mels=16,
        hidden_dim=16, heads=2, ffn_dim=24, layers=1, embed_dim=4,
    )  # fmt: skip
    vocab = Vocab.build(["one two", "three"])
    rec = Recognizer(build_model(cfg, len(vocab)), vocab, cfg, max_len=6)
    audio = np.random.default_rng(0).normal(0, 0.1, 8000)  # 0.5 s
    frames = log_mel(audio, n_mels=16).shape[0]
    align = rec.alignment(audio)
    assert align.stride == 4 and align.spectrogram.shape == (frames, 16)
    assert align.weights.shape == (len(align.tokens), -(-frames // 4))
    np.testing.assert_allclose(align.weights.sum(axis=1), 1.0, rtol=1e-5)
