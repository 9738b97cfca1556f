"""The closed loop: stage 4's attention field re-entering stage 1 (issue 9).

Displays here are drawn by hand (cv2 rectangles on a grey background), not by
``search_array``, and none of the loop's constants was chosen on them.
"""

import dataclasses
import itertools
import re

import cv2
import numpy as np
import pytest

from neuroattn.dynamics import attention_normalization
from neuroattn.vision import (
    AttentionField,
    LoopState,
    Modulator,
    Pipeline,
    Spot,
    TopDown,
    modulate,
)

SIZE = (160, 240)  # (H, W)


def _display(items, *, background=110, size=SIZE):
    """RGB uint8 image with filled bars: items = [(x, y, w, h, (r, g, b)), …]."""
    img = np.full((*size, 3), background, np.uint8)
    for x, y, w, h, colour in items:
        cv2.rectangle(img, (x - w // 2, y - h // 2), (x + w // 2, y + h // 2), colour, -1)
    return img


PAIR = _display([(60, 80, 10, 30, (230, 230, 230)), (180, 80, 10, 30, (230, 230, 230))])


def _loop(**kwargs) -> Pipeline:
    return Pipeline(feedback=TopDown(**kwargs))


def _encoding(image):
    p = Pipeline()
    return p.encode(image.astype(np.float32) / 255)


def test_a_flat_field_is_the_bottom_up_encoding():
    enc = _encoding(PAIR)
    assert modulate(enc, AttentionField()) is enc
    assert modulate(enc, AttentionField((Spot(60, 80, peak=1.0),), {"red": 1.0})) is enc


def test_a_field_of_ones_computed_through_the_normalisation_changes_nothing():
    """A = 1 run through the pools (a vanishing spot, not short-circuited) is E."""
    enc = _encoding(PAIR)
    field = AttentionField((Spot(60, 80, peak=1.0 + 1e-9),))
    assert not field.flat
    out = Modulator(enc)(field)
    for name, pyr in enc.channels.items():
        for a, b in zip(pyr.levels, out.channels[name].levels, strict=True):
            np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)


def test_the_closed_loop_with_a_field_peak_of_one_is_the_open_loop():
    """With A = 1 (peak 1) the loop reproduces today's bottom-up scanpath and maps (to
    float32 rounding: OpenCV's first filter call in a process differs by ~1e-10)."""
    img = _display([(40 + 40 * k, 40 + 30 * (k % 3), 8, 24, (200, 60, 60)) for k in range(5)])
    open_ = Pipeline().attend(img, n_fixations=4)
    flat = _loop(loop=True, field_peak=1.0).attend(img, n_fixations=4)
    assert len(flat.fixations) == len(open_.fixations) == 4
    for a, b in zip(flat.fixations, open_.fixations, strict=True):
        assert (a.x, a.y, a.onset) == pytest.approx((b.x, b.y, b.onset), rel=1e-6)
    np.testing.assert_allclose(flat.saliency_map, open_.saliency_map, rtol=1e-5, atol=1e-7)


def test_a_narrow_spot_is_response_gain_in_encoding():
    """A spot narrower than the pool multiplies the attended drive by about its peak:
    the ratio A(S₁+σ)/(S_A+σ) of the normalisation model, checked against the shared
    attention_normalization on the same drive (R_A / R_1 at the attended item)."""
    enc = _encoding(PAIR)
    name = "orientation_90"
    spot = Spot(60, 80, width=0.03, peak=2.0)
    out = Modulator(enc, pool_width=0.3)(AttentionField((spot,)))
    level = 3
    before, after = enc.channels[name][level], out.channels[name][level]
    h, w = before.shape
    row, col = int(80 / SIZE[0] * h), int(60 / SIZE[1] * w)
    attended = after[row, col] / before[row, col]
    other = after[row, int(180 / SIZE[1] * w)] / before[row, int(180 / SIZE[1] * w)]
    assert 1.5 < attended <= 2.0 + 1e-6
    assert 0.8 < other <= 1.0 + 1e-6
    # the same number from the normalisation model itself, on the whole level (the
    # encoder computes its pools at a coarser level and interpolates them)
    names = [n for n in enc.channels if n.startswith("orientation")]
    e = np.abs(np.stack([enc.channels[n][level] for n in names]))  # (F, h, w)
    ys, xs = ((np.arange(m) + 0.5) * side / m for m, side in zip((h, w), SIZE, strict=True))
    sd = 0.03 * max(SIZE)
    a = 1 + np.exp(-((ys[:, None] - 80) ** 2 + (xs[None] - 60) ** 2) / (2 * sd**2))
    px = 0.3 * max(SIZE) / 2**level
    pool = (np.inf, px, px)
    r_a = attention_normalization(e, a[None], pool=pool, sigma=1e-3, boundary="reflect")
    r_1 = attention_normalization(e, pool=pool, sigma=1e-3, boundary="reflect")
    k = names.index(name)
    assert r_a[k, row, col] / r_1[k, row, col] == pytest.approx(attended, rel=0.1)


def _posner(target_left: bool) -> np.ndarray:
    """Two identical placeholder boxes (Posner 1980) and a small target in one of them."""
    img = np.full((128, 256, 3), 100, np.uint8)
    for x in (64, 192):
        cv2.rectangle(img, (x - 14, 50), (x + 14, 78), (200, 200, 200), 2)
    x = 64 if target_left else 192
    cv2.rectangle(img, (x - 4, 60), (x + 4, 68), (240, 240, 240), -1)
    return img


@pytest.mark.parametrize("target_left", [True, False])
def test_a_spatial_cue_speeds_the_cued_location_and_slows_the_other(target_left):
    """Posner cueing with placeholders: a cue at the target's box (valid) makes it win
    sooner than no cue; a cue at the other box (invalid) makes it win later."""
    p = Pipeline()
    img = _posner(target_left)
    x_target, x_other = (64, 192) if target_left else (192, 64)

    def time_to(result):
        return next((f.onset for f in result.fixations if abs(f.x - x_target) < 20), np.inf)

    none = time_to(p.attend(img, n_fixations=2))
    valid = time_to(p.attend(img, n_fixations=2, cue=(x_target, 64)))
    invalid = time_to(p.attend(img, n_fixations=2, cue=(x_other, 64)))
    assert valid < 0.7 * none
    assert invalid > 1.3 * none
    assert np.isfinite(invalid)


POSITIONS = [(40, 40), (120, 40), (200, 40), (40, 120), (120, 120), (200, 120)]


def _singleton(colour_t, colour_d, pos, seed):
    """A colour singleton among five distractors and the target's mask."""
    rng = np.random.default_rng(seed)
    items, mask = [], np.zeros(SIZE, bool)
    for k, (x, y) in enumerate(POSITIONS):
        jx, jy = rng.integers(-6, 7, 2)
        items.append((x + jx, y + jy, 12, 12, colour_t if k == pos else colour_d))
        if k == pos:
            mask[y + jy - 6 : y + jy + 7, x + jx - 6 : x + jx + 7] = True
    return _display(items, background=int(rng.integers(60, 140))), mask


RED, GREEN = (220, 40, 40), (40, 200, 40)


def _probe_latency(p, displays):
    """Latency of the first fixation in the last trial (the probe), which must be on it."""
    images, masks = zip(*displays, strict=True)
    trials = p.run_trials(list(images), targets=list(masks))
    last = trials.results[-1].fixations[0]
    assert masks[-1][int(last.y), int(last.x)] or abs(last.x - 120) < 20
    return last.latency, trials


def test_repeating_the_target_colour_primes_and_switching_it_costs():
    """Priming of pop-out (Maljkovic & Nakayama 1994): after a run of red targets among
    green, a red target among green is found sooner than with no history; after a run
    of green targets among red (a switch), later."""
    p = Pipeline()
    probe = _singleton(RED, GREEN, 4, 99)
    repeat = [_singleton(RED, GREEN, k % 6, 10 + k) for k in range(4)]
    switch = [_singleton(GREEN, RED, k % 6, 20 + k) for k in range(4)]
    primed, trials = _probe_latency(p, [*repeat, probe])
    switched, switched_trials = _probe_latency(p, [*switch, probe])
    alone, _ = _probe_latency(p, [probe])
    assert primed < 0.9 * alone
    assert switched > 1.1 * alone
    before = trials.states[-1].history  # the history the probe met
    assert before["red"] > 1 > before["green"]
    assert (
        switched_trials.states[-1].history["green"] > 1 > switched_trials.states[-1].history["red"]
    )
    assert trials.states[0] == LoopState() and trials.state.trials == 5


def test_history_decays_without_targets():
    p = Pipeline()
    run = [_singleton(RED, GREEN, k % 6, 30 + k) for k in range(3)]
    primed = p.run_trials([im for im, _ in run], targets=[m for _, m in run])
    blank = _display([])
    later = p.run_trials([blank] * 4, targets=[np.zeros(SIZE, bool)] * 4, state=primed.state)
    gains = [s.history.get("red", 1.0) for s in (*later.states, later.state)]
    assert all(a > b for a, b in itertools.pairwise(gains))
    assert gains[-1] == pytest.approx(1 + (gains[0] - 1) * 0.6**4, rel=0.2)


def test_a_target_mask_decides_what_is_primed():
    p = Pipeline()
    img, _ = _singleton(RED, GREEN, 0, 5)
    mask = np.zeros(SIZE, bool)
    mask[120 - 6 : 120 + 7, 120 - 6 : 120 + 7] = True  # a green distractor
    trials = p.run_trials([img], targets=[mask])
    assert trials.state.history["green"] > 1 > trials.state.history["red"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"cues": [(1, 2)]}, "cues: 1 given for 2 images"),
        ({"targets": [None]}, "targets: 1 given for 2 images"),
        ({"targets": [np.zeros((3, 3), bool), None]}, "targets[0]: shape"),
        ({"state": {"red": 2.0}}, "state must be a LoopState"),
        ({"cues": ["left", None]}, "cue must be (x, y)"),
        ({"cues": [(np.nan, 3), None]}, "cue must be (x, y)"),
    ],
)
def test_run_trials_bad_inputs(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=re.escape(message)):
        Pipeline().run_trials([PAIR, PAIR], **kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"field_peak": 0.5},
        {"field_width": 0},
        {"pool_width": -1},
        {"history_decay": 1.5},
        {"history_boost": float("nan")},
    ],
)
def test_bad_field_settings(kwargs):
    with pytest.raises(ValueError, match=r"feedback\."):
        TopDown(**kwargs)


