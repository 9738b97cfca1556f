"""preset="itti1998": the published model of Itti, Koch & Niebur (1998).

The preset's settings are checked against a table of the paper's values, its saliency map
against the paper's equations written out here, and its behaviour on pop-out displays
drawn here (not the project's own ``search_array``, on which the defaults were chosen).
"""

import dataclasses

import cv2
import numpy as np
import pytest
from skimage import data

from neuroattn.vision import (
    FeatureExtractor,
    Pipeline,
    VisionConfig,
    attend,
    centre_surround,
    config_from_toml,
    saliency,
    search_array,
)
from neuroattn.vision._presets import PRESETS, preset_stages
from neuroattn.vision.features import combine, maxnorm

# Itti, Koch & Niebur (1998), section 2
PAPER = {
    "orientations": (0.0, 45.0, 90.0, 135.0),
    "levels": 8,  # dyadic pyramids, scales 0..8
    "colour_level": 0,  # r, g, b normalised by I on the image itself
    "colour_threshold": 0.1,  # hue only where I > max(I) / 10
    "colour": True,
    "centres": (2, 3, 4),
    "deltas": (3, 4),
    "split_polarity": False,  # |F|
    "normalization": "maxnorm",  # N(·): [0, M], times (M − m̄)²
    "channel_normalization": "orientation",  # Ō = Σ_θ N(⊕ N(O(c, s, θ)))
    "map_level": 4,  # conspicuity and saliency maps at scale 4
    "min_contrast": 0.0,  # no noise floor
}
CHANNELS = 1 + 2 + 4  # I; RG, BY; four orientations


def same(a, b):
    """Equal up to float32 rounding (numpy's SIMD sums differ in the last bit between runs)."""
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


def test_the_presets_settings_are_the_papers():
    stages = preset_stages("itti1998")
    for name, value in PAPER.items():
        stage = stages.encode if hasattr(stages.encode, name) else stages.features
        assert getattr(stage, name) == value, name
    assert dict(stages.weights) == {"intensity": 1.0, "colour": 1.0, "orientation": 1.0}
    # 42 feature maps: 6 intensity, 12 colour, 24 orientation
    f = stages.features(stages.encode(data.astronaut()))
    assert len(f.feature_maps) == CHANNELS
    assert len(f.feature_maps) * len(PAPER["centres"]) * len(PAPER["deltas"]) == 42
    assert VisionConfig.from_preset("itti1998") == VisionConfig(
        encode=stages.encode, features=stages.features, weights=stages.weights
    )


def _paper_saliency(image):
    """S = (N(Ī) + N(C̄) + N(Ō)) / 3 from the paper's equations (1998, eqs. 1-8)."""
    stages = preset_stages("itti1998")
    enc = stages.encode(image)
    shape = enc.channels["intensity"][4].shape[:2]

    def n_each(name):  # N(X(c, s)) for the six (c, s) pairs
        diffs = np.abs(centre_surround(enc.channels[name], (2, 3, 4), (3, 4), out_shape=shape))
        return [maxnorm(d, min_peak=0.1) for d in diffs]

    i_bar = sum(n_each("intensity"))
    c_bar = sum(a + b for a, b in zip(n_each("rg"), n_each("by"), strict=True))
    o_bar = sum(
        maxnorm(sum(n_each(f"orientation_{t:g}")), min_peak=0.1) for t in PAPER["orientations"]
    )
    s = (maxnorm(i_bar) + maxnorm(c_bar) + maxnorm(o_bar)) / 3
    return s / s.max()


