"""Issue 10: the size contrast compares an item with the *other* items (``exclude``: the
(2r + 1)² cells around x left out of its expectation). The reference is the module
docstring's equation written out cell by cell in float64 with a Gaussian of its own."""

import numpy as np
import pytest

from neuroattn.vision._size import EXCLUDE, size_contrast


def _reference(energy, where, r, sigma=0.25, presence=0.5, eps=0.02):
    """S_smaller, S_larger by the equation, one cell at a time."""
    e = np.pad(energy.astype(np.float64), 1)
    h, w = energy.shape
    summed = sum(e[dy : dy + h, dx : dx + w] for dy in range(3) for dx in range(3))
    s = np.pad(summed, 1)
    pooled = np.max([s[dy : dy + h, dx : dx + w] for dy in range(3) for dx in range(3)], axis=0)
    loc = where.astype(np.float64)
    a = loc / (loc + presence * loc.max())
    m = np.log(pooled + eps * pooled.max())
    sd = sigma * w

    def g(n):  # row-normalised Gaussian along one axis
        k = np.exp(-((np.arange(n)[:, None] - np.arange(n)[None, :]) ** 2) / (2 * sd**2))
        return k / k.sum(axis=1, keepdims=True)

    gy, gx = g(h), g(w)
    mbar = np.empty_like(m)
    for i in range(h):
        for j in range(w):
            wgt = np.outer(gy[i], gx[j]) * a
            wgt[max(i - r, 0) : i + r + 1, max(j - r, 0) : j + r + 1] = 0
            mbar[i, j] = (wgt * m).sum() / wgt.sum() if wgt.sum() > 1e-6 else m[i, j]
    ratio = np.exp(m - mbar)
    return np.stack([a * (1 - np.exp(-np.maximum(1 - ratio, 0))),
                     a * (1 - np.exp(-np.maximum(ratio - 1, 0)))])  # fmt: skip


def _display(target_energy, step=6, size=30):
    """Point items every ``step`` cells, the one at (15, 15) the target; the presence
    covers each item's 5 × 5 cells, as the local contrast of a real item does."""
    e = np.zeros((size, size), np.float32)
    where = np.zeros_like(e)
    for y in range(3, size, step):
        for x in range(3, size, step):
            e[y, x] = 1.0
            where[y - 2 : y + 3, x - 2 : x + 3] = 1.0
    e[15, 15] = target_energy
    return e, where


@pytest.mark.parametrize("r", [0, 1, 2, 3])
@pytest.mark.parametrize("target", [0.4, 2.5])
def test_size_contrast_is_the_equation_with_the_item_left_out(r, target):
    energy, where = _display(target)
    rng = np.random.default_rng(r)
    energy = energy * rng.uniform(0.8, 1.2, energy.shape).astype(np.float32)
    got = size_contrast(energy, where, exclude=r)
    np.testing.assert_allclose(got, _reference(energy, where, r), rtol=2e-4, atol=2e-5)


@pytest.mark.parametrize("ratio", [1.7, 2.0])
def test_leaving_the_item_out_gives_the_weber_contrast_against_the_others(ratio):
    # the target's pooled energy is ratio × the distractors': once the item's own cells are
    # out of its expectation, Ē is the distractors' and W = ratio − 1 or 1 − 1/ratio (with
    # ε, and times the presence a = 1 / 1.5); with x alone left out the item's own spread
    # pulls Ē toward itself and both contrasts are weaker
    for energy, sign in ((ratio, 1), (1 / ratio, 0)):
        e, where = _display(energy)
        eps = 0.02 * max(energy, 1.0)
        w = abs((energy + eps) / (1 + eps) - 1)
        out = size_contrast(e, where, exclude=EXCLUDE)[sign, 15, 15]
        assert out == pytest.approx((1 - np.exp(-w)) / 1.5, rel=1e-3)
        assert size_contrast(e, where, exclude=0)[sign, 15, 15] < 0.95 * out
    assert EXCLUDE == 2


@pytest.mark.parametrize("bad", [-1, 1.5, "2", None, True, 101])
def test_a_bad_exclude_gets_one_clear_error(bad):
    with pytest.raises((ValueError, TypeError), match="exclude must be"):
        size_contrast(np.ones((4, 4)), np.ones((4, 4)), exclude=bad)
