"""Stage 3 on sound: ABA– streaming (neuroattn.hearing._streaming*)."""

import numpy as np
import pytest
from scipy import stats

from neuroattn.dynamics import Competition, sigmoid, simulate
from neuroattn.hearing import StreamingModel, StreamingResult, gamma_shape, simulate_streaming
from neuroattn.hearing._streaming_model import AdaptingCompetition
from neuroattn.hearing._streaming_places import TonotopicDrive, aba_schedule, tonotopic_axis
from neuroattn.hearing._streaming_readout import CycleSums, bridge


def test_aba_schedule_is_a_b_a_silence_with_gaps():
    breaks, state = aba_schedule(100.0, 800.0, 40.0)
    assert breaks[:8].tolist() == [0, 40, 100, 140, 200, 240, 300, 340]
    assert state[:8].tolist() == [1, 0, 2, 0, 1, 0, 0, 0]
    assert state[8:10].tolist() == [1, 0]  # the next cycle starts with A
    filled, kinds = aba_schedule(30.0, 240.0, 40.0)  # tones longer than the TRT fill slots
    assert filled[:4].tolist() == [0, 30, 60, 90] and kinds[:4].tolist() == [1, 2, 1, 0]


def _reference_drive(delta_f, trt, model, x, t):
    """Plain reference: forward Euler on a fine grid for both depression factors at every
    place, the projection written out."""
    h = t[1] - t[0]
    slot = np.floor(t / trt).astype(int)
    tone = (t - slot * trt) < min(model.tone_ms, trt)
    kind = np.array([1, 2, 1, 0])[slot % 4]
    r = (tone & (kind == 1))[:, None] * np.exp(-np.abs(x) / model.tuning) + (tone & (kind == 2))[
        :, None
    ] * np.exp(-np.abs(x - delta_f) / model.tuning)
    rec = np.array([[model.fast_recovery_ms], [model.slow_recovery_ms]])
    use = np.array([[model.fast_use], [model.slow_use]])
    d, eff = np.ones((2, x.size)), np.empty((t.size, x.size))
    for i in range(t.size):
        eff[i] = d.prod(0)
        d = d + h * ((1 - d) / rec - use * r[i] * d)
    K = np.exp(-np.abs(x[:, None] - x[None, :]) / model.spread)
    K /= K[np.argmin(np.abs(x))] @ np.exp(-np.abs(x) / model.tuning)  # a tone at its place: 1
    return model.core * r + model.gain * (eff * r) @ K.T


def test_drive_matches_a_fine_euler_reference():
    model = StreamingModel()
    x = tonotopic_axis(9.0, 1.0, 6.0)
    df, trt = np.array([3.0, 9.0, 3.0]), np.array([100.0, 60.0, 100.0])
    t = np.arange(0.0, 2500.0, 0.02)
    got = TonotopicDrive(df, trt, x, model)(t)
    assert got.shape == (t.size, 3, x.size)
    np.testing.assert_array_equal(got[:, 0], got[:, 2])  # one sequence, computed once
    for m in range(2):
        ref = _reference_drive(df[m], trt[m], model, x, t)
        np.testing.assert_allclose(got[:, m], ref, atol=2e-3 * ref.max())


def test_drive_narrows_with_tempo():
    """Between A and B the drive per tone falls with tempo; at A's place much less."""
    model = StreamingModel()
    x = tonotopic_axis(6.0, 1.0, 6.0)
    trt = np.array([50.0, 150.0])
    t = np.arange(8000.0, 12000.0, 1.0)
    drive = TonotopicDrive(np.array([6.0, 6.0]), trt, x, model)(t)
    a_on = [(np.floor(t / r) % 4 == 0) & (t % r < 20) for r in trt]  # early in A tones
    mid, place = np.flatnonzero(x == 3.0)[0], np.flatnonzero(x == 0.0)[0]
    fast, slow = (drive[a_on[i], i].mean(0) for i in range(2))
    assert fast[mid] < 0.7 * slow[mid]
    assert fast[place] / slow[place] > fast[mid] / slow[mid]


def test_weights_are_the_mexican_hat_on_a_line():
    model = StreamingModel(spacing=0.5)
    W = model.weights(30)
    d = 0.5 * np.abs(np.arange(30)[:, None] - np.arange(30)[None, :])
    exc = model.excitation * np.exp(-(d**2) / (2 * model.excitation_width**2))
    inh = model.inhibition * np.exp(-(d**2) / (2 * model.inhibition_width**2))
    ref = 0.5 * (exc - inh)
    np.testing.assert_allclose(W, ref, atol=1e-12)  # no wrap-around at the ends


