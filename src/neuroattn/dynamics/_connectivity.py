"""Builders for the synaptic weight matrix W of a competition network.

All builders return a dense float64 ``(N, N)`` numpy array; ``W[i, j]`` is the weight from
neuron j onto neuron i (row = target, column = source).
"""

from __future__ import annotations

import numpy as np

from .checks import check_finite_array, check_integer, check_number


def _check_n(n: int) -> int:
    return check_integer(n, "n", ge=1)


def uniform(n: int, weight: float = 1.0, *, self_weight: float | None = None) -> np.ndarray:
    """All-to-all connectivity with equal weights.

    Parameters
    ----------
    n : int
        Number of neurons.
    weight : float
        Every off-diagonal weight w_ij, i ≠ j.
    self_weight : float, optional
        Diagonal w_ii; defaults to ``weight``.
    """
    n = _check_n(n)
    W = np.full((n, n), float(weight))
    np.fill_diagonal(W, float(weight if self_weight is None else self_weight))
    return W


def random(
    n: int,
    *,
    mean: float = 1.0,
    std: float = 0.1,
    nonnegative: bool = True,
    seed: int | np.random.Generator | None = None,
) -> np.ndarray:
    """Gaussian random weights w_ij ~ N(mean / n, (std / sqrt(n))²).

    Scaling by n keeps the summed input of order one as n grows.

    Parameters
    ----------
    n : int
        Number of neurons.
    mean, std : float
        Mean and spread of the summed weight onto one neuron.
    nonnegative : bool
        Clip negative weights to zero (Dale-like excitatory weights).
    seed : int or numpy.random.Generator, optional
        Source of randomness; the global numpy seed is never used.
    """
    n = _check_n(n)
    check_number(std, "std", ge=0)
    rng = np.random.default_rng(seed)
    W = rng.normal(mean / n, std / np.sqrt(n), size=(n, n))
    return np.clip(W, 0.0, None) if nonnegative else W


def _ring_distance(n: int) -> np.ndarray:
    idx = np.arange(n)
    d = np.abs(idx[:, None] - idx[None, :])
    return np.minimum(d, n - d).astype(np.float64)


def ring(n: int, *, weight: float = 1.0, width: float = 2.0) -> np.ndarray:
    """Distance-dependent weights on a ring: w_ij = weight · exp(-d_ij² / (2 width²)).

    d_ij is the shortest distance between i and j around the ring of n neurons.
    """
    n = _check_n(n)
    check_number(width, "width", gt=0)
    d = _ring_distance(n)
    return float(weight) * np.exp(-(d**2) / (2 * width**2))


def mexican_hat(
    n: int,
    *,
    a_exc: float = 1.0,
    sigma_exc: float = 2.0,
    a_inh: float = 0.5,
    sigma_inh: float = 6.0,
) -> np.ndarray:
    """Difference-of-Gaussians ("Mexican hat") weights on a ring.

    w_ij = a_exc · exp(-d²/(2 σ_exc²)) − a_inh · exp(-d²/(2 σ_inh²)), d the ring distance:
    near neighbours excite, far ones inhibit (Amari 1977).

    References
    ----------
    Amari, S. (1977). Dynamics of pattern formation in lateral-inhibition type neural
    fields. Biological Cybernetics 27, 77–87.
    """
    n = _check_n(n)
    check_number(sigma_exc, "sigma_exc", gt=0)
    check_number(sigma_inh, "sigma_inh", gt=0)
    d2 = _ring_distance(n) ** 2
    return a_exc * np.exp(-d2 / (2 * sigma_exc**2)) - a_inh * np.exp(-d2 / (2 * sigma_inh**2))


def check_weights(W: object, name: str = "W") -> np.ndarray:
    """Validate a weight matrix: numeric, finite, square, 2-D."""
    arr = check_finite_array(W, name)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise ValueError(f"{name} must be a square (N, N) matrix, got shape {arr.shape}")
    return arr


BUILDERS = {"uniform": uniform, "random": random, "ring": ring, "mexican_hat": mexican_hat}
