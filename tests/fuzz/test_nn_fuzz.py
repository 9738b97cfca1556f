"""Fuzz of the PyTorch layers: every layer in ``nna.available()`` built with random valid or
invalid options and called with random tensors (any small shape, empty ones included; dtypes
float64/32/16, bfloat16, integer, bool, complex; NaN, inf and huge values; masks of every
kind), and the two plotting functions with arrays of any dtype.

The promise checked:

* construction either works or raises ValueError/TypeError;
* a call either raises ValueError/TypeError or returns outputs of the documented shapes and
  of the inputs' dtype, within :data:`SECONDS`;
* by default (non-finite values flow through as in torch) the outputs are finite whenever
  the inputs and options are finite and moderate (|x| <= 10: larger finite values may
  overflow the scores, as in torch, which check mode reports);
* in check mode (``nna.set_checks(True)``) every returned output is finite, whatever the
  inputs: anything else must have raised.

The default profile runs ``FUZZ`` (15 examples per test, the same ones every run);
``NEUROATTN_FUZZ_EXAMPLES=2000`` runs a long one.
"""

from __future__ import annotations

import inspect
import math
import time
from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from hypothesis import event, given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import neuroattn.nn as nna  # noqa: E402
from neuroattn.nn._activations import ACTIVATIONS  # noqa: E402
from neuroattn.nn._channel import POOLINGS  # noqa: E402
from neuroattn.nn._competitive import MAX_SLOPES, stable_dt  # noqa: E402
from neuroattn.nn._seq2seq import LUONG_SCORES  # noqa: E402

from ._strategies import FUZZ, NUMBERS, SECONDS, arrays  # noqa: E402

ERRORS = (ValueError, TypeError)
TAME = 10.0  # inputs and options up to this size cannot overflow any dtype's scores here
FLOATS = [torch.float64, torch.float32, torch.float16, torch.bfloat16]
OTHER_DTYPES = [torch.int64, torch.uint8, torch.bool, torch.complex64]
FILLS = ["random"] * 5 + ["zeros", "constant", "big", "huge", "nan", "inf", "some_nan", "some_inf"]
MASKS = ["none"] * 4 + [
    "bool",
    "int",
    "float01",
    "additive",
    "nan",
    "wrong_shape",
    "list",
    "complex",
]

SMALL = st.integers(1, 6)
FLAG = st.booleans()
# valid values of each constructor parameter, by name
VALID: dict[str, st.SearchStrategy[Any]] = {
    "dropout": st.sampled_from([0.0, 0.1, 0.5]),
    "scale": st.one_of(st.none(), st.floats(0.01, TAME)),
    "causal": FLAG,
    "bias": FLAG,
    "norm": FLAG,
    "learn_A": FLAG,
    "batch_first": FLAG,
    "mask_convention": st.sampled_from(nna.MASK_CONVENTIONS),
    "mode": st.sampled_from(["shunting", "dynamics"]),
    "num_heads": st.integers(1, 4),
    "num_kv_heads": st.one_of(st.none(), st.integers(1, 4)),
    "A": st.floats(0.0, 5.0),
    "B": st.floats(0.1, 5.0),
    "beta": st.floats(0.01, 5.0),
    "steps": st.integers(1, 6),
    "dt": st.floats(0.01, 3.0),
    "activation": st.one_of(st.sampled_from([*ACTIVATIONS, torch.tanh]), st.builds(torch.nn.PReLU)),
    "act": st.sampled_from([*ACTIVATIONS, torch.tanh]),
    "gate": st.sampled_from([*ACTIVATIONS, torch.sigmoid]),
    "embed_dim": st.sampled_from([2, 4, 6, 8]),
    "query_dim": SMALL,
    "key_dim": st.one_of(st.none(), SMALL),
    "hidden_dim": st.one_of(st.none(), SMALL),
    "kdim": st.one_of(st.none(), SMALL),
    "vdim": st.one_of(st.none(), SMALL),
    "channels": SMALL,
    "reduction": SMALL,
    "kernel_size": st.sampled_from([1, 3, 5, 7]),
    "pooling": st.sampled_from(POOLINGS),
    "score": st.sampled_from(LUONG_SCORES),
    "gamma": st.floats(0.5, 4.0),
    "b": st.floats(-2.0, 2.0),
    "device": st.sampled_from([None, "cpu", torch.device("cpu")]),
    "dtype": st.sampled_from([None, *FLOATS]),
}
# anything a user might pass instead
WILD = st.one_of(
    NUMBERS,
    st.booleans(),
    st.none(),
    st.text(max_size=4),
    st.sampled_from([2**40, 10**5, -1, 0, 4.0, [1], {"a": 1}, "meta", "bogus", torch.int64]),
)


