"""The four classifiers: shapes, matched parameter budgets, the registry, the gated read-out
against a plain computation, the field gate against a plain numpy integration of the Amari
field and its winner-region regime, and a tiny model overfitting a batch."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("sklearn")

from scipy.signal import convolve2d  # noqa: E402

from neuroattn.apps.classify import (  # noqa: E402
    ATTENTIONS,
    POOLS,
    FieldGate,
    available_models,
    cluttered_digits,
    create_model,
    parameter_count,
)


@pytest.mark.parametrize("name", ATTENTIONS)
def test_shapes_and_maps(name: str) -> None:
    torch.manual_seed(0)
    model = create_model(name, width=4).eval()
    x = torch.rand(3, 1, 60, 60)
    assert model(x).shape == (3, 10)
    logits, amap = model.attend(x)
    assert logits.shape == (3, 10)
    torch.testing.assert_close(logits, model(x))
    if name == "none":
        assert amap is None
    else:
        assert amap is not None and amap.shape == (3, 1, 15, 15)
        assert bool(((amap >= 0) & (amap <= 1)).all())
    assert model(torch.rand(0, 1, 60, 60)).shape == (0, 10)


def test_parameter_budgets_are_matched() -> None:
    counts = {name: parameter_count(create_model(name)) for name in ATTENTIONS}
    base = counts["none"]
    for count in counts.values():
        assert base <= count <= 1.03 * base, counts
    # the attention stages: 2·7·7 conv weights (spatial), + a bias (competitive),
    # + CBAM's channel MLP 48 -> 6 -> 48 without biases
    assert counts["spatial"] - base == 98
    assert counts["competitive"] - base == 99
    assert counts["cbam"] - base == 98 + 2 * 48 * 6


def _plain_gate(model: torch.nn.Module, feats: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """The features (after CBAM's channel stage) and the gate, from the layers themselves."""
    layer = model.attention
    if model.attention_name == "cbam":
        feats = layer.channel(feats)
        layer = layer.spatial
    return feats.detach().numpy(), layer.attention_map(feats).detach().numpy()


@pytest.mark.parametrize("name", ["spatial", "cbam", "competitive"])
@pytest.mark.parametrize("pool", POOLS)
def test_read_out_against_a_plain_computation(name: str, pool: str) -> None:
    """gated: p_c = Σ_x g(x) F_c(x) / Σ_x g(x); mean: p_c = mean_x g(x) F_c(x), the layer's
    own output F' = g ⊗ F averaged (the published use, as before the read-out)."""
    torch.manual_seed(2)
    model = create_model(name, width=3, pool=pool).double().eval()
    x = torch.rand(4, 1, 36, 44, dtype=torch.float64)
    with torch.no_grad():
        feats = model.features(x)  # (4, 12, 9, 11)
        f, g = _plain_gate(model, feats)
        weighted = np.einsum("bchw,bhw->bc", f, g[:, 0])
        if pool == "gated":
            expected = weighted / g[:, 0].sum(axis=(1, 2))[:, None]
        else:
            expected = weighted / (f.shape[2] * f.shape[3])
            torch.testing.assert_close(model.attention(feats).mean(dim=(2, 3)),
                                       torch.from_numpy(expected))  # fmt: skip
        logits = model.head(torch.from_numpy(expected))
        torch.testing.assert_close(model(x), logits)


def test_gated_read_out_ignores_what_the_gate_closes() -> None:
    """With the gate open (1) on a region and closed (0) elsewhere, the gated read-out is the
    region's mean, whatever lies outside and whatever the region's size; the plain mean of
    g ⊗ F is diluted by the closed area."""
    model = create_model("spatial", width=2).double()
    mean_model = create_model("spatial", width=2, pool="mean").double()
    gate = torch.zeros(1, 1, 10, 10, dtype=torch.float64)
    gate[..., 2:5, 3:7] = 1.0
    for m in (model, mean_model):
        m.attention.attention_map = lambda f: gate.expand(f.shape[0], 1, 10, 10)
    feats = torch.rand(2, 8, 10, 10, dtype=torch.float64)
    feats[1] = feats[0]
    feats[1, :, 6:, :] = 100.0  # clutter where the gate is closed
    region = feats[0, :, 2:5, 3:7].mean(dim=(1, 2))
    read = model.read(feats)
    torch.testing.assert_close(read[0], region)
    torch.testing.assert_close(read[1], region)
    torch.testing.assert_close(mean_model.read(feats)[0], region * 12 / 100)
    feats[:, :, 2:5, 3:7] = 1.0  # a uniform region: the same evidence, read from a larger gate
    gate[..., 0:5, 0:7] = 1.0
    feats[:, :, 0:5, 0:7] = 1.0
    torch.testing.assert_close(model.read(feats), torch.ones(2, 8, dtype=torch.float64))
    torch.testing.assert_close(
        mean_model.read(feats), torch.full((2, 8), 0.35, dtype=torch.float64)
    )
    with pytest.raises(ValueError, match="pool must be one of"):
        create_model("spatial", pool="max")


def test_registry_lists_names_on_a_bad_one() -> None:
    assert available_models() == ["none", "spatial", "cbam", "competitive"]
    with pytest.raises(ValueError, match="none, spatial, cbam, competitive"):
        create_model("softmax")
    with pytest.raises(ValueError, match="width must be"):
        create_model("none", width=0)
    with pytest.raises(TypeError):
        create_model("none", depth=3)


@pytest.mark.parametrize(
    ("x", "error"),
    [
        (torch.rand(2, 3, 60, 60), ValueError),
        (torch.rand(2, 60, 60), ValueError),
        (torch.rand(2, 1, 3, 60), ValueError),
        (torch.zeros(2, 1, 60, 60, dtype=torch.long), TypeError),
        (np.zeros((2, 1, 60, 60), np.float32), TypeError),
    ],
)
def test_bad_images(x: object, error: type) -> None:
    with pytest.raises(error, match="images must be"):
        create_model("spatial", width=2)(x)


def _reference_gate(drive: np.ndarray, gate: FieldGate) -> np.ndarray:
    """σ(u(T)) by forward Euler of du/dt = −u + w ∗ σ(u) + I with a zero boundary, the
    lateral sum as a 2-D convolution with the DoG kernel over every displacement."""
    k = gate.kernel
    n0, n1 = drive.shape[-2:]
    d0, d1 = np.meshgrid(np.arange(-n0 + 1, n0), np.arange(-n1 + 1, n1), indexing="ij")
    d2 = d0**2 + d1**2
    w = k["a_exc"] * np.exp(-d2 / (2 * k["sigma_exc"] ** 2))
    w = w - k["a_inh"] * np.exp(-d2 / (2 * k["sigma_inh"] ** 2))
    out = []
    for image in drive.astype(np.float64):
        u = np.zeros_like(image)
        for _ in range(gate.steps):
            rate = 1 / (1 + np.exp(-u))
            u = u + gate.dt * (-u + convolve2d(rate, w, mode="same") + image)
        out.append(1 / (1 + np.exp(-u)))
    return np.stack(out)


def test_field_gate_matches_a_plain_integration() -> None:
    torch.manual_seed(1)
    gate = FieldGate(5, steps=7, dt=0.4, gain=3.0, rest=-1.0, a_exc=0.4, sigma_exc=1.2,
                     a_inh=0.05, sigma_inh=6.0)  # fmt: skip
    x = torch.randn(2, 6, 11, 13, dtype=torch.float64)
    gate = gate.double()
    salience = gate.drive.attention_map(x)[:, 0].detach().numpy()  # M
    rates = _reference_gate(gate.gain * salience + gate.rest, gate)
    got = gate.attention_map(x)[:, 0].detach().numpy()
    np.testing.assert_allclose(got, rates * salience, rtol=1e-9, atol=1e-12)  # σ(u(T)) · M
    gate.modulate = False
    got = gate.attention_map(x)[:, 0].detach().numpy()
    np.testing.assert_allclose(got, rates, rtol=1e-9, atol=1e-12)  # σ(u(T)) alone
    gate.modulate = True
    # the gate rescales every channel and passes gradients to the drive's convolution
    out = gate(x)
    torch.testing.assert_close(out, x * gate.attention_map(x))
    out.sum().backward()
    assert gate.drive.conv.weight.grad is not None
    assert float(gate.drive.conv.weight.grad.abs().sum()) > 0


def _settled(gate: FieldGate, m: torch.Tensor, dt: float | None = None) -> torch.Tensor:
    """The default field's rates σ(u(T)) for a map M (B, H, W) as its input g·M + h."""
    from neuroattn.dynamics import simulate

    field = gate.field((int(m.shape[-2]), int(m.shape[-1])))
    span = gate.steps * gate.dt
    run = simulate(field, gate.gain * m + gate.rest, t_span=(0, span), dt=dt or gate.dt,
                   method="euler", save_every=span)  # fmt: skip
    return run.final_rates


def test_field_gate_selects_one_of_two_regions() -> None:
    """The default field's selection regime on a 15×15 map: of two digit-sized regions the
    stronger stays on and the other is switched off (the two do not both open, as a sigmoid
    of the map would); a digit-sized region beats a stronger fragment; the background stays
    closed; a map on everywhere cannot open everywhere; and the default Euler step agrees
    with a five times finer one."""
    gate = FieldGate()
    m = torch.zeros(4, 15, 15, dtype=torch.float64)
    m[0, 1:7, 1:7], m[0, 8:14, 8:14] = 1.0, 0.9  # two digit-sized blobs
    m[1, 4:10, 4:10], m[1, 12:14, 1:3] = 0.6, 1.0  # a weak digit, a strong fragment
    m[2] = 1.0
    m[3, 4:10, 4:10] = 1.0  # one blob
    r = _settled(gate, m)
    a, b = r[0, 1:7, 1:7].mean(), r[0, 8:14, 8:14].mean()
    assert float(a) > 0.8 and float(b) < 0.1
    plain = torch.sigmoid(gate.gain * m[0] + gate.rest)  # without the field both are open
    assert float(plain[8:14, 8:14].mean()) > 0.8
    assert float(r[1, 4:10, 4:10].mean()) > 0.6 and float(r[1, 12:14, 1:3].mean()) < 0.1
    assert float(r[2].mean()) < 0.2
    assert float(r[3, 4:10, 4:10].mean()) > 0.8 and float(r[3, 0, 14]) < 0.05
    assert float(r[[0, 1, 3], 0, 0].max()) < 0.05  # a corner away from the regions is off
    fine = _settled(gate, m[[0, 1]], dt=gate.dt / 5)
    for got, ref in ((r[0], fine[0]), (r[1], fine[1])):
        for rows, cols in ((slice(1, 7), slice(1, 7)), (slice(8, 14), slice(8, 14)),
                           (slice(4, 10), slice(4, 10)), (slice(12, 14), slice(1, 3))):  # fmt: skip
            assert abs(float(got[rows, cols].mean() - ref[rows, cols].mean())) < 0.03


def test_bad_gate_options() -> None:
    bad = [({"steps": 0}, "steps"), ({"dt": 2.0}, "dt"), ({"sigma_exc": 0.0}, "sigma_exc"),
           ({"a_inh": -1.0}, "a_inh"), ({"gain": -1.0}, "gain")]  # fmt: skip
    for kwargs, words in bad:
        with pytest.raises(ValueError, match=words):
            FieldGate(**kwargs)
    with pytest.raises(TypeError, match="modulate must be a bool"):
        FieldGate(modulate=1)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["none", "competitive"])
def test_a_tiny_model_overfits_a_small_batch(name: str) -> None:
    torch.manual_seed(0)
    data = cluttered_digits(16, "train", seed=5)
    x, y = torch.from_numpy(data.images), torch.from_numpy(data.labels)
    model = create_model(name, width=4)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    for _ in range(120):
        loss = torch.nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        assert float((model(x).argmax(1) == y).float().mean()) == 1.0
