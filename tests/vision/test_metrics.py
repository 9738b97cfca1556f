"""Metrics against values computed by hand."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neuroattn.vision import metrics as M
from neuroattn.vision.compete import Fixation

S = np.array([[0.0, 1.0], [2.0, 3.0]])


def test_nss_by_hand():
    # mean 1.5, std √1.25
    assert M.nss(S, [(1, 1)]) == pytest.approx(1.5 / math.sqrt(1.25))
    assert M.nss(S, [(1, 1), (0, 0)]) == pytest.approx(0.0)
    # coordinates are truncated as in pysaliency; a boolean map works too
    assert M.nss(S, [(1.9, 1.2)]) == M.nss(S, np.array([[False, False], [False, True]]))


def test_auc_judd_by_hand():
    assert M.auc_judd(S, [(1, 1)]) == pytest.approx(1.0)
    # thresholds 1 and 0: TP (0, .5, 1, 1), FP (0, 0, 1, 1) → area 0.75
    assert M.auc_judd(S, [(1, 1), (0, 0)]) == pytest.approx(0.75)
    assert M.auc_judd(S, [(0, 0)]) == pytest.approx(0.5)  # worst single fixation


def test_auc_borji_of_a_perfect_map():
    s = np.zeros((50, 50))
    s[10, 10] = 1.0
    assert M.auc_borji(s, [(10, 10)] * 3, seed=0) > 0.97
    assert M.auc_borji(s, [(40, 40)], seed=0) < 0.6


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 1000))
def test_aucs_of_random_maps_are_near_chance(seed):
    rng = np.random.default_rng(seed)
    s = rng.random((40, 40))
    fix = rng.integers(0, 40, (200, 2))
    assert abs(M.auc_judd(s, fix) - 0.5) < 0.12
    assert abs(M.auc_borji(s, fix, seed=seed) - 0.5) < 0.12


def test_cc_kld_sim_by_hand():
    assert M.cc(S, 2 * S + 1) == pytest.approx(1.0)
    assert M.cc(S, -S) == pytest.approx(-1.0)
    assert M.cc(np.ones((2, 2)), S) == 0.0
    # p = (.5, .5), q = (1, 0): KL = log 2
    p, q = np.array([[1.0, 1.0]]), np.array([[1.0, 0.0]])
    assert M.kld(p, q) == pytest.approx(math.log(2), abs=1e-9)
    assert M.kld(S, S) == pytest.approx(0.0, abs=1e-9)
    assert M.sim(p, q) == pytest.approx(0.5)
    assert M.sim(S, S) == pytest.approx(1.0)


def test_search_measures():
    mask = np.zeros((100, 100), bool)
    mask[40:50, 60:70] = True
    fixes = [Fixation(10, 10, 50, 20, 50, 1), Fixation(65, 45, 120, 20, 50, 1)]
    assert M.fixations_to_find(fixes, mask) == 2
    assert M.fixations_to_find(fixes[:1], mask) == math.inf
    assert M.fixations_to_find([(55, 45)], mask, radius=5) == 1
    assert M.reaction_time(fixes, mask, base_ms=200) == (320.0, True)
    assert M.reaction_time(fixes[:1], mask) == (70.0, False)
    s = np.zeros((100, 100))
    s[mask] = 3.0
    dis = np.zeros_like(mask)
    dis[0:10, 0:10] = True
    s[dis] = 1.0
    assert M.gsi(s, mask, dis) == pytest.approx(0.5)


def test_metric_input_errors():
    with pytest.raises(ValueError, match="2-D map"):
        M.nss(np.zeros(4), [(0, 0)])
    with pytest.raises(ValueError, match="outside"):
        M.nss(S, [(5, 0)])
    with pytest.raises(ValueError, match="NaN"):
        M.cc(np.full((2, 2), np.nan), S)
    with pytest.raises(ValueError, match="differ in shape"):
        M.sim(S, np.ones((3, 3)))
