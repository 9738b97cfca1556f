import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

torch = pytest.importorskip("torch")

from neuroattn.nn import ScaledDotProductAttention  # noqa: E402

from .reference import numpy_attention, randn, random_keep, snippet_attention  # noqa: E402

TOL = {torch.float64: 1e-10, torch.float32: 2e-6}


def qkv(gen, B=2, H=3, L=5, S=7, D=8, Dv=4, Hk=None, dtype=torch.float64):
    Hk = H if Hk is None else Hk
    return (
        randn(gen, B, H, L, D, dtype=dtype),
        randn(gen, B, Hk, S, D, dtype=dtype),
        randn(gen, B, Hk, S, Dv, dtype=dtype),
    )


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_matches_source_snippet_without_mask(gen, dtype):
    Q, K, V = qkv(gen, dtype=dtype)
    context, attention = ScaledDotProductAttention()(Q, K, V)
    ref_c, ref_a = snippet_attention(Q, K, V)
    torch.testing.assert_close(context, ref_c, atol=TOL[dtype], rtol=TOL[dtype])
    torch.testing.assert_close(attention, ref_a, atol=TOL[dtype], rtol=TOL[dtype])
    assert context.dtype == attention.dtype == dtype


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("kind", ["bool", "int", "float", "uint8"])
def test_source_mask_convention(gen, dtype, kind):
    """0/1 masks of any dtype mean what the source's masked_fill(mask == 0) means."""
    Q, K, V = qkv(gen, dtype=dtype)
    keep = random_keep(gen, 2, 1, 5, 7)
    mask = {
        "bool": keep,
        "int": keep.long(),
        "float": keep.to(dtype),
        "uint8": keep.to(torch.uint8),
    }[kind]
    layer = ScaledDotProductAttention()
    ref_c, ref_a = snippet_attention(Q, K, V, mask)
    fast, _ = layer(Q, K, V, mask, need_weights=False)
    context, attention = layer(Q, K, V, mask)
    torch.testing.assert_close(fast, ref_c, atol=TOL[dtype], rtol=TOL[dtype])
    torch.testing.assert_close(context, ref_c, atol=TOL[dtype], rtol=TOL[dtype])
    torch.testing.assert_close(attention, ref_a, atol=TOL[dtype], rtol=TOL[dtype])
    assert (attention[~keep.expand_as(attention)] == 0).all()


def test_numpy_reference_float64(gen):
    Q, K, V = qkv(gen, B=3, H=2, L=6, S=9, D=5, Dv=3)
    keep = random_keep(gen, 3, 2, 6, 9, p=0.5)
    context, attention = ScaledDotProductAttention()(Q, K, V, keep)
    ref_c, ref_a = numpy_attention(Q.numpy(), K.numpy(), V.numpy(), keep.numpy())
    np.testing.assert_allclose(context.numpy(), ref_c, atol=1e-12)
    np.testing.assert_allclose(attention.numpy(), ref_a, atol=1e-12)


@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_fully_masked_rows_give_zeros_not_nan(gen, need_weights, dtype):
    Q, K, V = qkv(gen, dtype=dtype)
    Q.requires_grad_(True)
    keep = random_keep(gen, 2, 3, 5, 7)
    keep[0, 1, 2] = False  # one query row with no key at all
    keep[1, :, 4] = False
    context, attention = ScaledDotProductAttention()(Q, K, V, keep, need_weights=need_weights)
    assert torch.isfinite(context).all()
    assert (context[0, 1, 2] == 0).all() and (context[1, :, 4] == 0).all()
    if need_weights:
        assert (attention[0, 1, 2] == 0).all()
        sums = attention.sum(-1)
        assert torch.allclose(sums[keep.any(-1)], torch.ones((), dtype=dtype))
    context.sum().backward()
    assert torch.isfinite(Q.grad).all()
    assert (Q.grad[0, 1, 2] == 0).all()
    # elsewhere the source's snippet is reproduced
    ref, _ = snippet_attention(Q.detach(), K, V, keep)
    rows = keep.any(-1)
    torch.testing.assert_close(context.detach()[rows], ref[rows], atol=TOL[dtype], rtol=1e-5)


@pytest.mark.parametrize("L,S", [(6, 6), (4, 7), (7, 3)])
@pytest.mark.parametrize("need_weights", [True, False])
def test_causal(gen, L, S, need_weights):
    Q, K, V = qkv(gen, L=L, S=S)
    context, _ = ScaledDotProductAttention(causal=True)(Q, K, V, need_weights=need_weights)
    tril = torch.ones(L, S, dtype=torch.bool).tril()
    ref, _ = snippet_attention(Q, K, V, tril)
    torch.testing.assert_close(context, ref)
    # the first query sees only the first key
    torch.testing.assert_close(context[..., 0, :], V[..., 0, :])


@pytest.mark.parametrize("need_weights", [True, False])
def test_causal_combined_with_mask(gen, need_weights):
    Q, K, V = qkv(gen, L=6, S=6)
    keep = random_keep(gen, 2, 1, 6, 6)
    keep[:, :, :, 0] = False  # now the first query has no key left: zeros
    layer = ScaledDotProductAttention(causal=True)
    context, _ = layer(Q, K, V, keep, need_weights=need_weights)
    both = keep & torch.ones(6, 6, dtype=torch.bool).tril()
    ref_c, _ = numpy_attention(Q.numpy(), K.numpy(), V.numpy(), both.numpy())
    np.testing.assert_allclose(context.numpy(), ref_c, atol=1e-12)
    assert (context[..., 0, :] == 0).all()


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("Hk", [4, 2, 1])
def test_fast_path_equals_reference(gen, dtype, masked, causal, Hk):
    Q, K, V = qkv(gen, H=4, Hk=Hk, L=6, S=6, dtype=dtype)
    mask = random_keep(gen, 2, 4, 6, 6) if masked else None
    layer = ScaledDotProductAttention(causal=causal)
    slow, weights = layer(Q, K, V, mask)
    fast, none = layer(Q, K, V, mask, need_weights=False)
    assert none is None and weights is not None
    torch.testing.assert_close(fast, slow, atol=10 * TOL[dtype], rtol=1e-5)


