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


# --- issue 8: the stability bound of the Euler steps, precision, sizes -------------------

from neuroattn.nn import LIMITS, set_checks  # noqa: E402
from neuroattn.nn._competitive import competition_steps, stable_dt  # noqa: E402

SLOPES = {"sigmoid": 0.25, "hard_sigmoid": 1 / 6, "tanh": 1.0, "relu": 1.0, "identity": 1.0}


def test_dt_3_is_refused_with_the_bound_in_the_message():
    """The issue's reproducer: dynamics with dt=3 gave NaN; now a ValueError at construction."""
    with pytest.raises(ValueError, match=r"dt must be <= 1\.45455 for beta=1 .* got 3"):
        CompetitiveAttention("dynamics", dt=3.0)


@pytest.mark.parametrize("activation", sorted(SLOPES))
@pytest.mark.parametrize("beta", [0.05, 1.0, 4.0])
def test_dt_just_inside_the_bound_is_accepted_and_just_outside_refused(activation, beta):
    bound = 2 / (1 + (beta + 0.5) * SLOPES[activation])
    assert stable_dt(beta, SLOPES[activation]) == pytest.approx(bound, rel=1e-12)
    layer = CompetitiveAttention(
        "dynamics", beta=beta, dt=bound * (1 - 1e-9), activation=activation
    )
    assert layer.max_dt() == pytest.approx(bound, rel=1e-6)
    with pytest.raises(ValueError, match="dt must be <="):
        CompetitiveAttention("dynamics", beta=beta, dt=bound * (1 + 1e-9), activation=activation)


def _increment(f, scores, beta, dt, steps=600):
    """|u(steps + 1) − u(steps)|: how far the iteration still moves."""
    b = torch.tensor(beta, dtype=torch.float64)
    late = competition_steps(scores, b, f, steps + 1, dt)
    return (late - competition_steps(scores, b, f, steps, dt)).abs().max().item()


def test_the_bound_is_tight_for_the_linear_activation():
    """identity: J is exactly −I − (β + 1/n) I + 11ᵀ/n, the difference mode of n = 2 keys
    is multiplied by 1 − dt (1.5 + β) per step: damped inside the bound, amplified outside."""
    f, beta = torch.nn.Identity(), 0.7
    s = torch.tensor([[0.3, -0.2]], dtype=torch.float64)
    bound = stable_dt(beta, 1.0)
    assert _increment(f, s, beta, 0.95 * bound) < 1e-9
    assert _increment(f, s, beta, 1.05 * bound) > 1e2


@pytest.mark.parametrize("beta", [0.5, 2.0])
def test_the_bound_is_tight_for_the_sigmoid_at_its_steepest_point(beta):
    """n = 2 keys driven so that the steady state is near u = 0, where f' = 1/4 is largest:
    inside the bound the steps settle, 5 % outside they oscillate for ever (bounded)."""
    f = torch.nn.Sigmoid()
    drive = (beta - 0.5) / 2  # the steady state of equal drives is u = 0
    s = torch.tensor([[drive + 0.01, drive - 0.01]], dtype=torch.float64)
    bound = stable_dt(beta, 0.25)
    assert _increment(f, s, beta, 0.98 * bound) < 1e-9
    moving = _increment(f, s, beta, 1.05 * bound)
    assert 1e-3 < moving < 10.0


def test_a_custom_activation_gets_its_slope_estimated():
    steep = lambda x: 3 * torch.tanh(x)  # noqa: E731 - max slope 3
    bound = stable_dt(1.0, 3.0)
    CompetitiveAttention("dynamics", activation=steep, dt=0.999 * bound)
    with pytest.raises(ValueError, match="dt must be <="):
        CompetitiveAttention("dynamics", activation=steep, dt=1.001 * bound)
    for bad, words in [
        (str.upper, "failed on a test tensor"),
        (len, "must map a tensor to a tensor of its shape"),
        (torch.log, "not finite"),
    ]:
        with pytest.raises(ValueError, match=words):
            CompetitiveAttention("dynamics", activation=bad, dt=0.1)


