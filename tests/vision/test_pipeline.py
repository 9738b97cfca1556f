"""The public API: saliency(), attend(), Pipeline, results, configuration."""

import dataclasses
import json

import matplotlib
import numpy as np
import pytest

import neuroattn
from neuroattn.vision import (
    EXAMPLE_CONFIG,
    AttentionResult,
    Pipeline,
    VisionConfig,
    attend,
    config_from_toml,
    load_config,
    saliency,
    search_array,
)

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def photo():
    import skimage.data

    return skimage.data.astronaut()[::2, ::2]  # 256 × 256


def test_saliency_shapes_and_kinds(photo, rng):
    s = saliency(photo)
    assert s.shape == photo.shape[:2] and s.dtype == np.float32
    assert 0.9 < s.max() <= 1.0 and s.min() >= 0
    # uint8 is reduced before conversion (rounding in the first pyramid levels)
    assert np.corrcoef(saliency(photo.astype(np.float32) / 255).ravel(), s.ravel())[0, 1] > 0.98
    grey = saliency(photo.mean(-1))
    assert grey.shape == s.shape
    rgba = np.dstack([photo, np.full(photo.shape[:2], 255, np.uint8)])
    # (the same image gives the same map up to float rounding that depends on alignment)
    np.testing.assert_allclose(saliency(rgba), s, atol=1e-6)
    np.testing.assert_allclose(saliency(np.moveaxis(photo, -1, 0), channel_axis=0), s, atol=1e-6)
    stack = saliency(np.stack([photo, photo[::-1]]))
    assert stack.shape == (2, *s.shape)
    np.testing.assert_allclose(stack[0], s, atol=1e-6)
    assert isinstance(saliency([photo, photo[:100, :200]]), list)


def test_top_level_names(photo):
    np.testing.assert_allclose(neuroattn.saliency(photo), saliency(photo), atol=1e-6)
    assert neuroattn.attend is attend


def test_saliency_options(photo):
    assert not np.array_equal(saliency(photo, normalization="maxnorm"), saliency(photo))
    s = saliency(photo, weights={"intensity": 0.0, "colour": 1.0, "orientation": 0.0})
    assert s.shape == photo.shape[:2]
    with pytest.raises(TypeError, match="unknown option 'sharpness'"):
        saliency(photo, sharpness=2)


def test_attend_result(photo):
    r = attend(photo, n_fixations=4)
    assert isinstance(r, AttentionResult) and len(r.fixations) == 4
    assert set(r.conspicuity) == {"intensity", "colour", "orientation", "size"}
    assert "red" in r.feature_maps and r.task is None and (r.gain == 1).all()
    for f in r.fixations:
        assert 0 <= f.x < 256 and 0 <= f.y < 256 and f.duration > 0
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.fixations = ()  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        r.saliency[0, 0] = 1
    info = json.loads(json.dumps(r.to_dict()))
    assert len(info["fixations"]) == 4 and info["shape"] == [256, 256]


def test_save_writes_the_cli_files(photo, tmp_path):
    r = attend(photo, n_fixations=2)
    folder = r.save(tmp_path / "res", label="astronaut")
    assert {p.name for p in folder.iterdir()} == {
        "saliency.png",
        "scanpath.png",
        "maps.png",
        "fixations.json",
    }
    info = json.loads((folder / "fixations.json").read_text())
    assert info["image"] == "astronaut" and len(info["fixations"]) == 2


def test_plots_return_figures(photo):
    r = attend(photo, task="red", n_fixations=2)
    for kind in ("overview", "maps", "scanpath", "trace"):
        fig = r.plot(kind)
        assert isinstance(fig, matplotlib.figure.Figure)
        matplotlib.pyplot.close(fig)
    with pytest.raises(ValueError, match="plot kind"):
        r.plot("histogram")


def test_batch_equals_single_images(photo):
    a = search_array("orientation", 20, seed=1)
    both = attend([photo, a.image], n_fixations=3)
    for img, r in zip([photo, a.image], both, strict=True):
        alone = attend(img, n_fixations=3).fixations

        def rows(fixes):
            return [(f.x, f.y, f.onset, f.duration) for f in fixes]

        # equal up to float rounding (numpy's sums depend on memory alignment)
        np.testing.assert_allclose(rows(r.fixations), rows(alone), rtol=1e-5)


def test_a_task_changes_where_attention_goes():
    a = search_array("conjunction", 16, seed=9, target_orientation=90, distractor_orientation=0)
    r = attend(a.image, task={"colour": "red", "orientation": 90}, n_fixations=1)
    assert np.argmin(((a.centres - [r.fixations[0].x, r.fixations[0].y]) ** 2).sum(1)) == (
        a.target_index
    )
    assert r.task is not None and r.gain.max() > 1


def test_huge_images_are_shrunk_with_a_warning(photo):
    big = np.kron(photo, np.ones((3, 3, 1), np.uint8))  # 768 × 768
    cfg = VisionConfig(max_side=400)
    with pytest.warns(UserWarning, match="larger than max_side=400; processed at 400×400"):
        r = attend(big, config=cfg, n_fixations=2)
    assert r.saliency.shape == (768, 768)
    import cv2

    shrunk = attend(cv2.resize(big, (400, 400), interpolation=cv2.INTER_AREA), n_fixations=2)
    scale = 768 / 400
    for f, g in zip(r.fixations, shrunk.fixations, strict=True):  # in the big image's pixels
        assert (f.x, f.y) == pytest.approx((g.x * scale, g.y * scale), abs=1e-3)


def test_example_config_is_the_default():
    assert config_from_toml(EXAMPLE_CONFIG) == VisionConfig()
    assert Pipeline.from_config(VisionConfig()) == Pipeline(weights=VisionConfig().weights)


def test_config_file(tmp_path, photo):
    p = tmp_path / "v.toml"
    p.write_text("[compete]\nn_fixations_is_not_here = 1\n")
    with pytest.raises(ValueError, match=r"compete\.n_fixations_is_not_here: unknown field"):
        load_config(p)
    p.write_text('[features]\nnormalization = "maxnorm"\n[compete]\ntau_ms = 20\n')
    cfg = load_config(p)
    assert cfg.features.normalization == "maxnorm" and cfg.compete.tau_ms == 20.0
    default = attend(photo, n_fixations=1)
    r20 = attend(
        photo, n_fixations=1, config=dataclasses.replace(cfg, features=VisionConfig().features)
    )
    ratio = 20.0 / VisionConfig().compete.tau_ms  # the same dynamics on a slower clock
    assert r20.fixations[0].onset == pytest.approx(ratio * default.fixations[0].onset)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("[encode]\nlevels = 2.5\n", "encode.levels: must be an integer"),
        ("[features]\ncentres = []\n", "features.centres: must be a non-empty list"),
        ("[compete]\nalpha = 1.5\n", "compete.alpha"),
        ("[feedback]\nweight = -1\n", "feedback.weight"),
        ("[weights]\nmotion = 1.0\n", "weights.motion: unknown field"),
        ("max_side = 10\n", "max_side"),
        ("[encode\n", "not valid TOML"),
        ("colour = true\n", "config.colour: unknown field"),
        ('[compete]\nmodel = "spiking"\n', "compete.model"),
        ("[encode]\ncolour = 1\n", "encode.colour: must be true or false"),
    ],
)
def test_bad_config_fields(text, match):
    with pytest.raises(ValueError, match=match):
        config_from_toml(text)
