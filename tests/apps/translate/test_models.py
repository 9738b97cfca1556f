"""Models: shapes, padding masks (through the recorded weights), stepwise = teacher-forced,
and decoding (beam width 1 = greedy; a wide beam finds the exhaustive optimum)."""

from __future__ import annotations

import itertools

import pytest

torch = pytest.importorskip("torch")

import neuroattn.nn as nna  # noqa: E402
from neuroattn.apps.translate import (  # noqa: E402
    BOS,
    EOS,
    MODELS,
    PAD,
    beam_search,
    build_model,
    greedy_decode,
)

SMALL = {"embed_dim": 8, "hidden_dim": 16, "dropout": 0.0}
VARIANTS = [
    ("rnn-bahdanau", "softmax"),
    ("rnn-bahdanau", "competitive"),
    ("rnn-luong", "softmax"),
    ("rnn-luong", "competitive"),
    ("rnn-none", "softmax"),
    ("transformer", "softmax"),
    ("transformer", "competitive"),
]
ATTENDING = [v for v in VARIANTS if v[0] != "rnn-none"]


def _model(name: str, attention: str = "softmax", src: int = 12, tgt: int = 9, seed: int = 0):
    torch.manual_seed(seed)
    extra = {"layers": 2, "heads": 2, "ffn_dim": 16} if name == "transformer" else {}
    return build_model(name, src, tgt, attention=attention, **SMALL, **extra).eval()


def _padded_batch(vocab: int = 12) -> torch.Tensor:
    g = torch.Generator().manual_seed(1)
    src = torch.randint(4, vocab, (3, 7), generator=g)  # (B, S)
    src[1, 4:] = PAD
    src[2, 2:] = PAD
    return src


@pytest.mark.parametrize(("name", "attention"), VARIANTS)
def test_shapes(name: str, attention: str) -> None:
    model = _model(name, attention)
    src = _padded_batch()
    tgt_in = torch.randint(3, 9, (3, 5))
    assert model(src, tgt_in).shape == (3, 5, 9)
    logits, state = model.step(model.encode(src), torch.full((3,), BOS))
    assert logits.shape == (3, 9)
    assert all(v.shape[0] == 3 for v in state.values())


@pytest.mark.parametrize(("name", "attention"), ATTENDING)
def test_padding_is_never_attended(name: str, attention: str) -> None:
    model = _model(name, attention)
    src = _padded_batch()
    with nna.record_attention(model) as record:
        model(src, torch.randint(3, 9, (3, 5)))
    pad = src == PAD  # (B, S)
    checked = 0
    for layer, calls in record.weights.items():
        for w in calls:
            if w.shape[-1] != src.shape[1] or ("self_attn" in layer and "decoder" in layer):
                continue  # decoder self-attention attends over targets
            w = w.reshape(w.shape[0], -1, w.shape[-1])  # (B, [H·][T], S): batch first, keys last
            assert torch.all(w.masked_select(pad.unsqueeze(1).expand_as(w)) == 0), layer
            assert torch.all(w.masked_select(~pad.unsqueeze(1).expand_as(w)) > 0), layer
            checked += 1
    assert checked > 0
    align = model.alignments(src, torch.randint(3, 9, (3, 5)))  # (B, T, S)
    assert align.shape == (3, 5, 7)
    assert torch.all(align[pad.unsqueeze(1).expand_as(align)] == 0)
    if attention == "softmax":
        torch.testing.assert_close(align.sum(-1), torch.ones(3, 5))


