"""Saliency metrics on ties, constant maps and degenerate input, against independent references.

References used here, none of them the code under test:

* the exact ROC area is the Mann–Whitney U over (#pos · #neg), ties as half
  (:func:`scipy.stats.mannwhitneyu`);
* AUC-Judd's thresholds at the fixated values, written out as plain loops from the MIT
  benchmark's definition (Bylinskii et al. 2019, ``AUC_Judd.m``);
* pysaliency's ROC: in tests/vision/test_pysaliency.py, with pysaliency's other metrics.
"""

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import mannwhitneyu

from neuroattn.vision import metrics as M
from neuroattn.vision import saliency


def _split(s, fixations):
    """Positives (one per fixation) and negatives (every pixel not fixated)."""
    s = np.asarray(s, float)
    x, y = fixations[:, 0].astype(int), fixations[:, 1].astype(int)
    fixated = np.zeros(s.shape, bool)
    fixated[y, x] = True
    return s[y, x], s[~fixated]


def exact_auc(s, fixations):
    pos, neg = _split(s, fixations)
    return mannwhitneyu(pos, neg).statistic / (pos.size * neg.size)


def judd_loops(s, fixations):
    """Thresholds at each distinct fixated value, counts by loops, trapezoids by hand."""
    pos, neg = _split(s, fixations)
    points = [(0.0, 0.0)]
    for t in sorted(set(pos.tolist()), reverse=True):
        hits = sum(1 for v in pos if v >= t) / len(pos)
        false = sum(1 for v in neg if v >= t) / len(neg)
        points.append((false, hits))
    points.append((1.0, 1.0))
    return sum((x1 - x0) * (y0 + y1) / 2 for (x0, y0), (x1, y1) in itertools.pairwise(points))


def mit_no_jitter(s, fixations):
    """AUC_Judd.m on a map without ties (binary fixation map, no jitter)."""
    s = np.asarray(s, float)
    fmap = np.zeros(s.shape, bool)
    fmap[fixations[:, 1].astype(int), fixations[:, 0].astype(int)] = True
    values, n_fix, n_pix = np.sort(s[fmap])[::-1], int(fmap.sum()), s.size
    tp, fp = [0.0], [0.0]
    for i, t in enumerate(values, start=1):
        tp.append(i / n_fix)
        fp.append(((s >= t).sum() - i) / (n_pix - n_fix))
    tp.append(1.0)
    fp.append(1.0)
    return sum((fp[k + 1] - fp[k]) * (tp[k] + tp[k + 1]) / 2 for k in range(len(tp) - 1))


def plateau_map():
    """Two flat blobs on a staircase ramp: large tie groups everywhere."""
    xx = np.mgrid[0:60, 0:80][1]
    s = np.round(xx / 80 * 4) / 10
    s[10:30, 10:30] += 1.0
    s[35:55, 40:70] += 0.5
    return s


def unique_points(rng, n, shape, extra=()):
    h, w = shape
    pts = np.column_stack([rng.integers(0, w, n), rng.integers(0, h, n)])
    if len(extra):
        pts = np.vstack([pts, extra])
    return np.unique(pts, axis=0)


@pytest.mark.parametrize("value", [0.0, 0.3, -7.0, 1e300])
@pytest.mark.parametrize("thresholds", M.AUC_THRESHOLDS)
def test_a_constant_map_scores_chance(value, thresholds):
    s = np.full((30, 40), value)
    rng = np.random.default_rng(0)
    for n in (1, 5, 200):
        fix = unique_points(rng, n, s.shape)
        assert M.auc_judd(s, fix, thresholds=thresholds) == 0.5
    mask = np.zeros(s.shape, bool)
    mask[::3, ::4] = True
    assert M.auc_judd(s, mask, thresholds=thresholds) == 0.5


