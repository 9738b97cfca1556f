"""Builders for the synaptic weight matrix W of a competition network.

All builders return a dense float64 ``(N, N)`` numpy array; ``W[i, j]`` is the weight from
neuron j onto neuron i (row = target, column = source). Every parameter is checked: a
non-finite weight or width is a ValueError (a NaN would reach every rate), and ``N²`` may not
exceed ``LIMITS.max_weights`` (a mistyped ``n`` would otherwise ask for gigabytes).
"""

from __future__ import annotations

import numpy as np

from ._limits import check_dense
from ._periodic import periodic_gaussian
from .checks import (
    check_choice,
    check_finite_array,
    check_integer,
    check_number,
    check_seed,
)


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


def _finite(W: np.ndarray, culprits: str = "the amplitudes are") -> np.ndarray:
    """``W`` if every weight is finite (finite amplitudes near 1e308 can still overflow)."""
    if not np.isfinite(W).all():
        raise ValueError(f"the weights overflow: {culprits} too large")
    return W


_WRAPS = ("images", "shortest")
# a width far beyond the ring folds many images together: the sum grows as √(2π) σ / n
_CULPRITS = "the amplitudes, or the widths summed over the ring's images, are"


def _ring_distance(n: int) -> np.ndarray:
    """|i − j| reduced to the shortest way around a ring of n units, as floats."""
    idx = np.arange(n)
    d = np.abs(idx[:, None] - idx[None, :])
    return np.minimum(d, n - d).astype(np.float64)


def _ring_gaussian(n: int, sigma: float, wrap: str) -> np.ndarray:
    """The (n, n) matrix of the Gaussian of width σ between units i and j of the ring:
    Σ_k exp(−(d_ij + k n)² / 2σ²) over the periodic images (``wrap="images"``), or
    exp(−d_ij² / 2σ²) at the shortest distance d_ij alone (``wrap="shortest"``)."""
    d = _ring_distance(n)
    return periodic_gaussian(d, sigma, float(n)) if wrap == "images" else _gaussian(d, sigma)


def ring(n: int, *, weight: float = 1.0, width: float = 2.0, wrap: str = "images") -> np.ndarray:
    r"""Distance-dependent Gaussian weights on a ring of n neurons.

    .. math::

        w_{ij} = \text{weight} \sum_{k \in ℤ} \exp\left(-\frac{(d_{ij} + k n)^2}
                 {2\,\text{width}^2}\right)

    d_ij = min(|i − j|, n − |i − j|), the shortest distance around the ring (unit spacing).
    By default the plane's Gaussian is summed over the ring's periodic images (our choice,
    the same kernel as :class:`NeuralField` with ``boundary="periodic"`` and ``dx = 1``):
    a width beyond about n/4 makes the far images matter, and a width much larger than n
    gives nearly equal weights of about weight · √(2π) width / n, as the plane's kernel
    folded onto the ring does.

    Parameters
    ----------
    n : int
        Number of neurons.
    weight : float
        Amplitude of the Gaussian (finite).
    width : float
        Its width σ in units of the spacing (finite, > 0).
    wrap : {"images", "shortest"}
        ``"images"`` (default) sums the periodic images; ``"shortest"`` evaluates the
        Gaussian at the shortest distance only, ``weight · exp(−d_ij² / 2 width²)`` (the
        earlier form). The two differ by at most about exp(−n² / 8 width²) · |weight|,
        below 1e-10 of the peak for width ≤ n/14.
    """
    n = _check_n(n)
    weight = check_number(weight, "weight")
    width = check_number(width, "width", gt=0)
    check_choice(wrap, "wrap", _WRAPS)
    with np.errstate(over="ignore", invalid="ignore"):
        W = weight * _ring_gaussian(n, width, wrap)
    return _finite(W, _CULPRITS)


def mexican_hat(
    n: int,
    *,
    a_exc: float = 1.0,
    sigma_exc: float = 2.0,
    a_inh: float = 0.5,
    sigma_inh: float = 6.0,
    wrap: str = "images",
) -> np.ndarray:
    r"""Difference-of-Gaussians ("Mexican hat") weights on a ring of n neurons.

    .. math::

        w_{ij} = \sum_{k \in ℤ} w(d_{ij} + k n), \qquad
        w(d) = a_{exc} e^{-d^2 / 2σ_{exc}^2} - a_{inh} e^{-d^2 / 2σ_{inh}^2}

    near neighbours excite, far ones inhibit (Amari 1977, whose kernel lives on the line).
    Folding it onto the ring by summing its periodic images is our choice, the same as
    :class:`NeuralField` with ``boundary="periodic"``, ``dx = 1`` and the same amplitudes
    and widths: the two give the same matrix. ``wrap="shortest"`` evaluates w at the
    shortest distance d_ij only, as neuroattn did before; the two differ when σ_inh is not
    small against the ring (the defaults on a 20-unit ring: by up to 0.12 per weight and
    0.72 in a row's sum).

    Parameters
    ----------
    n : int
        Number of neurons.
    a_exc, a_inh : float
        Amplitudes of excitation and inhibition (finite).
    sigma_exc, sigma_inh : float
        Their widths in units of the spacing (finite, > 0).
    wrap : {"images", "shortest"}
        Sum the periodic images (default) or use the shortest distance only.

    References
    ----------
    Amari, S. (1977). Dynamics of pattern formation in lateral-inhibition type neural
    fields. Biological Cybernetics 27, 77–87.
    """
    n = _check_n(n)
    a_exc, a_inh = check_number(a_exc, "a_exc"), check_number(a_inh, "a_inh")
    sigma_exc = check_number(sigma_exc, "sigma_exc", gt=0)
    sigma_inh = check_number(sigma_inh, "sigma_inh", gt=0)
    check_choice(wrap, "wrap", _WRAPS)
    with np.errstate(over="ignore", invalid="ignore"):
        W = a_exc * _ring_gaussian(n, sigma_exc, wrap) - a_inh * _ring_gaussian(n, sigma_inh, wrap)
    return _finite(W, _CULPRITS)


def check_weights(W: object, name: str = "W") -> np.ndarray:
    """Validate a weight matrix: numeric, finite, square, 2-D."""
    arr = check_finite_array(W, name)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1] or arr.shape[0] == 0:
        raise ValueError(
            f"{name} must be a square (N, N) matrix with N >= 1, got shape {arr.shape}"
        )
    return arr


BUILDERS = {"uniform": uniform, "random": random, "ring": ring, "mexican_hat": mexican_hat}
