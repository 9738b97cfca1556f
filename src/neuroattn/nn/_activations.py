"""Activations and gates given by name, class, instance or function."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from torch import Tensor, nn

ACTIVATIONS: dict[str, type[nn.Module]] = {
    "relu": nn.ReLU,
    "leaky_relu": nn.LeakyReLU,
    "gelu": nn.GELU,
    "silu": nn.SiLU,
    "swish": nn.SiLU,
    "elu": nn.ELU,
    "softplus": nn.Softplus,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "hard_sigmoid": nn.Hardsigmoid,
    "hardsigmoid": nn.Hardsigmoid,
    "identity": nn.Identity,
}


class _Function(nn.Module):
    """A plain function (e.g. ``torch.sigmoid``) as a module."""

    def __init__(self, fn: Callable[[Tensor], Tensor]) -> None:
        super().__init__()
        self.fn = fn

    def forward(self, x: Tensor) -> Tensor:
        return self.fn(x)

    def extra_repr(self) -> str:
        return getattr(self.fn, "__name__", repr(self.fn))


def make_activation(spec: Any, what: str = "activation") -> nn.Module:
    """A module for ``spec``: a name in :data:`ACTIVATIONS`, a module class or instance,
    or a function of one tensor.

    Raises
    ------
    ValueError
        For an unknown name, or anything else that is not one of the above.
    """
    if isinstance(spec, str):
        key = spec.lower().replace("-", "_")
        if key not in ACTIVATIONS:
            raise ValueError(f"unknown {what} {spec!r}; valid names: {sorted(ACTIVATIONS)}")
        return ACTIVATIONS[key]()
    if isinstance(spec, type) and issubclass(spec, nn.Module):
        return spec()
    if isinstance(spec, nn.Module):
        return spec
    if callable(spec):
        return _Function(spec)
    raise ValueError(
        f"{what} must be a name, an nn.Module class or instance, or a function; got {spec!r}"
    )