@pytest.mark.parametrize(("name", "attention"), VARIANTS)
def test_padding_does_not_change_the_output(name: str, attention: str) -> None:
    model = _model(name, attention)
    src = _padded_batch()
    tgt_in = torch.randint(3, 9, (3, 5))
    batched = model(src, tgt_in)
    alone = model(src[2:, :2], tgt_in[2:])  # the short sentence without its padding
    torch.testing.assert_close(batched[2:], alone, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize(("name", "attention"), VARIANTS)
def test_stepwise_decoding_matches_teacher_forcing(name: str, attention: str) -> None:
    model = _model(name, attention)
    src = _padded_batch()
    tgt_in = torch.cat([torch.full((3, 1), BOS), torch.randint(3, 9, (3, 4))], dim=1)
    forced = model(src, tgt_in)  # (B, T, V)
    state, steps = model.encode(src), []
    for t in range(tgt_in.shape[1]):
        logits, state = model.step(state, tgt_in[:, t])
        steps.append(logits)
    torch.testing.assert_close(torch.stack(steps, 1), forced, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize(("name", "attention"), VARIANTS)
def test_beam_width_one_equals_greedy(name: str, attention: str) -> None:
    for seed in range(3):
        model = _model(name, attention, seed=seed)
        src = _padded_batch()
        greedy = greedy_decode(model, src, max_len=12)
        assert torch.equal(beam_search(model, src, beam=1, max_len=12), greedy)
        assert not torch.any(greedy == BOS)
        ended = (greedy == EOS).cumsum(1) - (greedy == EOS).long()  # after the first <eos>
        assert torch.all(greedy[ended > 0] == PAD) and torch.all(greedy[ended == 0] != PAD)


@torch.no_grad()
def _logprobs(model, src: torch.Tensor, seqs: list[tuple[int, ...]]) -> list[float]:
    """log p(seq | src) of each sequence, from one teacher-forced forward pass."""
    width = max(len(s) for s in seqs)
    tgt_in = torch.full((len(seqs), width), PAD)
    for i, s in enumerate(seqs):
        tgt_in[i, : len(s)] = torch.tensor([BOS, *s[:-1]])
    logp = torch.log_softmax(model(src.expand(len(seqs), -1), tgt_in).float(), dim=-1)
    return [float(sum(logp[i, t, tok] for t, tok in enumerate(s))) for i, s in enumerate(seqs)]


@pytest.mark.parametrize("name", ["rnn-bahdanau", "transformer"])
def test_a_wide_beam_finds_the_exhaustive_optimum(name: str) -> None:
    """Every output of at most 3 tokens over a 6-token vocabulary, scored by the
    teacher-forced model: the beam (wide enough to be exhaustive) picks the best."""
    tokens = [3, 4, 5, EOS]  # <unk>, two characters, <eos> (never <pad>, <bos>)
    candidates = [s for n in (1, 2, 3) for s in itertools.product(tokens, repeat=n)]
    candidates = [s for s in candidates if EOS not in s[:-1] and (s[-1] == EOS or len(s) == 3)]
    for seed in range(3):
        model = _model(name, tgt=6, seed=seed)
        src = _padded_batch()[:1, :5]
        scores = _logprobs(model, src, candidates)
        best = candidates[max(range(len(candidates)), key=scores.__getitem__)]
        found = beam_search(model, src, beam=64, max_len=3, alpha=0.0)[0].tolist()
        assert tuple(t for t in found if t != PAD) == best


def test_unknown_model_and_misfit_attention() -> None:
    assert set(MODELS) == {"rnn-bahdanau", "rnn-luong", "rnn-none", "transformer"}
    with pytest.raises(ValueError, match="model must be one of 'rnn-bahdanau', 'rnn-luong'"):
        build_model("lstm", 10, 10)
    with pytest.raises(ValueError, match="attention='competitive' does not fit rnn-none"):
        build_model("rnn-none", 10, 10, attention="competitive")
    with pytest.raises(ValueError, match="has no attention"):
        _model("rnn-none").alignments(_padded_batch(), torch.full((3, 2), BOS))
    with pytest.raises(ValueError, match="hidden_dim must be an integer >= 2"):
        build_model("rnn-luong", 10, 10, hidden_dim=1)


def test_bad_decoding_inputs() -> None:
    model = _model("rnn-luong")
    with pytest.raises(ValueError, match="src must be a \\(B, S\\) tensor"):
        greedy_decode(model, torch.ones(3, 4), max_len=5)
    with pytest.raises(ValueError, match="at least one token"):
        greedy_decode(model, torch.zeros(2, 3, dtype=torch.long), max_len=5)
    with pytest.raises(ValueError, match="max_len must be a positive integer"):
        beam_search(model, _padded_batch(), max_len=0)
    with pytest.raises(TypeError, match="model must be a translation model"):
        greedy_decode(torch.nn.Linear(2, 2), _padded_batch(), max_len=5)  # type: ignore[arg-type]


def test_transformer_embeddings_are_scaled_to_unit_variance() -> None:
    model = build_model("transformer", 40, 30, hidden_dim=64, heads=4)
    for table in (model.src_embed, model.tgt_embed):
        scaled = table.weight[1:] * 64**0.5  # (V - 1, D): √d·E without the padding row
        assert 0.85 < float(scaled.std()) < 1.15
        assert bool((table.weight[PAD] == 0).all())
