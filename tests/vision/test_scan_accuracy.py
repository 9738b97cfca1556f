"""The scanpath's numbers do not depend on the integrator (issue 8).

Onsets are compared with a reference integration by a different method (forward Euler at
dt = 0.002 τ, about 0.05 % from the exact solution); search slopes with the step halved;
a flat plateau of input (stiff: dozens of units above threshold at once) is integrated as
well as a peak. Inhibition of return outlasts a 32-item scan, and a target that is never
fixated is a miss, not a response time. Seeds here are used nowhere else.
"""

from functools import lru_cache

import numpy as np
import pytest

from neuroattn.vision import Pipeline, WinnerTakeAll
from neuroattn.vision.stimuli import (
    SearchTrial,
    score_trial,
    search_array,
    search_slope,
)

REFERENCE = WinnerTakeAll(method="euler", dt=0.002, save_dt=0.01)


@lru_cache(maxsize=1)
def _search_maps() -> np.ndarray:
    """Saliency maps (map level) of four search displays of different kinds and sizes."""
    pipe = Pipeline()
    displays = [("conjunction", 24, 7100), ("conjunction", 12, 7101), ("colour", 49, 7102)]
    displays.append(("orientation", 32, 7103))
    images = [search_array(k, n, seed=s).image for k, n, s in displays]
    return np.stack([pipe._bottom_up(im, -1, "image").saliency for im in images])


def _plateau(size: int, seed: int) -> np.ndarray:
    """A 30 × 40 map with a nearly flat square of ``size`` cells a side."""
    rng = np.random.default_rng(seed)
    m = 0.05 * rng.random((30, 40))
    m[5 : 5 + size, 5 : 5 + size] = 1 - 0.1 * rng.random((size, size))
    return m


def _onsets(wta: WinnerTakeAll, maps: np.ndarray, n: int) -> list[list[float]]:
    return [[f.onset for f in fixes] for fixes, _ in wta(maps, n_fixations=n)]


def test_first_onsets_are_within_2_percent_of_a_tight_reference():
    maps = _search_maps()
    ours = _onsets(WinnerTakeAll(), maps, 1)
    ref = _onsets(REFERENCE, maps, 1)
    for a, b in zip(ours, ref, strict=True):
        assert a[0] == pytest.approx(b[0], rel=0.02)


def test_the_former_default_euler_step_is_refused():
    # forward Euler at 0.25 τ made first onsets 4–10 % late (78.0 ms for 73.7 ms)
    with pytest.raises(ValueError, match=r"compete\.dt 0\.25 is too coarse for method 'euler'"):
        WinnerTakeAll(method="euler", dt=0.25)


def test_later_fixations_follow_the_reference():
    maps = _search_maps()[:2]
    ours = WinnerTakeAll()(maps, n_fixations=5)
    ref = REFERENCE(maps, n_fixations=5)
    for (fa, _), (fb, _) in zip(ours, ref, strict=True):
        assert [(round(f.x), round(f.y)) for f in fa] == [(round(f.x), round(f.y)) for f in fb]
        np.testing.assert_allclose([f.onset for f in fa], [f.onset for f in fb], rtol=0.02)


@pytest.mark.parametrize("size", [4, 8, 12])
def test_a_flat_plateau_is_as_accurate_as_a_peak(size):
    m = _plateau(size, seed=size)
    (ours,), _ = WinnerTakeAll()(m, n_fixations=1)[0]
    (ref,), _ = REFERENCE(m, n_fixations=1)[0]
    assert ours.onset == pytest.approx(ref.onset, rel=0.02)
    assert (round(ours.x), round(ours.y)) == (round(ref.x), round(ref.y))


