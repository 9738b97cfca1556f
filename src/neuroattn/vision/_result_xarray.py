"""The labelled view of an attention result: :func:`to_dataset` (an ``xarray.Dataset``).

xarray is optional (the ``xarray`` extra): it is imported when a dataset is made, and its
absence is an ImportError saying what to install. The function reads the result's
attributes only (``saliency_map``, ``feature_maps``, ``conspicuity``, ``gain``, ``trace``,
``fixations``, ``task``, ``image_shape``, ``scale``, ``level``), so it needs nothing of
the result type.
"""

from __future__ import annotations

import json
from dataclasses import fields
from typing import Any

import numpy as np

from ._records import Fixation

_FIXATION_VARS = {  # Fixation field → variable over dim "fixation" (x, y name the map's dims)
    "x": "fixation_x",
    "y": "fixation_y",
    "onset": "onset_ms",
    "duration": "duration_ms",
    "latency": "latency_ms",
    "saliency": "fixation_saliency",
}

_FIXATION_UNITS = {"x": "pixel", "y": "pixel", "onset": "ms", "duration": "ms", "latency": "ms"}


def _import_xarray() -> Any:
    try:
        import xarray as xr
    except ImportError as exc:
        raise ImportError(
            "AttentionResult.to_xarray needs xarray: pip install neuroattn[xarray]"
        ) from exc
    return xr


def cell_centres(n_cells: int, n_pixels: int) -> np.ndarray:
    """Centres of ``n_cells`` map cells across ``n_pixels`` image pixels, in the image's
    pixel units: ``(i + 0.5) · n_pixels / n_cells``, where the fixations of a cell are
    placed (:mod:`._scan`)."""
    return (np.arange(n_cells) + 0.5) * (n_pixels / n_cells)


def _stack(maps: Any, dim: str) -> tuple[tuple[str, ...], np.ndarray, list[str]]:
    names = list(maps)
    if not names:
        return (dim, "y", "x"), np.zeros((0, 0, 0), np.float32), names
    return (dim, "y", "x"), np.stack([np.asarray(maps[k]) for k in names]), names


def _fixation_table(fixations: tuple[Fixation, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields(Fixation):
        values = np.array([getattr(fix, f.name) for fix in fixations], dtype=np.float64)
        attrs = {"units": _FIXATION_UNITS[f.name]} if f.name in _FIXATION_UNITS else {}
        out[_FIXATION_VARS.get(f.name, f.name)] = (("fixation",), values, attrs)
    return out


def _attrs(result: Any) -> dict[str, Any]:
    task = result.task
    return {
        "level": int(result.level),
        "scale": float(result.scale),
        "image_height": int(result.image_shape[0]),
        "image_width": int(result.image_shape[1]),
        "rate_threshold": float(result.trace.rate_threshold),
        "task": "" if task is None else task.description,
        "task_gains": json.dumps(None if task is None else dict(task.gains)),
    }


def to_dataset(result: Any) -> Any:
    """An ``xarray.Dataset`` of an attention result (see ``AttentionResult.to_xarray``).

    Dims ``y``, ``x`` (the map's cells, coordinates: cell centres in image pixels),
    ``channel`` (feature maps), ``group`` (conspicuity maps), ``time`` (ms, the
    competition's saves) and ``fixation`` (the scanpath, in order).
    """
    xr = _import_xarray()
    sal = np.asarray(result.saliency_map)
    h, w = sal.shape
    height, width = result.image_shape
    feat_dims, feat, channels = _stack(result.feature_maps, "channel")
    cons_dims, cons, groups = _stack(result.conspicuity, "group")
    data: dict[str, Any] = {
        "saliency": (("y", "x"), sal),
        "gain": (("y", "x"), np.asarray(result.gain)),
        "feature_maps": (feat_dims, feat),
        "conspicuity": (cons_dims, cons),
        "rates": (("time", "y", "x"), np.asarray(result.trace.rates)),
        "ior": (("y", "x"), np.asarray(result.trace.ior)),
        **_fixation_table(result.fixations),
    }
    coords = {
        "y": ("y", cell_centres(h, height), {"units": "pixel"}),
        "x": ("x", cell_centres(w, width), {"units": "pixel"}),
        "channel": ("channel", np.array(channels, dtype=str)),
        "group": ("group", np.array(groups, dtype=str)),
        "time": ("time", np.asarray(result.trace.t, dtype=np.float64), {"units": "ms"}),
        "fixation": ("fixation", np.arange(len(result.fixations))),
    }
    return xr.Dataset(data, coords=coords, attrs=_attrs(result))
