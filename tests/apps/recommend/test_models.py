"""Models by name: shapes, masks (padding never weighted), DIN's unit, Dice, the registry."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from neuroattn.apps.recommend import MODELS, Batch, Dice, build_model  # noqa: E402
from neuroattn.nn import CompetitiveAttention  # noqa: E402


def _batch(lengths: list[int], T: int = 6, pad: int = 0, seed: int = 0) -> Batch:
    g = torch.Generator().manual_seed(seed)
    B = len(lengths)
    length = torch.tensor(lengths)  # (B,)
    keep = torch.arange(T)[None, :] < length[:, None]  # (B, T)
    hist = torch.randint(1, 30, (B, T), generator=g).masked_fill(~keep, pad)  # (B, T)
    cats = torch.randint(1, 5, (B, T), generator=g).masked_fill(~keep, pad)  # (B, T)
    return Batch(hist, cats, length, torch.randint(1, 30, (B,), generator=g), torch.ones(B).long())


@pytest.mark.parametrize("name", list(MODELS))
def test_shapes_and_padding_is_never_weighted(name: str) -> None:
    torch.manual_seed(0)
    model = build_model(name, 30, 5, embed_dim=4, hidden=(8, 4)).eval()
    batch = _batch([6, 3, 1, 0])
    logits = model(batch)  # (B,)
    weights = model.attention(batch)  # (B, T)
    assert logits.shape == (4,) and weights.shape == (4, 6)
    assert torch.isfinite(logits).all()
    assert (weights[1, 3:] == 0).all() and (weights[2, 1:] == 0).all() and (weights[3] == 0).all()
    # whatever ids the padded positions hold, nothing changes
    other = _batch([6, 3, 1, 0], pad=3)
    assert torch.equal(other.history[0], batch.history[0])
    torch.testing.assert_close(model(other), logits)
    torch.testing.assert_close(model.attention(other), weights)


def test_mean_weights_are_one_over_the_length() -> None:
    model = build_model("mean", 30, 5, embed_dim=4).eval()
    w = model.attention(_batch([4, 2]))  # (2, 6)
    torch.testing.assert_close(w[0, :4], torch.full((4,), 0.25))
    torch.testing.assert_close(w[1, :2], torch.full((2,), 0.5))


def test_din_unit_is_the_published_one_without_softmax() -> None:
    torch.manual_seed(1)
    model = build_model("din", 30, 5, embed_dim=4, activation="prelu").eval()
    batch = _batch([5, 2])
    w = model.attention(batch)  # (B, T)
    # reference: the unit on [q, k, q - k, q * k] item by item
    q = model.embed(batch.item, batch.category)  # (B, 8)
    keys = model.embed(batch.history, batch.history_category)  # (B, T, 8)
    for b, n in enumerate([5, 2]):
        for j in range(n):
            x = torch.cat([q[b], keys[b, j], q[b] - keys[b, j], q[b] * keys[b, j]])
            torch.testing.assert_close(w[b, j], model.unit(x[None])[0, 0])
    assert not torch.allclose(w[0].sum(), torch.tensor(1.0))  # no softmax normalisation
    assert sum(isinstance(m, torch.nn.PReLU) for m in model.modules()) == 3


def test_competitive_uses_the_competition_layer() -> None:
    torch.manual_seed(2)
    model = build_model("competitive", 30, 5, embed_dim=4).eval()
    layers = [m for m in model.modules() if isinstance(m, CompetitiveAttention)]
    assert len(layers) == 1 and layers[0].mode == "shunting"
    batch = _batch([5, 2])
    w = model.attention(batch)  # (B, T)
    # shunting equilibrium x_j = e^{s_j} / (A + sum_k e^{s_k}) over the real items
    q = model.query(model.embed(batch.item, batch.category))  # (B, 8)
    k = model.key(model.embed(batch.history, batch.history_category))  # (B, T, 8)
    s = (k @ q.unsqueeze(-1)).squeeze(-1) / np.sqrt(8)  # (B, T)
    A = float(layers[0].A.detach())
    for b, n in enumerate([5, 2]):
        e = s[b, :n].exp()
        torch.testing.assert_close(w[b, :n], e / (A + e.sum()))
    assert (w.sum(dim=1) < 1).all()


def test_dice_is_the_published_equation() -> None:
    torch.manual_seed(3)
    dice = Dice(3)
    with torch.no_grad():
        dice.alpha.copy_(torch.tensor([0.1, -0.2, 0.5]))
    s = torch.randn(10, 3, dtype=torch.float64).float()
    out = dice(s)  # training: batch statistics
    mean, var = s.mean(0), s.var(0, unbiased=False)
    p = torch.sigmoid((s - mean) / torch.sqrt(var + 1e-8))
    torch.testing.assert_close(out, p * s + (1 - p) * dice.alpha * s)
    dice.eval()
    rm, rv = dice.norm.running_mean, dice.norm.running_var
    p = torch.sigmoid((s - rm) / torch.sqrt(rv + 1e-8))
    torch.testing.assert_close(dice(s), p * s + (1 - p) * dice.alpha * s)
    dice.train()
    assert dice(s[:1]).shape == (1, 3) and dice(s[:0]).shape == (0, 3)


def test_unknown_model_lists_the_names() -> None:
    with pytest.raises(ValueError, match=r"model must be one of .*mean.*din.*competitive"):
        build_model("transformer", 30, 5)


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"embed_dim": 0}, "embed_dim must be"),
        ({"hidden": (8,)}, "hidden must be two"),
        ({"hidden": (8, 0)}, r"hidden\[1\] must be"),
        ({"activation": "relu"}, "activation must be one of"),
    ],
)
def test_bad_model_options(options: dict, words: str) -> None:
    with pytest.raises((ValueError, TypeError), match=words):
        build_model("din", 30, 5, **options)


def test_bad_catalogue_sizes() -> None:
    with pytest.raises(ValueError, match="n_items must be"):
        build_model("din", 1, 5)
    with pytest.raises(ValueError, match="n_categories must be"):
        build_model("din", 30, "5")  # type: ignore[arg-type]


@pytest.mark.parametrize("name", list(MODELS))
def test_a_batch_without_any_history(name: str) -> None:
    model = build_model(name, 30, 5, embed_dim=4, hidden=(8, 4))
    empty = torch.zeros(3, 0, dtype=torch.long)  # (B, 0)
    batch = Batch(
        empty, empty, torch.zeros(3).long(), torch.tensor([1, 2, 3]), torch.ones(3).long()
    )
    model(batch).sum().backward()  # training mode: gradients flow
    assert model.eval()(batch).shape == (3,) and model.attention(batch).shape == (3, 0)
