r"""The attention field A(x, f) that stage 4 hands back to stage 1 (the closed loop).

The normalisation model of attention (Reynolds & Heeger 2009) multiplies the stimulus
drive by an attention field before divisive normalisation. Here the field is separable,

.. math::

    A(x, f) = A_{\mathrm{space}}(x)\; A_{\mathrm{feature}}(f)\; A_{\mathrm{history}}(f),

with three optional sources, each on a base of one:

* **spatial** — Gaussian spots on the image, peak ``a`` (2 in the authors' code) and width
  w (a fraction of the longer side): A_space(x) = 1 + Σ_k (a_k − 1) exp(−|x − x_k|² / 2w_k²).
  A spot sits at the winner of the competition (the current fixation) and at any cue.
* **feature-based** — the task's gain of each feature map (red, orientation_45, …),
  clipped to [1/a, a] and applied over the whole visual field: feature-similarity gain
  (Treue & Martinez-Trujillo 1999).
* **history** — the features of recent targets raise their gain and decay over trials
  (priming of pop-out, Maljkovic & Nakayama 1994); :class:`~.feedback.TopDown` keeps it.

A field of ones everywhere is *flat*: the encoder then returns its bottom-up encoding
unchanged.

**Published**: the form R = A·E/(S + σ) and the field's peak of 2 on a base of 1
(Reynolds & Heeger 2009); that attention to a feature raises the gain of neurons
preferring it across the visual field (Treue & Martinez-Trujillo 1999); that repeating a
target's colour speeds search and switching it slows it, with an effect that builds and
decays over about five to eight trials (Maljkovic & Nakayama 1994). **Ours**: the
separable product, the Gaussian spots in fractions of the image, the clipping of task
gains to the field's peak, and the update rule of the history
(:func:`update_history`).

References
----------
Reynolds, J. H. & Heeger, D. J. (2009). The normalization model of attention. Neuron 61,
168–185.
Treue, S. & Martinez-Trujillo, J. C. (1999). Feature-based attention influences motion
processing gain in macaque visual cortex. Nature 399, 575–579.
Maljkovic, V. & Nakayama, K. (1994). Priming of pop-out: I. Role of features. Memory &
Cognition 22, 657–672.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from ..dynamics.checks import check_number

__all__ = [
    "AttentionField",
    "Spot",
    "feature_dimension",
    "target_profile",
    "update_history",
]


def feature_dimension(name: str) -> str:
    """The dimension of a feature map: ``colour``, ``orientation`` or ``intensity``."""
    if name.startswith("orientation"):
        return "orientation"
    if name.startswith("intensity"):
        return "intensity"
    return "colour"


@dataclass(frozen=True)
class Spot:
    """One Gaussian spot of spatial attention.

    Attributes
    ----------
    x, y : float
        Centre in image pixels (column, row).
    width : float
        σ of the Gaussian as a fraction of the longer image side.
    peak : float
        A at the centre (> 0; 1 is no attention, above 1 enhances, below 1 suppresses).
    """

    x: float
    y: float
    width: float = 0.08
    peak: float = 2.0

    def __post_init__(self) -> None:
        check_number(self.x, "spot x")
        check_number(self.y, "spot y")
        check_number(self.width, "spot width", gt=0, le=10)
        check_number(self.peak, "spot peak", gt=0, le=100)


@dataclass(frozen=True)
class AttentionField:
    """A(x, f): spatial spots times per-feature gains (see the module docstring).

    Attributes
    ----------
    spots : tuple of Spot
        Spatial attention (the winner, cues); none: A_space = 1.
    gains : mapping of str to float
        A_feature · A_history per feature map name (``red``, ``orientation_45``,
        ``intensity_on``, …); names not given have gain one.
    """

    spots: tuple[Spot, ...] = ()
    gains: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        for name, g in self.gains.items():
            check_number(g, f"attention gain of {name!r}", gt=0, le=100)

    @property
    def flat(self) -> bool:
        """True when A = 1 everywhere (the encoding is then the bottom-up one)."""
        spots_flat = all(s.peak == 1.0 for s in self.spots)
        return spots_flat and all(g == 1.0 for g in self.gains.values())

    def gain(self, name: str) -> float:
        """A_feature · A_history of one feature map (one when not named)."""
        return float(self.gains.get(name, 1.0))

    def spatial(self, shape: tuple[int, int], image_shape: tuple[int, int]) -> np.ndarray:
        """A_space on a grid of ``shape`` covering an image of ``image_shape`` (H, W).

        Cell (i, j) stands for the image point ((j + ½) W/w, (i + ½) H/h).
        """
        return spatial_sum([spot_term(s, shape, image_shape) for s in self.spots], shape)

    def priority(
        self, contrast: Mapping[str, np.ndarray], image_shape: tuple[int, int]
    ) -> np.ndarray:
        r"""The field as seen by the competition's units at map level, ``(h, w)``.

        A unit of the saliency (priority) map at x stands for the features present
        there, so it takes the field's mean gain over them, weighted by their contrast
        C_f(x), times the spatial field:

        .. math:: A(x) = A_{\mathrm{space}}(x)\,
                  \frac{Σ_f A_f C_f(x) + ε}{Σ_f C_f(x) + ε}

        (the form of the task's input gain in :mod:`.feedback`; ε = 10⁻³, so a cell with
        no feature takes one). Ours.
        """
        some = next(iter(contrast.values()))
        shape = (int(some.shape[0]), int(some.shape[1]))
        out = self.spatial(shape, image_shape)
        named = [n for n in contrast if n in self.gains]
        if named:
            maps = np.stack([contrast[n] for n in contrast])  # (F, h, w)
            gains = np.array([self.gain(n) for n in contrast], np.float32)  # (F,)
            weighted = np.tensordot(gains, maps, axes=1)  # (h, w)
            out = out * ((weighted + 1e-3) / (maps.sum(axis=0) + 1e-3)).astype(np.float32)
        return out

    def combined(self, other: AttentionField) -> AttentionField:
        """The product field: spots of both, gains multiplied."""
        names = set(self.gains) | set(other.gains)
        gains = {n: self.gain(n) * other.gain(n) for n in sorted(names)}
        return AttentionField(self.spots + other.spots, MappingProxyType(gains))


def spot_term(spot: Spot, shape: tuple[int, int], image_shape: tuple[int, int]) -> np.ndarray:
    """One spot's term of A_space, (a − 1) exp(−|x − x_k|² / 2w²), float32 on a grid of
    ``shape`` over an image of ``image_shape`` (see :meth:`AttentionField.spatial`)."""
    h, w = shape
    height, width = image_shape
    ys = (np.arange(h, dtype=np.float64) + 0.5) * height / h
    xs = (np.arange(w, dtype=np.float64) + 0.5) * width / w
    sigma = spot.width * float(max(height, width))
    gy = np.exp(-((ys - spot.y) ** 2) / (2 * sigma**2))
    gx = np.exp(-((xs - spot.x) ** 2) / (2 * sigma**2))
    return np.float32(spot.peak - 1.0) * np.outer(gy, gx).astype(np.float32)


def spatial_sum(terms: list[np.ndarray], shape: tuple[int, int]) -> np.ndarray:
    """A_space from the spots' terms (:func:`spot_term`): 1 + Σ terms, at least 10⁻³."""
    out = np.ones(shape, np.float32)
    if not terms:
        return out
    for term in terms:
        out += term
    return np.maximum(out, np.float32(1e-3), out=out)


