"""Issue 10: the activation threshold of least cost (``_quitting.costed_threshold``) and
the items' absolute priorities (``_quitting.item_priorities``).

References are independent of the code under test: a brute-force cost over a fine grid of
thresholds written out plainly, and item priorities read off a hand-made map whose cells
each item covers are known.
"""

from types import SimpleNamespace

import numpy as np
import pytest

from neuroattn.vision import Pipeline
from neuroattn.vision._family import HELD_OUT
from neuroattn.vision._quitting import costed_threshold, item_priorities, target_priority


def _plain_cost(theta, present, absent, lam):
    """C(θ) written out: items checked on absent trials, items + λ n per miss."""
    total = 0.0
    for p, t in present:
        p = np.asarray(p, float)
        if p[t] <= theta and p[t] < p.max():
            total += max(1, int(np.sum(p > theta))) + lam * len(p)
    cost = total / len(present)
    if absent:
        cost += np.mean([max(1, int(np.sum(np.asarray(a) > theta))) for a in absent])
    return cost


def _block(rng, n_displays, set_size, target_mean, spread=0.2):
    present, absent = [], []
    for _ in range(n_displays):
        d = rng.lognormal(np.log(0.01), spread, set_size)
        t = int(rng.integers(set_size))
        d[t] = rng.lognormal(np.log(target_mean), spread)
        present.append((d, t))
        absent.append(rng.lognormal(np.log(0.01), spread, set_size))
    return present, absent


@pytest.mark.parametrize("lam", [0.5, 1.0, 3.0, 10.0])
@pytest.mark.parametrize("target_mean", [0.01, 0.03, 0.2])
def test_the_threshold_has_the_least_cost_of_any_threshold(lam, target_mean):
    rng = np.random.default_rng(int(lam * 10 + target_mean * 1000))
    present, absent = _block(rng, 12, 16, target_mean)
    chosen = costed_threshold(present, absent, miss_cost=lam)
    values = np.unique(np.concatenate([p for p, _ in present] + absent))
    grid = np.concatenate([np.linspace(0, 0.5, 501), values, (values[1:] + values[:-1]) / 2])
    costs = np.array([_plain_cost(th, present, absent, lam) for th in grid])
    assert _plain_cost(chosen, present, absent, lam) == pytest.approx(costs.min(), rel=1e-12)
    # ties go to the lowest threshold
    assert chosen <= grid[costs <= costs.min() * (1 + 1e-12)].min() + 1e-15


def test_pop_out_quits_at_once_conjunction_scans_all_and_invisible_targets_are_given_up():
    rng = np.random.default_rng(5)
    pop_present, pop_absent = _block(rng, 20, 25, 0.2)  # targets far above the distractors
    pop = costed_threshold(pop_present, pop_absent, miss_cost=3.0)
    assert all((a > pop).sum() <= 1 for a in pop_absent) and pop > 0.01  # absent: one look
    conj_present, conj_absent = _block(rng, 20, 25, 0.01)  # targets among the distractors
    theta = costed_threshold(conj_present, conj_absent, miss_cost=3.0)
    missed = np.mean([p[t] <= theta < p.max() for p, t in conj_present])
    checked = np.mean([(a > theta).mean() for a in conj_absent])
    # most items checked on an absent display, few targets given up
    assert missed <= 0.1 and checked > 0.5, (missed, checked)
    # two targets in twenty below every distractor: missing them costs 0.1 × 3 × 25 = 7.5
    # items a trial, catching them every absent display's 25 items: give them up...
    for k in (0, 1):
        p, t = pop_present[k]
        p = p.copy()
        p[t] = 0.1 * p.min()
        pop_present[k] = (p, t)
    assert costed_threshold(pop_present, pop_absent, miss_cost=3.0) == pop
    # ...unless a miss costs more than scanning every absent display (λ > 10)
    invisible = min(pop_present[k][0][pop_present[k][1]] for k in (0, 1))
    assert costed_threshold(pop_present, pop_absent, miss_cost=12.0) < invisible


