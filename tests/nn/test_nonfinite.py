"""Non-finite Q/K/V and masks: propagated as in torch by default, refused in check mode."""

import math

import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

import neuroattn.nn as nna  # noqa: E402


@pytest.fixture
def qkv(gen):
    return tuple(torch.randn(2, 2, 4, 8, generator=gen) for _ in range(3))


def test_check_mode_is_off_by_default_and_scoped_by_with():
    assert not nna.checks_enabled()
    with nna.set_checks(True):
        assert nna.checks_enabled()
        with nna.set_checks(False):
            assert not nna.checks_enabled()
        assert nna.checks_enabled()
    assert not nna.checks_enabled()
    try:
        nna.set_checks(True)  # as a plain call: process-wide until turned off
        assert nna.checks_enabled()
    finally:
        nna.set_checks(False)
    with pytest.raises(TypeError, match="enabled must be True or False"):
        nna.set_checks("yes")


def _sdpa_math(q, k, v, mask=None):
    from torch.nn.attention import SDPBackend, sdpa_kernel

    with sdpa_kernel(SDPBackend.MATH):
        return F.scaled_dot_product_attention(q, k, v, attn_mask=mask)


@pytest.mark.parametrize("bad", [math.nan, math.inf])
@pytest.mark.parametrize("where", ["Q", "K", "V"])
def test_by_default_non_finite_values_flow_through_as_in_torch(qkv, bad, where):
    """The weights path gives what torch's math backend gives, the fused path exactly what
    torch's fused kernel gives (which zeroes a NaN query row on CPU)."""
    q, k, v = (x.clone() for x in qkv)
    {"Q": q, "K": k, "V": v}[where][0, 1, 2, 3] = bad
    layer = nna.ScaledDotProductAttention()
    weights_path, _ = layer(q, k, v, need_weights=True)
    fused_path, _ = layer(q, k, v, need_weights=False)
    torch.testing.assert_close(weights_path, _sdpa_math(q, k, v), equal_nan=True)
    torch.testing.assert_close(fused_path, F.scaled_dot_product_attention(q, k, v), equal_nan=True)
    assert not weights_path[0, 1].isfinite().all() and weights_path[1].isfinite().all()
    if where == "Q":  # one query row only
        assert (
            weights_path[0, 1, 2].isnan().all() and weights_path[0, 1, [0, 1, 3]].isfinite().all()
        )


def test_by_default_a_nan_key_that_is_masked_out_does_not_reach_the_weights_path(qkv):
    q, k, v = (x.clone() for x in qkv)
    k[0, 0, 1] = math.nan
    keep = torch.ones(4, 4, dtype=torch.bool)
    keep[:, 1] = False
    layer = nna.ScaledDotProductAttention()
    assert torch.isfinite(layer(q, k, v, keep)[0]).all()
    fused, _ = layer(q, k, v, keep, need_weights=False)  # torch's kernel lets it through
    torch.testing.assert_close(
        fused, F.scaled_dot_product_attention(q, k, v, attn_mask=keep), equal_nan=True
    )


def test_by_default_a_nan_score_in_the_competition_layer_propagates(qkv):
    """NaN scores used to be taken for masked keys in dynamics mode (silently dropped)."""
    q, k, v = (x.clone() for x in qkv)
    q[0, 1, 2, 3] = math.nan
    context, w = nna.CompetitiveAttention("dynamics")(q, k, v)
    assert context[0, 1, 2].isnan().all() and w[0, 1, 2].isnan().all()
    assert context[0, 1, [0, 1, 3]].isfinite().all() and context[1].isfinite().all()


def test_by_default_nan_in_an_additive_mask_propagates(qkv):
    q, k, v = qkv
    mask = torch.zeros(4, 4)
    mask[2, 0] = math.nan
    layer = nna.ScaledDotProductAttention(mask_convention="additive")
    ours, _ = layer(q, k, v, mask)
    assert ours[:, :, 2].isnan().all() and torch.isfinite(ours[:, :, [0, 1, 3]]).all()


def test_by_default_finite_inputs_whose_scores_overflow_give_nan_as_in_torch(qkv):
    q, _, v = qkv
    big = q * 1e20  # finite in float32, its scores are not
    ours, _ = nna.ScaledDotProductAttention()(big, big, v)
    assert ours.isnan().any()
    assert F.scaled_dot_product_attention(big, big, v).isnan().any()


