"""Glimpses: square crops of a canvas resized to the classifier's input, and where to take
them for training.

A glimpse of box (top, left, bottom, right) — continuous pixel edges, bottom and right
exclusive — is the box's content resampled bilinearly to ``side``×``side`` (zero outside
the canvas), done for many boxes at once with ``torch.nn.functional.grid_sample`` on the
affine map that takes the output grid onto the box. The same function cuts the training
glimpses, the detector's and the sliding window's, so every classifier call sees the
same kind of input.

Training glimpses (ours, in the manner of R-CNN's region sampling, Girshick et al. 2014):
a *digit* glimpse is a digit's box jittered — centre moved by up to ``shift`` of its side,
side scaled by a factor in [1/zoom, zoom] — and keeps the digit's label; a *nothing*
glimpse (label 10) is a box of 12 … 40 pixels that overlaps every digit box by IoU below
``NEGATIVE_IOU``: half anywhere on the canvas (background and clutter), half beside a
digit (a part of it, or it with much around), so the classifier learns to refuse a
misplaced look.

References
----------
Girshick, R., Donahue, J., Darrell, T. & Malik, J. (2014). Rich feature hierarchies for
accurate object detection and semantic segmentation. CVPR (positives IoU ≥ 0.5,
background below 0.3).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from ._data import Canvases
from ._metrics import box_iou

__all__ = ["NEGATIVE_IOU", "NOTHING", "crop_glimpses", "training_glimpses"]

NOTHING = 10  # the class of a glimpse without a digit
NEGATIVE_IOU = 0.3  # a "nothing" glimpse overlaps every digit box by less than this
_CHUNK = 1024  # glimpses resampled at once


def crop_glimpses(images: Tensor, index: Tensor, boxes: Tensor, side: int) -> Tensor:
    """Glimpses (K, 1, side, side) of boxes (K, 4) on images (N, H, W) or (N, 1, H, W).

    ``index`` (K,) names each box's image; boxes are (top, left, bottom, right) in pixel
    edges (floats allowed). Bilinear resampling, zero outside the image.
    """
    x = images if images.ndim == 4 else images[:, None]  # (N, 1, H, W)
    h, w = x.shape[-2:]
    b = boxes.to(torch.float32)  # (K, 4)
    theta = torch.zeros(b.shape[0], 2, 3)  # (K, 2, 3)
    theta[:, 0, 0] = (b[:, 3] - b[:, 1]) / w
    theta[:, 0, 2] = (b[:, 1] + b[:, 3]) / w - 1.0
    theta[:, 1, 1] = (b[:, 2] - b[:, 0]) / h
    theta[:, 1, 2] = (b[:, 0] + b[:, 2]) / h - 1.0
    out = []
    for start in range(0, b.shape[0], _CHUNK):
        t = theta[start : start + _CHUNK]  # (k, 2, 3)
        grid = F.affine_grid(t, [t.shape[0], 1, side, side], align_corners=False)  # (k,s,s,2)
        src = x[index[start : start + _CHUNK]]  # (k, 1, H, W)
        out.append(F.grid_sample(src, grid, align_corners=False, padding_mode="zeros"))
    if not out:
        return torch.zeros(0, 1, side, side)
    return torch.cat(out)  # (K, 1, side, side)


def _jitter(boxes: np.ndarray, rng: np.random.Generator, shift: float, zoom: float) -> np.ndarray:
    """Boxes (K, 4) moved by up to ``shift`` of their side and scaled in [1/zoom, zoom]."""
    side = (boxes[:, 2] - boxes[:, 0]).astype(np.float64)  # (K,)
    cy = 0.5 * (boxes[:, 0] + boxes[:, 2]) + rng.uniform(-shift, shift, side.size) * side
    cx = 0.5 * (boxes[:, 1] + boxes[:, 3]) + rng.uniform(-shift, shift, side.size) * side
    half = 0.5 * side * np.exp(rng.uniform(-np.log(zoom), np.log(zoom), side.size))
    return np.stack([cy - half, cx - half, cy + half, cx + half], axis=1)  # (K, 4)


def _negatives(truth: np.ndarray, count: int, size: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` boxes overlapping every box of ``truth`` by IoU < NEGATIVE_IOU."""
    m = 8 * count + 16
    side = rng.uniform(12.0, 40.0, m)  # (M,)
    cy, cx = rng.uniform(0, size, m), rng.uniform(0, size, m)
    if truth.shape[0]:  # half of them beside a digit
        near = rng.random(m) < 0.5
        k = rng.integers(0, truth.shape[0], m)
        t_side = (truth[k, 2] - truth[k, 0]).astype(np.float64)
        angle = rng.uniform(0, 2 * np.pi, m)
        dist = rng.uniform(0.3, 0.9, m) * t_side
        cy = np.where(near, 0.5 * (truth[k, 0] + truth[k, 2]) + dist * np.sin(angle), cy)
        cx = np.where(near, 0.5 * (truth[k, 1] + truth[k, 3]) + dist * np.cos(angle), cx)
        side = np.where(near, t_side * np.exp(rng.uniform(-0.7, 0.7, m)), side)
    boxes = np.stack([cy - side / 2, cx - side / 2, cy + side / 2, cx + side / 2], axis=1)
    if truth.shape[0]:
        boxes = boxes[box_iou(boxes, truth).max(axis=1) < NEGATIVE_IOU]
    return boxes[:count]


def training_glimpses(
    data: Canvases,
    rng: np.random.Generator,
    *,
    side: int,
    per_digit: int = 2,
    shift: float = 0.12,
    zoom: float = 1.2,
) -> tuple[Tensor, Tensor]:
    """Labelled glimpses (K, 1, side, side) and labels (K,) from ``data``: ``per_digit``
    jittered glimpses of every digit and as many "nothing" glimpses (see the module)."""
    index, boxes, labels = [], [], []
    for n, (truth, digits) in enumerate(zip(data.boxes, data.labels, strict=True)):
        pos = _jitter(np.repeat(truth, per_digit, axis=0), rng, shift, zoom)
        neg = _negatives(truth, max(pos.shape[0], per_digit), data.images.shape[-1], rng)
        boxes += [pos, neg]
        labels += [np.repeat(digits, per_digit), np.full(neg.shape[0], NOTHING)]
        index.append(np.full(pos.shape[0] + neg.shape[0], n))
    b = torch.from_numpy(np.concatenate(boxes).astype(np.float32))  # (K, 4)
    i = torch.from_numpy(np.concatenate(index).astype(np.int64))  # (K,)
    y = torch.from_numpy(np.concatenate(labels).astype(np.int64))  # (K,)
    return crop_glimpses(torch.from_numpy(data.images), i, b, side), y
