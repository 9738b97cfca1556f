"""Experiment 5: the phase diagram of the source's equation against its stability analysis."""

import itertools

import numpy as np
import pytest

from neuroattn import experiments as ex
from neuroattn.experiments import regimes as R

SMALL = dict(beta_steps=13, contrast_steps=4, noise_levels=(0.0, 1.0), duration=400.0, refine=2)


@pytest.fixture(scope="module")
def result():
    return ex.run("regimes", **SMALL)


def _graded_reference(n, c, beta, inputs):
    """Active count of the unique fixed point below beta*, by brute force over the active
    sets of the k most driven units (a plain reference, independent of steady_state)."""
    a = beta * n * c
    order = np.argsort(-inputs)
    for k in range(n, 0, -1):
        top = order[:k]
        A = (1 - a) * np.eye(k) + c * (np.ones((k, k)) - np.eye(k))  # (1-a) u_i + c sum_j!=i u_j
        u = np.linalg.solve(A, inputs[top])
        rest = inputs[order[k:]] - c * u.sum()
        if (u > 0).all() and (rest <= 0).all():
            return k
    return 0


def test_closed_form_beta_star_from_the_eigenvalues_for_several_networks():
    for n, c in [(8, 0.4), (4, 0.3), (16, 0.1)]:
        cfg = R.RegimesConfig(n_units=n, inhibition=c, beta_max=0.99 / (n * c), beta_steps=6)
        betas = np.linspace(0, cfg.beta_max, 51)
        _, leading = R.analyse(cfg, betas, np.array([0.0]))
        assert R.beta_star(betas, leading[:, 0]) == pytest.approx((1 - c) / (n * c), rel=1e-9)


def test_analysis_matches_a_brute_force_fixed_point_below_beta_star():
    cfg = R.RegimesConfig(threshold=1e-9)
    betas = np.array([0.0, 0.05, 0.1, 0.15, 0.18])
    contrasts = np.array([0.0, 0.1, 0.3, 0.6])
    regime, _ = R.analyse(cfg, betas, contrasts)
    inputs = R._inputs(cfg, contrasts)
    for (i, b), (j, _) in itertools.product(enumerate(betas), enumerate(contrasts)):
        k = _graded_reference(cfg.n_units, cfg.inhibition, b, inputs[j])
        want = 0 if k == cfg.n_units else (2 if k == 1 else 1)
        assert regime[i, j] == want, (b, contrasts[j], k)


def test_signature_boundaries_within_one_grid_step_and_no_oscillation(result):
    assert result.agrees, result.table()
    reg = result.regime
    assert reg[0, 0, 0] == 0  # beta = 0, equal inputs: no winner
    assert (reg[-1, :, 0] == 2).all()  # beta_max: one winner at every contrast
    assert not (reg[:, :, 0] == 3).any()  # no switching without noise
    assert result.findings[1].model <= 1.0
    b = result.coords["beta"]
    beyond = b > result.beta_star + (b[1] - b[0])
    assert (reg[beyond, :, 0] == 2).all()


def test_classify_on_made_up_states():
    T = 20
    still = np.tile([1.0, 0.5, -1.0], (T, 1))
    every = np.tile([1.0, 1.0, 1.0], (T, 1))
    lone = np.tile([1.0, -1.0, -1.0], (T, 1))
    swap = lone.copy()
    swap[T // 2 :] = [-1.0, 1.0, -1.0]
    regime, active, switches = R.classify(np.stack([still, every, lone, swap], 1), 0.1)
    assert regime.tolist() == [1, 0, 2, 3]
    assert active.tolist() == [2, 3, 1, 0] and switches.tolist() == [0, 0, 0, 1]


def test_to_xarray_and_plot(result):
    ds = result.to_xarray()
    assert ds["regime"].dims == ("beta", "contrast", "noise")
    assert ds["analytic_regime"].dims == ("beta_fine", "contrast_fine")
    assert ds.sizes["noise"] == 2
    from matplotlib.figure import Figure

    assert isinstance(result.plot(), Figure)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("beta_max", 0.32, "beta_max must be < 1/"),
        ("noise_levels", (0.5,), "noise_levels must be distinct and include 0"),
        ("noise_levels", "0", "noise_levels must be a sequence"),
        ("contrast_max", 1.5, "contrast_max must be"),
        ("n_units", 1, "n_units must be"),
        ("n_units", True, "n_units must be"),
        ("dt", float("nan"), "dt must be"),
        ("contrast_steps", 101, "the analytic grid must have at most"),
    ],
)
def test_bad_configs_are_one_clear_error(field, value, message):
    with pytest.raises((ValueError, TypeError), match=message):
        R.RegimesConfig(**{field: value})
