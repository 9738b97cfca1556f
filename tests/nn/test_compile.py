"""torch.compile and torch.export (torch.jit.script is deprecated in torch 2.13: not used)."""

import shutil

import pytest

torch = pytest.importorskip("torch")

import neuroattn.nn as nna  # noqa: E402

from .reference import randn, random_keep  # noqa: E402


def cases(gen):
    f32 = torch.float32
    q, k, v = (randn(gen, 2, 4, 5, 8, dtype=f32).requires_grad_(True) for _ in range(3))
    keep = random_keep(gen, 2, 1, 5, 5)
    x = randn(gen, 2, 5, 16, dtype=f32).requires_grad_(True)
    image = randn(gen, 2, 16, 6, 6, dtype=f32).requires_grad_(True)
    return {
        "sdpa": (nna.ScaledDotProductAttention(), (q, k, v, keep), {}),
        "sdpa_fast": (
            nna.ScaledDotProductAttention(causal=True),
            (q, k, v),
            {"need_weights": False},
        ),
        "mha": (nna.MultiHeadAttention(16, 4, num_kv_heads=2), (x,), {}),
        "mha_fast": (nna.MultiHeadAttention(16, 4), (x,), {"need_weights": False}),
        "competitive": (nna.CompetitiveAttention("dynamics"), (q, k, v, keep), {}),
        "cbam": (nna.CBAM(16, 4), (image,), {}),
        "eca": (nna.ECA(16), (image,), {}),
        "additive": (nna.AdditiveAttention(16, 16), (x[:, 0], x), {}),
        "luong": (nna.LuongAttention(16, 16, "concat"), (x[:, 0], x), {}),
    }


def first(out):
    return out[0] if isinstance(out, tuple) else out


NAMES = ["sdpa", "sdpa_fast", "mha", "mha_fast", "competitive", "cbam", "eca", "additive", "luong"]


@pytest.mark.parametrize("name", NAMES)
def test_compile_fullgraph_forward_and_backward(gen, name):
    """Dynamo traces every layer without graph breaks; AOT autograd differentiates it."""
    torch._dynamo.reset()
    layer, args, kw = cases(gen)[name]
    compiled = torch.compile(layer, backend="aot_eager", fullgraph=True)
    out = first(compiled(*args, **kw))
    torch.testing.assert_close(out, first(layer(*args, **kw)))
    out.square().sum().backward()
    assert all(p.grad is not None for p in layer.parameters())
    assert all(a.grad is not None for a in args if a.is_leaf and a.requires_grad)


@pytest.mark.parametrize("name", ["sdpa", "mha", "cbam"])
def test_export(gen, name):
    layer, args, kw = cases(gen)[name]
    args = tuple(a.detach() for a in args)
    program = torch.export.export(layer, args, kw)
    torch.testing.assert_close(first(program.module()(*args, **kw)), first(layer(*args, **kw)))


@pytest.mark.skipif(
    shutil.which("cc") is None and shutil.which("gcc") is None, reason="no C compiler"
)
def test_inductor_fast_path(gen):
    """One real inductor compile (a few seconds on CPU)."""
    torch._dynamo.reset()
    layer, args, kw = cases(gen)["sdpa_fast"]
    compiled = torch.compile(layer, fullgraph=True)
    torch.testing.assert_close(first(compiled(*args, **kw)), first(layer(*args, **kw)))