def test_plateau_map_against_the_references():
    s = plateau_map()
    rng = np.random.default_rng(1)
    for k in range(5):
        fix = unique_points(rng, 40, s.shape, extra=[[15, 15], [20, 22], [45, 40 + k]])
        exact = exact_auc(s, fix)
        assert M.auc_judd(s, fix, thresholds="all") == pytest.approx(exact, abs=1e-12)
        assert M.auc_judd(s, fix) == pytest.approx(judd_loops(s, fix), abs=1e-12)
        # thresholds at the fixated values: at most 1/(2 · 43) above the exact area here
        assert exact - 1e-12 <= M.auc_judd(s, fix) <= exact + 1 / (2 * len(fix))


def test_without_ties_it_is_the_mit_benchmark():
    rng = np.random.default_rng(2)
    s = rng.random((40, 50))
    for n in (1, 7, 60):
        fix = unique_points(rng, n, s.shape)
        assert M.auc_judd(s, fix) == pytest.approx(mit_no_jitter(s, fix), abs=1e-12)


def test_ranks_only_matter():
    s = plateau_map()
    fix = unique_points(np.random.default_rng(3), 30, s.shape)
    for thresholds in M.AUC_THRESHOLDS:
        base = M.auc_judd(s, fix, thresholds=thresholds)
        for f in (lambda a: a**3 + 5, lambda a: 1e300 * a, lambda a: 1e-300 * a):
            assert M.auc_judd(f(s), fix, thresholds=thresholds) == pytest.approx(base, abs=1e-12)


def test_a_fixation_map_counts_each_pixel_once_points_each_fixation():
    s = plateau_map()
    pts = np.array([[15, 15], [15, 15], [70, 5]])
    mask = np.zeros(s.shape, bool)
    mask[pts[:, 1], pts[:, 0]] = True
    assert M.auc_judd(s, mask) == M.auc_judd(s, pts[1:])
    # the repeated fixation weighs twice: positives (1.1, 1.1, 0.4)
    assert M.auc_judd(s, pts) > M.auc_judd(s, pts[1:])


@settings(max_examples=60, deadline=None)
@given(
    st.integers(0, 10_000),
    st.integers(1, 6),
    st.integers(1, 60),
)
def test_judd_thresholds_bound_the_exact_area(seed, levels, n):
    """Thresholds at the fixated values never lose area and add at most m/(2n)."""
    rng = np.random.default_rng(seed)
    s = rng.integers(0, levels, (12, 15)).astype(float)
    fix = unique_points(rng, n, s.shape)
    if len(fix) == s.size:
        return
    judd, exact = M.auc_judd(s, fix), M.auc_judd(s, fix, thresholds="all")
    assert exact == pytest.approx(exact_auc(s, fix), abs=1e-12)
    pos, _ = _split(s, fix)
    largest_tie = np.unique(pos, return_counts=True)[1].max()
    assert exact - 1e-12 <= judd <= exact + largest_tie / (2 * len(pos)) + 1e-12


def test_random_fixations_on_a_natural_image_score_chance():
    """The astronaut's saliency map (a quarter of it exactly zero) with uniform fixations."""
    from skimage import data

    s = saliency(data.astronaut())
    assert (s == 0).mean() > 0.1  # a large plateau: the case the tie count got wrong
    judd, exact = [], []
    for k in range(20):
        fix = unique_points(np.random.default_rng(100 + k), 100, s.shape)
        judd.append(M.auc_judd(s, fix))
        exact.append(M.auc_judd(s, fix, thresholds="all"))
    assert abs(np.mean(exact) - 0.5) < 0.02
    assert abs(np.mean(judd) - 0.5) < 0.02


# --- SIM and its two conventions -----------------------------------------------------------


def sim_pysaliency(a, b):
    def dens(s):
        s = s - s.min() if s.min() < 0 else s
        return s / s.sum() if s.sum() else np.full(s.shape, 1 / s.size)

    return np.minimum(dens(a), dens(b)).sum()


def sim_mit(a, b):
    def dens(s):
        span = s.max() - s.min()
        s = (s - s.min()) / span if span else np.ones_like(s)
        return s / s.sum()

    return np.minimum(dens(a), dens(b)).sum()


