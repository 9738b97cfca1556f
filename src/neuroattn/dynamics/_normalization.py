"""The normalisation model of attention (Reynolds & Heeger 2009): the shared divisive stage.

Published (Reynolds & Heeger 2009, Neuron 61:168-185, eq. 1)::

    R(x, θ) = A(x, θ) E(x, θ) / (S(x, θ) + σ),      S(x, θ) = s(x, θ) ∗ [A(x, θ) E(x, θ)]

E is the stimulus drive, A the attention field (1 where nothing is attended), s the
suppressive field (a Gaussian over space and feature) and σ the semi-saturation constant.
As in the authors' MATLAB code, each kernel is a Gaussian whose width is its standard
deviation (not its FWHM) in grid samples, normalised to unit sum; space is zero-padded at the
edges and orientation is circular; there is no exponent.

Ours: the layout (any number of pooled axes after leading batch axes), a per-axis boundary
("zero", "reflect" or "circular"), ``None`` for no pooling and ``inf`` for the global mean on an
axis, and the exact evaluation of each Gaussian (sampled, untruncated, summed over the periodic
images for circular and reflected axes) by FFT. ``attention_modulation`` (the gain map the image
pipeline applies, R(A)/R(1)) is a rearrangement of eq. 1, not a published quantity.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.fft

from .checks import check_choice, check_finite_array, check_number

__all__ = ["BOUNDARIES", "attention_modulation", "attention_normalization", "suppressive_pool"]

#: Boundary conditions of a pooled axis.
BOUNDARIES = ("zero", "reflect", "circular")

Width = float | None
PoolSpec = Width | Sequence[Width]
BoundarySpec = str | Sequence[str]


def _widths(pool: Any) -> tuple[float | None, ...]:
    """``pool`` as a tuple of per-axis widths (``None``, ``inf`` or a number > 0)."""
    scalar = pool is None or (np.ndim(pool) == 0 and not isinstance(pool, str))
    items = [pool] if scalar else pool
    if isinstance(items, str) or not isinstance(items, (Sequence, np.ndarray)):
        raise TypeError(f"pool must be a width or a sequence of widths (or None), got {pool!r}")
    if not len(items):
        raise ValueError("pool must give at least one width (None for no pooling), got none")
    out: list[float | None] = []
    for i, w in enumerate(items):
        ok = isinstance(w, (int, float, np.integer, np.floating)) and not isinstance(w, bool)
        if w is None:
            out.append(None)
        elif ok and (w == math.inf or (math.isfinite(w) and w > 0)):
            out.append(float(w))
        else:
            raise ValueError(f"pool[{i}] must be None, inf or a number > 0, got {w!r}")
    return tuple(out)


def _boundaries(boundary: Any, n: int) -> tuple[str, ...]:
    if not isinstance(boundary, (str, Sequence)):
        raise TypeError(f"boundary must be a name or a sequence of names, got {boundary!r}")
    items = [boundary] * n if isinstance(boundary, str) else list(boundary)
    if len(items) != n:
        raise ValueError(
            f"boundary must be one name or {n} names (one per pooled axis), got {boundary!r}"
        )
    return tuple(check_choice(b, f"boundary[{i}]", BOUNDARIES) for i, b in enumerate(items))


def _gaussian_sum(sd: float) -> float:
    """Σ_t exp(-t²/2sd²) over all integers t (Poisson summation for wide kernels)."""
    if sd >= 2.0:
        return sd * math.sqrt(2 * math.pi) * (1 + 2 * math.exp(-2 * math.pi**2 * sd**2))
    t = np.arange(-math.ceil(10 * sd) - 1, math.ceil(10 * sd) + 2)
    return float(np.exp(-(t**2) / (2 * sd**2)).sum())


def _periodic_kernel_ft(sd: float, period: int) -> np.ndarray:
    """rfft of the unit-sum sampled Gaussian ``sd`` summed over its images of ``period``."""
    reach = math.ceil(8 * sd)
    if reach <= 4 * period:
        t = np.arange(-reach, reach + 1)
        kernel = np.zeros(period)
        np.add.at(kernel, t % period, np.exp(-(t**2) / (2 * sd**2)))
        return scipy.fft.rfft(kernel / _gaussian_sum(sd))
    # sd > period / 2 >= 1: the Fourier series of the periodised Gaussian (Poisson summation).
    f = np.arange(period // 2 + 1) / period
    terms = np.zeros_like(f)
    for m in (-2, -1, 0, 1, 2):
        terms += np.exp(-2 * math.pi**2 * sd**2 * (f - m) ** 2)
    return terms / (1 + 2 * math.exp(-2 * math.pi**2 * sd**2))


def _zero_kernel_ft(sd: float, n: int) -> tuple[int, np.ndarray]:
    """FFT length and rfft of the unit-sum sampled Gaussian cut at the offsets a length-n
    axis sees; the length (>= n + reach) keeps the circular convolution free of wrap-around."""
    reach = min(math.ceil(8 * sd), n - 1)
    period = scipy.fft.next_fast_len(n + reach, real=True)
    t = np.arange(-reach, reach + 1)
    kernel = np.zeros(period)
    kernel[t % period] = np.exp(-(t**2) / (2 * sd**2)) / _gaussian_sum(sd)
    return period, scipy.fft.rfft(kernel)


def _blur_axis(x: np.ndarray, sd: float, axis: int, boundary: str) -> np.ndarray:
    """``x`` convolved along ``axis`` with a unit-sum Gaussian of ``sd`` samples."""
    n = x.shape[axis]
    if sd < 0.05 or x.size == 0:  # the neighbours' weight is below exp(-200): the identity
        return x
    if math.isinf(sd):
        return np.broadcast_to(x.mean(axis=axis, keepdims=True), x.shape)
    sd = min(sd, 1e100)  # wider is the same to float precision; sd**2 must not overflow
    if boundary == "circular":
        period, signal, kft = n, x, _periodic_kernel_ft(sd, n)
    elif boundary == "reflect":  # d c b a | a b c d | d c b a: period 2n
        period, signal = 2 * n, np.concatenate([x, np.flip(x, axis=axis)], axis=axis)
        kft = _periodic_kernel_ft(sd, period)
    else:
        signal = x
        period, kft = _zero_kernel_ft(sd, n)
    shape = [1] * x.ndim
    shape[axis] = kft.shape[0]
    spectrum = scipy.fft.rfft(signal, n=period, axis=axis)
    spectrum *= kft.reshape(shape).astype(spectrum.dtype)
    out = scipy.fft.irfft(spectrum, n=period, axis=axis)
    return np.take(out, np.arange(n), axis=axis).astype(x.dtype, copy=False)


def _inputs(
    drive: Any, attention: Any, pool: Any, boundary: Any
) -> tuple[np.ndarray, np.ndarray | None, tuple[float | None, ...], tuple[str, ...]]:
    """Checked drive, attention (or None), widths and boundaries."""
    dtype = np.float32 if getattr(drive, "dtype", None) == np.float32 else np.float64
    e = check_finite_array(drive, "drive", dtype)
    if e.size and e.min() < 0:
        raise ValueError(f"drive must be >= 0 everywhere, got a minimum of {e.min()!r}")
    widths = _widths(pool)
    if len(widths) > e.ndim:
        raise ValueError(
            f"pool must give at most one width per axis of drive ({e.ndim}), got {len(widths)}"
        )
    a = None
    if attention is not None:
        a = check_finite_array(attention, "attention", dtype)
        if a.size and a.min() < 0:
            raise ValueError(f"attention must be >= 0 everywhere, got a minimum of {a.min()!r}")
        try:
            shape = np.broadcast_shapes(a.shape, e.shape)
        except ValueError:
            shape = None
        if shape != e.shape:
            raise ValueError(
                f"attention must broadcast to the shape of drive {e.shape}, got shape {a.shape}"
            )
    return e, a, widths, _boundaries(boundary, len(widths))


def _finite(x: np.ndarray, what: str) -> np.ndarray:
    if not np.all(np.isfinite(x)):
        raise ValueError(
            f"{what} must be finite in {x.dtype}, got values that overflow "
            "(scale the drive or the attention field down)"
        )
    return x


def _pool(
    excitation: np.ndarray, widths: tuple[float | None, ...], boundaries: tuple[str, ...]
) -> np.ndarray:
    _finite(excitation, "attention * drive")
    peak = excitation.max() if excitation.size else 0
    big = peak > math.sqrt(np.finfo(excitation.dtype).max)
    if big:  # the pool is linear: pooled at a peak of 1, so FFT sums cannot overflow
        excitation = excitation / peak
    out = excitation
    first = excitation.ndim - len(widths)
    for k, (w, b) in enumerate(zip(widths, boundaries, strict=True)):
        if w is not None:
            out = _blur_axis(out, w, first + k, b)
    # a writeable copy, never a view; FFT rounding (~1e-16 of the peak) below 0 is cut, as the
    # exact pool of a drive >= 0 is >= 0
    out = np.maximum(out, 0, dtype=excitation.dtype)
    return out * peak if big else out


def suppressive_pool(
    drive: Any,
    attention: Any = None,
    *,
    pool: PoolSpec,
    boundary: BoundarySpec = "zero",
) -> np.ndarray:
    """The suppressive drive S = s ∗ [A·E] of the normalisation model of attention.

    Parameters
    ----------
    drive : array_like, shape (..., *pooled)
        The stimulus drive E >= 0. The last ``len(pool)`` axes are pooled (for the
        authors' model: (orientation, space)); axes in front are batch axes.
    attention : array_like, optional
        The attention field A >= 0, broadcastable to ``drive`` (e.g. shape (1, H, W) for a
        spatial field, (F, 1, 1) for a feature-based one). None means A = 1.
    pool : float, None or sequence of them
        Width (standard deviation, in samples) of the Gaussian suppressive field along each
        pooled axis: a number > 0, ``None`` (no pooling on that axis) or ``inf`` (the mean
        over the whole axis). The kernel is sampled, untruncated and normalised to unit sum.
    boundary : {"zero", "reflect", "circular"} or sequence of them
        Edge handling per pooled axis: "zero" pads with zeros (space, as in the authors'
        code), "reflect" mirrors (d c b a | a b c d), "circular" wraps (orientation, hue).

    Returns
    -------
    numpy.ndarray
        S, the shape and float dtype (float32 or float64) of ``drive``.

    References
    ----------
    Reynolds, J. H. & Heeger, D. J. (2009). The normalization model of attention.
    Neuron 61, 168-185.
    """
    e, a, widths, boundaries = _inputs(drive, attention, pool, boundary)
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is refused by _finite
        return _pool(e if a is None else a * e, widths, boundaries)


def attention_normalization(
    drive: Any,
    attention: Any = None,
    *,
    pool: PoolSpec,
    sigma: float = 1e-6,
    boundary: BoundarySpec = "zero",
) -> np.ndarray:
    """The population response R = A·E / (s ∗ [A·E] + σ) (Reynolds & Heeger 2009, eq. 1).

    The one normalisation of the project: the standalone
    :class:`~neuroattn.dynamics.NormalizationModel` and the image pipeline's encoding stage
    both call it. With A = 1 and no pooling (``pool=None``) it is E / (E + σ).

    Parameters
    ----------
    drive, attention, pool, boundary
        As in :func:`suppressive_pool`.
    sigma : float, default 1e-6
        The semi-saturation constant σ > 0 (1e-6 in the authors' simulations).

    Returns
    -------
    numpy.ndarray
        R, the shape and float dtype of ``drive``.

    Examples
    --------
    >>> import numpy as np
    >>> e = np.ones((4, 16))  # (orientation, space)
    >>> attention_normalization(e, pool=(np.inf, 3.0), boundary=("circular", "zero")).shape
    (4, 16)
    """
    return _response_and_pool(drive, attention, pool=pool, sigma=sigma, boundary=boundary)[0]


def _response_and_pool(
    drive: Any, attention: Any, *, pool: PoolSpec, sigma: float, boundary: BoundarySpec
) -> tuple[np.ndarray, np.ndarray]:
    """R and S of :func:`attention_normalization` (the pool computed once)."""
    e, a, widths, boundaries = _inputs(drive, attention, pool, boundary)
    s = e.dtype.type(check_number(sigma, "sigma", gt=0))
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is refused by _finite
        excitation = e if a is None else a * e
        suppression = _pool(excitation, widths, boundaries)
        return _finite(excitation / (suppression + s), "the response"), suppression


def attention_modulation(
    drive: Any,
    attention: Any,
    *,
    pool: PoolSpec,
    sigma: float = 1e-6,
    boundary: BoundarySpec = "zero",
) -> np.ndarray:
    """The gain map R(A) / R(1) = A·(S₁ + σ) / (S_A + σ) that attention applies to the response.

    S₁ = s ∗ E is the suppressive pool without attention, S_A = s ∗ [A·E] with it, so that
    ``attention_normalization(E, A) == attention_modulation(E, A) * attention_normalization(E)``.
    Unlike the ratio of the two responses it is finite where E = 0 (both pools plus σ are
    > 0), so it can multiply feature maps whose normalisation is done elsewhere. The
    rearrangement is ours; eq. 1 is Reynolds & Heeger's (2009).

    Parameters
    ----------
    drive, attention, pool, sigma, boundary
        As in :func:`attention_normalization`; ``attention`` is required.

    Returns
    -------
    numpy.ndarray
        The gain, the shape and float dtype of ``drive``; 1 where A = 1 and the pool is unchanged.
    """
    if attention is None:
        raise TypeError("attention must be an array (the attention field), got None")
    e, a, widths, boundaries = _inputs(drive, attention, pool, boundary)
    s = e.dtype.type(check_number(sigma, "sigma", gt=0))
    assert a is not None
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is refused by _finite
        plain = _pool(e, widths, boundaries)
        attended = _pool(a * e, widths, boundaries)
        return _finite(a * ((plain + s) / (attended + s)), "the modulation")
