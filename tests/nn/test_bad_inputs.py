"""Bad arguments raise a ValueError that names the problem."""

import pytest

torch = pytest.importorskip("torch")

import neuroattn.nn as nna  # noqa: E402


def t(*shape, dtype=torch.float32):
    return torch.zeros(*shape, dtype=dtype)


SDPA_CASES = [
    ((t(2, 3, 5, 8), t(2, 3, 6, 7), t(2, 3, 6, 4)), {}, "d_k"),
    ((t(2, 3, 5, 8), t(2, 3, 6, 8), t(2, 3, 7, 4)), {}, "number of keys"),
    ((t(2, 3, 5, 8), t(3, 3, 6, 8), t(3, 3, 6, 4)), {}, "batch"),
    ((t(2, 4, 5, 8), t(2, 3, 6, 8), t(2, 3, 6, 4)), {}, "multiple of key/value heads"),
    ((t(2, 3, 5, 8), t(2, 3, 6, 8), t(2, 6, 4)), {}, "same number of dimensions"),
    ((t(2, 3, 5, 8), t(2, 3, 6, 8, dtype=torch.float64), t(2, 3, 6, 4)), {}, "dtype"),
    ((t(2, 3, 5, 8, dtype=torch.int64), t(2, 3, 6, 8), t(2, 3, 6, 4)), {}, "floating"),
    ((t(8), t(6, 8), t(6, 4)), {}, "at least 2"),
    ((t(2, 3, 5, 8), t(2, 3, 6, 8), t(2, 3, 6, 4)), {"mask": t(5, 5)}, "does not broadcast"),
    ((t(2, 3, 5, 8), t(2, 3, 6, 8), t(2, 3, 6, 4)), {"mask": t(2, 2, 5, 6)}, "does not broadcast"),
    (
        (t(2, 3, 5, 8), t(2, 3, 6, 8), t(2, 3, 6, 4)),
        {"mask": t(5, 6, dtype=torch.complex64)},
        "bool, integer or floating",
    ),
    ((t(2, 3, 5, 8), t(2, 3, 6, 8), t(2, 3, 6, 4)), {"mask": [[1, 0]]}, "torch.Tensor"),
]


@pytest.mark.parametrize("args,kw,words", SDPA_CASES)
def test_sdpa_bad_inputs(args, kw, words):
    for need in (True, False):
        with pytest.raises(ValueError, match=words):
            nna.ScaledDotProductAttention()(*args, need_weights=need, **kw)


def test_additive_mask_passed_as_keep_mask_is_caught():
    q = t(1, 1, 2, 4)
    additive = torch.tensor([[0.0, float("-inf")], [0.0, 0.0]])
    with pytest.raises(ValueError, match="mask_convention='additive'"):
        nna.ScaledDotProductAttention()(q, q, q, additive)
    with pytest.raises(ValueError, match="bool or floating"):
        nna.ScaledDotProductAttention(mask_convention="additive")(q, q, q, additive.long())


@pytest.mark.parametrize(
    "kw,words",
    [
        ({"dropout": 1.0}, "dropout"),
        ({"dropout": -0.1}, "dropout"),
        ({"scale": -1.0}, "scale"),
        ({"mask_convention": "sdpa"}, "mask_convention"),
    ],
)
def test_sdpa_bad_construction(kw, words):
    with pytest.raises(ValueError, match=words):
        nna.ScaledDotProductAttention(**kw)


@pytest.mark.parametrize(
    "args,kw,words",
    [
        ((10, 3), {}, "num_heads=3 must divide embed_dim=10"),
        ((12, 4), {"num_kv_heads": 3}, "num_kv_heads=3 must divide"),
        ((0, 1), {}, "embed_dim"),
        ((8, 2), {"kdim": -1}, "kdim"),
    ],
)
def test_mha_bad_construction(args, kw, words):
    with pytest.raises(ValueError, match=words):
        nna.MultiHeadAttention(*args, **kw)


def test_mha_bad_inputs():
    mha = nna.MultiHeadAttention(8, 2, kdim=6, vdim=4)
    q, k, v = t(2, 5, 8), t(2, 7, 6), t(2, 7, 4)
    with pytest.raises(ValueError, match="query must have 8 features"):
        mha(t(2, 5, 6), k, v)
    with pytest.raises(ValueError, match="key must have 6 features"):
        mha(q, t(2, 7, 8), v)
    with pytest.raises(ValueError, match="same length"):
        mha(q, k, t(2, 6, 4))
    with pytest.raises(ValueError, match="batch size"):
        mha(q, t(3, 7, 6), t(3, 7, 4))
    with pytest.raises(ValueError, match="key_padding_mask must have shape"):
        mha(q, k, v, key_padding_mask=torch.ones(2, 5, dtype=torch.bool))
    with pytest.raises(ValueError, match="attn_mask"):
        mha(q, k, v, attn_mask=torch.ones(5, 5, dtype=torch.bool))
    with pytest.raises(ValueError, match="all 3-D"):
        mha(t(2, 5, 8), t(7, 6), t(7, 4))


def test_seq2seq_bad_inputs():
    with pytest.raises(ValueError, match="dot score needs query_dim == key_dim"):
        nna.LuongAttention(4, 6, "dot")
    with pytest.raises(ValueError, match="score must be one of"):
        nna.LuongAttention(4, 4, "bilinear")
    layer = nna.AdditiveAttention(4, 6)
    with pytest.raises(ValueError, match="expected query"):
        layer(t(2, 5), t(2, 3, 6))
    with pytest.raises(ValueError, match="must agree"):
        layer(t(2, 4), t(2, 3, 6), t(2, 4, 2))
    with pytest.raises(ValueError, match="does not broadcast"):
        layer(t(2, 4), t(2, 3, 6), None, torch.ones(2, 4))