def test_bridge_reads_made_up_profiles():
    x = np.arange(-2.0, 9.0)
    sums = CycleSums(np.array([100.0, 100.0]), 800.0, x.size)  # 2 members, 2 cycles
    wide = np.exp(-0.5 * (x / 4.0) ** 2)  # reaches halfway to B at 6 (x = 3)
    narrow = np.exp(-0.5 * (x / 1.0) ** 2)
    sums.a[:, 0], sums.b[:, 0] = wide, wide[::-1]
    sums.a[:, 1], sums.b[:, 1] = narrow, narrow
    b = bridge(sums, x, np.array([6.0, 6.0]))
    np.testing.assert_allclose(b[0], np.exp(-0.5 * (3 / 4.0) ** 2))
    np.testing.assert_allclose(b[1], np.exp(-0.5 * 9.0), rtol=1e-9)


def test_cycle_sums_split_a_and_b_slots():
    t = np.arange(0.0, 800.0, 10.0)
    rates = np.broadcast_to(np.arange(t.size, dtype=float)[:, None, None], (t.size, 1, 2))
    sums = CycleSums(np.array([100.0]), 800.0, 2)
    sums.add(t[:40], rates[:40])  # in two chunks
    sums.add(t[40:], rates[40:])
    idx = np.arange(t.size)
    slot = (t // 100).astype(int)
    for c in range(2):
        a = idx[(slot // 4 == c) & (slot % 4 != 1) & (slot % 4 != 3)].sum()
        b = idx[(slot // 4 == c) & (slot % 4 == 1)].sum()
        assert sums.a[c, 0, 0] == a and sums.b[c, 0, 1] == b


def test_adapting_competition_matches_a_hand_written_euler_loop():
    c, beta, k, tau_a = 1.5, 0.3, 1.0, 20.0
    comp = Competition(np.array([[0.0, -c], [-c, 0.0]]), beta=beta, activation=sigmoid(4, 1))
    model = AdaptingCompetition(comp, tau_a=tau_a, strength=k)
    inputs = np.array([[[1.6, 1.2]]])  # (batch, 1, N)
    dt, n = 0.1, 400
    traj = simulate(model, inputs, t_span=(0, dt * n), dt=dt, method="euler", save_every=dt)
    f = lambda x: 1 / (1 + np.exp(-4 * (x - 1)))  # noqa: E731
    u, a = np.zeros(2), np.zeros(2)
    for _ in range(n):
        # source's equation: -u + sum_{j!=i} w_ij f(u_j) - beta sum_j w_ij f(u_i) + I - k a
        du = -u - c * f(u[::-1]) + beta * c * f(u) + inputs[0, 0] - k * a
        da = (f(u) - a) / tau_a
        u, a = u + dt * du, a + dt * da
    np.testing.assert_allclose(traj.u[-1, 0, 0], u, atol=1e-10)
    np.testing.assert_allclose(traj.u[-1, 0, 1], a, atol=1e-10)
    np.testing.assert_allclose(traj.rates[-1, 0], f(u), atol=1e-10)


@pytest.fixture(scope="module")
def regimes():
    """Coherent, segregated and bistable conditions, 3 trials each, in one run."""
    df = np.repeat([1.0, 12.0, 7.0], 3)
    trt = np.repeat([150.0, 50.0, 100.0], 3)
    return simulate_streaming(df, trt, duration_s=20.0, seed=4)


def test_one_stream_at_one_semitone_and_slow(regimes):
    assert regimes.one_stream_fraction()[:3].min() >= 0.9


def test_two_streams_at_twelve_semitones_and_fast(regimes):
    assert regimes.one_stream_fraction()[3:6].max() <= 0.1


def test_bistable_in_between_with_switches_and_one_stream_first(regimes):
    p = regimes.one_stream_fraction()[6:]
    assert 0.1 < p.mean() < 0.9
    assert regimes.switches()[6:].min() >= 2
    assert (regimes.first_percept()[6:] == 1).all()
    durations = StreamingResult(
        regimes.delta_f[6:], regimes.trt_ms[6:], regimes.percept[6:], regimes.cycle_s[6:],
        regimes.bridge[6:],
    ).phase_durations()  # fmt: skip
    assert durations.size >= 3 and gamma_shape(durations)[0] > 1.0


def test_ambiguous_band_is_wide_at_slow_tempo():
    """van Noorden (1975): at TRT 150 ms the FB (~3.5 st) lies far below the TCB (~13 st),
    so both 5 and 9 semitones are heard sometimes as one stream and sometimes as two."""
    r = simulate_streaming(np.repeat([5.0, 9.0], 3), 150.0, duration_s=20.0, seed=4)
    p = r.one_stream_fraction().reshape(2, 3).mean(1)
    assert 0.1 < p[1] < p[0] < 0.9


def test_result_arithmetic_on_made_up_percepts():
    percept = np.array([[1, 1, 0, 0, 0, 1, 1, -1], [0, 0, 0, 0, 0, 0, 0, 0]], dtype=np.int8)
    res = StreamingResult(np.array([5.0, 5.0]), np.array([100.0, 50.0]), percept,
                          np.array([0.4, 0.2]), np.zeros(percept.shape))  # fmt: skip
    np.testing.assert_allclose(res.one_stream_fraction(), [4 / 7, 0.0])
    assert res.switches().tolist() == [2, 0]
    np.testing.assert_allclose(res.phase_durations(), [3 * 0.4])  # first and last left out
    np.testing.assert_allclose(res.two_stream_probability([0.0, 0.8, 1.6]), [4 / 6, 6 / 6])
    with pytest.raises(ValueError):
        res.percept[0, 0] = 1  # read-only
    for edges in ([1.0], [2.0, 1.0], [[0.0, 1.0]], [0.0, np.nan]):
        with pytest.raises(ValueError, match="edges_s"):
            res.two_stream_probability(edges)  # one line naming edges_s


def test_gamma_shape_recovers_scipy_samples():
    rng = np.random.default_rng(0)
    shape, scale = gamma_shape(stats.gamma.rvs(3.0, scale=2.0, size=4000, random_state=rng))
    assert shape == pytest.approx(3.0, rel=0.1) and scale == pytest.approx(2.0, rel=0.1)
    assert gamma_shape(rng.exponential(1.0, 4000))[0] == pytest.approx(1.0, rel=0.1)


@pytest.mark.parametrize(
    ("call", "exc", "words"),
    [
        (lambda: simulate_streaming(-1, 100), ValueError, "delta_f must be within"),
        (lambda: simulate_streaming(3, 5), ValueError, "trt_ms must be within"),
        (lambda: simulate_streaming([1, 2], [100, 120, 140]), ValueError, "must broadcast"),
        (lambda: simulate_streaming(3, 100, duration_s=0.5), ValueError, "two ABA"),
        (lambda: simulate_streaming(3, 100, duration_s=True), ValueError, "duration_s"),
        (lambda: simulate_streaming(np.nan, 100), ValueError, "delta_f"),
        (lambda: simulate_streaming(3, 100, model="x"), TypeError, "StreamingModel"),
        (lambda: simulate_streaming(3, 100, seed=-1), ValueError, "seed"),
        (lambda: StreamingModel(noise=-1), ValueError, "noise must be"),
        (lambda: StreamingModel(adaptation_ms=5, tau_ms=7), ValueError, "adaptation_ms must"),
        (lambda: StreamingModel(gain="1"), ValueError, "gain"),
        (lambda: StreamingModel(bridge=0), ValueError, "bridge must be"),
        (lambda: StreamingModel(memory=-1), ValueError, "memory must be"),
        (lambda: StreamingModel(memory_ms=0), ValueError, "memory_ms must be"),
        (lambda: StreamingModel(drift=-0.1), ValueError, "drift must be"),
        (lambda: StreamingModel(drift_ms=0), ValueError, "drift_ms must be"),
        (lambda: StreamingModel(memory_ms=5, tau_ms=7), ValueError, "memory_ms must be > tau"),
        (lambda: StreamingModel(spacing=0.01), ValueError, "spacing must be"),
        (lambda: simulate_streaming([48] * 4000, 20, duration_s=600), ValueError, "unit-steps"),
        (lambda: simulate_streaming([0] * 1000, 20, duration_s=600), ValueError, "per-cycle sums"),
        (lambda: gamma_shape([1.0, 2.0]), ValueError, "at least 3"),
        (lambda: gamma_shape([1.0, -2.0, 3.0]), ValueError, "positive"),
        (lambda: AdaptingCompetition("W", tau_a=5, strength=1), TypeError, "Competition"),
    ],
)
def test_bad_inputs_are_one_clear_error(call, exc, words):
    with pytest.raises(exc, match=words):
        call()


def test_adapting_competition_with_memory_matches_a_hand_written_euler_loop():
    c, beta, k, tau_a, tau_m = 1.5, 0.3, 1.0, 20.0, 6.0
    M = np.array([[0.4, 0.1], [0.1, 0.4]])  # slow recurrent excitation, self included
    comp = Competition(np.array([[0.0, -c], [-c, 0.0]]), beta=beta, activation=sigmoid(4, 1))
    model = AdaptingCompetition(comp, tau_a=tau_a, strength=k, memory_tau=tau_m,
                                memory_weights=M)  # fmt: skip
    assert model.state_shape == (3, 2)
    inputs = np.array([[[1.6, 1.2]]])
    dt, n = 0.1, 400
    traj = simulate(model, inputs, t_span=(0, dt * n), dt=dt, method="euler", save_every=dt)
    f = lambda x: 1 / (1 + np.exp(-4 * (x - 1)))  # noqa: E731
    u, a, m = np.zeros(2), np.zeros(2), np.zeros(2)
    for _ in range(n):
        du = -u - c * f(u[::-1]) + beta * c * f(u) + inputs[0, 0] - k * a + M @ m
        u, a, m = u + dt * du, a + dt * (f(u) - a) / tau_a, m + dt * (f(u) - m) / tau_m
    np.testing.assert_allclose(traj.u[-1, 0], np.stack([u, a, m]), atol=1e-10)


def test_memory_zero_is_the_model_without_memory():
    plain = StreamingModel(memory=0.0).network(5)
    assert plain.memory_tau is None and plain.state_shape == (2, 5)
    net = StreamingModel(memory=0.5, memory_ms=70.0).network(5)
    assert net.state_shape == (3, 5) and net.memory_tau == pytest.approx(10.0)
    d = np.abs(np.arange(5)[:, None] - np.arange(5)[None, :])
    np.testing.assert_allclose(net.memory_weights, 0.5 * np.exp(-(d**2) / 2.0))


def test_slow_gain_is_an_ornstein_uhlenbeck_process():
    from neuroattn.hearing._streaming import _slow_gain

    model = StreamingModel(drift=0.2, drift_ms=100.0)
    g = _slow_gain(3001, 400, 10.0, model, np.random.default_rng(0))
    assert g.shape == (3001, 400) and (g >= 0).all()
    np.testing.assert_array_equal(g[0], 1.0)  # starts at the undisturbed gain
    eta = g[1000:] - 1.0  # stationary part
    assert eta.std() == pytest.approx(0.2, rel=0.05)
    for lag in (5, 10, 20):  # exact OU: correlation exp(-lag h / tau)
        r = np.mean(eta[lag:] * eta[:-lag]) / eta.var()
        assert r == pytest.approx(np.exp(-lag * 10.0 / 100.0), abs=0.03)
    assert _slow_gain(10, 2, 10.0, StreamingModel(drift=0.0), np.random.default_rng(0)) is None


def test_adapting_competition_bad_adaptation():
    comp = Competition(np.array([[0.0, -1.0], [-1.0, 0.0]]))
    with pytest.raises(ValueError, match="tau_a must be"):
        AdaptingCompetition(comp, tau_a=0.5, strength=1.0)
    with pytest.raises(ValueError, match="one value per tau_a"):
        AdaptingCompetition(comp, tau_a=(5.0, 50.0), strength=1.0)
    with pytest.raises(ValueError, match="given together"):
        AdaptingCompetition(comp, tau_a=5.0, strength=1.0, memory_tau=5.0)
    with pytest.raises(ValueError, match="memory_weights must have shape"):
        AdaptingCompetition(comp, tau_a=5.0, strength=1.0, memory_tau=5.0,
                            memory_weights=np.eye(3))  # fmt: skip
    with pytest.raises(ValueError, match="memory_tau must be"):
        AdaptingCompetition(comp, tau_a=5.0, strength=1.0, memory_tau=0.5,
                            memory_weights=np.eye(2))  # fmt: skip
    with pytest.raises(ValueError, match="memory_weights"):
        AdaptingCompetition(comp, tau_a=5.0, strength=1.0, memory_tau=5.0,
                            memory_weights=np.full((2, 2), np.nan))  # fmt: skip
