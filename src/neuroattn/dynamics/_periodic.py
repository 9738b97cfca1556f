"""The Gaussian wrapped onto a ring: the plane's kernel summed over its periodic images.

Shared by the ring builders (:func:`~._connectivity.ring`, :func:`~._connectivity.mexican_hat`)
and :class:`~._fields.NeuralField` with a periodic boundary, so that a weight matrix built for
a ring and a field on the same ring hold the same numbers.
"""

from __future__ import annotations

import math

import numpy as np


def periodic_gaussian(d: np.ndarray, sigma: float, period: float) -> np.ndarray:
    r"""Σ_k exp(−(d + k P)² / 2σ²) over all periodic images k ∈ ℤ, for displacements ``d``.

    The plane's Gaussian wrapped onto a ring of length P. For σ ≤ P the images |k| ≤
    ⌈9σ/P⌉ + 1 are summed (the next ones are below e⁻⁵⁰ of the peak); for σ > P the sum is
    taken in its Poisson form, (√(2π) σ/P) [1 + 2 Σ_{m=1}^{3} e^{−2π² m² σ²/P²} cos(2π m d/P)]
    (the next term is below e⁻³¹⁶). Either way a few terms, for any σ.
    """
    d = np.asarray(d, dtype=np.float64)
    r = sigma / period
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        if r <= 1.0:
            ks = np.arange(-(math.ceil(9 * r) + 1), math.ceil(9 * r) + 2)
            return np.exp(-0.5 * np.square((d[..., None] + ks * period) / sigma)).sum(-1)
        m = np.arange(1, 4)
        waves = np.exp(-2 * math.pi**2 * np.square(m * r)) * np.cos(
            2 * math.pi * m * (d[..., None] / period)
        )
        return math.sqrt(2 * math.pi) * r * (1 + 2 * waves.sum(-1))
