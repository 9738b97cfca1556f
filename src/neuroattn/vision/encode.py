r"""Stage 1, encoding: intensity, colour opponency, orientation and Gaussian pyramids.

The retina / V1 stage of Itti, Koch & Niebur (1998). From an RGB image with channels
r, g, b:

.. math::

    I = (r + g + b) / 3

    R = r' - (g' + b')/2, \quad G = g' - (r' + b')/2, \quad B = b' - (r' + g')/2,
    \quad Y = (r' + g')/2 - |r' - g'|/2 - b'

where r', g', b' are r, g, b divided by I (hue decoupled from intensity) wherever
I exceeds a tenth of its maximum, and zero elsewhere; negative R, G, B, Y are set to
zero. The colour-opponent channels are the signed differences RG = R − G and BY = B − Y.
Orientation is the energy of a quadrature pair of Gabor filters at each level of the
intensity pyramid (0°, 45°, 90°, 135° by default). Every channel is represented as a
dyadic Gaussian pyramid (``cv2.pyrDown``: 5-tap binomial blur and subsampling by two).

Published (Itti, Koch & Niebur 1998): the formulas above, the hue threshold of 1/10, the
four orientations, levels 0–8. Ours: the Gabor filters (a quadrature pair, λ = 4 px at
each level, γ = 0.7, σ = 0.4 λ — the paper gives none), the pyramid kernel, the common
range of the channels (intensity divided by its maximum, RG and BY by 3; irrelevant to
N(·), which rescales every map), and, by default, intensity and colour computed at level
2 (``colour_level=2``; the paper: level 0, as in ``preset="itti1998"``).

References
----------
Itti, L., Koch, C. & Niebur, E. (1998). A model of saliency-based visual attention for
rapid scene analysis. IEEE Trans. Pattern Anal. Mach. Intell. 20(11), 1254–1259.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import cv2
import numpy as np

from ..dynamics.checks import check_integer, check_number
from ._normalize import unit_max

ORIENTATIONS: tuple[float, ...] = (0.0, 45.0, 90.0, 135.0)
"""Default preferred orientations in degrees (0 = horizontal, counter-clockwise on screen)."""


def intensity(rgb: np.ndarray) -> np.ndarray:
    """Intensity I = (r + g + b) / 3 of an ``(H, W, 3)`` image (a 2-D image is returned)."""
    rgb = np.asarray(rgb, dtype=np.float32)
    if rgb.ndim == 2:
        return rgb
    return (rgb[..., 0] + rgb[..., 1] + rgb[..., 2]) * np.float32(1.0 / 3.0)


def opponent_channels(rgb: np.ndarray, *, threshold: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Colour-opponent channels RG = R − G and BY = B − Y (Itti, Koch & Niebur 1998).

    Parameters
    ----------
    rgb : ndarray, shape (H, W, 3)
        Non-negative RGB image.
    threshold : float
        Hue is only defined where I > ``threshold`` · max(I) (1/10 in the paper);
        elsewhere both channels are zero.

    Returns
    -------
    rg, by : ndarray of float32, shape (H, W)
        Signed: RG > 0 for red, < 0 for green; BY > 0 for blue, < 0 for yellow.
    """
    rgb = np.asarray(rgb, dtype=np.float32)
    I = intensity(rgb)
    peak = float(I.max()) if I.size else 0.0
    valid = I > threshold * peak
    inv = np.zeros_like(I)
    np.divide(1.0, I, out=inv, where=valid & (I > 0))
    r, g, b = (c * inv for c in cv2.split(rgb))
    R = np.maximum(r - (g + b) * 0.5, 0)
    G = np.maximum(g - (r + b) * 0.5, 0)
    B = np.maximum(b - (r + g) * 0.5, 0)
    Y = np.maximum((r + g) * 0.5 - np.abs(r - g) * 0.5 - b, 0)
    return R - G, B - Y


def gaussian_pyramid(image: np.ndarray, levels: int) -> list[np.ndarray]:
    """Dyadic Gaussian pyramid ``[level 0 (the image), 1, …, levels]`` by ``cv2.pyrDown``.

    Level k has size ⌈H / 2^k⌉ × ⌈W / 2^k⌉ (never below one pixel). Multi-channel
    ``(H, W, C)`` images are reduced channel by channel in one call.
    """
    check_integer(levels, "levels", ge=0)
    pyr: list[np.ndarray] = [np.ascontiguousarray(image, dtype=np.float32)]
    for _ in range(levels):
        pyr.append(np.asarray(cv2.pyrDown(pyr[-1])))
    return pyr


