"""Batches, noise, the torch backend and its gradients, steady-state stopping."""

import numpy as np
import pytest

from neuroattn.dynamics import Competition, Dopri5, Shunting, random_weights, simulate, uniform


def test_batched_run_equals_loop_of_single_runs(rng):
    W = random_weights(6, seed=1)
    betas = rng.uniform(0, 3, size=(4, 3))  # batch shape (4, 3)
    I = rng.uniform(0, 2, size=(4, 3, 6))
    u0 = rng.normal(size=(3, 6))  # broadcasts over the first batch axis
    for method in ["euler", "rk4", "dopri5"]:
        batch = simulate(
            Competition(W, beta=betas),
            I,
            u0=u0,
            t_span=(0, 10),
            dt=0.01,
            method=method,
            save_every=1.0,
        )
        assert batch.final.shape == (4, 3, 6)
        for a in range(4):
            for b in range(3):
                one = simulate(
                    Competition(W, beta=betas[a, b]),
                    I[a, b],
                    u0=u0[b],
                    t_span=(0, 10),
                    dt=0.01,
                    method=method,
                    save_every=1.0,
                )
                tol = 1e-12 if method != "dopri5" else 1e-6  # per-member adaptive steps
                np.testing.assert_allclose(batch.u[:, a, b], one.u, atol=tol)


def test_seeded_noise_is_reproducible_and_seed_dependent():
    model = Competition(uniform(3, 0.3), beta=1.0)
    kw = dict(t_span=(0, 5), dt=0.01, noise=0.3)
    a = simulate(model, 1.0, seed=7, **kw)
    b = simulate(model, 1.0, seed=7, **kw)
    c = simulate(model, 1.0, seed=8, **kw)
    np.testing.assert_array_equal(a.u, b.u)
    assert not np.allclose(a.u, c.u)
    gen = np.random.default_rng(3)
    d = simulate(model, 1.0, seed=gen, **kw)
    e = simulate(model, 1.0, seed=np.random.default_rng(3), **kw)
    np.testing.assert_array_equal(d.u, e.u)


def test_noise_gives_the_ornstein_uhlenbeck_variance():
    # linear, uncoupled: τ du = −u dt + σ dW → stationary variance σ² / (2τ)
    sigma, tau = 0.5, 2.0
    model = Competition(np.zeros((1, 1)), beta=0.0, activation="linear", tau=tau)
    traj = simulate(model, np.zeros((20000, 1)), t_span=(0, 20), dt=0.01, noise=sigma, seed=0)
    var = traj.final.var()
    assert var == pytest.approx(sigma**2 / (2 * tau), rel=0.05)


def test_per_member_noise_levels(rng):
    model = Competition(np.zeros((1, 1)), beta=0.0, activation="linear")
    sig = np.array([0.0, 1.0])
    traj = simulate(model, np.zeros((5000, 2, 1)), t_span=(0, 10), dt=0.01, noise=sig, seed=1)
    v = traj.final.var(axis=0)[:, 0]
    assert v[0] == 0.0 and v[1] == pytest.approx(0.5, rel=0.08)


def test_until_steady_stops_each_member(rng):
    model = Competition(uniform(4, 0.3), beta=np.array([0.5, 2.0]), tau=np.array([0.5, 3.0]))
    I = rng.uniform(0, 1, (2, 4))
    full = simulate(model, I, t_span=(0, 200), method="rk4", dt=0.01)
    for method in ["rk4", Dopri5(rtol=1e-10, atol=1e-12)]:
        early = simulate(
            model, I, t_span=(0, 200), method=method, dt=0.01, until="steady", tol=1e-9
        )
        ts = early.stats["t_settle"].ravel()
        assert np.all(ts < 100) and ts[0] < ts[1]  # the slower network settles later
        assert early.t[-1] < 200
        np.testing.assert_allclose(early.final, full.final, atol=1e-8)


torch = pytest.importorskip("torch")


@pytest.mark.parametrize("method", ["euler", "rk4", "dopri5"])
def test_torch_backend_equals_numpy(method, rng):
    W = random_weights(5, seed=2)
    beta = rng.uniform(0.5, 2, 3)
    I = rng.uniform(0, 2, (3, 5))
    ref = simulate(Competition(W, beta=beta), I, t_span=(0, 5), dt=0.01, method=method)
    tt = simulate(
        Competition(torch.tensor(W), beta=torch.tensor(beta)),
        torch.tensor(I),
        t_span=(0, 5),
        dt=0.01,
        method=method,
    )
    assert isinstance(tt.final, torch.Tensor) and tt.final.dtype == torch.float64
    np.testing.assert_allclose(tt.u.numpy(), ref.u, rtol=1e-12, atol=1e-13)


def test_torch_float32_on_request():
    tt = simulate(
        Shunting(3),
        torch.tensor([1.0, 2.0, 3.0]),
        t_span=(0, 1),
        dt=0.1,
        method="rk4",
        dtype="float32",
    )
    assert tt.u.dtype == torch.float32


def test_torch_gradients_agree_with_finite_differences():
    W = torch.tensor(random_weights(4, seed=3))
    I = torch.tensor([1.0, 0.6, 0.3, 0.2], dtype=torch.float64)

    def final(beta, tau, g):
        m = Competition(W, beta=beta, tau=tau, g=g)
        return simulate(m, I, t_span=(0, 3), dt=0.05, method="rk4").final

    args = (
        torch.tensor(1.3, dtype=torch.float64, requires_grad=True),
        torch.tensor(0.8, dtype=torch.float64, requires_grad=True),
        torch.tensor([1.0, 1.1, 0.9, 1.2], dtype=torch.float64, requires_grad=True),
    )
    assert torch.autograd.gradcheck(final, args, eps=1e-6, atol=1e-7)


def test_torch_dopri5_is_differentiable():
    beta = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
    m = Competition(torch.tensor(uniform(3, 0.4)), beta=beta)
    out = simulate(m, torch.tensor([1.0, 0.5, 0.2]), t_span=(0, 2)).final.sum()
    out.backward()
    h = 1e-6
    fd = (
        simulate(m.replace(beta=1.0 + h), np.array([1.0, 0.5, 0.2]), t_span=(0, 2)).final.sum()
        - simulate(m.replace(beta=1.0 - h), np.array([1.0, 0.5, 0.2]), t_span=(0, 2)).final.sum()
    ) / (2 * h)
    assert float(beta.grad) == pytest.approx(float(fd), rel=1e-4)