def _tame(value: Any) -> bool:
    """An option that cannot make finite inputs overflow (numbers up to TAME)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return math.isfinite(value) and abs(value) <= TAME
    return True


@pytest.fixture(autouse=True)
def small_limits(monkeypatch):
    """A huge size drawn by the fuzz must be refused, never allocated."""
    monkeypatch.setattr(nna.LIMITS, "max_parameters", 10**6)
    monkeypatch.setattr(nna.LIMITS, "max_weights", 10**6)


def draw_layer(data: Any, name: str, chaos: int) -> tuple[Any, bool]:
    """Build layer ``name`` from random options; return (layer or None, options tame).

    ``chaos`` 0 draws valid options only (most layers get built), 1 and 2 also wild ones.
    """
    cls = nna.available()[name]
    wild = {0: 0, 1: 1, 2: 4}[chaos]
    options: dict[str, Any] = {}
    for param in inspect.signature(cls).parameters.values():
        required = param.default is inspect.Parameter.empty
        pool = ["valid"] * (20 if required else 10) + ["wild"] * wild + ["omit"] * 8
        choice = data.draw(st.sampled_from(pool), label=f"{param.name}?")
        if choice == "valid" and param.name in VALID:
            options[param.name] = data.draw(VALID[param.name], label=param.name)
        elif choice == "wild":
            options[param.name] = data.draw(WILD, label=param.name)
    if chaos == 0:
        options.update(consistent_options(data, name, options))
    tame = all(_tame(v) for v in options.values())
    try:
        layer = nna.create(name, **options)
    except ERRORS:
        return None, tame
    if data.draw(st.booleans(), label="convert layer"):
        layer = layer.to(data.draw(st.sampled_from(FLOATS), label="layer dtype"))
    layer.train(data.draw(st.booleans(), label="training"))
    return layer, tame


def consistent_options(data: Any, name: str, options: dict[str, Any]) -> dict[str, Any]:
    """Valid options that also fit together (heads dividing widths, a stable dt, ...)."""
    if name == "mha":
        embed = options.get("embed_dim", 4)
        heads = data.draw(st.sampled_from([h for h in (1, 2, 3, 4) if embed % h == 0]))
        kv = data.draw(st.sampled_from([None] + [k for k in (1, 2) if heads % k == 0]))
        return {"embed_dim": embed, "num_heads": heads, "num_kv_heads": kv}
    if name == "competitive" and options.get("mode") == "dynamics":
        activation = options.get("activation", "sigmoid")
        slope = MAX_SLOPES.get(activation, 1.0) if isinstance(activation, str) else 1.0
        bound = stable_dt(options.get("beta", 1.0), slope)
        return {"dt": data.draw(st.floats(0.01, 1.0), label="dt fraction") * bound}
    if name == "luong" and options.get("score") == "dot":
        return {"key_dim": None}
    return {}


def draw_tensor(data: Any, shape: tuple[int, ...], dtype: torch.dtype, label: str) -> Any:
    """A tensor of ``shape`` and ``dtype`` with random content (NaN, inf, huge, ...)."""
    fill = data.draw(st.sampled_from(FILLS), label=f"{label} fill")
    seed = data.draw(st.integers(0, 2**16), label=f"{label} seed")
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(shape, generator=gen, dtype=torch.float64)
    special = {"nan": math.nan, "inf": math.inf, "huge": 1e300, "big": 1e4}
    if fill in special:
        x = x * special[fill]
    elif fill == "zeros":
        x = x * 0
    elif fill == "constant":
        x = x * 0 + 0.5
    elif fill.startswith("some_") and x.numel():
        x.view(-1)[seed % x.numel()] = math.nan if fill == "some_nan" else -math.inf
    return x.to(dtype)


def draw_dtype(data: Any, layer: Any, label: str, chaos: int) -> torch.dtype:
    """The layer's parameters' dtype (or any float for a layer without); with chaos, any."""
    param = next(layer.parameters(), None)
    base = [param.dtype] if param is not None else FLOATS
    pool = base * 6 + (FLOATS + OTHER_DTYPES if chaos else [])
    return data.draw(st.sampled_from(pool), label=label)


def perturb(data: Any, shape: list[int], label: str, chaos: int) -> tuple[int, ...]:
    """``shape``; with chaos, sometimes one size changed or one dimension added or dropped."""
    if chaos == 0:
        return tuple(shape)
    keep = ["keep"] * (12 if chaos == 1 else 3)
    how = data.draw(st.sampled_from([*keep, "size", "add", "drop"]), label=label)
    shape = list(shape)
    if how == "size" and shape:
        i = data.draw(st.integers(0, len(shape) - 1))
        shape[i] = data.draw(st.integers(0, 7))
    elif how == "add":
        shape.insert(0, data.draw(st.integers(0, 3)))
    elif how == "drop" and shape:
        shape.pop(0)
    return tuple(shape)


def draw_mask(data: Any, shape: tuple[int, ...], chaos: int, label: str = "mask") -> Any:
    """A mask of every kind: bool, 0/1 integer or float, additive, NaN, misshapen, ...

    Without chaos, one that fits the layer's default convention ("keep").
    """
    kinds = MASKS if chaos else ["none", "bool", "int", "float01"]
    kind = data.draw(st.sampled_from(kinds), label=f"{label} kind")
    if kind == "none":
        return None
    if kind == "list":
        return [[1, 0]]
    rank = data.draw(st.integers(1, len(shape)) if shape else st.just(0), label=f"{label} rank")
    mshape = tuple(shape[len(shape) - rank :])
    if kind == "wrong_shape":
        mshape = (*mshape[:-1], 9) if mshape else (9,)
    gen = torch.Generator().manual_seed(data.draw(st.integers(0, 2**16)))
    keep = torch.rand(mshape, generator=gen) < 0.7
    if kind in ("bool", "wrong_shape"):
        return keep
    if kind == "int":
        return keep.long()
    if kind == "complex":
        return keep.to(torch.complex64)
    if kind == "float01":
        return keep.double()
    additive = torch.zeros(mshape).masked_fill(~keep, -math.inf)
    if kind == "nan" and additive.numel():
        additive.view(-1)[0] = math.nan
    return additive


def finite(*tensors: Any) -> bool:
    """True when every tensor given is finite and within TAME (None and non-tensors skip)."""
    for x in tensors:
        if isinstance(x, torch.Tensor) and x.is_floating_point() and x.numel():
            if not bool(torch.isfinite(x).all()) or float(x.abs().max()) > TAME:
                return False
    return True


def finite_mask(mask: Any) -> bool:
    """A mask that cannot bring NaN: -inf (masked) is fine, NaN and +inf are not."""
    if isinstance(mask, torch.Tensor) and mask.is_floating_point():
        return not bool((mask.isnan() | (mask == math.inf)).any())
    return True


# ---- the calls, by the layer's family ----------------------------------------------------


def call_qkv(data: Any, layer: Any, chaos: int) -> tuple[tuple, dict, Any]:
    """Q/K/V layers (sdpa, competitive): inputs, keyword arguments and expected shapes."""
    lead = data.draw(st.lists(st.integers(0, 3), max_size=2), label="batch dims")
    heads = getattr(layer, "num_heads", None)
    H = (
        heads
        if heads and (chaos == 0 or data.draw(st.booleans()))
        else data.draw(st.integers(0, 3))
    )
    Hk = H if chaos == 0 or data.draw(st.booleans()) else data.draw(st.integers(0, 3))
    L, S = data.draw(st.integers(0, 5), label="L"), data.draw(st.integers(0, 5), label="S")
    E = data.draw(st.integers(0 if chaos else 1, 5), label="E")
    Ev = data.draw(st.integers(0, 5), label="Ev")
    dtypes = [draw_dtype(data, layer, "dtype", chaos)] * 3
    if chaos and data.draw(st.booleans(), label="mixed dtypes"):
        dtypes = [draw_dtype(data, layer, "", chaos) for _ in "qkv"]
    shapes = [
        perturb(data, [*lead, H, L, E], "Q shape", chaos),
        perturb(data, [*lead, Hk, S, E], "K shape", chaos),
        perturb(data, [*lead, Hk, S, Ev], "V shape", chaos),
    ]
    q, k, v = (draw_tensor(data, s, d, n) for s, d, n in zip(shapes, dtypes, "QKV", strict=True))
    mask = draw_mask(data, (*lead, H, L, S), chaos)
    need = data.draw(st.booleans(), label="need_weights")
    expected = ((*q.shape[:-1], v.shape[-1]), (*q.shape[:-1], k.shape[-2]) if need else None)
    return (q, k, v, mask), {"need_weights": need}, expected


def call_mha(data: Any, layer: Any, chaos: int) -> tuple[tuple, dict, Any]:
    """MultiHeadAttention: torch's argument order and layouts."""
    B, L, S = (data.draw(st.integers(0, 4), label=n) for n in "BLS")
    unbatched = data.draw(st.integers(0, 4), label="unbatched") == 0
    dtype = draw_dtype(data, layer, "dtype", chaos)

    def layout(n: int, features: int) -> list[int]:
        if unbatched:
            return [n, features]
        return [B, n, features] if layer.batch_first else [n, B, features]

    def tensor(n: int, features: int, label: str) -> Any:
        return draw_tensor(data, perturb(data, layout(n, features), label, chaos), dtype, label)

    query = tensor(L, layer.embed_dim, "query")
    key = value = None
    if layer.kdim == layer.vdim == layer.embed_dim and data.draw(st.booleans()):
        S = L  # self-attention
    else:
        key, value = tensor(S, layer.kdim, "key"), tensor(S, layer.vdim, "value")
    pad = draw_mask(data, (S,) if unbatched else (B, S), chaos, "key_padding_mask")
    H = layer.num_heads
    attn = draw_mask(data, (H, L, S) if unbatched else (B, H, L, S), chaos, "attn_mask")
    need = data.draw(st.booleans(), label="need_weights")
    average = data.draw(st.booleans(), label="average_attn_weights")
    kwargs = {
        "key_padding_mask": pad,
        "need_weights": need,
        "attn_mask": attn,
        "average_attn_weights": average,
        "is_causal": data.draw(st.booleans(), label="is_causal"),
    }
    lead = (L,) if unbatched else ((B, L) if layer.batch_first else (L, B))
    weights = (L, S) if average else (H, L, S)
    weights = weights if unbatched else (B, *weights)
    return (query, key, value), kwargs, ((*lead, layer.embed_dim), weights if need else None)


