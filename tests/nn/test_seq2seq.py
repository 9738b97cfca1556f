import numpy as np
import pytest

torch = pytest.importorskip("torch")

from neuroattn.nn import AdditiveAttention, LuongAttention  # noqa: E402

from .reference import randn  # noqa: E402


def np_softmax_masked(e, keep):
    e = np.where(keep, e, -np.inf)
    w = np.exp(e - e.max())
    return w / w.sum()


def loop_reference(score_fn, query, keys, values, keep):
    """Scores one (query, key) pair at a time, as the papers write them."""
    q, k, v = (x.detach().numpy() for x in (query, keys, values))
    B, Lq, S = q.shape[0], q.shape[1], k.shape[1]
    ctx = np.zeros((B, Lq, v.shape[-1]))
    weights = np.zeros((B, Lq, S))
    for b in range(B):
        for i in range(Lq):
            e = np.array([score_fn(q[b, i], k[b, j]) for j in range(S)])
            weights[b, i] = np_softmax_masked(e, keep[b])
            ctx[b, i] = weights[b, i] @ v[b]
    return ctx, weights


def test_additive_equals_bahdanau_equation(gen):
    torch.manual_seed(0)
    layer = AdditiveAttention(5, 6, hidden_dim=7).double()
    W, U, v = (m.weight.detach().numpy() for m in (layer.W, layer.U, layer.v))

    def e(s, h):  # e_ij = v_a^T tanh(W_a s + U_a h_j)
        return float((v @ np.tanh(W @ s + U @ h))[0])

    query, keys, values = randn(gen, 2, 3, 5), randn(gen, 2, 4, 6), randn(gen, 2, 4, 3)
    mask = torch.tensor([[1, 1, 1, 0], [1, 0, 1, 1]])  # the source's convention: 0 masks
    ctx, w = layer(query, keys, values, mask)
    ref_c, ref_w = loop_reference(e, query, keys, values, mask.numpy().astype(bool))
    np.testing.assert_allclose(w.detach().numpy(), ref_w, atol=1e-12)
    np.testing.assert_allclose(ctx.detach().numpy(), ref_c, atol=1e-12)


def test_additive_single_step_and_precomputed_keys(gen):
    torch.manual_seed(0)
    layer = AdditiveAttention(5, 6).double()
    query, keys = randn(gen, 2, 5), randn(gen, 2, 4, 6)
    ctx, w = layer(query, keys)
    assert ctx.shape == (2, 6) and w.shape == (2, 4)
    ctx2, _ = layer(query, keys, projected_keys=layer.project_keys(keys))
    torch.testing.assert_close(ctx2, ctx)
    torch.testing.assert_close(w.sum(-1), torch.ones(2, dtype=torch.float64))
    # with values defaulting to keys the context is a convex combination of the keys
    torch.testing.assert_close(ctx, (w.unsqueeze(-1) * keys).sum(1))


@pytest.mark.parametrize("score", ["dot", "general", "concat"])
def test_luong_scores_equal_the_equations(gen, score):
    torch.manual_seed(0)
    dk = 5 if score == "dot" else 6
    layer = LuongAttention(5, dk, score=score, hidden_dim=4).double()
    if score == "dot":
        fn = lambda h, hs: float(h @ hs)  # noqa: E731
    elif score == "general":
        Wa = layer.W.weight.detach().numpy()
        fn = lambda h, hs: float(h @ Wa @ hs)  # noqa: E731
    else:
        Wa, va = layer.W.weight.detach().numpy(), layer.v.weight.detach().numpy()
        fn = lambda h, hs: float((va @ np.tanh(Wa @ np.concatenate([h, hs])))[0])  # noqa: E731
    query, keys, values = randn(gen, 2, 3, 5), randn(gen, 2, 4, dk), randn(gen, 2, 4, 2)
    keep = torch.tensor([[True, False, True, True], [True, True, True, True]])
    ctx, w = layer(query, keys, values, keep)
    ref_c, ref_w = loop_reference(fn, query, keys, values, keep.numpy())
    np.testing.assert_allclose(w.detach().numpy(), ref_w, atol=1e-12)
    np.testing.assert_allclose(ctx.detach().numpy(), ref_c, atol=1e-12)


@pytest.mark.parametrize("layer_cls", [AdditiveAttention, LuongAttention])
def test_fully_masked_query_gives_zero_context(gen, layer_cls):
    layer = layer_cls(4, 4).double()
    query, keys = randn(gen, 2, 3, 4).requires_grad_(True), randn(gen, 2, 5, 4)
    mask = torch.ones(2, 3, 5)
    mask[1, 2] = 0
    ctx, w = layer(query, keys, None, mask)
    assert (ctx[1, 2] == 0).all() and (w[1, 2] == 0).all()
    ctx.sum().backward()
    assert torch.isfinite(query.grad).all()


@pytest.mark.parametrize("layer_cls", [AdditiveAttention, LuongAttention])
def test_gradcheck_float64(gen, layer_cls):
    layer = layer_cls(3, 3).double()
    query, keys = randn(gen, 2, 3).requires_grad_(True), randn(gen, 2, 4, 3).requires_grad_(True)
    mask = torch.tensor([[1, 1, 0, 1], [0, 1, 1, 1]])
    assert torch.autograd.gradcheck(lambda q, k: layer(q, k, None, mask)[0], (query, keys))


def test_float32_dtype_preserved(gen):
    for layer in (AdditiveAttention(4, 6), LuongAttention(4, 6, "concat")):
        ctx, w = layer(
            randn(gen, 2, 4, dtype=torch.float32), randn(gen, 2, 3, 6, dtype=torch.float32)
        )
        assert ctx.dtype == w.dtype == torch.float32