def test_grouped_query_heads_match_repeated_keys(gen):
    Q, K, V = qkv(gen, H=6, Hk=2)
    context, attention = ScaledDotProductAttention()(Q, K, V)
    K3, V3 = K.repeat_interleave(3, dim=1), V.repeat_interleave(3, dim=1)
    ref_c, ref_a = snippet_attention(Q, K3, V3)
    torch.testing.assert_close(context, ref_c)
    torch.testing.assert_close(attention, ref_a)


def test_leading_batch_dimensions(gen):
    Q = randn(gen, 2, 3, 2, 5, 4)
    K, V = randn(gen, 2, 3, 2, 6, 4), randn(gen, 2, 3, 2, 6, 3)
    context, attention = ScaledDotProductAttention()(Q, K, V)
    assert context.shape == (2, 3, 2, 5, 3) and attention.shape == (2, 3, 2, 5, 6)
    torch.testing.assert_close(context, snippet_attention(Q, K, V)[0])
    # three-dimensional (B, L, D) inputs work too
    context3, _ = ScaledDotProductAttention()(Q[0, 0], K[0, 0], V[0, 0], need_weights=False)
    torch.testing.assert_close(context3, context[0, 0])


def test_additive_and_torch_conventions(gen):
    Q, K, V = qkv(gen)
    keep = random_keep(gen, 2, 3, 5, 7)
    additive = torch.zeros(keep.shape, dtype=Q.dtype).masked_fill(~keep, float("-inf"))
    expected, _ = ScaledDotProductAttention()(Q, K, V, keep)
    for convention, mask in [("additive", additive), ("additive", keep), ("torch", ~keep)]:
        layer = ScaledDotProductAttention(mask_convention=convention)
        for need in (True, False):
            got, _ = layer(Q, K, V, mask, need_weights=need)
            torch.testing.assert_close(got, expected)
    # a soft additive bias shifts the scores exactly
    bias = randn(gen, 5, 7)
    got, _ = ScaledDotProductAttention(mask_convention="additive")(Q, K, V, bias)
    scores = Q @ K.transpose(-2, -1) / math.sqrt(8) + bias
    torch.testing.assert_close(got, scores.softmax(-1) @ V)


def test_dropout_only_in_training(gen):
    Q, K, V = qkv(gen, L=16, S=16)
    layer = ScaledDotProductAttention(dropout=0.5)
    plain, _ = ScaledDotProductAttention()(Q, K, V)
    layer.eval()
    for need in (True, False):
        torch.testing.assert_close(layer(Q, K, V, need_weights=need)[0], plain)
    layer.train()
    torch.manual_seed(0)
    dropped, weights = layer(Q, K, V)
    assert (weights == 0).float().mean() > 0.3  # about half the weights dropped
    assert not torch.allclose(dropped, plain)
    fast, _ = layer(Q, K, V, need_weights=False)
    assert not torch.allclose(fast, plain)


@pytest.mark.parametrize("need_weights", [True, False])
def test_gradcheck_float64(gen, need_weights):
    Q, K, V = (x.requires_grad_(True) for x in qkv(gen, B=1, H=2, L=3, S=4, D=3, Dv=2))
    keep = random_keep(gen, 1, 2, 3, 4)
    keep[0, 0, 1] = False
    layer = ScaledDotProductAttention()

    def f(q, k, v):
        return layer(q, k, v, keep, need_weights=need_weights)[0]

    assert torch.autograd.gradcheck(f, (Q, K, V))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.bfloat16])
def test_dtypes_and_shapes_preserved(gen, dtype):
    Q, K, V = qkv(gen, dtype=dtype)
    for need in (True, False):
        context, attention = ScaledDotProductAttention()(Q, K, V, need_weights=need)
        assert context.dtype == dtype and context.shape == (2, 3, 5, 4)
        if need:
            assert attention.dtype == dtype and attention.shape == (2, 3, 5, 7)


@settings(max_examples=30, deadline=None)
@given(
    L=st.integers(1, 6),
    S=st.integers(1, 6),
    groups=st.sampled_from([1, 2]),
    causal=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_property_rows_sum_to_one_or_zero_and_paths_agree(L, S, groups, causal, seed):
    gen = torch.Generator().manual_seed(seed)
    Q = randn(gen, 2, 2 * groups, L, 3)
    K, V = randn(gen, 2, 2, S, 3), randn(gen, 2, 2, S, 2)
    keep = torch.rand(2, 1, L, S, generator=gen) < 0.6
    layer = ScaledDotProductAttention(causal=causal)
    context, weights = layer(Q, K, V, keep)
    fast, _ = layer(Q, K, V, keep, need_weights=False)
    allowed = keep & torch.ones(L, S, dtype=torch.bool).tril() if causal else keep
    sums = weights.sum(-1)
    has_keys = allowed.any(-1).expand_as(sums)
    torch.testing.assert_close(sums[has_keys], torch.ones_like(sums[has_keys]))
    assert (sums[~has_keys] == 0).all()
    assert (weights[~allowed.expand_as(weights)] == 0).all()
    torch.testing.assert_close(fast, context)
