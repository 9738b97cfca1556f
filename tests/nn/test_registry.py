"""The registry's constructor rule: create(name, width=None, **options)."""

import pytest

torch = pytest.importorskip("torch")

import neuroattn.nn as nna  # noqa: E402

WIDTHS = {
    "channel": "channels",
    "cbam": "channels",
    "eca": "channels",
    "mha": "embed_dim",
    "additive": "query_dim",
    "bahdanau": "query_dim",
    "luong": "query_dim",
}
WITHOUT_WIDTH = ["sdpa", "competitive", "spatial"]
REQUIRED = {"mha": {"num_heads": 4}}


def shapes(module):
    return {k: tuple(v.shape) for k, v in module.state_dict().items()}


def test_every_registered_name_has_a_declared_width_or_none():
    assert {name: nna.width_parameter(name) for name in WIDTHS} == WIDTHS
    assert all(nna.width_parameter(name) is None for name in WITHOUT_WIDTH)
    assert set(WIDTHS) | set(WITHOUT_WIDTH) == set(nna.available())


@pytest.mark.parametrize("name", sorted(WIDTHS))
def test_width_positional_or_by_keyword(name):
    options = REQUIRED.get(name, {})
    by_position = nna.create(name, 16, **options)
    by_keyword = nna.create(name, **{WIDTHS[name]: 16}, **options)
    assert type(by_position) is type(by_keyword) is nna.available()[name]
    assert shapes(by_position) == shapes(by_keyword)
    direct = nna.available()[name](16, **options)
    assert shapes(by_position) == shapes(direct)


def test_width_reaches_the_layer():
    assert nna.create("cbam", 64, reduction=8).channel.channels == 64
    assert nna.create("mha", 32, num_heads=4).embed_dim == 32
    luong = nna.create("luong", 16, key_dim=8, score="general")
    assert (luong.query_dim, luong.key_dim) == (16, 8)
    additive = nna.create("additive", 16)  # key_dim defaults to query_dim
    assert (additive.query_dim, additive.key_dim) == (16, 16)
    assert nna.create("eca", 256).kernel_size == 5  # ECA's adaptive k for C = 256


@pytest.mark.parametrize("name", WITHOUT_WIDTH)
def test_layers_without_width_refuse_one(name):
    with pytest.raises(ValueError, match=rf"'{name}' \(\w+\) takes no width"):
        nna.create(name, 64)
    assert isinstance(nna.create(name), nna.available()[name])


def test_layers_without_width_take_their_options_by_keyword():
    assert nna.create("sdpa", dropout=0.1, causal=True).causal
    assert nna.create("spatial", kernel_size=3).kernel_size == 3
    assert nna.create("competitive", mode="dynamics", steps=2).steps == 2


def test_width_given_twice_is_refused():
    with pytest.raises(ValueError, match="width twice"):
        nna.create("cbam", 64, channels=64)


@pytest.mark.parametrize(
    "name,args,kw,words",
    [
        ("cbam", (64,), {"reductoin": 8}, r"'cbam' \(CBAM\).*'reductoin'.*channels, reduction"),
        ("sdpa", (), {"heads": 2}, r"ScaledDotProductAttention.*'heads'.*dropout"),
        ("mha", (64,), {}, r"MultiHeadAttention.*num_heads"),
        ("luong", (), {"score": "dot"}, r"LuongAttention.*query_dim"),
    ],
)
def test_unknown_or_missing_options_name_the_class_and_its_parameters(name, args, kw, words):
    with pytest.raises(TypeError, match=words):
        nna.create(name, *args, **kw)


def test_bad_option_values_still_come_from_the_class():
    with pytest.raises(ValueError, match="channels must be a positive integer"):
        nna.create("cbam", 0)
    with pytest.raises(ValueError, match="dropout"):
        nna.create("sdpa", dropout=2.0)


@pytest.mark.parametrize("name", ["bogus", "", 3, None])
def test_unknown_name_lists_the_valid_ones(name):
    with pytest.raises(ValueError, match=r"unknown attention layer.*valid names: \['additive'"):
        nna.create(name)
    with pytest.raises(ValueError, match="valid names"):
        nna.width_parameter(name)


def test_names_are_case_and_dash_insensitive():
    assert isinstance(nna.create(" CBAM ", 8, reduction=2), nna.CBAM)
    assert isinstance(nna.create("Bahdanau", 4, key_dim=6), nna.AdditiveAttention)


def test_more_positional_arguments_are_deprecated_but_work():
    with pytest.warns(DeprecationWarning, match="pass all but the width by keyword"):
        layer = nna.create("bahdanau", 4, 6)
    assert (layer.query_dim, layer.key_dim) == (4, 6)
    with pytest.warns(DeprecationWarning):
        assert nna.create("cbam", 64, 8).channel.fc1.out_features == 8


def test_register_declares_the_width():
    class Gate(torch.nn.Module):
        def __init__(self, features, bias=True):
            super().__init__()
            self.linear = torch.nn.Linear(features, 1, bias=bias)

    nna.register("gate-test", Gate, width="features")
    try:
        assert nna.width_parameter("gate_test") == "features"
        assert nna.create("gate_test", 5, bias=False).linear.in_features == 5
        with pytest.raises(TypeError, match=r"Gate.*'bogus'.*features, bias"):
            nna.create("gate_test", 5, bogus=1)
        with pytest.raises(ValueError, match="already registered"):
            nna.register("gate_test", Gate)
        nna.register("gate_test", Gate, overwrite=True)  # now without a width
        with pytest.raises(ValueError, match="takes no width"):
            nna.create("gate_test", 5)
    finally:
        from neuroattn.nn import _registry

        _registry._LAYERS.pop("gate_test")
    with pytest.raises(ValueError, match="width='size' is not a parameter of Gate"):
        nna.register("gate_test", Gate, width="size")
    assert "gate_test" not in nna.available()
