"""Builders for the synaptic weight matrix W of a competition network.

All builders return a dense float64 ``(N, N)`` numpy array; ``W[i, j]`` is the weight from
neuron j onto neuron i (row = target, column = source). Every parameter is checked: a
non-finite weight or width is a ValueError (a NaN would reach every rate), and ``N²`` may not
exceed ``LIMITS.max_weights`` (a mistyped ``n`` would otherwise ask for gigabytes).
"""

from __future__ import annotations

import numpy as np

from ._limits import check_dense
from .checks import check_finite_array, check_integer, check_number, check_seed


def _check_n(n: int) -> int:
    """``n`` as an int ≥ 1 whose dense ``n × n`` matrix is within ``LIMITS.max_weights``."""
    n = check_integer(n, "n", ge=1)
    check_dense(n, f"a {n} × {n} weight matrix")
    return n


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
    weight = check_number(weight, "weight")
    diagonal = weight if self_weight is None else check_number(self_weight, "self_weight")
    W = np.full((n, n), weight)
    np.fill_diagonal(W, diagonal)
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
    mean = check_number(mean, "mean")
    std = check_number(std, "std", ge=0)
    if not isinstance(nonnegative, (bool, np.bool_)):
        raise TypeError(f"nonnegative must be True or False, got {nonnegative!r}")
    rng = np.random.default_rng(check_seed(seed))
    with np.errstate(over="ignore", invalid="ignore"):
        W = rng.normal(mean / n, std / np.sqrt(n), size=(n, n))
    return _finite(np.clip(W, 0.0, None) if nonnegative else W)


def _gaussian(d: np.ndarray, sigma: float) -> np.ndarray:
    """exp(−d²/2σ²) without overflow for any finite σ > 0 (σ = 1e300 gives 1, 1e-300 a spike)."""
    with np.errstate(over="ignore", under="ignore"):
        return np.exp(-0.5 * np.square(d / sigma))


def _finite(W: np.ndarray) -> np.ndarray:
    """``W`` if every weight is finite (finite amplitudes near 1e308 can still overflow)."""
    if not np.isfinite(W).all():
        raise ValueError("the weights overflow: the amplitudes are too large")
    return W


def _ring_distance(n: int) -> np.ndarray:
    idx = np.arange(n)
    d = np.abs(idx[:, None] - idx[None, :])
    return np.minimum(d, n - d).astype(np.float64)


def ring(n: int, *, weight: float = 1.0, width: float = 2.0) -> np.ndarray:
    """Distance-dependent weights on a ring: w_ij = weight · exp(-d_ij² / (2 width²)).

    d_ij is the shortest distance between i and j around the ring of n neurons.
    """
    n = _check_n(n)
    weight = check_number(weight, "weight")
    width = check_number(width, "width", gt=0)
    return weight * _gaussian(_ring_distance(n), width)


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
    near neighbours excite, far ones inhibit (Amari 1977). The weights are a function of
    the shortest distance, as written; :class:`NeuralField` with a periodic boundary instead
    sums the plane's kernel over the ring's periodic images (the two differ when σ is
    not small against the ring).

    References
    ----------
    Amari, S. (1977). Dynamics of pattern formation in lateral-inhibition type neural
    fields. Biological Cybernetics 27, 77–87.
    """
    n = _check_n(n)
    a_exc, a_inh = check_number(a_exc, "a_exc"), check_number(a_inh, "a_inh")
    sigma_exc = check_number(sigma_exc, "sigma_exc", gt=0)
    sigma_inh = check_number(sigma_inh, "sigma_inh", gt=0)
    d = _ring_distance(n)
    return _finite(a_exc * _gaussian(d, sigma_exc) - a_inh * _gaussian(d, sigma_inh))


def check_weights(W: object, name: str = "W") -> np.ndarray:
    """Validate a weight matrix: numeric, finite, square, 2-D."""
    arr = check_finite_array(W, name)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1] or arr.shape[0] == 0:
        raise ValueError(
            f"{name} must be a square (N, N) matrix with N >= 1, got shape {arr.shape}"
        )
    return arr


BUILDERS = {"uniform": uniform, "random": random, "ring": ring, "mexican_hat": mexican_hat}
