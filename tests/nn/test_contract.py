"""The attention contract: one forward for every Q/K/V layer, written in nn.Attention."""

import pytest

torch = pytest.importorskip("torch")

import neuroattn.nn as nna  # noqa: E402
from neuroattn.nn._functional import masked_weights  # noqa: E402

from .reference import randn, random_keep  # noqa: E402


class SigmoidAttention(nna.Attention):
    """A new attention defined by its normalisation only: independent sigmoid gates."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.calls = 0

    def normalize(self, scores):
        self.calls += 1
        return torch.sigmoid(scores)  # (..., L, S); masked (-inf) -> 0


def qkv_layers():
    """Every registered Q/K/V layer (an nn.Attention), built by name with its defaults."""
    return {
        name: nna.create(name)
        for name, cls in sorted(nna.available().items())
        if issubclass(cls, nna.Attention)
    }


def qkv(gen, B=2, H=3, Hk=3, L=5, S=7, D=8, Dv=4, dtype=torch.float64):
    return (
        randn(gen, B, H, L, D, dtype=dtype),
        randn(gen, B, Hk, S, D, dtype=dtype),
        randn(gen, B, Hk, S, Dv, dtype=dtype),
    )


def test_the_registered_qkv_layers_are_attentions():
    assert set(qkv_layers()) >= {"sdpa", "competitive"}
    assert issubclass(nna.MultiHeadAttention, nna._base.AttentionCore)


@pytest.mark.parametrize("name", sorted(qkv_layers()))
def test_every_qkv_layer_returns_context_and_weights_with_documented_shapes(gen, name):
    layer = nna.create(name).double()
    Q, K, V = qkv(gen)
    keep = random_keep(gen, 2, 1, 5, 7)
    for mask in (None, keep):
        context, weights = layer(Q, K, V, mask)
        assert context.shape == (2, 3, 5, 4) and weights.shape == (2, 3, 5, 7)
        assert context.dtype == weights.dtype == torch.float64
        torch.testing.assert_close(context, weights @ V)
        if mask is not None:
            assert (weights[~keep.expand_as(weights)] == 0).all()
        fast, none = layer(Q, K, V, mask, need_weights=False)
        assert none is None and fast.shape == (2, 3, 5, 4)


def test_mha_and_seq2seq_keep_their_documented_shapes(gen):
    mha = nna.create("mha", 16, num_heads=4).double()
    x = randn(gen, 2, 5, 16)
    out, weights = mha(x)
    assert out.shape == (2, 5, 16) and weights.shape == (2, 5, 5)
    out, per_head = mha(x, average_attn_weights=False)
    assert per_head.shape == (2, 4, 5, 5)
    assert mha(x, need_weights=False)[1] is None
    for name in ("additive", "luong"):
        layer = nna.create(name, 16).double()
        context, weights = layer(x[:, 0], x)  # one decoder step over 5 encoder states
        assert context.shape == (2, 16) and weights.shape == (2, 5)
        context, weights = layer(x[:, :3], x)  # three decoder steps
        assert context.shape == (2, 3, 16) and weights.shape == (2, 3, 5)


def layers_with_both_paths():
    return {
        "sdpa": nna.ScaledDotProductAttention(),
        "sdpa causal": nna.ScaledDotProductAttention(causal=True),
        "sdpa scale=0.3": nna.ScaledDotProductAttention(scale=0.3),
        "competitive A=0": nna.CompetitiveAttention(A=0.0, learn_A=False),
        "competitive A=0 causal": nna.CompetitiveAttention(A=0.0, learn_A=False, causal=True),
    }


@pytest.mark.parametrize("name", sorted(layers_with_both_paths()))
@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("Hk", [3, 1])
def test_fast_and_reference_paths_agree(gen, name, masked, Hk):
    layer = layers_with_both_paths()[name].double()
    assert layer.uses_softmax and layer.takes_fast_path(need_weights=False)
    assert not layer.takes_fast_path(need_weights=True)
    Q, K, V = qkv(gen, Hk=Hk, L=6, S=6)
    mask = random_keep(gen, 2, 3, 6, 6) if masked else None
    reference, weights = layer(Q, K, V, mask)
    fast, none = layer(Q, K, V, mask, need_weights=False)
    assert weights is not None and none is None
    torch.testing.assert_close(fast, reference)


@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_fast_and_reference_paths_agree(gen, need_weights):
    mha = nna.MultiHeadAttention(16, 4, num_kv_heads=2, causal=True, dtype=torch.float64)
    x = randn(gen, 3, 6, 16)
    pad = torch.ones(3, 6, dtype=torch.bool)
    pad[0, 4:] = False
    reference, _ = mha(x, key_padding_mask=pad)
    assert mha.takes_fast_path(need_weights=False)
    got, _ = mha(x, key_padding_mask=pad, need_weights=need_weights)
    torch.testing.assert_close(got, reference)


def test_layers_without_softmax_never_take_the_fused_path(gen):
    for layer in (nna.CompetitiveAttention(), nna.CompetitiveAttention("dynamics")):
        assert not layer.uses_softmax and not layer.takes_fast_path(need_weights=False)
    layer = nna.CompetitiveAttention(A=0.0, learn_A=False, B=2.0)  # softmax scaled by B
    assert not layer.uses_softmax
    Q, K, V = qkv(gen, dtype=torch.float32)
    torch.testing.assert_close(layer(Q, K, V, need_weights=False)[0], layer(Q, K, V)[0])


@pytest.mark.parametrize("need_weights", [True, False])
def test_recording_forces_the_reference_path(gen, need_weights):
    layer = nna.ScaledDotProductAttention()
    Q, K, V = qkv(gen)
    with nna.record_attention(layer) as rec:
        assert not layer.takes_fast_path(need_weights=False)
        context, _ = layer(Q, K, V, need_weights=need_weights)
    assert rec.last().shape == (2, 3, 5, 7)
    torch.testing.assert_close(rec.last() @ V, context)


def test_a_subclass_overriding_only_normalize_works(gen):
    layer = SigmoidAttention(causal=True)
    assert not layer.uses_softmax and not layer.takes_fast_path(need_weights=False)
    Q, K, V = qkv(gen, L=6, S=6)
    keep = random_keep(gen, 2, 1, 6, 6)
    keep[1, 0, 0, 0] = False  # with the causal mask query 0 of batch 1 now has no key
    context, weights = layer(Q, K, V, keep)
    allowed = keep & torch.ones(6, 6, dtype=torch.bool).tril()
    scores = Q @ K.transpose(-2, -1) / 8**0.5
    expected = torch.sigmoid(scores) * allowed  # sigmoid gates, zero where masked
    torch.testing.assert_close(weights, expected)
    torch.testing.assert_close(context, expected @ V)
    assert (context[1, :, 0] == 0).all()
    calls = layer.calls
    fast, none = layer(Q, K, V, keep, need_weights=False)  # no fused kernel for sigmoid
    assert none is None and layer.calls == calls + 1
    torch.testing.assert_close(fast, context)
    with nna.record_attention(layer) as rec:
        layer(Q, K, V, keep, need_weights=False)
    torch.testing.assert_close(rec.last(), weights)
    Q.requires_grad_(True)
    layer(Q, K, V, keep)[0].sum().backward()
    assert torch.isfinite(Q.grad).all()


def test_a_new_layer_is_registered_and_created_by_name(gen):
    nna.register("sigmoid-test", SigmoidAttention)
    try:
        layer = nna.create("sigmoid_test", dropout=0.0, causal=True)
        assert isinstance(layer, SigmoidAttention) and layer.causal
        with pytest.raises(ValueError, match="takes no width"):
            nna.create("sigmoid_test", 8)
    finally:
        from neuroattn.nn import _registry

        _registry._LAYERS.pop("sigmoid_test")


def test_check_inputs_hook_runs_on_both_paths():
    class NoLongQueries(nna.Attention):
        def check_inputs(self, Q, K, V):
            super().check_inputs(Q, K, V)
            if Q.shape[-2] > 4:
                raise ValueError(f"at most 4 queries, got {Q.shape[-2]}")

    layer = NoLongQueries()
    q = torch.zeros(1, 1, 5, 2)
    for need in (True, False):
        with pytest.raises(ValueError, match="at most 4 queries"):
            layer(q, q, q, need_weights=need)
        with pytest.raises(ValueError, match="d_k"):  # the base checks still run first
            layer(q, torch.zeros(1, 1, 5, 3), q, need_weights=need)


@pytest.mark.parametrize(
    "kw,words",
    [
        ({"dropout": 1.0}, "dropout must be"),
        ({"dropout": True}, "dropout"),
        ({"scale": 0.0}, r"scale must be .*> 0"),
        ({"scale": float("inf")}, "scale"),
        ({"causal": True, "mask_convention": "sdpa"}, "mask_convention must be one of"),
    ],
)
def test_base_class_bad_construction(kw, words):
    for cls in (nna.Attention, SigmoidAttention, nna.CompetitiveAttention):
        with pytest.raises(ValueError, match=words):
            cls(**kw)


def test_in_place_softmax_reuses_the_scores_buffer(gen):
    """The weights path's inference optimisation (benchmark N2): no fresh (..., L, S)."""
    scores = randn(gen, 2, 3, 4, 5)
    keep = random_keep(gen, 2, 1, 4, 5)
    expected = scores.masked_fill(~keep, float("-inf")).softmax(-1)
    copy = scores.clone()
    weights = masked_weights(copy, keep, in_place=True)
    assert weights.data_ptr() == copy.data_ptr()
    torch.testing.assert_close(weights, expected)
    untouched = scores.clone()
    torch.testing.assert_close(masked_weights(untouched, keep), expected)
    torch.testing.assert_close(untouched, scores)  # in_place=False leaves the scores alone
    graded = scores.clone().requires_grad_(True)
    weights = masked_weights(graded * 1.0, keep, in_place=True)  # gradient: a fresh buffer
    assert weights.requires_grad and weights.data_ptr() != graded.data_ptr()


def test_mha_self_attention_arranges_one_tensor_once_and_matches_copies(gen):
    mha = nna.MultiHeadAttention(16, 4, batch_first=False, dtype=torch.float64)
    x = randn(gen, 5, 2, 16)  # (L, B, E)
    y = randn(gen, 7, 2, 16)
    for need in (True, False):
        same = mha(x, x, x, need_weights=need)[0]
        torch.testing.assert_close(same, mha(x, x.clone(), x.clone(), need_weights=need)[0])
        cross = mha(x, y, y, need_weights=need)[0]  # value is key
        torch.testing.assert_close(cross, mha(x, y, y.clone(), need_weights=need)[0])
        value_is_query = mha(x, x.clone(), x, need_weights=need)[0]
        torch.testing.assert_close(value_is_query, same)
