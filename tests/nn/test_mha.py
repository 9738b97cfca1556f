import pytest

torch = pytest.importorskip("torch")

from neuroattn.nn import MultiHeadAttention  # noqa: E402

from .reference import randn  # noqa: E402


def pair(kdim=None, vdim=None, bias=True, batch_first=True, dtype=torch.float64, heads=4):
    torch.manual_seed(7)  # weights of the torch module; ours are copied from it
    ref = torch.nn.MultiheadAttention(
        16, heads, bias=bias, kdim=kdim, vdim=vdim, batch_first=batch_first, dtype=dtype
    )
    with torch.no_grad():  # non-zero biases, so that bias handling is tested
        for p in ref.parameters():
            p.add_(0.1 * torch.randn_like(p))
    return ref, MultiHeadAttention.from_torch(ref)


def inputs(gen, kdim=None, vdim=None, batch_first=True, B=3, L=5, S=6, dtype=torch.float64):
    q = randn(gen, B, L, 16, dtype=dtype)
    k = randn(gen, B, S, kdim or 16, dtype=dtype)
    v = randn(gen, B, S, vdim or 16, dtype=dtype)
    if not batch_first:
        q, k, v = (x.transpose(0, 1) for x in (q, k, v))
    return q, k, v


def masks(gen, B=3, L=5, S=6):
    """torch-convention masks: True = ignored; every query keeps at least one key."""
    pad = torch.zeros(B, S, dtype=torch.bool)
    pad[0, -2:] = True
    attn = torch.rand(L, S, generator=gen) < 0.3
    attn[:, 0] = False
    return pad, attn


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("dims", [(None, None), (8, 12)])
@pytest.mark.parametrize("batch_first", [True, False])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("need_weights", [True, False])
def test_equals_torch_multihead_attention(gen, dtype, dims, batch_first, bias, need_weights):
    ref, ours = pair(*dims, bias=bias, batch_first=batch_first, dtype=dtype)
    q, k, v = inputs(gen, *dims, batch_first=batch_first, dtype=dtype)
    pad, attn = masks(gen)
    tol = {"atol": 1e-6, "rtol": 1e-5} if dtype == torch.float32 else {}
    for kw in ({}, {"key_padding_mask": pad, "attn_mask": attn}):
        for avg in (True, False):
            out_r, w_r = ref(q, k, v, need_weights=need_weights, average_attn_weights=avg, **kw)
            out_o, w_o = ours(q, k, v, need_weights=need_weights, average_attn_weights=avg, **kw)
            torch.testing.assert_close(out_o, out_r, **tol)
            if need_weights:
                torch.testing.assert_close(w_o, w_r, **tol)
            else:
                assert w_o is None


def test_self_attention_float_masks_and_3d_attn_mask(gen):
    ref, ours = pair()
    x = randn(gen, 3, 5, 16)
    additive = randn(gen, 5, 5)  # a soft bias, torch's float attn_mask
    per_head = torch.rand(3 * 4, 5, 5, generator=gen) < 0.3  # torch's (B*H, L, S)
    per_head[..., 0] = False
    for mask in (additive, per_head):
        for need in (True, False):
            out_r, _ = ref(x, x, x, attn_mask=mask, need_weights=need)
            out_o, _ = ours(x, x, x, attn_mask=mask, need_weights=need)
            torch.testing.assert_close(out_o, out_r)


def test_project_convention_is_inverse_of_torch(gen):
    """With mask_convention='keep' (the default) masks say which keys take part."""
    ref, _ = pair()
    ours = MultiHeadAttention.from_torch(ref, mask_convention="keep")
    q, k, v = inputs(gen)
    pad, attn = masks(gen)
    out_r, w_r = ref(q, k, v, key_padding_mask=pad, attn_mask=attn)
    out_o, w_o = ours(q, k, v, key_padding_mask=~pad, attn_mask=~attn)
    torch.testing.assert_close(out_o, out_r)
    torch.testing.assert_close(w_o, w_r)
    wrong, _ = ours(q, k, v, key_padding_mask=pad, attn_mask=attn)
    assert not torch.allclose(wrong, out_r)


