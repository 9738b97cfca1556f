"""Issue 8: the overview figure draws a copy of the image shrunk to DISPLAY_SIDE pixels,
placed in the original image's pixel coordinates, so fixations still land on their pixel."""

from __future__ import annotations

import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest

from neuroattn.vision import attend
from neuroattn.vision._plot import DISPLAY_SIDE, _display


def _spot_image(height, width, centre, radius):
    """A dark grey image with one bright red disc at ``centre`` = (x, y)."""
    img = np.full((height, width, 3), 40, np.uint8)
    yy, xx = np.ogrid[:height, :width]
    img[(xx - centre[0]) ** 2 + (yy - centre[1]) ** 2 <= radius**2] = (255, 0, 0)
    return img


def _attend_quietly(img, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # shrunk to max_side
        return attend(img, **kwargs)


def _at(shown_pixels, extent, x, y):
    """The displayed pixel under data point (x, y), read through the image's extent."""
    left, right, bottom, top = extent
    h, w = shown_pixels.shape[:2]
    col = int((x - left) / (right - left) * w)
    row = int((y - top) / (bottom - top) * h)
    return shown_pixels[min(row, h - 1), min(col, w - 1)]


@pytest.mark.parametrize(
    ("height", "width", "spot"), [(240, 400, (300, 60)), (2600, 4000, (3100, 700))]
)
def test_fixation_markers_land_on_their_pixel(height, width, spot):
    img = _spot_image(height, width, spot, radius=max(height, width) // 40)
    r = _attend_quietly(img, n_fixations=2)
    first = r.fixations[0]
    assert abs(first.x - spot[0]) < width / 40 and abs(first.y - spot[1]) < height / 40
    fig = r.plot("overview")
    try:
        scan_ax, sal_ax = fig.axes[0], fig.axes[1]
        for ax in (scan_ax, sal_ax):  # axes in the original image's pixels
            assert ax.get_xlim() == pytest.approx((-0.5, width - 0.5))
            assert ax.get_ylim() == pytest.approx((height - 0.5, -0.5))
        line = scan_ax.lines[0]
        np.testing.assert_allclose(line.get_xdata(), [f.x for f in r.fixations])
        np.testing.assert_allclose(line.get_ydata(), [f.y for f in r.fixations])
        centres = [p.center for p in scan_ax.patches]
        assert centres[0] == pytest.approx((first.x, first.y))
        image = scan_ax.images[0]
        assert image.get_extent() == pytest.approx([-0.5, width - 0.5, height - 0.5, -0.5])
        # the marker sits on the red disc of the displayed (shrunk) copy
        np.testing.assert_array_equal(
            _at(image.get_array(), image.get_extent(), first.x, first.y), (255, 0, 0)
        )
        # and on the saliency overlay's peak region
        overlay = sal_ax.images[1]
        assert overlay.get_extent() == pytest.approx(image.get_extent())
        sal = np.asarray(overlay.get_array())
        assert _at(sal, overlay.get_extent(), first.x, first.y) > 0.5 * sal.max()
    finally:
        plt.close(fig)


def test_a_big_images_figure_never_holds_the_full_array():
    img = _spot_image(3000, 4500, (1000, 2000), radius=80)
    r = _attend_quietly(img, n_fixations=1)
    for kind in ("overview", "scanpath"):
        fig = r.plot(kind)
        try:
            shown = [im.get_array() for ax in fig.axes for im in ax.images]
            assert shown and max(max(a.shape[:2]) for a in shown) <= DISPLAY_SIDE
        finally:
            plt.close(fig)
    assert "saliency" not in vars(r)  # drawing never made the full-size map


def test_small_images_are_drawn_unchanged_with_the_old_overlay():
    img = _spot_image(200, 300, (100, 50), radius=10)
    r = _attend_quietly(img, n_fixations=1)
    fig = r.plot("overview")
    try:
        ax = fig.axes[1]
        np.testing.assert_array_equal(ax.images[0].get_array(), img)
        np.testing.assert_array_equal(np.asarray(ax.images[1].get_array()), r.saliency)
    finally:
        plt.close(fig)


@pytest.mark.parametrize("dtype", [np.float64, np.bool_, np.int64, np.uint16])
def test_display_shrinks_every_dtype_and_scales_into_0_1(dtype):
    img = np.zeros((2100, 900), dtype)
    img[1000:1100, 400:500] = 1 if dtype in (np.bool_, np.int64) else np.array(7).astype(dtype)
    shown = _display(img)
    assert shown.pixels.shape == (DISPLAY_SIDE, round(900 * DISPLAY_SIDE / 2100))
    assert 0 <= shown.pixels.min() and shown.pixels.max() <= 1 and shown.pixels.max() > 0.5
    assert shown.cmap == "gray" and shown.extent == (-0.5, 899.5, 2099.5, -0.5)