@pytest.mark.parametrize(
    ("spread", "params"),
    [
        (1e-4, {}),  # a near tie of 64 units
        (0.01, {"beta": 2.0}),
        (0.3, {"alpha": 0.8, "threshold": 0.1, "rate_threshold": 2.0}),
    ],
)
def test_near_ties_and_other_parameters_follow_the_reference(spread, params):
    rng = np.random.default_rng(7500)
    m = 0.05 * rng.random((30, 40))
    m[5:13, 5:13] = 1 - spread * rng.random((8, 8))
    ours = WinnerTakeAll(**params)(m, n_fixations=2)[0][0]
    ref = WinnerTakeAll(method="euler", dt=0.002, save_dt=0.01, max_work=1e11, **params)
    ref_fixes = ref(m, n_fixations=2)[0][0]
    assert len(ours) == len(ref_fixes) >= 1
    assert [(round(f.x), round(f.y)) for f in ours] == [(round(f.x), round(f.y)) for f in ref_fixes]
    np.testing.assert_allclose([f.onset for f in ours], [f.onset for f in ref_fixes], rtol=0.02)


@lru_cache(maxsize=4)
def _conjunction_slope(method: str, dt: float) -> float:
    """ms/item of conjunction search, target present, set sizes 6 and 18."""
    pipe = Pipeline(compete=WinnerTakeAll(method=method, dt=dt))
    trials = []
    for n in (6, 18):
        arrays = [search_array("conjunction", n, seed=s) for s in range(7200, 7206)]
        results = pipe.attend([a.image for a in arrays], n_fixations=n)
        trials += [score_trial(a, r.fixations) for a, r in zip(arrays, results, strict=True)]
    fit = search_slope(trials)
    assert fit.n_misses == 0
    return fit.ms_per_item


def test_search_slopes_do_not_move_when_dt_halves():
    assert _conjunction_slope("rk4", 0.25) == pytest.approx(
        _conjunction_slope("rk4", 0.125), rel=0.03
    )


def test_search_slopes_of_the_exact_solution_and_of_rk4_agree():
    assert _conjunction_slope("auto", 0.25) == pytest.approx(
        _conjunction_slope("rk4", 0.125), rel=0.03
    )


@pytest.mark.parametrize("kind", ["conjunction", "colour"])
def test_inhibition_of_return_outlasts_a_32_item_scan(kind):
    # with IOR decaying over 2 s, 29–31 of 32 items were visited and old ones came back
    arrays = [search_array(kind, 32, target=False, seed=s) for s in (7300, 7301)]
    results = Pipeline().attend([a.image for a in arrays], n_fixations=36)
    for a, r in zip(arrays, results, strict=True):
        items = {int(np.argmin(((a.centres - [f.x, f.y]) ** 2).sum(1))) for f in r.fixations}
        assert len(items) == 32
        first = r.fixations[0]
        h, w = r.trace.ior.shape
        row, col = int(first.y * h / a.image.shape[0]), int(first.x * w / a.image.shape[1])
        assert r.trace.ior[row, col] > 0.8  # the first item is still inhibited at the end


def test_a_target_never_fixated_is_a_miss():
    array = search_array("conjunction", 24, seed=7400)
    result = Pipeline().attend(array.image, n_fixations=1)
    trial = score_trial(array, result.fixations)
    if trial.found:  # the first fixation happened to land on the target: take another item
        other = next(f for f in result.fixations)
        assert trial.outcome == "hit" and trial.rt_ms == other.onset
        return
    assert trial.outcome == "miss" and trial.n_fixations == 1


def test_slopes_leave_misses_out_and_count_them():
    trials = [
        SearchTrial(6, True, True, 2, 100.0),
        SearchTrial(6, True, False, 6, 900.0),  # a miss: its "absent" RT is not a search time
        SearchTrial(18, True, True, 5, 400.0),
    ]
    fit = search_slope(trials)
    assert fit.ms_per_item == pytest.approx(25.0) and fit.n_misses == 1 and fit.n_trials == 2
    assert [t.outcome for t in trials] == ["hit", "miss", "hit"]
    absent = SearchTrial(6, False, False, 6, 300.0)
    assert absent.outcome == "correct rejection"
    with pytest.raises(ValueError, match="target-present or the target-absent"):
        search_slope([*trials, absent])
    with pytest.raises(ValueError, match="two set sizes"):
        search_slope(trials[:2])
