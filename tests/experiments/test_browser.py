"""The validation report in a real headless Chromium: it loads without console errors, every
figure decodes at its size, and what is drawn is not blank.

Skipped, with its reason, where no Chromium/Chrome is installed (Debian: ``apt-get install
chromium``; ``NEUROATTN_CHROMIUM`` names another executable). No network is used.
"""

from __future__ import annotations

from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import matplotlib.image as mpimg
import numpy as np
import pytest

from neuroattn.experiments import _validate

from ._browser import Browser, find_browser
from ._toys import STATE, only_toys  # noqa: F401

BROWSER = find_browser()
pytestmark = [
    pytest.mark.skipif(
        BROWSER is None,
        reason="no Chromium/Chrome installed (apt-get install chromium, or set "
        "NEUROATTN_CHROMIUM): the report's browser test needs one",
    ),
    pytest.mark.usefixtures("only_toys"),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert BROWSER is not None
    with Browser(BROWSER) as b:
        yield b


def _not_blank(pixels: np.ndarray) -> bool:
    """More than one colour, and a real share of the pixels away from the background."""
    rgb = pixels[..., :3].reshape(-1, 3)
    background = np.median(rgb, axis=0)
    drawn = np.abs(rgb - background).max(axis=1) > 0.1
    return bool(rgb.std() > 0.01 and drawn.mean() > 0.005)


def test_the_harness_sees_errors_broken_images_and_blank_pages(browser, tmp_path):
    page = tmp_path / "bad.html"
    page.write_text(
        "<!DOCTYPE html><html><head><title>bad</title></head><body>"
        '<img src="data:image/png;base64,iVBORw0KGgo="><img src="missing.png">'
        '<script>console.error("boom"); undefined_function();</script></body></html>'
    )
    seen = browser.load(page)
    assert seen.title == "bad"
    assert "boom" in seen.console_errors
    assert any("undefined_function" in e or "Uncaught" in e for e in seen.console_errors)
    assert any("ERR_FILE_NOT_FOUND" in e for e in seen.console_errors)
    assert all("error" in img for img in seen.images) and len(seen.images) == 2
    assert seen.screenshot is not None and not _not_blank(seen.screenshot)


def test_the_report_loads_cleanly_and_every_figure_renders(browser, tmp_path):
    v = _validate.validate_into(tmp_path / "a", ["toy-a", "toy-gate"])
    STATE["agree"] = False  # a regression, a failure and escaped text on the same page
    v = _validate.validate_into(tmp_path / "a", ["toy-a", "toy-gate", "toy-broken"])
    assert v.regressions and v.errors
    seen = browser.load(tmp_path / "a" / "report.html")
    assert seen.console_errors == []
    assert seen.title == "neuroattn validation"
    pngs = [o.figure for o in v.outcomes if o.figure is not None]
    assert len(seen.images) == len(pngs) == 2
    for img, png in zip(seen.images, pngs, strict=True):
        assert "error" not in img, img
        height, width = mpimg.imread(BytesIO(png), format="png").shape[:2]
        assert (img["width"], img["height"]) == (width, height)
    assert seen.screenshot is not None and _not_blank(seen.screenshot)
    assert len(seen.image_shots) == 2
    for shot in seen.image_shots:
        assert shot.shape[0] > 50 and shot.shape[1] > 50 and _not_blank(shot)


def test_the_report_of_the_command_opens_as_a_file(browser, tmp_path):
    from neuroattn import cli

    assert cli.main(["validate", "-o", str(tmp_path / "v"), "--only", "toy-a", "-q"]) == 0
    seen = browser.load(Path(tmp_path / "v" / "report.html"))
    assert seen.console_errors == [] and len(seen.images) == 1 and "error" not in seen.images[0]
