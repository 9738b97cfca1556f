"""Amari neural fields in one and two dimensions with difference-of-Gaussians kernels."""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass, field
from typing import Any

import numpy as np
import scipy.fft as sfft

from ._backend import Array
from ._params import check_scalar_param, to_backend
from ._rate import Lateral, RateModel
from .checks import check_choice

_BOUNDARIES = ("periodic", "zero")
_METHODS = ("auto", "fft", "direct")
_DIRECT_MAX = 256  # above this many units the lateral sum goes through the FFT


def dog_kernel(d2: np.ndarray, a_exc: float, sigma_exc: float, a_inh: float, sigma_inh: float):
    """w(d) = a_exc exp(−d²/2σ_exc²) − a_inh exp(−d²/2σ_inh²), evaluated at squared distances."""
    return a_exc * np.exp(-d2 / (2 * sigma_exc**2)) - a_inh * np.exp(-d2 / (2 * sigma_inh**2))


@dataclass(frozen=True, eq=False)
class NeuralField(RateModel):
    r"""Amari neural field on a 1-D or 2-D grid with a difference-of-Gaussians kernel.

    .. math::

        τ \frac{∂u(x,t)}{∂t} = -u(x,t) + \int w(x - y)\, f(u(y,t))\, dy + h + g(x) I(x,t)

        w(d) = a_{exc} e^{-d^2 / 2σ_{exc}^2} - a_{inh} e^{-d^2 / 2σ_{inh}^2}

    The integral is a sum over grid points times the cell size (dx per axis). It is
    computed by FFT convolution on large grids and by a dense matrix on small ones
    (``method="auto"``); both give the same numbers.

    Parameters
    ----------
    shape : int or tuple of int
        Grid shape: ``n`` or ``(n,)`` for a 1-D field, ``(height, width)`` for 2-D.
    a_exc, sigma_exc, a_inh, sigma_inh : float
        Amplitudes and widths (in units of space) of excitation and inhibition.
    h : float or array of shape (*batch,)
        Resting level h (usually negative).
    activation : str, Activation or callable
        f; default a steep sigmoid is common, here ``"sigmoid"``.
    tau : float or array of shape (*batch,)
        Time constant τ > 0.
    g : float or array of shape (*batch, *shape)
        Top-down gain on the input.
    dx : float
        Grid spacing.
    boundary : {"periodic", "zero"}
        Periodic (ring / torus) or zero activity outside the grid.
    method : {"auto", "fft", "direct"}
        How the lateral integral is computed.

    References
    ----------
    Amari, S. (1977). Dynamics of pattern formation in lateral-inhibition type neural
    fields. Biological Cybernetics 27, 77–87.
    """

    shape: Any
    _: KW_ONLY
    a_exc: float = 1.0
    sigma_exc: float = 2.0
    a_inh: float = 0.5
    sigma_inh: float = 6.0
    h: Any = 0.0
    activation: Any = "sigmoid"
    tau: Any = 1.0
    g: Any = 1.0
    dx: float = 1.0
    boundary: str = "periodic"
    method: str = "auto"
    # the kernel's dense matrix and spectrum depend only on fields fixed at construction:
    # computed on first use, then reused by every simulate() of this instance
    _kernels: dict[str, Any] = field(default_factory=dict, init=False, repr=False)

    network_params = ("h", "tau")
    neuron_params = ("g",)

    def __post_init__(self) -> None:
        shape = (self.shape,) if isinstance(self.shape, (int, np.integer)) else tuple(self.shape)
        if not 1 <= len(shape) <= 2 or not all(
            isinstance(s, (int, np.integer)) and s >= 1 for s in shape
        ):
            raise ValueError(
                f"shape must be n or (height, width) of positive ints, got {self.shape!r}"
            )
        object.__setattr__(self, "shape", tuple(int(s) for s in shape))
        for name in ("sigma_exc", "sigma_inh", "dx"):
            check_scalar_param(getattr(self, name), name, positive=True)
        for name in ("a_exc", "a_inh"):
            check_scalar_param(getattr(self, name), name)
        check_choice(self.boundary, "boundary", _BOUNDARIES)
        check_choice(self.method, "method", _METHODS)
        object.__setattr__(self, "h", check_scalar_param(self.h, "h"))
        self._validate_common()

    @property
    def state_shape(self) -> tuple[int, ...]:
        return self.shape

    def _w(self, d2: np.ndarray) -> np.ndarray:
        cell = self.dx ** len(self.shape)
        return cell * dog_kernel(d2, self.a_exc, self.sigma_exc, self.a_inh, self.sigma_inh)

    def lateral_matrix(self) -> np.ndarray:
        """Dense (n, n) kernel matrix w(x_i − x_j) · cell size (for small grids)."""
        if "dense" not in self._kernels:
            self._kernels["dense"] = self._dense()
        return self._kernels["dense"]

    def _dense(self) -> np.ndarray:
        coords = np.stack(np.meshgrid(*[np.arange(s) for s in self.shape], indexing="ij"), -1)
        coords = coords.reshape(-1, len(self.shape)).astype(np.float64)
        diff = np.abs(coords[:, None, :] - coords[None, :, :])
        if self.boundary == "periodic":
            diff = np.minimum(diff, np.asarray(self.shape, dtype=np.float64) - diff)
        return self._w(((diff * self.dx) ** 2).sum(-1))

    def _fft_kernel(self) -> tuple[np.ndarray, tuple[int, ...]]:
        """Kernel spectrum for circular convolution on the (padded) grid (cached)."""
        if "fft" not in self._kernels:
            self._kernels["fft"] = self._spectrum()
        return self._kernels["fft"]

    def _spectrum(self) -> tuple[np.ndarray, tuple[int, ...]]:
        pad = self.shape if self.boundary == "periodic" else tuple(2 * s for s in self.shape)
        axes = []
        for n, p in zip(self.shape, pad, strict=True):
            idx = np.arange(p, dtype=np.float64)
            d = np.minimum(idx, p - idx)
            if self.boundary == "zero":
                d[n : p - n + 1] = np.inf  # displacements that never connect two grid points
            axes.append(d)
        mesh = np.meshgrid(*axes, indexing="ij")
        d2 = sum((m * self.dx) ** 2 for m in mesh)
        k = np.where(np.isfinite(d2), self._w(np.where(np.isfinite(d2), d2, 0.0)), 0.0)
        return sfft.rfftn(k), pad

    def _lateral(self, torch_: bool, dtype: Any, device: Any) -> tuple[Lateral, Any]:
        """The lateral integral plus h: a dense product on small grids, else an FFT
        convolution (numpy or torch); never a shared matrix for the fast Euler path."""
        k = len(self.shape)
        h = self._network_param("h", torch_, dtype, device)
        use_direct = self.method == "direct" or (self.method == "auto" and self.n <= _DIRECT_MAX)
        if use_direct:
            MT = to_backend(np.ascontiguousarray(self.lateral_matrix().T), torch_, dtype, device)
            shape = self.shape

            def direct(r: Array) -> Array:
                flat = r.reshape(*r.shape[: r.ndim - k], -1)
                return (flat @ MT).reshape(*r.shape[: r.ndim - k], *shape) + h

            return direct, None
        K, pad = self._fft_kernel()
        axes = tuple(range(-k, 0))
        crop = tuple(slice(0, s) for s in self.shape)
        if torch_:
            import torch

            Kt = torch.as_tensor(K, device=device).to(
                torch.complex128 if dtype == torch.float64 else torch.complex64
            )

            def fft_t(r: Array) -> Array:
                spec = torch.fft.rfftn(r, s=pad, dim=axes) * Kt
                return torch.fft.irfftn(spec, s=pad, dim=axes)[(..., *crop)] + h

            return fft_t, None
        K = K.astype(np.complex64 if np.dtype(dtype) == np.float32 else np.complex128)

        def fft_np(r: Array) -> Array:
            # threads pay off only on large transforms (a 60×80 one is 6× slower with them)
            workers = -1 if r.size >= 1 << 18 else 1
            spec = sfft.rfftn(r, s=pad, axes=axes, workers=workers) * K
            out = sfft.irfftn(spec, s=pad, axes=axes, workers=workers)[(..., *crop)]
            return out.astype(r.dtype, copy=False) + h

        return fft_np, None