def test_without_absent_displays_or_misses_cost_the_extremes():
    present = [(np.array([0.5, 0.1, 0.2]), 0), (np.array([0.1, 0.3, 0.2]), 0)]
    # nothing to save on absent trials: no threshold that loses a target
    assert costed_threshold(present, [], miss_cost=1.0) == 0.0
    # misses free: the lowest threshold at which every absent display is one look
    assert costed_threshold(present, [np.array([0.2, 0.2, 0.25])], miss_cost=0.0) == 0.2


def test_item_priorities_are_the_maxima_over_the_cells_each_item_covers():
    s = np.arange(16, dtype=float).reshape(4, 4) / 100  # map cells of 16 × 16 pixels
    result = SimpleNamespace(conspicuity={"a": s}, gain=np.full((4, 4), 2.0))
    labels = np.zeros((64, 64), np.int32)
    labels[20:44, 6:10] = 1  # a bar down the middle of cells (1, 0) and (2, 0)
    labels[40:41, 40:41] = 2  # one pixel in cell (2, 2)
    labels[6:10, 54:58] = 4  # the middle of cell (0, 3); label 3 has no pixels
    got = item_priorities(labels, result)
    np.testing.assert_allclose(got[[0, 1, 3]], 2 * np.array([s[2, 0], s[2, 2], s[0, 3]]))
    assert np.isnan(got[2])


def test_item_priorities_equal_target_priority_of_each_item_on_real_displays():
    arrays = [HELD_OUT.draw("larger", 50_000_001, set_size=25)]
    arrays.append(HELD_OUT.draw("conjunction", 50_000_002, set_size=9, target=False))
    results = Pipeline().attend([a.image for a in arrays], n_fixations=1)
    for a, r in zip(arrays, results, strict=True):
        got = item_priorities(a.labels, r)
        ref = [target_priority(a.labels == k + 1, r) for k in range(a.set_size)]
        np.testing.assert_array_equal(got, ref)
    # a map whose cells do not tile the image exactly takes the same path as one mask
    r = results[0]
    cut = SimpleNamespace(conspicuity={k: v[:-1, :-1] for k, v in r.conspicuity.items()},
                          gain=np.asarray(r.gain)[:-1, :-1])  # fmt: skip
    got = item_priorities(arrays[0].labels, cut)
    ref = [target_priority(arrays[0].labels == k + 1, cut) for k in range(25)]
    np.testing.assert_array_equal(got, ref)


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: costed_threshold([], []), ValueError, "present must hold"),
        (lambda: costed_threshold([([0.1, 0.2], 2)], []), ValueError, "present.0. target"),
        (lambda: costed_threshold([([0.1, 0.2], 1.0)], []), ValueError, "present.0. target"),
        (lambda: costed_threshold([([0.1, -1], 0)], []), ValueError, "present.0. must be"),
        (lambda: costed_threshold([([0.1, np.nan], 0)], []), ValueError, "present.0."),
        (lambda: costed_threshold([([], 0)], []), ValueError, "present.0. must be"),
        (lambda: costed_threshold([(["a"], 0)], []), TypeError, "present.0."),
        (lambda: costed_threshold([([0.1], 0)], [[-0.1]]), ValueError, "absent.0. must be"),
        (lambda: costed_threshold([([0.1], 0)], [], miss_cost=-1), ValueError, "miss_cost"),
        (lambda: costed_threshold([([0.1], 0)], [], miss_cost="x"), ValueError, "miss_cost"),
        (lambda: item_priorities(np.zeros(4, np.int32), None), ValueError, "labels must be"),
        (lambda: item_priorities(np.zeros((4, 4)), None), ValueError, "labels must be"),
        (lambda: item_priorities(-np.ones((4, 4), int), None), ValueError, "labels must be"),
    ],
)
def test_bad_inputs_get_one_clear_error(call, error, words):
    with pytest.raises(error, match=words):
        call()
