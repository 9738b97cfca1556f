"""Issue 9 ("Also"): AttentionResult.to_xarray, a labelled Dataset with named dims."""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pytest

from neuroattn.vision import Pipeline, attend
from neuroattn.vision.stimuli import search_array

xr = pytest.importorskip("xarray", reason="xarray is the optional extra neuroattn[xarray]")


@pytest.fixture(scope="module")
def result():
    display = search_array("colour", 9, grid=(3, 3), size=(240, 320), seed=1)
    return attend(display.image, task="red", n_fixations=3)


def test_maps_are_the_results_arrays_over_named_dims(result):
    ds = result.to_xarray()
    assert ds["saliency"].dims == ("y", "x")
    np.testing.assert_array_equal(ds["saliency"].values, result.saliency_map)
    np.testing.assert_array_equal(ds["gain"].values, result.gain)
    assert ds["feature_maps"].dims == ("channel", "y", "x")
    assert list(ds["channel"].values) == list(result.feature_maps)
    for name, m in result.feature_maps.items():
        np.testing.assert_array_equal(ds["feature_maps"].sel(channel=name).values, m)
    assert ds["conspicuity"].dims == ("group", "y", "x")
    assert list(ds["group"].values) == list(result.conspicuity)
    assert {"intensity", "colour", "orientation"} <= set(ds["group"].values)
    for name, m in result.conspicuity.items():
        np.testing.assert_array_equal(ds["conspicuity"].sel(group=name).values, m)
    assert ds["rates"].dims == ("time", "y", "x")
    np.testing.assert_array_equal(ds["rates"].values, result.trace.rates)
    np.testing.assert_array_equal(ds["time"].values, result.trace.t)
    np.testing.assert_array_equal(ds["ior"].values, result.trace.ior)


def test_coordinates_are_cell_centres_in_image_pixels(result):
    ds = result.to_xarray()
    h, w = result.saliency_map.shape
    assert (h, w) == (240 // 16, 320 // 16)
    np.testing.assert_allclose(ds["x"].values, 8 + 16 * np.arange(w))  # (j + 0.5) · 320 / 20
    np.testing.assert_allclose(ds["y"].values, 8 + 16 * np.arange(h))
    assert ds["x"].attrs["units"] == "pixel"
    # a fixation (refined within the winner's 3 × 3 cells) lies next to the cell it won
    for f in result.fixations:
        near = ds["saliency"].sel(
            x=slice(f.x - 1.5 * 16, f.x + 1.5 * 16), y=slice(f.y - 1.5 * 16, f.y + 1.5 * 16)
        )
        assert np.isclose(near.values, f.saliency, rtol=1e-6).any()


def test_fixations_are_a_table(result):
    ds = result.to_xarray()
    assert ds.sizes["fixation"] == len(result.fixations) == 3
    for column, field in [
        ("fixation_x", "x"),
        ("fixation_y", "y"),
        ("onset_ms", "onset"),
        ("duration_ms", "duration"),
        ("latency_ms", "latency"),
        ("fixation_saliency", "saliency"),
    ]:
        assert ds[column].dims == ("fixation",)
        np.testing.assert_array_equal(
            ds[column].values, [getattr(f, field) for f in result.fixations]
        )
    assert ds["onset_ms"].attrs["units"] == "ms"


def test_attributes_say_level_scale_size_and_task(result):
    attrs = result.to_xarray().attrs
    assert attrs["level"] == 4 and attrs["scale"] == 1.0
    assert (attrs["image_height"], attrs["image_width"]) == (240, 320)
    assert attrs["task"] == result.task.description and "red" in attrs["task_gains"]
    assert attrs["rate_threshold"] == result.trace.rate_threshold


def test_a_shrunk_images_coordinates_are_in_its_original_pixels():
    img = np.zeros((600, 900, 3), np.uint8)
    img[100:160, 700:760] = 255
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        r = Pipeline(max_side=300).attend(img, n_fixations=1)
    ds = r.to_xarray()
    assert ds.attrs["scale"] == pytest.approx(1 / 3)
    h, w = r.saliency_map.shape
    np.testing.assert_allclose(ds["x"].values, (np.arange(w) + 0.5) * 900 / w)
    np.testing.assert_allclose(ds["y"].values, (np.arange(h) + 0.5) * 600 / h)
    assert float(ds["x"][-1]) < 900 and float(ds["y"][-1]) < 600


def test_bottom_up_result_and_no_fixations():
    r = attend(np.zeros((64, 64), np.uint8), n_fixations=1)  # nothing salient
    ds = r.to_xarray()
    assert ds.attrs["task"] == "" and ds.attrs["task_gains"] == "null"
    assert ds.sizes["fixation"] == len(r.fixations)


def test_netcdf_round_trip(result, tmp_path):
    pytest.importorskip("scipy.io", reason="the NetCDF engine 'scipy' needs scipy")
    ds = result.to_xarray()
    path = tmp_path / "result.nc"
    ds.to_netcdf(path, engine="scipy")
    with xr.open_dataset(path, engine="scipy") as back:
        back = back.load()
    xr.testing.assert_allclose(back, ds)
    assert back.attrs == ds.attrs


def test_without_xarray_the_error_says_what_to_install(result, monkeypatch):
    monkeypatch.setitem(sys.modules, "xarray", None)  # import xarray → ImportError
    with pytest.raises(ImportError, match=r"pip install neuroattn\[xarray\]"):
        result.to_xarray()
