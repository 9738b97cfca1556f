r"""Map normalisation N(·): the within-feature competition of the feature stage.

Two published operators, both applied to a stack of maps ``(K, h, w)`` at once:

* :func:`maxnorm` — Itti, Koch & Niebur (1998): scale each map to [0, M], find its
  local maxima, and multiply the map by (M − m̄)², m̄ the mean of the local maxima
  other than the global one. A map with one strong peak is promoted; a map with many
  comparable peaks is suppressed. A local maximum is a *regional* maximum: a connected
  plateau of equal values (8-neighbourhood) with no higher neighbour counts once,
  whatever its size, and a plateau on the flank of a higher peak is no maximum.
* :func:`iterative_normalization` — Itti & Koch (2000): scale to [0, 1], then a few
  times

  .. math::

      M \leftarrow \left| M + M * \mathrm{DoG} - C_{inh} \right|_{\ge 0},\qquad
      \mathrm{DoG} = c_{ex}^2\, G_{σ_{ex}} - c_{inh}^2\, G_{σ_{inh}}

  with G_σ a unit-mass Gaussian, σ_ex = 2 % and σ_inh = 25 % of the map width,
  c_ex = 0.5, c_inh = 1.5 and C_inh = 0.02: short-range excitation, long-range
  inhibition, a global inhibitory bias. The Gaussians are applied as separable
  matrices, renormalised at the borders (a truncated Gaussian with unit mass), so
  border locations are neither favoured nor penalised. The wide inhibitory matrix is
  applied through its singular value decomposition cut where the float32 matrix holds
  nothing more (rank about 10 for a 30 × 40 map; an implementation choice of ours,
  equal to the full product to float32 rounding).

References
----------
Itti, L., Koch, C. & Niebur, E. (1998). IEEE PAMI 20(11), 1254–1259.
Itti, L. & Koch, C. (2000). A saliency-based search mechanism for overt and covert shifts
of visual attention. Vision Research 40, 1489–1506.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import cv2
import numpy as np
from scipy import ndimage

from ..dynamics.checks import check_choice, check_integer, check_number

NORMALIZATIONS = ("hybrid", "iterative", "maxnorm", "none")


def unit_max(maps: np.ndarray, floor: float = 0.0) -> np.ndarray:
    """Each map divided by the larger of its maximum and ``floor`` (zero maps stay zero).

    The floor keeps maps that hold nothing but rounding noise from being blown up to
    the full range.
    """
    peak = np.maximum(maps.max(axis=(-2, -1), keepdims=True), np.float32(floor))
    inv = np.zeros_like(peak)
    np.divide(1.0, peak, out=inv, where=peak > 0)
    return maps * inv


# 8-neighbourhoods within each map of a stack (K, h, w), never across maps
_WITHIN = np.zeros((3, 3, 3), bool)
_WITHIN[1] = True
_KERNEL = np.ones((3, 3), np.uint8)
_SHIFTS = np.array([(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1) if dy or dx])


def _morphology(maps: np.ndarray, op: Any, fill: float) -> np.ndarray:
    """``op`` (``cv2.dilate`` or ``cv2.erode``, 3 × 3) of every map of a ``(K, h, w)``
    stack in one call: the maps one under another with a row of ``fill`` (the value
    ``op`` ignores) between them, so no 3 × 3 window reaches into the next map."""
    k, h, w = maps.shape
    buf = np.full((k, h + 1, w), fill, maps.dtype)
    buf[:, :h] = maps
    flat = buf.reshape(k * (h + 1), w)
    if flat.size:
        op(flat, _KERNEL, dst=flat)
    return buf[:, :h]


def _maxima_of_stack(maps: np.ndarray, low: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Regional maxima of every map of a ``(K, h, w)`` float32 stack: values, map indices.

    The pixels equal to their 3×3 maximum (and at least ``low[k]``) are grouped by
    :func:`scipy.ndimage.label`. A group is dropped when it touches a pixel of its own value
    that is not such a pixel — it is then part of a larger plateau that rises somewhere (a
    shoulder). Such a pixel q is found as the minimum of its neighbouring maximum-pixels
    being its own value: they are never lower than q, as each is the top of its 3×3.
    """
    h, w = maps.shape[1:]
    top = maps == _morphology(maps, cv2.dilate, -np.inf)
    lowest_top = _morphology(np.where(top, maps, np.float32(np.inf)), cv2.erode, np.inf)
    high = maps >= low[:, None, None].astype(maps.dtype)
    top &= high
    spill = (lowest_top == maps) & high & ~top
    labels, n = ndimage.label(top, structure=_WITHIN)
    if n == 0:
        return np.zeros(0, maps.dtype), np.zeros(0, np.intp)
    values = np.zeros(n + 1, maps.dtype)
    values[labels.ravel()] = maps.ravel()  # one value per label (label 0: unused)
    # labels run in raster order and never span two maps: map k holds (last[k-1], last[k]]
    last = np.maximum.accumulate(labels.reshape(len(maps), -1).max(axis=1))
    owner = np.searchsorted(last, np.arange(n + 1), side="left")
    shoulder = np.zeros(n + 1, bool)
    ks, ys, xs = np.nonzero(spill)
    if ks.size:  # the maximum-pixels of q's value next to each spill pixel q
        y, x = ys[:, None] + _SHIFTS[:, 0], xs[:, None] + _SHIFTS[:, 1]
        inside = (y >= 0) & (y < h) & (x >= 0) & (x < w)
        kk, y, x = np.broadcast_to(ks[:, None], y.shape), y.clip(0, h - 1), x.clip(0, w - 1)
        same = inside & (maps[kk, y, x] == maps[ks, ys, xs][:, None])
        shoulder[labels[kk, y, x][same]] = True
    keep = np.flatnonzero(~shoulder[1:]) + 1
    return values[keep], owner[keep]