MAX_WAVELENGTH = 64.0
"""Longest Gabor wavelength accepted, pixels (the kernel is about 2λ/γ on a side)."""


def gabor_kernels(
    theta: float, *, wavelength: float = 4.0, sigma: float | None = None, aspect: float = 0.7
) -> tuple[np.ndarray, np.ndarray]:
    r"""Even and odd Gabor kernels preferring bars and edges at ``theta`` degrees.

    .. math::

        g(x, y) = \exp\!\left(-\frac{x'^2 + γ^2 y'^2}{2σ^2}\right)
                  \exp\!\left(i\,\frac{2π x'}{λ}\right)

    with x' the coordinate across the preferred orientation and y' along it
    (θ = 0 is a horizontal bar, angles counter-clockwise on screen, image rows pointing
    down). The even (cosine) kernel has its mean removed so that it ignores uniform
    regions; both kernels have unit L1 norm.

    Parameters
    ----------
    theta : float
        Preferred orientation in degrees.
    wavelength : float
        λ in pixels of the pyramid level the kernel is applied to; above 2 pixels, the
        Nyquist limit (at λ = 2 the odd kernel of an axis-aligned bar vanishes), and at
        most :data:`MAX_WAVELENGTH` (the kernel is about 2λ/γ pixels wide).
    sigma : float, optional
        σ of the envelope across the orientation; default 0.4 λ. The kernel is cut at
        2σ across and 2σ/γ along.
    aspect : float
        γ: the envelope is 1/γ times longer along the preferred orientation.
    """
    theta = check_number(theta, "gabor orientation")
    wavelength = check_number(wavelength, "gabor wavelength", gt=2, le=MAX_WAVELENGTH)
    sigma = 0.4 * wavelength if sigma is None else check_number(sigma, "gabor sigma", gt=0)
    aspect = check_number(aspect, "gabor aspect", gt=0)
    half = max(1, math.ceil(2.0 * sigma / min(aspect, 1.0)))
    y, x = np.mgrid[-half : half + 1, -half : half + 1].astype(np.float64)
    t = math.radians(theta)
    # unit normal of a bar at θ on screen (rows point down): (sin θ, cos θ) in (x, y)
    across = x * math.sin(t) + y * math.cos(t)
    along = x * math.cos(t) - y * math.sin(t)
    env = np.exp(-(across**2 + (aspect * along) ** 2) / (2 * sigma**2))
    even = env * np.cos(2 * math.pi * across / wavelength)
    even -= env * (even.sum() / env.sum())
    odd = env * np.sin(2 * math.pi * across / wavelength)
    return (
        (even / np.abs(even).sum()).astype(np.float32),
        (odd / np.abs(odd).sum()).astype(np.float32),
    )


