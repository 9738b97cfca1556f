"""The search-display family (vision._family): reproducible, the split as documented, and
clear errors."""

import numpy as np
import pytest

from neuroattn.vision._family import FAMILY_KINDS, HELD_OUT, TUNING, family
from neuroattn.vision.stimuli import search_array


def _inside(value, ranges):
    return any(lo <= value <= hi for lo, hi in ranges)


def test_the_splits_share_no_seed_and_the_documented_ranges_do_not_overlap():
    assert TUNING.first_seed + 10**7 + 100_000 <= HELD_OUT.first_seed
    for field in ("aspects", "item_lengths", "larger", "orientation_differences"):
        for lo, hi in getattr(HELD_OUT, field):
            for tlo, thi in getattr(TUNING, field):
                assert hi <= tlo or lo >= thi, field  # touching at an end at most
    hues = [h % 360 for h in range(0, 360, 5)]
    assert not any(
        _inside(h, TUNING.target_hues) and _inside(h, HELD_OUT.target_hues)
        for h in [h + 2.5 for h in hues]
    )
    assert family("tuning") is TUNING and family() is HELD_OUT


@pytest.mark.parametrize("kind", FAMILY_KINDS)
def test_displays_are_reproducible_and_hold_their_target(kind):
    a, b = HELD_OUT.draw(kind, HELD_OUT.first_seed), HELD_OUT.draw(kind, HELD_OUT.first_seed)
    np.testing.assert_array_equal(a.image, b.image)
    assert a.set_size in HELD_OUT.set_sizes and a.target_mask.any()
    assert a.image.shape == (*HELD_OUT.size, 3)


def _areas(a):
    return np.bincount(a.labels.ravel())[1:]


@pytest.mark.parametrize(("kind", "larger"), [("larger", True), ("smaller", False)])
def test_size_singletons_are_larger_or_smaller(kind, larger):
    for a in TUNING.sample(kind, 5, set_size=9) + HELD_OUT.sample(kind, 5, set_size=9):
        areas = _areas(a)
        others = np.delete(areas, a.target_index)
        if larger:
            assert areas[a.target_index] > 1.3 * others.max()
        else:
            assert areas[a.target_index] < 0.75 * others.min()


def test_held_out_parameters_lie_outside_the_tuning_ranges():
    rng = np.random.default_rng(0)
    for _ in range(50):
        p = HELD_OUT.parameters("smaller", rng)
        assert not _inside(p["aspect"], TUNING.aspects)
        assert not _inside(p["size_ratio"], TUNING.smaller)
        grey = p["background"][0]
        assert _inside(grey, HELD_OUT.backgrounds)


def test_search_array_kinds_larger_and_smaller():
    big = search_array("larger", 9, seed=1, size_ratio=1.5)
    small = search_array("smaller", 9, seed=1, size_ratio=1.5)
    assert _areas(big)[big.target_index] == _areas(big).max()
    assert _areas(small)[small.target_index] == _areas(small).min()


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: HELD_OUT.draw("size", 1), "kind must be one of"),
        (lambda: HELD_OUT.draw("colour", -1), "seed"),
        (lambda: HELD_OUT.draw("colour", 1.5), "seed"),
        (lambda: HELD_OUT.sample("colour", -2), "count"),
        (lambda: HELD_OUT.sample("colour", 10**9), "count"),
        (lambda: family("test"), "split must be one of"),
        (lambda: HELD_OUT.draw("colour", 1, set_size=50), "does not fit"),
    ],
)
def test_bad_inputs(call, match):
    with pytest.raises(ValueError, match=match):
        call()