def test_bad_spots_and_gains():
    with pytest.raises(ValueError, match="spot width"):
        Spot(1, 2, width=0)
    with pytest.raises(ValueError, match="spot x"):
        Spot(float("inf"), 2)
    with pytest.raises(ValueError, match="attention gain of 'red'"):
        AttentionField(gains={"red": -1.0})


def test_the_loop_state_is_carried_into_attend():
    p = Pipeline()
    state = LoopState({"red": 2.0, "green": 0.5})
    img = _display([(60, 80, 12, 12, GREEN), (180, 80, 12, 12, RED)])
    plain = p.attend(img, n_fixations=1)
    primed = p.attend(img, n_fixations=1, state=state)
    assert primed.fixations[0].x == pytest.approx(180, abs=15)
    assert primed.fixations[0].latency <= plain.fixations[0].latency


def test_the_loop_is_configurable_from_toml():
    from neuroattn.vision import config_from_toml

    cfg = config_from_toml("[feedback]\nloop = true\nfield_peak = 3.0\n")
    assert cfg.feedback.loop and cfg.feedback.field_peak == 3.0
    pipe = Pipeline.from_config(cfg)
    res = pipe.attend(PAIR, n_fixations=2)
    assert len(res.fixations) == 2
    assert dataclasses.replace(cfg.feedback, loop=False).loop is False