def orientation_energy(image: np.ndarray, kernels: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Local energy √(even² + odd²) of a quadrature Gabor pair (``cv2.filter2D``)."""
    even = cv2.filter2D(image, cv2.CV_32F, kernels[0], borderType=cv2.BORDER_REFLECT)
    odd = cv2.filter2D(image, cv2.CV_32F, kernels[1], borderType=cv2.BORDER_REFLECT)
    return cv2.magnitude(even, odd)


@dataclass(frozen=True)
class Pyramid:
    """Levels ``first … first + len(levels) − 1`` of one channel's Gaussian pyramid."""

    levels: tuple[np.ndarray, ...]
    first: int

    def __getitem__(self, level: int) -> np.ndarray:
        k = min(level, self.last) - self.first
        if k < 0:
            raise IndexError(f"pyramid level {level} is below the first kept level {self.first}")
        return self.levels[k]

    @property
    def last(self) -> int:
        """The deepest level held."""
        return self.first + len(self.levels) - 1


@dataclass(frozen=True)
class Encoding:
    """The encoded image: one :class:`Pyramid` per channel.

    Attributes
    ----------
    channels : mapping of str to Pyramid
        ``"intensity"``, ``"rg"``, ``"by"`` (colour images only) and
        ``"orientation_<θ>"`` for every preferred orientation θ.
    shape : (int, int)
        Height and width of the encoded image (level 0).
    """

    channels: Mapping[str, Pyramid]
    shape: tuple[int, int]

    @property
    def colour(self) -> bool:
        """True when the colour-opponent channels were computed."""
        return "rg" in self.channels


def orientation_name(theta: float) -> str:
    """Channel name of an orientation, e.g. ``orientation_45``."""
    return f"orientation_{theta:g}"


@dataclass(frozen=True)
class Encoder:
    """Stage 1: turn an image into channel pyramids (see the module docstring).

    The defaults are the published settings (Itti, Koch & Niebur 1998) except
    ``colour_level=2`` (ours, for speed; the paper 0) and the Gabor filters, which the
    paper does not specify.

    Parameters
    ----------
    orientations : tuple of float
        Preferred orientations of the Gabor filters, in degrees.
    levels : int
        Deepest pyramid level (8 in Itti et al. 1998: 1/256 of the image).
    first_level : int
        Shallowest level kept (the finest centre scale); finer ones are only passed
        through on the way down.
    gabor_wavelength, gabor_aspect : float
        λ (pixels at each level) and γ of :func:`gabor_kernels` (ours: not in the paper).
    colour_threshold : float
        Fraction of max intensity below which hue is undefined.
    colour_level : int
        Pyramid level at which intensity and colour opponency are computed
        (``<= first_level``; see :meth:`__call__`); 2 is ours, 0 the paper's.
    colour : bool
        Compute the colour-opponent channels (ignored for grayscale images).
    """

    orientations: tuple[float, ...] = ORIENTATIONS
    levels: int = 8
    first_level: int = 2
    gabor_wavelength: float = 4.0
    gabor_aspect: float = 0.7
    colour_threshold: float = 0.1
    colour_level: int = 2
    colour: bool = True
    _kernels: dict[float, tuple[np.ndarray, np.ndarray]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        if not 0 <= self.colour_level <= self.first_level <= self.levels:
            raise ValueError(
                "encode: need 0 <= colour_level <= first_level <= levels, got "
                f"{self.colour_level}, {self.first_level}, {self.levels}"
            )
        for theta in self.orientations:
            self._kernels[float(theta)] = gabor_kernels(
                float(theta), wavelength=self.gabor_wavelength, aspect=self.gabor_aspect
            )

    def __call__(self, image: np.ndarray) -> Encoding:
        """Encode a checked image (uint8 or float32; ``(H, W, 3)`` or ``(H, W)``).

        Channels are brought to a common range: intensity is divided by its maximum
        (so it lies in [0, 1]) and RG, BY by 3 (their largest magnitude, for fully
        saturated colours), so that the feature stage can tell a faint contrast from
        a strong one.

        The RGB image is reduced to ``colour_level`` first; intensity and colour
        opponency are computed there and the pyramid continues from them. Intensity is
        linear in r, g, b, so its pyramid is the same either way; Itti et al. (1998)
        compute the colour channels at level 0, which differs only where hue changes
        within a few pixels (``colour_level=0`` reproduces it, more slowly).
        """
        base = image
        for _ in range(self.colour_level):
            base = cv2.pyrDown(base)
        base = base.astype(np.float32) * np.float32(1 / 255) if base.dtype == np.uint8 else base
        base = np.asarray(base, dtype=np.float32)
        colour = self.colour and base.ndim == 3
        lum = unit_max(intensity(base))
        if colour:
            rg, by = opponent_channels(base, threshold=self.colour_threshold)
            stack = np.dstack([lum, rg * np.float32(1 / 3), by * np.float32(1 / 3)])
        else:
            stack = lum
        pyr = gaussian_pyramid(stack, self.levels - self.colour_level)
        pyr = pyr[self.first_level - self.colour_level :]
        channels: dict[str, Pyramid] = {}
        names = ("intensity", "rg", "by") if colour else ("intensity",)
        for k, name in enumerate(names):
            levels = tuple(np.ascontiguousarray(p[..., k]) if colour else p for p in pyr)
            channels[name] = Pyramid(levels, self.first_level)
        for theta, kern in self._kernels.items():
            energy = tuple(orientation_energy(a, kern) for a in channels["intensity"].levels)
            channels[orientation_name(theta)] = Pyramid(energy, self.first_level)
        return Encoding(MappingProxyType(channels), (int(image.shape[0]), int(image.shape[1])))
