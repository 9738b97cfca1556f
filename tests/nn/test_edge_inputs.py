"""Edge and bad inputs found for issue 8: each raises ValueError/TypeError or works."""

import pytest

torch = pytest.importorskip("torch")

import neuroattn.nn as nna  # noqa: E402
from neuroattn.nn._channel import eca_kernel_size  # noqa: E402

from .reference import numpy_attention  # noqa: E402


def t(*shape, dtype=torch.float32, device=None):
    return torch.randn(*shape, dtype=dtype, device=device)


@pytest.mark.parametrize("scale", [float("inf"), float("-inf"), float("nan"), 0.0, True])
def test_non_finite_or_non_positive_scales_are_refused(scale):
    with pytest.raises(ValueError, match="scale must be a finite number > 0"):
        nna.ScaledDotProductAttention(scale=scale)
    with pytest.raises(ValueError, match="scale"):
        nna.CompetitiveAttention(scale=scale)


@pytest.mark.parametrize("layer", [nna.ScaledDotProductAttention(), nna.CompetitiveAttention()])
def test_head_dimension_zero_is_a_value_error(layer):
    """Was ZeroDivisionError (1/sqrt(d_k)) on the weights path."""
    z = torch.zeros(2, 3, 4, 0)
    for need in (True, False):
        with pytest.raises(ValueError, match=r"at least one feature \(d_k >= 1"):
            layer(z, z, torch.zeros(2, 3, 4, 5), need_weights=need)


def test_zero_key_heads_for_query_heads_is_a_value_error():
    q, kv = t(1, 2, 3, 4), t(1, 0, 3, 4)
    for need in (True, False):
        with pytest.raises(ValueError, match="multiple of key/value heads"):
            nna.ScaledDotProductAttention()(q, kv, kv, need_weights=need)


@pytest.mark.parametrize(
    "shape_q,shape_kv",
    [
        ((0, 2, 3, 4), (0, 2, 5, 4)),  # batch 0
        ((1, 0, 3, 4), (1, 0, 5, 4)),  # 0 heads
        ((1, 2, 0, 4), (1, 2, 5, 4)),  # no queries
        ((1, 2, 3, 4), (1, 2, 0, 4)),  # no keys: zero context
    ],
)
@pytest.mark.parametrize("mode", [None, "shunting", "dynamics"])
def test_empty_sizes_give_empty_or_zero_outputs(shape_q, shape_kv, mode):
    layer = nna.ScaledDotProductAttention() if mode is None else nna.CompetitiveAttention(mode)
    q, kv = t(*shape_q), t(*shape_kv)
    for need in (True, False):
        context, w = layer(q, kv, kv, need_weights=need)
        assert context.shape == shape_q
        assert torch.isfinite(context).all()
        if shape_kv[2] == 0:
            assert (context == 0).all()
        if need:
            assert w.shape == (*shape_q[:-1], shape_kv[2])


def test_no_keys_in_the_other_layers_gives_a_zero_context():
    mha = nna.MultiHeadAttention(4, 2, bias=False)
    out, w = mha(t(2, 3, 4), t(2, 0, 4), t(2, 0, 4))
    assert (out == 0).all() and w.shape == (2, 3, 0)
    for layer in (nna.AdditiveAttention(4), nna.LuongAttention(4, score="concat")):
        context, w = layer(t(2, 4), t(2, 0, 4))
        assert (context == 0).all() and w.shape == (2, 0)


def test_inputs_on_other_devices_are_a_value_error():
    q, meta = t(1, 2, 3, 4), t(1, 2, 3, 4, device="meta")
    with pytest.raises(ValueError, match="one device"):
        nna.ScaledDotProductAttention()(q, meta, meta)
    keep = torch.ones(3, 3, dtype=torch.bool, device="meta")
    with pytest.raises(ValueError, match="mask is on meta but the inputs are on cpu"):
        nna.ScaledDotProductAttention()(q, q, q, keep)
    with pytest.raises(ValueError, match="parameters are on cpu"):
        nna.MultiHeadAttention(4, 2)(t(2, 3, 4, device="meta"))
    with pytest.raises(ValueError, match="parameters are on cpu"):
        nna.SpatialAttention()(t(1, 2, 3, 3, device="meta"))


@pytest.mark.parametrize(
    "layer,args",
    [
        (nna.MultiHeadAttention(4, 2), (t(2, 3, 4, dtype=torch.float64),)),
        (nna.SpatialAttention(), (t(1, 2, 5, 5, dtype=torch.float16),)),
        (nna.ChannelAttention(4, 2), (t(1, 4, 5, 5, dtype=torch.bfloat16),)),
        (nna.ECA(4), (t(1, 4, 5, 5, dtype=torch.float64),)),
        (nna.AdditiveAttention(4), (t(2, 4, dtype=torch.float64), t(2, 3, 4, dtype=torch.float64))),
    ],
)
def test_inputs_in_another_dtype_than_the_parameters_are_a_value_error(layer, args):
    """Were RuntimeError ("mat1 and mat2 must have the same dtype")."""
    with pytest.raises(ValueError, match=r"but the layer's parameters are torch.float32"):
        layer(*args)
    dtype = args[0].dtype
    out = layer.to(dtype)(*args)
    out = out[0] if isinstance(out, tuple) else out
    assert out.dtype == dtype and torch.isfinite(out).all()


