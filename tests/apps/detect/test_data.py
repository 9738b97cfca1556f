"""Detection canvases: reproducible, drawn from disjoint source digits, boxes right."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("sklearn")

from neuroattn.apps.classify import source_digits, source_split
from neuroattn.apps.detect import digit_canvases


def test_same_seed_same_canvases_other_seed_others() -> None:
    a, b = digit_canvases(6, "dev", seed=4), digit_canvases(6, "dev", seed=4)
    c = digit_canvases(6, "dev", seed=5)
    assert np.array_equal(a.images, b.images)
    assert all(np.array_equal(x, y) for x, y in zip(a.boxes, b.boxes, strict=True))
    assert not np.array_equal(a.images, c.images)


def test_splits_draw_from_disjoint_pools() -> None:
    used = {}
    for split in ("train", "dev", "test"):
        data = digit_canvases(40, split, seed=1)
        used[split] = set(np.concatenate(data.sources).tolist())
        assert used[split] <= set(source_split(split).tolist())
    assert not used["train"] & used["dev"] and not used["train"] & used["test"]
    assert not used["dev"] & used["test"]


def test_boxes_hold_their_digit_and_do_not_overlap() -> None:
    data = digit_canvases(30, "test", size=80, digits=(2, 4), scales=(2, 3), seed=2)
    labels = source_digits(1)[1]
    for img, boxes, digits, sources in zip(
        data.images, data.boxes, data.labels, data.sources, strict=True
    ):
        assert 2 <= len(boxes) <= 4 and len(boxes) == len(digits) == len(sources)
        assert np.array_equal(digits, labels[sources])
        for (t, lf, b, r), src in zip(boxes, sources, strict=True):
            side = b - t
            assert side == r - lf and side in (16, 24) and 0 <= t and b <= 80 and r <= 80
            digit = source_digits(side // 8)[0][src]
            # pasted with the pixelwise maximum: the canvas is at least the digit there
            assert (img[t:b, lf:r] >= digit - 1e-7).all()
        for i in range(len(boxes)):
            for j in range(i):
                a, c = boxes[i], boxes[j]
                assert a[0] >= c[2] or a[2] <= c[0] or a[1] >= c[3] or a[3] <= c[1]


def test_clutter_only_adds_fragments_and_zero_clutter_leaves_the_background_blank() -> None:
    data = digit_canvases(5, "train", digits=(1, 1), clutter=0, seed=3)
    for img, (t, lf, b, r) in zip(data.images, [bx[0] for bx in data.boxes], strict=True):
        outside = img.copy()
        outside[t:b, lf:r] = 0
        assert outside.max() == 0
    assert digit_canvases(5, "train", clutter=20, seed=3).images.mean() > data.images.mean()


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"n": -1}, ValueError, "n must be"),
        ({"split": "val"}, ValueError, "split must be"),
        ({"size": 20}, ValueError, "size must be at least the largest digit's side"),
        ({"digits": (3, 2)}, ValueError, "digits[1] must be"),
        ({"digits": 3}, TypeError, "digits must be a pair"),
        ({"scales": ()}, TypeError, "scales must be a non-empty sequence"),
        ({"scales": (0,)}, ValueError, "scales must be"),
        ({"clutter": 1.5}, ValueError, "clutter must be"),
        ({"fragment": 30}, ValueError, "fragment must be"),
        ({"seed": -3}, ValueError, "seed"),
    ],
)
def test_bad_arguments_are_named(kwargs: dict, error: type, words: str) -> None:
    args = {"n": 2, **kwargs}
    n = args.pop("n")
    with pytest.raises(error, match=words.replace("[", r"\[").replace("]", r"\]")):
        digit_canvases(n, **args)