def test_sim_conventions_against_their_definitions():
    rng = np.random.default_rng(5)
    a, b = rng.random((20, 30)), rng.random((20, 30)) ** 3
    for x, y in ((a, b), (a + 5, b), (a - 2, b + 1), (b, b + 10)):
        assert M.sim(x, y) == pytest.approx(sim_pysaliency(x, y))
        assert M.sim(x, y, convention="mit") == pytest.approx(sim_mit(x, y))
    # the MIT convention ignores an offset, pysaliency's does not
    assert M.sim(a + 5, a, convention="mit") == pytest.approx(1.0)
    assert M.sim(a + 5, a) < 0.95
    # on maps with minimum zero they agree
    a0, b0 = a - a.min(), b - b.min()
    assert M.sim(a0, b0) == pytest.approx(M.sim(a0, b0, convention="mit"))


@pytest.mark.parametrize("convention", M.SIM_CONVENTIONS)
def test_sim_of_constant_maps_is_the_uniform_density(convention):
    const, zero = np.full((4, 5), 3.0), np.zeros((4, 5))
    assert M.sim(const, zero, convention=convention) == pytest.approx(1.0)
    peak = np.zeros((4, 5))
    peak[1, 1] = 1.0
    assert M.sim(zero, peak, convention=convention) == pytest.approx(1 / 20)


# --- no NaN from any metric -----------------------------------------------------------------

DEGENERATE = {
    "zeros": np.zeros((6, 7)),
    "constant": np.full((6, 7), 2.5),
    "negative constant": np.full((6, 7), -1e-3),
    "huge": np.full((6, 7), 1e308) * np.linspace(-1, 1, 42).reshape(6, 7),
    "tiny": np.full((6, 7), 5e-324),
    "one pixel on": np.pad(np.ones((1, 1)), ((2, 3), (3, 3))),
}


@pytest.mark.parametrize("name", sorted(DEGENERATE))
def test_no_metric_returns_nan(name):
    s = DEGENERATE[name]
    fix = np.array([[0, 0], [3, 2], [6, 5]])
    others = [DEGENERATE[k] for k in sorted(DEGENERATE)]
    values = [
        M.nss(s, fix),
        M.auc_judd(s, fix),
        M.auc_judd(s, fix, thresholds="all"),
        M.auc_borji(s, fix, n_splits=5, seed=0),
    ]
    for r in others:
        values += [M.cc(s, r), M.kld(s, r), M.sim(s, r), M.sim(s, r, convention="mit")]
    assert all(math.isfinite(v) for v in values), values


def test_cc_of_constant_maps_is_zero():
    s = plateau_map()
    const = np.full_like(s, 4.0)
    assert M.cc(const, const) == 0.0
    assert M.cc(s, const) == 0.0
    assert M.cc(const, s) == 0.0
    assert M.cc(1e300 * s, s) == pytest.approx(1.0)


def test_bad_metric_options_and_fixations():
    s = plateau_map()
    fix = np.array([[1, 1]])
    with pytest.raises(ValueError, match="thresholds"):
        M.auc_judd(s, fix, thresholds="some")
    with pytest.raises(ValueError, match="convention"):
        M.sim(s, s, convention="matlab")
    with pytest.raises(ValueError, match="every pixel is fixated"):
        M.auc_judd(np.ones((2, 2)), np.ones((2, 2), bool))
    with pytest.raises(ValueError, match="no fixations"):
        M.auc_judd(s, np.zeros(s.shape, bool))
    with pytest.raises(ValueError, match="no fixations"):
        M.auc_judd(s, [])
    with pytest.raises(ValueError, match="fixation map"):
        M.auc_judd(s, np.ones((3, 3), bool))
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        M.auc_judd(s, np.ones((4, 3)))
    with pytest.raises(ValueError, match="NaN"):
        M.auc_judd(s, [[np.nan, 1.0]])
    with pytest.raises(TypeError, match="dtype"):
        M.auc_judd(s.astype(complex), fix)
    with pytest.raises(TypeError, match="dtype"):
        M.nss(s, np.array([["a", "b"]]))
    with pytest.raises(ValueError, match="step"):
        M.auc_borji(s, fix, step=2.0)
