"""Argument checks shared by every neuroattn package: one way to validate a value.

Each check returns the value converted (an ``int``, a ``float``, a numpy array) or raises
:class:`ValueError` (:class:`TypeError` for a value of the wrong kind where numpy would) with
one line that names the argument, says what it must be and shows what it got::

    >>> from neuroattn.dynamics.checks import check_number
    >>> check_number(0.5, "beta", ge=0)
    0.5
    >>> check_number(-1, "beta", ge=0)
    Traceback (most recent call last):
    ...
    ValueError: beta must be a finite number >= 0, got -1

The module lives at the ground floor (:mod:`neuroattn.dynamics` imports nothing else of the
project) so that :mod:`neuroattn.vision`, :mod:`neuroattn.nn`, the configuration readers and
the command line all use it; it needs numpy only (torch tensors are recognised by their type's
module, without importing torch).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

import numpy as np

__all__ = [
    "check_choice",
    "check_finite_array",
    "check_integer",
    "check_number",
    "check_numbers",
    "check_probability",
    "check_seed",
    "is_torch",
    "to_numpy",
]

_T = TypeVar("_T")


def is_torch(x: object) -> bool:
    """True when ``x`` is a torch tensor (without importing torch if it is not loaded)."""
    return type(x).__module__.startswith("torch")


def to_numpy(x: Any) -> np.ndarray:
    """``x`` as a numpy array: a torch tensor is detached and copied to the CPU first.

    A torch float16 or bfloat16 tensor comes back as float32: numpy has no bfloat16, and
    half precision is too coarse for the sums numpy code then does on it.

    Examples
    --------
    >>> to_numpy([1.0, 2.0])
    array([1., 2.])
    """
    if is_torch(x):
        t = x.detach().cpu()
        if str(t.dtype) in ("torch.float16", "torch.bfloat16"):
            t = t.float()
        return np.asarray(t.numpy())
    return np.asarray(x)


def _bounds_text(gt: float | None, ge: float | None, lt: float | None, le: float | None) -> str:
    parts = []
    if gt is not None:
        parts.append(f"> {gt:g}")
    if ge is not None:
        parts.append(f">= {ge:g}")
    if lt is not None:
        parts.append(f"< {lt:g}")
    if le is not None:
        parts.append(f"<= {le:g}")
    return " and ".join(parts)


def _within(
    x: float, gt: float | None, ge: float | None, lt: float | None, le: float | None
) -> bool:
    return not (
        (gt is not None and not x > gt)
        or (ge is not None and not x >= ge)
        or (lt is not None and not x < lt)
        or (le is not None and not x <= le)
    )


def check_number(
    value: object,
    name: str,
    *,
    gt: float | None = None,
    ge: float | None = None,
    lt: float | None = None,
    le: float | None = None,
) -> float:
    """``value`` as a finite float within the given bounds, else ValueError.

    Booleans, strings and other non-numbers are refused (``True`` is not a rate); numpy
    scalars and 0-d arrays are accepted.

    Examples
    --------
    >>> check_number(3, "tau", gt=0)
    3.0
    """
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    ok = isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))
    x = float(value) if isinstance(value, numbers.Real) and ok else math.nan
    if not (ok and math.isfinite(x) and _within(x, gt, ge, lt, le)):
        bounds = _bounds_text(gt, ge, lt, le)
        what = f"a finite number {bounds}" if bounds else "a finite number"
        raise ValueError(f"{name} must be {what}, got {value!r}")
    return x


def check_numbers(
    value: object,
    name: str,
    *,
    gt: float | None = None,
    ge: float | None = None,
    lt: float | None = None,
    le: float | None = None,
    dtype: Any = np.float64,
) -> np.ndarray:
    """``value`` as a float numpy array (any shape) whose every element is finite and within
    the bounds, else ValueError; TypeError for a value that is not numeric.

    The element-wise twin of :func:`check_number`, for batches of parameters (one value per
    network). A torch tensor is checked on a numpy copy. A single number gets exactly the
    message of :func:`check_number`.

    Examples
    --------
    >>> check_numbers([0.5, 2.0], "beta", ge=0)
    array([0.5, 2. ])
    >>> check_numbers([1.0, -2.0], "tau", gt=0)
    Traceback (most recent call last):
    ...
    ValueError: tau must be finite numbers > 0, got -2 (at index 1)
    """
    raw = to_numpy(value) if is_torch(value) else value
    arr = _real_array(raw, name, dtype, type(value).__name__)
    if arr.ndim == 0:
        check_number(arr, name, gt=gt, ge=ge, lt=lt, le=le)
        return arr
    bad = ~np.isfinite(arr)
    for bound, inside in (
        (gt, np.greater),
        (ge, np.greater_equal),
        (lt, np.less),
        (le, np.less_equal),
    ):
        if bound is not None:
            with np.errstate(invalid="ignore"):
                bad |= ~inside(arr, bound)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        bounds = _bounds_text(gt, ge, lt, le)
        what = f"finite numbers {bounds}" if bounds else "finite numbers"
        index = where[0] if len(where) == 1 else where
        raise ValueError(f"{name} must be {what}, got {arr[where]:g} (at index {index})")
    return arr


def check_integer(
    value: object,
    name: str,
    *,
    ge: int | None = None,
    gt: int | None = None,
    le: int | None = None,
) -> int:
    """``value`` as an int within the bounds, else ValueError (``3.0`` and ``True`` are not
    integers here).

    Examples
    --------
    >>> check_integer(4, "num_heads", ge=1)
    4
    """
    ok = isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))
    n = int(value) if isinstance(value, numbers.Integral) else 0
    if not (ok and _within(n, gt, ge, None, le)):
        bounds = _bounds_text(gt, ge, None, le)
        what = "a positive integer" if (ge, gt, le) == (1, None, None) else f"an integer {bounds}"
        raise ValueError(f"{name} must be {what.rstrip()}, got {value!r}")
    return n


def check_probability(value: object, name: str) -> float:
    """``value`` as a float in [0, 1) (a dropout rate), else ValueError."""
    return check_number(value, name, ge=0.0, lt=1.0)


def check_choice(value: _T, name: str, choices: Iterable[_T]) -> _T:
    """``value`` if it is one of ``choices``, else a ValueError listing them.

    Examples
    --------
    >>> check_choice("rk4", "method", ["euler", "rk4"])
    'rk4'
    """
    options = list(choices)
    try:
        found = value in options
    except TypeError:  # an unhashable or incomparable value
        found = False
    if not found:
        listing = ", ".join(repr(c) for c in options)
        raise ValueError(f"{name} must be one of {listing}; got {value!r}")
    return value


def _real_array(x: Any, name: str, dtype: Any, kind: str) -> np.ndarray:
    """``x`` as a numpy array of ``dtype``; TypeError for what is not real numbers.

    Complex values are refused (numpy would drop the imaginary part with only a warning),
    and so are booleans (``True`` is not a rate).
    """
    try:
        raw = np.asarray(x)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be numeric, got {kind}") from exc
    values = list(raw.flat) if raw.dtype == object else []
    if raw.dtype.kind == "c" or any(isinstance(v, (complex, np.complexfloating)) for v in values):
        raise TypeError(f"{name} must be real, got complex values (the imaginary part counts)")
    if raw.dtype.kind == "b" or any(isinstance(v, (bool, np.bool_)) for v in values):
        raise TypeError(f"{name} must be numbers, got booleans")
    try:
        return np.asarray(raw, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be numeric, got {kind}") from exc


def check_finite_array(x: Any, name: str, dtype: Any = np.float64) -> np.ndarray:
    """``x`` as a float numpy array with no NaN or inf.

    Raises TypeError for a value that is not real numbers (text, complex numbers, whose
    imaginary part numpy would silently drop, booleans) and ValueError for NaN or inf.
    """
    arr = _real_array(x, name, dtype, type(x).__name__)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf")
    return arr


def check_seed(value: Any, name: str = "seed") -> Any:
    """``value`` if it can seed a random stream: None, a non-negative integer, a
    ``numpy.random.Generator`` (or ``SeedSequence``/``BitGenerator``) or a ``torch.Generator``;
    else TypeError (``True`` is not a seed) or ValueError (a negative integer).

    Examples
    --------
    >>> check_seed(0)
    0
    """
    if value is None or isinstance(
        value, (np.random.Generator, np.random.SeedSequence, np.random.BitGenerator)
    ):
        return value
    if type(value).__module__.startswith("torch") and type(value).__name__ == "Generator":
        return value
    if isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_)):
        return check_integer(value, name, ge=0)
    raise TypeError(f"{name} must be None, an integer >= 0 or a random generator, got {value!r}")


def check_fields(obj: Any, bounds: Iterable[tuple[str, Mapping[str, float]]]) -> None:
    """Check numeric fields of a frozen dataclass in place: each ``(name, bounds)`` is
    :func:`check_number` of ``obj.name`` with those bounds, the checked float written back."""
    for name, limits in bounds:
        object.__setattr__(obj, name, check_number(getattr(obj, name), name, **limits))
