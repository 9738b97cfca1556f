import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

from neuroattn.nn import CBAM, ECA, ChannelAttention, SpatialAttention  # noqa: E402
from neuroattn.nn._pooling import mean_max  # noqa: E402

from .reference import randn  # noqa: E402


def spatial_reference(x, conv, bn=None):
    """The source's module: channel mean and max -> conv -> sigmoid -> rescale."""
    avg_out = torch.mean(x, dim=1, keepdim=True)
    max_out, _ = torch.max(x, dim=1, keepdim=True)
    a = F.conv2d(torch.cat([avg_out, max_out], dim=1), conv.weight, conv.bias, padding="same")
    if bn is not None:
        a = bn(a)
    return x * torch.sigmoid(a)


def channel_reference(x, fc1, fc2):
    """Woo et al. eq. 2 written out."""
    mlp = lambda v: F.linear(F.relu(F.linear(v, fc1.weight)), fc2.weight)  # noqa: E731
    w = torch.sigmoid(mlp(x.mean((2, 3))) + mlp(x.amax((2, 3))))
    return x * w[:, :, None, None]


def grads(fn, x, params):
    x = x.detach().clone().requires_grad_(True)
    y = fn(x)
    g = torch.randn(y.shape, generator=torch.Generator().manual_seed(3), dtype=y.dtype)
    return y, torch.autograd.grad(y, [x, *params], g)


@pytest.mark.parametrize("kernel_size", [1, 3, 7])
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_spatial_equals_source_module(gen, kernel_size, dtype):
    layer = SpatialAttention(kernel_size).to(dtype)
    x = randn(gen, 2, 5, 9, 8, dtype=dtype)
    y, g = grads(layer, x, [layer.conv.weight])
    y_ref, g_ref = grads(lambda t: spatial_reference(t, layer.conv), x, [layer.conv.weight])
    tol = {"atol": 1e-5, "rtol": 1e-4} if dtype == torch.float32 else {}
    assert y.dtype == dtype and y.shape == x.shape
    torch.testing.assert_close(y, y_ref, **tol)
    for a, b in zip(g, g_ref, strict=True):
        torch.testing.assert_close(a, b, **tol)


def test_spatial_with_batch_norm_and_map(gen):
    layer = SpatialAttention(3, norm=True, bias=True).double()
    x = randn(gen, 4, 3, 6, 6)
    y = layer(x)
    bn = torch.nn.BatchNorm2d(1).double()
    torch.testing.assert_close(y, spatial_reference(x, layer.conv, bn))
    m = layer.attention_map(x)
    assert m.shape == (4, 1, 6, 6) and ((m > 0) & (m < 1)).all()


@pytest.mark.parametrize("bad", [4, 0, -3, 2.0, "7", True, None])
def test_kernel_size_must_be_odd_positive_int(bad):
    with pytest.raises(ValueError, match="kernel_size"):
        SpatialAttention(bad)
    with pytest.raises(ValueError, match="kernel_size"):
        ECA(kernel_size=bad if bad is not None else 4)


@pytest.mark.parametrize("pooling", ["avg+max", "avg", "max"])
def test_channel_attention_equals_equation(gen, pooling):
    layer = ChannelAttention(32, reduction=8, pooling=pooling).double()
    x = randn(gen, 3, 32, 5, 4)
    params = [layer.fc1.weight, layer.fc2.weight]
    y, g = grads(layer, x, params)
    fc1, fc2 = layer.fc1, layer.fc2
    if pooling == "avg+max":
        ref = lambda t: channel_reference(t, fc1, fc2)  # noqa: E731
    else:
        pool = (lambda t: t.mean((2, 3))) if pooling == "avg" else (lambda t: t.amax((2, 3)))

        def ref(t):
            w = torch.sigmoid(F.linear(F.relu(F.linear(pool(t), fc1.weight)), fc2.weight))
            return t * w[:, :, None, None]

    y_ref, g_ref = grads(ref, x, params)
    torch.testing.assert_close(y, y_ref)
    for a, b in zip(g, g_ref, strict=True):
        torch.testing.assert_close(a, b)
    assert layer.fc1.out_features == 4


def test_cbam_is_channel_then_spatial(gen):
    cbam = CBAM(16, reduction=4, kernel_size=3).double()
    x = randn(gen, 2, 16, 7, 7)
    ref = spatial_reference(
        channel_reference(x, cbam.channel.fc1, cbam.channel.fc2), cbam.spatial.conv
    )
    torch.testing.assert_close(cbam(x), ref)


def test_gates_and_activations_by_name_class_or_function(gen):
    x = randn(gen, 2, 16, 4, 4, dtype=torch.float32)
    torch.manual_seed(0)
    base = CBAM(16, 4)
    outs = []
    for act, gate in [
        ("ReLU", torch.sigmoid),
        (torch.nn.ReLU, torch.nn.Sigmoid),
        ("relu", "sigmoid"),
    ]:
        other = CBAM(16, 4, act=act, gate=gate)
        other.load_state_dict(base.state_dict())
        outs.append(other(x))
    for out in outs:
        torch.testing.assert_close(out, base(x))
    hard = CBAM(16, 4, gate="hard_sigmoid")
    hard.load_state_dict(base.state_dict())
    assert not torch.allclose(hard(x), base(x))
    with pytest.raises(ValueError, match="valid names"):
        CBAM(16, act="relu7")
    with pytest.raises(ValueError, match="gate"):
        SpatialAttention(gate=3)


def test_eca(gen):
    from neuroattn.nn._channel import eca_kernel_size

    assert [eca_kernel_size(c) for c in (16, 64, 256, 512)] == [3, 3, 5, 5]
    layer = ECA(64).double()
    assert layer.kernel_size == 3
    x = randn(gen, 2, 64, 5, 5)
    w = torch.sigmoid(F.conv1d(x.mean((2, 3))[:, None], layer.conv.weight, padding=1))
    torch.testing.assert_close(layer(x), x * w[:, 0, :, None, None])
    with pytest.raises(ValueError, match="channels"):
        ECA()


def test_mean_max_gradient(gen):
    x = randn(gen, 2, 4, 3, 5).requires_grad_(True)
    for dim in (1, -1):
        assert torch.autograd.gradcheck(lambda t, d=dim: mean_max(t, d), (x,))
        assert torch.autograd.gradgradcheck(lambda t, d=dim: mean_max(t, d), (x,))
        m, top = mean_max(x, dim)
        torch.testing.assert_close(m, x.mean(dim, keepdim=True))
        torch.testing.assert_close(top, x.amax(dim, keepdim=True))


def test_vision_inputs_are_checked(gen):
    with pytest.raises(ValueError, match="channels"):
        ChannelAttention(8)(randn(gen, 2, 6, 4, 4))
    with pytest.raises(ValueError, match=r"\(B, C, H, W\)"):
        SpatialAttention()(randn(gen, 2, 6, 4))
    with pytest.raises(ValueError, match="pooling"):
        ChannelAttention(8, pooling="mean")
    with pytest.raises(ValueError, match="reduction"):
        ChannelAttention(8, reduction=0)


def test_channels_last_input_and_gradcheck(gen):
    layer = CBAM(8, 2, 3).double()
    x = randn(gen, 2, 8, 5, 5).contiguous(memory_format=torch.channels_last)
    torch.testing.assert_close(layer(x), layer(x.contiguous()))
    small = randn(gen, 1, 8, 3, 3).requires_grad_(True)
    assert torch.autograd.gradcheck(layer, (small,))
