import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from neuroattn.nn import CompetitiveAttention, ScaledDotProductAttention  # noqa: E402

from .reference import randn, random_keep  # noqa: E402


def qkv(gen, B=2, H=2, L=4, S=5, D=3, Dv=2):
    return randn(gen, B, H, L, D), randn(gen, B, H, S, D), randn(gen, B, H, S, Dv)


def scores_of(Q, K):
    return Q @ K.transpose(-2, -1) / math.sqrt(Q.shape[-1])


def test_shunting_with_A_zero_is_softmax_attention(gen):
    Q, K, V = qkv(gen)
    keep = random_keep(gen, 2, 1, 4, 5)
    layer = CompetitiveAttention("shunting", A=0.0, learn_A=False)
    sdpa = ScaledDotProductAttention()
    for need in (True, False):
        got, w = layer(Q, K, V, keep, need_weights=need)
        ref, w_ref = sdpa(Q, K, V, keep)
        torch.testing.assert_close(got, ref)
        if need:
            torch.testing.assert_close(w, w_ref)


@pytest.mark.parametrize("A", [0.5, 3.0])
def test_shunting_equals_divisive_formula(gen, A):
    Q, K, V = qkv(gen)
    keep = random_keep(gen, 2, 2, 4, 5)
    layer = CompetitiveAttention("shunting", A=A, B=2.0).double()
    context, w = layer(Q, K, V, keep)
    I = scores_of(Q, K).exp() * keep  # inputs e^s, zero at masked keys
    x = 2.0 * I / (A + I.sum(-1, keepdim=True))  # x_i = B I_i / (A + Σ I_k)
    torch.testing.assert_close(w, x)
    torch.testing.assert_close(context, x @ V)
    assert (w.sum(-1) < 2.0).all()
    torch.testing.assert_close(layer.A, torch.tensor([A], dtype=torch.float64))


def test_shunting_is_the_steady_state_of_grossbergs_network():
    """Integrate dx_i/dt = −A x_i + (B − x_i) I_i − x_i Σ_{k≠i} I_k to rest."""
    s = np.array([0.3, -1.0, 1.2, 0.1])
    A, B = 0.7, 1.5
    I = np.exp(s)
    x = np.zeros(4)
    for _ in range(20000):
        x += 1e-3 * (-A * x + (B - x) * I - x * (I.sum() - I))
    layer = CompetitiveAttention("shunting", A=A, B=B).double()
    w = layer.normalize(torch.tensor(s)[None])
    np.testing.assert_allclose(w[0].detach().numpy(), x, atol=1e-8)


def euler_loop(s, keep, beta, steps, dt, f):
    """The source's equation written term by term with an explicit W (w_ij = 1/n)."""
    idx = np.flatnonzero(keep)
    n = len(idx)
    W = np.full((n, n), 1.0 / n)
    u = np.zeros(n)
    I = s[idx]
    for _ in range(steps):
        du = np.empty(n)
        for i in range(n):
            excite = sum(W[i, j] * f(u[j]) for j in range(n) if j != i)
            inhibit = beta * sum(W[i, j] for j in range(n)) * f(u[i])
            du[i] = -u[i] + excite - inhibit + I[i]
        u = u + dt * du
    out = np.zeros_like(s)
    out[idx] = np.exp(u - u.max()) / np.exp(u - u.max()).sum()
    return out


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
def test_dynamics_mode_equals_the_source_equation(gen, activation):
    f = {"sigmoid": lambda v: 1 / (1 + np.exp(-v)), "relu": lambda v: max(v, 0.0)}[activation]
    layer = CompetitiveAttention(
        "dynamics", A=0.0, learn_A=False, beta=0.7, steps=4, dt=0.6, activation=activation
    ).double()
    s = randn(gen, 3, 6) * 2
    keep = random_keep(gen, 3, 6, p=0.6)
    w = layer.normalize(s.masked_fill(~keep, float("-inf"))).detach().numpy()
    for row in range(3):
        ref = euler_loop(s[row].numpy(), keep[row].numpy(), 0.7, 4, 0.6, f)
        np.testing.assert_allclose(w[row], ref, atol=1e-12)
    assert layer.beta.item() == pytest.approx(0.7)


def test_one_unit_euler_step_is_softmax(gen):
    Q, K, V = qkv(gen)
    layer = CompetitiveAttention("dynamics", A=0.0, learn_A=False, steps=1, dt=1.0, beta=2.0)
    torch.testing.assert_close(layer(Q, K, V)[0], ScaledDotProductAttention()(Q, K, V)[0])
    more = CompetitiveAttention("dynamics", A=0.0, learn_A=False, steps=3, beta=2.0)
    assert not torch.allclose(more(Q, K, V)[0], ScaledDotProductAttention()(Q, K, V)[0])


