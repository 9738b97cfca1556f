"""Cluttered digits: reproducible, disjoint pools, the digit where the box says, clutter
from other digits of the same pool, bad arguments refused."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("sklearn")

from scipy.ndimage import zoom
from sklearn.datasets import load_digits

from neuroattn.apps.classify import SPLITS, cluttered_digits, source_digits, source_split


def test_same_seed_same_canvases_other_seed_other_canvases() -> None:
    a, b = cluttered_digits(20, seed=3), cluttered_digits(20, seed=3)
    c = cluttered_digits(20, seed=4)
    np.testing.assert_array_equal(a.images, b.images)
    np.testing.assert_array_equal(a.labels, b.labels)
    assert not np.array_equal(a.images, c.images)
    gen = cluttered_digits(20, seed=np.random.default_rng(3))
    np.testing.assert_array_equal(gen.images, a.images)


def test_pools_are_disjoint_stratified_and_cover_every_digit() -> None:
    pools = {s: source_split(s) for s in SPLITS}
    labels = load_digits().target
    assert sum(p.size for p in pools.values()) == labels.size
    assert np.unique(np.concatenate(list(pools.values()))).size == labels.size
    for s, frac in zip(SPLITS, (0.6, 0.1, 0.3), strict=True):
        counts = np.bincount(labels[pools[s]], minlength=10)
        assert np.all(np.abs(counts - frac * np.bincount(labels)) <= 1)
    other = source_split("test", split_seed=1)
    assert not np.array_equal(other, pools["test"])


def test_canvases_draw_only_on_their_own_pool() -> None:
    for split in SPLITS:
        data = cluttered_digits(300, split, seed=0)
        assert np.isin(data.sources, source_split(split)).all()
    test = cluttered_digits(300, "test", seed=0)
    assert not np.isin(test.sources, source_split("train")).any()


def test_digit_sits_in_its_box_and_clutter_is_elsewhere() -> None:
    raw = load_digits()
    data = cluttered_digits(50, "dev", clutter=0, seed=1)
    for img, box, src, label in zip(data.images, data.boxes, data.sources, data.labels,
                                    strict=True):  # fmt: skip
        top, left, bottom, right = box
        expected = np.clip(zoom(raw.images[src] / 16.0, 3, order=1, grid_mode=False), 0, 1)
        np.testing.assert_allclose(img[0, top:bottom, left:right], expected, atol=1e-6)
        outside = img[0].copy()
        outside[top:bottom, left:right] = 0
        assert outside.max() == 0
        assert label == raw.target[src]
    cluttered = cluttered_digits(50, "dev", clutter=6, seed=1)
    same = cluttered_digits(50, "dev", clutter=0, seed=1)
    # the same digits at the same places; clutter only adds ink (pixelwise maximum)
    np.testing.assert_array_equal(cluttered.boxes, same.boxes)
    assert (cluttered.images >= same.images).all() and cluttered.images.max() <= 1
    assert ((cluttered.images > same.images).sum(axis=(1, 2, 3)) > 0).all()


def test_fragments_come_from_other_digits() -> None:
    # with one fragment the size of the digit, every fragment is a whole other digit
    data = cluttered_digits(40, "train", clutter=1, fragment=24, size=24, seed=2)
    images = source_digits(3)[0]
    for img, src in zip(data.images, data.sources, strict=True):
        own = images[src]
        assert np.all(img[0] >= own - 1e-7)
        assert not np.allclose(img[0], own)  # some other digit's ink was added


def test_shapes_dtypes_and_ranges() -> None:
    data = cluttered_digits(7, "test", size=40, scale=2, clutter=3, fragment=5, seed=0)
    assert data.images.shape == (7, 1, 40, 40) and data.images.dtype == np.float32
    assert data.labels.shape == (7,) and data.labels.dtype == np.int64
    assert data.boxes.shape == (7, 4) and len(data) == 7
    assert np.all(data.boxes[:, 2:] - data.boxes[:, :2] == 16)
    assert 0.0 <= data.images.min() and data.images.max() <= 1.0
    assert len(cluttered_digits(0)) == 0


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"n": -1}, ValueError, "n must be"),
        ({"n": 2.5}, ValueError, "n must be"),
        ({"n": 2, "split": "val"}, ValueError, "split must be"),
        ({"n": 2, "size": 20}, ValueError, "size must be"),
        ({"n": 2, "scale": 0}, ValueError, "scale must be"),
        ({"n": 2, "fragment": 30}, ValueError, "fragment must be"),
        ({"n": 2, "clutter": -1}, ValueError, "clutter must be"),
        ({"n": 2, "seed": -3}, ValueError, "seed must be"),
        ({"n": 2, "seed": "x"}, TypeError, "seed must be"),
        ({"n": 2, "split_seed": -1}, ValueError, "split_seed must be"),
    ],
)
def test_bad_arguments(kwargs: dict, error: type, words: str) -> None:
    with pytest.raises(error, match=words):
        cluttered_digits(**kwargs)