def regional_maxima(m: np.ndarray, low: float = -np.inf) -> np.ndarray:
    """The value of each regional maximum of a 2-D map that is at least ``low``.

    A regional maximum is a connected set of equal values (8-neighbourhood) whose every
    neighbour outside it is lower: a plateau counts once, however many pixels it has, and
    a plateau on the flank of a higher peak (a shoulder) is no maximum.
    """
    m = np.asarray(m)
    return _maxima_of_stack(m[None], np.array([low], dtype=np.float64))[0]


def _mean_of_other_maxima(maps: np.ndarray, low: float) -> np.ndarray:
    """Per map of a stack, the mean of its regional maxima ≥ ``low`` but one global
    maximum (0 when it has no other)."""
    k = maps.shape[0]
    values, owner = _maxima_of_stack(maps, np.full(k, low))
    count = np.bincount(owner, minlength=k)
    total = np.bincount(owner, weights=values, minlength=k)
    top = np.zeros(k)
    np.maximum.at(top, owner, values)
    others = np.maximum(count - 1, 0)
    return np.divide(total - top, others, out=np.zeros(k), where=others > 0)


def maxnorm(
    maps: np.ndarray,
    *,
    M: float = 1.0,
    min_peak: float = 0.1,
    floor: float = 0.0,
    rescale: bool = True,
) -> np.ndarray:
    """N(·) of Itti, Koch & Niebur (1998) on ``(..., h, w)`` maps (see the module docstring).

    Each map is scaled to [0, M] and multiplied by (M − m̄)², m̄ the mean of its regional
    maxima (:func:`regional_maxima`) other than one global maximum (0 when there is no
    other). Two separate peaks of the same height give m̄ = M and a zero map, as published;
    one flat peak of several pixels is one maximum.

    Parameters
    ----------
    maps : ndarray, shape (..., h, w)
        Non-negative maps.
    M : float
        The fixed range [0, M].
    min_peak : float
        Local maxima below ``min_peak`` · M are ignored (flat zero regions would
        otherwise count as maxima); an implementation choice, not in the paper.
    floor : float
        Maps are scaled by 1 / max(maximum, floor): a map of rounding noise stays small.
    rescale : bool
        Scale to [0, M] first (as published). Without, each map keeps its amplitude and
        is multiplied by the scale-free factor (1 − m̄ / max)², so maps that an earlier
        stage suppressed are not blown up again.

    References
    ----------
    Itti, L., Koch, C. & Niebur, E. (1998). IEEE PAMI 20(11), 1254–1259 (Fig. 2).
    """
    M = check_number(M, "M", gt=0)
    min_peak = check_number(min_peak, "min_peak", ge=0, le=1)
    floor = check_number(floor, "floor", ge=0)
    maps = np.asarray(maps, dtype=np.float32)
    flat = maps.reshape(-1, *maps.shape[-2:])
    if rescale:
        out = unit_max(flat, floor) * np.float32(M)
    else:
        peak = flat.max(axis=(-2, -1), keepdims=True)
        out = flat * np.where(peak > 0, np.float32(M) / np.maximum(peak, 1e-30), 0)
        out = out.astype(np.float32)
    mbar = _mean_of_other_maxima(out, min_peak * M)
    out *= ((M - mbar) ** 2).astype(np.float32)[:, None, None]
    if not rescale:  # back to each map's own amplitude, times (1 − m̄/max)²
        out *= np.float32(1.0 / M**3) * peak.astype(np.float32)
    return out.reshape(maps.shape)


