"""The standalone normalisation model of attention on a 1-D space x orientation grid.

Published (Reynolds & Heeger 2009, Neuron 61:168-185): R = A·E / (s ∗ [A·E] + σ) on a
population of neurons indexed by receptive-field centre x and preferred orientation θ; the
defaults are those of the authors' MATLAB simulations (excitatory field 5 and 60°,
suppressive field 20 and 360°, attention peak 2 on a base of 1, σ = 1e-6, a grid of one
sample per unit of space and per degree, space -200..200, orientation over 360°); Fig. 2A
(stimulus width 3, attention field 30: contrast gain) and Fig. 2B (stimulus 5, field 3:
response gain) with two stimuli at ±100, attention on one or the other, the neuron at the
attended stimulus' centre and orientation read out, 25 contrasts from 1e-5 to 1.

Ours: the dataclass, the circular orientation axis sampled once per step over [-180, 180)
(the authors' grid repeats -180 at 180), the circular orientation distance in stimuli and
attention fields, and the Naka-Rushton fit (R = Rmax cⁿ / (cⁿ + c50ⁿ), Naka & Rushton
1966) used to read off contrast gain and response gain.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
from scipy.optimize import OptimizeWarning, curve_fit

from ._normalization import _response_and_pool, suppressive_pool
from .checks import check_fields, check_finite_array, check_number

__all__ = ["ContrastResponse", "NakaRushton", "NormalizationModel", "PopulationResponse"]


def _frozen(x: Any, copy: bool = True) -> np.ndarray:
    arr = np.array(x, dtype=np.float64) if copy else np.asarray(x, dtype=np.float64)
    arr.setflags(write=False)
    return arr


def _bump(grid: np.ndarray, centre: float, width: float, period: float | None) -> np.ndarray:
    """exp(-d²/2w²), peak 1 (the authors' stimulus and attention profiles); d circular when
    ``period`` is given; ``width`` inf gives 1 everywhere."""
    d = grid - centre
    if period is not None:
        d = (d + period / 2) % period - period / 2
    return np.exp(-(d**2) / (2 * width**2)) if math.isfinite(width) else np.ones_like(grid)


def _naka_rushton(c: np.ndarray, rmax: float, log_c50: float, n: float) -> np.ndarray:
    cn = np.power(c, n)
    return rmax * cn / (cn + np.power(10.0, log_c50 * n))


@dataclass(frozen=True)
class NakaRushton:
    """A contrast-response function R(c) = rmax cⁿ / (cⁿ + c50ⁿ) fitted by least squares.

    Attributes
    ----------
    rmax, c50, n : float
        Saturating response, semi-saturation contrast and exponent.
    rms : float
        Root-mean-square residual of the fit, in response units.
    """

    rmax: float
    c50: float
    n: float
    rms: float

    def __call__(self, contrast: Any) -> np.ndarray:
        """The fitted response at ``contrast`` (>= 0)."""
        c = check_finite_array(contrast, "contrast")
        return _naka_rushton(c, self.rmax, math.log10(self.c50), self.n)

    @classmethod
    def fit(cls, contrasts: Any, responses: Any) -> NakaRushton:
        """Fit to responses at contrasts > 0 (scipy ``curve_fit``, c50 fitted in log10)."""
        c = check_finite_array(contrasts, "contrasts").ravel()
        r = check_finite_array(responses, "responses").ravel()
        if c.size != r.size or c.size < 3 or np.any(c <= 0):
            raise ValueError(
                "contrasts and responses must be as many (>= 3), contrasts > 0, got "
                f"{c.size} contrasts and {r.size} responses"
            )
        half = np.interp(0.5 * r.max(), np.maximum.accumulate(r), c) if r.max() > 0 else c[0]
        p0 = (max(float(r.max()), 1e-300), math.log10(float(half)), 1.0)
        bounds = ([0.0, -20.0, 0.05], [np.inf, 10.0, 20.0])
        try:
            with warnings.catch_warnings():  # the covariance is not used
                warnings.simplefilter("ignore", OptimizeWarning)
                p, _ = curve_fit(_naka_rushton, c, r, p0=p0, bounds=bounds, maxfev=20000)
        except RuntimeError as exc:
            msg = f"responses must follow a Naka-Rushton curve, the fit failed: {exc}"
            raise ValueError(msg) from exc
        rms = float(np.sqrt(np.mean((_naka_rushton(c, *p) - r) ** 2)))
        return cls(float(p[0]), float(10.0 ** p[1]), float(p[2]), rms)


@dataclass(frozen=True)
class PopulationResponse:
    """The model's arrays on the (orientation, space) grid, read-only.

    Attributes
    ----------
    response, drive, attention, suppression : numpy.ndarray, shape (..., n_theta, n_x)
        R, E, A and the suppressive drive S = s ∗ [A·E].
    x, theta : numpy.ndarray
        Receptive-field centres and preferred orientations (degrees).
    """

    response: np.ndarray
    drive: np.ndarray
    attention: np.ndarray
    suppression: np.ndarray
    x: np.ndarray
    theta: np.ndarray

    def at(self, position: float, orientation: float = 0.0) -> np.ndarray | float:
        """R of the neuron nearest to (``position``, ``orientation``); batch axes kept."""
        i = int(np.argmin(np.abs(self.x - check_number(position, "position"))))
        d = (self.theta - check_number(orientation, "orientation") + 180.0) % 360.0 - 180.0
        j = int(np.argmin(np.abs(d)))
        out = self.response[..., j, i]
        return float(out) if out.ndim == 0 else np.array(out)


@dataclass(frozen=True)
class ContrastResponse:
    """Contrast-response functions of one neuron, attended and unattended, with their fits.

    ``c50_shift`` > 1 is a leftward shift (contrast gain); ``rmax_ratio`` > 1 a response gain.
    """

    contrasts: np.ndarray
    attended: np.ndarray
    unattended: np.ndarray
    attended_fit: NakaRushton
    unattended_fit: NakaRushton

    @property
    def c50_shift(self) -> float:
        """Unattended c50 / attended c50."""
        return self.unattended_fit.c50 / self.attended_fit.c50

    @property
    def rmax_ratio(self) -> float:
        """Attended Rmax / unattended Rmax."""
        return self.attended_fit.rmax / self.unattended_fit.rmax


@dataclass(frozen=True)
class NormalizationModel:
    """The normalisation model of attention (Reynolds & Heeger 2009) on space x orientation.

    R(x, θ) = A(x, θ)·E(x, θ) / (S(x, θ) + σ), S = s ∗ [A·E], E = stimulus ∗ excitatory field;
    computed by :func:`~neuroattn.dynamics.attention_normalization` (space zero-padded,
    orientation circular). Widths are Gaussian standard deviations (as in the authors' code),
    in units of x and degrees; kernels have unit sum. Defaults are the authors'.

    Parameters
    ----------
    excitatory_width, excitatory_orientation_width : float
        Stimulation field: 5 and 60°.
    suppressive_width, suppressive_orientation_width : float
        Suppressive field: 20 and 360° (``inf`` pools a whole axis evenly).
    attention_peak, attention_base : float
        Attention field A = base + (peak - base)·g_x·g_θ: 2 on a base of 1.
    sigma : float
        Semi-saturation constant σ: 1e-6.
    space_extent, space_step : float
        x runs over [-extent, extent] by step: 200 and 1.
    orientation_step : float
        θ runs over [-180, 180) by step (dividing 360): 1°.

    References
    ----------
    Reynolds, J. H. & Heeger, D. J. (2009). The normalization model of attention.
    Neuron 61, 168-185.
    """

    excitatory_width: float = 5.0
    excitatory_orientation_width: float = 60.0
    suppressive_width: float = 20.0
    suppressive_orientation_width: float = 360.0
    attention_peak: float = 2.0
    attention_base: float = 1.0
    sigma: float = 1e-6
    space_extent: float = 200.0
    space_step: float = 1.0
    orientation_step: float = 1.0
    _grid: tuple[np.ndarray, np.ndarray] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for f in fields(self)[:4]:
            value = getattr(self, f.name)
            if value != math.inf:
                object.__setattr__(self, f.name, check_number(value, f.name, gt=0))
        check_fields(
            self,
            [
                ("attention_base", dict(ge=0)),
                ("sigma", dict(gt=0)),
                ("space_step", dict(gt=0)),
                ("orientation_step", dict(gt=0, le=360)),
            ],
        )
        peak = check_number(self.attention_peak, "attention_peak", ge=self.attention_base)
        object.__setattr__(self, "attention_peak", peak)
        extent = check_number(self.space_extent, "space_extent", ge=0)
        n_x = math.floor(extent / self.space_step + 1e-9)
        n_theta = 360.0 / self.orientation_step
        if abs(n_theta - round(n_theta)) > 1e-9 or 2 * n_x + 1 > 100_000:
            raise ValueError(
                "orientation_step must divide 360 and space_extent / space_step be <= 50000, "
                f"got {self.orientation_step!r} and {extent!r} / {self.space_step!r}"
            )
        x = _frozen(np.arange(-n_x, n_x + 1) * self.space_step)
        theta = _frozen(-180.0 + np.arange(round(n_theta)) * self.orientation_step)
        object.__setattr__(self, "_grid", (x, theta))

    @property
    def x(self) -> np.ndarray:
        """Receptive-field centres, shape (n_x,)."""
        return self._grid[0]

    @property
    def theta(self) -> np.ndarray:
        """Preferred orientations in degrees, shape (n_theta,)."""
        return self._grid[1]

    def _pool(self, width: float, orientation_width: float) -> tuple[float, float]:
        return (orientation_width / self.orientation_step, width / self.space_step)

    def stimulus(
        self,
        position: float,
        width: float,
        *,
        orientation: float = 0.0,
        orientation_width: float = 1.0,
        contrast: float = 1.0,
    ) -> np.ndarray:
        """A grating patch: contrast·exp(-(x-position)²/2w²)·exp(-(θ-orientation)²/2w_θ²).

        Peak ``contrast``; add stimuli to combine them. The authors' stimuli have an
        orientation width of 1°. Returns shape (n_theta, n_x).
        """
        c = check_number(contrast, "contrast", ge=0)
        gx = _bump(
            self.x, check_number(position, "position"), check_number(width, "width", gt=0), None
        )
        w_t = check_number(orientation_width, "orientation_width", gt=0)
        gt = _bump(self.theta, check_number(orientation, "orientation"), w_t, 360.0)
        return c * np.outer(gt, gx)

    def attention_field(
        self,
        *,
        position: float | None = None,
        width: float | None = None,
        orientation: float | None = None,
        orientation_width: float | None = None,
        peak: float | None = None,
        base: float | None = None,
    ) -> np.ndarray:
        """A(x, θ) = base + (peak - base)·g_x(x)·g_θ(θ), shape (n_theta, n_x).

        g_x is a Gaussian bump of peak 1 at ``position`` (1 everywhere if None: feature-based
        attention), g_θ one at ``orientation`` (1 if None: spatial attention); both None
        gives A = 1. Widths default to the excitatory field's (as in the authors' code);
        peak and base to the model's.
        """
        base = self.attention_base if base is None else check_number(base, "base", ge=0)
        peak = self.attention_peak if peak is None else check_number(peak, "peak", ge=base)
        gx = np.ones_like(self.x)
        gt = np.ones_like(self.theta)
        if position is None and orientation is None:
            return np.ones((self.theta.size, self.x.size))
        if position is not None:
            w = self.excitatory_width if width is None else check_number(width, "width", gt=0)
            gx = _bump(self.x, check_number(position, "position"), w, None)
        if orientation is not None:
            w_t = self.excitatory_orientation_width
            if orientation_width is not None:
                w_t = check_number(orientation_width, "orientation_width", gt=0)
            gt = _bump(self.theta, check_number(orientation, "orientation"), w_t, 360.0)
        return base + (peak - base) * np.outer(gt, gx)

    def _checked_stimulus(self, stimulus: Any) -> np.ndarray:
        s = check_finite_array(stimulus, "stimulus")
        if s.ndim < 2 or s.shape[-2:] != (self.theta.size, self.x.size):
            raise ValueError(
                f"stimulus must have shape (..., {self.theta.size}, {self.x.size}) "
                f"(orientation, space), got {s.shape}"
            )
        return s

    def drive(self, stimulus: Any) -> np.ndarray:
        """E: the stimulus convolved with the excitatory field, shape of ``stimulus``."""
        pool = self._pool(self.excitatory_width, self.excitatory_orientation_width)
        s = self._checked_stimulus(stimulus)
        return suppressive_pool(s, pool=pool, boundary=("circular", "zero"))

    def respond(self, stimulus: Any, attention: Any = None) -> PopulationResponse:
        """The population response to ``stimulus`` (..., n_theta, n_x) under ``attention``."""
        e = self.drive(stimulus)
        a = np.ones(e.shape[-2:]) if attention is None else attention
        pool = self._pool(self.suppressive_width, self.suppressive_orientation_width)
        a = check_finite_array(a, "attention").copy()  # ours to keep
        r, s = _response_and_pool(
            e, a, pool=pool, sigma=self.sigma, boundary=("circular", "zero")
        )  # (..., n_theta, n_x); checks that a broadcasts to e
        a = np.broadcast_to(a, e.shape)
        r, e, a, s = (_frozen(v, copy=False) for v in (r, e, a, s))  # fresh arrays
        return PopulationResponse(r, e, a, s, self.x, self.theta)

    def neuron(
        self, stimulus: Any, attention: Any = None, *, position: float, orientation: float = 0.0
    ) -> np.ndarray | float:
        """R of the neuron nearest to (``position``, ``orientation``)."""
        return self.respond(stimulus, attention).at(position, orientation)

    def contrast_response(
        self,
        contrasts: Any = None,
        *,
        stimulus_width: float = 3.0,
        attention_width: float = 30.0,
        position: float = 100.0,
        away: float = -100.0,
        orientation: float = 0.0,
    ) -> ContrastResponse:
        """Contrast-response of the neuron at (``position``, ``orientation``), Fig. 2 style.

        Two equal stimuli at ``position`` and ``away`` (width ``stimulus_width``, the same
        contrast); attended: a spatial field of ``attention_width`` on ``position``;
        unattended: on ``away``. Defaults: Fig. 2A (3 and 30); Fig. 2B is
        ``stimulus_width=5, attention_width=3``. ``contrasts`` default: 25 from 1e-5 to 1.
        """
        c = (
            np.logspace(-5, 0, 25)
            if contrasts is None
            else check_finite_array(contrasts, "contrasts")
        )
        if c.ndim != 1 or c.size < 3 or np.any(c <= 0):
            raise ValueError(
                f"contrasts must be >= 3 numbers > 0 in a 1-D array, got shape {c.shape}"
            )
        pair = self.stimulus(position, stimulus_width, orientation=orientation)
        pair = pair + self.stimulus(away, stimulus_width, orientation=orientation)
        stimuli = c[:, None, None] * pair  # (C, n_theta, n_x)
        curves = []
        for centre in (position, away):
            a = self.attention_field(position=centre, width=attention_width)
            curves.append(self.neuron(stimuli, a, position=position, orientation=orientation))
        att, unatt = (_frozen(v) for v in curves)
        fits = [NakaRushton.fit(c, v) for v in (att, unatt)]
        return ContrastResponse(_frozen(c), att, unatt, *fits)