def _popout(kind, seed, n=6, size=384):
    """A grid of n × n items on grey with one singleton; its cell as (y0, x0, side)."""
    rng = np.random.default_rng(seed)
    img = np.full((size, size, 3), 128, np.uint8)
    cell = size // n
    target = int(rng.integers(n * n))
    for k in range(n * n):
        cy = (k // n) * cell + cell // 2 + int(rng.integers(-cell // 8, cell // 8 + 1))
        cx = (k % n) * cell + cell // 2 + int(rng.integers(-cell // 8, cell // 8 + 1))
        odd = k == target
        if kind == "orientation":  # a tilted bar among vertical ones
            ang = np.deg2rad(45 if odd else 90)
            dx, dy = np.cos(ang) * cell * 0.3, np.sin(ang) * cell * 0.3
            ends = (int(cx - dx), int(cy - dy)), (int(cx + dx), int(cy + dy))
            cv2.line(img, *ends, (255, 255, 255), cell // 8)
        else:
            colour = {
                "colour": ((230, 40, 40), (110, 110, 110)),  # a red disc among grey ones
                "intensity": ((250, 250, 250), (170, 170, 170)),
            }[kind][0 if odd else 1]
            cv2.circle(img, (cx, cy), cell // 5, colour, -1)
    return img, ((target // n) * cell, (target % n) * cell, cell)


@pytest.mark.parametrize("image", [data.astronaut(), data.coffee(), _popout("colour", 0)[0]])
def test_the_presets_map_is_the_papers_equations(image):
    stages = preset_stages("itti1998")
    _, sal = combine(stages.features(stages.encode(image)), weights=stages.weights)
    np.testing.assert_allclose(sal, _paper_saliency(image), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize(("kind", "n"), [("colour", 6), ("intensity", 6), ("orientation", 4)])
def test_the_preset_finds_a_singleton_on_displays_drawn_here(kind, n):
    found = 0
    for seed in range(10):
        img, (y0, x0, cell) = _popout(kind, seed, n=n)
        s = saliency(img, preset="itti1998")
        y, x = np.unravel_index(np.argmax(s), s.shape)
        found += y0 <= y < y0 + cell and x0 <= x < x0 + cell
    assert found >= 9


@pytest.mark.parametrize("kind", ["orientation", "size"])
def test_the_preset_finds_a_singleton_in_search_arrays(kind):
    found = 0
    for seed in range(8):
        arr = search_array(kind, 16, seed=seed)
        s = saliency(arr.image, preset="itti1998")
        y, x = np.unravel_index(np.argmax(s), s.shape)
        found += int(np.argmin(((arr.centres - [x, y]) ** 2).sum(1))) == arr.target_index
    assert found >= 7


def test_the_default_is_not_the_preset_and_stays_the_default():
    img = data.chelsea()
    default = saliency(img)
    same(default, saliency(img, config=VisionConfig()))
    same(default, Pipeline().saliency(img))
    assert FeatureExtractor().channel_normalization == "all"
    corr = np.corrcoef(default.ravel(), saliency(img, preset="itti1998").ravel())[0, 1]
    assert 0.3 < corr < 0.99


def test_an_explicit_setting_replaces_the_presets():
    img = _popout("colour", 1)[0]
    cfg = VisionConfig.from_preset("itti1998")
    mixed = dataclasses.replace(
        cfg, features=dataclasses.replace(cfg.features, normalization="hybrid")
    )
    got = saliency(img, preset="itti1998", normalization="hybrid")
    same(got, saliency(img, config=mixed))
    assert np.abs(got - saliency(img, preset="itti1998")).max() > 0.05
    # the preset alone is Pipeline.from_preset, and attend's map is saliency's
    same(saliency(img, preset="itti1998"), Pipeline.from_preset("itti1998").saliency(img))
    result = attend(img, preset="itti1998", n_fixations=1)
    same(result.saliency, saliency(img, preset="itti1998"))


def test_the_toml_preset():
    assert config_from_toml('preset = "itti1998"') == VisionConfig.from_preset("itti1998")
    cfg = config_from_toml('preset = "itti1998"\n[features]\nnormalization = "hybrid"\n')
    assert cfg.features.normalization == "hybrid"
    assert cfg.features.split_polarity is False  # the rest stays the preset's
    assert cfg.encode.colour_level == 0
    cfg = config_from_toml('preset = "itti1998"\n[encode]\ncolour_level = 2\n')
    assert cfg.encode.colour_level == 2 and cfg.features == preset_stages("itti1998").features


@pytest.mark.parametrize("bad", ["itti2000", "ITTI1998", "", 1998, ["itti1998"], True])
def test_bad_presets(bad):
    img = _popout("intensity", 0)[0]
    for call in (
        lambda: saliency(img, preset=bad),
        lambda: attend(img, preset=bad),
        lambda: Pipeline.from_preset(bad),
        lambda: VisionConfig.from_preset(bad),
        lambda: preset_stages(bad),
    ):
        with pytest.raises(ValueError, match="preset"):
            call()
    text = f"preset = {bad!r}".replace("'", '"') if isinstance(bad, str) else f"preset = {bad}"
    text = text.replace("True", "true")
    with pytest.raises(ValueError, match="preset"):
        config_from_toml(text)


def test_a_preset_and_a_config_together_are_refused():
    img = _popout("intensity", 0)[0]
    with pytest.raises(ValueError, match="preset or a config, not both"):
        saliency(img, preset="itti1998", config=VisionConfig())
    with pytest.raises(ValueError, match="preset or a config, not both"):
        attend(img, preset="itti1998", config=VisionConfig())


@pytest.mark.parametrize("bad", ["some", "", 1, None, "ORIENTATION"])
def test_bad_channel_normalization(bad):
    with pytest.raises(ValueError, match="channel_normalization"):
        FeatureExtractor(channel_normalization=bad)
    if bad is not None:
        with pytest.raises(ValueError, match="channel_normalization"):
            saliency(_popout("intensity", 0)[0], channel_normalization=bad)
    value = f'"{bad}"' if isinstance(bad, str) else "1"
    with pytest.raises(ValueError, match=r"features[.:] ?channel_normalization"):
        config_from_toml(f"[features]\nchannel_normalization = {value}\n")


def test_presets_are_listed():
    assert PRESETS == ("itti1998",)