def test_a_channels_first_image_is_plotted_channels_last():
    """``channel_axis=0``: the result's image (for plots) has its colour axis last."""
    img = _display([(60, 80, 10, 30, (230, 30, 30))])
    result = Pipeline().attend(np.moveaxis(img, -1, 0), n_fixations=1, channel_axis=0)
    np.testing.assert_array_equal(result.image, img)
    assert result.plot("scanpath") is not None


def _revisits(result, display) -> int:
    seen, again = set(), 0
    for f in result.fixations:
        item = int(np.argmin(np.hypot(*(display.centres - (f.x, f.y)).T)))
        again += item in seen
        seen.add(item)
    return again


def test_the_loop_scans_a_search_display_without_creeping():
    """Within-trial loop on held-out conjunction displays (constants chosen on the tuning
    split): no more revisits than the open loop, every fixation on an item, target found."""
    from neuroattn.vision._family import family

    displays = family("held-out").sample("conjunction", 3, set_size=9, start=30000)
    closed = Pipeline(feedback=TopDown(loop=True))
    for d in displays:
        a, b = Pipeline().attend(d.image, n_fixations=9), closed.attend(d.image, n_fixations=9)
        assert _revisits(b, d) <= _revisits(a, d) + 1
        near = [np.hypot(*(d.centres - (f.x, f.y)).T).min() for f in b.fixations]
        assert max(near) < 0.8 * d.item_length  # on a bar (its half-length is 0.5)
        assert d.target_mask[[int(f.y) for f in b.fixations], [int(f.x) for f in b.fixations]].any()