def call_seq2seq(data: Any, layer: Any, chaos: int) -> tuple[tuple, dict, Any]:
    """Additive and Luong attention: decoder state(s) against encoder states."""
    B, Lq, S = (data.draw(st.integers(0, 4), label=n) for n in ("B", "Lq", "S"))
    Dv = data.draw(st.integers(0, 5), label="Dv")
    single = data.draw(st.booleans(), label="one query")
    dtype = draw_dtype(data, layer, "dtype", chaos)
    qshape = [B, layer.query_dim] if single else [B, Lq, layer.query_dim]
    query = draw_tensor(data, perturb(data, qshape, "query shape", chaos), dtype, "query")
    kshape = perturb(data, [B, S, layer.key_dim], "keys shape", chaos)
    keys = draw_tensor(data, kshape, dtype, "keys")
    values = None
    if data.draw(st.booleans(), label="values"):
        vshape = perturb(data, [B, S, Dv], "values shape", chaos)
        values = draw_tensor(data, vshape, dtype, "values")
    per_key = single or data.draw(st.booleans(), label="key mask")
    mask = draw_mask(data, (B, S) if per_key else (B, Lq, S), chaos)
    lead = tuple(query.shape[:-1])
    dv = keys.shape[-1] if values is None else values.shape[-1]
    return (query, keys, values, mask), {}, ((*lead, dv), (*lead, keys.shape[1]))


