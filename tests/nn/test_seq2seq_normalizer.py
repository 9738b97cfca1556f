"""The encoder-decoder layers' ``normalizer``: another layer's normalize in place of softmax."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

import neuroattn.nn as nna  # noqa: E402


def _inputs(seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    query = torch.randn(3, 4, 6, generator=g)  # (B, Lq, Dq)
    keys = torch.randn(3, 5, 6, generator=g)  # (B, S, Dk)
    mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0], [1, 0, 0, 0, 0]])  # (B, S)
    return query, keys, mask


def _additive_scores(layer, query, keys):
    hidden = layer.W(query).unsqueeze(2) + layer.U(keys).unsqueeze(1)  # (B, Lq, S, n)
    return layer.v(hidden.tanh()).squeeze(-1)  # (B, Lq, S): v^T tanh(W s + U h)


def _general_scores(layer, query, keys):
    return torch.einsum("bld,bsd->bls", query, layer.W(keys))  # (B, Lq, S): h_t^T W h_s


@pytest.mark.parametrize("make, scores_of", [
    (lambda norm: nna.AdditiveAttention(6, 6, 7, normalizer=norm), _additive_scores),
    (lambda norm: nna.LuongAttention(6, 6, "general", normalizer=norm), _general_scores),
])  # fmt: skip
def test_competition_replaces_the_softmax_on_the_masked_scores(make, scores_of) -> None:
    query, keys, mask = _inputs()
    comp = nna.CompetitiveAttention(A=0.5, B=1.0)
    torch.manual_seed(1)
    layer = make(comp)
    torch.manual_seed(1)
    plain = make(None)
    with torch.no_grad():
        context, weights = layer(query, keys, mask=mask)  # (B, Lq, Dk), (B, Lq, S)
        _, soft = plain(query, keys, mask=mask)
        scores = scores_of(layer, query, keys)  # (B, Lq, S), by hand
        scores = scores.masked_fill(mask[:, None, :] == 0, float("-inf"))
        # shunting equilibrium x_i = B e^{s_i} / (A + sum_k e^{s_k}) (Grossberg 1973)
        expected = scores.exp() / (0.5 + scores.exp().sum(-1, keepdim=True))  # (B, Lq, S)
    assert torch.allclose(weights, expected, atol=1e-6)
    assert torch.allclose(context, weights @ keys, atol=1e-6)
    assert (weights[1, :, 3:] == 0).all() and (weights[2, :, 1:] == 0).all()  # masked keys
    assert (weights.sum(-1) < 1).all()  # A > 0: shunting weights sum below one
    assert not torch.allclose(weights, soft)


def test_a_softmax_normalizer_changes_nothing_and_parameters_train() -> None:
    query, keys, mask = _inputs(2)
    torch.manual_seed(3)
    layer = nna.AdditiveAttention(6, normalizer=nna.CompetitiveAttention(A=0, learn_A=False))
    torch.manual_seed(3)
    plain = nna.AdditiveAttention(6)
    a, b = layer(query, keys, mask=mask), plain(query, keys, mask=mask)
    assert torch.allclose(a[1], b[1]) and torch.allclose(a[0], b[0])
    learnt = nna.CompetitiveAttention(A=0.5, learn_A=True)
    assert any(p is learnt.A_raw for p in nna.LuongAttention(6, normalizer=learnt).parameters())
    with pytest.raises(TypeError, match="normalizer must be an attention layer"):
        nna.AdditiveAttention(6, normalizer=torch.nn.Softmax(-1))  # type: ignore[arg-type]
