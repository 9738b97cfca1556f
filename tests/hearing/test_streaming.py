"""Stage 3 on sound: ABA– streaming (neuroattn.hearing._streaming*)."""

import numpy as np
import pytest
from scipy import stats

from neuroattn.dynamics import Competition, sigmoid, simulate
from neuroattn.hearing import StreamingModel, StreamingResult, gamma_shape, simulate_streaming
from neuroattn.hearing._streaming_input import aba_schedule, coactivation
from neuroattn.hearing._streaming_model import AdaptingCompetition


def test_aba_schedule_is_a_b_a_silence_with_gaps():
    breaks, state = aba_schedule(100.0, 800.0, 40.0)
    assert breaks[:8].tolist() == [0, 40, 100, 140, 200, 240, 300, 340]
    assert state[:8].tolist() == [1, 0, 2, 0, 1, 0, 0, 0]
    assert state[8:10].tolist() == [1, 0]  # the next cycle starts with A
    filled, kinds = aba_schedule(30.0, 240.0, 40.0)  # tones longer than the TRT fill slots
    assert filled[:4].tolist() == [0, 30, 60, 90] and kinds[:4].tolist() == [1, 2, 1, 0]


def _reference_evidence(delta_f, trt, model, t_end, h=0.05):
    """Plain reference: forward Euler on a fine grid for both depression factors of both
    places, and the running means as explicit exponential sums."""
    t = np.arange(0.0, t_end, h)
    slot = np.floor(t / trt).astype(int)
    tone = (t - slot * trt) < min(model.tone_ms, trt)
    kind = np.array([1, 2, 1, 0])[slot % 4]
    a_on, b_on = tone & (kind == 1), tone & (kind == 2)
    eps = np.exp(-delta_f / model.spread)
    out = {}
    for name, r in (("a", a_on + eps * b_on), ("b", b_on + eps * a_on)):
        d = np.ones((2,))
        ds = np.empty((t.size, 2))
        for i in range(t.size):
            ds[i] = d
            rec = np.array([model.fast_recovery_ms, model.slow_recovery_ms])
            use = np.array([model.fast_use, model.slow_use])
            d = d + h * ((1 - d) / rec - use * r[i] * d)
        out[name] = ds.prod(1)
    cross = eps * (out["a"] * b_on + out["b"] * a_on)
    sound = (a_on | b_on).astype(float)
    w = np.exp(-h / model.evidence_ms)
    mc = ms = 0.0
    e, s = np.empty(t.size), np.empty(t.size)
    for i in range(t.size):
        mc = w * mc + (1 - w) * cross[i]
        ms = w * ms + (1 - w) * sound[i]
        e[i], s[i] = mc, ms
    return t, e, s


@pytest.mark.parametrize(("delta_f", "trt"), [(3.0, 100.0), (10.0, 60.0)])
def test_coactivation_matches_a_fine_euler_reference(delta_f, trt):
    model = StreamingModel()
    t_ref, e_ref, s_ref = _reference_evidence(delta_f, trt, model, 3000.0)
    t = np.arange(0.0, 3000.0, 0.05)
    e, s = coactivation(np.array([delta_f]), np.array([trt]), t, model)
    late = t_ref > 500
    np.testing.assert_allclose(e[late, 0], e_ref[late], rtol=5e-3)
    np.testing.assert_allclose(s[late, 0], s_ref[late], rtol=1e-9)


def test_coactivation_falls_with_delta_f_and_with_tempo():
    model = StreamingModel()
    t = np.arange(0.0, 8000.0, 3.5)
    df = np.array([1.0, 6.0, 12.0, 6.0, 6.0])
    trt = np.array([100.0, 100.0, 100.0, 50.0, 150.0])
    e, s = (x[t > 4000].mean(0) for x in coactivation(df, trt, t, model))
    assert e[0] > e[1] > e[2]  # larger separation: less co-activation
    per_tone = e / s
    assert per_tone[3] < per_tone[1] < per_tone[4]  # faster tempo: less per tone
    assert s[3] > s[1] > s[4]  # but more sound per second


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
    df = np.repeat([1.0, 12.0, 9.0], 3)
    trt = np.repeat([150.0, 50.0, 100.0], 3)
    return simulate_streaming(df, trt, duration_s=30.0, seed=4)


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
        regimes.evidence[6:],
    ).phase_durations()  # fmt: skip
    assert durations.size >= 3 and gamma_shape(durations)[0] > 1.0


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
        (lambda: gamma_shape([1.0, 2.0]), ValueError, "at least 3"),
        (lambda: gamma_shape([1.0, -2.0, 3.0]), ValueError, "positive"),
        (lambda: AdaptingCompetition("W", tau_a=5, strength=1), TypeError, "Competition"),
    ],
)
def test_bad_inputs_are_one_clear_error(call, exc, words):
    with pytest.raises(exc, match=words):
        call()


def test_adapting_competition_bad_adaptation():
    comp = Competition(np.array([[0.0, -1.0], [-1.0, 0.0]]))
    with pytest.raises(ValueError, match="tau_a must be"):
        AdaptingCompetition(comp, tau_a=0.5, strength=1.0)
    with pytest.raises(ValueError, match="one value per tau_a"):
        AdaptingCompetition(comp, tau_a=(5.0, 50.0), strength=1.0)