def call_image(data: Any, layer: Any, chaos: int) -> tuple[tuple, dict, Any]:
    """Spatial, channel, CBAM and ECA attention: one (B, C, H, W) batch."""
    channels = getattr(layer, "channels", None) or getattr(
        getattr(layer, "channel", None), "channels", None
    )
    B = data.draw(st.integers(0, 3), label="B")
    C = data.draw(st.integers(0 if chaos else 1, 6), label="C")
    if channels and (chaos == 0 or data.draw(st.booleans())):
        C = channels
    H = data.draw(st.integers(0 if chaos else 1, 6), label="H")
    W = data.draw(st.integers(0 if chaos else 1, 6), label="W")
    shape = perturb(data, [B, C, H, W], "x shape", chaos)
    x = draw_tensor(data, shape, draw_dtype(data, layer, "dtype", chaos), "x")
    return (x,), {}, (tuple(x.shape),)


FAMILIES = {
    "sdpa": call_qkv,
    "competitive": call_qkv,
    "mha": call_mha,
    "additive": call_seq2seq,
    "bahdanau": call_seq2seq,
    "luong": call_seq2seq,
    "spatial": call_image,
    "channel": call_image,
    "cbam": call_image,
    "eca": call_image,
}


def test_every_registered_layer_has_a_family():
    assert set(FAMILIES) == set(nna.available())


