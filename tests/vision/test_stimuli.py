"""Search arrays: reproducible, the target where the mask says, the features as asked."""

import numpy as np
import pytest

from neuroattn.vision.stimuli import KINDS, search_array


def test_seeded_and_reproducible():
    a, b = search_array("colour", seed=7), search_array("colour", seed=7)
    np.testing.assert_array_equal(a.image, b.image)
    assert not np.array_equal(a.image, search_array("colour", seed=8).image)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("n", [1, 5, 49])
def test_items_labels_and_target(kind, n):
    a = search_array(kind, n, seed=n, size=(300, 400))
    assert a.image.shape == (300, 400, 3) and a.image.dtype == np.uint8
    assert a.set_size == n and len(np.unique(a.labels)) == n + 1
    assert a.target_mask.any() and (a.labels[a.target_mask] == a.target_index + 1).all()
    assert ((a.centres >= 0) & (a.centres < [400, 300])).all()


def _colour_at(a, i):
    ys, xs = np.nonzero(a.labels == i + 1)
    return a.image[int(np.median(ys)), int(np.median(xs))]


def test_colour_singleton_colours():
    a = search_array("colour", 9, seed=1)
    for i in range(9):
        expected = (255, 0, 0) if i == a.target_index else (0, 255, 0)
        np.testing.assert_array_equal(_colour_at(a, i), expected)


def test_size_singleton_is_larger():
    a = search_array("size", 12, seed=3)
    areas = np.bincount(a.labels.ravel())[1:]
    assert areas.argmax() == a.target_index
    assert areas[a.target_index] / np.median(areas) == pytest.approx(1.6**2, rel=0.15)


def test_conjunction_shares_each_feature_with_half_the_distractors():
    a = search_array("conjunction", 21, seed=4)
    red = [i for i in range(21) if tuple(_colour_at(a, i)) == (255, 0, 0)]
    assert a.target_index in red and len(red) - 1 == 10  # 20 distractors: 10 red


def test_target_absent():
    a = search_array("orientation", 10, target=False, seed=2)
    assert a.target_index is None and not a.target_mask.any()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"kind": "motion"}, "kind must be one of"),
        ({"set_size": 0}, "set_size"),
        ({"set_size": 50}, "does not fit"),
        ({"size": (20, 100)}, "at least 32"),
        ({"jitter": 2}, "jitter"),
        ({"target_colour": (1, 2)}, "three non-negative"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        search_array(**kwargs)
