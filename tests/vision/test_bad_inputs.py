"""Bad images and arguments: one clear ValueError/TypeError with the CLI's words."""

import numpy as np
import pytest

from neuroattn.vision import attend, saliency


@pytest.mark.parametrize(
    ("image", "error", "match"),
    [
        (np.full((64, 64, 3), np.nan, np.float32), ValueError, "NaN or infinite"),
        (np.full((64, 64), np.inf), ValueError, "NaN or infinite"),
        (np.zeros((20, 64, 3), np.uint8), ValueError, "64×20 pixels; at least 32×32"),
        (np.zeros((64,), np.uint8), ValueError, "wrong dimensions"),
        (np.zeros((64, 64, 5), np.uint8), ValueError, "wrong dimensions"),
        (np.zeros((2, 2, 64, 64, 3), np.uint8), ValueError, "wrong dimensions"),
        (-np.ones((64, 64), np.float32), ValueError, ">= 0"),
        ("photo.png", TypeError, "expected an image array"),
        (np.array([[object()] * 40] * 40), TypeError, "dtype object"),
        (np.zeros((64, 64), np.complex64), TypeError, "numeric image"),
    ],
)
def test_bad_images(image, error, match):
    with pytest.raises(error, match=match):
        saliency(image)
    with pytest.raises(error, match=match):
        attend(image)


def test_a_bad_image_in_a_batch_is_named():
    good = np.zeros((64, 64, 3), np.uint8)
    with pytest.raises(ValueError, match="image 1: contains NaN"):
        attend([good, np.full((64, 64), np.nan)])
    with pytest.raises(ValueError, match="batch is empty"):
        attend([])


def test_bad_arguments():
    img = np.zeros((64, 64, 3), np.uint8)
    with pytest.raises(ValueError, match="unknown feature 'motion'"):
        attend(img, task="motion=left")
    with pytest.raises(ValueError, match="n_fixations"):
        attend(img, n_fixations=0)
    with pytest.raises(TypeError, match="VisionConfig"):
        attend(img, config={"compete": {}})


def test_integer_and_bool_images():
    a = np.zeros((64, 64), np.uint16)
    a[20:30, 20:30] = 60000
    s16 = saliency(a)
    s8 = saliency((a // 257).astype(np.uint8))
    np.testing.assert_allclose(s16, s8, atol=0.05)
    assert saliency(a > 0).shape == (64, 64)
