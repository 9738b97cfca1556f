"""Stage 4: task specs, SNR-optimal and VOCUS gains, and how they act."""

import math

import numpy as np
import pytest

from neuroattn.vision import Encoder, FeatureExtractor, TopDown, combine, parse_target
from neuroattn.vision.feedback import (
    feature_profile,
    patch_profile,
    snr_gains,
    vocus_gains,
)
from neuroattn.vision.stimuli import search_array

EPS = 1e-3  # the regulariser of the SNR


@pytest.mark.parametrize(
    ("spec", "parsed"),
    [
        ("red", {"colour": "red"}),
        ("45", {"orientation": 45.0}),
        ("colour=Green, orientation=225", {"colour": "green", "orientation": 45.0}),
        ("color=blue,intensity=dark", {"colour": "blue", "intensity": "dark"}),
        ({"colour": "yellow", "orientation": 90}, {"colour": "yellow", "orientation": 90.0}),
    ],
)
def test_parse_target(spec, parsed):
    assert parse_target(spec) == parsed


@pytest.mark.parametrize(
    ("spec", "match"),
    [
        ("motion=left", "unknown feature 'motion'"),
        ("purple", "unknown feature 'purple'"),
        ("colour=purple", "unknown colour"),
        ("orientation=steep", "orientation must be a number"),
        ("", "names no feature"),
        ({"size": 3}, "unknown feature 'size'"),
    ],
)
def test_bad_targets(spec, match):
    with pytest.raises(ValueError, match=match):
        parse_target(spec)


def test_snr_gains_by_hand():
    # red: t = (1, 0, 0, 0); unknown distractors d = mean t = 1/4
    g = snr_gains(feature_profile({"colour": "red"}, (0, 45, 90, 135)))
    assert g["red"] == pytest.approx((1 + EPS) / (0.25 + EPS))
    assert g["green"] == pytest.approx(0.1)  # clipped at 1/max_gain
    # known distractors: half red, half green → d_red = d_green = 1/2
    g = snr_gains({"red": 1.0, "green": 0.0}, {"red": 0.5, "green": 0.5}, max_gain=100)
    snr = np.array([(1 + EPS) / (0.5 + EPS), EPS / (0.5 + EPS)])
    assert g["red"] == pytest.approx(snr[0] / snr.mean())


def test_orientation_gains_follow_the_tuning():
    g = snr_gains(feature_profile({"orientation": 45.0}, (0, 45, 90, 135)))
    assert g["orientation_45"] > g["orientation_0"] == pytest.approx(g["orientation_90"])
    assert g["orientation_135"] == pytest.approx(0.1)
    # cos⁴ tuning: t = (1/4, 1, 1/4, 0), d = 3/8 each
    assert g["orientation_45"] == pytest.approx((1 + EPS) / (0.375 + EPS) / 1.0, rel=0.01)


def test_patch_profile_reads_hue_and_orientation():
    patch = np.full((40, 40, 3), 128, np.uint8)
    patch[17:23, 4:36] = (230, 20, 20)  # a red horizontal bar
    prof = patch_profile(patch, (0, 45, 90, 135))
    assert max(("red", "green", "blue", "yellow"), key=prof.get) == "red"
    assert max((k for k in prof if k.startswith("orient")), key=prof.get) == "orientation_0"
    with pytest.raises(ValueError, match="neither a clear hue nor an orientation"):
        patch_profile(np.full((20, 20, 3), 90, np.uint8), (0, 90))


def _features(image):
    return FeatureExtractor()(Encoder()(image))


def test_vocus_ratio_from_examples():
    examples = []
    for seed in range(2):
        a = search_array("colour", 16, seed=seed)
        examples.append((_features(a.image), a.target_mask))
    g = vocus_gains(examples)
    assert g["red"] > 3 and g["green"] < 0.5
    # the ratio itself: mean in the target over mean outside, for one example
    feats, mask = examples[0]
    one = vocus_gains([(feats, mask)], max_gain=1e9)
    m = feats.contrast_maps["red"]
    import cv2

    small = cv2.resize(mask.astype(np.float32), m.shape[::-1], interpolation=cv2.INTER_AREA) > 0.25
    assert one["red"] == pytest.approx((m[small].mean() + EPS) / (m[~small].mean() + EPS))
    with pytest.raises(ValueError, match="must cover part"):
        vocus_gains([(feats, np.zeros_like(mask))])


def test_top_down_apply():
    a = search_array("conjunction", 16, seed=5, target_orientation=90, distractor_orientation=0)
    feats = _features(a.image)
    _, bu = combine(feats)
    td = TopDown()
    same, ones = td.apply(feats, bu, None)
    assert same is bu and (ones == 1).all()
    sal, gain = td.apply(feats, bu, td.task("colour=red,orientation=90"))
    cy, cx = (a.centres[a.target_index] / 16).astype(int)[::-1]
    assert gain[cy, cx] > 2 and np.median(gain) == pytest.approx(1.0, abs=0.2)
    assert sal.max() == pytest.approx(1.0) and sal[cy - 1 : cy + 2, cx - 1 : cx + 2].max() > 0.7


def test_top_down_checks():
    with pytest.raises(ValueError, match=r"feedback\.weight"):
        TopDown(weight=2)
    with pytest.raises(ValueError, match="example patch"):
        TopDown().task(np.full((2, 2), np.nan))
    assert math.isclose(TopDown().task("red").gains["red"], (1 + EPS) / (0.25 + EPS))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"max_gain": 0.5}, r"feedback\.max_gain must be a finite number >= 1"),
        ({"gain_strength": -1}, r"feedback\.gain_strength must be a finite number >= 0"),
        ({"weight": float("nan")}, r"feedback\.weight must be a finite number >= 0 and <= 1"),
    ],
)
def test_top_down_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        TopDown(**kwargs)
