"""Models and decoding: shapes, masks (padding never attended), batch invariance, beam 1 =
greedy, CTC best path, and the metrics against a plain reference."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest
import torch

from neuroattn.apps.speech import (
    LAS,
    CTCRecognizer,
    Listener,
    cer,
    decode_ctc,
    decode_las,
    edit_distance,
    error_rates,
    wer,
)
from neuroattn.apps.translate import EOS, PAD
from neuroattn.nn import record_attention


def _batch(lengths: list[int], feats: int = 12) -> tuple[torch.Tensor, torch.Tensor]:
    torch.manual_seed(0)
    x = torch.zeros(len(lengths), max(lengths), feats)
    for i, n in enumerate(lengths):
        x[i, :n] = torch.randn(n, feats)
    return x, torch.tensor(lengths)


@pytest.mark.parametrize(("pyramid", "expected"), [(0, [9, 4]), (1, [5, 2]), (2, [3, 1])])
def test_listener_halves_time_per_layer(pyramid: int, expected: list[int]) -> None:
    listener = Listener(12, 16, pyramid, 0.0)
    x, lengths = _batch([9, 4])
    h, lens = listener(x, lengths)
    assert lens.tolist() == expected and h.shape == (2, expected[0], 16)


@pytest.mark.parametrize(
    "options",
    [{}, {"location": True}, {"attention": "luong"}],
    ids=["additive", "location", "luong"],
)
def test_las_shapes_masks_and_batch_invariance(options: dict) -> None:
    torch.manual_seed(1)
    model = LAS(12, 9, hidden_dim=16, embed_dim=4, pyramid=1, dropout=0.0, **options).eval()
    x, lengths = _batch([11, 5])
    tgt = torch.tensor([[1, 4, 5, 6], [1, 7, 8, 0]])
    with torch.no_grad(), record_attention(model) as rec:
        logits = model(x, lengths, tgt)
    assert logits.shape == (2, 4, 9)
    weights = torch.stack(rec["attention"], dim=1)  # (B, L, S)
    assert weights.shape == (2, 4, 6)
    torch.testing.assert_close(weights.sum(-1), torch.ones(2, 4))
    assert torch.all(weights[1, :, 3:] == 0)  # the short utterance's padding frames
    with torch.no_grad():
        alone = model(x[1:, :5], lengths[1:], tgt[1:])
    torch.testing.assert_close(alone, logits[1:], atol=1e-5, rtol=1e-4)


def test_beam_one_equals_greedy_and_beam_is_batched() -> None:
    torch.manual_seed(2)
    model = LAS(12, 9, hidden_dim=16, embed_dim=4, pyramid=1, dropout=0.0, location=True).eval()
    x, lengths = _batch([11, 5, 8])
    greedy = decode_las(model, x, lengths, beam=1, max_len=7)
    from neuroattn.apps.speech._decode import _Listened
    from neuroattn.apps.translate import beam_search

    bound = _Listened(model, model.start(model.encode(x, lengths)))
    rows = torch.arange(1, 4).unsqueeze(1)
    assert torch.equal(beam_search(bound, rows, beam=1, max_len=7), greedy)
    beamed = decode_las(model, x, lengths, beam=3, max_len=7)
    for i in range(3):
        one = decode_las(model, x[i : i + 1, : lengths[i]], lengths[i : i + 1], beam=3, max_len=7)
        width = one.shape[1]
        assert beamed[i, :width].tolist() == one[0].tolist()
    assert not bool(((greedy == PAD) & (torch.cumsum(greedy == EOS, 1) == 0)).any())


def test_ctc_shapes_and_best_path() -> None:
    model = CTCRecognizer(12, 9, hidden_dim=16, pyramid=1, dropout=0.0).eval()
    x, lengths = _batch([11, 5])
    logp, lens = model(x, lengths)
    assert logp.shape == (2, 6, 9) and lens.tolist() == [6, 3]
    torch.testing.assert_close(logp.exp().sum(-1), torch.ones(2, 6))

    class Fixed(CTCRecognizer):  # best path of given frame labels
        def forward(self, feats, lengths):  # type: ignore[override]
            labels = torch.tensor([[4, 4, 0, 4, 5, 5], [6, 0, 6, 9, 9, 9]])
            return torch.nn.functional.one_hot(labels, 10).float().log(), torch.tensor([6, 3])

    fixed = Fixed(12, 10, hidden_dim=16, pyramid=1, dropout=0.0)
    assert decode_ctc(fixed, x, lengths) == [[4, 4, 5], [6, 6]]


@cache
def _reference_distance(a: tuple, b: tuple) -> int:
    """Levenshtein by the recursive definition (independent of the dynamic programme)."""
    if not a or not b:
        return len(a) + len(b)
    return min(
        _reference_distance(a[1:], b) + 1,
        _reference_distance(a, b[1:]) + 1,
        _reference_distance(a[1:], b[1:]) + (a[0] != b[0]),
    )


def test_edit_distance_matches_the_recursive_definition() -> None:
    rng = np.random.default_rng(0)
    for _ in range(60):
        a = tuple(rng.integers(0, 3, rng.integers(0, 7)).tolist())
        b = tuple(rng.integers(0, 3, rng.integers(0, 7)).tolist())
        assert edit_distance(a, b) == _reference_distance(a, b)


def test_wer_and_cer_published_style_examples() -> None:
    refs = ["one two three", "four five"]
    assert wer(refs, refs) == 0.0 and cer(refs, refs) == 0.0
    # one substitution, one deletion, one insertion over 5 reference words
    assert wer(["one too three", "four", "x"][:2], refs) == pytest.approx(100 * 2 / 5)
    assert wer(["one two three six", "four five"], refs) == pytest.approx(20.0)
    assert cer(["abd"], ["abc"]) == pytest.approx(100 / 3)
    rates = error_rates(["one two three", "four"], refs)
    assert rates.exact == 50.0 and "WER 20.00 %" in str(rates)
    with pytest.raises(ValueError, match="must match"):
        wer(["a"], ["a", "b"])
    with pytest.raises(TypeError, match="hyps must be"):
        wer("a", ["a"])


def test_las_ctc_head_for_joint_training() -> None:
    torch.manual_seed(3)
    model = LAS(12, 9, hidden_dim=16, embed_dim=4, pyramid=1, dropout=0.0, ctc_head=True).eval()
    x, lengths = _batch([11, 5])
    state = model.encode(x, lengths)
    logp, lens = model.ctc_log_probs(state)
    assert logp.shape == (2, 6, 9) and lens.tolist() == [6, 3]
    torch.testing.assert_close(logp.exp().sum(-1), torch.ones(2, 6))
    tgt = torch.tensor([[1, 4, 5], [1, 7, 0]])
    torch.testing.assert_close(model.spell(state, tgt), model(x, lengths, tgt))
    with pytest.raises(ValueError, match="no CTC head"):
        LAS(12, 9, hidden_dim=16, pyramid=1).ctc_log_probs(state)