def test_a_learnt_beta_past_the_bound_stays_finite_and_is_caught_in_check_mode(gen):
    """The bound moves with β: a β grown past it makes the steps overshoot. With the
    (bounded) sigmoid the weights stay finite; check mode refuses the forward pass."""
    Q, K, V = qkv(gen)
    layer = CompetitiveAttention("dynamics", beta=1.0, dt=1.4, steps=50)
    with torch.no_grad():
        layer.beta_raw.fill_(40.0)  # β = softplus(40) = 40, far past β_max(1.4) ≈ 1.21
    assert layer.max_dt() < layer.dt
    context, w = layer(Q, K, V)
    assert torch.isfinite(context).all() and torch.isfinite(w).all()
    with set_checks(True), pytest.raises(ValueError, match="learnt beta=40 has passed"):
        layer(Q, K, V)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
@pytest.mark.parametrize("mode", ["shunting", "dynamics"])
def test_half_precision_is_computed_in_float32_and_cast_back(gen, dtype, mode):
    """float16/bfloat16 raised RuntimeError ("expected scalar type Float but found Half")."""
    Q, K, V = qkv(gen, L=5, S=6, D=8, Dv=4)
    keep = random_keep(gen, 2, 1, 5, 6)
    layer = CompetitiveAttention(mode, num_heads=2)
    ref_context, ref_w = layer(Q, K, V, keep)
    for need in (True, False):
        context, w = layer(Q.to(dtype), K.to(dtype), V.to(dtype), keep, need_weights=need)
        assert context.dtype == dtype and context.shape == ref_context.shape
        tol = 2e-2 if dtype == torch.bfloat16 else 4e-3
        torch.testing.assert_close(context.double(), ref_context, atol=tol, rtol=tol)
        if need:
            assert w.dtype == dtype
            torch.testing.assert_close(w.double(), ref_w, atol=tol, rtol=tol)


def test_any_float_dtype_of_inputs_works_with_any_dtype_of_the_layer(gen):
    Q, K, V = qkv(gen)
    for layer in (CompetitiveAttention("dynamics"), CompetitiveAttention("dynamics").double()):
        for dtype in (torch.float32, torch.float64):
            context, w = layer(Q.to(dtype), K.to(dtype), V.to(dtype))
            assert context.dtype == w.dtype == dtype


def test_sizes_that_do_not_fit_a_float32_parameter_are_refused():
    for kw, word in [
        ({"A": 1e300}, "A must be a finite number > 0 and <= 3.40282e"),
        ({"B": 1e39}, "B must"),
        ({"mode": "dynamics", "beta": 1e300}, "beta must"),
        ({"learn_A": 1}, "learn_A must be True or False"),
    ]:
        with pytest.raises((ValueError, TypeError), match=word):
            CompetitiveAttention(**kw)


def test_a_tiny_learnable_A_keeps_finite_gradients(gen):
    Q, K, V = qkv(gen)
    layer = CompetitiveAttention(A=1e-300)
    layer(Q, K, V)[0].sum().backward()
    assert torch.isfinite(layer.A_raw.grad).all()


def test_steps_are_bounded_by_the_limit(monkeypatch):
    with pytest.raises(ValueError, match=r"steps 1e\+12 exceeds the limit nna.LIMITS.max_steps"):
        CompetitiveAttention("dynamics", steps=10**12)
    monkeypatch.setattr(LIMITS, "max_steps", 20_000)
    assert CompetitiveAttention("dynamics", steps=20_000).steps == 20_000


def test_a_huge_number_of_heads_is_refused_before_allocating():
    """num_heads=2**40 raised RuntimeError (DefaultCPUAllocator: can't allocate memory)."""
    with pytest.raises(ValueError, match="CompetitiveAttention's parameter count"):
        CompetitiveAttention("dynamics", num_heads=2**40)


@pytest.mark.parametrize("dtype", [torch.float16, torch.float64])
def test_an_activation_with_parameters_runs_in_their_dtype(gen, dtype):
    """prelu raised RuntimeError ("Type promoting not supported") for another dtype."""
    Q, K, V = (x.to(dtype) for x in qkv(gen))
    for layer in (
        CompetitiveAttention("dynamics", activation=torch.nn.PReLU(), dt=0.5),
        CompetitiveAttention("dynamics", activation=torch.nn.PReLU(), dt=0.5).to(dtype),
    ):
        context, w = layer(Q, K, V)
        assert context.dtype == dtype and torch.isfinite(w).all()
