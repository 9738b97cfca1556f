r"""Stage 1 under attention: the encoding's channels modulated by an attention field.

Each channel of the encoding is a stimulus drive E (intensity, the colour opponents RG and
BY, orientation energy) at every pyramid level. The normalisation model of attention
(Reynolds & Heeger 2009) gives the response

.. math:: R_A(x, f) = \frac{A(x, f)\,E(x, f)}{s * [A\,|E|](x, f) + σ}

with s a Gaussian pool over space (σ_s = ``pool_width`` of the longer image side) and
over all features of the channel's group (intensity; RG and BY; the orientations — the
authors' suppressive width of 360° makes the orientation pool flat). The encoder hands
on the drive rescaled by the model's attentional modulation,

.. math:: E_A = E \cdot R_A / R_1 = E \cdot \frac{A\,(s * |E| + σ)}{s * [A\,|E|] + σ},

with the pools computed by :func:`neuroattn.dynamics.suppressive_pool` — the same code as
the standalone :class:`~neuroattn.dynamics.NormalizationModel` (the attended pool of each
refresh as the matrices of that linear operator, read off its response to unit impulses
once per map shape, and applied in float64; ours). With A = 1 the ratio is
one and the encoding is the bottom-up one exactly; a field narrower than the pool
multiplies the drive by about A (response gain), a field wider than the pool leaves
strong drives nearly unchanged (contrast gain). The pools are smooth at the scale of σ_s,
so each group's ratio (s ∗ |E| + σ)/(s ∗ [A|E|] + σ) is computed once, at the pyramid
level where σ_s is about two cells, and interpolated to the other levels; A itself is
applied at every level at full resolution.

The intensity drive is its contrast, I − m with m the pooled mean luminance (a uniform
background is no drive, so a spot of attention does not paint a bright blob on it): the
encoder hands on m + (I − m)·A·ratio.

Feature gains act by polarity on the signed channels: RG takes the gain of ``red`` where
it is positive and of ``green`` where negative (BY: ``blue`` / ``yellow``); intensity
takes ``intensity_on`` where it exceeds its pooled mean m and ``intensity_off`` elsewhere;
``orientation_<θ>`` its own.

**Published**: the normalisation model and its form (Reynolds & Heeger 2009). **Ours**:
handing on E·R_A/R_1 rather than R_A (so the bottom-up maps, and the calibration of
N(·) on them, are unchanged by the loop), the grouping of channels into pools, the
polarity rule, intensity as contrast, the pools at one level and the default widths.

References
----------
Reynolds, J. H. & Heeger, D. J. (2009). The normalization model of attention. Neuron 61,
168–185.
"""

from __future__ import annotations

import math
from functools import lru_cache
from types import MappingProxyType

import cv2
import numpy as np

from ..dynamics import suppressive_pool
from ._field import AttentionField, Spot, spatial_sum, spot_term
from .encode import Encoding, Pyramid

__all__ = ["Modulator", "modulate"]

_POLARITY = {"rg": ("red", "green"), "by": ("blue", "yellow")}
_POOL_CELLS = 2.0  # σ_s in cells at the level where the pools are computed
_KEEP_BYTES = 32 << 20  # at most this much of the spots' terms of A_space is kept


def _groups(names: list[str]) -> list[list[str]]:
    """Channels sharing a suppressive pool: intensity; RG and BY; the orientations."""
    colour = [n for n in names if n in _POLARITY]
    orient = [n for n in names if n.startswith("orientation")]
    rest = [[n] for n in names if n not in colour and n not in orient]
    return [g for g in (*rest, colour, orient) if g]


