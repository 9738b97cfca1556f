r"""Centre–surround differences of many pyramids at once (the arithmetic of
:func:`.features.centre_surround`).

The difference of Itti, Koch & Niebur (1998) at centre level c and surround level s,
brought to the map level,

.. math::

    F(c, s) = D_c\,\bigl(P(c) - U_{s \to c}\,P(s)\bigr)
            = D_c\,P(c) - (D_c U_{s \to c})\,P(s),

is linear in the pyramid levels: U (enlarging, bilinear) and D (shrinking, area average)
are OpenCV's ``cv2.resize`` weights, separable into a matrix per axis. The second form
(ours, an implementation choice) is the first regrouped: the centre term is one
``cv2.resize`` per pyramid and centre level, shared by every δ; the surround term is a
product with the composite matrices, for all pyramids in one batched ``matmul``. The
matrices are read off ``cv2.resize`` itself (it resizes identity matrices), so the two
forms agree to float32 rounding; levels with a side of one pixel, for which OpenCV takes
other code paths, are resized directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import cv2
import numpy as np

from .encode import Pyramid

Shape = tuple[int, int]


def resize(a: np.ndarray, shape: Shape) -> np.ndarray:
    """``a`` resized to ``shape``: area average when shrinking, bilinear otherwise."""
    if a.shape == shape:
        return a
    shrink = a.shape[0] >= shape[0] and a.shape[1] >= shape[1]
    interp = cv2.INTER_AREA if shrink else cv2.INTER_LINEAR
    return cv2.resize(a, (shape[1], shape[0]), interpolation=interp)


@lru_cache(maxsize=256)
def _resize_matrices(src: Shape, dst: Shape) -> tuple[np.ndarray, np.ndarray]:
    """``(Ry, Rxᵀ)`` in float64 with ``resize(a, dst) == Ry @ a @ Rxᵀ`` for ``a`` of ``src``."""
    if src == dst:
        return np.eye(src[0]), np.eye(src[1])
    shrink = src[0] >= dst[0] and src[1] >= dst[1]
    interp = cv2.INTER_AREA if shrink else cv2.INTER_LINEAR
    ry = cv2.resize(np.eye(src[0], dtype=np.float32), (src[0], dst[0]), interpolation=interp)
    rxt = cv2.resize(np.eye(src[1], dtype=np.float32), (dst[1], src[1]), interpolation=interp)
    return ry.astype(np.float64), rxt.astype(np.float64)


@lru_cache(maxsize=256)
def _surround_operator(surround: Shape, centre: Shape, out: Shape) -> tuple[np.ndarray, ...]:
    """The composite ``D_c U_{s→c}`` per axis, float32: ``(Ay, Axᵀ)``."""
    uy, uxt = _resize_matrices(surround, centre)
    dy, dxt = _resize_matrices(centre, out)
    ay = np.ascontiguousarray(dy @ uy, dtype=np.float32)
    axt = np.ascontiguousarray(uxt @ dxt, dtype=np.float32)
    ay.setflags(write=False)
    axt.setflags(write=False)
    return ay, axt


def _direct(pyramid: Pyramid, pairs: list[tuple[int, int]], out_shape: Shape) -> np.ndarray:
    """The first form, resize by resize (levels with a side of one pixel)."""
    maps = []
    for c, s in pairs:
        centre = pyramid[c]
        maps.append(resize(centre - resize(pyramid[s], centre.shape[:2]), out_shape))
    return np.stack(maps)


def centre_surround_stack(
    pyramids: Sequence[Pyramid],
    centres: Sequence[int],
    deltas: Sequence[int],
    out_shape: Shape,
) -> np.ndarray:
    """P(c) − P(c + δ) at ``out_shape`` for pyramids of equal level shapes, ``(K, C·Δ, h, w)``.

    Surround levels beyond the deepest held are clamped to it; the maps of each pyramid
    run over c, then δ.
    """
    first = pyramids[0]
    pairs = [(c, min(c + d, first.last)) for c in centres for d in deltas]
    used = {lv for pair in pairs for lv in pair}
    out = np.empty((len(pyramids), len(pairs), *out_shape), np.float32)
    if min(min(first[lv].shape[:2]) for lv in used) < 2 or min(out_shape) < 2:
        for k, pyr in enumerate(pyramids):
            out[k] = _direct(pyr, pairs, out_shape)
        return out
    stacks: dict[int, np.ndarray] = {}
    nd = len(deltas)
    for i, c in enumerate(centres):
        for k, pyr in enumerate(pyramids):  # D_c P(c), shared by every δ
            out[k, i * nd : (i + 1) * nd] = resize(pyr[c], out_shape)
        for j, (_, s) in enumerate(pairs[i * nd : (i + 1) * nd]):
            if s not in stacks:
                stacks[s] = np.stack([pyr[s] for pyr in pyramids])  # (K, hs, ws)
            ay, axt = _surround_operator(first[s].shape[:2], first[c].shape[:2], out_shape)
            out[:, i * nd + j] -= ay @ (stacks[s] @ axt)  # (K, h, w)
    return out