def test_beta_sets_how_peaked_attention_is(gen):
    s = torch.tensor([[2.0, 1.0, 0.0, -1.0]], dtype=torch.float64)
    peaks = []
    for beta in (0.1, 1.0, 5.0):
        layer = CompetitiveAttention("dynamics", A=0.0, learn_A=False, beta=beta, steps=20, dt=0.5)
        peaks.append(layer.double().normalize(s).max().item())
    assert peaks[0] > peaks[1] > peaks[2]


@pytest.mark.parametrize("mode", ["shunting", "dynamics"])
def test_masks_fully_masked_rows_and_gradcheck(gen, mode):
    Q, K, V = (x.requires_grad_(True) for x in qkv(gen, B=1, H=2, L=3, S=4))
    keep = random_keep(gen, 1, 2, 3, 4)
    keep[0, 1, 2] = False
    layer = CompetitiveAttention(mode, num_heads=2, A=0.5).double()
    context, w = layer(Q, K, V, keep)
    assert (context[0, 1, 2] == 0).all() and (w[~keep] == 0).all()
    assert torch.autograd.gradcheck(lambda q, k, v: layer(q, k, v, keep)[0], (Q, K, V))
    context.square().sum().backward()
    params = dict(layer.named_parameters())
    assert all(torch.isfinite(p.grad).all() and p.grad.abs().sum() > 0 for p in params.values())
    assert params["A_raw"].shape == (2, 1, 1)


def make_task(gen, n, vocab=8, pairs=6):
    """Key-value retrieval: find the query among the keys and output its value."""
    keys = torch.stack([torch.randperm(vocab, generator=gen)[:pairs] for _ in range(n)])
    values = torch.randint(vocab, (n, pairs), generator=gen)
    pick = torch.randint(pairs, (n,), generator=gen)
    rows = torch.arange(n)
    return keys[rows, pick], keys, values, values[rows, pick]


class Retrieval(torch.nn.Module):
    def __init__(self, attention, vocab=8, d=16):
        super().__init__()
        self.key_emb = torch.nn.Embedding(vocab, d)
        self.value_emb = torch.nn.Embedding(vocab, d)
        self.q = torch.nn.Linear(d, d)
        self.attention = attention
        self.out = torch.nn.Linear(d, vocab)

    def forward(self, query, keys, values):
        q = self.q(self.key_emb(query))[:, None, None]  # (N, 1, 1, d)
        k = self.key_emb(keys)[:, None]  # (N, 1, S, d)
        v = self.value_emb(values)[:, None]  # (N, 1, S, d)
        context, _ = self.attention(q, k, v, need_weights=False)
        return self.out(context[:, 0, 0])


@pytest.mark.parametrize("mode", ["shunting", "dynamics"])
def test_it_trains_on_key_value_retrieval(mode):
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(0)
    model = Retrieval(CompetitiveAttention(mode))
    opt = torch.optim.Adam(model.parameters(), lr=0.02)
    losses = []
    for _ in range(250):
        query, keys, values, target = make_task(gen, 64)
        loss = torch.nn.functional.cross_entropy(model(query, keys, values), target)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    chance = math.log(8)
    assert losses[0] > 0.8 * chance
    assert np.mean(losses[-20:]) < 0.2 * chance
    query, keys, values, target = make_task(torch.Generator().manual_seed(99), 500)
    accuracy = (model(query, keys, values).argmax(-1) == target).float().mean()
    assert accuracy > 0.9


def test_bad_arguments():
    for kw, word in [
        ({"mode": "softmax"}, "mode"),
        ({"A": -1.0}, "A"),
        ({"A": 0.0}, "A"),  # a learnable A must start > 0
        ({"B": 0.0}, "B"),
        ({"mode": "dynamics", "beta": -0.5}, "beta"),
        ({"mode": "dynamics", "steps": 0}, "steps"),
        ({"mode": "dynamics", "dt": 0.0}, "dt"),
        ({"mode": "dynamics", "activation": "bogus"}, "activation"),
    ]:
        with pytest.raises(ValueError, match=word):
            CompetitiveAttention(**kw)
    layer = CompetitiveAttention(num_heads=3)
    with pytest.raises(ValueError, match="num_heads"):
        layer(torch.randn(1, 2, 4, 3), torch.randn(1, 2, 4, 3), torch.randn(1, 2, 4, 3))


def test_gradcheck_in_the_competition_parameters(gen):
    Q, K, V = qkv(gen, B=1, H=2, L=3, S=4)
    layer = CompetitiveAttention("dynamics", num_heads=2, A=0.5, beta=0.8, steps=2).double()
    params = {n: p.detach().clone().requires_grad_(True) for n, p in layer.named_parameters()}

    def f(a_raw, beta_raw):
        state = {"A_raw": a_raw, "beta_raw": beta_raw}
        return torch.func.functional_call(layer, state, (Q, K, V))[0]

    assert torch.autograd.gradcheck(f, (params["A_raw"], params["beta_raw"]))