@lru_cache(maxsize=64)
def _blur_matrix(n: int, sigma: float) -> np.ndarray:
    """Row-normalised Gaussian matrix: (G @ x) blurs x along one axis of length n."""
    idx = np.arange(n, dtype=np.float64)
    g = np.exp(-((idx[:, None] - idx[None, :]) ** 2) / (2.0 * max(sigma, 1e-3) ** 2))
    g /= g.sum(axis=1, keepdims=True)
    g.setflags(write=False)
    return g.astype(np.float32)


def gaussian_blur_stack(maps: np.ndarray, sigma: float) -> np.ndarray:
    """Blur every ``(h, w)`` map of a stack with a border-renormalised Gaussian of σ px."""
    h, w = maps.shape[-2:]
    gy = _blur_matrix(h, float(sigma))
    gx = _blur_matrix(w, float(sigma))
    return np.matmul(np.matmul(gy, maps), np.ascontiguousarray(gx.T))


_RANK_TOL = 1e-8
"""Singular values of a blur matrix below this fraction of the largest are dropped: the
float32 matrix itself holds no more (its spectrum flattens there, at its rounding)."""


@lru_cache(maxsize=64)
def _factors(n: int, sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """``(U, Vᵀ)``, float32, ``(n, r)`` and ``(r, n)``: the SVD of :func:`_blur_matrix`
    cut at :data:`_RANK_TOL` (``r`` ≈ 10 for a σ of a quarter of 30–40 cells)."""
    g = _blur_matrix(n, sigma).astype(np.float64)
    u, s, vt = np.linalg.svd(g)
    r = max(1, int(np.count_nonzero(s > s[0] * _RANK_TOL)))
    factors = (np.ascontiguousarray(u[:, :r] * s[:r], np.float32), vt[:r].astype(np.float32))
    for f in factors:
        f.setflags(write=False)
    return factors


def positive_part(a: np.ndarray) -> np.ndarray:
    """max(a, 0) in place; returns ``a``. C-contiguous float arrays go through
    ``cv2.threshold`` (up to ten times faster than ``np.maximum`` on mixed signs)."""
    if a.size == 0:
        return a
    if not a.flags.c_contiguous or a.dtype not in (np.float32, np.float64):
        return np.maximum(a, 0, out=a)
    flat = a.reshape(-1, a.shape[-1]) if a.ndim != 2 else a
    cv2.threshold(flat, 0.0, 0.0, cv2.THRESH_TOZERO, dst=flat)
    return a


def _dog_step(x: np.ndarray, ops: tuple[np.ndarray, ...], bias: np.float32) -> None:
    """One iteration on ``x`` ``(h, B, w)`` in place: x ← |x + c_ex² G_ex x − c_inh² G_inh x
    − C_inh|₊, with G x = G_y x G_xᵀ. The inhibitory Gaussian, wide and smooth, is applied
    through its factors (:func:`_factors`) as Uy (Vyᵀ x Vx) Uxᵀ, about a third of the
    products of the full matrices; the narrow excitatory one as it is. ``ops``: G_ex,y
    stacked on Vyᵀ, c_ex² G_ex,xᵀ, Vx, −c_inh² Uxᵀ and Uy."""
    ys, gxt, vx, uxt, uy = ops
    h, b, w = x.shape
    both = ys @ x.reshape(h, b * w)  # (h + ry, B w): excitatory y-blur, inhibitory projection
    x += (both[:h].reshape(h * b, w) @ gxt).reshape(h, b, w)  # + excitation
    core = both[h:].reshape(-1, w) @ vx  # (ry B, rx)
    x += (uy @ (core @ uxt).reshape(uy.shape[1], b * w)).reshape(h, b, w)  # − inhibition
    x -= bias
    positive_part(x)


def iterative_normalization(
    maps: np.ndarray,
    *,
    iterations: int = 3,
    sigma_exc: float = 0.02,
    sigma_inh: float = 0.25,
    c_exc: float = 0.5,
    c_inh: float = 1.5,
    c_global: float = 0.02,
    rescale: bool = True,
    floor: float = 0.0,
) -> np.ndarray:
    """Iterative DoG normalisation of Itti & Koch (2000) on ``(..., h, w)`` maps.

    Parameters
    ----------
    maps : ndarray, shape (..., h, w)
        Non-negative maps.
    iterations : int
        Number of iterations (the paper shows a few; 3 by default).
    sigma_exc, sigma_inh : float
        Widths of excitation and inhibition as fractions of the map width.
    c_exc, c_inh : float
        Amplitudes c_ex and c_inh (0.5 and 1.5 in the paper).
    c_global : float
        The global inhibitory bias C_inh, relative to the initial maximum of one.
    rescale : bool
        Scale each map to a maximum of one first (for raw feature maps, to remove
        differences between modalities). Sums of maps that were normalised already
        are passed with ``rescale=False``, so that the suppression they went through
        is not undone.
    floor : float
        With ``rescale``, maps are scaled by 1 / max(maximum, floor).
    """
    check_integer(iterations, "iterations", ge=0)
    maps = np.asarray(maps, dtype=np.float32)
    h, w = maps.shape[-2:]
    out = maps.reshape(-1, h, w)
    out = unit_max(out, floor) if rescale else out
    # layout (h, B, w): each blur is one small matrix product over the whole stack (one
    # large GEMM would start OpenBLAS threads, which on a busy machine is tens of times
    # slower)
    x = np.ascontiguousarray(out.transpose(1, 0, 2))  # (h, B, w)
    (uy, vyt), (ux, vxt) = _factors(h, sigma_inh * w), _factors(w, sigma_inh * w)
    ops = (
        np.concatenate([_blur_matrix(h, sigma_exc * w), vyt]),
        np.ascontiguousarray(np.float32(c_exc**2) * _blur_matrix(w, sigma_exc * w).T),
        np.ascontiguousarray(vxt.T),
        np.ascontiguousarray(np.float32(-(c_inh**2)) * ux.T),
        uy,
    )
    for _ in range(iterations):
        _dog_step(x, ops, np.float32(c_global))
    return np.ascontiguousarray(x.transpose(1, 0, 2)).reshape(maps.shape)


def normalize(
    maps: np.ndarray,
    method: str = "hybrid",
    *,
    stage: int = 1,
    iterations: int = 5,
    floor: float = 0.0,
) -> np.ndarray:
    """Apply the normalisation scheme ``method`` at one stage of the feature hierarchy.

    Stage 1 is the raw centre–surround maps (scaled to a common range first, with
    ``floor``); stages 2 and 3 are sums of maps normalised before (feature maps,
    conspicuity maps), which keep their amplitude so that earlier suppression holds.

    ========== ===================================== =====================================
    method     stage 1                               stages 2 and 3
    ========== ===================================== =====================================
    hybrid     iterative DoG (Itti & Koch 2000)      N(·) without rescaling (Itti et al.)
    iterative  iterative DoG                         iterative DoG without rescaling
    maxnorm    N(·) (Itti, Koch & Niebur 1998)       N(·), rescaled to [0, 1] as published
    none       scaled to a maximum of one            unchanged
    ========== ===================================== =====================================

    The default, ``hybrid``, takes from each operator what it does well: the iterative
    DoG suppresses broad blobs (the halos a coarse surround leaves between items) and
    dense texture within a map, whatever the number of peaks; N(·) suppresses a map
    whose peaks are many and equal however sparse they are (a few distractors).
    """
    check_choice(method, "normalization", NORMALIZATIONS)
    maps = np.asarray(maps, dtype=np.float32)
    first = stage == 1
    if method == "none":
        flat = maps.reshape(-1, *maps.shape[-2:])
        return unit_max(flat, floor).reshape(maps.shape) if first else maps
    if method == "maxnorm":
        return maxnorm(maps, floor=floor if first else 0.0)
    if first or method == "iterative":
        return iterative_normalization(
            maps, iterations=iterations, rescale=first, floor=floor if first else 0.0
        )
    return maxnorm(maps, rescale=False)
