"""Additive white noise for the Euler–Maruyama scheme: one seeded stream per run."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ._backend import Array


class AdditiveNoise:
    r"""Increments (σ/τ) √h ξ of τ du = F dt + σ dW, ξ standard normal, from one stream.

    The standard normals have the state's shape and dtype and come, one array per step, from
    ``numpy.random.default_rng(seed)`` (numpy runs) or a ``torch.Generator`` (torch runs:
    the one given, or one seeded with ``default_rng(seed).integers(2**62)``); the same seed
    gives the same stream, and the global seed is never used.

    Parameters
    ----------
    scale : float or array
        σ/τ, broadcastable against the state (a per-network σ has trailing unit axes).
    seed : int, numpy.random.Generator, torch.Generator or None
        Source of the stream.
    torch_ : bool
        Draw torch tensors instead of numpy arrays.
    """

    def __init__(self, scale: Any, seed: Any, torch_: bool = False) -> None:
        self.scale = scale
        self._h: float | None = None
        self._step_scale: Any = None
        self._normal: Callable[[Array], Array]
        if torch_:
            import torch

            gen = seed
            if not isinstance(gen, torch.Generator):
                gen = torch.Generator().manual_seed(
                    int(np.random.default_rng(seed).integers(2**62))
                )
            self._normal = lambda x: torch.randn(x.shape, generator=gen, dtype=x.dtype)
        else:
            rng = np.random.default_rng(seed)
            self._normal = lambda x: rng.standard_normal(x.shape, dtype=x.dtype)

    def __call__(self, u: Array, dt: float) -> Array:
        """The increment of one step of size ``dt`` for state ``u`` (draws from the stream)."""
        if dt != self._h:  # (σ/τ) √h is formed once per step size
            self._h, self._step_scale = dt, self.scale * math.sqrt(dt)
        return self._step_scale * self._normal(u)