def update_history(
    history: Mapping[str, float],
    profile: Mapping[str, float],
    *,
    decay: float,
    boost: float,
    peak: float,
) -> dict[str, float]:
    r"""One trial's update of the priming gains (ours; after Maljkovic & Nakayama 1994).

    With p_f ∈ [0, 1] the attended target's profile (its response in feature map f,
    divided by the largest in f's dimension) and p̄ the mean over that dimension, the
    log-gains follow

    .. math:: \ell_f \leftarrow \lambda\,\ell_f + \eta\,(p_f - \bar p), \qquad
              A_{\mathrm{history}}(f) = \min(\max(e^{\ell_f}, 1/a), a)

    so a repeated feature accumulates gain and an unrepeated one decays by λ per trial
    (λ = ``decay``, η = ``boost``, a = ``peak``).
    """
    logs = {n: math.log(g) for n, g in history.items()}
    by_dim: dict[str, list[str]] = {}
    for name in profile:
        by_dim.setdefault(feature_dimension(name), []).append(name)
    centred: dict[str, float] = {}
    for names in by_dim.values():
        mean = float(np.mean([profile[n] for n in names]))
        centred.update({n: profile[n] - mean for n in names})
    out: dict[str, float] = {}
    for name in sorted(set(logs) | set(centred)):
        value = decay * logs.get(name, 0.0) + boost * centred.get(name, 0.0)
        out[name] = float(min(max(math.exp(value), 1.0 / peak), peak))
    return out


def target_profile(maps: Mapping[str, np.ndarray], cell: tuple[int, int]) -> dict[str, float]:
    """p_f: each map's value at ``cell`` (row, col; the maximum over the 3 × 3 cells
    around it) divided by the largest in its dimension (dimensions without any: left out).
    """
    row, col = cell
    values = {
        n: float(m[max(row - 1, 0) : row + 2, max(col - 1, 0) : col + 2].max())
        for n, m in maps.items()
    }
    top: dict[str, float] = {}
    for n, v in values.items():
        dim = feature_dimension(n)
        top[dim] = max(top.get(dim, 0.0), v)
    return {
        n: v / top[feature_dimension(n)] for n, v in values.items() if top[feature_dimension(n)] > 0
    }
