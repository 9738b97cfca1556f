"""Argument checks specific to the layers: tensors, dtypes, devices, sizes and check mode.

Numbers, integers, probabilities and choices are checked by :mod:`neuroattn.dynamics.checks`
(one way to validate an argument across the project); this module holds only what needs
torch or knows about layers. Every check raises one ValueError (TypeError for a value of
the wrong kind) line naming the argument.

Non-finite values and check mode
--------------------------------
By default the layers treat NaN and inf as torch's own layers do: nothing is checked and
they flow through the computation. Mostly that makes the affected rows NaN (a NaN query row
its context row, a NaN key every row that attends to it); finite inputs whose scores
overflow the dtype (|scale·q·k| beyond ``torch.finfo(dtype).max``) give NaN. But torch's
kernels differ in details -- the fused CPU kernel of
:func:`torch.nn.functional.scaled_dot_product_attention` returns a zero row for a NaN query
(see :class:`~neuroattn.nn.Attention`) -- so a result computed from non-finite inputs is
not to be relied on. The default costs nothing and stays traceable by ``torch.compile``.

:class:`set_checks` turns on *check mode* (process-wide, or for a ``with`` block): every
layer then raises ValueError for a NaN or inf in its inputs, for NaN or ``+inf`` in a
floating mask (``-inf``, "masked", is fine), for a non-finite output from finite inputs
(an overflow, named with its dtype), and :class:`~neuroattn.nn.CompetitiveAttention` for
a learnt β that has left the stability bound of its step size. Check mode reads values
(a device sync) and is skipped while compiling.

Size limits
-----------
:data:`LIMITS` bounds the work one argument can ask for, so that a mistyped size gives a
ValueError instead of exhausting memory: the parameters of one layer, the elements of one
weights tensor on the reference path, the Euler steps of the competition layer. Raise a
limit by assigning to it (``nna.LIMITS.max_parameters = 2**34``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import TracebackType

import numpy as np
import torch
from torch import Tensor, nn

from ..dynamics.checks import check_integer

_checks_on = False


class set_checks:  # lower case: used like a function, as torch.set_grad_enabled
    """Turn check mode on or off; as a context manager, for the ``with`` block only.

    Check mode makes every layer refuse non-finite inputs and report overflowed outputs
    with a ValueError instead of propagating NaN (see the module docstring). The setting
    is process-wide.

    Parameters
    ----------
    enabled : bool
        True: check; False: propagate non-finite values as torch does (the default).

    Examples
    --------
    >>> import torch
    >>> import neuroattn.nn as nna
    >>> q = torch.full((1, 2, 4), float("nan"))
    >>> with nna.set_checks(True):
    ...     nna.ScaledDotProductAttention()(q, q, q)
    Traceback (most recent call last):
    ...
    ValueError: Q contains NaN or inf (check mode is on; ...)
    >>> nna.checks_enabled()
    False
    """

    def __init__(self, enabled: bool) -> None:
        global _checks_on
        self.previous = _checks_on
        _checks_on = flag(enabled, "enabled")

    def __enter__(self) -> set_checks:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        global _checks_on
        _checks_on = self.previous


def checks_enabled() -> bool:
    """True when check mode is on (never while ``torch.compile`` traces)."""
    return _checks_on and not torch.compiler.is_compiling()


@dataclass
class Limits:
    """Bounds on the work one argument can ask for (assign to raise one).

    Attributes
    ----------
    max_parameters : int
        Parameters of one layer (default 2**32, 16 GiB in float32).
    max_weights : int
        Elements of one attention-weights (or score) tensor on a path that materialises
        it (default 2**32); ``need_weights=False`` avoids it where the fused kernel
        applies.
    max_steps : int
        Euler steps of :class:`~neuroattn.nn.CompetitiveAttention` (default 10 000).
    """

    max_parameters: int = 2**32
    max_weights: int = 2**32
    max_steps: int = 10_000


LIMITS = Limits()


def within_limit(count: int, limit: str, what: str) -> None:
    """Raise ValueError if ``count`` exceeds ``LIMITS.<limit>``, saying how to raise it."""
    bound = getattr(LIMITS, limit)
    if count > bound:
        raise ValueError(
            f"{what} {count:.3g} exceeds the limit nna.LIMITS.{limit} = {bound:.3g}; "
            f"raise it if this is intended"
        )


def flag(value: object, name: str) -> bool:
    """``value`` if it is a bool (numpy's too), else TypeError: a flag is not a number."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise TypeError(f"{name} must be True or False, got {value!r}")


def odd_kernel_size(value: object, name: str = "kernel_size") -> int:
    """Return ``value`` if it is an odd positive integer (a conv kernel with a centre)."""
    size = check_integer(value, name, ge=1)
    if size % 2 == 0:
        raise ValueError(f"{name} must be an odd positive integer (3, 5, 7, ...), got {size}")
    return size


def divides(num_heads: int, total: int, what: str) -> int:
    """Return ``total // num_heads``; raise ValueError if the heads do not divide ``total``."""
    if total % num_heads != 0:
        raise ValueError(f"num_heads={num_heads} must divide {what}={total}")
    return total // num_heads


def float_tensor(x: object, name: str, min_ndim: int = 1) -> Tensor:
    """Check that ``x`` is a floating-point tensor with at least ``min_ndim`` dimensions."""
    if not isinstance(x, Tensor):
        raise ValueError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    if not torch.is_floating_point(x):
        raise ValueError(f"{name} must be floating point, got dtype {x.dtype}")
    if x.ndim < min_ndim:
        raise ValueError(
            f"{name} must have at least {min_ndim} dimensions, got shape {tuple(x.shape)}"
        )
    return x


def same_dtype(*named: tuple[str, Tensor]) -> None:
    """Raise ValueError unless all tensors share one dtype and one device."""
    dtypes = {t.dtype for _, t in named}
    if len(dtypes) > 1:
        listing = ", ".join(f"{n}: {t.dtype}" for n, t in named)
        raise ValueError(f"inputs must share one dtype, got {listing}")
    devices = {t.device for _, t in named}
    if len(devices) > 1:
        listing = ", ".join(f"{n}: {t.device}" for n, t in named)
        raise ValueError(f"inputs must be on one device, got {listing}")


def matches_module(module: nn.Module, *named: tuple[str, Tensor]) -> None:
    """Raise ValueError unless the inputs have the dtype and device of ``module``'s parameters.

    Under :func:`torch.autocast` the dtypes may differ (autocast casts them); the device
    must match in any case. A module without parameters accepts anything.
    """
    param = next(module.parameters(), None)
    if param is None:
        return
    for name, x in named:
        if x.device != param.device:
            raise ValueError(
                f"{name} is on {x.device} but the layer's parameters are on {param.device}; "
                f"move one of them (layer.to(device) or {name}.to(device))"
            )
        if x.dtype != param.dtype and not torch.is_autocast_enabled(x.device.type):
            raise ValueError(
                f"{name} is {x.dtype} but the layer's parameters are {param.dtype}; convert "
                f"one of them (layer.to({x.dtype}) or {name}.to({param.dtype}))"
            )


_CHECK_HINT = "check mode is on; nna.set_checks(False) lets non-finite values propagate as in torch"


def finite_inputs(*named: tuple[str, Tensor | None]) -> None:
    """Check mode: raise ValueError naming the first input holding NaN or inf."""
    for name, x in named:
        if x is not None and not bool(torch.isfinite(x).all()):
            raise ValueError(f"{name} contains NaN or inf ({_CHECK_HINT})")


def finite_mask(mask: Tensor | None, name: str = "mask") -> None:
    """Check mode: raise ValueError for NaN or +inf in a floating mask (-inf masks)."""
    if mask is None or not torch.is_floating_point(mask):
        return
    if bool((mask.isnan() | (mask == math.inf)).any()):
        raise ValueError(f"{name} contains NaN or +inf ({_CHECK_HINT})")


def finite_outputs(*named: tuple[str, Tensor | None]) -> None:
    """Check mode: raise ValueError if an output of finite inputs is not finite."""
    for name, x in named:
        if x is not None and not bool(torch.isfinite(x).all()):
            raise ValueError(
                f"the {name} overflowed {x.dtype} although the inputs were finite: the scores "
                f"or sums exceed its range; scale the inputs (or the layer's scale) down, or "
                f"compute in a wider dtype"
            )
