"""Issue 10: quitting (Guided Search's activation threshold, adapted as Chun & Wolfe 1996),
the absolute drive of the competition, and the asymmetric (Weber) size contrast.

References are independent of the code under test: numpy's quantile, a simulated
weighted up-down staircase, the spatial field route of the competition (which multiplies
the scaled input exactly as the drive should), closed-form Weber contrasts. Held-out
displays only where displays are used (the constants were chosen on the tuning split).
"""

from types import SimpleNamespace

import numpy as np
import pytest

from neuroattn.vision import Pipeline, WinnerTakeAll
from neuroattn.vision._family import HELD_OUT
from neuroattn.vision._quitting import absolute_saliency, adapted_threshold, target_priority
from neuroattn.vision._size import size_contrast


def _spots(values, shape=(24, 24)):
    s = np.zeros(shape)
    for k, v in enumerate(values):
        s[3 + 6 * (k // 4), 3 + 6 * (k % 4)] = v
    return s


def test_defaults_leave_the_scanpath_unchanged_whatever_the_peak():
    s = _spots([1.0, 0.9, 0.8, 0.7, 0.6])
    plain = WinnerTakeAll()(s, n_fixations=5)[0][0]
    scaled = WinnerTakeAll()(s, n_fixations=5, peak=0.003)[0][0]
    assert [(f.x, f.y, f.onset) for f in plain] == [(f.x, f.y, f.onset) for f in scaled]


@pytest.mark.parametrize("peak", [0.01, 0.05, 0.2])
def test_the_drive_multiplies_the_scaled_input_by_one_plus_kappa_p(peak):
    # reference: the spatial field, which multiplies the first competition's scaled input
    s = _spots([1.0, 0.93, 0.5])
    kappa = 20.0
    driven = WinnerTakeAll(priority_drive=kappa)(s, n_fixations=1, peak=peak)[0][0][0]
    field = WinnerTakeAll()(s, n_fixations=1, field=np.full_like(s, 1 + kappa * peak))[0][0][0]
    assert driven.latency == pytest.approx(field.latency, rel=1e-9)
    base = WinnerTakeAll()(s, n_fixations=1)[0][0][0]
    assert driven.latency < base.latency  # a stronger absolute signal wins sooner


def test_the_scan_quits_when_nothing_left_exceeds_the_threshold():
    s = _spots([1.0, 0.95, 0.9, 0.85, 0.8, 0.75])  # absolute priorities: peak × these
    wta = WinnerTakeAll(quit_threshold=0.5)
    assert len(wta(s, n_fixations=6, peak=0.4)[0][0]) == 1  # none above: one look, then quit
    assert len(wta(s, n_fixations=6, peak=2.0)[0][0]) == 6  # all above: exhaustive
    # 0.5 / 0.6 = 0.833: the items at 1.0, 0.95, 0.9, 0.85 exceed it, 0.8 does not
    assert len(wta(s, n_fixations=6, peak=0.6)[0][0]) == 4


def test_adapted_threshold_is_the_quantile_and_the_staircase_steady_state():
    rng = np.random.default_rng(0)
    p = rng.lognormal(-4, 1, 400)
    assert adapted_threshold(p, miss_rate=0.1) == np.quantile(p, 0.1, method="lower")
    # Chun & Wolfe's staircase: half the trials have a target; miss -> down 1, correct
    # "absent" -> up 0.1: P(miss) = 0.1 at the steady state
    thr, track = 0.0, []
    down = 2e-3
    for _ in range(40000):
        if rng.random() < 0.5:
            if rng.choice(p) < thr:
                thr -= down
        else:
            thr += 0.1 * down
        track.append(thr)
    settled = np.mean(track[10000:])
    assert np.mean(p < settled) == pytest.approx(0.1, abs=0.03)
    assert adapted_threshold(p, miss_rate=0.1) == pytest.approx(settled, rel=0.25)


def test_target_priority_is_the_maximum_of_the_weighted_conspicuity_over_the_target():
    rng = np.random.default_rng(1)
    cons = {"a": rng.random((4, 4)), "b": rng.random((4, 4))}
    result = SimpleNamespace(conspicuity=cons, gain=np.full((4, 4), 2.0))
    mask = np.zeros((64, 64), bool)
    mask[20:28, 36:44] = True  # map cells (1, 2) only (16 px per cell)
    expected = 2.0 * (cons["a"][1, 2] + 3 * cons["b"][1, 2]) / 4
    assert target_priority(mask, result, weights={"b": 3.0}) == pytest.approx(expected)
    assert absolute_saliency(cons).shape == (4, 4)


@pytest.mark.parametrize("ratio", [1.5, 2.0, 2.56])
def test_weber_contrast_favours_presence_and_log_contrast_is_symmetric(ratio):
    def singleton(energy):
        e = np.zeros((32, 32), np.float32)
        where = np.zeros_like(e)
        for y in range(4, 32, 8):
            for x in range(4, 32, 8):
                e[y, x], where[y, x] = 1.0, 1.0
        e[12, 12] = energy
        return e, where

    def target_value(energy, contrast):
        maps = size_contrast(*singleton(energy), contrast=contrast)
        return maps[:, 11:14, 11:14].max(axis=(1, 2))  # (smaller, larger)

    small_w, large_w = target_value(1 / ratio, "weber")[0], target_value(ratio, "weber")[1]
    small_l, large_l = target_value(1 / ratio, "log")[0], target_value(ratio, "log")[1]
    assert large_l == pytest.approx(small_l, rel=0.1)
    # W = ratio − 1 against 1 − 1/ratio (the neighbourhood mean is nearly the distractors')
    assert large_w / small_w == pytest.approx(
        (1 - np.exp(-(ratio - 1))) / (1 - np.exp(-(1 - 1 / ratio))), rel=0.15
    )
    assert large_w > 1.3 * small_w


def test_a_larger_target_has_the_higher_absolute_priority_on_held_out_displays():
    pipe = Pipeline()

    def priorities(kind):
        arrays = HELD_OUT.sample(kind, 12, start=4000)
        results = pipe.attend([a.image for a in arrays], n_fixations=1)
        return [target_priority(a.target_mask, r) for a, r in zip(arrays, results, strict=True)]

    assert np.median(priorities("larger")) > 1.3 * np.median(priorities("smaller"))


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: adapted_threshold([]), ValueError),
        (lambda: adapted_threshold([0.1, -1.0]), ValueError),
        (lambda: adapted_threshold([0.1, np.nan]), ValueError),
        (lambda: adapted_threshold(["a"]), TypeError),
        (lambda: adapted_threshold([0.1], miss_rate=0), ValueError),
        (lambda: adapted_threshold([0.1], miss_rate=0.6), ValueError),
        (lambda: WinnerTakeAll(priority_drive=-1), ValueError),
        (lambda: WinnerTakeAll(quit_threshold=np.nan), ValueError),
        (lambda: WinnerTakeAll()(np.ones((4, 4)), peak=-1.0), ValueError),
        (lambda: WinnerTakeAll()(np.ones((4, 4)), peak=np.inf), ValueError),
        (lambda: size_contrast(np.ones((4, 4)), np.ones((4, 4)), contrast="linear"), ValueError),
        (lambda: target_priority(np.zeros((8, 8), bool), None), ValueError),
        (lambda: target_priority(np.ones((8, 8)), None), ValueError),
        (lambda: absolute_saliency({}), ValueError),
        (lambda: absolute_saliency({"a": np.ones((2, 2))}, {"a": -1.0}), ValueError),
    ],
)
def test_bad_inputs_say_what_is_wrong(call, error):
    with pytest.raises(error):
        call()