def run_one(data: Any, name: str, checking: bool) -> None:
    chaos = data.draw(st.sampled_from([0, 0, 1, 2]), label="chaos")
    layer, tame = draw_layer(data, name, chaos)
    if layer is None:
        event(f"chaos {chaos}: refused at construction")
        return
    args, kwargs, expected = FAMILIES[name](data, layer, chaos)
    grad = data.draw(st.booleans(), label="with gradients")
    leaves = [a for a in args if isinstance(a, torch.Tensor) and a.is_floating_point()]
    if grad:
        for a in leaves:
            a.requires_grad_(True)
    start = time.perf_counter()
    try:
        with nna.set_checks(checking), torch.set_grad_enabled(grad):
            out = layer(*args, **kwargs)
    except ERRORS as exc:
        event(f"chaos {chaos}: refused call, {type(exc).__name__}")
        return
    finally:
        assert time.perf_counter() - start < SECONDS
    event(f"chaos {chaos}: returned")
    outputs = out if isinstance(out, tuple) else (out,)
    assert len(outputs) == len(expected)
    dtype = next(a for a in args if isinstance(a, torch.Tensor)).dtype
    for got, shape in zip(outputs, expected, strict=True):
        if shape is None:
            assert got is None
            continue
        assert tuple(got.shape) == tuple(shape), (tuple(got.shape), shape)
        assert got.dtype == dtype
    results = [o for o in outputs if o is not None]
    if grad and results[0].requires_grad:  # the backward pass works wherever the forward did
        sum(o.float().sum() for o in results).backward()
        assert all(a.grad is None or a.grad.shape == a.shape for a in leaves)
    masks = [*args[3:], kwargs.get("key_padding_mask"), kwargs.get("attn_mask")]
    if checking:  # the strict promise: anything non-finite must have raised
        assert all(bool(torch.isfinite(o).all()) for o in results)
    elif tame and finite(*args[:3]) and all(finite_mask(m) for m in masks):
        event(f"chaos {chaos}: finite and tame in, asserted finite out")
        assert all(bool(torch.isfinite(o).all()) for o in results)


@pytest.mark.parametrize("checking", [False, True], ids=["default", "check_mode"])
@pytest.mark.parametrize("name", sorted(nna.available()))
@FUZZ
@given(data=st.data())
def test_layer_fuzz(name, checking, data):
    run_one(data, name, checking)


# ---- the plotting functions ----------------------------------------------------------------

PLOT_VALUES = st.one_of(
    arrays(),
    st.builds(
        lambda a, dtype: torch.from_numpy(np.asarray(a, dtype=np.float64)).to(dtype),
        arrays(),
        st.sampled_from([*FLOATS, torch.int64, torch.bool]),
    ),
    st.sampled_from([None, "x", 3, [[0.1, 0.9]], [[1, 2], [3]]]),
)


@FUZZ
@given(
    weights=PLOT_VALUES,
    batch=st.one_of(st.integers(-2, 3), NUMBERS),
    labels=st.one_of(st.none(), st.lists(st.text(max_size=3), max_size=4), NUMBERS),
)
def test_plot_attention_fuzz(weights, batch, labels):
    try:
        fig = nna.plot_attention(weights, batch=batch, query_labels=labels)
    except ERRORS:
        return
    assert fig.axes


@FUZZ
@given(image=PLOT_VALUES, attention_map=PLOT_VALUES, alpha=st.one_of(st.floats(0, 1), NUMBERS))
def test_plot_spatial_map_fuzz(image, attention_map, alpha):
    try:
        fig = nna.plot_spatial_map(image, attention_map, alpha=alpha)
    except ERRORS:
        return
    assert fig.axes
