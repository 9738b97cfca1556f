"""Drawing attention: weight matrices and spatial maps over images (matplotlib figures)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..dynamics.checks import check_integer, check_number, is_torch, to_numpy

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def _numpy(x: Any, name: str) -> np.ndarray:
    """A finite float numpy array from a tensor (detached, on the CPU) or array-like.

    Raises TypeError for complex or non-numeric values, ValueError for an empty array or
    one holding NaN or inf (nothing meaningful to draw).
    """
    if is_torch(x):
        if x.is_complex():
            raise TypeError(f"{name} must be real, got a {x.dtype} tensor")
        x = x.detach().float()  # float32 first: numpy has no bfloat16
    try:
        raw = to_numpy(x)
        if np.iscomplexobj(raw):
            raise TypeError(f"{name} must be real, got complex values")
        arr = np.asarray(raw, dtype=float)
    except (TypeError, ValueError) as exc:
        if isinstance(exc, TypeError) and "must be real" in str(exc):
            raise
        raise TypeError(f"{name} must be a real tensor or array, got {type(x).__name__}") from None
    if arr.size == 0:
        raise ValueError(f"{name} is empty")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or inf")
    return arr


def _squeeze_lead(arr: np.ndarray, keep: int) -> np.ndarray:
    """Drop leading size-1 axes until ``keep`` axes are left."""
    while arr.ndim > keep and arr.shape[0] == 1:
        arr = arr[0]
    return arr


def plot_attention(
    weights: Any,
    *,
    query_labels: Sequence[str] | None = None,
    key_labels: Sequence[str] | None = None,
    batch: int = 0,
    ax: Axes | None = None,
    cmap: str = "viridis",
    title: str | None = None,
) -> Figure:
    """Draw attention weights as a heat map (queries down, keys across).

    Parameters
    ----------
    weights : Tensor or array
        (L, S), (H, L, S) — one panel per head — or (B, H, L, S), of which item
        ``batch`` is drawn. Leading size-1 axes are dropped.
    query_labels, key_labels : sequence of str, optional
        Tick labels (e.g. target and source tokens).
    ax : matplotlib Axes, optional
        Draw a single (L, S) matrix into it.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    if ax is not None and not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes, got {type(ax).__name__}")
    arr = _squeeze_lead(_numpy(weights, "weights"), 2)
    if arr.ndim == 4:
        batch = check_integer(batch, "batch", ge=0)
        if batch >= arr.shape[0]:
            raise ValueError(f"batch must be < {arr.shape[0]} (the batch size), got {batch}")
        arr = arr[batch]
    if arr.ndim == 2:
        arr = arr[None]
    if arr.ndim != 3:
        raise ValueError(f"weights must be (L, S), (H, L, S) or (B, H, L, S), got {arr.shape}")
    heads, L, S = arr.shape
    for labels, n, what in ((query_labels, L, "query_labels"), (key_labels, S, "key_labels")):
        if labels is not None and (isinstance(labels, str) or not isinstance(labels, Sequence)):
            raise TypeError(f"{what} must be a sequence of strings, got {labels!r}")
        if labels is not None and len(labels) != n:
            raise ValueError(f"{what} has {len(labels)} entries for {n} rows/columns")
    if ax is not None and heads != 1:
        raise ValueError(f"ax takes one (L, S) matrix, got {heads} heads")
    if ax is None:
        cols = min(heads, 4)
        rows = -(-heads // cols)
        fig = Figure(figsize=(3.2 * cols + 0.8, 3.0 * rows), layout="constrained")
        axes = list(np.ravel(fig.subplots(rows, cols, squeeze=False)))
    else:
        fig, axes = ax.get_figure(), [ax]  # type: ignore[assignment]
    for h, a in enumerate(axes):
        if h >= heads:
            a.set_axis_off()
            continue
        image = a.imshow(arr[h], cmap=cmap, vmin=0.0, aspect="auto", interpolation="nearest")
        if heads > 1:
            a.set_title(f"head {h}")
        a.set_xlabel("key")
        a.set_ylabel("query")
        if key_labels is not None:
            a.set_xticks(range(S), list(key_labels), rotation=90)
        if query_labels is not None:
            a.set_yticks(range(L), list(query_labels))
        fig.colorbar(image, ax=a, shrink=0.8)
    if title:
        fig.suptitle(title)
    return fig


def _image_hwc(image: Any) -> np.ndarray:
    """(H, W) or (H, W, 3) array in [0, 1] from a (C, H, W) tensor or an (H, W[, C]) array."""
    arr = _squeeze_lead(_numpy(image, "image"), 2)
    channel_first = is_torch(image) and arr.ndim == 3
    if channel_first:
        arr = np.moveaxis(arr, 0, -1)
    if arr.ndim == 3 and arr.shape[-1] == 1:
        arr = arr[..., 0]
    if arr.ndim not in (2, 3) or (arr.ndim == 3 and arr.shape[-1] not in (3, 4)):
        raise ValueError(
            "image must be (H, W), (C, H, W) tensor or (H, W, C) array with 1, 3 or 4 "
            f"channels, got shape {np.shape(arr)}"
        )
    lo, hi = float(arr.min()), float(arr.max())
    return (arr - lo) / (hi - lo) if hi > lo else np.zeros_like(arr)


def plot_spatial_map(
    image: Any,
    attention_map: Any,
    *,
    alpha: float = 0.5,
    cmap: str = "jet",
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Overlay a spatial attention map on an image.

    Parameters
    ----------
    image : Tensor or array
        (C, H, W) tensor, (H, W, C) array or (H, W); shown min-max scaled.
    attention_map : Tensor or array
        (h, w), (1, h, w) or (1, 1, h, w), e.g. :meth:`SpatialAttention.attention_map`;
        stretched over the image (bilinear) when its size differs.
    alpha : float
        Opacity of the map.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    if ax is not None and not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes, got {type(ax).__name__}")
    img = _image_hwc(image)
    amap = _squeeze_lead(_numpy(attention_map, "attention_map"), 2)
    if amap.ndim != 2:
        raise ValueError(f"attention_map must be one (h, w) map, got shape {amap.shape}")
    alpha = check_number(alpha, "alpha", ge=0.0, le=1.0)
    if ax is None:
        fig = Figure(figsize=(5, 4), layout="constrained")
        ax = fig.add_subplot()
    else:
        fig = ax.get_figure()  # type: ignore[assignment]
    H, W = img.shape[:2]
    ax.imshow(img, cmap="gray" if img.ndim == 2 else None)
    extent = (-0.5, W - 0.5, H - 0.5, -0.5)
    overlay = ax.imshow(amap, cmap=cmap, alpha=alpha, extent=extent, interpolation="bilinear")
    ax.set_axis_off()
    fig.colorbar(overlay, ax=ax, shrink=0.8, label="attention")
    if title:
        ax.set_title(title)
    return fig
