"""saliency() and attend(): visible options, precise return types, clear errors."""

import dataclasses
import inspect
import pydoc
import sys
import typing

import numpy as np
import pytest

from neuroattn.vision import (
    AttentionResult,
    Encoder,
    FeatureExtractor,
    Pipeline,
    VisionConfig,
    attend,
    saliency,
    search_array,
)

IMAGE = search_array("orientation", 9, size=(96, 96), grid=(3, 3), seed=2).image
# the settings of the encode and feature stages, and the two between the stages
STAGE_OPTIONS = {
    f.name for stage in (Encoder, FeatureExtractor) for f in dataclasses.fields(stage) if f.init
} | {"weights", "max_side"}
needs_overloads = pytest.mark.skipif(sys.version_info < (3, 11), reason="typing.get_overloads")


def _keyword_only(fn):
    params = inspect.signature(fn).parameters.values()
    return {p.name for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY}


def test_every_stage_setting_is_a_keyword_of_saliency():
    assert _keyword_only(saliency) == STAGE_OPTIONS | {"config", "preset", "channel_axis"}
    text = pydoc.render_doc(saliency)
    doc = inspect.getdoc(saliency)
    for name in STAGE_OPTIONS:
        assert name in text
        assert f"\n{name} :" in doc, f"{name} is not documented"


def test_attend_shows_its_keywords():
    assert _keyword_only(attend) == {
        "task",
        "n_fixations",
        "config",
        "preset",
        "seed",
        "channel_axis",
        "cue",
    }
    for name in _keyword_only(attend):
        assert f"\n{name} :" in inspect.getdoc(attend)


@needs_overloads
@pytest.mark.parametrize("fn", [saliency, attend, Pipeline.saliency, Pipeline.attend])
def test_overloads_say_a_batch_gives_a_list(fn):
    batch, one = typing.get_overloads(fn)
    assert inspect.signature(batch).return_annotation.startswith("list[")
    assert not inspect.signature(one).return_annotation.startswith("list[")
    assert inspect.signature(batch).parameters.keys() == inspect.signature(one).parameters.keys()


def test_one_image_gives_an_array_a_list_gives_a_list():
    one = saliency(IMAGE)
    assert isinstance(one, np.ndarray) and one.shape == IMAGE.shape[:2]
    for batch in ([IMAGE, IMAGE[:64]], (IMAGE,)):
        maps = saliency(batch)
        assert isinstance(maps, list) and all(isinstance(m, np.ndarray) for m in maps)
    assert isinstance(attend(IMAGE, n_fixations=1), AttentionResult)
    results = attend([IMAGE], n_fixations=1)
    assert isinstance(results, list) and isinstance(results[0], AttentionResult)


def test_a_keyword_is_the_same_as_the_config_field():
    cfg = VisionConfig(encode=Encoder(orientations=(0.0, 90.0)))
    np.testing.assert_array_equal(
        saliency(IMAGE, orientations=(0.0, 90.0)), saliency(IMAGE, config=cfg)
    )
    # a keyword overrides that one field of the given config, nothing else
    mixed = saliency(IMAGE, config=cfg, normalization="maxnorm")
    both = dataclasses.replace(cfg, features=FeatureExtractor(normalization="maxnorm"))
    np.testing.assert_array_equal(mixed, saliency(IMAGE, config=both))


@pytest.mark.parametrize(
    ("options", "error", "match"),
    [
        ({"normalization": "softmax"}, ValueError, "normalization must be one of"),
        ({"levels": 1}, ValueError, "colour_level <= first_level <= levels"),
        ({"deltas": (0,)}, ValueError, "every delta >= 1"),
        ({"weights": {"motion": 1.0}}, ValueError, "weights.motion: unknown field"),
        ({"weights": {"colour": -1.0}}, ValueError, "weights.colour must be a finite number >= 0"),
        ({"max_side": 8}, ValueError, "max_side must be an integer >= 32"),
        ({"gabor_wavelength": 0.0}, ValueError, "gabor wavelength must be a finite number > 2"),
        ({"config": {"encode": {}}}, TypeError, "config must be a VisionConfig"),
        ({"sharpness": 2}, TypeError, "unknown option 'sharpness'"),
    ],
)
def test_bad_options(options, error, match):
    with pytest.raises(error, match=match):
        saliency(IMAGE, **options)
