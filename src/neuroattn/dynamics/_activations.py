"""Activation functions f(u) for rate models, with their derivatives.

Every activation works on numpy arrays and on torch tensors. Parameters (gain, threshold)
broadcast against leading batch dimensions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._backend import Array
from .checks import check_numbers, is_torch


@dataclass(frozen=True)
class Activation:
    """A pointwise firing-rate function f and its derivative f'.

    Parameters
    ----------
    name : str
        Short name used in configs and reports.
    f, df : callable
        ``f(u)`` and ``f'(u)``, numpy or torch arrays in, same type out.
    """

    name: str
    f: Callable[[Array], Array]
    df: Callable[[Array], Array]
    f_numpy: Callable[[Array], Array] | None = None  # numpy-only f without dispatch (fast path)
    tanh_form: tuple[float, float] | None = None  # (s, c) with f(u) = (1 + tanh(s u − c)) / 2

    def __call__(self, u: Array) -> Array:
        return self.f(u)


def sigmoid(gain: float = 1.0, threshold: float = 0.0) -> Activation:
    """Logistic rate function f(u) = 1 / (1 + exp(-gain (u - threshold))).

    Parameters
    ----------
    gain : float
        Slope at the threshold is ``gain / 4``. Must be positive.
    threshold : float
        Input at which the rate is one half.
    """
    half_gain: Any = 0.5 * check_numbers(gain, "sigmoid gain", gt=0)
    with np.errstate(over="ignore"):
        shift: Any = half_gain * check_numbers(threshold, "sigmoid threshold")
    if not np.isfinite(shift).all():
        raise ValueError("sigmoid gain × threshold overflows: give a smaller gain or threshold")
    if half_gain.ndim == 0 and shift.ndim == 0:
        half_gain, shift = float(half_gain), float(shift)

    def f_numpy(u: np.ndarray) -> np.ndarray:
        # σ(x) = (1 + tanh(x / 2)) / 2: numpy's tanh is vectorised and ~3× faster than
        # expit; absolute error ≤ 1.2e-16 (tiny rates round to 0 rather than to 1e-20)
        x = u * half_gain if u.dtype == np.float64 else u * u.dtype.type(half_gain)
        x -= shift
        np.tanh(x, out=x)
        x *= 0.5
        x += 0.5
        return x

    def f(u: Array) -> Array:
        if is_torch(u):
            return (2 * half_gain * (u - threshold)).sigmoid()
        return f_numpy(np.asarray(u))

    def df(u: Array) -> Array:
        s = f(u)
        return gain * s * (1 - s)

    form = (half_gain, shift) if isinstance(half_gain, float) else None
    return Activation("sigmoid", f, df, f_numpy, form)


def _relu(u: Array) -> Array:
    return u.clamp(min=0) if is_torch(u) else np.maximum(u, 0.0)


def _drelu(u: Array) -> Array:
    return (u > 0).to(u.dtype) if is_torch(u) else (u > 0).astype(u.dtype)


def _tanh(u: Array) -> Array:
    return u.tanh() if is_torch(u) else np.tanh(u)


def _dtanh(u: Array) -> Array:
    t = _tanh(u)
    return 1 - t * t


def _linear(u: Array) -> Array:
    return u


def _dlinear(u: Array) -> Array:
    return u * 0 + 1


_NAMED: dict[str, Callable[..., Activation]] = {
    "sigmoid": sigmoid,
    "relu": lambda: Activation("relu", _relu, _drelu),
    "tanh": lambda: Activation("tanh", _tanh, _dtanh, np.tanh),
    "linear": lambda: Activation("linear", _linear, _dlinear),
}


def available_activations() -> list[str]:
    """Names accepted by :func:`get_activation`."""
    return sorted(_NAMED)


def _numeric_derivative(fn: Callable[[Array], Array]) -> Callable[[Array], Array]:
    def df(u: Array) -> Array:
        h = 1e-6 * (1 + abs(u))
        return (fn(u + h) - fn(u - h)) / (2 * h)

    return df


def get_activation(spec: Any, **params: float) -> Activation:
    """Resolve an activation from a name, an :class:`Activation` or a callable.

    Parameters
    ----------
    spec : str, Activation or callable
        ``"sigmoid"``, ``"relu"``, ``"tanh"``, ``"linear"``; an :class:`Activation`; or any
        callable ``f(u)`` (its derivative is then taken by central differences).
    **params
        Parameters of a named activation (``gain``, ``threshold`` for the sigmoid).

    Raises
    ------
    ValueError
        For an unknown name, listing the valid ones, or parameters the activation lacks.
    """
    if isinstance(spec, Activation):
        return spec
    if isinstance(spec, str):
        try:
            factory = _NAMED[spec]
        except KeyError:
            raise ValueError(
                f"unknown activation {spec!r}; choose one of {', '.join(available_activations())}"
            ) from None
        try:
            return factory(**params)
        except TypeError:
            raise ValueError(f"activation {spec!r} takes no parameters {sorted(params)}") from None
    if callable(spec):
        name = getattr(spec, "__name__", "callable")
        return Activation(name, spec, _numeric_derivative(spec))
    raise TypeError(f"activation must be a name or a callable, got {type(spec).__name__}")
