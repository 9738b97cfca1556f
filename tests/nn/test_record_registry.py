import pytest

torch = pytest.importorskip("torch")

import neuroattn.nn as nna  # noqa: E402

from .reference import randn  # noqa: E402


class Toy(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nna.MultiHeadAttention(16, 4)
        self.cross = nna.AdditiveAttention(16, 16)
        self.vision = nna.CBAM(8, 2, 3)

    def forward(self, x, image):
        h, _ = self.encoder(x, need_weights=False)
        context, _ = self.cross(h[:, 0], h)
        return context, self.vision(image)


def test_record_attention_collects_every_layer(gen):
    model = Toy()
    x, image = (
        randn(gen, 2, 5, 16, dtype=torch.float32),
        randn(gen, 2, 8, 6, 6, dtype=torch.float32),
    )
    with nna.record_attention(model) as rec:
        model(x, image)
        model(x, image)
    assert rec.names == ["encoder", "cross", "vision.channel", "vision.spatial"]
    assert len(rec["encoder"]) == 2
    assert rec.last("encoder").shape == (2, 4, 5, 5)  # per head, although need_weights=False
    assert rec.last("cross").shape == (2, 5)
    assert rec.last("vision.channel").shape == (2, 8, 1, 1)
    assert rec.last("vision.spatial").shape == (2, 1, 6, 6)
    torch.testing.assert_close(
        rec.last("vision.spatial"), model.vision.spatial.attention_map(model.vision.channel(image))
    )
    weights = rec.last("encoder")
    torch.testing.assert_close(weights.sum(-1), torch.ones(2, 4, 5))
    assert not weights.requires_grad
    # outside the block nothing is recorded and the fast path is back
    assert not model.encoder.recording
    model(x, image)
    assert len(rec["encoder"]) == 2
    with pytest.raises(KeyError, match="recorded"):
        rec["decoder"]
    with pytest.raises(ValueError, match="name one"):
        rec.last()


def test_recording_does_not_change_outputs(gen):
    layer = nna.MultiHeadAttention(16, 4)
    x = randn(gen, 2, 5, 16, dtype=torch.float32)
    plain, _ = layer(x, need_weights=False)
    with nna.record_attention(layer) as rec:
        recorded, none = layer(x, need_weights=False)
    assert none is None and rec.names == ["."]
    torch.testing.assert_close(recorded, plain)


def test_nested_recorders_restore(gen):
    layer = nna.ScaledDotProductAttention()
    q = randn(gen, 1, 1, 3, 4)
    with nna.record_attention(layer) as outer:
        with nna.record_attention(layer) as inner:
            layer(q, q, q)
        layer(q, q, q)
    assert len(inner.weights["."]) == 1 and len(outer.weights["."]) == 1
    assert not layer.recording


def test_registry_creates_every_layer():
    layers = nna.available()
    assert isinstance(layers, dict) and layers["cbam"] is nna.CBAM
    assert set(layers) >= {"sdpa", "mha", "additive", "luong", "spatial", "channel", "cbam"}
    cbam = nna.create("cbam", 64, reduction=8)
    assert isinstance(cbam, nna.CBAM) and cbam.channel.fc1.out_features == 8
    assert isinstance(nna.create("Bahdanau", 4, key_dim=6), nna.AdditiveAttention)
    assert isinstance(nna.create("competitive", mode="dynamics"), nna.CompetitiveAttention)
    layers["bogus"] = nna.CBAM  # a copy: the registry is unchanged
    with pytest.raises(ValueError, match=r"valid names: \['additive'"):
        nna.create("bogus", 8)


def test_register_new_layer():
    class Mine(torch.nn.Module):
        pass

    nna.register("mine-test", Mine)
    try:
        assert isinstance(nna.create("mine_test"), Mine)
        with pytest.raises(ValueError, match="already registered"):
            nna.register("mine_test", Mine)
        with pytest.raises(ValueError, match="subclass"):
            nna.register("other", object)
    finally:
        from neuroattn.nn import _registry

        _registry._LAYERS.pop("mine_test")


def test_a_record_does_not_keep_the_model_alive(gen):
    import gc
    import weakref

    layer = nna.ScaledDotProductAttention()
    q = randn(gen, 1, 1, 3, 4)
    with nna.record_attention(layer) as rec:
        layer(q, q, q)
    alive = weakref.ref(layer)
    del layer
    gc.collect()
    assert alive() is None
    assert rec.names == ["."] and rec.last().shape == (1, 1, 3, 3)