def test_seq2seq_inputs_share_one_dtype_and_projected_keys_are_checked():
    with pytest.raises(ValueError, match="share one dtype"):
        nna.LuongAttention(4, score="dot")(t(2, 4, dtype=torch.float64), t(2, 3, 4))
    layer = nna.AdditiveAttention(4, hidden_dim=6)
    q, keys = t(2, 4), t(2, 3, 4)
    with pytest.raises(ValueError, match=r"projected_keys must be \(B, S, hidden_dim\)"):
        layer(q, keys, projected_keys=t(2, 3, 5))
    with pytest.raises(ValueError, match=r"projected_keys must be a torch.Tensor"):
        layer(q, keys, projected_keys=[1.0])
    torch.testing.assert_close(
        layer(q, keys, projected_keys=layer.project_keys(keys))[0], layer(q, keys)[0]
    )


@pytest.mark.parametrize("name", ["spatial", "channel", "cbam", "eca"])
@pytest.mark.parametrize("shape", [(1, 0, 5, 5), (1, 4, 0, 5), (1, 4, 5, 0)])
def test_images_without_channels_or_pixels_are_a_value_error(name, shape):
    """Were IndexError (max over an empty axis) or RuntimeError (conv on nothing)."""
    layer = nna.create(name) if name == "spatial" else nna.create(name, 4)
    with pytest.raises(
        ValueError, match=r"at least one channel and one pixel|must have 4 channels"
    ):
        layer(torch.zeros(shape))


@pytest.mark.parametrize("name", ["spatial", "channel", "cbam", "eca"])
def test_an_empty_image_batch_works(name):
    layer = nna.create(name) if name == "spatial" else nna.create(name, 4)
    assert layer(torch.zeros(0, 4, 5, 5)).shape == (0, 4, 5, 5)


@pytest.mark.parametrize(
    "kw,words",
    [
        ({"gamma": 0}, "gamma must be a finite number > 0"),  # was ZeroDivisionError
        ({"gamma": -2.0}, "gamma must"),
        ({"gamma": float("inf")}, "gamma must"),
        ({"b": float("nan")}, "b must be a finite number"),
        ({"gamma": 1e-300}, "ECA kernel of .* taps, beyond nna.LIMITS.max_parameters"),
        ({"channels": 0}, "channels must be a positive integer"),
        ({"channels": None}, "give channels"),
    ],
)
def test_eca_bad_arguments(kw, words):
    with pytest.raises(ValueError, match=words):
        nna.ECA(**{"channels": 16, **kw})


def test_eca_kernel_size_checks_its_arguments():
    assert eca_kernel_size(64) == 3
    with pytest.raises(ValueError, match="gamma"):
        eca_kernel_size(64, gamma=0)
    with pytest.raises(ValueError, match="channels"):
        eca_kernel_size(0)


@pytest.mark.parametrize(
    "build,words",
    [
        (lambda: nna.MultiHeadAttention(2**40, 1), "MultiHeadAttention's parameter count"),
        (lambda: nna.ChannelAttention(2**40), "ChannelAttention's parameter count"),
        (lambda: nna.AdditiveAttention(2**40), "AdditiveAttention's parameter count"),
        (lambda: nna.LuongAttention(2**40), "LuongAttention's parameter count"),
        (lambda: nna.SpatialAttention(2**31 + 1), "SpatialAttention's parameter count"),
        (lambda: nna.ECA(kernel_size=2**33 + 1), "ECA's parameter count"),
    ],
)
def test_huge_layers_are_refused_before_allocating(build, words):
    """Were RuntimeError (storage size overflow) or an allocation of the machine's memory."""
    with pytest.raises(ValueError, match=f"{words} .* exceeds the limit nna.LIMITS.max_parameters"):
        build()


def test_the_parameter_limit_can_be_raised(monkeypatch):
    monkeypatch.setattr(nna.LIMITS, "max_parameters", 100)
    with pytest.raises(ValueError, match="max_parameters = 100"):
        nna.MultiHeadAttention(8, 2)
    monkeypatch.setattr(nna.LIMITS, "max_parameters", 1000)
    assert nna.MultiHeadAttention(8, 2).embed_dim == 8


def test_the_weights_limit_leaves_the_fused_path_open(monkeypatch):
    monkeypatch.setattr(nna.LIMITS, "max_weights", 100)
    q = t(2, 2, 8, 4)  # weights 2·2·8·8 = 256 elements
    layer = nna.ScaledDotProductAttention()
    with pytest.raises(ValueError, match=r"attention weights' size 256 exceeds .*max_weights"):
        layer(q, q, q)
    assert layer(q, q, q, need_weights=False)[0].shape == (2, 2, 8, 4)
    with pytest.raises(ValueError, match="max_weights"):
        nna.AdditiveAttention(4, hidden_dim=8)(t(2, 4, 4), t(2, 8, 4))