LAYERS = {
    "sdpa": lambda: (nna.ScaledDotProductAttention(), ("Q", "K", "V"), (2, 2, 4, 8)),
    "competitive": lambda: (nna.CompetitiveAttention("dynamics"), ("Q", "K", "V"), (2, 2, 4, 8)),
    "mha": lambda: (nna.MultiHeadAttention(8, 2), ("query", "key", "value"), (2, 4, 8)),
    "additive": lambda: (nna.AdditiveAttention(8), ("query", "keys", "values"), (2, 4, 8)),
    "luong": lambda: (nna.LuongAttention(8), ("query", "keys", "values"), (2, 4, 8)),
}


@pytest.mark.parametrize("name", sorted(LAYERS))
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_check_mode_refuses_non_finite_inputs_naming_them(gen, name, bad):
    layer, names, shape = LAYERS[name]()
    for i, label in enumerate(names):
        args = [torch.randn(*shape, generator=gen) for _ in names]
        args[i][0, 1, 2] = bad
        layer(*args)  # default: no complaint (tanh(inf) = 1 even gives finite results)
        with nna.set_checks(True), pytest.raises(ValueError, match=f"^{label} contains NaN or inf"):
            layer(*args)


@pytest.mark.parametrize("name", ["spatial", "channel", "cbam", "eca"])
def test_check_mode_refuses_non_finite_images(name):
    layer = nna.create(name) if name == "spatial" else nna.create(name, 4)
    x = torch.randn(1, 4, 5, 5)
    x[0, 1, 2, 3] = math.nan
    assert layer(x).isnan().any()
    with nna.set_checks(True), pytest.raises(ValueError, match="x contains NaN or inf"):
        layer(x)


@pytest.mark.parametrize("bad", [math.nan, math.inf])
@pytest.mark.parametrize("convention", ["additive", "torch"])
def test_check_mode_refuses_nan_and_plus_inf_in_float_masks_but_not_minus_inf(qkv, bad, convention):
    q, k, v = qkv
    layer = nna.ScaledDotProductAttention(mask_convention=convention)
    mask = torch.zeros(4, 4)
    mask[:, 1] = -math.inf
    with nna.set_checks(True):
        assert torch.isfinite(layer(q, k, v, mask)[0]).all()
        mask[0, 0] = bad
        with pytest.raises(ValueError, match=r"mask contains NaN or \+inf"):
            layer(q, k, v, mask)
    mha = nna.MultiHeadAttention(8, 2, mask_convention=convention)
    with nna.set_checks(True), pytest.raises(ValueError, match="attn_mask contains NaN"):
        mha(q[0], attn_mask=mask)


@pytest.mark.parametrize("dtype", [torch.float16, torch.float32, torch.float64])
def test_check_mode_reports_an_overflow_of_finite_inputs_with_its_dtype(qkv, dtype):
    q, v = qkv[0].to(dtype), qkv[2].to(dtype)
    big = q / q.abs().max() * 2 * math.sqrt(torch.finfo(dtype).max)  # finite, Q Kᵀ is not
    assert torch.isfinite(big).all()
    # the fused kernel computes half precision in float32 on CPU: no overflow there
    paths = (True,) if dtype == torch.float16 else (True, False)
    with nna.set_checks(True):
        for need in paths:
            with pytest.raises(ValueError, match=f"context overflowed {dtype}"):
                nna.ScaledDotProductAttention()(big, big, v, need_weights=need)


def test_check_mode_reports_weights_that_overflow_half_precision(qkv):
    q, k, v = (x.half() for x in qkv)
    layer = nna.CompetitiveAttention(A=0.0, learn_A=False, B=1e5, scale=100.0)
    assert not torch.isfinite(layer(q, k, v)[1]).all()  # B·w > 65504 in float16
    with nna.set_checks(True), pytest.raises(ValueError, match=r"overflowed torch\.float16"):
        layer(q, k, v)


def test_check_mode_lets_finite_inputs_through_unchanged(qkv):
    q, k, v = qkv
    for layer in (nna.ScaledDotProductAttention(), nna.CompetitiveAttention("dynamics")):
        plain = layer(q, k, v)
        with nna.set_checks(True):
            checked = layer(q, k, v)
        torch.testing.assert_close(plain, checked)