@pytest.mark.parametrize("need_weights", [True, False])
def test_causal_equals_torch_with_causal_mask(gen, need_weights):
    ref, ours = pair()
    x = randn(gen, 2, 6, 16)
    future = torch.ones(6, 6, dtype=torch.bool).triu(1)
    out_r, _ = ref(x, x, x, attn_mask=future, need_weights=need_weights)
    out_o, _ = ours(x, x, x, is_causal=True, need_weights=need_weights)
    torch.testing.assert_close(out_o, out_r)
    ours.causal = True
    torch.testing.assert_close(ours(x, need_weights=need_weights)[0], out_r)


def test_unbatched_inputs(gen):
    ref, ours = pair()
    x = randn(gen, 5, 16)
    pad = torch.tensor([False, False, True, False, True])
    out_r, w_r = ref(x, x, x, key_padding_mask=pad)
    out_o, w_o = ours(x, x, x, key_padding_mask=pad)
    assert out_o.shape == (5, 16) and w_o.shape == (5, 5)
    torch.testing.assert_close(out_o, out_r)
    torch.testing.assert_close(w_o, w_r)


def test_gradients_equal_torch(gen):
    ref, ours = pair(8, 12)
    q, k, v = inputs(gen, 8, 12)
    pad, attn = masks(gen)
    for module in (ref, ours):
        out, w = module(q, k, v, key_padding_mask=pad, attn_mask=attn)
        (out.square().sum() + w.sum()).backward()
    grads_r = dict(ref.named_parameters())
    for name, p in ours.named_parameters():
        torch.testing.assert_close(p.grad, grads_r[name].grad, msg=name)


def test_grouped_query_heads_equal_repeated_kv_heads(gen):
    """GQA with Hk heads equals standard MHA whose K/V projections repeat each head."""
    gqa = MultiHeadAttention(16, 4, num_kv_heads=2, dtype=torch.float64)
    full = MultiHeadAttention(16, 4, dtype=torch.float64)
    E, Dh = 16, 4
    with torch.no_grad():
        wq, wk, wv = gqa.in_proj_weight.split([E, 8, 8])
        rep = lambda w: w.view(2, Dh, E).repeat_interleave(2, dim=0).reshape(E, E)  # noqa: E731
        full.in_proj_weight.copy_(torch.cat([wq, rep(wk), rep(wv)]))
        full.out_proj.load_state_dict(gqa.out_proj.state_dict())
    x = randn(gen, 2, 5, 16)
    for need in (True, False):
        torch.testing.assert_close(gqa(x, need_weights=need)[0], full(x, need_weights=need)[0])
    assert gqa.in_proj_weight.shape == (32, 16)


def test_fast_path_equals_weights_path(gen):
    ours = MultiHeadAttention(16, 4, num_kv_heads=2, kdim=8, vdim=8, dtype=torch.float64)
    q, k, v = inputs(gen, 8, 8)
    keep = torch.ones(3, 6, dtype=torch.bool)
    keep[1, 2:] = False
    slow, _ = ours(q, k, v, key_padding_mask=keep)
    fast, _ = ours(q, k, v, key_padding_mask=keep, need_weights=False)
    torch.testing.assert_close(fast, slow)


def test_from_torch_rejects_what_it_cannot_copy():
    with pytest.raises(ValueError, match="add_bias_kv"):
        MultiHeadAttention.from_torch(torch.nn.MultiheadAttention(8, 2, add_bias_kv=True))
    gqa = MultiHeadAttention(8, 2, num_kv_heads=1)
    with pytest.raises(ValueError, match="grouped-query"):
        gqa.load_torch_state_dict(torch.nn.MultiheadAttention(8, 2).state_dict())
