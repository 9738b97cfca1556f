"""Visual search with the whole pipeline: pop-out, set-size effects, top-down guidance.

Published behaviour (design brief §4): feature singletons pop out (Itti & Koch's
implementation finds colour, orientation and size singletons at the first fixation in
about 80 %, 70 % and 47 % of odd-one-out arrays — we require 95 %); feature search is flat
in set size, conjunction search is not (Treisman & Gelade 1980); a known target guides
search (Wolfe 1998; Navalpakkam & Itti 2007). Seeds here are not the ones the defaults
were chosen on.
"""

import math

import numpy as np
import pytest

from neuroattn.vision import Pipeline, attend
from neuroattn.vision.stimuli import score_trial, search_array, search_slope

from .conftest import on_target

SEEDS = range(1000, 1040)


def _ftf(array, fixations, cap):
    """Fixations to find the target (nearest item is the target); ``cap`` when missed."""
    for k, f in enumerate(fixations, start=1):
        if on_target(array, f):
            return k
    return cap


@pytest.mark.parametrize("kind", ["colour", "orientation", "size"])
def test_feature_singletons_are_found_at_the_first_fixation(kind):
    arrays = [search_array(kind, 49, seed=s) for s in SEEDS]
    results = attend([a.image for a in arrays], n_fixations=1)
    hits = [
        bool(r.fixations) and on_target(a, r.fixations[0])
        for a, r in zip(arrays, results, strict=True)
    ]
    assert np.mean(hits) >= 0.95, f"{kind}: {np.mean(hits):.0%} at the first fixation"


def _mean_ftf(kind, n, seeds, task=None, **kw):
    arrays = [search_array(kind, n, seed=s, **kw) for s in seeds]
    results = attend([a.image for a in arrays], task=task, n_fixations=n)
    return float(
        np.mean([_ftf(a, r.fixations, n + 1) for a, r in zip(arrays, results, strict=True)])
    )


def test_feature_search_is_flat_and_conjunction_search_is_not():
    seeds = range(2000, 2016)
    feature = {n: _mean_ftf("colour", n, seeds) for n in (6, 24)}
    conjunction = {n: _mean_ftf("conjunction", n, seeds) for n in (6, 24)}
    assert feature[6] <= 1.2 and feature[24] <= 1.2
    assert conjunction[6] > 1.5  # no pop-out even among few items
    assert conjunction[24] > 2 * conjunction[6]


def test_a_known_target_guides_conjunction_search():
    seeds = range(3000, 3016)
    kw = {"target_orientation": 90.0, "distractor_orientation": 0.0}
    free = _mean_ftf("conjunction", 24, seeds, **kw)
    guided = _mean_ftf("conjunction", 24, seeds, task="colour=red,orientation=90", **kw)
    assert guided < 0.4 * free


def test_a_learned_task_guides_search_too():
    kw = {"target_orientation": 90.0, "distractor_orientation": 0.0}
    train = [search_array("conjunction", 24, seed=s, **kw) for s in (1, 2, 3)]
    task = Pipeline().learn_task([a.image for a in train], [a.target_mask for a in train])
    assert task.gains["red"] > 1 and task.gains["green"] < 1
    seeds = range(4000, 4012)
    assert _mean_ftf("conjunction", 24, seeds, task=task, **kw) < 0.5 * _mean_ftf(
        "conjunction", 24, seeds, **kw
    )


def test_successive_fixations_land_on_different_items():
    arrays = [search_array("conjunction", 24, seed=s) for s in range(5000, 5006)]
    for a, r in zip(arrays, attend([a.image for a in arrays], n_fixations=10), strict=True):
        items = [np.argmin(((a.centres - [f.x, f.y]) ** 2).sum(1)) for f in r.fixations]
        assert len(items) == 10 and len(set(items)) >= 9
        assert np.all(np.diff([f.onset for f in r.fixations]) > 0)


def _rt_slope(kind: str, present: bool, seeds: range, **display) -> float:
    """ms per item of the simulated RT between set sizes 6 and 24, over the correct
    trials (a target never fixated is a miss: left out of the fit, and rare)."""
    trials = []
    for n in (6, 24):
        arrays = [search_array(kind, n, target=present, seed=s, **display) for s in seeds]
        res = attend([a.image for a in arrays], n_fixations=n)
        trials += [score_trial(a, r.fixations) for a, r in zip(arrays, res, strict=True)]
    fit = search_slope(trials)
    assert fit.n_misses <= 0.1 * len(trials), f"{fit.n_misses} of {len(trials)} missed"
    return fit.ms_per_item


def test_search_slopes_match_the_published_ones():
    # feature search nearly flat; conjunction 20–30 ms/item with the target present and
    # about twice that without (Treisman & Gelade 1980; Wolfe 1998). tau_ms was
    # calibrated on seeds 20000–20031 of the default display, not these
    seeds = range(6000, 6012)
    assert abs(_rt_slope("colour", True, seeds)) < 5
    present = _rt_slope("conjunction", True, seeds)
    absent = _rt_slope("conjunction", False, seeds)
    assert 15 < present < 40
    assert 1.5 < absent / present < 3
    assert math.isfinite(absent)


def test_search_slopes_hold_on_displays_drawn_differently():
    # other colours (blue among yellow), thinner bars, a 640 × 480 display on a 6 × 8 grid
    display = {
        "target_colour": (0.0, 0.0, 1.0),
        "distractor_colour": (1.0, 1.0, 0.0),
        "aspect": 0.15,
        "size": (480, 640),
        "grid": (6, 8),
    }
    seeds = range(6100, 6112)
    present = _rt_slope("conjunction", True, seeds, **display)
    absent = _rt_slope("conjunction", False, seeds, **display)
    assert 15 < present < 40
    assert 1.5 < absent / present < 3