@pytest.mark.parametrize(
    "kw,error,words",
    [
        ({"device": "bogus"}, ValueError, "device 'bogus' is not available"),
        ({"device": 1.5}, TypeError, "device must be"),
        ({"dtype": "float32"}, TypeError, "dtype must be a torch.dtype"),
        ({"dtype": torch.int64}, ValueError, "floating dtype"),
        ({"bias": "no"}, TypeError, "bias must be True or False"),
        ({"batch_first": 0}, TypeError, "batch_first must be True or False"),
    ],
)
def test_mha_bad_options(kw, error, words):
    with pytest.raises(error, match=words):
        nna.MultiHeadAttention(8, 2, **kw)


def test_mha_state_dicts_that_do_not_fit_are_a_value_error():
    mha = nna.MultiHeadAttention(8, 2)
    state = mha.state_dict()
    with pytest.raises(ValueError, match="Missing key"):
        mha.load_torch_state_dict({k: v for k, v in state.items() if k != "in_proj_bias"})
    with pytest.raises(ValueError, match="size mismatch"):
        mha.load_torch_state_dict({**state, "in_proj_bias": torch.zeros(3)})
    with pytest.raises(TypeError, match="mapping"):
        mha.load_torch_state_dict([1, 2])


def test_register_refuses_names_that_are_not_strings():
    """register(None, ...) raised AttributeError ('NoneType' object has no attribute 'strip')."""
    with pytest.raises(TypeError, match="name must be a string, got None"):
        nna.register(None, nna.SpatialAttention)
    with pytest.raises(TypeError, match="name must be a string"):
        nna.register(3, nna.SpatialAttention)
    with pytest.raises(ValueError, match="blank"):
        nna.register("  ", nna.SpatialAttention)
    with pytest.raises(TypeError, match="width must be a parameter name"):
        nna.register("x_layer", nna.SpatialAttention, width=3)
    assert "x_layer" not in nna.available()


def test_record_attention_refuses_a_non_module():
    with pytest.raises(TypeError, match=r"model must be a torch.nn.Module"):
        with nna.record_attention(None):
            pass


def test_float16_sdpa_agrees_with_float64(gen):
    q, k, v = (torch.randn(2, 2, 5, 8, generator=gen) for _ in range(3))
    ref, _ = numpy_attention(q, k, v)
    for dtype in (torch.float16, torch.bfloat16):
        for need in (True, False):
            out, _ = nna.ScaledDotProductAttention()(
                q.to(dtype), k.to(dtype), v.to(dtype), need_weights=need
            )
            assert out.dtype == dtype
            torch.testing.assert_close(out.double(), torch.from_numpy(ref), atol=3e-2, rtol=3e-2)


def test_no_query_heads_for_key_heads_is_a_value_error():
    """Found by the fuzz: Q with 0 heads and K with 2 gave groups = 0 and a RuntimeError."""
    q, kv = t(0, 0, 0, 1), t(0, 2, 0, 1)
    for need in (True, False):
        with pytest.raises(ValueError, match="multiple of key/value heads"):
            nna.ScaledDotProductAttention()(q, kv, kv, need_weights=need)


@pytest.mark.parametrize("mask", [torch.tensor([True, False, True]), torch.tensor(True)])
def test_a_one_dimensional_or_scalar_mask_works_on_both_paths(gen, mask):
    """Found by the fuzz: a (S,) mask raised IndexError in torch's fused kernel."""
    q = torch.randn(2, 2, 4, 5, generator=gen)
    k, v = torch.randn(2, 2, 3, 5, generator=gen), torch.randn(2, 2, 3, 5, generator=gen)
    layer = nna.ScaledDotProductAttention()
    with_weights, _ = layer(q, k, v, mask)
    fused, _ = layer(q, k, v, mask, need_weights=False)
    torch.testing.assert_close(fused, with_weights)
    torch.testing.assert_close(with_weights, layer(q, k, v, mask.expand(4, 3))[0])


def test_from_torch_refuses_other_modules():
    with pytest.raises(TypeError, match=r"torch\.nn\.MultiheadAttention"):
        nna.MultiHeadAttention.from_torch(torch.nn.Linear(2, 2))
    with pytest.raises(ValueError, match="dynamics mode only"):
        nna.CompetitiveAttention().max_dt()


def test_flags_are_booleans_not_numbers():
    np = pytest.importorskip("numpy")
    assert nna.ScaledDotProductAttention(causal=np.True_).causal is True
    for build in (
        lambda: nna.ScaledDotProductAttention(causal=1),
        lambda: nna.SpatialAttention(norm="yes"),
        lambda: nna.ChannelAttention(4, bias=None),
        lambda: nna.AdditiveAttention(4, bias=0),
    ):
        with pytest.raises(TypeError, match="must be True or False"):
            build()
