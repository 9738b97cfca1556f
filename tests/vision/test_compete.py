"""Stage 3: the winner emerges from the dynamics, with latencies, IOR and durations."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neuroattn.vision import WinnerTakeAll
from neuroattn.vision.compete import relu_threshold


def blobs(strengths, shape=(24, 32), positions=((6, 8), (17, 24), (6, 25)), width=1.2):
    """A map with Gaussian blobs of the given strengths."""
    yy, xx = np.mgrid[0 : shape[0], 0 : shape[1]]
    m = np.zeros(shape)
    for s, (r, c) in zip(strengths, positions, strict=False):
        m += s * np.exp(-((yy - r) ** 2 + (xx - c) ** 2) / (2 * width**2))
    return m


def cell(fix, shape=(24, 32), image=(24, 32)):
    return round(fix.y * shape[0] / image[0] - 0.5), round(fix.x * shape[1] / image[1] - 0.5)


def test_relu_threshold():
    f = relu_threshold(0.2)
    np.testing.assert_allclose(f(np.array([-1.0, 0.2, 0.7])), [0.0, 0.0, 0.5])
    np.testing.assert_allclose(f.df(np.array([0.1, 0.3])), [0.0, 1.0])


def test_scanpath_visits_blobs_in_order_of_strength():
    fixes, trace = WinnerTakeAll()(blobs([1.0, 0.8, 0.6]), n_fixations=3)[0]
    assert [cell(f) for f in fixes] == [(6, 8), (17, 24), (6, 25)]
    onsets = [f.onset for f in fixes]
    assert np.all(np.diff(onsets) > 0) and all(f.duration > 0 for f in fixes)
    # onset = the previous competition's end + this latency (the clock is shared)
    assert fixes[0].latency == pytest.approx(fixes[0].onset)
    assert fixes[1].latency < fixes[1].onset - fixes[0].onset
    assert trace.rates.shape[1:] == (24, 32) and np.all(np.diff(trace.t) > 0)
    # at each onset the winner's rate has just crossed the threshold
    for f in fixes:
        k = np.searchsorted(trace.t, f.onset)
        r, c = cell(f)
        assert trace.rates[k, r, c] >= trace.rate_threshold > trace.rates[k - 1, r, c]


@settings(max_examples=12, deadline=None)
@given(st.floats(0.01, 0.24), st.floats(0.01, 0.1))
def test_a_close_race_takes_longer(gap, more):
    wta = WinnerTakeAll()
    (hard,), _ = wta(blobs([1.0, 1.0 - gap]), n_fixations=1)[0]
    (easy,), _ = wta(blobs([1.0, 1.0 - gap - more]), n_fixations=1)[0]
    assert cell(easy) == cell(hard) == (6, 8)  # the stronger one still wins
    assert hard.latency > easy.latency  # (until the runner-up is too weak to compete)


def test_without_inhibition_of_return_attention_stays():
    m = blobs([1.0, 0.8, 0.6])
    stuck, _ = WinnerTakeAll(ior_strength=0.0, max_latency=20)(m, n_fixations=3)[0]
    moving, _ = WinnerTakeAll()(m, n_fixations=3)[0]
    assert len(stuck) == 1 and len(moving) == 3


def test_ior_decays_and_old_locations_come_back():
    m = blobs([1.0, 0.9])
    fixes, _ = WinnerTakeAll(ior_tau_ms=20.0, min_saliency=0.0)(m, n_fixations=4)[0]
    cells = [cell(f) for f in fixes]
    assert cells[0] != cells[1] and (6, 8) in cells[2:]


def test_top_down_gain_reverses_the_order():
    m = blobs([1.0, 0.8])
    g = np.ones_like(m)
    g[12:, 16:] = 2.0  # favour the second blob
    (first,), _ = WinnerTakeAll()(m, gain=g, n_fixations=1)[0]
    assert cell(first) == (17, 24)


def test_blank_map_gives_no_fixations():
    fixes, trace = WinnerTakeAll()(np.zeros((8, 8)), n_fixations=3)[0]
    assert fixes == () and trace.rates.shape == (0, 8, 8)


def test_batch_equals_one_by_one():
    maps = np.stack([blobs([1.0, 0.8, 0.6]), blobs([0.5, 1.0, 0.7]), blobs([0.6, 0.7, 1.0])])
    wta = WinnerTakeAll()
    batch = wta(maps, n_fixations=3, image_shape=(480, 640))
    for m, (fixes, trace) in zip(maps, batch, strict=True):
        alone, trace1 = wta(m, n_fixations=3, image_shape=(480, 640))[0]
        as_rows = [[f.x, f.y, f.onset, f.duration, f.latency] for f in fixes]
        alone_rows = [[f.x, f.y, f.onset, f.duration, f.latency] for f in alone]
        np.testing.assert_allclose(as_rows, alone_rows, rtol=1e-6)
        np.testing.assert_allclose(trace.rates, trace1.rates, atol=1e-6)


def test_neural_field_model_picks_the_same_winner():
    (f,), _ = WinnerTakeAll(model="field")(blobs([0.7, 1.0]), n_fixations=1)[0]
    assert cell(f) == (17, 24)


def test_noise_is_seeded():
    wta = WinnerTakeAll(noise=0.05)
    m = blobs([1.0, 0.95, 0.9])
    a = wta(m, n_fixations=2, seed=3)[0][0]
    assert a == wta(m, n_fixations=2, seed=3)[0][0]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"model": "spiking"}, "compete.model"),
        ({"alpha": 1.0}, "compete.alpha"),
        ({"dt": 0}, "compete.dt"),
        ({"rate_threshold": 5.0}, "above the winner's plateau"),
        ({"ior_strength": 1.5}, "ior_strength"),
    ],
)
def test_bad_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        WinnerTakeAll(**kwargs)


def test_bad_maps():
    wta = WinnerTakeAll()
    with pytest.raises(ValueError, match="finite, non-negative"):
        wta(np.full((8, 8), np.nan))
    with pytest.raises(ValueError, match="n_fixations"):
        wta(np.ones((8, 8)), n_fixations=0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"noise": -1.0}, "compete.noise must be a finite number >= 0"),
        ({"tau_ms": float("nan")}, "compete.tau_ms must be a finite number > 0"),
        ({"ior_strength": -0.5}, "compete.ior_strength must be a finite number >= 0 and <= 1"),
        ({"alpha": "0.5"}, "compete.alpha must be a finite number"),
    ],
)
def test_parameters_are_checked_with_the_shared_messages(kwargs, match):
    with pytest.raises(ValueError, match=match):
        WinnerTakeAll(**kwargs)
    assert WinnerTakeAll(tau_ms=np.float32(5.0)).tau_ms == 5.0  # numpy numbers are numbers


def test_the_scan_loop_reads_only_its_rules():
    rules = WinnerTakeAll(dwell=2.0, ior_radius=0.1).scan_rules()
    assert (rules.dwell, rules.ior.radius, rules.tau_ms) == (2.0, 0.1, 7.0)
