"""Amari neural fields in one and two dimensions with difference-of-Gaussians kernels."""

from __future__ import annotations

import math
from dataclasses import KW_ONLY, dataclass, field
from typing import Any

import numpy as np
import scipy.fft as sfft

from ._backend import Array
from ._limits import check_dense, check_units
from ._params import check_scalar_param, to_backend
from ._periodic import periodic_gaussian
from ._rate import Lateral, RateModel
from .checks import check_choice, check_finite_array, check_number

_BOUNDARIES = ("periodic", "zero")
_METHODS = ("auto", "fft", "direct")
_DIRECT_MAX = 256  # above this many units the lateral sum goes through the FFT


def dog_kernel(
    d2: Any, a_exc: float, sigma_exc: float, a_inh: float, sigma_inh: float
) -> np.ndarray:
    """w(d) = a_exc exp(−d²/2σ_exc²) − a_inh exp(−d²/2σ_inh²), evaluated at squared distances.

    The kernel of the plane (no periodic images). ``d2`` must be finite and non-negative,
    the amplitudes finite and the widths finite and positive (ValueError otherwise); any
    such σ works, 1e-300 and 1e300 included, since d²/σ² is formed without overflow.
    """
    d2 = check_finite_array(d2, "d2")
    if np.any(d2 < 0):
        raise ValueError("d2 must hold squared distances >= 0")
    a_exc, a_inh = check_number(a_exc, "a_exc"), check_number(a_inh, "a_inh")
    sigma_exc = check_number(sigma_exc, "sigma_exc", gt=0)
    sigma_inh = check_number(sigma_inh, "sigma_inh", gt=0)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        w = a_exc * np.exp(-0.5 * (d2 / sigma_exc) / sigma_exc)
        w = w - a_inh * np.exp(-0.5 * (d2 / sigma_inh) / sigma_inh)
    if not np.isfinite(w).all():
        raise ValueError("the kernel overflows: the amplitudes are too large")
    return w


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
        object.__setattr__(self, "shape", _check_shape(self.shape))
        for name in ("sigma_exc", "sigma_inh", "dx"):
            object.__setattr__(self, name, check_number(getattr(self, name), name, gt=0))
        for name in ("a_exc", "a_inh"):
            object.__setattr__(self, name, check_number(getattr(self, name), name))
        check_choice(self.boundary, "boundary", _BOUNDARIES)
        check_choice(self.method, "method", _METHODS)
        check_units(self.n, f"a field of shape {self.shape}")
        if self.method == "direct":
            check_dense(self.n, f"the direct kernel of a field of {self.n} units")
        object.__setattr__(self, "h", check_scalar_param(self.h, "h"))
        self._validate_common()
        self._check_kernel_scale()

    @property
    def state_shape(self) -> tuple[int, ...]:
        return self.shape

    def eval_cost(self) -> float:
        """About n² per evaluation on the dense path, a few n log n through the FFT."""
        if self._direct():
            return float(self.n) ** 2
        pad = self.n * (1 if self.boundary == "periodic" else 2 ** len(self.shape))
        return 10.0 * pad * max(1.0, math.log2(pad))

    def _direct(self) -> bool:
        return self.method == "direct" or (self.method == "auto" and self.n <= _DIRECT_MAX)

    def _profiles(self, sigma: float, pad: tuple[int, ...]) -> list[np.ndarray]:
        """Per axis, the Gaussian exp(−d²/2σ²) at each displacement index 0 … p−1 of a
        circular convolution of length p: summed over the periodic images of the ring
        (periodic boundary, p = n), or at the displacement min(i, p − i) with the ones that
        never join two grid points set to 0 (zero boundary, p = 2n)."""
        out = []
        for n, p in zip(self.shape, pad, strict=True):
            idx = np.arange(p, dtype=np.float64)
            if self.boundary == "periodic":
                out.append(periodic_gaussian(idx * self.dx, sigma, n * self.dx))
                continue
            with np.errstate(over="ignore", under="ignore"):
                g = np.exp(-0.5 * np.square(np.minimum(idx, p - idx) * self.dx / sigma))
            g[n : p - n + 1] = 0.0
            out.append(g)
        return out

    def _pad(self) -> tuple[int, ...]:
        return self.shape if self.boundary == "periodic" else tuple(2 * s for s in self.shape)

    def _check_kernel_scale(self) -> None:
        """ValueError when the kernel's largest weight overflows (from the profiles' peaks:
        a cell size, amplitude or periodic width near the float range)."""
        pad = tuple(min(p, 2) for p in self._pad())  # the peak is at displacement 0
        with np.errstate(over="ignore", invalid="ignore"):
            peak = np.float64(self.dx) ** len(self.shape) * sum(
                abs(a) * float(np.prod([g.max() for g in self._profiles(sigma, pad)]))
                for a, sigma in ((self.a_exc, self.sigma_exc), (self.a_inh, self.sigma_inh))
            )
        if not math.isfinite(peak):
            raise ValueError(
                "the kernel overflows: its amplitudes, widths or dx are too large for floats"
            )

    def _kernel_grid(self, pad: tuple[int, ...]) -> np.ndarray:
        """The kernel w(d) · cell at every displacement index of the (padded) grid."""
        cell = np.float64(self.dx) ** len(self.shape)
        terms = []
        for a, sigma in ((self.a_exc, self.sigma_exc), (-self.a_inh, self.sigma_inh)):
            prof = self._profiles(sigma, pad)
            grid = prof[0] if len(prof) == 1 else np.multiply.outer(prof[0], prof[1])
            terms.append(a * grid)
        return cell * (terms[0] + terms[1])

    def lateral_matrix(self) -> np.ndarray:
        """Dense (n, n) kernel matrix w(x_i − x_j) · cell size (for small grids); periodic
        boundaries sum the kernel over the periodic images of the ring or torus."""
        if "dense" not in self._kernels:
            check_dense(self.n, f"the dense kernel of a field of {self.n} units")
            self._kernels["dense"] = self._dense()
        return self._kernels["dense"]

    def _dense(self) -> np.ndarray:
        pad = self._pad()
        k = self._kernel_grid(pad)
        # index of the displacement x_i − x_j along each axis, modulo the padded length
        index = [np.subtract.outer(np.arange(n), np.arange(n)) % p
                 for n, p in zip(self.shape, pad, strict=True)]  # fmt: skip
        if len(index) == 1:
            return k[index[0]]
        (i0, i1) = index
        n0, n1 = self.shape
        return k[i0[:, None, :, None], i1[None, :, None, :]].reshape(n0 * n1, n0 * n1)

    def _fft_kernel(self) -> tuple[np.ndarray, tuple[int, ...]]:
        """Kernel spectrum for circular convolution on the (padded) grid (cached)."""
        if "fft" not in self._kernels:
            pad = self._pad()
            self._kernels["fft"] = (sfft.rfftn(self._kernel_grid(pad)), pad)
        return self._kernels["fft"]

    def lateral_eigen_range(self) -> tuple[float, float]:
        """(smallest, largest) eigenvalue of the kernel's symmetric convolution matrix, from
        its Fourier transform: exact on a periodic grid (a circulant's eigenvalues are the
        DFT of its kernel), and a bound with a zero boundary, whose matrix is a principal
        section of the circulant on the padded grid (Cauchy interlacing)."""
        spectrum = self._fft_kernel()[0].real
        return float(spectrum.min()), float(spectrum.max())

    def _linear_lateral(self) -> Lateral:
        return self._convolution(False, np.float64, None)

    def _abs_lateral(self) -> Lateral:
        """d ↦ Σ_y |w(x − y)| d(y) · cell: the convolution with the kernel's magnitude."""
        if "abs" not in self._kernels:
            pad = self._pad()
            self._kernels["abs"] = sfft.rfftn(np.abs(self._kernel_grid(pad)))
        K, pad = self._kernels["abs"], self._pad()
        k = len(self.shape)
        axes, crop = tuple(range(-k, 0)), tuple(slice(0, s) for s in self.shape)
        return lambda d: sfft.irfftn(sfft.rfftn(d, s=pad, axes=axes) * K, s=pad, axes=axes)[
            (..., *crop)
        ]

    def _lateral(self, torch_: bool, dtype: Any, device: Any) -> tuple[Lateral, Any]:
        """The lateral integral plus h (never a shared matrix for the fast Euler path)."""
        h = self._network_param("h", torch_, dtype, device)
        conv = self._convolution(torch_, dtype, device)
        return (lambda r: conv(r) + h), None

    def _convolution(self, torch_: bool, dtype: Any, device: Any) -> Lateral:
        """The lateral integral alone: a dense product on small grids, else an FFT
        convolution (numpy or torch)."""
        k = len(self.shape)
        if self._direct():
            MT = to_backend(np.ascontiguousarray(self.lateral_matrix().T), torch_, dtype, device)
            shape = self.shape

            def direct(r: Array) -> Array:
                flat = r.reshape(*r.shape[: r.ndim - k], -1)
                return (flat @ MT).reshape(*r.shape[: r.ndim - k], *shape)

            return direct
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
                return torch.fft.irfftn(spec, s=pad, dim=axes)[(..., *crop)]

            return fft_t
        K = K.astype(np.complex64 if np.dtype(dtype) == np.float32 else np.complex128)

        def fft_np(r: Array) -> Array:
            # threads pay off only on large transforms (a 60×80 one is 6× slower with them)
            workers = -1 if r.size >= 1 << 18 else 1
            spec = sfft.rfftn(r, s=pad, axes=axes, workers=workers) * K
            out = sfft.irfftn(spec, s=pad, axes=axes, workers=workers)[(..., *crop)]
            return out.astype(r.dtype, copy=False)

        return fft_np


def _check_shape(shape: Any) -> tuple[int, ...]:
    """``n`` or ``(height, width)`` of positive ints as a tuple, else ValueError."""
    dims = (shape,) if isinstance(shape, (int, np.integer)) else shape
    ok = isinstance(dims, (tuple, list)) and 1 <= len(dims) <= 2
    ok = ok and all(
        isinstance(s, (int, np.integer)) and not isinstance(s, (bool, np.bool_)) and s >= 1
        for s in dims
    )
    if not ok:
        raise ValueError(f"shape must be n or (height, width) of positive ints, got {shape!r}")
    return tuple(int(s) for s in dims)