def _blur(a: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.GaussianBlur(a, (0, 0), max(sigma, 0.3), borderType=cv2.BORDER_REFLECT)


def _resize(a: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    if a.shape == shape:
        return a
    return cv2.resize(a, (shape[1], shape[0]), interpolation=cv2.INTER_LINEAR)


Gain = float | tuple[float, float]


def _feature_gain(name: str, field: AttentionField) -> Gain:
    """A_feature of one channel: a number, or (gain where ≥ 0, gain where < 0) for the
    signed channels whose two polarities differ."""
    pair = _POLARITY.get(name) or (
        ("intensity_on", "intensity_off") if name == "intensity" else None
    )
    if pair is None:
        return field.gain(name)
    pos, neg = (field.gain(n) for n in pair)
    return pos if pos == neg else (pos, neg)


@lru_cache(maxsize=32)
def _pool_matrices(shape: tuple[int, int], px: float) -> tuple[np.ndarray, np.ndarray]:
    """``(Py, Pxᵀ)``, float64: ``suppressive_pool(m, pool=(px, px), boundary="reflect")``
    is ``Py @ m @ Pxᵀ`` (the pool is linear and separable; the matrices are its response
    to unit impulses)."""
    h, w = shape
    py = suppressive_pool(np.eye(h), pool=(px, None), boundary="reflect")
    pxt = suppressive_pool(np.eye(w), pool=(None, px), boundary="reflect")
    out = (np.ascontiguousarray(py), np.ascontiguousarray(pxt))
    for m in out:
        m.setflags(write=False)
    return out


class _Drive:
    """One channel group's drive at every level (intensity as contrast I − m) and its
    unattended pool at the pool level."""

    def __init__(self, encoding: Encoding, group: list[str], pool_px: list[float], at: int) -> None:
        self.group = group
        self.levels: list[np.ndarray] = []  # (F, h, w) signed drive per level
        self.means: list[np.ndarray | None] = []  # pooled mean luminance (intensity only)
        for k in range(len(pool_px)):
            stack = np.stack([encoding.channels[n].levels[k] for n in group])  # (F, h, w)
            if group == ["intensity"]:
                mean = _blur(stack[0], pool_px[k])  # (h, w)
                self.means.append(mean)
                stack = stack - mean[None]
            else:
                self.means.append(None)
            self.levels.append(stack)
        self.pool = (math.inf, pool_px[at], pool_px[at])
        self.magnitude = np.abs(self.levels[at])  # (F, h, w) at the pool level
        self.s1 = suppressive_pool(self.magnitude, pool=self.pool, boundary="reflect")[0]
        self.pool_px = pool_px[at]

    def attention(self, k: int, a_space: np.ndarray, gains: list[Gain]) -> np.ndarray:
        """A(x, f) at level k for every channel of the group, ``(F, h, w)`` — or
        ``(1, h, w)`` when every channel of the group has gain one."""
        if all(g == 1.0 for g in gains):
            return a_space[None]  # (1, h, w)
        out = []
        for j, g in enumerate(gains):
            if isinstance(g, tuple):  # by polarity
                pos, neg = np.float32(g[0]), np.float32(g[1])
                out.append(a_space * np.where(self.levels[k][j] >= 0, pos, neg))
            else:
                out.append(a_space * g)
        return np.stack(out)  # (F, h, w)

    def attended_mean(self, att: np.ndarray) -> np.ndarray:
        """mean_f A|E| at the pool level, ``(h, w)``: the pool's infinitely wide feature
        axis, taken before the spatial pooling (which is linear)."""
        return (att * self.magnitude).mean(axis=0)


class Modulator:
    """Stage 1 under attention for one encoded image: ``modulator(field) -> Encoding``.

    Holds the drive, its pooled means and the unattended pools, so that each iteration
    of the closed loop costs only the attended pools and the products.

    Parameters
    ----------
    encoding : Encoding
        The bottom-up encoding (the drive E).
    pool_width : float
        σ_s of the spatial suppressive pool, fraction of the longer image side (ours).
    sigma : float
        σ of the normalisation, in units of the channels' range (small, as published).
    """

    def __init__(self, encoding: Encoding, *, pool_width: float = 0.2, sigma: float = 1e-3):
        self.encoding = encoding
        self.sigma = sigma
        names = list(encoding.channels)
        first = encoding.channels[names[0]]
        side = float(max(encoding.shape))
        n_levels = len(first.levels)
        pool_px = [pool_width * side / 2 ** (first.first + k) for k in range(n_levels)]
        # the level whose pool is about _POOL_CELLS wide (or the deepest held)
        self.at = next((k for k in range(n_levels) if pool_px[k] <= 2 * _POOL_CELLS), n_levels - 1)
        self.shapes = [lv.shape[:2] for lv in first.levels]
        self.drives = [_Drive(encoding, g, pool_px, self.at) for g in _groups(names)]
        self._terms: dict[Spot, list[np.ndarray]] = {}  # each spot's term of A_space per level
        self._keep = max(1, _KEEP_BYTES // (4 * sum(h * w for h, w in self.shapes)))

    def _spatial(self, field: AttentionField) -> list[np.ndarray]:
        """A_space at every level. Each spot's terms are kept (the closed loop adds one
        spot per fixation to the same ones), then summed as :meth:`AttentionField.spatial`
        sums them."""
        terms = []
        for spot in field.spots:
            term = self._terms.get(spot)
            if term is None:
                term = [spot_term(spot, shape, self.encoding.shape) for shape in self.shapes]
                if len(self._terms) >= self._keep:
                    self._terms.clear()
                self._terms[spot] = term
            terms.append(term)
        return [spatial_sum([t[k] for t in terms], shape) for k, shape in enumerate(self.shapes)]

    def __call__(self, field: AttentionField) -> Encoding:
        """E · R_A / R_1 (intensity: m + (I − m) · R_A / R_1); ``encoding`` if flat."""
        if field.flat:
            return self.encoding
        a_space = self._spatial(field)
        gains = [[_feature_gain(n, field) for n in d.group] for d in self.drives]
        channels: dict[str, Pyramid] = {}
        # the attended pools of every group at once: s ∗ mean_f[A|E|] over space
        means = np.stack(
            [
                d.attended_mean(d.attention(self.at, a_space[self.at], g))
                for d, g in zip(self.drives, gains, strict=True)
            ]
        )  # (G, h, w)
        py, pxt = _pool_matrices(means.shape[1:], self.drives[0].pool_px)
        pooled = (py @ means.astype(np.float64) @ pxt).astype(np.float32)  # (G, h, w)
        for drive, g, s_a in zip(self.drives, gains, pooled, strict=True):
            ratio = (drive.s1 + self.sigma) / (s_a + self.sigma)  # (h, w)
            levels: list[list[np.ndarray]] = [[] for _ in drive.group]
            for k, shape in enumerate(self.shapes):
                out = drive.levels[k] * (drive.attention(k, a_space[k], g) * _resize(ratio, shape))
                mean = drive.means[k]
                if mean is not None:
                    out += mean  # (F, h, w)
                for j in range(len(drive.group)):
                    levels[j].append(np.ascontiguousarray(out[j], dtype=np.float32))
            for j, n in enumerate(drive.group):
                channels[n] = Pyramid(tuple(levels[j]), self.encoding.channels[n].first)
        ordered = {n: channels[n] for n in self.encoding.channels}
        return Encoding(MappingProxyType(ordered), self.encoding.shape)


def modulate(
    encoding: Encoding,
    field: AttentionField,
    *,
    pool_width: float = 0.2,
    sigma: float = 1e-3,
) -> Encoding:
    """The encoding's drive rescaled by the normalisation model's attentional modulation.

    One-off form of :class:`Modulator` (see it for the parameters): a flat field returns
    ``encoding`` itself; otherwise the same channels and levels, E · R_A / R_1.
    """
    return Modulator(encoding, pool_width=pool_width, sigma=sigma)(field)
