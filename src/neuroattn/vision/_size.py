r"""Size contrast: an item with less (or more) contrast energy than the items around it.

A feature-contrast model built from the channels of Itti, Koch & Niebur (1998) finds a
*larger* item among smaller ones (it has more energy at every scale, so it wins each
channel's competition) but never a *smaller* one: it has less energy in every channel, and
the within-map competition, which keeps the strongest peaks, erases it (issue 9: 0 % of
smaller singletons found at the first fixation, saliency at the target ≈ 0). People find
both, the larger more easily (Treisman & Gormican 1988).

What is missing is a signed comparison of each item with its neighbours *as items*,
rather than with the background. Ours: with E(x) the total contrast energy (the sum over
channels of the centre–surround maps, each in units of its own range, averaged over
scales and max-pooled over 3 × 3 map pixels, so that an item is represented by its peak),
the magnitude m = log(E + ε) and the presence a = L / (L + σ_a · max L), L the
fine-scale local contrast (:func:`local_contrast`, no halos), the expected
magnitude around x is the presence-weighted mean over the other items (a normalised
convolution with a Gaussian G of σ = 25 % of the map width, the width of the long-range
inhibition of Itti & Koch 2000, with the item at x left out: the (2r + 1)² cells
around x, r = :data:`EXCLUDE`):

.. math::

    \bar m(x) = \frac{\sum_{|y - x|_\infty > r} G(x - y)\, a(y)\, m(y)}
                     {\sum_{|y - x|_\infty > r} G(x - y)\, a(y)}

and the two size-contrast maps are the Weber contrast of x's energy with that expectation
Ē = e^{m̄}, where there is an item, passed through a saturating 1 − e^{−W}:

.. math::

    W = \frac{E - \bar E}{\bar E} = e^{m - \bar m} - 1, \qquad
    S_{larger}(x) = a(x) \left(1 - e^{-[W]_+}\right), \qquad
    S_{smaller}(x) = a(x) \left(1 - e^{-[-W]_+}\right)

At the resolution of the feature maps (1/16 of the image side) a bar's energy is its area
times its contrast, so these maps respond to size, and to contrast among items of one
size (a faint item among strong ones is found too). The contrast is **asymmetric**: the
*presence* of extra energy (a larger item) can exceed Ē many times over, its *absence* (a
smaller item) at most by Ē itself (W ≥ −1) — for a size ratio 1.6 (area 2.56), W = +1.56
against −0.61 for 1/1.6. This is Treisman & Gormican's (1988) account of search
asymmetries: a target defined by an added feature is signalled by extra activity in a
pooled feature map, one defined by a missing feature by a smaller drop against the
distractors' activity (Weber's law). It is also Rosenholtz's (1999, 2001) saliency — the
target's distance from the distractors' feature distribution in units of its spread —
with a scalar energy whose spread grows with its mean (Weber noise). Both are ours in this
form. ``contrast="log"`` keeps the symmetric |log E − log Ē| used before issue 10, under
which a smaller singleton had the larger saliency margin (median 9.5 against 5.2 on
held-out displays) and the search experiment found smaller targets faster (−11.7 ms).
The maps are not rescaled before their normalisation (:data:`SIZE_FLOOR` = 1): they are
fractions already, and rescaling each to one would undo the asymmetry.

An item's energy, summed and max-pooled over 3 × 3 cells, covers the cells two each way
around its peak. Before issue 10 only x itself was left out of m̄, so an item was compared
partly with itself — a smaller target's own low energy pulled its expectation down, and
most where few other items were near (9-item displays). Leaving its (2r + 1)² cells out,
r = 2, compares it with the *other* items, as intended: on tuning displays (40 per kind
and set size 9, 25, 49; search experiment's observer) the mean RT of smaller minus larger
targets went from 2.3 ± 1.0 to 4.1 ± 0.9 ms, on the experiment's held-out displays from
4.1 ± 3.5 to 6.7 ± 2.2 ms, and the first fixation finds held-out singletons (V3, 40 per
kind) in 1 / 1 / 1 / 0.975 of displays (colour, orientation, larger, smaller) instead of
1 / 1 / 0.975 / 0.975. ``exclude=0`` restores the former expectation.

References
----------
Treisman, A. & Gormican, S. (1988). Feature analysis in early vision: evidence from search
asymmetries. Psychological Review 95, 15–48.
Rosenholtz, R. (1999). A simple saliency model predicts a number of motion popout
phenomena. Vision Research 39, 3157–3163.
Rosenholtz, R. (2001). Search asymmetries? What search asymmetries? Perception &
Psychophysics 63, 476–489.
Itti, L. & Koch, C. (2000). Vision Research 40, 1489–1506.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from ..dynamics.checks import check_choice, check_integer
from ._normalize import _blur_matrix
from .encode import Pyramid

SIZE_MAPS = ("size_smaller", "size_larger")
SIZE_FLOOR = 1.0
"""Noise floor of the size maps' first normalisation (ours, chosen on the tuning split of
:mod:`._family` with σ_a = 0.5, 30 displays per kind at 512 × 512: at 0.05 the noise
between equal items competed with orientation singletons, 83 % found first instead of
97 %; 0.3 and 0.4 left items of a 32-item scan unvisited; 0.5 with the symmetric log
contrast). With the Weber contrast (issue 10) 1: the maps, fractions already, keep their
amplitude; on tuning seeds 0–29 the first fixation finds smaller / larger / colour /
orientation singletons in 97 / 100 / 100 / 97 % (0.5: 100 / 100 / 100 / 93 %, but the
smaller target's weaker signal rescaled away)."""
_POOL = np.ones((3, 3), np.uint8)
EXCLUDE = 2
"""r of the (2r + 1)² cells left out of an item's expectation Ē (ours, issue 10): the 3 × 3
sum and the 3 × 3 max-pool spread an item's energy two cells each way (module docstring)."""


def local_contrast(pyramids: Sequence[Pyramid], level: int, shape: tuple[int, int]) -> np.ndarray:
    """Where the items are: Σ |P(level) − P(level + 1)| over ``pyramids``, max-pooled to
    ``shape`` — a difference of Gaussians one octave wide, so without the halos that a
    coarse surround leaves around an item."""
    h, w = pyramids[0][level].shape[:2]
    total: np.ndarray = np.zeros((h, w), np.float32)
    for pyr in pyramids:
        fine = pyr[level]
        coarse = cv2.resize(pyr[level + 1], (fine.shape[1], fine.shape[0]))
        total += np.abs(fine - coarse)
    fy, fx = max(1, total.shape[0] // shape[0]), max(1, total.shape[1] // shape[1])
    if fy > 1 or fx > 1:
        total = np.asarray(cv2.dilate(total, np.ones((fy, fx), np.uint8)))
    return np.asarray(cv2.resize(total, (shape[1], shape[0]), interpolation=cv2.INTER_AREA))


def size_contrast(
    energy: np.ndarray,
    where: np.ndarray,
    *,
    sigma: float = 0.25,
    presence: float = 0.5,
    eps: float = 0.02,
    contrast: str = "weber",
    exclude: int = EXCLUDE,
) -> np.ndarray:
    """The maps ``S_smaller`` and ``S_larger`` (see the module docstring), ``(2, h, w)``.

    Parameters
    ----------
    energy : ndarray, shape (h, w)
        Total contrast energy E ≥ 0 at the map level.
    where : ndarray, shape (h, w)
        Local (fine-scale) contrast L ≥ 0: the presence is a = L / (L + σ_a max L).
    sigma : float
        σ of the neighbourhood, a fraction of the map width.
    presence : float
        σ_a: half-presence at this fraction of the map's maximum energy.
    eps : float
        ε of the logarithm, a fraction of the maximum energy.
    contrast : {"weber", "log"}
        The Weber contrast (E − Ē)/Ē (default, asymmetric) or the symmetric
        log E − log Ē (before issue 10).
    exclude : int
        r: the (2r + 1)² cells around x are left out of Ē (0: x alone, before issue 10).
    """
    check_choice(contrast, "contrast", ("weber", "log"))
    check_integer(exclude, "exclude", ge=0, le=100)
    summed = cv2.boxFilter(
        np.asarray(energy, dtype=np.float32),
        -1,
        (3, 3),
        normalize=False,
        borderType=cv2.BORDER_CONSTANT,
    )
    e: np.ndarray = np.asarray(cv2.dilate(summed, _POOL))
    loc = np.asarray(where, dtype=np.float32)
    h, w = e.shape
    top, top_loc = float(e.max()), float(loc.max())
    if not (top > 0 and top_loc > 0):
        return np.zeros((2, h, w), np.float32)
    a = loc / (loc + np.float32(presence * top_loc))
    m = np.log(e + np.float32(eps * top))
    gy, gx = _blur_matrix(h, sigma * w), _blur_matrix(w, sigma * w)
    ny, nx = _near(gy, exclude), _near(gx, exclude)  # G within r cells of x, separable
    num = gy @ (a * m) @ gx.T - ny @ (a * m) @ nx.T
    den = gy @ a @ gx.T - ny @ a @ nx.T
    mbar = np.divide(num, den, out=m.copy(), where=den > 1e-6)
    diff = m - mbar
    if contrast == "weber":  # (E − Ē) / Ē with Ē = e^m̄: unbounded above, at most 1 below
        ratio = np.exp(np.minimum(diff, np.float32(30)))
        more, less = np.maximum(ratio - 1, 0), np.maximum(1 - ratio, 0)
    else:  # |log E − log Ē|: symmetric in the two signs
        more, less = np.maximum(diff, 0), np.maximum(-diff, 0)
    smaller = a * (1 - np.exp(-less))
    larger = a * (1 - np.exp(-more))
    return np.stack([smaller, larger]).astype(np.float32)


def _near(g: np.ndarray, r: int) -> np.ndarray:
    """The blur matrix ``g`` kept within ``r`` of its diagonal (zero elsewhere)."""
    idx = np.arange(g.shape[0])
    return np.where(np.abs(idx[:, None] - idx[None, :]) <= r, g, np.float32(0))
